"""A scripted HTTP server on 127.0.0.1 that plays a broken or hostile Glance or Keystone.

``hostile(respond)`` serves every request with ``respond(method, path)``, an
:class:`Answer`; the body may be a list of chunks sent ``pause`` seconds
apart (a trickle). The server and any trickle stop when the block ends, and a
trickle stops by itself after its chunks, so no test can leave it running.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs


@attrs.frozen
class Answer:
    status: int = 200
    body: bytes | Sequence[bytes] = b""
    headers: tuple[tuple[str, str], ...] = ()
    # Seconds between the chunks of a body given as chunks.
    pause: float = 0.0
    # Seconds before the status line is sent.
    delay: float = 0.0


def json_answer(status: int, data: Any, *headers: tuple[str, str]) -> Answer:
    return Answer(status, json.dumps(data).encode(), (("Content-Type", "application/json"), *headers))


def page(images: list[dict[str, Any]], next_marker: str | None = None) -> Answer:
    body: dict[str, Any] = {"images": images, "first": "/v2/images", "schema": "/v2/schemas/images"}
    if next_marker is not None:
        body["next"] = f"/v2/images?marker={next_marker}"
    return json_answer(200, body)


@attrs.define
class Served:
    url: str
    requests: list[tuple[str, str]] = attrs.field(factory=list)


@contextmanager
def hostile(respond: Callable[[str, str], Answer]) -> Iterator[Served]:
    stop = threading.Event()
    served = Served("")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            served.requests.append((method, self.path))
            answer = respond(method, self.path)
            waited_until = time.monotonic() + answer.delay
            while time.monotonic() < waited_until:
                if stop.wait(0.05):
                    return
            chunks = [answer.body] if isinstance(answer.body, bytes) else list(answer.body)
            self.send_response(answer.status)
            for name, value in answer.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(sum(len(chunk) for chunk in chunks)))
            self.end_headers()
            try:
                for chunk in chunks:
                    if stop.is_set():
                        return
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    if answer.pause:
                        time.sleep(answer.pause)
            except (BrokenPipeError, ConnectionResetError):
                return

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    served.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def within(seconds: float, work: Callable[[], Any]) -> Any:
    """``work()``'s result or exception, failing the test if it has not ended after ``seconds``
    (a bounded wait: a generous limit for "it does not hang", not a measurement)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(("value", work()))
        except BaseException as exc:  # handed to the test thread
            outcome.append(("error", exc))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert outcome, f"still running after {seconds} s"
    kind, value = outcome[0]
    if kind == "error":
        raise value
    return value
