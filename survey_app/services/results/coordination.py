"""The coordinator's view of the field: each surveyor's and each commune's progress against
the targets, the communes no surveyor covers, and who is behind with how many days left.

"Behind" compares the share of the target collected with the share of the collection window
gone by (the campaign's forms in view open on their earliest day and close on their latest):
a commune at 30% of its target when half the window has passed is behind.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.collation import name_key
from survey_app.models import Campaign
from survey_app.models import Commune
from survey_app.models import Response
from survey_app.models import SurveyorAssignment
from survey_app.models import User
from survey_app.services.people.assignments import manageable_surveyors
from survey_app.services.results.progress import campaign_progress


@dataclass(frozen=True)
class Row:
    """A surveyor's or a commune's progress."""

    name: str
    #: The communes (for a surveyor) or the surveyors (for a commune), by name.
    covers: tuple[str, ...]
    collected: int
    target: int
    behind: bool

    @property
    def share(self) -> float:
        return min(self.collected / self.target, 1.0) if self.target else 1.0


@dataclass(frozen=True)
class Coordination:
    surveyors: list[Row]
    communes: list[Row]
    uncovered: list[Commune]
    opens_on: date | None
    closes_on: date | None
    days_left: int | None
    #: The share of the window gone by today, which a row's share is held against.
    expected: float


SORTS = {"name": lambda r: name_key(r.name), "collected": lambda r: r.collected,
         "target": lambda r: r.target, "share": lambda r: r.share}


def coordination(session: Session, user: User, campaign: Campaign, today: date,
                 sort: str = "name", descending: bool = False) -> Coordination:
    """The coordinator's organisation in ``campaign`` (an admin: every organisation)."""
    progress = campaign_progress(session, user, campaign)
    form_ids = {f.id for f in progress.forms}
    windows = [(cf.opens_on, cf.closes_on) for cf in campaign.forms if cf.form_id in form_ids]
    opens = min((w[0] for w in windows), default=None)
    closes = max((w[1] for w in windows), default=None)
    expected = 0.0
    if opens and closes:
        span = max((closes - opens).days, 1)
        expected = min(max((today - opens).days / span, 0.0), 1.0)
    days_left = max((closes - today).days, 0) if closes else None

    per_commune: dict[int, list[int]] = {}
    for (commune_id, _form_id), cell in progress.cells.items():
        totals = per_commune.setdefault(commune_id, [0, 0])
        totals[0] += min(cell.collected, cell.target)
        totals[1] += cell.target
    surveyors = list(session.scalars(manageable_surveyors(user)))
    names = {s.id: s.full_name or s.username for s in surveyors}
    pairs = session.execute(
        select(SurveyorAssignment.user_id, SurveyorAssignment.commune_id).where(
            SurveyorAssignment.campaign_id == campaign.id,
            SurveyorAssignment.user_id.in_(list(names)),
            SurveyorAssignment.commune_id.in_(list(per_commune)))).all()
    communes = {c.id: c for c in progress.communes}
    entered = dict(session.execute(
        select(Response.entered_by_id, func.count(Response.id)).where(
            Response.campaign_id == campaign.id, Response.is_flagged.is_(False),
            Response.standing(), Response.entered_by_id.in_(list(names)))
        .group_by(Response.entered_by_id)).all())

    def behind(collected: int, target: int) -> bool:
        return target > 0 and collected / target < expected

    covered_by: dict[int, list[str]] = {}
    covering: dict[int, list[int]] = {}
    for surveyor_id, commune_id in pairs:
        covered_by.setdefault(commune_id, []).append(names[surveyor_id])
        covering.setdefault(surveyor_id, []).append(commune_id)
    surveyor_rows = []
    for surveyor_id, name in names.items():
        mine = covering.get(surveyor_id, [])
        target = sum(per_commune[c][1] for c in mine)
        done = entered.get(surveyor_id, 0)
        surveyor_rows.append(Row(name, tuple(sorted((communes[c].name for c in mine),
                                                    key=name_key)),
                                 done, target, behind(done, target)))
    commune_rows = [
        Row(communes[c].name, tuple(sorted(covered_by.get(c, []), key=name_key)), done, target,
            behind(done, target))
        for c, (done, target) in per_commune.items()]
    key = SORTS.get(sort, SORTS["name"])
    return Coordination(
        surveyors=sorted(surveyor_rows, key=key, reverse=descending),
        communes=sorted(commune_rows, key=key, reverse=descending),
        uncovered=sorted((communes[c] for c in per_commune if c not in covered_by),
                         key=lambda c: name_key(c.name)),
        opens_on=opens, closes_on=closes, days_left=days_left, expected=expected)


def coordination_csv(view: Coordination) -> Iterator[str]:
    """Both tables in one CSV for Excel (UTF-8 with BOM), a "kind" column telling them apart."""
    def line(cells: list) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(cells)
        return buffer.getvalue()

    yield "\ufeff" + line([_("Kind"), _("Name"), _("Covers"), _("Collected"), _("Target"),
                           _("Share"), _("Behind")])
    for kind, rows in ((_("Surveyor"), view.surveyors), (_("Commune"), view.communes)):
        for r in rows:
            yield line([kind, r.name, "; ".join(r.covers), r.collected, r.target,
                        f"{r.share:.0%}", _("yes") if r.behind else _("no")])
