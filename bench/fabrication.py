"""Do fabricating surveyors rank at the top? A simulated field campaign, many seeds.

Honest surveyors interview in working hours at a human pace, and their respondents answer
from their commune's mood; four fabricators each cheat one way: too fast, straight-lining,
copying their own interviews with a change or two, working at night (a little fast too).
For each seed the script ranks every surveyor with ``analytics.interview_quality`` and
counts the runs in which every fabricator is in the top 10%, and each kind's own rank.

Interviews carry the phone's paradata, as the offline app sends it, except a share from
phones with an older app. Honest surveyors spend seconds on each question and change an
answer now and then (a respondent corrects themself, a finger slips); some phones' clocks
are simply wrong, by the same amount every time. Fabricators fill forms alone: they change
almost nothing, and the night worker sets the phone's clock to daytime for most of its
interviews (the server's clock, through the offset, still says night).

    .venv/bin/python bench/fabrication.py            # 100 seeds, 40 surveyors
    .venv/bin/python bench/fabrication.py --seeds 20 --surveyors 60
    .venv/bin/python bench/fabrication.py --without-paradata   # as before paradata
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
from collections import Counter
from dataclasses import replace
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.interview_quality import Interview
from analytics.interview_quality import rank_surveyors

QUESTIONS = 10
OPTIONS = 4
KINDS = ("fast", "straight_lining", "copying", "night")
START = datetime(2026, 8, 3, 8, 0, tzinfo=timezone(timedelta(hours=7)))
#: Interviews from phones with an app older than paradata: judged as before.
WITHOUT_PARADATA = 0.15
#: Answers changed per question: honest interviews, and someone filling in a form alone.
HONEST_CHANGES = 0.05
FABRICATED_CHANGES = 0.005


def answer(rng: random.Random, mood: float) -> int:
    """A position 0..3, 0 the best level; ``mood`` near 0 answers well, near 1 badly."""
    centre = mood * (OPTIONS - 1)
    weights = [math.exp(-((p - centre) ** 2) / 1.2) for p in range(OPTIONS)]
    return rng.choices(range(OPTIONS), weights)[0]


def interview(rng, number, surveyor, at, duration, positions) -> Interview:
    return Interview(number, surveyor, "PKS03", at, duration,
                     tuple((f"q{q}", str(p)) for q, p in enumerate(positions)),
                     tuple((p, OPTIONS) for p in positions))


def phone_offset(rng: random.Random) -> float:
    """A phone's clock error, the same for all its interviews: most phones take the
    network's time, one in ten is minutes off."""
    return rng.gauss(0, 2) if rng.random() < 0.9 else rng.uniform(-1200, 1200)


def with_paradata(rng, made: Interview, offset: float, change_rate: float) -> Interview:
    """``made`` as the offline app reports it (or not, from an older app)."""
    if rng.random() < WITHOUT_PARADATA:
        return made
    per_question = max(1.0, (made.duration_seconds - 30) / QUESTIONS * rng.uniform(0.85, 1.15))
    changes = sum(rng.random() < change_rate for _ in range(QUESTIONS))
    return replace(made, question_seconds=per_question, answer_changes=changes,
                   clock_offset_seconds=round(offset + rng.gauss(0, 1.5)))


def honest(rng, surveyor, communes, first) -> list[Interview]:
    offset = phone_offset(rng)
    return [with_paradata(rng, made, offset, HONEST_CHANGES)
            for made in answered(rng, surveyor, communes, first)]


def answered(rng, surveyor, communes, first) -> list[Interview]:
    made = []
    commune_mood = communes[surveyor % len(communes)]
    day = START + timedelta(days=rng.randrange(10))
    moment = day.replace(hour=rng.randint(7, 9), minute=rng.randrange(60))
    for number in range(rng.randint(15, 30)):
        mood = min(1, max(0, rng.gauss(commune_mood, 0.25)))
        positions = [answer(rng, mood) for _ in range(QUESTIONS)]
        duration = int(QUESTIONS * rng.lognormvariate(math.log(12), 0.35)) + 30
        made.append(interview(rng, first + number, surveyor, moment, duration, positions))
        moment += timedelta(minutes=rng.randint(15, 45))
        if moment.hour >= 17:
            moment = (moment + timedelta(days=1)).replace(hour=rng.randint(7, 9))
    return made


def fabricated(rng, kind, surveyor, communes, first) -> list[Interview]:
    offset = phone_offset(rng)
    if kind == "night":
        # The clock set to daytime for most interviews: the server's receipt minus the
        # device's clock at send is then hours, not seconds (the hour, corrected, is night).
        return [with_paradata(rng, i, offset + (rng.choice((-1, 1)) * 3600 * rng.randint(
            8, 12) if rng.random() < 0.6 else 0), FABRICATED_CHANGES)
            for i in cheat(rng, kind, surveyor, communes, first)]
    return [with_paradata(rng, i, offset, FABRICATED_CHANGES)
            for i in cheat(rng, kind, surveyor, communes, first)]


def cheat(rng, kind, surveyor, communes, first) -> list[Interview]:
    made = answered(rng, surveyor, communes, first)
    if kind == "fast":
        return [interview(rng, i.response_id, surveyor, i.at, max(20, i.duration_seconds // 4),
                          [int(v) for _q, v in i.answers]) for i in made]
    if kind == "straight_lining":
        return [interview(rng, i.response_id, surveyor, i.at, i.duration_seconds,
                          [rng.choice((0, 1))] * QUESTIONS) for i in made]
    if kind == "copying":
        templates = [[int(v) for _q, v in i.answers] for i in made[:3]]
        out = []
        for i in made:
            copy = list(rng.choice(templates))
            for q in rng.sample(range(QUESTIONS), rng.randint(0, 2)):
                copy[q] = rng.randrange(OPTIONS)
            out.append(interview(rng, i.response_id, surveyor, i.at, i.duration_seconds, copy))
        return out
    return [interview(rng, i.response_id, surveyor,
                      i.at.replace(hour=rng.choice((21, 22, 23, 5))),
                      int(i.duration_seconds * 0.7), [int(v) for _q, v in i.answers])
            for i in made]


def run(seed: int, surveyors: int, paradata: bool = True) -> dict[str, int]:
    rng = random.Random(seed)
    communes = [rng.uniform(0.05, 0.6) for _ in range(max(3, surveyors // 3))]
    interviews, kinds, first = [], {}, 0
    cheats = dict(zip(rng.sample(range(surveyors), len(KINDS)), KINDS, strict=True))
    for surveyor in range(surveyors):
        kind = cheats.get(surveyor)
        made = (fabricated(rng, kind, surveyor, communes, first) if kind
                else honest(rng, surveyor, communes, first))
        first += len(made)
        interviews += made
        if kind:
            kinds[surveyor] = kind
    if not paradata:
        interviews = [replace(i, question_seconds=None, answer_changes=None,
                              clock_offset_seconds=None) for i in interviews]
    ranking = rank_surveyors(interviews, seed=seed)
    position = {s.surveyor_id: rank for rank, s in enumerate(ranking, start=1)}
    return {kind: position[surveyor] for surveyor, kind in kinds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--surveyors", type=int, default=40)
    parser.add_argument("--without-paradata", action="store_true",
                        help="judge every interview without its paradata, as before")
    args = parser.parse_args()
    top = max(len(KINDS), round(args.surveyors * 0.10))
    all_top, ranks = 0, {kind: [] for kind in KINDS}
    for seed in range(args.seeds):
        found = run(seed, args.surveyors, paradata=not args.without_paradata)
        all_top += all(rank <= top for rank in found.values())
        for kind, rank in found.items():
            ranks[kind].append(rank)
    print(f"{args.seeds} seeded campaigns, {args.surveyors} surveyors each, "
          f"{len(KINDS)} fabricators; top 10% = the first {top}; "
          f"{'without' if args.without_paradata else 'with'} paradata")
    print(f"every fabricator in the top {top}: {all_top} of {args.seeds} runs "
          f"({all_top / args.seeds:.0%}; target 90%)")
    for kind in KINDS:
        counted = Counter(rank <= top for rank in ranks[kind])
        print(f"  {kind:16} in the top {top}: {counted[True] / args.seeds:6.0%}   "
              f"median rank {statistics.median(ranks[kind]):4.1f}   worst {max(ranks[kind])}")


if __name__ == "__main__":
    main()
