"""Recognition: the 100-point dossier's criteria, the pass rule and the survey's points.

The criteria, their maxima and sub-items, the pass rule and the way survey results become the
satisfaction criterion's points are data in the rulebook (``Rulebook.recognition``), never
constants in the code. Points are exact fractions: a commune at 80 exactly passes an 80 mark.
The defaults follow DOMAIN.md ("What a commune is scored on"); its compound criteria are split
into one sub-item per named part so that evidence can be attached where it belongs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from decimal import ROUND_HALF_UP
from decimal import Decimal
from decimal import InvalidOperation
from fractions import Fraction
from typing import Any

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$")
PROPORTIONAL, ALL_OR_NOTHING = "proportional", "all_or_nothing"
ALL_COMMUNES, REGISTERED = "all", "registered"
#: Points are kept to two decimals (a half point is common in provincial score sheets).
CENT = Fraction(1, 100)


@dataclass(frozen=True)
class Item:
    code: str
    title: str
    max_points: Fraction


@dataclass(frozen=True)
class Criterion:
    code: str
    title: str
    max_points: Fraction
    #: Scored one by one when present; the criterion's points are then their sum.
    items: tuple[Item, ...] = ()

    @property
    def scored_codes(self) -> tuple[str, ...]:
        """Where points are entered: each sub-item, or the criterion itself."""
        return tuple(i.code for i in self.items) or (self.code,)

    def max_for(self, code: str) -> Fraction | None:
        if code == self.code and not self.items:
            return self.max_points
        return next((i.max_points for i in self.items if i.code == code), None)


def default_criteria() -> tuple[Criterion, ...]:
    def item(code: str, title: str, points: int) -> Item:
        return Item(code, title, Fraction(points))

    return (
        Criterion("TC1", "Thực hiện dân chủ ở cơ sở và thông tin, truyền thông", Fraction(20), (
            item("TC1.1", "Thực hiện dân chủ ở cơ sở", 10),
            item("TC1.2", "Thông tin, truyền thông", 10))),
        Criterion("TC2", "Cải cách hành chính", Fraction(25)),
        Criterion("TC3", "Văn hóa công sở và quy tắc ứng xử", Fraction(20), (
            item("TC3.1", "Văn hóa công sở", 10),
            item("TC3.2", "Quy tắc ứng xử", 10))),
        Criterion("TC4", "Đối thoại và giải quyết khiếu nại, tố cáo", Fraction(15), (
            Item("TC4.1", "Đối thoại với Nhân dân", Fraction(15, 2)),
            Item("TC4.2", "Giải quyết khiếu nại, tố cáo", Fraction(15, 2)))),
        Criterion("TC5", "Sự hài lòng của cán bộ, người dân, tổ chức và doanh nghiệp",
                  Fraction(20)),
    )


@dataclass(frozen=True)
class RecognitionRules:
    criteria: tuple[Criterion, ...] = field(default_factory=default_criteria)
    #: The criterion whose points come from the surveys, never typed in.
    survey_criterion: str = "TC5"
    #: ``proportional``: max × the mean of the campaign's forms' rates (a form without enough
    #: valid responses counts 0); ``all_or_nothing``: max when the commune meets the survey
    #: standard, else 0.
    survey_mode: str = PROPORTIONAL
    pass_total: Fraction = Fraction(80)
    #: Every criterion needs at least this share of its maximum.
    criterion_share: Fraction = Fraction(1, 2)
    #: A form whose satisfaction rate must reach ``form_share`` (None: no such condition).
    pass_form: str | None = "PKS07"  # noqa: S105  (a form code, not a password)
    form_share: Fraction = Fraction(4, 5)
    #: ``all``: the target counts over every commune; ``registered``: over those registered.
    target_base: str = ALL_COMMUNES

    @property
    def max_total(self) -> Fraction:
        return sum((c.max_points for c in self.criteria), Fraction(0))

    def criterion(self, code: str) -> Criterion | None:
        return next((c for c in self.criteria if c.code == code), None)

    def typed_codes(self) -> tuple[str, ...]:
        """Every code a commune scores itself on (the survey criterion is filled in)."""
        return tuple(code for c in self.criteria if c.code != self.survey_criterion
                     for code in c.scored_codes)

    def max_for(self, code: str) -> Fraction | None:
        for criterion in self.criteria:
            found = criterion.max_for(code)
            if found is not None:
                return found
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "target_base": self.target_base,
            "pass": {
                "total_min": number_text(self.pass_total),
                "criterion_min_percent": number_text(self.criterion_share * 100),
                "form": self.pass_form,
                "form_min_percent": number_text(self.form_share * 100),
            },
            "satisfaction": {"criterion": self.survey_criterion, "mode": self.survey_mode},
            "criteria": [
                {"code": c.code, "title": c.title, "max": number_text(c.max_points),
                 **({"items": [{"code": i.code, "title": i.title,
                                "max": number_text(i.max_points)} for i in c.items]}
                    if c.items else {})}
                for c in self.criteria
            ],
        }

    @classmethod
    def from_dict(cls, data: object) -> RecognitionRules:
        """:raises RecognitionRulesError: listing every problem found."""
        return _Reader().read(data)


@dataclass(frozen=True)
class Problem:
    """What is wrong in a criteria file: a code for ``survey_app.messages``, where, params."""

    code: str
    where: str
    params: Mapping[str, Any] = field(default_factory=dict)


class RecognitionRulesError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.where}: {p.code}" for p in problems))
        self.problems = problems


def number_text(value: Fraction) -> str:
    """20 for 20, 7.5 for 15/2: exact to two decimals, as the file and the sheets write it."""
    if value.denominator == 1:
        return str(value.numerator)
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".")


def parse_points(value: object) -> Fraction:
    """Points given as a number or a decimal string (comma or dot), at most two decimals.

    :raises ValueError: not a number, negative, or with more than two decimals.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(value)
    try:
        decimal = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if not decimal.is_finite() or decimal < 0 or decimal != decimal.quantize(Decimal("0.01")):
        raise ValueError(value)
    return Fraction(decimal)


def round_points(value: Fraction) -> Fraction:
    """To the hundredth, halves up (points are shown and stored with two decimals)."""
    decimal = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Fraction(decimal)


def survey_points(rules: RecognitionRules, rates: Mapping[str, Fraction | None],
                  meets_standard: bool) -> Fraction:
    """The satisfaction criterion's points from the commune's survey results.

    ``rates``: each campaign form's satisfaction rate, None where the commune has not enough
    valid responses (counted as 0 in the proportional mode: no evidence earns no points).
    """
    criterion = rules.criterion(rules.survey_criterion)
    if criterion is None:
        return Fraction(0)
    if rules.survey_mode == ALL_OR_NOTHING:
        return criterion.max_points if meets_standard else Fraction(0)
    if not rates:
        return Fraction(0)
    mean = sum((rate or Fraction(0) for rate in rates.values()), Fraction(0)) / len(rates)
    return round_points(criterion.max_points * mean)


@dataclass(frozen=True)
class CriterionScore:
    criterion: Criterion
    points: Fraction
    #: The share of the criterion's maximum it needs.
    share: Fraction = Fraction(1, 2)

    @property
    def minimum(self) -> Fraction:
        return self.criterion.max_points * self.share

    @property
    def is_enough(self) -> bool:
        return self.points >= self.minimum


@dataclass(frozen=True)
class Assessment:
    """A dossier's points against the pass rule, with every reason it fails."""

    criteria: tuple[CriterionScore, ...]
    total: Fraction
    form_rate: Fraction | None
    #: Codes: ``total_low``, ``criterion_low:<code>``, ``form_low``, ``form_missing``,
    #: ``unscored:<code>``.
    reasons: tuple[str, ...]

    @property
    def passes(self) -> bool:
        return not self.reasons


def assess(rules: RecognitionRules, points: Mapping[str, Fraction | None],
           satisfaction: Fraction, rates: Mapping[str, Fraction | None]) -> Assessment:
    """Apply the pass rule to the points entered per code and the survey's points.

    An entry missing (None or absent) counts 0 and is named in the reasons.
    """
    reasons: list[str] = []
    scores = []
    for criterion in rules.criteria:
        if criterion.code == rules.survey_criterion:
            got = satisfaction
        else:
            got = Fraction(0)
            for code in criterion.scored_codes:
                value = points.get(code)
                if value is None:
                    reasons.append(f"unscored:{code}")
                else:
                    got += value
        score = CriterionScore(criterion, got, rules.criterion_share)
        scores.append(score)
        if not score.is_enough:
            reasons.append(f"criterion_low:{criterion.code}")
    total = sum((s.points for s in scores), Fraction(0))
    if total < rules.pass_total:
        reasons.append("total_low")
    rate = rates.get(rules.pass_form) if rules.pass_form else None
    if rules.pass_form:
        if rate is None:
            reasons.append("form_missing")
        elif rate < rules.form_share:
            reasons.append("form_low")
    return Assessment(tuple(scores), total, rate, tuple(reasons))


@dataclass(frozen=True)
class Funnel:
    """One area's communes through the procedure, and the recognised ones against the target."""

    communes: int
    registered: int
    survey_met: int
    passed: int
    recognised: int
    target: Fraction
    target_base: str
    grouping_id: int | None = None

    @property
    def base(self) -> int:
        return self.registered if self.target_base == REGISTERED else self.communes

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.recognised, self.base) if self.base else None

    @property
    def required(self) -> int:
        return -(-self.target.numerator * self.base // self.target.denominator)

    @property
    def needed(self) -> int:
        return max(0, self.required - self.recognised)

    @property
    def is_reached(self) -> bool:
        return self.base > 0 and self.recognised >= self.required


@dataclass(frozen=True)
class CommuneStage:
    """Where one commune stands: the inputs of the funnel."""

    grouping_id: int | None
    registered: bool
    survey_met: bool
    passed: bool
    recognised: bool


def funnel(stages: list[CommuneStage], target: Fraction, target_base: str,
           grouping_id: int | None = None) -> Funnel:
    """Count each stage among registered communes (survey met counts registered ones only)."""
    registered = [s for s in stages if s.registered]
    return Funnel(len(stages), len(registered), sum(s.survey_met for s in registered),
                  sum(s.passed for s in registered), sum(s.recognised for s in registered),
                  target, target_base, grouping_id)


def funnel_by_grouping(stages: list[CommuneStage], target: Fraction,
                       target_base: str) -> list[Funnel]:
    groups: dict[int | None, list[CommuneStage]] = {}
    for stage in stages:
        groups.setdefault(stage.grouping_id, []).append(stage)
    return [funnel(members, target, target_base, key) for key, members in groups.items()]


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, kind: str, where: str, /, **params: Any) -> None:
        self.problems.append(Problem(kind, where, params))

    def read(self, data: object) -> RecognitionRules:
        if not isinstance(data, Mapping):
            raise RecognitionRulesError([Problem("rec_not_object", "recognition")])
        base = data.get("target_base", ALL_COMMUNES)
        if base not in (ALL_COMMUNES, REGISTERED):
            self.problem("rec_choice", "target_base", allowed="all, registered")
            base = ALL_COMMUNES
        rule = self.section(data, "pass")
        survey = self.section(data, "satisfaction")
        criteria = self.criteria(data.get("criteria"))
        mode = survey.get("mode", PROPORTIONAL)
        if mode not in (PROPORTIONAL, ALL_OR_NOTHING):
            self.problem("rec_choice", "satisfaction.mode",
                         allowed=f"{PROPORTIONAL}, {ALL_OR_NOTHING}")
            mode = PROPORTIONAL
        survey_code = str(survey.get("criterion", "TC5"))
        found = next((c for c in criteria if c.code == survey_code), None)
        if criteria and found is None:
            self.problem("rec_survey_criterion", "satisfaction.criterion", code=survey_code)
        elif found is not None and found.items:
            self.problem("rec_survey_items", "satisfaction.criterion", code=survey_code)
        form = rule.get("form", "PKS07")
        if form is not None and not (isinstance(form, str) and re.match(r"^[A-Z0-9_]{2,8}$",
                                                                        form)):
            self.problem("rec_form_code", "pass.form")
            form = None
        rules = RecognitionRules(
            criteria=tuple(criteria),
            survey_criterion=survey_code,
            survey_mode=mode,
            pass_total=self.points(rule.get("total_min", 80), "pass.total_min"),
            criterion_share=self.share(rule.get("criterion_min_percent", 50),
                                       "pass.criterion_min_percent", allow_zero=True),
            pass_form=form,
            form_share=self.share(rule.get("form_min_percent", 80), "pass.form_min_percent"),
            target_base=base,
        )
        if criteria and rules.pass_total > rules.max_total:
            self.problem("rec_total_above_max", "pass.total_min",
                         total=number_text(rules.pass_total),
                         max=number_text(rules.max_total))
        if self.problems:
            raise RecognitionRulesError(self.problems)
        return rules

    def section(self, data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        value = data.get(name) or {}
        if not isinstance(value, Mapping):
            self.problem("rec_not_object", name)
            return {}
        return value

    def points(self, value: object, where: str, positive: bool = False) -> Fraction:
        try:
            points = parse_points(value)
        except ValueError:
            self.problem("rec_points", where)
            return Fraction(0)
        if positive and points <= 0:
            self.problem("rec_points_positive", where)
        return points

    def share(self, value: object, where: str, allow_zero: bool = False) -> Fraction:
        try:
            share = Fraction(Decimal(str(value).strip().replace(",", "."))) / 100
        except (InvalidOperation, ValueError):
            share = Fraction(-1)
        if isinstance(value, bool) or not (0 <= share <= 1) or (share == 0 and not allow_zero):
            self.problem("rec_percent", where)
            return Fraction(1, 2)
        return share

    def text(self, entry: Mapping[str, Any], where: str) -> tuple[str, str]:
        code, title = entry.get("code"), entry.get("title")
        if not isinstance(code, str) or not CODE.match(code):
            self.problem("rec_code", f"{where}.code")
            code = ""
        if not isinstance(title, str) or not title.strip() or len(title) > 200:
            self.problem("rec_title", f"{where}.title")
            title = ""
        return code, (title or "").strip()

    def criteria(self, value: object) -> list[Criterion]:
        if value is None:
            return list(default_criteria())
        if not isinstance(value, list) or not value or len(value) > 20:
            self.problem("rec_criteria_list", "criteria")
            return []
        criteria, seen = [], set()
        for n, entry in enumerate(value, start=1):
            where = f"criteria[{n}]"
            if not isinstance(entry, Mapping):
                self.problem("rec_not_object", where)
                continue
            code, title = self.text(entry, where)
            maximum = self.points(entry.get("max"), f"{where}.max", positive=True)
            items = []
            raw_items = entry.get("items") or []
            if not isinstance(raw_items, list) or len(raw_items) > 30:
                self.problem("rec_items_list", f"{where}.items")
                raw_items = []
            for m, raw in enumerate(raw_items, start=1):
                item_where = f"{where}.items[{m}]"
                if not isinstance(raw, Mapping):
                    self.problem("rec_not_object", item_where)
                    continue
                item_code, item_title = self.text(raw, item_where)
                items.append(Item(item_code, item_title,
                                  self.points(raw.get("max"), f"{item_where}.max",
                                              positive=True)))
            for found in [code, *(i.code for i in items)]:
                if found and found in seen:
                    self.problem("rec_duplicate", where, code=found)
                seen.add(found)
            total = sum((i.max_points for i in items), Fraction(0))
            if items and total != maximum:
                self.problem("rec_items_sum", f"{where}.items", sum=number_text(total),
                             max=number_text(maximum))
            criteria.append(Criterion(code, title, maximum, tuple(items)))
        return criteria
