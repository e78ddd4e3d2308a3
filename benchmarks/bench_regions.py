"""Table 7: one query over two regions against the two single-region queries.

A loopback cloud: a Keystone-like token endpoint whose catalog lists an image
endpoint in RegionOne and one in RegionTwo, each its own HTTP server serving
the same seeded listing in pages. Each page answer waits a fixed time first
(RegionOne 20 ms, RegionTwo 40 ms), standing in for the round trip to a
remote region and the API's own work; without it every request on loopback
costs about the same few milliseconds and concurrency has nothing to hide.
The goal: the two-region query takes about as long as the slower region,
not the sum of both.

    python -m benchmarks.bench_regions            # full sizes
    python -m benchmarks.bench_regions --quick
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ._common import Table, interleaved

__all__ = ["run", "two_regions"]

TOKEN = "bench-token-regions"
DELAYS = {"RegionOne": 0.020, "RegionTwo": 0.040}


def _images(count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"00000000-0000-0000-0000-{n:012d}",
            "name": f"image-{n:05d}",
            "status": "active",
            "visibility": "public",
            "created_at": f"2025-01-01T00:{n // 60 % 60:02d}:{n % 60:02d}Z",
            "tags": ["lts"] if n % 3 == 0 else [],
            "size": n * 1000,
        }
        for n in range(count)
    ]


def _glance(images: list[dict[str, Any]], delay: float) -> type[BaseHTTPRequestHandler]:
    by_id = {image["id"]: n for n, image in enumerate(images)}

    class Glance(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            time.sleep(delay)
            query = parse_qs(urlsplit(self.path).query)
            limit = int(query.get("limit", ["25"])[0])
            start = by_id[query["marker"][0]] + 1 if "marker" in query else 0
            page = images[start : start + limit]
            body = {"images": page, "first": "/v2/images", "schema": "/v2/schemas/images"}
            if start + limit < len(images):
                body["next"] = f"/v2/images?marker={page[-1]['id']}&limit={limit}"
            self._send(200, body)

        def _send(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Glance


def _keystone(catalog: list[dict[str, Any]]) -> type[BaseHTTPRequestHandler]:
    class Keystone(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            data = json.dumps({"token": {"catalog": catalog, "expires_at": "2999-01-01T00:00:00Z"}}).encode()
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Subject-Token", TOKEN)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Keystone


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def two_regions(count: int) -> Iterator[str]:
    """A loopback cloud with two regions of ``count`` images each; yields its auth URL."""
    images = _images(count)
    with (
        _serving(_glance(images, DELAYS["RegionOne"])) as one,
        _serving(_glance(images, DELAYS["RegionTwo"])) as two,
    ):
        endpoints = [
            {"interface": "public", "region_id": region, "region": region, "url": url}
            for region, url in (("RegionOne", one), ("RegionTwo", two))
        ]
        catalog = [{"type": "image", "name": "glance", "endpoints": endpoints}]
        with _serving(_keystone(catalog)) as keystone:
            yield f"{keystone}/v3"


QUERIES = (
    ("every image", "images where region in ({regions})"),
    ("one tag, newest 5", "images where region in ({regions}) and tag = lts order by created_at desc limit 5"),
)


def _lister(client: Any, query: str) -> Callable[[], object]:
    return lambda: list(client.query(query))


def run(*, quick: bool = False, count: int | None = None) -> Table:
    import imgql
    from imgql.http.keystone import KeystoneAuth

    count = count or (60 if quick else 2000)
    page_size = 20 if quick else 200
    table = Table(
        "8. One query over two regions",
        (
            "query",
            "images per region",
            "RegionOne ms",
            "RegionTwo ms",
            "sum ms",
            "both in one query ms",
            "both / slower",
            "both / sum",
        ),
    )
    with two_regions(count) as auth_url:
        auth = KeystoneAuth(auth_url, username="u", password="p", project_name="p", user_domain_name="Default")
        with imgql.Client(auth=auth, page_size=page_size) as client:
            for label, text in QUERIES:
                contenders = {
                    region: _lister(client, text.format(regions=region)) for region in ("RegionOne", "RegionTwo")
                }
                contenders["both"] = _lister(client, text.format(regions="RegionOne, RegionTwo"))
                seconds = interleaved(contenders, repeat=2 if quick else 5, number=1)
                one, two, both = seconds["RegionOne"], seconds["RegionTwo"], seconds["both"]
                table.add(
                    label,
                    count,
                    one * 1000,
                    two * 1000,
                    (one + two) * 1000,
                    both * 1000,
                    both / max(one, two),
                    both / (one + two),
                )
    table.notes.append(
        f"loopback servers; every page answer waits {DELAYS['RegionOne'] * 1000:.0f} ms (RegionOne) or "
        f"{DELAYS['RegionTwo'] * 1000:.0f} ms (RegionTwo) first, standing in for a remote region; "
        f"pages of {page_size}; one Keystone token serves both regions"
    )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(run(quick=args.quick).render())


if __name__ == "__main__":
    main()
