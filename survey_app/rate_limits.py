"""A rate limit counted by hand, in the limiter's own storage, where a decorator costs too much.

Flask-Limiter's per-request bookkeeping (three round trips to Redis) cost a citizen's
submission as much as storing it; ``hit`` makes one. The storage is the limiter's (Redis in
production), so every worker and app server shares the count.
"""

import time
from functools import cache

from limits import RateLimitItem
from limits import parse as parse_limit
from werkzeug.exceptions import TooManyRequests

from survey_app.extensions import limiter


def hit(limit: str, *keys: str) -> None:
    """Count one request against ``limit`` (e.g. "60 per minute") for ``keys``.

    :raises TooManyRequests: over the limit, saying when to retry.
    """
    if not limiter.enabled:
        return
    item = parsed(limit)
    if not limiter.limiter.hit(item, *keys):
        reset = limiter.limiter.get_window_stats(item, *keys).reset_time
        raise TooManyRequests(retry_after=max(1, int(reset - time.time())))


@cache
def parsed(limit: str) -> RateLimitItem:
    """The limit, parsed once per text (each of a citizen's submissions counts one)."""
    return parse_limit(limit)
