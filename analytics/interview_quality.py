"""How an interview was done, per surveyor: the signs of fabrication that the research finds
in paradata, not in what the answers say (integrity-research.md §1, §5; the World Bank's
RISSK; Schwanhäuser et al., POQ 2022).

Each indicator is computed per surveyor from their interviews, turned into a robust z-score
against the other surveyors (median and MAD, so one fabricator cannot hide the others by
widening a standard deviation) and oriented so that higher is more suspicious. The score is
the root mean square of the positive parts: one far-out indicator (a fabricator who only
copies) weighs more than several that are a little high, as chance makes them for anybody.
Nothing here decides anything: the ranking orders a back-check list, and a person calls the
respondent back.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import Counter
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta


@dataclass(frozen=True)
class Interview:
    response_id: int
    surveyor_id: int
    form_code: str
    #: When it was done, in Vietnam time (naive or aware, all alike); None for a paper sheet
    #: or an import, whose typing time says nothing of the interview. With paradata, the
    #: device's start put on the server's clock (plus the clock's offset); without, when the
    #: server received it.
    at: datetime | None
    #: From opening to sending, when the phone knows it (not for a sheet typed later); the
    #: device's own start and end when it sent paradata.
    duration_seconds: int | None
    #: (question id, value) of every single-valued answer, in the form's order.
    answers: tuple[tuple[str, str], ...]
    #: (position, number of options) of each answer to a closed question, in the form's
    #: order: 0 is the first option shown (the best level on the programme's scales).
    positions: tuple[tuple[int, int], ...]
    #: Paradata, None for a sheet without (typed, imported, or from an older app): the
    #: device's mean seconds per question it timed, the answers changed, and the server's
    #: receipt minus the device clock at send.
    question_seconds: float | None = None
    answer_changes: int | None = None
    clock_offset_seconds: int | None = None

    @property
    def has_paradata(self) -> bool:
        return self.question_seconds is not None or self.answer_changes is not None

    @property
    def seconds_per_question(self) -> float | None:
        """The device's timings when it sent them, else the duration shared out."""
        if self.question_seconds is not None:
            return self.question_seconds
        if self.duration_seconds and self.positions:
            return self.duration_seconds / max(1, len(self.answers))
        return None


@dataclass(frozen=True)
class QualityRules:
    #: An interview shorter than this share of its form's median is "very short".
    short_share: float = 1 / 3
    #: Working hours in Vietnam time, [start, end).
    day_starts: int = 7
    day_ends: int = 20
    #: Simulated interviews per surveyor for the near-duplicate baseline.
    simulations: int = 20
    #: Fewer interviews than this and a surveyor is listed but not scored.
    min_interviews: int = 5
    #: A device clock this far (seconds) from the surveyor's usual offset was changed
    #: between interviews: a clock set back to hide when an interview was "done".
    clock_jump: int = 300


#: Indicator name → +1 if a high value is suspicious, −1 if a low one is.
ORIENTATION = {
    "seconds_per_question": -1,
    "short_share": 1,
    "answer_change_rate": -1,
    "clock_anomaly_share": 1,
    "longest_run": 1,
    "position_spread": -1,
    "per_hour": 1,
    "off_hours_share": 1,
    "duplicate_excess": 1,
}


@dataclass(frozen=True)
class SurveyorQuality:
    surveyor_id: int
    interviews: int
    #: Indicator name → value (None when it cannot be computed, e.g. no durations).
    indicators: dict[str, float | None]
    #: Indicator name → oriented robust z-score.
    z_scores: dict[str, float]
    score: float | None
    #: How many of the interviews came with the device's paradata.
    with_paradata: int = 0


def longest_run(positions: Sequence[tuple[int, int]]) -> int:
    """The longest stretch of consecutive closed answers at the same position."""
    best = run = 0
    previous = None
    for position, _options in positions:
        run = run + 1 if position == previous else 1
        best = max(best, run)
        previous = position
    return best


def spread(positions: Sequence[tuple[int, int]]) -> float | None:
    """The standard deviation of the answers' positions, each scaled to 0..1."""
    scaled = [p / (n - 1) for p, n in positions if n > 1]
    return statistics.pstdev(scaled) if len(scaled) > 1 else None


def max_per_hour(times: Iterable[datetime]) -> int:
    """The most interviews that began within any 60 minutes."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= timedelta(hours=1):
            start += 1
        best = max(best, end - start + 1)
    return best


def closest_match(interview: Interview, others: Sequence[Interview]) -> float:
    """The largest share of answers ``interview`` has in common with any of ``others``."""
    mine = dict(interview.answers)
    if not mine:
        return 0.0
    best = 0.0
    for other in others:
        theirs = dict(other.answers)
        asked = set(mine) | set(theirs)
        same = sum(1 for q in asked if mine.get(q) is not None and mine.get(q) == theirs.get(q))
        best = max(best, same / len(asked))
    return best


def mean_closest_match(interviews: Sequence[Interview]) -> float | None:
    if len(interviews) < 2:
        return None
    return statistics.fmean(
        closest_match(one, [other for other in interviews if other is not one])
        for one in interviews)


def simulated_closest_match(interviews: Sequence[Interview],
                            frequencies: dict[tuple[str, str], Counter],
                            rules: QualityRules, rng: random.Random) -> float | None:
    """What ``mean_closest_match`` would be by chance: as many interviews, each answer drawn
    from how everybody answered that question of that form. Short forms with few options
    match often by chance; this baseline, not a fixed 85%, says what is too often."""
    if len(interviews) < 2:
        return None
    results = []
    for _ in range(rules.simulations):
        fake = []
        for number, real in enumerate(interviews):
            drawn = []
            for question, _value in real.answers:
                counts = frequencies[(real.form_code, question)]
                values, weights = zip(*counts.items(), strict=True)
                drawn.append((question, rng.choices(values, weights)[0]))
            fake.append(Interview(number, 0, real.form_code, real.at, None, tuple(drawn), ()))
        results.append(mean_closest_match(fake))
    return statistics.fmean(results)


def answer_frequencies(interviews: Iterable[Interview]) -> dict[tuple[str, str], Counter]:
    frequencies: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for interview in interviews:
        for question, value in interview.answers:
            frequencies[(interview.form_code, question)][value] += 1
    return frequencies


def change_rate(mine: Sequence[Interview]) -> float | None:
    """Answers changed per answer given, over the interviews with paradata: people correct
    themselves and surveyors mistype; someone filling in a form alone rarely does."""
    counted = [i for i in mine if i.answer_changes is not None and i.answers]
    if not counted:
        return None
    return sum(i.answer_changes for i in counted) / sum(len(i.answers) for i in counted)


def clock_anomaly_share(mine: Sequence[Interview], rules: QualityRules) -> float | None:
    """The share of interviews whose device clock was off from the surveyor's usual offset:
    a phone whose clock is simply wrong is wrong alike every time, one set back and forth
    around some interviews is not."""
    offsets = [i.clock_offset_seconds for i in mine if i.clock_offset_seconds is not None]
    if not offsets:
        return None
    usual = statistics.median(offsets)
    return statistics.fmean(abs(offset - usual) > rules.clock_jump for offset in offsets)


def indicators(mine: Sequence[Interview], form_medians: dict[str, float],
               frequencies: dict[tuple[str, str], Counter], rules: QualityRules,
               rng: random.Random) -> dict[str, float | None]:
    per_question = [s for s in (i.seconds_per_question for i in mine) if s is not None]
    shorts = [i.duration_seconds < rules.short_share * form_medians[i.form_code]
              for i in mine if i.duration_seconds and i.form_code in form_medians]
    runs = [longest_run(i.positions) / len(i.positions) for i in mine if i.positions]
    spreads = [s for s in (spread(i.positions) for i in mine) if s is not None]
    observed = mean_closest_match(mine)
    expected = simulated_closest_match(mine, frequencies, rules, rng)
    times = [i.at for i in mine if i.at is not None]
    return {
        "seconds_per_question": statistics.median(per_question) if per_question else None,
        "short_share": statistics.fmean(shorts) if shorts else None,
        "answer_change_rate": change_rate(mine),
        "clock_anomaly_share": clock_anomaly_share(mine, rules),
        "longest_run": statistics.fmean(runs) if runs else None,
        "position_spread": statistics.fmean(spreads) if spreads else None,
        "per_hour": float(max_per_hour(times)) if times else None,
        "off_hours_share": statistics.fmean(
            not rules.day_starts <= at.hour < rules.day_ends for at in times) if times else None,
        "duplicate_excess": observed - expected if observed is not None
        and expected is not None else None,
    }


def robust_z(values: dict[int, float]) -> dict[int, float]:
    """(x − median) / (1.4826 · MAD); a MAD of zero (most surveyors alike) falls back to the
    mean absolute deviation, then to 1, so a lone outlier still stands out."""
    if not values:
        return {}
    middle = statistics.median(values.values())
    deviations = [abs(v - middle) for v in values.values()]
    scale = 1.4826 * statistics.median(deviations)
    if scale == 0:
        scale = 1.2533 * statistics.fmean(deviations) or 1.0
    return {key: (value - middle) / scale for key, value in values.items()}


def rank_surveyors(interviews: Sequence[Interview], rules: QualityRules = QualityRules(),
                   seed: int = 0) -> list[SurveyorQuality]:
    """Every surveyor with their indicators and score, most suspicious first. ``seed`` makes
    the simulated baseline, and so the ranking, the same every time for the same data."""
    rng = random.Random(seed)  # noqa: S311  (a baseline that must repeat, not a secret)
    by_surveyor: dict[int, list[Interview]] = defaultdict(list)
    for interview in interviews:
        by_surveyor[interview.surveyor_id].append(interview)
    durations: dict[str, list[int]] = defaultdict(list)
    for interview in interviews:
        if interview.duration_seconds:
            durations[interview.form_code].append(interview.duration_seconds)
    form_medians = {code: statistics.median(values) for code, values in durations.items()}
    frequencies = answer_frequencies(interviews)
    values = {sid: indicators(mine, form_medians, frequencies, rules, rng)
              for sid, mine in sorted(by_surveyor.items())}
    scored = [sid for sid, mine in by_surveyor.items() if len(mine) >= rules.min_interviews]
    z_by_indicator = {
        name: robust_z({sid: values[sid][name] for sid in scored
                        if values[sid][name] is not None})
        for name in ORIENTATION}
    ranked = []
    for sid in sorted(by_surveyor):
        z = {name: ORIENTATION[name] * z_by_indicator[name][sid]
             for name in ORIENTATION if sid in z_by_indicator[name]}
        score = math.sqrt(statistics.fmean(max(0.0, v) ** 2 for v in z.values())) if z else None
        ranked.append(SurveyorQuality(sid, len(by_surveyor[sid]), values[sid], z, score,
                                      sum(i.has_paradata for i in by_surveyor[sid])))
    return sorted(ranked, key=lambda s: (s.score is None, -(s.score or 0), s.surveyor_id))


@dataclass(frozen=True)
class BackCheckPick:
    response_id: int
    #: "score": among the most suspicious interviews; "random": the random share.
    reason: str
    score: float


def interview_score(interview: Interview, surveyor_score: float, form_medians: dict[str, float],
                    closest: float, rules: QualityRules) -> float:
    """One interview's own signs, plus its surveyor's score to order ties."""
    signs = 0.0
    median = form_medians.get(interview.form_code)
    if interview.duration_seconds and median:
        signs += interview.duration_seconds < rules.short_share * median
    if len(interview.positions) >= 4:
        signs += longest_run(interview.positions) == len(interview.positions)
    if interview.at is not None:
        signs += not rules.day_starts <= interview.at.hour < rules.day_ends
    signs += closest
    return signs + surveyor_score / 10


def back_check_list(interviews: Sequence[Interview], ranking: Sequence[SurveyorQuality],
                    seed: int, top_share: float = 0.10, random_share: float = 0.05,
                    rules: QualityRules = QualityRules()) -> list[BackCheckPick]:
    """The interviews to call back: the top ``top_share`` by score, then a random
    ``random_share`` of the rest (so that nobody can predict the list from the rules)."""
    if not interviews:
        return []
    scores = {s.surveyor_id: s.score or 0.0 for s in ranking}
    durations: dict[str, list[int]] = defaultdict(list)
    for interview in interviews:
        if interview.duration_seconds:
            durations[interview.form_code].append(interview.duration_seconds)
    medians = {code: statistics.median(values) for code, values in durations.items()}
    by_surveyor: dict[int, list[Interview]] = defaultdict(list)
    for interview in interviews:
        by_surveyor[interview.surveyor_id].append(interview)
    scored = sorted(
        ((interview_score(i, scores.get(i.surveyor_id, 0.0), medians, closest_match(
            i, [o for o in by_surveyor[i.surveyor_id] if o is not i]), rules), i.response_id)
         for i in interviews), key=lambda pair: (-pair[0], pair[1]))
    top = max(1, round(len(scored) * top_share))
    picks = [BackCheckPick(rid, "score", score) for score, rid in scored[:top]]
    rest = scored[top:]
    extra = min(len(rest), max(1, round(len(scored) * random_share)) if rest else 0)
    # The caller keys the seed with the app's secret: the same list on every reload, but not
    # one a surveyor can work out from the week and the rules.
    chosen = random.Random(seed).sample(rest, extra)  # noqa: S311
    picks += [BackCheckPick(rid, "random", score) for score, rid in sorted(
        chosen, key=lambda pair: pair[1])]
    return picks
