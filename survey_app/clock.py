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
