"""The other forms a citizen can answer at the same counter: the live points of the same
commune with the same label, other forms, open today (for the thank-you page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import CollectionPoint
from survey_app.models import Form
from survey_app.services.intake.live_links import live_link


@dataclass(frozen=True)
class CounterLink:
    token: str
    form_code: str
    title: str


def other_forms_here(session: Session, point_id: int, today: date) -> list[CounterLink]:
    """Forms other than this point's, at the same counter (commune and label), that take
    answers today, by form code."""
    here = session.get(CollectionPoint, point_id)
    if here is None:
        return []
    rows = session.execute(
        select(CollectionPoint.token, Form.code, Form.title)
        .join(Form, CollectionPoint.form_id == Form.id)
        .where(CollectionPoint.commune_id == here.commune_id,
               CollectionPoint.label_key == here.label_key,
               CollectionPoint.form_id != here.form_id,
               CollectionPoint.retired_at.is_(None))
        .order_by(Form.code, CollectionPoint.id)
    )
    links: dict[str, CounterLink] = {}
    for token, code, title in rows:
        if code not in links and live_link(session, token, today) is not None:
            links[code] = CounterLink(token, code, title)
    return list(links.values())
