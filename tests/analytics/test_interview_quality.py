"""The surveyor ranking: each indicator on a hand-made case, the ranking of simulated
fabricators (the bench's campaign, a few seeds), a repeatable back-check list."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest

from analytics.interview_quality import Interview
from analytics.interview_quality import QualityRules
from analytics.interview_quality import back_check_list
from analytics.interview_quality import change_rate
from analytics.interview_quality import clock_anomaly_share
from analytics.interview_quality import closest_match
from analytics.interview_quality import longest_run
from analytics.interview_quality import max_per_hour
from analytics.interview_quality import rank_surveyors
from analytics.interview_quality import robust_z
from analytics.interview_quality import spread

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import fabrication

AT = datetime(2026, 8, 3, 9, 0)  # noqa: DTZ001  (Vietnam time, as the service hands it)


def one(positions, *, rid=1, surveyor=1, at=AT, duration=120) -> Interview:
    return Interview(rid, surveyor, "PKS03", at, duration,
                     tuple((f"q{n}", str(p)) for n, p in enumerate(positions)),
                     tuple((p, 4) for p in positions))


def test_longest_run_and_spread():
    assert longest_run(one([0, 0, 1, 1, 1, 2]).positions) == 3
    assert longest_run(()) == 0
    assert spread(one([0, 0, 0, 0]).positions) == 0
    assert spread(one([0, 3]).positions) == pytest.approx(0.5)
    assert spread(one([2]).positions) is None


def test_most_interviews_within_an_hour():
    times = [AT, AT + timedelta(minutes=20), AT + timedelta(minutes=59),
             AT + timedelta(minutes=60), AT + timedelta(hours=3)]
    assert max_per_hour(times) == 3
    assert max_per_hour([]) == 0


def test_closest_match_is_the_best_share_against_any_other():
    base = one([0, 1, 2, 3])
    assert closest_match(base, [one([0, 1, 2, 0]), one([3, 3, 3, 3])]) == 0.75
    assert closest_match(base, []) == 0


def test_robust_z_lets_a_lone_outlier_stand_out_when_the_others_are_alike():
    z = robust_z({1: 0.0, 2: 0.0, 3: 0.0, 4: 5.0})
    assert z[4] > 3
    assert z[1] == 0


@pytest.mark.parametrize("seed", [101, 202, 303])
def test_simulated_fabricators_rank_at_the_top(seed):
    """The bench's campaign: 40 surveyors, four fabricators of four kinds, each in the top 4."""
    ranks = fabrication.run(seed, 40)
    assert max(ranks.values()) <= 4, ranks


def test_too_few_interviews_are_listed_without_a_score():
    interviews = [one([0, 1, 2, 3], rid=n, surveyor=n % 6) for n in range(30)]
    interviews.append(one([0, 0, 0, 0], rid=99, surveyor=42))
    ranking = {s.surveyor_id: s for s in rank_surveyors(interviews)}
    assert ranking[42].score is None
    assert ranking[42].interviews == 1


def test_the_back_check_list_is_the_top_tenth_and_a_random_twentieth_and_repeats():
    interviews = [one([n % 4, (n // 4) % 4, 1, 2], rid=n, surveyor=n % 10,
                      at=AT + timedelta(minutes=7 * n)) for n in range(200)]
    night = [one([0, 0, 0, 0], rid=1000 + n, surveyor=77, at=AT.replace(hour=23), duration=20)
             for n in range(10)]
    ranking = rank_surveyors(interviews + night)
    picks = back_check_list(interviews + night, ranking, seed=7)
    by_reason = {reason: [p for p in picks if p.reason == reason] for reason in ("score",
                                                                                 "random")}
    assert len(by_reason["score"]) == 21
    assert len(by_reason["random"]) == 10
    assert {i.response_id for i in night} <= {p.response_id for p in by_reason["score"]}
    assert back_check_list(interviews + night, ranking, seed=7) == picks
    assert back_check_list(interviews + night, ranking, seed=8) != picks


def test_device_timings_replace_the_shared_out_duration_where_present():
    plain = one([0, 1, 2, 3], duration=120)
    timed = replace(plain, question_seconds=7.5, answer_changes=1)
    assert plain.seconds_per_question == 30
    assert not plain.has_paradata
    assert timed.seconds_per_question == 7.5
    assert timed.has_paradata


def test_answer_change_rate_counts_interviews_with_paradata_only():
    interviews = [replace(one([0, 1, 2, 3]), answer_changes=2),
                  replace(one([0, 1, 2, 3]), answer_changes=0), one([0, 1, 2, 3])]
    assert change_rate(interviews) == pytest.approx(2 / 8)
    assert change_rate([one([0, 1])]) is None


def test_a_clock_wrong_by_the_same_amount_is_no_anomaly_a_clock_moved_is():
    rules = QualityRules()
    steady = [replace(one([0]), clock_offset_seconds=900 + n) for n in range(5)]
    assert clock_anomaly_share(steady, rules) == 0
    moved = [*steady[:3], *(replace(one([0]), clock_offset_seconds=8 * 3600) for _ in range(2))]
    assert clock_anomaly_share(moved, rules) == pytest.approx(0.4)
    assert clock_anomaly_share([one([0])], rules) is None


def test_few_changes_and_fast_device_timings_rank_a_surveyor_first():
    """Ten surveyors alike by their answers and durations; one whose phone says it spent
    three seconds a question and never changed an answer."""
    interviews = []
    for surveyor in range(10):
        for n in range(8):
            base = one([(n + surveyor) % 4, n % 4, (n * 3) % 4, 1], rid=surveyor * 100 + n,
                       surveyor=surveyor, at=AT + timedelta(minutes=30 * n))
            fabricated = surveyor == 7
            interviews.append(replace(
                base, question_seconds=3.0 if fabricated else 20.0 + (n + surveyor) % 5,
                answer_changes=0 if fabricated else (n + surveyor) % 3,
                clock_offset_seconds=1))
    ranking = rank_surveyors(interviews)
    assert ranking[0].surveyor_id == 7
    assert ranking[0].with_paradata == 8
    assert ranking[0].indicators["answer_change_rate"] == 0
