"""The integrity rules at their edges, without a database."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from analytics import Rulebook
from analytics import RulebookError
from analytics.integrity import ALL_TOP
from analytics.integrity import BURST_DEVICE
from analytics.integrity import BURST_NETWORK
from analytics.integrity import COMMUNE_RATE
from analytics.integrity import HONEYPOT
from analytics.integrity import NEAR_IDENTICAL
from analytics.integrity import OUTSIDE_HOURS
from analytics.integrity import REPEAT_DEVICE
from analytics.integrity import SPEEDER
from analytics.integrity import STAFF_SESSION
from analytics.integrity import STRAIGHT_LINE
from analytics.integrity import IntegrityRules
from analytics.integrity import Signals
from analytics.integrity import context_of
from analytics.integrity import flag_campaign
from analytics.integrity import is_open
from analytics.integrity import parse_hours
from analytics.integrity import poisson_upper
from analytics.integrity import reasons_for

#: A Tuesday, 09:00 in Vietnam.
MORNING = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
RULES = IntegrityRules()


def response(n: int, at: datetime = MORNING, **fields) -> Signals:
    return Signals(n, commune_id=1, form_id=1, version_id=1, received_at=at, **fields)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def reasons(target, earlier=(), rules=RULES, median=None):
    return reasons_for(target, context_of(target, list(earlier), rules), rules, median)


# --- burst per device and per network -------------------------------------------------------

def test_burst_device_flags_past_n_within_the_window():
    earlier = [response(i, MORNING - minutes(14), device_key="d") for i in range(3)]
    assert BURST_DEVICE in reasons(response(9, device_key="d"), earlier)
    assert BURST_DEVICE not in reasons(response(9, device_key="d"), earlier[:2])


def test_burst_device_window_edge():
    edge = [response(i, MORNING - minutes(15), device_key="d") for i in range(3)]
    assert BURST_DEVICE not in reasons(response(9, device_key="d"), edge)


def test_burst_network_flags_past_n_and_not_another_network():
    earlier = [response(i, MORNING - minutes(1), network_key="n") for i in range(5)]
    assert BURST_NETWORK in reasons(response(9, network_key="n"), earlier)
    assert BURST_NETWORK not in reasons(response(9, network_key="n"), earlier[:4])
    assert BURST_NETWORK not in reasons(response(9, network_key="m"), earlier)


# --- a commune's rate -----------------------------------------------------------------------

def test_poisson_upper_quantile():
    assert poisson_upper(0.5, 0.999) == 4
    assert poisson_upper(0.0, 0.999) == 0


def test_commune_rate_flags_above_the_poisson_quantile_of_its_usual_rate():
    # No history: 6 per opening hour, 1.5 per quarter hour, whose 99.9% quantile is 6.
    assert poisson_upper(1.5, 0.999) == 6
    earlier = [response(i, MORNING - minutes(10)) for i in range(5)]
    assert COMMUNE_RATE not in reasons(response(9), earlier)  # 6 in the window
    earlier.append(response(8, MORNING - minutes(5)))
    assert COMMUNE_RATE in reasons(response(9), earlier)  # 7
    edge = [response(i, MORNING - minutes(15)) for i in range(20)]
    assert COMMUNE_RATE not in reasons(response(9), edge)  # the window's start is out


def test_commune_rate_follows_a_busy_communes_own_rate():
    # About 9 per opening hour over the last two weeks: 7 in a quarter hour is not unusual
    # there, though it is where nobody has answered before.
    history = [response(i, MORNING - timedelta(days=1 + i % 12, minutes=i % 600))
               for i in range(1200)]
    recent = [response(2000 + i, MORNING - minutes(5)) for i in range(6)]
    assert COMMUNE_RATE in reasons(response(9), recent)
    assert COMMUNE_RATE not in reasons(response(9), history + recent)
    assert COMMUNE_RATE not in reasons(response(9), history + recent)


# --- repeat device --------------------------------------------------------------------------

def test_repeat_device_flags_all_but_the_first_within_d_days():
    first = response(1, MORNING - timedelta(days=29, hours=23), device_key="d")
    assert REPEAT_DEVICE in reasons(response(2, device_key="d"), [first])
    old = response(1, MORNING - timedelta(days=30, minutes=1), device_key="d")
    assert REPEAT_DEVICE not in reasons(response(2, device_key="d"), [old])
    assert REPEAT_DEVICE not in reasons(response(2, device_key="e"), [first])
    assert REPEAT_DEVICE not in reasons(response(2), [response(1)])  # no key, no repeat


# --- speeder --------------------------------------------------------------------------------

def test_speeder_below_the_share_of_the_median():
    assert SPEEDER in reasons(response(1, duration_seconds=34), median=100)
    assert SPEEDER not in reasons(response(1, duration_seconds=35), median=100)
    assert SPEEDER not in reasons(response(1, duration_seconds=1), median=None)
    assert SPEEDER not in reasons(response(1), median=100)


# --- straight-lining, all-top, near-identical -----------------------------------------------

def test_all_top_and_straight_lining_need_enough_scale_questions():
    assert ALL_TOP in reasons(response(1, scale=(0, 0, 0, 0)))
    assert ALL_TOP not in reasons(response(1, scale=(0, 0, 0)))
    assert STRAIGHT_LINE in reasons(response(1, scale=(2, 2, 2, 2)))
    assert not {ALL_TOP, STRAIGHT_LINE} & reasons(response(1, scale=(0, 0, 0, 1)))


def test_near_identical_against_a_varied_commune():
    # 12 questions of 4 options answered all ways: an exact copy is far beyond chance; one
    # exact match of 8 questions of 3 options among 40 is not (about 1 in 160).
    pattern = "abcdabcdabcd"
    varied = [response(i, MORNING - minutes(60 + i), pattern="".join(
        "abcd"[(i * 7 + q * 3 + i // 3) % 4] for q in range(12))) for i in range(40)]
    copy = response(99, MORNING - minutes(30), pattern=pattern)
    assert NEAR_IDENTICAL in reasons(response(100, pattern=pattern), [*varied, copy])
    assert NEAR_IDENTICAL not in reasons(response(100, pattern=pattern), varied)


def test_near_identical_is_chance_where_everyone_answers_alike():
    alike = [response(i, MORNING - minutes(60 + i), pattern="a" * 8) for i in range(40)]
    assert NEAR_IDENTICAL not in reasons(response(100, pattern="a" * 8), alike)


def test_near_identical_needs_enough_questions():
    short = [response(i, MORNING - minutes(60 + i), pattern="abc"[i % 3] + "bca")
             for i in range(9)]
    assert NEAR_IDENTICAL not in reasons(response(100, pattern="abca"), short)


# --- hours, staff, honeypot -----------------------------------------------------------------

def test_outside_hours_in_vietnam_time():
    assert is_open(MORNING, RULES.hours)
    evening = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)  # 17:30 in Vietnam: closed
    assert OUTSIDE_HOURS in reasons(response(1, evening))
    assert OUTSIDE_HOURS not in reasons(response(1, evening - minutes(1)))
    sunday = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    assert OUTSIDE_HOURS in reasons(response(1, sunday))


def test_a_communes_own_hours():
    rules = IntegrityRules(commune_hours={"00001": parse_hours("sun 08:00-10:00")})
    sunday = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    assert OUTSIDE_HOURS not in reasons(response(1, sunday, commune_code="00001"), rules=rules)
    assert OUTSIDE_HOURS in reasons(response(1, MORNING, commune_code="00001"), rules=rules)


def test_staff_session_and_honeypot():
    assert STAFF_SESSION in reasons(response(1, staff_session=True))
    assert HONEYPOT in reasons(response(1, honeypot=True))


def test_a_rule_set_off_gives_no_reason_and_note_does_not_exclude():
    rules = IntegrityRules(modes={HONEYPOT: "off"})
    assert HONEYPOT not in reasons(response(1, honeypot=True), rules=rules)
    assert not RULES.excludes({ALL_TOP, OUTSIDE_HOURS})
    assert RULES.excludes({ALL_TOP, REPEAT_DEVICE})


# --- the whole campaign ---------------------------------------------------------------------

def test_the_first_response_of_a_device_counts_and_the_rest_are_flagged():
    burst = [response(i, MORNING + timedelta(seconds=i * 30), device_key="d")
             for i in range(10)]
    flags = flag_campaign(burst, RULES)
    assert REPEAT_DEVICE not in flags[0]
    assert all(REPEAT_DEVICE in flags[i] for i in range(1, 10))


SIGNALS = st.builds(
    lambda n, offset, device, network, pattern: response(
        n, MORNING + timedelta(minutes=offset), device_key=device, network_key=network,
        pattern=pattern, duration_seconds=60 + offset % 100),
    st.integers(1, 10**6), st.integers(0, 3000), st.sampled_from([None, "a", "b"]),
    st.sampled_from([None, "x", "y"]), st.text("abc-", min_size=6, max_size=6))


@settings(max_examples=50, deadline=None)
@given(st.lists(SIGNALS, max_size=40, unique_by=lambda s: s.id), st.randoms())
def test_recomputation_is_the_same_in_any_order(responses, random):
    shuffled = list(responses)
    random.shuffle(shuffled)
    assert flag_campaign(responses, RULES) == flag_campaign(shuffled, RULES)


# --- stored in the rulebook -----------------------------------------------------------------

def test_rules_round_trip_through_the_rulebook():
    rules = IntegrityRules(burst_device_max=7, speeder_share=Fraction(1, 4),
                           commune_hours={"00001": parse_hours("mon 08:00-12:00")},
                           modes={**RULES.modes, OUTSIDE_HOURS: "exclude"})
    book = Rulebook(integrity=rules)
    assert Rulebook.from_dict(book.to_dict()).integrity == rules


def test_a_rulebook_saved_before_the_rules_existed_gets_the_defaults():
    data = Rulebook().to_dict()
    del data["integrity"]
    assert Rulebook.from_dict(data).integrity == IntegrityRules()


@pytest.mark.parametrize("bad", [{"burst_device_max": 0}, {"hours": "someday 9-5"},
                                 {"modes": {"honeypot": "maybe"}},
                                 {"speeder_share_percent": "150"}])
def test_bad_integrity_rules_are_refused(bad):
    data = Rulebook().to_dict()
    data["integrity"] |= bad
    with pytest.raises(RulebookError):
        Rulebook.from_dict(data)
