"""A loopback proxy in front of the test Glance that adds a caller's identity headers.

The test Glance runs without Keystone and trusts ``X-Project-Id``/``X-Roles`` headers, which a
person trying imgql by hand cannot send: the command line sends a token or nothing. The proxy
sends every ``GET`` on with the caller's headers (and without any identity header of the
request's own), so ``imgql --os-auth-type none --os-endpoint PROXY`` sees what the caller sees.
"""

from __future__ import annotations

import http.client
import http.server
import shlex
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import urlsplit

__all__ = ["hand_try_commands", "identity_proxy"]

_DROPPED = ("x-auth-token", "x-identity-status", "x-project-id", "x-user-id", "x-roles", "host", "connection")


@contextmanager
def identity_proxy(upstream: str, headers: Mapping[str, str]) -> Iterator[str]:
    """Serve on a free loopback port until the block ends; yields the proxy's URL."""
    target = urlsplit(upstream)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            sent = {k: v for k, v in self.headers.items() if k.lower() not in _DROPPED}
            connection = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=60)
            try:
                connection.request("GET", self.path, headers={**sent, **headers})
                answer = connection.getresponse()
                body = answer.read()
            finally:
                connection.close()
            self.send_response(answer.status)
            for name in ("Content-Type", "Location"):
                value = answer.getheader(name)
                if value:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="identity-proxy", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def hand_try_commands(proxy: str) -> list[str]:
    """The commands ``python -m tests.glance serve`` prints, run from the repository root as printed."""
    query = shlex.quote("images where visibility = public order by name limit 3")
    return [
        f".venv/bin/imgql --os-auth-type none --os-endpoint {proxy} query {query}",
        f"OS_IMAGE_URL={proxy} .venv/bin/python examples/search_server.py --live --port 8000",
    ]
