"""The platform's one clock: campaign windows and every date a person reads are Vietnam time.

Campaign windows are calendar days in Vietnam whatever the server's own zone, so "today" is
asked here and nowhere else (tests move it by patching ``today_in_vietnam`` where it is used).
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def today_in_vietnam() -> date:
    return datetime.now(VIETNAM).date()


def now_utc() -> datetime:
    """Now, as an aware UTC datetime: what the database stores."""
    return datetime.now(UTC)


def vietnam_time_text(value: datetime | None) -> str:
    """An instant as people in Vietnam read it: 31/12/2026 14:05 (stored times are UTC)."""
    if value is None:
        return "—"
    return value.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
