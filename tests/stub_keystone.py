"""A Keystone and a Glance on a loopback socket, for tests that need real HTTP.

httpx.MockTransport skips httpcore, and keystoneauth1 sends with requests, so
neither what httpcore logs nor a keystoneauth plugin can be tried against a
MockTransport. This stub answers ``POST /v3/auth/tokens`` (password, token,
or TOTP-style methods; a wrong password gets 401 and an unknown token 404, as
from Keystone) with a token whose catalog
points back at itself, and ``GET /v2/images`` for that token only.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PASSWORD = "pw-Loopback-9xQ-do-not-show"
UNKNOWN_TOKEN = {"error": {"code": 404, "message": "Could not recognize Fernet token", "title": "Not Found"}}
REFUSED = {"error": {"code": 401, "message": "The request you have made requires authentication."}}
IMAGES = [{"id": f"00000000-0000-0000-0000-00000000000{n}", "name": f"image-{n}", "status": "active"} for n in (1, 2)]


class StubCloud:
    """What the stub issued and was sent."""

    def __init__(self) -> None:
        self.url = ""
        self.issued: list[str] = []
        self.revoked: set[str] = set()
        self.token_bodies: list[dict[str, Any]] = []
        self.listing_tokens: list[str | None] = []
        self.lock = threading.Lock()

    @property
    def auth_url(self) -> str:
        return f"{self.url}/v3"

    def issue(self) -> str:
        with self.lock:
            token = f"gAAAAA-stub-token-{len(self.issued) + 1}-Zr7Kq0"
            self.issued.append(token)
            return token

    def catalog(self) -> list[dict[str, Any]]:
        endpoint = {"interface": "public", "region_id": "RegionOne", "region": "RegionOne", "url": self.url}
        identity = {**endpoint, "url": f"{self.url}/v3"}
        return [
            {"type": "image", "name": "glance", "endpoints": [endpoint]},
            {"type": "identity", "name": "keystone", "endpoints": [identity]},
        ]


def _handler(cloud: StubCloud) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _json(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.rstrip("/") in ("/v3", ""):
                version = {"id": "v3.14", "status": "stable", "links": [{"rel": "self", "href": f"{cloud.url}/v3/"}]}
                self._json(200, {"version": version})
                return
            if not self.path.startswith("/v2/images"):
                self._json(404, {"error": {"code": 404, "message": "The resource could not be found."}})
                return
            token = self.headers.get("X-Auth-Token")
            cloud.listing_tokens.append(token)
            if token not in cloud.issued or token in cloud.revoked:
                self._json(401, REFUSED)
                return
            self._json(200, {"images": IMAGES, "first": "/v2/images", "schema": "/v2/schemas/images"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path != "/v3/auth/tokens":
                self._json(404, {"error": {"code": 404, "message": "The resource could not be found."}})
                return
            cloud.token_bodies.append(body)
            identity = body.get("auth", {}).get("identity", {})
            password = identity.get("password", {}).get("user", {}).get("password")
            if "password" in identity.get("methods", []) and password != PASSWORD:
                self._json(401, REFUSED)
                return
            given = identity.get("token", {}).get("id")
            if "token" in identity.get("methods", []) and (given not in cloud.issued or given in cloud.revoked):
                # What Keystone answers for a token it cannot validate.
                self._json(404, UNKNOWN_TOKEN)
                return
            token = cloud.issue()
            answer = {
                "token": {
                    "methods": identity.get("methods", []),
                    "expires_at": "2999-01-01T00:00:00.000000Z",
                    "issued_at": "2020-01-01T00:00:00.000000Z",
                    "user": {"id": "u-1", "name": "alice", "domain": {"id": "default", "name": "Default"}},
                    "project": {"id": "p-1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
                    "catalog": cloud.catalog(),
                }
            }
            self._json(201, answer, {"X-Subject-Token": token})

    return Handler


@contextmanager
def stub_cloud() -> Iterator[StubCloud]:
    cloud = StubCloud()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(cloud))
    cloud.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield cloud
    finally:
        server.shutdown()
        server.server_close()
