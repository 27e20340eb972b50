"""Registration, the commune's self-assessment, and the review up to the province's verdict.

A dossier moves draft → submitted → reviewed → approved | rejected, and back to the commune as
returned from submitted or reviewed. Every step is a ``DossierEvent`` with who and when. The
satisfaction criterion is never typed: it is computed from the survey results under the
province's rulebook, and frozen with that rulebook's version when the dossier is submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics import Status
from analytics.recognition import Assessment
from analytics.recognition import RecognitionRules
from analytics.recognition import assess
from analytics.recognition import parse_points
from analytics.recognition import survey_points
from analytics.rulebook import percent_text
from survey_app.access import visible_commune_ids
from survey_app.clock import now_utc
from survey_app.domain_error import DomainError
from survey_app.models import Campaign
from survey_app.models import Commune
from survey_app.models import Dossier
from survey_app.models import DossierEvent
from survey_app.models import DossierScore
from survey_app.models import DossierState
from survey_app.models import Registration
from survey_app.models import Role
from survey_app.models import User
from survey_app.services.audit import trail
from survey_app.services.audit.actions import Action
from survey_app.services.results.campaign import campaign_results
from survey_app.services.results.rulebooks import RulebookInUse
from survey_app.services.results.rulebooks import rulebook_for

#: The roles that may open a dossier at all (then scoped to their communes).
READERS = (Role.steering, Role.grouping, Role.commune_official)
EDITABLE = (DossierState.draft, DossierState.returned)
MAX_NOTE = 2000


class RecognitionError(DomainError):
    """A recognition step refused; the code is worded in ``survey_app.messages``."""


def may_read(user: User, commune: Commune) -> bool:
    return user.role is Role.admin or (
        user.role in READERS and (
            (user.role is Role.steering and user.province_id == commune.province_id)
            or (user.role is Role.grouping and commune.grouping_id is not None
                and user.grouping_id == commune.grouping_id)
            or (user.role is Role.commune_official and user.commune_id == commune.id)))


def may_edit(user: User, commune: Commune) -> bool:
    """The commune's own officials fill in its dossier (an administrator may stand in)."""
    return user.role is Role.admin or (
        user.role is Role.commune_official and user.commune_id == commune.id)


def may_review(user: User, commune: Commune) -> bool:
    """The first review is the grouping's (district's); a commune in no grouping is reviewed
    by the province's committee, which has no level between it and the commune."""
    if user.role is Role.admin:
        return True
    if commune.grouping_id is not None:
        return user.role is Role.grouping and user.grouping_id == commune.grouping_id
    return user.role is Role.steering and user.province_id == commune.province_id


def may_decide(user: User, commune: Commune) -> bool:
    """The province approves, rejects or returns, and issues the decision."""
    return user.role is Role.admin or (
        user.role is Role.steering and user.province_id == commune.province_id)


def may_manage(user: User, campaign: Campaign) -> bool:
    """The committee keeps the campaign's registrations, deadlines and decision."""
    return user.role is Role.admin or (
        user.role is Role.steering and user.province_id == campaign.province_id)


def visible_campaign_communes(session: Session, campaign: Campaign, user: User) -> list[Commune]:
    return list(session.scalars(
        select(Commune).where(Commune.province_id == campaign.province_id,
                              Commune.is_active.is_(True),
                              Commune.id.in_(visible_commune_ids(user)))
        .order_by(Commune.name, Commune.code)))


def registered_ids(session: Session, campaign: Campaign) -> set[int]:
    return set(session.scalars(select(Registration.commune_id)
                               .where(Registration.campaign_id == campaign.id)))


def record(session: Session, dossier: Dossier, action: str, user: User | None, *,
           to_state: DossierState | None = None, reason: str = "", code: str | None = None,
           old: Decimal | None = None, new: Decimal | None = None) -> None:
    session.add(DossierEvent(
        dossier_id=dossier.id, action=action, from_state=dossier.state.value,
        to_state=(to_state or dossier.state).value, code=code, old_points=old, new_points=new,
        reason=reason, user_id=user.id if user else None, at=now_utc()))
    commune = session.get(Commune, dossier.commune_id)
    trail.record(session, user, Action.DOSSIER_STEP, target=("dossier", dossier.id),
                 province_id=commune.province_id, commune=commune.code, step=action,
                 state=(to_state or dossier.state).value, item=code,
                 points=[str(old) if old is not None else None,
                         str(new) if new is not None else None] if code else None,
                 reason=reason or None)
    if to_state is not None:
        dossier.state = to_state


def set_registrations(session: Session, campaign: Campaign, user: User,
                      commune_ids: set[int]) -> tuple[int, int]:
    """Make the campaign's registrations the given communes; returns (added, removed).

    A commune is registered with an empty draft dossier. Withdrawing is refused once its
    dossier holds anything: what a commune handed in is never thrown away.
    """
    if not may_manage(user, campaign):
        raise RecognitionError("rec_not_allowed")
    communes = {c.id: c for c in session.scalars(
        select(Commune).where(Commune.province_id == campaign.province_id,
                              Commune.is_active.is_(True)))}
    unknown = commune_ids - set(communes)
    if unknown:
        raise RecognitionError("rec_unknown_commune")
    current = registered_ids(session, campaign)
    for commune_id in current - commune_ids:
        dossier = dossier_for(session, campaign.id, commune_id)
        if dossier is not None and (dossier.state is not DossierState.draft or dossier.events[1:]
                                    or dossier.scores or dossier.evidence):
            raise RecognitionError("rec_withdraw_started", commune=communes[commune_id].name)
    for commune_id in sorted(current - commune_ids):
        dossier = dossier_for(session, campaign.id, commune_id)
        if dossier is not None:
            for event in dossier.events:
                session.delete(event)
            session.delete(dossier)
        session.delete(session.scalar(select(Registration).where(
            Registration.campaign_id == campaign.id, Registration.commune_id == commune_id)))
    for commune_id in sorted(commune_ids - current):
        session.add(Registration(campaign_id=campaign.id, commune_id=commune_id,
                                 registered_by_id=user.id, registered_at=now_utc()))
        dossier = Dossier(campaign_id=campaign.id, commune_id=commune_id,
                          state=DossierState.draft, created_at=now_utc())
        session.add(dossier)
        session.flush()
        record(session, dossier, "registered", user)
    session.flush()
    return len(commune_ids - current), len(current - commune_ids)


def dossier_for(session: Session, campaign_id: int, commune_id: int) -> Dossier | None:
    return session.scalar(select(Dossier).where(Dossier.campaign_id == campaign_id,
                                                Dossier.commune_id == commune_id))


@dataclass(frozen=True)
class SurveyPart:
    """The satisfaction criterion as the surveys give it, and the rules that produced it."""

    points: Fraction
    rates: dict[str, Fraction | None]
    meets: bool
    rulebook: RulebookInUse


def survey_parts(session: Session, campaign: Campaign, commune_ids: list[int]
                 ) -> dict[int, SurveyPart]:
    """Compute the satisfaction criterion now, from the campaign's current results, for
    several communes in one read of the results."""
    results = campaign_results(session, campaign, select(Commune.id).where(
        Commune.id.in_(commune_ids)))
    rules = results.rulebook.rules.recognition
    rates: dict[int, dict[str, Fraction | None]] = {i: {} for i in commune_ids}
    for result in results.evaluation.results:
        rates[result.commune_id][result.form_code] = (result.rate if result.is_sufficient
                                                      else None)
    parts = {}
    for status in results.evaluation.statuses:
        meets = status.status is Status.meets
        own = rates[status.commune.id]
        parts[status.commune.id] = SurveyPart(survey_points(rules, own, meets), own, meets,
                                              results.rulebook)
    return parts


def survey_part(session: Session, campaign: Campaign, commune: Commune) -> SurveyPart:
    found = survey_parts(session, campaign, [commune.id]).get(commune.id)
    if found is None:  # a commune since made inactive has no survey result: no points
        return SurveyPart(Fraction(0), {}, False, rulebook_for(session, campaign.province_id))
    return found


@dataclass(frozen=True)
class DossierView:
    """A dossier with the rules that apply to it and its assessment under them."""

    dossier: Dossier
    rules: RecognitionRules
    rulebook_version: int
    survey: Fraction
    rates: dict[str, Fraction | None]
    survey_met: bool
    assessment: Assessment
    scores: dict[str, DossierScore]

    @property
    def is_frozen(self) -> bool:
        """Submitted at least once: the survey part is the one frozen at submission."""
        return self.dossier.survey_points is not None


def as_fraction(value: Decimal | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def stored_rates(data: dict | None) -> dict[str, Fraction | None]:
    return {code: (None if v is None else Fraction(v) / 100) for code, v in (data or {}).items()}


def needs_live_survey(dossier: Dossier) -> bool:
    return dossier.survey_points is None or dossier.state in EDITABLE


def view(session: Session, dossier: Dossier, part: SurveyPart | None = None) -> DossierView:
    """The dossier as it stands: live survey points while the commune holds it, the frozen
    ones (and their rulebook) once it is with the reviewers. ``part``: the live survey part
    when the caller has computed it already (a list of dossiers)."""
    scores = {s.code: s for s in dossier.scores}
    if not needs_live_survey(dossier):
        rulebook = rulebook_for(session, dossier.campaign.province_id,
                                dossier.rulebook_version_id)
        survey = Fraction(dossier.survey_points)
        rates = stored_rates(dossier.survey_rates)
        met = bool(dossier.survey_met)
        version = dossier.rulebook_version or 0
    else:
        part = part or survey_part(session, dossier.campaign, dossier.commune)
        rulebook, survey, rates, met = part.rulebook, part.points, part.rates, part.meets
        version = rulebook.version
    rules = rulebook.rules.recognition
    points = {code: as_fraction(s.points) for code, s in scores.items()}
    return DossierView(dossier, rules, version, survey, rates, met,
                       assess(rules, points, survey, rates), scores)


def save_scores(session: Session, dossier: Dossier, user: User,
                entries: dict[str, tuple[str, str]]) -> None:
    """Store the commune's points and notes: ``entries`` maps a code to (points, note) as
    typed. Every entry is checked before anything is written.

    :raises RecognitionError: not the commune's to edit now, or a value out of bounds.
    """
    if not may_edit(user, dossier.commune):
        raise RecognitionError("rec_not_allowed")
    if dossier.state not in EDITABLE:
        raise RecognitionError("rec_not_editable")
    rules = view(session, dossier).rules
    parsed: dict[str, tuple[Fraction | None, str]] = {}
    for code, (raw, note) in entries.items():
        maximum = rules.max_for(code)
        if maximum is None or code not in rules.typed_codes():
            raise RecognitionError("rec_unknown_item", code=code)
        if len(note) > MAX_NOTE:
            raise RecognitionError("rec_note_long", code=code, max=MAX_NOTE)
        value = None
        if raw.strip():
            try:
                value = parse_points(raw)
            except ValueError:
                raise RecognitionError("rec_points_invalid", code=code) from None
            if value > maximum:
                raise RecognitionError("rec_points_above", code=code,
                                       max=str(Decimal(maximum.numerator) / maximum.denominator))
        parsed[code] = (value, note.strip())
    existing = {s.code: s for s in dossier.scores}
    for code, (value, note) in parsed.items():
        score = existing.get(code)
        if score is None:
            score = DossierScore(dossier_id=dossier.id, code=code)
            dossier.scores.append(score)
        score.self_points = score.points = decimal(value)
        score.note = note
    record(session, dossier, "saved", user)
    session.flush()


def decimal(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))


def submit(session: Session, dossier: Dossier, user: User) -> DossierView:
    """Hand the dossier to the reviewers, with the survey part computed now and frozen.

    :raises RecognitionError: not editable by the user, or a typed criterion left blank.
    """
    if not may_edit(user, dossier.commune):
        raise RecognitionError("rec_not_allowed")
    if dossier.state not in EDITABLE:
        raise RecognitionError("rec_not_editable")
    part = survey_part(session, dossier.campaign, dossier.commune)
    rules = part.rulebook.rules.recognition
    scores = {s.code: s for s in dossier.scores}
    blank = [code for code in rules.typed_codes()
             if scores.get(code) is None or scores[code].points is None]
    if blank:
        raise RecognitionError("rec_blank", codes=", ".join(blank))
    dossier.survey_points = decimal(part.points)
    dossier.survey_rates = {code: (None if rate is None else percent_text(rate))
                            for code, rate in part.rates.items()}
    dossier.survey_met = part.meets
    dossier.rulebook_version_id = part.rulebook.id
    dossier.rulebook_version = part.rulebook.version
    # The first hand-in is what the dossier deadline counts; a resubmission keeps it.
    dossier.submitted_at = dossier.submitted_at or now_utc()
    record(session, dossier, "submitted", user, to_state=DossierState.submitted)
    session.flush()
    return view(session, dossier)


REVIEW_ACTIONS = ("accept", "return")
DECIDE_ACTIONS = ("approve", "reject", "return")


def review(session: Session, dossier: Dossier, user: User, action: str, reason: str) -> None:
    """The grouping's step on a submitted dossier, or the province's on a reviewed one.

    :raises RecognitionError: the wrong stage or person, a return without a reason, or an
        approval of a dossier that does not pass the rule.
    """
    reason = reason.strip()
    if len(reason) > MAX_NOTE:
        raise RecognitionError("rec_note_long", code="", max=MAX_NOTE)
    if action == "return" and not reason:
        raise RecognitionError("rec_reason_needed")
    if dossier.state is DossierState.submitted:
        if not may_review(user, dossier.commune):
            raise RecognitionError("rec_not_allowed")
        if action not in REVIEW_ACTIONS:
            raise RecognitionError("rec_wrong_step")
        target = DossierState.reviewed if action == "accept" else DossierState.returned
        record(session, dossier, "accepted" if action == "accept" else "returned", user,
               to_state=target, reason=reason)
    elif dossier.state is DossierState.reviewed:
        if not may_decide(user, dossier.commune):
            raise RecognitionError("rec_not_allowed")
        if action not in DECIDE_ACTIONS:
            raise RecognitionError("rec_wrong_step")
        if action == "approve" and not view(session, dossier).assessment.passes:
            raise RecognitionError("rec_does_not_pass")
        if action == "reject" and not reason:
            raise RecognitionError("rec_reason_needed")
        target = {"approve": DossierState.approved, "reject": DossierState.rejected,
                  "return": DossierState.returned}[action]
        record(session, dossier, {"approve": "approved", "reject": "rejected",
                                  "return": "returned"}[action], user, to_state=target,
               reason=reason)
    else:
        raise RecognitionError("rec_wrong_step")
    session.flush()


def adjust(session: Session, dossier: Dossier, user: User, code: str, raw: str,
           reason: str) -> None:
    """A reviewer changes one score, saying why; the commune's own figure stays on record.

    :raises RecognitionError: not this reviewer's stage, no reason, or a value out of bounds.
    """
    stage_ok = ((dossier.state is DossierState.submitted and may_review(user, dossier.commune))
                or (dossier.state is DossierState.reviewed
                    and may_decide(user, dossier.commune)))
    if not stage_ok:
        raise RecognitionError("rec_not_allowed")
    reason = reason.strip()
    if not reason or len(reason) > MAX_NOTE:
        raise RecognitionError("rec_reason_needed")
    rules = view(session, dossier).rules
    maximum = rules.max_for(code)
    if maximum is None or code not in rules.typed_codes():
        raise RecognitionError("rec_unknown_item", code=code)
    try:
        value = parse_points(raw)
    except ValueError:
        raise RecognitionError("rec_points_invalid", code=code) from None
    if value > maximum:
        raise RecognitionError("rec_points_above", code=code,
                               max=str(decimal(maximum).normalize()))
    score = next((s for s in dossier.scores if s.code == code), None)
    if score is None:
        score = DossierScore(dossier_id=dossier.id, code=code)
        dossier.scores.append(score)
    old, score.points = score.points, decimal(value)
    record(session, dossier, "adjusted", user, code=code, old=old, new=score.points,
           reason=reason)
    session.flush()
