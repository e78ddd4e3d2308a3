"""What the paging algorithm and its drivers say to each other.

The algorithm (:func:`imgql.http.paging.listing`) yields an *effect*:
:class:`Send` (make this GET and send me the :class:`Reply` or
:class:`Fault`), :class:`Wait` (sleep before a retry),
:class:`Reauthenticate` (get a new token) or :class:`Page` (these records
are ready for the consumer). These values need no HTTP library.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any
from urllib.parse import quote, urlencode

import attrs

from ..records import Record

__all__ = [
    "LISTING_PATH",
    "Effect",
    "Fault",
    "Listing",
    "Page",
    "Params",
    "Reauthenticate",
    "Reply",
    "Send",
    "Wait",
    "describe",
]

Params = tuple[tuple[str, str], ...]

LISTING_PATH = "/v2/images"


# --------------------------------------------------------------------------- what the driver reports


@attrs.frozen
class Reply:
    """An HTTP answer, body read in full."""

    status: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    content: bytes = attrs.field(repr=False)
    # The Images API root the request went to, for messages.
    endpoint: str


@attrs.frozen
class Fault:
    """A request that got no complete answer (connection refused, timeout, reset...)."""

    endpoint: str
    reason: str
    # False for faults that another try cannot fix (a TLS certificate refused).
    retryable: bool = True


# --------------------------------------------------------------------------- what the driver is asked


@attrs.frozen
class Send:
    """Send ``GET <endpoint>/v2/images`` with these parameters; answer with a Reply or a Fault."""

    params: Params


@attrs.frozen
class Wait:
    """Sleep this long before the next try."""

    seconds: float
    reason: str


@attrs.frozen
class Reauthenticate:
    """Get a new token (the server refused the current one)."""


@attrs.frozen
class Page:
    """Records ready for the consumer, in the server's order, none returned before."""

    records: tuple[Record, ...]


Effect = Send | Wait | Reauthenticate | Page
Listing = Generator[Effect, Any, None]


def describe(params: Params) -> str:
    """``/v2/images?tag=a&tag=b&limit=2``: a request as a person reads it."""
    if not params:
        return LISTING_PATH
    return LISTING_PATH + "?" + urlencode(params, quote_via=quote, safe=":,")
