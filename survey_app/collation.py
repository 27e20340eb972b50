"""Names in the order a Vietnamese reader expects, and searched as people type them.

ICU's Vietnamese collation (CLDR): "Đ" after "D", "Ă" and "Â" after "A", tones ranked
after the letter, and numbers as numbers ("Cụm 2" before "Cụm 10"). Python's ``sorted``
compares code points and puts "Phường Đa Mai" after "Phường Yên Dũng".
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable
from collections.abc import Iterable
from typing import TypeVar

import icu

T = TypeVar("T")
_local = threading.local()


def collator() -> icu.Collator:
    """One collator per thread: ICU's are not to be shared between threads while in use."""
    found = getattr(_local, "collator", None)
    if found is None:
        found = icu.Collator.createInstance(icu.Locale("vi_VN"))
        found.setAttribute(icu.UCollAttribute.NUMERIC_COLLATION, icu.UCollAttributeValue.ON)
        _local.collator = found
    return found


def name_key(text: str | None) -> bytes:
    """A sort key for a name; None sorts as the empty name (first)."""
    return collator().getSortKey(text or "")


def by_name(items: Iterable[T], name: Callable[[T], str | None] = str) -> list[T]:
    """``items`` sorted by ``name(item)`` in Vietnamese order."""
    key = collator().getSortKey
    return sorted(items, key=lambda item: key(name(item) or ""))


def fold(text: str) -> str:
    """Lower case without tones or marks, "đ" as "d": how a name is typed without them."""
    plain = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(ch for ch in plain if not unicodedata.combining(ch))


def matches(query: str, name: str) -> bool:
    """Whether ``name`` holds ``query``: a query typed without marks matches any marks
    ("tan an" finds "Tân An" and "Tấn An"); a query with marks keeps them ("Tân" finds
    "Tân An", not "Tấn An")."""
    wanted = " ".join(query.split())
    if not wanted:
        return True
    if fold(wanted) == wanted.casefold():
        return fold(wanted) in fold(" ".join(name.split()))
    composed = unicodedata.normalize("NFC", wanted).casefold()
    return composed in unicodedata.normalize("NFC", " ".join(name.split())).casefold()
