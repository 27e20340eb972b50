"""Suspicious QR responses: recomputing the flags, the figures with and without them, the
integrity panel's counts, and the committee's decisions on flagged groups.

How a flagged response leaves the official count: ``responses.is_flagged`` is the one switch.
It is true when the rules give a reason the rulebook marks *exclude* (analytics/integrity.py)
and no decision restored it, or when the committee confirmed it excluded. The roll-up's
triggers move the response between the two sides of ``response_tallies`` whenever it changes,
on SQLite and PostgreSQL alike, so every figure (dashboard, exports, API) reads it as it reads
any count. The reasons stay in ``flag_reason`` whatever the decision.
"""

from __future__ import annotations

from collections import Counter
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

import analytics
from analytics.integrity import FABRICATION
from analytics.integrity import OFF
from analytics.integrity import IntegrityRules
from analytics.integrity import Signals
from analytics.integrity import flag_campaign
from survey_app.clock import now_utc
from survey_app.domain_error import DomainError
from survey_app.models import BackCheck
from survey_app.models import Campaign
from survey_app.models import Channel
from survey_app.models import Commune
from survey_app.models import FlagReview
from survey_app.models import FlagReviewItem
from survey_app.models import Form
from survey_app.models import FormVersion
from survey_app.models import Response
from survey_app.models import ReviewDecision
from survey_app.models import UsedTicket
from survey_app.models.back_checks import FABRICATED
from survey_app.services.intake.flags import clear_caches
from survey_app.services.intake.flags import scale_mask
from survey_app.services.intake.flags import scale_positions
from survey_app.services.results.campaign import CampaignResults
from survey_app.services.results.progress import FIELD_CHANNELS
from survey_app.services.results.rulebooks import rulebook_for


class ReviewError(DomainError):
    """A decision on a flagged group that cannot be taken."""


# --- recomputing ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Recomputed:
    responses: int  #: QR responses looked at
    flagged: int  #: with at least one reason
    excluded: int  #: left out of the official figures
    changed: int  #: whose flags or exclusion changed


def integrity_rules(session: Session, campaign: Campaign) -> IntegrityRules:
    return rulebook_for(session, campaign.province_id).rules.integrity


def campaign_signals(session: Session, campaign_id: int) -> list[Signals]:
    masks = {version.id: scale_mask(version.parsed) for version in session.scalars(
        select(FormVersion).where(FormVersion.id.in_(
            select(Response.form_version_id).where(Response.campaign_id == campaign_id))))}
    rows = session.execute(
        select(Response.id, Response.commune_id, Response.form_id, Response.form_version_id,
               Response.received_at, Response.duration_seconds, Response.device_key,
               Response.network_key, Response.staff_session, Response.honeypot,
               Response.answer_pattern, Commune.code)
        .join(Commune, Commune.id == Response.commune_id)
        .where(Response.campaign_id == campaign_id, Response.channel == Channel.qr))
    result = []
    for row in rows:
        scale = scale_positions(row.answer_pattern, masks.get(row.form_version_id, ()))
        result.append(Signals(row.id, row.commune_id, row.form_id, row.form_version_id,
                              row.received_at, row.duration_seconds, row.device_key,
                              row.network_key, row.staff_session, row.honeypot,
                              row.answer_pattern or "", scale, row.code))
    return result


def decisions_in_force(session: Session, campaign_id: int) -> dict[int, ReviewDecision]:
    """The latest decision on each response that has one."""
    rows = session.execute(
        select(FlagReviewItem.response_id, FlagReview.decision)
        .join(FlagReview, FlagReview.id == FlagReviewItem.review_id)
        .where(FlagReview.campaign_id == campaign_id)
        .order_by(FlagReview.decided_at, FlagReview.id))
    return dict(rows.all())


def excluded(reasons: frozenset[str], decision: ReviewDecision | None,
             rules: IntegrityRules) -> bool:
    if decision is ReviewDecision.excluded:
        return True
    if decision is ReviewDecision.restored:
        return False
    return rules.excludes(reasons)


def recompute_campaign(session: Session, campaign: Campaign) -> Recomputed:
    """Apply the rulebook in force to every QR response of the campaign, keeping the
    committee's decisions; the same result every time for the same responses and rules.

    :raises ReviewError: the campaign's keys were forgotten (its flags are final).
    """
    rules = integrity_rules(session, campaign)
    signals = campaign_signals(session, campaign.id)
    if campaign.keys_dropped_at is not None:
        raise ReviewError("integrity.keys_forgotten")
    reasons = flag_campaign(signals, rules)
    decisions = decisions_in_force(session, campaign.id)
    current = {row.id: (row.is_flagged, row.flag_reason) for row in session.execute(
        select(Response.id, Response.is_flagged, Response.flag_reason).where(
            Response.campaign_id == campaign.id, Response.channel == Channel.qr))}
    changes = []
    excluded_count = 0
    for response_id, found in sorted(reasons.items()):
        out = excluded(found, decisions.get(response_id), rules)
        excluded_count += out
        wanted = (out, " ".join(sorted(found)) or None)
        if current.get(response_id) != wanted:
            changes.append({"id": response_id, "is_flagged": wanted[0],
                            "flag_reason": wanted[1]})
    if changes:
        session.execute(update(Response), changes)
    session.flush()
    # Field sheets are not judged by the QR rules; a fabrication's group follows the rules'
    # mode for it, as the QR reasons do.
    fabricated = sum(apply_fabrication(session, campaign.id, surveyor_id, rules)
                     for surveyor_id in sorted(fabricating_surveyors(session, campaign.id)))
    clear_caches()
    return Recomputed(len(signals), sum(1 for r in reasons.values() if r), excluded_count,
                      len(changes) + fabricated)


def fabricating_surveyors(session: Session, campaign_id: int) -> set[int]:
    """Surveyors one of whose interviews a call-back found never took place."""
    return set(session.scalars(
        select(Response.entered_by_id).join(BackCheck, BackCheck.response_id == Response.id)
        .where(BackCheck.campaign_id == campaign_id, BackCheck.result == FABRICATED,
               Response.entered_by_id.is_not(None))))


def apply_fabrication(session: Session, campaign_id: int, surveyor_id: int,
                      rules: IntegrityRules) -> int:
    """Flag every sheet ``surveyor_id`` entered in the campaign when a call-back found a
    fabrication, or take the flag off when none is found any more; the committee's
    decisions stay in force. How many sheets changed."""
    fabricated = surveyor_id in fabricating_surveyors(session, campaign_id)
    decisions = decisions_in_force(session, campaign_id)
    changes = []
    for row in session.execute(
            select(Response.id, Response.is_flagged, Response.flag_reason).where(
                Response.campaign_id == campaign_id, Response.entered_by_id == surveyor_id,
                Response.channel.in_(FIELD_CHANNELS), Response.standing())):
        reasons = frozenset((row.flag_reason or "").split()) - {FABRICATION}
        if fabricated and rules.mode(FABRICATION) != OFF:
            reasons |= {FABRICATION}
        wanted = (excluded(reasons, decisions.get(row.id), rules),
                  " ".join(sorted(reasons)) or None)
        if (row.is_flagged, row.flag_reason) != wanted:
            changes.append({"id": row.id, "is_flagged": wanted[0], "flag_reason": wanted[1]})
    if changes:
        session.execute(update(Response), changes)
    session.flush()
    return len(changes)


def forget_keys(session: Session, campaign: Campaign, today) -> int:
    """Once the campaign has closed, drop its device and network keys and used tickets
    (docs/PRIVACY.md: kept for the campaign's lifetime); the flags stay as they are.

    :raises ReviewError: a form of the campaign is still open (or opens later).
    """
    if any(form.closes_on >= today for form in campaign.forms):
        raise ReviewError("integrity.campaign_open")
    responses = select(Response.id).where(Response.campaign_id == campaign.id)
    session.execute(delete(UsedTicket).where(UsedTicket.response_id.in_(responses)))
    result = session.execute(update(Response).where(
        Response.campaign_id == campaign.id,
        (Response.device_key.is_not(None)) | (Response.network_key.is_not(None)))
        .values(device_key=None, network_key=None))
    campaign.keys_dropped_at = now_utc()
    session.flush()
    return result.rowcount


def expired_campaigns(session: Session, today, kept_days: int) -> list[Campaign]:
    """Campaigns whose keys are still kept although every form closed more than
    ``kept_days`` days before ``today`` (the retention setting, docs/PRIVACY.md)."""
    last_close = {campaign: max((form.closes_on for form in campaign.forms), default=None)
                  for campaign in session.scalars(
                      select(Campaign).where(Campaign.keys_dropped_at.is_(None)))}
    return sorted((campaign for campaign, closed in last_close.items()
                   if closed is not None and (today - closed).days > kept_days),
                  key=lambda campaign: campaign.id)


# --- the figures with the flagged responses counted ----------------------------------------

@dataclass(frozen=True)
class Headline:
    """The official figure and what it would be with the flagged responses counted."""

    official: analytics.TargetProgress
    with_flagged: analytics.TargetProgress
    excluded: int  #: responses left out
    #: Communes whose status the left-out responses change: id → (official, with them).
    changed: dict[int, tuple[analytics.Status, analytics.Status]]


def headline(results: CampaignResults) -> Headline:
    other = results.with_flagged or results.evaluation
    with_them = {s.commune.id: s.status for s in other.statuses}
    changed = {s.commune.id: (s.status, with_them[s.commune.id])
               for s in results.evaluation.statuses if with_them[s.commune.id] != s.status}
    return Headline(results.evaluation.overall, other.overall, results.evaluation.flagged,
                    changed)


# --- the integrity panel --------------------------------------------------------------------

@dataclass(frozen=True)
class FlaggedGroup:
    """Flagged responses of one commune's form that came together: from one device, else
    one network, else for one reason."""

    key: str
    commune_id: int
    form_id: int
    form_code: str
    kind: str  #: "device", "network" or a reason code
    response_ids: tuple[int, ...]
    first: datetime
    last: datetime
    reasons: tuple[str, ...]
    excluded: int
    decision: FlagReview | None = None

    @property
    def minutes(self) -> int:
        return max(1, round((self.last - self.first).total_seconds() / 60))


@dataclass
class CommuneIntegrity:
    commune_id: int
    qr: int = 0
    flagged: int = 0
    excluded: int = 0
    by_reason: Counter = field(default_factory=Counter)
    groups: list[FlaggedGroup] = field(default_factory=list)

    @property
    def share_excluded(self) -> float:
        return self.excluded / self.qr if self.qr else 0.0


def judged(channel_column=Response.channel):
    """The responses the panel is about: QR ones, and field sheets flagged as fabricated."""
    return (channel_column == Channel.qr) | Response.flag_reason.contains(FABRICATION)


def flagged_rows(session: Session, campaign_id: int, commune_ids):
    return session.execute(
        select(Response.id, Response.commune_id, Response.form_id, Form.code,
               Response.received_at, Response.device_key, Response.network_key,
               Response.flag_reason, Response.is_flagged, Response.entered_by_id)
        .join(Form, Form.id == Response.form_id)
        .where(Response.campaign_id == campaign_id, Response.commune_id.in_(commune_ids),
               judged(), Response.flag_reason.is_not(None))
        .order_by(Response.received_at, Response.id)).all()


def commune_integrity(session: Session, results: CampaignResults,
                      commune_id: int | None = None) -> dict[int, CommuneIntegrity]:
    """Per commune in scope (or one): QR responses, flagged and excluded counts, by reason,
    and the flagged groups with the decision in force on each."""
    ids = results.commune_ids if commune_id is None else results.commune_ids.where(
        Commune.id == commune_id)
    panels: dict[int, CommuneIntegrity] = {}
    for cid, total in session.execute(
            select(Response.commune_id, func.count()).where(
                Response.campaign_id == results.campaign.id, Response.commune_id.in_(ids),
                judged()).group_by(Response.commune_id)):
        panels[cid] = CommuneIntegrity(cid, qr=total)
    grouped: dict[tuple, list] = defaultdict(list)
    reviews = latest_reviews(session, results.campaign.id)
    for row in flagged_rows(session, results.campaign.id, ids):
        panel = panels.setdefault(row.commune_id, CommuneIntegrity(row.commune_id))
        reasons = row.flag_reason.split()
        panel.flagged += 1
        panel.excluded += bool(row.is_flagged)
        panel.by_reason.update(reasons)
        if not row.is_flagged and row.id not in reviews:
            continue  # a note only (still counted): shown by reason, nothing to decide
        if FABRICATION in reasons and row.entered_by_id is not None:
            key = ("surveyor", str(row.entered_by_id))
        elif row.device_key and ("repeat_device" in reasons or "burst_device" in reasons):
            key = ("device", row.device_key)
        elif row.network_key and "burst_network" in reasons:
            key = ("network", row.network_key)
        else:
            key = (sorted(reasons)[0], "")
        grouped[(row.commune_id, row.form_id, row.code, *key)].append(row)
    for (cid, form_id, code, kind, _value), rows in grouped.items():
        ids_ = tuple(r.id for r in rows)
        decision = next((reviews[i] for i in ids_ if i in reviews), None)
        key = f"{cid}-{form_id}-{kind}-{ids_[0]}"
        panels[cid].groups.append(FlaggedGroup(
            key, cid, form_id, code, kind, ids_, rows[0].received_at, rows[-1].received_at,
            tuple(sorted({reason for r in rows for reason in r.flag_reason.split()})),
            sum(1 for r in rows if r.is_flagged), decision))
    for panel in panels.values():
        panel.groups.sort(key=lambda g: (-len(g.response_ids), g.first))
    return panels


def latest_reviews(session: Session, campaign_id: int) -> dict[int, FlagReview]:
    rows = session.execute(
        select(FlagReviewItem.response_id, FlagReview)
        .join(FlagReview, FlagReview.id == FlagReviewItem.review_id)
        .where(FlagReview.campaign_id == campaign_id)
        .order_by(FlagReview.decided_at, FlagReview.id))
    return dict(rows.all())


@dataclass(frozen=True)
class TimelinePoint:
    start: datetime
    counted: int
    excluded: int


def timeline(session: Session, campaign_id: int, commune_id: int,
             minutes: int = 15) -> list[TimelinePoint]:
    """QR responses of a commune in ``minutes`` buckets (only buckets with responses)."""
    buckets: dict[datetime, list[int]] = {}
    step = timedelta(minutes=minutes)
    for received, flagged in session.execute(
            select(Response.received_at, Response.is_flagged).where(
                Response.campaign_id == campaign_id, Response.commune_id == commune_id,
                Response.channel == Channel.qr).order_by(Response.received_at)):
        epoch = received.timestamp()
        start = datetime.fromtimestamp(epoch - epoch % step.total_seconds(), received.tzinfo)
        slot = buckets.setdefault(start, [0, 0])
        slot[1 if flagged else 0] += 1
    return [TimelinePoint(start, counted, out) for start, (counted, out) in buckets.items()]


def excluded_count(session: Session, campaign_id: int, commune_id: int) -> int:
    """How many of a commune's responses are left out (all an official may know)."""
    return session.scalar(select(func.count()).where(
        Response.campaign_id == campaign_id, Response.commune_id == commune_id,
        Response.is_flagged.is_(True))) or 0


# --- decisions ------------------------------------------------------------------------------

def decide(session: Session, results: CampaignResults, group: FlaggedGroup,
           decision: ReviewDecision, reason: str, user_id: int) -> FlagReview:
    """Record the committee's decision on a group and apply it to its responses.

    :raises ReviewError: no reason given, or one longer than 500 characters.
    """
    reason = reason.strip()
    if not reason:
        raise ReviewError("integrity.reason_required")
    if len(reason) > 500:
        raise ReviewError("integrity.reason_too_long")
    summary = group_summary_text(group)
    review = FlagReview(campaign_id=results.campaign.id, commune_id=group.commune_id,
                        form_id=group.form_id, summary=summary[:300], decision=decision,
                        reason=reason, decided_by_id=user_id, decided_at=now_utc())
    session.add(review)
    session.flush()
    session.add_all(FlagReviewItem(review_id=review.id, response_id=response_id)
                    for response_id in group.response_ids)
    rules = integrity_rules(session, results.campaign)
    for response_id, reasons in session.execute(
            select(Response.id, Response.flag_reason).where(
                Response.id.in_(group.response_ids))).all():
        out = excluded(frozenset((reasons or "").split()), decision, rules)
        session.execute(update(Response).where(Response.id == response_id,
                                               Response.is_flagged.is_not(out))
                        .values(is_flagged=out))
    session.flush()
    return review


def group_summary_text(group: FlaggedGroup) -> str:
    """A plain, language-neutral record of the group, kept with the decision."""
    return (f"{len(group.response_ids)} × {group.form_code}, {group.kind}, "
            f"{group.first:%Y-%m-%d %H:%M}–{group.last:%H:%M} UTC, "
            f"{' '.join(group.reasons)}")


def find_group(session: Session, results: CampaignResults, key: str) -> FlaggedGroup | None:
    try:
        commune_id = int(key.split("-", 1)[0])
    except ValueError:
        return None
    panel = commune_integrity(session, results, commune_id).get(commune_id)
    return next((g for g in panel.groups if g.key == key), None) if panel else None


def ranked(panels: dict[int, CommuneIntegrity], changed: dict) -> list[CommuneIntegrity]:
    """Communes by suspicion: a status changed by flags first, then the share of QR
    responses left out, then their number."""
    return sorted((p for p in panels.values() if p.flagged),
                  key=lambda p: (p.commune_id not in changed, -p.share_excluded,
                                 -p.excluded, p.commune_id))
