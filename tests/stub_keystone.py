"""A Keystone and a Glance on a loopback socket, for tests that need real HTTP.

httpx.MockTransport skips httpcore, and keystoneauth1 sends with requests, so
neither what httpcore logs nor a keystoneauth plugin can be tried against a
MockTransport. This stub answers ``POST /v3/auth/tokens`` (password, token,
or TOTP-style methods; a wrong password gets 401 and an unknown token 404, as
from Keystone) with a token whose catalog
points back at itself, and ``GET /v2/images`` for that token only.
"""

from __future__ import annotations

import datetime as dt
import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
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
        # Set by a test: every request is answered with a 307 to this URL.
        self.redirect_to: str | None = None

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

        def _redirected(self) -> bool:
            if cloud.redirect_to is None:
                return False
            self.send_response(307)
            self.send_header("Location", cloud.redirect_to + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True

        def do_GET(self) -> None:
            if self._redirected():
                return
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
            if self._redirected():
                return
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
def stub_cloud(tls: ssl.SSLContext | None = None) -> Iterator[StubCloud]:
    """A running stub; with ``tls``, over HTTPS with that server context."""
    cloud = StubCloud()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(cloud))
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    cloud.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield cloud
    finally:
        server.shutdown()
        server.server_close()


def self_signed(directory: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1, and the certificate's file."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file = directory / "stub-cert.pem"
    key_file = directory / "stub-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file
