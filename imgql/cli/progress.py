"""Progress on stderr while a listing runs: pages and images so far, only
when stderr is a terminal."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from .terminal import isatty

__all__ = ["Progress", "count_pages"]


class Progress:
    """Pages and images so far, on stderr, only when stderr is a terminal.

    ``page()`` may be called from worker threads (concurrent requests)."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None, label: str = "listing") -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = isatty(self.stream) if enabled is None else enabled
        self.label = label
        self.pages = 0
        self.images = 0
        self._lock = threading.Lock()
        self._last = 0.0
        self._shown = False
        self._status: Any = None

    def __enter__(self) -> Progress:
        if self.enabled:
            try:
                from rich.console import Console

                console = Console(file=self.stream, stderr=True)
                self._status = console.status(self._text(), spinner="dots")
                self._status.start()
            except ImportError:
                self._status = None
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _text(self) -> str:
        pages = f"{self.pages} page{'' if self.pages == 1 else 's'}, " if self.pages else ""
        return f"{self.label}: {pages}{self.images} image{'' if self.images == 1 else 's'} so far"

    def page(self) -> None:
        with self._lock:
            self.pages += 1
        self._show()

    def image(self) -> None:
        self.images += 1
        self._show()

    def _show(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        if self._status is not None:
            self._status.update(self._text())
        else:
            self.stream.write("\r\x1b[2K" + self._text())
            self.stream.flush()
            self._shown = True

    def close(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
        elif self._shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._shown = False

    def track(self, images: Iterable[Any]) -> Iterator[Any]:
        for image in images:
            self.image()
            yield image


def count_pages(source: Any, on_page: Callable[[], None]) -> None:
    """Count page responses for the progress indicator, when the source is a
    Client over httpx (an offline catalog has no pages)."""
    http = getattr(source, "http", None)
    hooks = getattr(http, "event_hooks", None)
    if not isinstance(hooks, dict):
        return

    def response_hook(response: Any) -> None:
        path = getattr(getattr(response, "url", None), "path", "")
        if isinstance(path, str) and path.rstrip("/").endswith("/v2/images"):
            on_page()

    responses = list(hooks.get("response", []))
    responses.append(response_hook)
    hooks["response"] = responses
    http.event_hooks = hooks  # type: ignore[union-attr]
