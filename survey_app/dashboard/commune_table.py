"""The overview's commune table: searched, filtered, sorted and paged by query parameters,
so that it works without JavaScript and a page stays small whatever the campaign's size."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass

from flask import request

from analytics import CommuneStatus
from analytics import Status
from survey_app.collation import matches
from survey_app.collation import name_key
from survey_app.dashboard.presenters import Cell
from survey_app.dashboard.presenters import Formats
from survey_app.dashboard.presenters import ordered_statuses
from survey_app.dashboard.presenters import results_by_commune
from survey_app.inputs import valid_id
from survey_app.services.results.campaign import CampaignResults

PAGE_SIZE = 50
#: The order in which statuses sort, best first.
STATUS_RANK = {Status.meets: 0, Status.does_not_meet: 1, Status.not_enough_data: 2}
FIXED_SORTS = ("grouping", "name", "status", "why")
SEARCH_LENGTH = 100


@dataclass(frozen=True)
class TableQuery:
    """What the reader asked of the table; the defaults show every commune by grouping."""

    search: str = ""
    status: Status | None = None
    failing: str | None = None
    sort: str = "grouping"
    descending: bool = False
    page: int = 1

    @property
    def narrowed(self) -> bool:
        return bool(self.search or self.status or self.failing)

    def args(self, **override) -> dict:
        """Query arguments that reproduce this table (defaults left out)."""
        values = {"q": self.search, "status": self.status.value if self.status else None,
                  "failing": self.failing, "sort": self.sort,
                  "dir": "desc" if self.descending else None, "page": self.page}
        values.update(override)
        if values.get("sort") == "grouping":
            values["sort"] = None
        if values.get("page") == 1:
            values["page"] = None
        return {key: value for key, value in values.items() if value not in (None, "")}

    def sort_args(self, column: str) -> dict:
        """The arguments of a column header's link: sort by it, or turn its order round."""
        descending = column == self.sort and not self.descending
        return self.args(sort=column, dir="desc" if descending else None, page=None)

    def aria_sort(self, column: str) -> str:
        if column != self.sort:
            return "none"
        return "descending" if self.descending else "ascending"


def parse_table_query(codes: Sequence[str]) -> TableQuery:
    """Read the table's parameters; anything not understood falls back to its default, as a
    link from an older page may carry a form or a sort this campaign does not have."""
    args = request.args
    status = next((s for s in Status if s.value == args.get("status")), None)
    failing = args.get("failing", "").strip().upper() or None
    sort = args.get("sort", "grouping")
    return TableQuery(
        search=" ".join(args.get("q", "").split())[:SEARCH_LENGTH],
        status=status,
        failing=failing if failing in codes else None,
        sort=sort if sort in FIXED_SORTS or sort in codes else "grouping",
        descending=args.get("dir") == "desc",
        page=valid_id(args.get("page", "1")) or 1,
    )


@dataclass(frozen=True)
class TablePage:
    rows: list[tuple[CommuneStatus, str, list[Cell]]]
    #: Communes after the search and filters, and before them.
    matching: int
    total: int
    page: int
    pages: int

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    @property
    def statuses(self) -> list[CommuneStatus]:
        return [status for status, _why, _cells in self.rows]


def commune_table(results: CampaignResults, codes: Sequence[str], formats: Formats,
                  query: TableQuery) -> TablePage:
    """The communes the query keeps, in its order, one page of them with their cells."""
    statuses = ordered_statuses(results)
    total = len(statuses)
    table = results_by_commune(results)
    groupings = results.groupings
    kept = [s for s in statuses
            if (not query.search or matches(query.search, s.commune.name))
            and (query.status is None or s.status is query.status)
            and (query.failing is None or query.failing in s.failing_forms)]
    kept = sort_statuses(kept, query, sort_key(query.sort, table, groupings))
    pages = max(1, -(-len(kept) // PAGE_SIZE))
    page = min(query.page, pages)
    shown = kept[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    rows = [(s, formats.reason(s), [formats.cell(table[s.commune.id][code]) for code in codes])
            for s in shown]
    return TablePage(rows, len(kept), total, page, pages)


def sort_key(column: str, table: dict, groupings: dict) -> Callable | None:
    """The key for ``column``; it returns None for a row without a value (sorted last)."""
    if column == "name":
        return lambda s: name_key(s.commune.name)
    if column == "status":
        return lambda s: STATUS_RANK[s.status]
    if column == "why":
        return lambda s: (STATUS_RANK[s.status], len(s.failing_forms), s.missing_total)
    if column in FIXED_SORTS:  # grouping: the order statuses come in
        return None
    return lambda s: (None if table[s.commune.id][column].rate is None
                      else table[s.commune.id][column].rate)


def sort_statuses(statuses: list[CommuneStatus], query: TableQuery,
                  key: Callable | None) -> list[CommuneStatus]:
    """Sort by ``key``, ties by grouping and name; rows without a value last either way."""
    if key is None:
        return statuses[::-1] if query.descending else statuses
    known = [s for s in statuses if key(s) is not None]
    unknown = [s for s in statuses if key(s) is None]
    return sorted(known, key=key, reverse=query.descending) + unknown
