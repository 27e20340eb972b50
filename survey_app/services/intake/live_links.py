"""What a QR link opens today, kept in each process's memory between requests.

Every citizen's GET and POST needs the point behind the token, its commune and province, the
form's current version (a parsed definition) and the campaign form open today. Reading them
was most of a submission's database work, yet they change a few times a campaign. So each
process keeps what it found, for ``LIVE_LINK_CACHE_SECONDS``. A change committed in this
process empties the cache at once (the session events below); another process or app server
sees it when its entries expire, and a new day always looks again, so a campaign closes at
midnight exactly.

Only links that take answers are kept. An unknown, retired or closed link is looked up each
time, so its explanation page is always current.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from itertools import chain

from flask import Flask
from flask import current_app
from flask import has_app_context
from sqlalchemy import bindparam
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased

from forms import FormDefinition
from survey_app.models import Campaign
from survey_app.models import CampaignForm
from survey_app.models import CollectionPoint
from survey_app.models import Commune
from survey_app.models import Form
from survey_app.models import FormVersion
from survey_app.models import Province
from survey_app.models import RetiredToken
from survey_app.services.collection_points.points import find_point

#: What a live link is made of: a change to any of these may change what a link opens.
WATCHED = (CollectionPoint, RetiredToken, Form, FormVersion, Campaign, CampaignForm, Commune,
           Province)
#: Past this many links or pages a process starts again from empty; a province has a few
#: hundred points, the whole country some 23,000.
MAX_ENTRIES = 50_000


@dataclass(frozen=True)
class PublishedVersion:
    """A form version as answers are checked and stored against it; never changes."""

    id: int
    form_id: int
    parsed: FormDefinition = field(compare=False)

    @classmethod
    def of(cls, version: FormVersion) -> PublishedVersion:
        return cls(version.id, version.form_id, version.parsed)


@dataclass(frozen=True)
class LiveLink:
    """A point that takes answers today, with what its pages show: plain values, safe to
    keep between requests and share between threads."""

    token: str  #: as stored, whichever spelling was typed
    point_id: int
    commune_id: int
    commune_name: str
    province_name: str
    form_code: str
    version: PublishedVersion
    campaign_id: int


class LiveLinkCache:
    """Live links by (token as requested, day), and pages rendered for them."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._links: dict[tuple[str, date], tuple[float, LiveLink]] = {}
        self._pages: dict[tuple[LiveLink, str], str] = {}

    def __len__(self) -> int:
        return len(self._links)

    def get(self, token: str, today: date) -> LiveLink | None:
        found = self._links.get((token, today))
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, token: str, today: date, link: LiveLink) -> None:
        if len(self._links) >= MAX_ENTRIES:
            self._links.clear()
        self._links[(token, today)] = (time.monotonic() + self.seconds, link)

    def page(self, link: LiveLink, locale: str, render: Callable[[], str]) -> str:
        """The page for ``link`` in ``locale``, rendered once: a changed link is another key."""
        key = (link, locale)
        page = self._pages.get(key)
        if page is None:
            if len(self._pages) >= MAX_ENTRIES:
                self._pages.clear()
            page = self._pages[key] = render()
        return page

    def clear(self) -> None:
        self._links.clear()
        self._pages.clear()


def _opening_statement():
    """Built once: this runs every time a citizen opens or sends a form."""
    open_now = (
        select(CampaignForm)
        .join(Campaign)
        .where(
            Campaign.province_id == bindparam("province_id"),
            CampaignForm.form_id == bindparam("form_id"),
            CampaignForm.opens_on <= bindparam("today"),
            CampaignForm.closes_on >= bindparam("today"),
        )
        .order_by(CampaignForm.opens_on.desc())
        .limit(1)
        .subquery()
    )
    campaign_form = aliased(CampaignForm, open_now)
    return (
        select(FormVersion, campaign_form)
        .outerjoin(campaign_form, campaign_form.form_id == FormVersion.form_id)
        .where(FormVersion.form_id == bindparam("form_id"))
        .order_by(FormVersion.version.desc())
        .limit(1)
    )


_OPENING = _opening_statement()


def current_opening(
    session: Session, commune: Commune, form_id: int, today: date
) -> tuple[FormVersion | None, CampaignForm | None]:
    """The form's current version and the campaign form open today in the commune's province.

    One round trip for what ``Form.current_version`` and ``open_campaign_form`` give.
    """
    row = session.execute(
        _OPENING, {"province_id": commune.province_id, "form_id": form_id, "today": today}
    ).first()
    return (row[0], row[1]) if row else (None, None)


def init_app(app: Flask) -> None:
    app.extensions["live_links"] = LiveLinkCache(app.config["LIVE_LINK_CACHE_SECONDS"])


def cache() -> LiveLinkCache:
    return current_app.extensions["live_links"]


def live_link(session: Session, token: str, today: date) -> LiveLink | None:
    """The link behind ``token`` if it takes answers today; None for any reason it does not."""
    links = cache()
    link = links.get(token, today)
    if link is None:
        link = _look_up(session, token, today)
        if link is not None:
            links.put(token, today, link)
    return link


def _look_up(session: Session, token: str, today: date) -> LiveLink | None:
    point = find_point(session, token).point
    if point is None or point.form.is_retired:
        return None
    version, campaign_form = current_opening(session, point.commune, point.form_id, today)
    if version is None or campaign_form is None:
        return None
    return LiveLink(
        token=point.token,
        point_id=point.id,
        commune_id=point.commune_id,
        commune_name=point.commune.name,
        province_name=point.commune.province.name,
        form_code=point.form.code,
        version=PublishedVersion.of(version),
        campaign_id=campaign_form.campaign_id,
    )


_CHANGED = "live_links_changed"


@event.listens_for(Session, "after_flush")
def _note_change(session: Session, _context) -> None:
    if any(isinstance(obj, WATCHED)
           for obj in chain(session.new, session.dirty, session.deleted)):
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _forget_on_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False) and has_app_context():
        links = current_app.extensions.get("live_links")
        if links is not None:
            links.clear()


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session: Session) -> None:
    session.info.pop(_CHANGED, None)
