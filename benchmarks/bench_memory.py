"""Table 5: peak memory while streaming many images.

A fake Glance (``httpx.MockTransport``) serves N generated records, paged by
``limit`` and ``marker`` and filtered by ``status`` as Glance does. imgql's
client streams the answer and the loop keeps nothing, so with a pushed-down
filter the peak (``tracemalloc``) should stay flat as N grows: one page at a
time. With an order the server cannot give (``order by name``: imgql sorts on
the client), every match must be held, and the peak grows with N.
"""

from __future__ import annotations

import argparse
import gc
import json
import tracemalloc
from typing import Any
from urllib.parse import urlencode

import httpx

from ._common import Table, say
from .records import records


class FakeGlance:
    def __init__(self, images: list[dict[str, Any]]) -> None:
        self.images = images
        self.index = {im["id"]: n for n, im in enumerate(images)}
        self.requests = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        params = request.url.params
        limit = min(int(params.get("limit", "25")), 1000)
        start = self.index[params["marker"]] + 1 if "marker" in params else 0
        status = params.get("status")
        page: list[dict[str, Any]] = []
        n = start
        while n < len(self.images) and len(page) < limit:
            image = self.images[n]
            if status is None or image["status"] == status:
                page.append(image)
            n += 1
        body: dict[str, Any] = {"images": page, "first": "/v2/images", "schema": "/v2/schemas/images"}
        if len(page) == limit:
            rest = [(k, v) for k, v in params.multi_items() if k != "marker"]
            body["next"] = "/v2/images?" + urlencode([*rest, ("marker", page[-1]["id"])])
        return httpx.Response(200, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"})


def peak(images: list[dict[str, Any]], text: str) -> tuple[float, int, int]:
    """Peak traced memory (MiB) while streaming ``text``; images seen; requests."""
    import imgql

    fake = FakeGlance(images)
    http = httpx.Client(transport=httpx.MockTransport(fake.handle), base_url="http://glance.test")
    client = imgql.Client("http://glance.test", "token", http=http, profile="glance")
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    baseline, _ = tracemalloc.get_traced_memory()
    seen = 0
    for _image in client.query(text):
        seen += 1
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    http.close()
    return (top - baseline) / 2**20, seen, fake.requests


QUERIES = (
    ("pushed-down filter, streamed", "images where status = active"),
    ("client-side sort (order by name)", "images where status = active order by name"),
)


def run(*, quick: bool = False, sizes: tuple[int, ...] | None = None) -> Table:
    sizes = sizes or ((500, 1_000, 2_000) if quick else (10_000, 25_000, 50_000))
    table = Table(
        "5. Peak memory while streaming (tracemalloc, MiB above the start; records generated beforehand)",
        ["query", *[f"{n:,} images" for n in sizes], "peak growth, largest / smallest", "requests (largest)"],
    )
    data = records(max(sizes))
    for label, text in QUERIES:
        # Once before measuring: first-use allocations (imports, compiled
        # patterns, caches) are not growth.
        peak(data[: min(sizes)], text)
        peaks = []
        requests = 0
        for n in sizes:
            mib, _seen, requests = peak(data[:n], text)
            peaks.append(mib)
        table.add(label, *peaks, peaks[-1] / peaks[0] if peaks[0] else float("nan"), requests)
    table.notes.append(
        f"sizes grow {sizes[-1] / sizes[0]:.0f}x; flat means the peak stays about one page "
        "(1,000 records as decoded JSON) whatever the number of images"
    )
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    say("table 5: memory ...")
    print(run(quick=args.quick).render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
