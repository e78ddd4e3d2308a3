"""When to try a request again, and how long to wait first.

Waits grow exponentially up to a cap, with full jitter (a uniformly random
wait between zero and the exponential bound), so that many clients failing
together do not come back together. A server's ``Retry-After`` is honoured,
up to a cap of its own.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from collections.abc import Callable, Mapping

import attrs

__all__ = ["DEFAULT_RETRIES", "RETRY_STATUSES", "RetryPolicy", "retry_after"]

DEFAULT_RETRIES = 4

# HTTP statuses worth another try: the server or a proxy in front of it is
# overloaded or restarting; the same GET may well succeed a moment later.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@attrs.frozen
class RetryPolicy:
    """How many times a request is tried again after a fault, and the waits."""

    retries: int = attrs.field(default=DEFAULT_RETRIES, validator=attrs.validators.ge(0))
    # The first wait is at most `base` seconds, the n-th at most base * 2**n, never above `cap`.
    base: float = 0.5
    cap: float = 20.0
    # A Retry-After above this is cut down to it.
    retry_after_cap: float = 60.0
    # A number in [0, 1); replaceable to make waits predictable.
    random: Callable[[], float] = attrs.field(default=random.random, eq=False, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before try number ``attempt + 1`` (``attempt`` counts from 0)."""
        if retry_after is not None:
            return max(0.0, min(retry_after, self.retry_after_cap))
        bound = min(self.cap, self.base * (2.0 ** min(attempt, 62)))
        return bound * self.random()


def retry_after(headers: Mapping[str, str], now: dt.datetime | None = None) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds (None when absent or unreadable).

    Both forms are read: a number of seconds, and an HTTP date.
    """
    value = headers.get("retry-after") or headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN: unreadable
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    now = now or dt.datetime.now(dt.timezone.utc)
    return max(0.0, (when - now).total_seconds())
