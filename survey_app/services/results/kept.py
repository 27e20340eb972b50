"""A campaign's figures kept a short while in each process, for the pages read most.

Working out a national campaign's figures takes about half a second (the roll-up's 126,000
rows summed, 23,000 commune × form results built twice: without and with the flagged
responses), and its weekly trend as long again; a committee moving between the overview,
its trend and the API asks for the same figures over and over. So the overview, the trend
and the API keep them for ``RESULTS_KEPT_SECONDS`` (60 by default; 0 keeps nothing), keyed
by everything they depend on: the campaign, the communes the caller may see, the grouping,
the rulebook, the report date, today, and the newest row of the audit trail, so that a
staff action that changes figures (a review of flagged responses, a recomputation, a
correction, an import, a new rulebook) is seen at once by every process. Figures past their
time are still given while a thread works out new ones, so a reader waits for the work only
at a worker's start or after such an action, and new answers from citizens and surveyors
show within twice the time; each page says when its figures were worked out
(``CampaignResults.computed_at``). Exports and reports always work them out.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TypeVar

from flask import Flask
from flask import current_app
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.trend import WeekPoint
from survey_app.clock import today_in_vietnam
from survey_app.extensions import db
from survey_app.models import AuditEntry
from survey_app.models import Campaign
from survey_app.services.results.campaign import CampaignResults
from survey_app.services.results.campaign import campaign_results
from survey_app.services.results.campaign import campaign_trend

#: Figures of this many scopes per process (a national one holds about 10 MB).
MAX_ENTRIES = 8
T = TypeVar("T")
logger = logging.getLogger(__name__)


class KeptFigures:
    """What was worked out, by key, for ``seconds`` (least used dropped first).

    Once they have expired, figures are still given for as long again while a thread works
    out new ones (``refresh``), so that a reader waits for the work only when nothing
    recent is kept: at a worker's start, or when a staff action changed the key.
    Thread-safe: a threaded worker serves several requests at once.
    """

    def __init__(self, seconds: float, entries: int = MAX_ENTRIES) -> None:
        self.seconds = seconds
        self.entries = entries
        self._kept: OrderedDict[tuple, tuple[float, object]] = OrderedDict()
        self._refreshing: dict[tuple, threading.Thread] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, work_out: Callable[[], T],
            refresh: Callable[[], T] | None = None) -> T:
        now = time.monotonic()
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                expires, value = found
                if now < expires or (refresh is not None and now < expires + self.seconds):
                    self._kept.move_to_end(key)
                    if now >= expires and key not in self._refreshing:
                        thread = threading.Thread(target=self._refresh, args=(key, refresh),
                                                  name="kept-figures", daemon=True)
                        self._refreshing[key] = thread
                        thread.start()
                    return value  # type: ignore[return-value]
        value = work_out()
        self._keep(key, value, now)
        return value

    def _keep(self, key: tuple, value: object, made: float) -> None:
        with self._lock:
            self._kept[key] = (made + self.seconds, value)
            self._kept.move_to_end(key)
            while len(self._kept) > self.entries:
                self._kept.popitem(last=False)

    def _refresh(self, key: tuple, refresh: Callable[[], object]) -> None:
        try:
            started = time.monotonic()
            self._keep(key, refresh(), started)
        except Exception:
            # The figures kept expire as planned; the next reader works them out.
            logger.exception("kept figures not refreshed")
        finally:
            with self._lock:
                self._refreshing.pop(key, None)

    def wait(self) -> None:
        """Until the figures being worked out in the background are kept."""
        while True:
            with self._lock:
                threads = list(self._refreshing.values())
            if not threads:
                return
            for thread in threads:
                thread.join()

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


def init_app(app: Flask) -> None:
    app.extensions["kept_figures"] = KeptFigures(app.config["RESULTS_KEPT_SECONDS"])


def kept() -> KeptFigures:
    return current_app.extensions["kept_figures"]


def results_key(session: Session, campaign: Campaign, visible: Select,
                grouping_id: int | None, rulebook_id: int | None,
                until: date | None) -> tuple:
    """Everything a campaign's figures depend on, as a key (one indexed read: the newest
    audit row)."""
    scope = str(visible.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    latest_action = session.scalar(select(func.max(AuditEntry.seq)))
    return (campaign.id, scope, grouping_id, rulebook_id, until, today_in_vietnam(),
            latest_action)


def kept_results(session: Session, campaign: Campaign, visible: Select, *,
                 grouping_id: int | None = None, rulebook_id: int | None = None,
                 until: date | None = None) -> CampaignResults:
    """``campaign_results``, kept a short while (see the module's text).

    :raises UnknownRulebook: as ``campaign_results``.
    """
    def work_out() -> CampaignResults:
        return campaign_results(session, campaign, visible, grouping_id=grouping_id,
                                rulebook_id=rulebook_id, until=until)

    figures = kept()
    if not figures.seconds:
        return work_out()
    key = results_key(session, campaign, visible, grouping_id, rulebook_id, until)
    results = figures.get(("results", *key), work_out, in_background(
        campaign.id, lambda background, row: campaign_results(
            background, row, visible, grouping_id=grouping_id, rulebook_id=rulebook_id,
            until=until)))
    # The figures are plain data; the campaign row belongs to this request's session.
    return replace(results, campaign=campaign)


def kept_trend(session: Session, results: CampaignResults) -> list[WeekPoint]:
    """``campaign_trend``, kept a short while like ``kept_results``."""
    figures = kept()
    if not figures.seconds:
        return campaign_trend(session, results)
    key = results_key(session, results.campaign, results.commune_ids, None,
                      results.rulebook.id, results.until)
    return figures.get(("trend", *key), lambda: campaign_trend(session, results),
                       in_background(results.campaign.id, lambda background, row:
                                     campaign_trend(background, replace(results, campaign=row))))


def in_background(campaign_id: int,
                  work_out: Callable[[Session, Campaign], T]) -> Callable[[], T]:
    """``work_out`` for a thread of its own: a session of its own (the request's has ended
    by then), in which the campaign row is read again."""
    app = current_app._get_current_object()

    def run() -> T:
        with app.app_context():
            return work_out(db.session, db.session.get(Campaign, campaign_id))

    return run
