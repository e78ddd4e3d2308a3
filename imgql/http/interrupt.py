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
        # The thread that last read or wrote each socket: the one a deadline stops.
        self._users: weakref.WeakKeyDictionary[socket.socket, int] = weakref.WeakKeyDictionary()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return self._keep(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(path, timeout, socket_options)
        return self._keep(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)

    def _keep(self, stream: httpcore.NetworkStream) -> httpcore.NetworkStream:
        sock = stream.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            with self._lock:
                self._open.add(sock)
            return _Used(stream, sock, self._users)
        return stream

    def interrupt_thread(self, thread: int) -> None:
        """Shut down the sockets ``thread`` is reading or writing: its request fails now."""
        with self._lock:
            sockets = [sock for sock, user in self._users.items() if user == thread]
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def interrupt(self) -> None:
        """Shut down every open socket: blocked reads and writes fail now."""
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):  # already closed, or not connected
                sock.shutdown(socket.SHUT_RDWR)


class _Used(httpcore.NetworkStream):
    """A stream that notes which thread uses its socket."""

    def __init__(
        self, stream: httpcore.NetworkStream, sock: socket.socket, users: weakref.WeakKeyDictionary[socket.socket, int]
    ) -> None:
        self._stream = stream
        self._sock = sock
        self._users = users

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self._users[self._sock] = threading.get_ident()
        return self._stream.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._users[self._sock] = threading.get_ident()
        self._stream.write(buffer, timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        self._users[self._sock] = threading.get_ident()
        return _Used(self._stream.start_tls(ssl_context, server_hostname, timeout), self._sock, self._users)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


def interruptible_transport(sockets: Sockets, verify: Any) -> httpx.HTTPTransport:
    """httpx's transport with ``verify``, opening its connections through ``sockets``."""
    transport = httpx.HTTPTransport(verify=verify)
    # httpx does not take a network backend; its pool keeps one, read on each connect.
    pool = transport._pool
    if hasattr(pool, "_network_backend"):
        pool._network_backend = sockets
    return transport
