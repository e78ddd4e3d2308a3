"""Table 11: requests and images fetched at cloud scale, against the cheapest correct plan.

A real Glance seeded by :mod:`benchmarks.cloud_data` (a public cloud's shape),
read by a non-admin member of the project that owns a few private images.
For each query and page size (1,000 and 100):

- ``imgql``: ``imgql.Client(profile="glance")`` against the real Glance, as
  planned (probe included): requests, images in the responses, seconds;
- ``sdk``: ``conn.image.images(**filters, limit=page)`` against the real
  Glance, where openstacksdk's keywords express the query, else ``-``;
- ``list all`` and ``cheapest``: computed after the fact from the catalog.
  Every image the caller can see is listed once; the requests of a plan are
  then counted on it with the API model the test suite holds to the real
  Glance (``tests/api_model.py``), a listing of ``n`` images costing
  ``floor(n / page) + 1`` requests. ``list all`` is profile ``none``'s plan;
  ``cheapest`` the least of it, one wider request per partition (no union),
  and the union imgql's planner makes when unions are always allowed (exact
  ranges for lists on ordered fields), without a probe. For a query with a
  limit, imgql's own run counts too when it stopped earlier.

imgql's answer is checked against profile ``none``'s on the same catalog.

    python -m benchmarks.bench_cloud --images 10000          # seeds (kept) first
    python -m benchmarks.bench_cloud --url http://127.0.0.1:PORT
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import attrs
import httpx

from ._common import ROOT, Table, say, versions
from .cloud_data import CALLER_HEADERS, DEFAULT_DIR, running_glance, seed

__all__ = ["QUERIES", "run"]


@dataclass(frozen=True)
class Query:
    text: str
    # openstacksdk keywords that express it, and what Python must still check; None: not expressible
    sdk: dict[str, Any] | None = None
    sdk_rest: Callable[[dict[str, Any]], bool] = lambda im: True


def _tag(*tags: str) -> Callable[[dict[str, Any]], bool]:
    return lambda im: all(t in (im.get("tags") or ()) for t in tags)


QUERIES: tuple[Query, ...] = (
    # From the issue: lists the API has no list form for, visibilities, overlapping tags
    Query("images where protected in (false)", {"protected": False}),
    Query("images where size in (2604, 604B, 0.918KB)"),
    Query("images where min_ram in (512MiB, 1GiB, 8GiB)"),
    Query("images where visibility in (private, shared)"),
    Query("images where status = active and visibility in (public, community)"),
    Query("images where tag in (lts, gpu, fips)"),
    Query("images where tag in (cuda, fips)"),
    # Terraform-style lookups (most recent matching one)
    Query(
        "images where os_distro = ubuntu and os_version = '22.04' order by created_at desc limit 1",
        {"os_distro": "ubuntu", "os_version": "22.04", "sort": "created_at:desc"},
    ),
    Query(
        "images where name like 'debian-12-*' and visibility = public order by created_at desc limit 1",
        {"visibility": "public", "sort": "created_at:desc"},
        lambda im: str(im.get("name", "")).startswith("debian-12-"),
    ),
    Query("images where tag = lts and os_distro = rocky order by created_at desc limit 1"),
    Query("images where name = 'ubuntu-24.04-minimal-00042'", {"name": "ubuntu-24.04-minimal-00042"}),
    Query("images where id = '00000000-0000-0000-0000-000000000000'"),
    # Ansible-style lookups (filters, all matches)
    Query("images where owner = 'proj-mine'", {"owner": "proj-mine"}),
    Query("images where visibility = private", {"visibility": "private"}),
    Query("images where visibility = shared", {"visibility": "shared"}),
    Query("images where visibility = community and tag = gpu", {"visibility": "community", "tag": ["gpu"]}),
    Query("images where tag = lts and tag = arm64", {"tag": ["lts", "arm64"]}),
    Query("images where os_type = windows and min_ram >= 4GiB"),
    Query("images where architecture = aarch64 and status = active"),
    Query("images where hw_firmware_type = uefi and os_distro = fedora"),
    # Unions
    Query("images where os_distro = fedora or tag = fips"),
    Query("images where name = 'cirros-1-base-00007' or name = 'flatcar-2-server-00011' or tag = fips"),
    Query("images where visibility = private or tag = cuda"),
    Query("images where protected = true or status = queued"),
    Query("images where (tag = gpu or tag = cuda) and os_distro = ubuntu"),
    Query("images where disk_format in (qcow2, iso) and visibility = private"),
    # Ranges
    Query("images where size < 100", {"size_max": 99}),
    Query("images where size >= 8000B and tag = lts"),
    Query("images where min_disk >= 40 and min_disk <= 80"),
    Query("images where created_at > 1h ago"),
    Query("images where size in (1, 2, 3, 4)"),
    # Regular expressions and patterns
    Query("images where name ~ '^ubuntu-2[24]\\.04-(server|minimal)'"),
    Query("images where name like '*-k8s-node-*' and tag = k8s"),
    Query("images where os_version ~ '^(8|9)$' and os_distro in (rocky, almalinux)"),
    # Hidden and everything
    Query("images where hidden and os_distro = ubuntu"),
    Query("images where visibility = public order by name limit 20"),
)


class Counter:
    def __init__(self) -> None:
        self.requests = 0
        self.images = 0


class CountingTransport(httpx.BaseTransport):
    def __init__(self, counter: Counter) -> None:
        self.counter = counter
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        if request.url.path.rstrip("/").endswith("/v2/images"):
            self.counter.requests += 1
            with contextlib.suppress(ValueError):
                self.counter.images += len(httpx.Response(200, content=body).json().get("images", ()))
        return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)

    def close(self) -> None:
        self.inner.close()


class Snapshot:
    """Every image the caller can see (all visibilities, memberships and
    hidden states), listed once; the requests of any plan are then counted
    on it with the API model the test suite checks against the real Glance
    (tests/api_model.py): ``floor(n / page) + 1`` requests for ``n`` images."""

    def __init__(self, plain: httpx.Client) -> None:
        from .cloud_data import CALLER

        self.caller = CALLER
        self.images: list[dict[str, Any]] = []
        for hidden in ("false", "true"):
            marker = None
            while True:
                params = {"visibility": "all", "member_status": "all", "os_hidden": hidden, "limit": "1000"}
                if marker:
                    params["marker"] = marker
                body = plain.get("/v2/images", params=params).json()
                for image in body["images"]:
                    if image["visibility"] == "shared" and image["owner"] != CALLER:
                        image["_members"] = {CALLER: "accepted"}
                    self.images.append(image)
                if not body["images"] or "next" not in body:
                    break
                marker = body["images"][-1]["id"]

    def listed(self, params: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
        sys.path.insert(0, str(ROOT))
        from tests.api_model import list_images

        wanted = [(k, v) for k, v in params if k not in ("sort", "limit")]
        return list_images(tuple(wanted), self.images, self.caller)

    def cost(self, requests: Any, page: int) -> tuple[int, int]:
        """Requests and images fetched when every request is listed to its end."""
        total = fetched = 0
        for request in requests:
            found = len(self.listed(request.params))
            total += found // page + 1
            fetched += found
        return total, fetched

    def answer(self, text: str) -> list[str]:
        """The ids the query's answer holds, from profile none's listings."""
        import imgql
        from imgql.run.answer import plan_predicate

        plan = imgql.parse(text).plan("none")
        keep = plan_predicate(plan)
        seen: dict[str, None] = {}
        for request in plan.requests:
            for image in self.listed(request.params):
                if keep(image):
                    seen.setdefault(image["id"], None)
        return sorted(seen)


def _cheapest(snapshot: Snapshot, text: str, page: int) -> tuple[tuple[int, int, str], tuple[int, int]]:
    """The cheapest candidate plan, and the cost of listing everything."""
    import imgql
    from imgql.plan.capabilities import GLANCE, NONE

    query = imgql.parse(text)
    everything = snapshot.cost(query.plan(NONE).requests, page)
    candidates = {
        "one wider request": query.plan(attrs.evolve(GLANCE, union_share=-1.0)).requests,
        "union": query.plan(attrs.evolve(GLANCE, union_share=float("inf"))).requests,
    }
    best: tuple[int, int, str] = (*everything, "list all")
    for name, requests in candidates.items():
        requests_made, fetched = snapshot.cost(requests, page)
        if (requests_made, fetched) < best[:2]:
            best = (requests_made, fetched, name)
    return best, everything


def _sdk_connection(url: str, counter: Counter) -> Any:
    import openstack
    from keystoneauth1 import noauth
    from keystoneauth1 import session as ks_session

    session = ks_session.Session(auth=noauth.NoAuth(endpoint=url), additional_headers=CALLER_HEADERS)

    def count(response: Any, *args: Any, **kwargs: Any) -> None:
        if response.request.path_url.split("?")[0].rstrip("/").endswith("/v2/images"):
            counter.requests += 1
            counter.images += len(response.json().get("images", ()))

    session.session.hooks["response"].append(count)
    return openstack.connection.Connection(session=session, image_endpoint_override=url)


def run(url: str, *, pages: tuple[int, ...] = (1000, 100), limit: int | None = None) -> Table:
    import imgql

    counter = Counter()
    http = httpx.Client(base_url=url, headers=CALLER_HEADERS, transport=CountingTransport(counter), timeout=300)
    plain = httpx.Client(base_url=url, headers=CALLER_HEADERS, timeout=300)
    snapshot = Snapshot(plain)
    try:
        conn: Any = _sdk_connection(url, counter)
    except ImportError:
        conn = None
    table = Table(
        f"10. Cloud scale ({len(snapshot.images):,} images the caller can see): requests (images fetched)",
        ["#", "query", "page", "imgql", "list all", "sdk", "cheapest", "imgql / cheapest", "imgql s", "matches"],
    )
    misses: list[str] = []
    above_all: list[str] = []
    for number, query in enumerate(QUERIES[:limit], 1):
        truth = None if "limit" in query.text else snapshot.answer(query.text)
        for page in pages:
            client = imgql.Client(url, "unused", http=http, profile="glance", page_size=page)
            counter.requests = counter.images = 0
            started = time.perf_counter()
            ids = [im["id"] for im in client.records(query.text)]
            mine = (counter.requests, counter.images, time.perf_counter() - started)
            if truth is not None and sorted(ids) != truth:
                misses.append(f"#{number} at page {page}: WRONG ANSWER ({len(ids)} against {len(truth)})")
            sdk_cell = "-"
            if conn is not None and query.sdk is not None:
                counter.requests = counter.images = 0
                try:
                    list(conn.image.images(**query.sdk, limit=page))
                    sdk_cell = f"{counter.requests} ({counter.images})"
                except Exception as exc:  # openstacksdk's own errors: shown, not fatal
                    sdk_cell = f"error ({type(exc).__name__})"
            least, everything = _cheapest(snapshot, query.text, page)
            if "limit" in query.text and mine[0] < least[0]:
                least = (mine[0], mine[1], "as run, stopping at the limit")
            ratio = mine[0] / least[0] if least[0] else float("nan")
            if ratio > 1.1:
                misses.append(f"#{number} at page {page}: {mine[0]} requests, cheapest {least[0]} ({least[2]})")
            if mine[0] > everything[0]:
                above_all.append(f"#{number} at page {page} ({mine[0]} against {everything[0]})")
            table.add(
                number,
                query.text,
                page,
                f"{mine[0]} ({mine[1]})",
                f"{everything[0]} ({everything[1]})",
                sdk_cell,
                f"{least[0]} ({least[1]})",
                ratio,
                mine[2],
                len(ids),
            )
    met = len(table.rows) - sum(1 for m in misses if "WRONG" not in m)
    table.notes.append(f"goal imgql <= 1.1x cheapest: met on {met} of {len(table.rows)} rows")
    table.notes.extend(f"miss: {m}" for m in misses)
    table.notes.append(f"above listing everything: {', '.join(above_all) or 'never'}")
    table.notes.append(versions("openstacksdk", "httpx"))
    http.close()
    plain.close()
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--images", type=int, default=10000, help="images the Glance must hold (seeded on demand)")
    parser.add_argument("--url", help="a running Glance seeded by benchmarks.cloud_data")
    parser.add_argument("--limit", type=int, help="only the first N queries")
    args = parser.parse_args(argv)
    if args.url:
        print(run(args.url, limit=args.limit).render())
        return 0
    say(f"seeding up to {args.images} images ...")
    say(f"{seed(DEFAULT_DIR, args.images)}")
    with running_glance() as url:
        print(run(url, limit=args.limit).render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
