"""For random campaigns, the analytics equal a brute-force count over the raw responses.

The brute force is written independently: plain loops over every response, integer
cross-multiplication for the threshold (never a float, never the Fraction code under test).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from fractions import Fraction

from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from analytics import CommuneInfo
from analytics import FormRule
from analytics import FormSpec
from analytics import Rulebook
from analytics.trend import WeeklyCount
from analytics.trend import weekly_trend
from tests.oracle import Tally
from tests.oracle import count_samples
from tests.oracle import evaluate

OPTIONS = ("a", "b", "c", "d")
CODES = ("F1", "F2", "F3")
MONDAY = date(2026, 1, 5)


@dataclass(frozen=True)
class Raw:
    commune_id: int
    form_code: str
    version_id: int
    answer: str | None
    flagged: bool
    week: int


def shares(draw) -> Fraction:
    denominator = draw(st.integers(1, 10))
    return Fraction(draw(st.integers(1, denominator)), denominator)


@st.composite
def campaigns(draw):
    communes = [
        CommuneInfo(i, f"{i:05d}", f"Xã {i}", grouping_id=draw(st.sampled_from([None, 1, 2])),
                    staff_headcount=draw(st.none() | st.integers(0, 12)))
        for i in range(1, draw(st.integers(0, 5)) + 1)
    ]
    subsets = st.frozensets(st.sampled_from(OPTIONS), min_size=1)
    forms, version = [], 0
    for code in CODES[:draw(st.integers(0, 3))]:
        versions = {}
        for _ in range(draw(st.integers(1, 2))):
            version += 1
            versions[version] = draw(subsets)
        forms.append(FormSpec(code, sample_target=draw(st.integers(0, 8)), versions=versions))
    overrides = {}
    for form in forms:
        if draw(st.booleans()):
            overrides[form.code] = FormRule(
                threshold=shares(draw) if draw(st.booleans()) else None,
                min_responses=draw(st.none() | st.integers(1, 8)),
                min_staff_share=shares(draw) if draw(st.booleans()) else None,
                satisfied_values=tuple(sorted(draw(subsets))) if draw(st.booleans()) else None,
            )
    rules = Rulebook(target_share=shares(draw), threshold=shares(draw),
                     min_responses=draw(st.integers(1, 8)), forms=overrides)
    raws = []
    if communes and forms:
        for _ in range(draw(st.integers(0, 80))):
            form = draw(st.sampled_from(forms))
            raws.append(Raw(
                draw(st.sampled_from(communes)).id, form.code,
                draw(st.sampled_from(sorted(form.versions))),
                draw(st.sampled_from((*OPTIONS, None))),
                draw(st.booleans()) if draw(st.booleans()) else False,
                draw(st.integers(0, 6)),
            ))
    return communes, forms, rules, raws


def tally(raws: list[Raw]) -> list[Tally]:
    """What the database roll-up holds: responses counted by their key."""
    counted = Counter((r.commune_id, r.form_code, r.version_id, r.answer, r.flagged) for r in raws)
    return [Tally(*key, n) for key, n in counted.items()]


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def brute_force(communes, forms, rules: Rulebook, raws: list[Raw]):
    per_form, statuses = {}, {}
    for commune in communes:
        failing, missing = [], []
        for form in forms:
            rule = rules.forms.get(form.code)
            valid = satisfied = flagged = 0
            for r in raws:
                if r.commune_id != commune.id or r.form_code != form.code:
                    continue
                if r.flagged:
                    flagged += 1
                elif r.answer is not None:
                    valid += 1
                    good = (rule.satisfied_values if rule and rule.satisfied_values is not None
                            else form.versions[r.version_id])
                    satisfied += r.answer in good
            if rule and rule.min_staff_share is not None and commune.staff_headcount is not None:
                share = rule.min_staff_share
                need = ceil_div(share.numerator * commune.staff_headcount, share.denominator)
            elif rule and rule.min_responses is not None:
                need = rule.min_responses
            else:
                need = rules.min_responses
            need = max(1, need)
            threshold = rule.threshold if rule and rule.threshold is not None else rules.threshold
            passes = valid > 0 and (satisfied * threshold.denominator
                                    >= threshold.numerator * valid)
            if valid < need:
                state = "insufficient"
                missing.append((form.code, need - valid))
            else:
                state = "passes" if passes else "fails"
                if not passes:
                    failing.append(form.code)
            per_form[commune.id, form.code] = (valid, satisfied, flagged, need, state)
        if failing:
            statuses[commune.id] = ("does_not_meet", tuple(failing), tuple(missing))
        elif missing or not forms:
            statuses[commune.id] = ("not_enough_data", (), tuple(missing))
        else:
            statuses[commune.id] = ("meets", (), ())
    return per_form, statuses


def progress(statuses: dict, members, target: Fraction):
    meets = sum(statuses[c.id][0] == "meets" for c in members)
    required = ceil_div(target.numerator * len(members), target.denominator)
    return len(members), meets, max(0, required - meets)


@settings(max_examples=300, deadline=None)
@given(campaigns())
@example((  # a threshold met exactly: 4 of 5 satisfied against 80%
    [CommuneInfo(1, "1", "A")], [FormSpec("F1", versions={1: frozenset({"a"})})],
    Rulebook(threshold=Fraction(4, 5), min_responses=5, forms={}),
    [Raw(1, "F1", 1, "a", False, 0)] * 4 + [Raw(1, "F1", 1, "b", False, 0)],
))
@example((  # every response flagged
    [CommuneInfo(1, "1", "A")], [FormSpec("F1", versions={1: frozenset({"a"})})],
    Rulebook(min_responses=1, forms={}), [Raw(1, "F1", 1, "a", True, 0)] * 3,
))
@example((  # a commune with enough responses on one form only, which passes
    [CommuneInfo(1, "1", "A")], [FormSpec("F1", versions={1: frozenset({"a"})}),
                                 FormSpec("F2", versions={2: frozenset({"a"})})],
    Rulebook(min_responses=2, forms={}), [Raw(1, "F1", 1, "a", False, 0)] * 2,
))
@example(([CommuneInfo(1, "1", "A")], [], Rulebook(), []))  # no forms, no responses
def test_analytics_equal_a_brute_force_count(campaign):
    communes, forms, rules, raws = campaign
    evaluation = evaluate(communes, forms, tally(raws), rules)
    per_form, statuses = brute_force(communes, forms, rules, raws)

    got = {(r.commune_id, r.form_code): (r.valid, r.satisfied, r.count.flagged, r.required,
                                         r.state.value) for r in evaluation.results}
    assert got == per_form
    assert {s.commune.id: (s.status.value, s.failing_forms, s.missing)
            for s in evaluation.statuses} == statuses

    overall = evaluation.overall
    assert (overall.communes, overall.meets, overall.needed) == progress(
        statuses, communes, rules.target_share)
    for group in evaluation.groupings:
        members = [c for c in communes if c.grouping_id == group.grouping_id]
        assert (group.communes, group.meets, group.needed) == progress(
            statuses, members, rules.target_share)
    assert sum(g.communes for g in evaluation.groupings) == len(communes)
    assert evaluation.flagged == sum(r.flagged for r in raws)


@settings(max_examples=150, deadline=None)
@given(campaigns())
def test_every_week_of_the_trend_equals_a_fresh_count_up_to_that_week(campaign):
    communes, forms, rules, raws = campaign
    weekly = []
    for week in {r.week for r in raws}:
        counts = count_samples(tally([r for r in raws if r.week == week]), forms, rules)
        weekly += [WeeklyCount(MONDAY + timedelta(weeks=week, days=3), commune_id, code, count)
                   for (commune_id, code), count in counts.items()]
    points = weekly_trend(weekly, communes, forms, rules)
    if not raws:
        assert points == []
        return
    first = min(r.week for r in raws)
    assert [p.week for p in points] == [MONDAY + timedelta(weeks=first + i)
                                        for i in range(len(points))]
    for offset, point in enumerate(points):
        so_far = [r for r in raws if r.week <= first + offset]
        _, statuses = brute_force(communes, forms, rules, so_far)
        assert point.meets == sum(s[0] == "meets" for s in statuses.values())
        assert point.cumulative.valid == sum(
            not r.flagged and r.answer is not None for r in so_far)
        assert point.cumulative.flagged == sum(r.flagged for r in so_far)
