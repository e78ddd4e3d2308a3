"""Receiving an answer within bounds: a total time per request and a largest body.

httpx's timeouts are per phase and per read: a server that trickles a byte a
second never trips a 2 s read timeout. Every request imgql sends (an image
listing page, a Keystone token) is received here instead, streamed: the body
is read chunk by chunk, the request's total time is checked after each one,
and a body larger than the limit is refused before it is all in memory. The
async path also bounds the wait for the headers, with the event loop's timer.

:class:`Limits` are the two bounds; :class:`TooLong` and :class:`TooLarge`
are raised by :func:`receive` and :func:`areceive`, and each caller turns
them into its own message.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import attrs
import httpx

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "Limits", "TooLarge", "TooLong", "areceive", "receive", "total_seconds"]

# Far above a real page: 1,000 images of a busy cloud are a few megabytes.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024


class TooLong(Exception):
    """The request took longer than its total time."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within {seconds:g} s (the request's total time limit)")
        self.seconds = seconds


class TooLarge(Exception):
    """The body is larger than the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer is larger than {limit:,} bytes (max_response_bytes)")
        self.limit = limit


@attrs.frozen
class Limits:
    """``seconds``: the total time of one request (None: unbounded); ``max_bytes``: the largest body."""

    seconds: float | None
    max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES


def total_seconds(timeout: Any) -> float | None:
    """The total time a request gets from a timeout setting: a number is
    the total; an ``httpx.Timeout`` gets its largest phase (None when one
    of them is unbounded), as ``timeout=30`` means 30 s for the whole."""
    if timeout is None:
        return None
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        return float(timeout)
    if isinstance(timeout, httpx.Timeout):
        phases = (timeout.connect, timeout.read, timeout.write, timeout.pool)
        if any(phase is None for phase in phases):
            return None
        return float(max(phase for phase in phases if phase is not None))
    return None


def receive(
    http: httpx.Client, request: httpx.Request, limits: Limits, sockets: Any = None
) -> tuple[httpx.Response, bytes]:
    """Send ``request`` (redirects never followed) and read its whole body within ``limits``.
    With ``sockets`` (:class:`~imgql.http.interrupt.Sockets`, of the HTTP client we
    made), the wait for the headers is bounded too: at the deadline the
    socket this thread uses is shut down."""
    deadline = None if limits.seconds is None else time.monotonic() + limits.seconds
    timer = None
    expired = threading.Event()
    if sockets is not None and limits.seconds is not None:
        thread = threading.get_ident()

        def cut() -> None:
            expired.set()
            sockets.interrupt_thread(thread)

        timer = threading.Timer(limits.seconds, cut)
        timer.daemon = True
        timer.start()
    try:
        try:
            response = http.send(request, follow_redirects=False, stream=True)
        except httpx.HTTPStatusError as exc:  # raised by an event hook of the caller's client
            response = exc.response
        try:
            return response, _read(response.iter_bytes(), limits, deadline)
        finally:
            response.close()
    except httpx.TransportError:
        if expired.is_set():
            assert limits.seconds is not None
            raise TooLong(limits.seconds) from None
        raise
    finally:
        if timer is not None:
            timer.cancel()


async def areceive(http: httpx.AsyncClient, request: httpx.Request, limits: Limits) -> tuple[httpx.Response, bytes]:
    """As :func:`receive`, and the wait for the headers is bounded too."""
    if limits.seconds is None:
        return await _areceive(http, request, limits, None)
    try:
        return await asyncio.wait_for(
            _areceive(http, request, limits, time.monotonic() + limits.seconds), limits.seconds
        )
    except asyncio.TimeoutError:
        raise TooLong(limits.seconds) from None


async def _areceive(
    http: httpx.AsyncClient, request: httpx.Request, limits: Limits, deadline: float | None
) -> tuple[httpx.Response, bytes]:
    try:
        response = await http.send(request, follow_redirects=False, stream=True)
    except httpx.HTTPStatusError as exc:
        response = exc.response
    try:
        parts: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size = _take(parts, chunk, size, limits, deadline)
        return response, b"".join(parts)
    finally:
        await response.aclose()


def _read(chunks: Any, limits: Limits, deadline: float | None) -> bytes:
    # Decoded chunks (gzip undone) are counted: a small gzip bomb is a large body.
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        size = _take(parts, chunk, size, limits, deadline)
    return b"".join(parts)


def _take(parts: list[bytes], chunk: bytes, size: int, limits: Limits, deadline: float | None) -> int:
    size += len(chunk)
    if size > limits.max_bytes:
        raise TooLarge(limits.max_bytes)
    if deadline is not None and time.monotonic() > deadline:
        assert limits.seconds is not None
        raise TooLong(limits.seconds)
    parts.append(chunk)
    return size
