"""Where a sign-in may send the browser next: a path on this site, and nothing a browser could
read as another site."""

from __future__ import annotations

from urllib.parse import urlsplit


def same_site_path(target: str) -> str | None:
    """``target`` when it is a path on this site (with its query), else None.

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so
    "/\\t/evil.example" or "/\\\\evil.example" would take them to another host: a control
    character, a backslash or anything outside ASCII (this site's own links are ASCII, and
    Unicode look-alikes of "/" are normalised by some parsers) refuses the target outright.
    """
    if not target.isascii() or not target.isprintable() or "\\" in target:
        return None
    # One slash, then anything but a second: "//host" and "///host" name a host to a browser.
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target
