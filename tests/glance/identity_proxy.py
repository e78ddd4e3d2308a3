"""A loopback front for the header-trusting Glance: it adds a caller's identity headers to every request.

The Glance of the ``glance`` fixture trusts ``X-Project-Id`` and ``X-Roles``
instead of validating tokens. Programs that only take an endpoint (the
``imgql`` command, an Ansible lookup) cannot send those headers; this front
sends them for them, and passes everything else through unchanged to the real
server, so the answer is Glance's own.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

__all__ = ["identity_front"]


@contextlib.contextmanager
def identity_front(target: str, headers: Mapping[str, str]) -> Iterator[str]:
    """Serve on 127.0.0.1 until the block ends; yields the front's URL."""
    upstream = httpx.Client(base_url=target, timeout=60)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            passed = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "x-auth-token")}
            response = upstream.get(self.path, headers={**passed, **headers})
            body = response.content
            self.send_response(response.status_code)
            self.send_header("Content-Type", response.headers.get("content-type", "application/json"))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:  # type: ignore[override]
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        upstream.close()
