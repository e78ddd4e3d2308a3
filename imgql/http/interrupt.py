"""Stopping blocked requests at once: the sockets of an HTTP client we made, shut down on demand.

A thread blocked reading an answer wakes only when data comes or its socket
is shut down; closing the socket, or the httpx client, leaves it waiting for
its full timeout. :class:`Sockets` is a network backend for httpcore that
remembers every socket it opens, so that :meth:`Sockets.interrupt` can shut
them all down: every blocked read then fails at once, and the thread goes on
to find its query stopped. The synchronous client uses it for the HTTP client
it makes (Ctrl-C on a union, ``close()`` during a query); a caller's own
HTTP client is the caller's to stop.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import weakref
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

__all__ = ["Sockets", "interruptible_transport"]


class Sockets(httpcore.NetworkBackend):
    """httpcore's own backend, keeping each socket it opens for :meth:`interrupt`."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()
        self._lock = threading.Lock()
        self._open: weakref.WeakSet[socket.socket] = weakref.WeakSet()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        self._keep(stream)
        return stream

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(path, timeout, socket_options)
        self._keep(stream)
        return stream

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)

    def _keep(self, stream: httpcore.NetworkStream) -> None:
        sock = stream.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            with self._lock:
                self._open.add(sock)

    def interrupt(self) -> None:
        """Shut down every open socket: blocked reads and writes fail now."""
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):  # already closed, or not connected
                sock.shutdown(socket.SHUT_RDWR)


def interruptible_transport(sockets: Sockets, verify: Any) -> httpx.HTTPTransport:
    """httpx's transport with ``verify``, opening its connections through ``sockets``."""
    transport = httpx.HTTPTransport(verify=verify)
    # httpx does not take a network backend; its pool keeps one, read on each connect.
    pool = transport._pool
    if hasattr(pool, "_network_backend"):
        pool._network_backend = sockets
    return transport
