"""Table 3: HTTP requests, bytes and wall time against a real Glance.

Each query a user would type is answered three ways against the same server:

- ``imgql``: ``imgql.Client(...).query(text)`` with the ``glance`` and ``documented`` profiles;
- ``openstacksdk``: ``conn.image.images(**filters)`` with whatever openstacksdk can
  push down, the rest filtered in Python (openstacksdk's default page size, as people call it);
- ``fetch all``: plain httpx, every image by marker paging (``limit=1000``), filtered in Python.

Every answer is checked against the truth computed from the full listing, so
a wrong answer is reported as wrong rather than only timed. ``minimum`` is the
fewest requests any client can make for the query with this API: the cheaper
of the listings the query needs (one per branch of a union) and one full
listing, counting that Glance answers a full last page with a ``next`` link
and so needs one more (empty) request.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from ._common import Table, say, versions
from .glance_data import PROJECT, ensure_seeded, glance_installed, running_glance

HEADERS = {
    "X-Identity-Status": "Confirmed",
    "X-Project-Id": PROJECT,
    "X-User-Id": "bench-reader",
    "X-Roles": "reader,member",
}
PAGE = 1000

Image = dict[str, Any]


@dataclass(frozen=True)
class Case:
    label: str
    text: str  # imgql
    truth: Callable[[Image], bool]
    # openstacksdk: the filters it can push, and what Python must still check
    sdk_filters: dict[str, Any]
    sdk_residual: Callable[[Image], bool]
    # the listings the query needs at the least: predicates, one per request
    listings: tuple[Callable[[Image], bool], ...]
    order: tuple[str, bool] | None = None  # (field, descending)
    limit: int | None = None


def _has(tag: str) -> Callable[[Image], bool]:
    return lambda im: tag in im.get("tags", ())


def _size_below(bound: int) -> Callable[[Image], bool]:
    return lambda im: im.get("size") is not None and im["size"] < bound


def cases(names: list[str]) -> list[Case]:
    three = tuple(names[:3])
    import re

    regex = re.compile(r"^ubuntu-2[24]")
    return [
        Case(
            "tag + size",
            "images where tag = lts and size < 2KiB",
            lambda im: _has("lts")(im) and _size_below(2048)(im),
            {"tag": ["lts"], "size_max": 2047},
            lambda im: True,
            (lambda im: _has("lts")(im) and _size_below(2048)(im),),
        ),
        Case(
            "two tags",
            "images where tag = lts and tag = gpu",
            lambda im: _has("lts")(im) and _has("gpu")(im),
            {"tag": ["lts", "gpu"]},
            lambda im: True,
            (lambda im: _has("lts")(im) and _has("gpu")(im),),
        ),
        Case(
            "name in a list",
            "images where name in (" + ", ".join(f"'{n}'" for n in three) + ")",
            lambda im: im.get("name") in three,
            {"name": "in:" + ",".join(three)},
            lambda im: True,
            (lambda im: im.get("name") in three,),
        ),
        Case(
            "ordered top-N",
            "images order by created_at desc limit 10",
            lambda im: True,
            {"sort": "created_at:desc", "limit": 10},
            lambda im: True,
            (lambda im: True,),
            order=("created_at", True),
            limit=10,
        ),
        Case(
            "OR across fields",
            "images where os_distro = ubuntu or tag = gpu",
            lambda im: im.get("os_distro") == "ubuntu" or _has("gpu")(im),
            {},
            lambda im: im.get("os_distro") == "ubuntu" or _has("gpu")(im),
            (lambda im: im.get("os_distro") == "ubuntu", _has("gpu")),
        ),
        Case(
            "custom property",
            "images where os_distro = debian",
            lambda im: im.get("os_distro") == "debian",
            {"os_distro": "debian"},
            lambda im: im.get("os_distro") == "debian",
            (lambda im: im.get("os_distro") == "debian",),
        ),
        Case(
            "regex on name",
            "images where name ~ '^ubuntu-2[24]'",
            lambda im: regex.search(im.get("name") or "") is not None,
            {},
            lambda im: regex.search(im.get("name") or "") is not None,
            (),
        ),
    ]


def pages(matches: int, page: int = PAGE) -> int:
    """Requests Glance needs to list ``matches`` images, ``page`` at a time."""
    return matches // page + 1


def minimum(case: Case, everything: list[Image]) -> int:
    full = pages(len(everything))
    if case.limit is not None and case.order is not None:
        return 1
    if not case.listings:
        return full
    needed = sum(pages(sum(1 for im in everything if listing(im))) for listing in case.listings)
    return min(needed, full)


class Counter:
    def __init__(self) -> None:
        self.requests = 0
        self.bytes = 0

    def reset(self) -> None:
        self.requests = 0
        self.bytes = 0


class CountingTransport(httpx.BaseTransport):
    def __init__(self, counter: Counter) -> None:
        self.counter = counter
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        self.counter.requests += 1
        self.counter.bytes += len(body)
        return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)

    def close(self) -> None:
        self.inner.close()


def fetch_all(http: httpx.Client) -> Iterator[Image]:
    marker = None
    while True:
        params = {"limit": str(PAGE)}
        if marker:
            params["marker"] = marker
        body = http.get("/v2/images", params=params).json()
        yield from body["images"]
        if not body["images"] or "next" not in body:
            return
        marker = body["images"][-1]["id"]


def _ordered(case: Case, images: list[Image]) -> list[str]:
    if case.order is None:
        return sorted(im["id"] for im in images)
    field, descending = case.order
    ranked = sorted(images, key=lambda im: (im.get(field) or "", im["id"]), reverse=descending)
    return [im["id"] for im in ranked[: case.limit]]


def _sdk_connection(url: str, counter: Counter) -> Any:
    import openstack
    from keystoneauth1 import noauth
    from keystoneauth1 import session as ks_session

    session = ks_session.Session(auth=noauth.NoAuth(endpoint=url), additional_headers=HEADERS)

    def count(response: Any, *args: Any, **kwargs: Any) -> None:
        if "/v2/images" in response.url:
            counter.requests += 1
            counter.bytes += len(response.content)

    session.session.hooks["response"].append(count)
    return openstack.connection.Connection(session=session, image_endpoint_override=url)


def run(*, url: str, quick: bool = False) -> Table:
    import imgql

    counter = Counter()
    http = httpx.Client(base_url=url, headers=HEADERS, transport=CountingTransport(counter), timeout=120)
    everything = list(fetch_all(http))
    by_id = {im["id"]: im for im in everything}
    table = Table(
        f"3. Requests, bytes and wall time against Glance ({len(everything):,} images visible)",
        ["query", "client", "requests", "minimum", "KiB received", "seconds", "answer"],
    )
    names = sorted(im["name"] for im in everything)[:: max(1, len(everything) // 3)]
    try:
        conn = _sdk_connection(url, counter)
    except ImportError:
        conn = None
        table.notes.append("openstacksdk is not installed: its rows are missing (pip install openstacksdk)")
    repeat = 1 if quick else 3
    selected = cases(names)[:2] if quick else cases(names)
    wrong: list[str] = []
    for case in selected:
        truth = _ordered(case, [im for im in everything if case.truth(im)])
        least = minimum(case, everything)
        runners: dict[str, Callable[[], list[Image]]] = {}
        for profile in ("glance", "documented"):
            client = imgql.Client(url, "unused", http=http, profile=profile)
            runners[f"imgql ({profile})"] = lambda c=client, t=case.text: [dict(im) for im in c.records(t)]
        if conn is not None:

            def sdk(case: Case = case) -> list[Image]:
                listing = conn.image.images(**case.sdk_filters)
                if case.limit is not None:
                    listing = itertools.islice(listing, case.limit)
                found = [im.to_dict(computed=False) for im in listing]
                for im in found:
                    im.update(im.pop("properties", None) or {})
                return [im for im in found if case.sdk_residual(im)]

            runners["openstacksdk"] = sdk

        def everything_then_filter(case: Case = case) -> list[Image]:
            found = [im for im in fetch_all(http) if case.truth(im)]
            if case.order is not None:
                field, descending = case.order
                found.sort(key=lambda im: (im.get(field) or "", im["id"]), reverse=descending)
                found = found[: case.limit]
            return found

        runners["fetch all (httpx)"] = everything_then_filter
        for name, runner in runners.items():
            best = float("inf")
            for _ in range(repeat):
                counter.reset()
                started = time.perf_counter()
                got = runner()
                best = min(best, time.perf_counter() - started)
            answer = _ordered(case, got) if case.order is None else [im["id"] for im in got]
            if case.order is not None:
                # Ties (created_at has whole seconds) may come in any order: a
                # right answer has the truth's sort values, each on a match.
                field = case.order[0]
                values = [im.get(field) for im in got]
                right_values = [by_id[i].get(field) for i in truth]
                if values == right_values and len(set(answer)) == len(answer) and all(case.truth(im) for im in got):
                    answer = truth
            if answer == truth:
                verdict = f"right ({len(truth)})"
            else:
                extra = len(set(answer) - set(truth))
                missing = len(set(truth) - set(answer))
                verdict = f"WRONG: {len(answer)} returned, {extra} not matching, {missing} missed"
                wrong.append(f"{name} on {case.label!r}: {verdict}")
            table.add(case.label, name, counter.requests, least, counter.bytes / 1024, best, verdict)
    for name in ("imgql (glance)", "imgql (documented)"):
        by_case = {row[0]: row for row in table.rows if row[1] == name}
        others = [row for row in table.rows if row[1] not in ("imgql (glance)", "imgql (documented)")]
        worse = [
            row[0] for row in others if row[0] in by_case and by_case[row[0]][2] > row[2] and "WRONG" not in str(row[6])
        ]
        above_min = [label for label, row in by_case.items() if row[2] > row[3]]
        table.notes.append(
            f"{name}: more requests than a correct peer on {worse or 'no query'}; "
            f"above the minimum on {above_min or 'no query'}"
        )
    table.notes.extend(f"wrong answer: {w}" for w in wrong)
    table.notes.append(
        f"seconds: best of {repeat}; bytes are response bodies of GET /v2/images; openstacksdk uses the server's "
        f"default page (25) unless the query has a limit; {versions('openstacksdk', 'httpx')}"
    )
    http.close()
    return table


@contextlib.contextmanager
def glance_url(url: str | None, count: int) -> Iterator[str | None]:
    """The URL of a Glance with at least ``count`` images: the one given
    (seeded on demand), else one started on the kept data directory."""
    if url:
        ensure_seeded(url, count)
        yield url
        return
    if not glance_installed():
        yield None
        return
    with running_glance() as started:
        ensure_seeded(started, count)
        yield started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--glance-url")
    parser.add_argument("--images", type=int, default=5000)
    args = parser.parse_args(argv)
    with glance_url(args.glance_url, 50 if args.quick else args.images) as url:
        if url is None:
            print("table 3 skipped: Glance is not installed (python -m tests.glance install)")
            return 0
        say("table 3: requests against Glance ...")
        print(run(url=url, quick=args.quick).render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
