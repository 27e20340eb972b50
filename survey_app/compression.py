"""Gzip for the pages and JSON of the blueprints that ask for it (the dashboard's).

A national dashboard page is about 200 KB of HTML and compresses about twelvefold, which is
what puts its headline on screen within a second on a slow mobile link. nginx may compress
too (Debian's default does for HTML); it leaves a response that is already compressed alone.
"""

from __future__ import annotations

import gzip

from flask import Response
from flask import request

#: Below this a response gains nothing worth the work (it fits in one TCP packet or so).
SMALLEST = 1400
TYPES = ("text/html", "application/json")


def gzip_response(response: Response) -> Response:
    """Compress ``response`` in place when the client accepts gzip and it is worth it."""
    if (response.direct_passthrough or response.is_streamed
            or response.status_code < 200 or response.status_code in (204, 304)
            or "Content-Encoding" in response.headers
            or response.mimetype not in TYPES):
        return response
    response.vary.add("Accept-Encoding")
    if "gzip" not in request.headers.get("Accept-Encoding", ""):
        return response
    body = response.get_data()
    if len(body) < SMALLEST:
        return response
    response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    return response
