"""What a client sent, checked before it reaches a query, a parser or a column.

Pure functions, no Flask: the request guard (``input_guard``), the views, the offline sync
and the file import call them on the strings and JSON values they were given. Each says
whether a value is usable; the caller decides how to refuse it (a 404, a 400 in JSON, the
form again with its answers).
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Any

#: Database ids are 32-bit integers on both backends; anything else a client sends is not one.
MAX_ID = 2**31 - 1
#: The dates a filter may ask for. Wider than any survey, narrower than what ``date`` and a
#: database can shift by a day or a time zone without overflowing (9999-12-31 cannot).
FIRST_DATE = date(2000, 1, 1)
LAST_DATE = date(2199, 12, 31)
#: The deepest JSON a client needs is the sync's {"submissions": [{"answers": {"q": [..]}}]}.
MAX_JSON_DEPTH = 16
#: Characters no text field may hold: C0 and C1 controls except tab, line feed and carriage
#: return (PostgreSQL refuses NUL in text outright), and lone surrogates (not encodable).
_BAD_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
#: A whole number longer than this is no id, count or code; ``int`` refuses past 4,300 digits.
_MAX_DIGITS = 30


class BadJson(ValueError):
    """A body that is not JSON we take: malformed, too deep, NaN or an infinite number."""


def whole_number(text: str) -> int | None:
    """``text`` as a whole number if it is ASCII digits and nothing else, else None.

    ``str.isdigit`` alone is true for "²" and "١", which ``int`` refuses or reads otherwise.
    """
    if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS:
        return int(text)
    return None


def valid_id(value: Any) -> int | None:
    """``value`` as a database id if it can be one, else None (a list, "²", 2**31, True)."""
    if isinstance(value, str):
        value = whole_number(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    return None


def valid_date(text: str) -> date | None:
    """``text`` as an ISO date (YYYY-MM-DD) from FIRST_DATE to LAST_DATE, else None."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if FIRST_DATE <= day <= LAST_DATE else None


def is_clean(text: str) -> bool:
    """True if ``text`` holds no character a text column must not store."""
    return _BAD_CHARACTERS.search(text) is None


def cleaned(text: str) -> str:
    """``text`` without the characters ``is_clean`` refuses."""
    return _BAD_CHARACTERS.sub("", text)


def json_is_clean(value: Any) -> bool:
    """True if no key or string anywhere in a parsed JSON ``value`` is unclean."""
    if isinstance(value, str):
        return is_clean(value)
    if isinstance(value, dict):
        return all(is_clean(key) and json_is_clean(item) for key, item in value.items())
    if isinstance(value, list):
        return all(json_is_clean(item) for item in value)
    return True


def load_json(body: bytes | str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse a request body as JSON no deeper than ``max_depth``.

    :raises BadJson: not JSON, nested deeper, or a number JSON cannot hold (NaN, 1e999).
    """
    try:
        value = json.loads(body, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as error:
        # RecursionError: JSON nested past the interpreter's limit (about 1,000 deep).
        raise BadJson(str(error)[:200]) from None
    if _depth(value) > max_depth:
        raise BadJson(f"nested deeper than {max_depth}")
    return value


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:20]} is too large")
    return number


def _depth(value: Any) -> int:
    """How deep containers nest in ``value`` (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(
            item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_id(text: str) -> int:
    """For ``request.args.get(name, type=parse_id)``: the id, or ValueError, which werkzeug
    turns into the default, as it does for ``type=int`` and a word."""
    value = valid_id(text.strip())
    if value is None:
        raise ValueError(text[:50])
    return value
