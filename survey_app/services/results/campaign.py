"""Campaign results: the database counts, ``analytics`` decides.

The heavy counting is a read of the roll-ups kept by triggers: ``response_tallies`` (a few
rows per commune and form) for the figures, ``response_week_tallies`` for the weekly trend;
a report "as of" a past date groups the campaign's responses instead. Every query is limited
to the communes the caller may see: pass ``visible_commune_ids(user)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import distinct
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import tuple_
from sqlalchemy.orm import Session

import analytics
from analytics.distribution import AnswerCount
from analytics.distribution import QuestionDistribution
from analytics.distribution import answer_distribution
from analytics.trend import FormWeek
from analytics.trend import WeeklyCount
from analytics.trend import WeekPoint
from analytics.trend import weekly_by_form
from analytics.trend import weekly_totals
from analytics.trend import weekly_trend
from forms import FormDefinition
from survey_app.clock import VIETNAM
from survey_app.clock import now_utc
from survey_app.clock import today_in_vietnam
from survey_app.collation import by_name
from survey_app.models import Answer
from survey_app.models import Campaign
from survey_app.models import CampaignForm
from survey_app.models import Commune
from survey_app.models import Form
from survey_app.models import FormVersion
from survey_app.models import Grouping
from survey_app.models import Response
from survey_app.models import ResponseTally
from survey_app.models import ResponseWeekTally
from survey_app.models import Role
from survey_app.services.catalogue.unit_names import names_on
from survey_app.services.results import tallies
from survey_app.services.results.rulebooks import RulebookInUse
from survey_app.services.results.rulebooks import rulebook_for


def visible_campaigns(session: Session, visible: Select) -> list[Campaign]:
    """Campaigns of the provinces where the caller sees at least one commune, newest first."""
    provinces = select(Commune.province_id).where(Commune.id.in_(visible))
    return list(session.scalars(
        select(Campaign).where(Campaign.province_id.in_(provinces))
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
    ))


def scoped_commune_ids(campaign: Campaign, visible: Select,
                       grouping_id: int | None = None) -> Select:
    """The ids of the campaign's communes the caller may see (optionally one grouping)."""
    # A unit merged away since (inactive) still counts in the campaigns it took answers in.
    # Asked of the roll-up, and only for an inactive unit: a correlated EXISTS on its key,
    # where "IN (the campaign's responses)" read every response of the campaign each time
    # (most of the headline's time at national size). A roll-up row keeps its key at 0
    # responses after deletions, hence "> 0": equal to "has a response" while the triggers
    # hold (``tallies.tally_drift``).
    answered = select(ResponseTally.commune_id).where(
        ResponseTally.campaign_id == campaign.id, ResponseTally.commune_id == Commune.id,
        ResponseTally.responses > 0).exists()
    query = select(Commune.id).where(
        Commune.province_id == campaign.province_id,
        or_(Commune.is_active.is_(True), answered),
        Commune.id.in_(visible),
    )
    if grouping_id is not None:
        query = query.where(Commune.grouping_id == grouping_id)
    return query


def load_communes(session: Session, ids: Select,
                  on: date | None = None) -> list[analytics.CommuneInfo]:
    """The communes with their figures, named as they were ``on`` that day (default: now)."""
    rows = session.execute(
        select(Commune.id, Commune.code, Commune.name, Commune.grouping_id,
               Commune.staff_headcount)
        .where(Commune.id.in_(ids)).order_by(Commune.name, Commune.code)
    ).all()
    communes = [analytics.CommuneInfo(*row) for row in rows]
    former = names_on(session, [c.id for c in communes], on) if on is not None else {}
    if former:
        communes = [replace(c, name=former.get(c.id, c.name)) for c in communes]
    return by_name(communes, lambda c: c.name)


def campaign_start(session: Session, campaign: Campaign) -> date:
    """The day a campaign began: its first form's opening (else the day it was made)."""
    first = session.scalar(select(func.min(CampaignForm.opens_on))
                           .where(CampaignForm.campaign_id == campaign.id))
    return first or campaign.created_at.astimezone(VIETNAM).date()


@dataclass(frozen=True)
class CampaignFormInfo:
    form_id: int
    code: str
    title: str
    sample_target: int
    opens_on: date
    closes_on: date
    #: The newest version's definition: labels for questions and options.
    definition: FormDefinition | None


def load_forms(session: Session, campaign: Campaign) -> list[CampaignFormInfo]:
    rows = session.execute(
        select(CampaignForm, Form).join(Form, CampaignForm.form_id == Form.id)
        .where(CampaignForm.campaign_id == campaign.id).order_by(Form.code)
    ).all()
    result = []
    for campaign_form, form in rows:
        version = form.current_version()
        result.append(CampaignFormInfo(
            form.id, form.code, form.title, campaign_form.sample_target, campaign_form.opens_on,
            campaign_form.closes_on, version.parsed if version else None,
        ))
    return result


def form_specs(session: Session, forms: list[CampaignFormInfo]) -> list[analytics.FormSpec]:
    """Each form with the satisfied options of every one of its versions."""
    versions: dict[int, dict[int, frozenset[str]]] = {form.form_id: {} for form in forms}
    for version in session.scalars(
        select(FormVersion).where(FormVersion.form_id.in_(list(versions)))
    ):
        versions[version.form_id][version.id] = frozenset(version.parsed.satisfied_values)
    return [analytics.FormSpec(f.code, f.title, f.sample_target, versions[f.form_id])
            for f in forms]


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` in Vietnam, as an aware datetime."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=VIETNAM)


def count_columns(version, answer, flagged, responses, pairs: frozenset[tuple[int, str]],
                  *, also_with_flagged: bool = False):
    """valid, satisfied, flagged and unanswered sums, with analytics' satisfied pairs.

    ``answer`` is "" for a response without a satisfaction answer (as the roll-up keeps it).
    ``also_with_flagged`` adds valid, satisfied and unanswered counting the flagged ones too
    (the figures as they would be without the flags), from the same rows.
    """
    kept = flagged.is_(False)
    good = tuple_(version, answer).in_(sorted(pairs)) if pairs else false()
    columns = (
        func.sum(case((and_(kept, answer != ""), responses), else_=0)),
        func.sum(case((and_(kept, good), responses), else_=0)),
        func.sum(case((flagged.is_(True), responses), else_=0)),
        func.sum(case((and_(kept, answer == ""), responses), else_=0)),
    )
    if not also_with_flagged:
        return columns
    return (*columns, func.sum(case((answer != "", responses), else_=0)),
            func.sum(case((good, responses), else_=0)),
            func.sum(case((answer == "", responses), else_=0)))


def count_source(campaign_id: int, commune_ids: Select, form_ids: list[int],
                 until: date | None, pairs: frozenset[tuple[int, str]], *keys,
                 also_with_flagged: bool = False):
    """SELECT ``keys`` (default: commune and form) and the four sums, grouped by the keys.

    Without ``until`` and with the default keys it reads the roll-up; otherwise it groups
    the responses (received before the end of ``until``, if given). ``also_with_flagged``
    adds the figures with the flagged responses counted as three more sums
    (``count_columns``).
    """
    if until is None and not keys:
        return tally_source(ResponseTally, campaign_id, commune_ids, form_ids, pairs,
                            ResponseTally.commune_id, ResponseTally.form_id,
                            also_with_flagged=also_with_flagged)
    keys = keys or (Response.commune_id, Response.form_id)
    query = select(*keys, *count_columns(
        Response.form_version_id, func.coalesce(Response.satisfaction_answer, ""),
        Response.is_flagged, literal(1), pairs,
        also_with_flagged=also_with_flagged)).where(
        Response.campaign_id == campaign_id, Response.commune_id.in_(commune_ids),
        Response.form_id.in_(form_ids), tallies.COUNTED).group_by(*keys)
    if until is not None:
        query = query.where(Response.received_at < end_of_day(until))
    return query


def tally_source(t: type, campaign_id: int, commune_ids: Select, form_ids: list[int],
                 pairs: frozenset[tuple[int, str]], *keys, also_with_flagged: bool = False):
    """The four sums over a roll-up (``ResponseTally`` or ``ResponseWeekTally``), grouped by
    ``keys``, its own columns (``also_with_flagged``: as ``count_source``).

    A key whose responses were all moved or deleted keeps its row at 0: left out, as the
    responses would leave it out (a week with none would otherwise stretch the trend).
    """
    return select(*keys, *count_columns(t.form_version_id, t.satisfaction_answer,
                                        t.is_flagged, t.responses, pairs,
                                        also_with_flagged=also_with_flagged)).where(
        t.campaign_id == campaign_id, t.commune_id.in_(commune_ids),
        t.form_id.in_(form_ids), t.responses > 0).group_by(*keys)


def fetch_counts(
    session: Session, campaign_id: int, commune_ids: Select, codes: dict[int, str],
    pairs: frozenset[tuple[int, str]], until: date | None = None,
) -> dict[tuple[int, str], analytics.SampleCount]:
    """Valid, satisfied, flagged and unanswered responses per (commune, form code).

    The database sums (a read of the roll-up, or one GROUP BY over the responses for a date
    in the past); which answers count as satisfied comes from analytics.
    """
    query = count_source(campaign_id, commune_ids, list(codes), until, pairs)
    return {
        (commune_id, codes[form_id]): analytics.SampleCount(int(v), int(s), int(f), int(u))
        for commune_id, form_id, v, s, f, u in session.execute(query)
    }


def fetch_both_counts(
    session: Session, campaign_id: int, commune_ids: Select, codes: dict[int, str],
    pairs: frozenset[tuple[int, str]], until: date | None = None,
) -> tuple[dict[tuple[int, str], analytics.SampleCount],
           dict[tuple[int, str], analytics.SampleCount]]:
    """``fetch_counts`` without and with the flagged responses counted, from one read."""
    query = count_source(campaign_id, commune_ids, list(codes), until, pairs,
                         also_with_flagged=True)
    counts, with_flagged = {}, {}
    # A national campaign has 23,000 cells but far fewer distinct counts: one object each.
    made: dict[tuple[int, ...], analytics.SampleCount] = {}

    def count(*sums: int) -> analytics.SampleCount:
        found = made.get(sums)
        if found is None:
            found = made[sums] = analytics.SampleCount(*sums)
        return found

    for commune_id, form_id, v, s, f, u, v_all, s_all, u_all in session.execute(query):
        key = (commune_id, codes[form_id])
        counts[key] = count(int(v), int(s), int(f), int(u))
        with_flagged[key] = count(int(v_all), int(s_all), 0, int(u_all))
    return counts, with_flagged


def weekly_totals_source(campaign_id: int, commune_ids: Select, form_ids: list[int],
                         pairs: frozenset[tuple[int, str]]):
    """Week, form and the four sums over every commune in scope, from the weekly roll-up.

    Summed first by the roll-up's own key without the commune (a plain sum the database
    does fast), then sorted into valid, satisfied, flagged and unanswered over those few
    rows: the conditions once per (week, form, version, answer, flag), not once per
    commune's row (a national campaign has millions of them).
    """
    t = ResponseWeekTally
    key = (t.week, t.form_id, t.form_version_id, t.satisfaction_answer, t.is_flagged)
    summed = select(*key, func.sum(t.responses).label("responses")).where(
        t.campaign_id == campaign_id, t.commune_id.in_(commune_ids), t.form_id.in_(form_ids),
        t.responses > 0).group_by(*key).subquery()
    c = summed.c
    return select(c.week, c.form_id, *count_columns(
        c.form_version_id, c.satisfaction_answer, c.is_flagged, c.responses, pairs)).group_by(
        c.week, c.form_id)


def fetch_weekly_counts(
    session: Session, campaign_id: int, commune_ids: Select, codes: dict[int, str],
    pairs: frozenset[tuple[int, str]], until: date | None = None, per_commune: bool = True,
) -> list[WeeklyCount]:
    """The same counts, split by week of receipt (and summed over communes unless
    ``per_commune``: the commune is then 0).

    Without ``until`` a read of the weekly roll-up; for a report "as of" a day (which may
    end inside a week), one GROUP BY over the responses received up to its end.
    """
    if until is None and per_commune:
        t = ResponseWeekTally
        query = tally_source(t, campaign_id, commune_ids, list(codes), pairs, t.week,
                             t.commune_id, t.form_id)
    elif until is None:
        query = weekly_totals_source(campaign_id, commune_ids, list(codes), pairs)
    else:
        week = tallies.response_week(session.get_bind().dialect.name).label("week")
        keys = (week, Response.commune_id) if per_commune else (week,)
        query = count_source(campaign_id, commune_ids, list(codes), until, pairs, *keys,
                             Response.form_id)
    rows = session.execute(query)
    if not per_commune:
        rows = ((week, 0, *rest) for week, *rest in rows)
    # A province's trend has tens of thousands of rows but few distinct counts (a commune
    # takes a handful of responses to a form in a week): one SampleCount for each.
    counts: dict[tuple, analytics.SampleCount] = {}
    result = []
    for week, commune_id, form_id, *sums in rows:
        key = tuple(sums)
        count = counts.get(key)
        if count is None:
            count = counts[key] = analytics.SampleCount(*map(int, sums))
        result.append(WeeklyCount(as_date(week), commune_id, codes[form_id], count))
    return result


def as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


@dataclass(frozen=True)
class CampaignResults:
    campaign: Campaign
    rulebook: RulebookInUse
    forms: tuple[CampaignFormInfo, ...]
    specs: tuple[analytics.FormSpec, ...]
    communes: tuple[analytics.CommuneInfo, ...]
    groupings: dict[int | None, str]
    evaluation: analytics.Evaluation
    commune_ids: Select
    computed_on: date
    until: date | None = None
    #: The same figures with the flagged responses counted (docs/INTEGRITY.md); the
    #: evaluation itself when none is flagged.
    with_flagged: analytics.Evaluation | None = None
    #: When they were worked out (pages that keep them a while say so: results/kept.py).
    computed_at: datetime | None = None

    @property
    def as_of(self) -> date:
        """The day the figures describe: the report date, else today."""
        return self.until or self.computed_on

    @property
    def form_ids(self) -> dict[int, str]:
        return {form.form_id: form.code for form in self.forms}

    @property
    def pairs(self) -> frozenset[tuple[int, str]]:
        return analytics.satisfied_pairs(self.specs, self.rulebook.rules)


def campaign_results(
    session: Session, campaign: Campaign, visible: Select, *, grouping_id: int | None = None,
    rulebook_id: int | None = None, until: date | None = None,
) -> CampaignResults:
    """Everything the dashboard, the exports and the API show about a campaign.

    :raises UnknownRulebook: ``rulebook_id`` cannot apply to the campaign's province.
    """
    rulebook = rulebook_for(session, campaign.province_id, rulebook_id)
    forms = load_forms(session, campaign)
    specs = form_specs(session, forms)
    ids = scoped_commune_ids(campaign, visible, grouping_id)
    communes = load_communes(session, ids, campaign_start(session, campaign))
    codes = {form.form_id: form.code for form in forms}
    pairs = analytics.satisfied_pairs(specs, rulebook.rules)
    counts, counted = fetch_both_counts(session, campaign.id, ids, codes, pairs, until) \
        if codes else ({}, {})
    evaluation = analytics.evaluate_counts(communes, specs, counts, rulebook.rules)
    with_flagged = evaluation if not evaluation.flagged else analytics.evaluate_counts(
        communes, specs, counted, rulebook.rules)
    return CampaignResults(campaign, rulebook, tuple(forms), tuple(specs), tuple(communes),
                           grouping_names(session, campaign.province_id), evaluation, ids,
                           today_in_vietnam(), until, with_flagged, now_utc())


def grouping_names(session: Session, province_id: int) -> dict[int | None, str]:
    rows = session.execute(
        select(Grouping.id, Grouping.name).where(Grouping.province_id == province_id)
    )
    return dict(rows.all())


#: Beyond this many communes the trend leaves out the weekly count of communes meeting:
#: it needs one row per commune, form and week (see docs/PERFORMANCE.md).
TREND_COMMUNES = 500


def campaign_trend(session: Session, results: CampaignResults) -> list[WeekPoint]:
    """Week by week for the campaign's communes in scope."""
    if not results.forms:
        return []
    per_commune = len(results.communes) <= TREND_COMMUNES
    weekly = fetch_weekly_counts(session, results.campaign.id, results.commune_ids,
                                 results.form_ids, results.pairs, results.until, per_commune)
    if not per_commune:
        return weekly_totals(weekly, results.specs, len(results.communes))
    return weekly_trend(weekly, results.communes, results.specs, results.rulebook.rules)


def commune_trend(session: Session, results: CampaignResults, commune_id: int) -> list[FormWeek]:
    """Week by week, per form, for one commune (which must be in ``results``)."""
    only = results.commune_ids.where(Commune.id == commune_id)
    weekly = fetch_weekly_counts(session, results.campaign.id, only, results.form_ids,
                                 results.pairs, results.until)
    return weekly_by_form(weekly, results.specs)


def question_distributions(
    session: Session, results: CampaignResults, form: CampaignFormInfo,
    commune_ids: Select | None = None,
) -> list[QuestionDistribution]:
    """How unflagged respondents answered each choice, rating and number question."""
    if form.definition is None:
        return []
    questions = [q.id for q in form.definition.questions if not q.kind.free_text]
    where = answer_scope(results, form, questions, commune_ids)
    counts = session.execute(
        select(Answer.question_id, Answer.value, func.count())
        .join(Response, Answer.response_id == Response.id).where(*where)
        .group_by(Answer.question_id, Answer.value)
    )
    respondents = session.execute(
        select(Answer.question_id, func.count(distinct(Answer.response_id)))
        .join(Response, Answer.response_id == Response.id).where(*where)
        .group_by(Answer.question_id)
    )
    return answer_distribution(form.definition, [AnswerCount(*row) for row in counts],
                               dict(respondents.all()))


def answer_scope(results: CampaignResults, form: CampaignFormInfo, questions: list[str],
                 commune_ids: Select | None) -> list:
    where = [
        Response.campaign_id == results.campaign.id, Response.form_id == form.form_id,
        Response.commune_id.in_(commune_ids if commune_ids is not None else results.commune_ids),
        Response.is_flagged.is_(False), Response.standing(), Answer.question_id.in_(questions),
    ]
    if results.until is not None:
        where.append(Response.received_at < end_of_day(results.until))
    return where


#: Free-text answers may reveal who answered or their political views (DOMAIN.md): only
#: these roles read them, and never through the API.
FREE_TEXT_ROLES = (Role.steering, Role.admin)


def may_read_free_text(user) -> bool:
    return user.role in FREE_TEXT_ROLES


def may_read_flag_reasons(user) -> bool:
    """Never the commune's own officials, so that nobody can probe the rules (docs/INTEGRITY.md)."""
    return user.role is not Role.commune_official
