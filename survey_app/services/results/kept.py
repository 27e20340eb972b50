"""A campaign's figures kept a short while in each process, for the pages read most.

Working out a national campaign's figures takes about half a second (the roll-up's 126,000
rows summed, 23,000 commune × form results built twice: without and with the flagged
responses), and its weekly trend as long again; a committee moving between the overview,
its trend and the API asks for the same figures over and over. So the overview, the trend
and the API keep them for ``RESULTS_KEPT_SECONDS`` (60 by default; 0 keeps nothing), keyed
by everything they depend on: the campaign, the communes the caller may see, the grouping,
the rulebook, the report date, today, and the newest row of the audit trail, so that a
staff action that changes figures (a review of flagged responses, a recomputation, a
correction, an import, a new rulebook) is seen at once by every process. New answers from
citizens and surveyors appear within the minute; each page says when its figures were
worked out (``CampaignResults.computed_at``). Exports and reports always work them out.
"""

from __future__ import annotations

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
from survey_app.models import AuditEntry
from survey_app.models import Campaign
from survey_app.services.results.campaign import CampaignResults
from survey_app.services.results.campaign import campaign_results
from survey_app.services.results.campaign import campaign_trend

#: Figures of this many scopes per process (a national one holds about 10 MB).
MAX_ENTRIES = 8
T = TypeVar("T")


class KeptFigures:
    """What was worked out, by key, until ``seconds`` have passed (least used dropped
    first). Thread-safe: a threaded worker serves several requests at once."""

    def __init__(self, seconds: float, entries: int = MAX_ENTRIES) -> None:
        self.seconds = seconds
        self.entries = entries
        self._kept: OrderedDict[tuple, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, work_out: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._lock:
            found = self._kept.get(key)
            if found is not None and found[0] > now:
                self._kept.move_to_end(key)
                return found[1]  # type: ignore[return-value]
        value = work_out()
        with self._lock:
            self._kept[key] = (now + self.seconds, value)
            self._kept.move_to_end(key)
            while len(self._kept) > self.entries:
                self._kept.popitem(last=False)
        return value

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
    results = figures.get(("results", *key), work_out)
    # The figures are plain data; the campaign row belongs to this request's session.
    return replace(results, campaign=campaign)


def kept_trend(session: Session, results: CampaignResults) -> list[WeekPoint]:
    """``campaign_trend``, kept a short while like ``kept_results``."""
    figures = kept()
    if not figures.seconds:
        return campaign_trend(session, results)
    key = results_key(session, results.campaign, results.commune_ids, None,
                      results.rulebook.id, results.until)
    return figures.get(("trend", *key), lambda: campaign_trend(session, results))
