"""Differential conformance against a real Glance.

Every query of the corpus runs with the profiles glance, documented and none
against the server the suite started, with a small page size so that paging
is exercised. The three answers must be identical, and equal to the oracle
computed here in plain Python from what an admin sees. Pushing down must never
cost more requests than fetching everything: the whole corpus runs again at
page sizes 1, 7 and 1000, and at each the glance profile makes no more
requests than profile none and returns the same images.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import attrs
import httpx
import pytest

import imgql
from imgql.lang.ast import And, InList
from tests.conformance_corpus import CASES, REFUSED, Case, Scope
from tests.glance.visibility import visible_to_caller

pytestmark = pytest.mark.glance

PROFILES = ("glance", "documented", "none")
PAGE_SIZE = 9


# Page sizes at which the request-count guarantee is measured: a page of one
# image, a small page, and the server's largest.
GUARANTEE_PAGE_SIZES = (1, 7, 1000)


class Counter:
    def __init__(self) -> None:
        self.requests = 0
        self.next_links_followed = 0

    def __call__(self, request: httpx.Request) -> None:
        self.requests += 1


@pytest.fixture(scope="module")
def run(glance: Any) -> Iterator[Any]:
    counters = {profile: Counter() for profile in PROFILES}
    clients = {
        profile: imgql.Client(
            glance.url,
            http=httpx.Client(headers=glance.caller_headers, event_hooks={"request": [counters[profile]]}, timeout=60),
            profile=profile,
            page_size=PAGE_SIZE,
        )
        for profile in PROFILES
    }
    params = {"b1": glance.seeded.boundaries[0], "b2": glance.seeded.boundaries[1]}

    def execute(case: Case, profile: str) -> tuple[list[dict[str, Any]], int]:
        counter = counters[profile]
        before = counter.requests
        query = imgql.parse(case.query)
        bound = {k: v for k, v in params.items() if k in query.params}
        images = [image.raw for image in clients[profile].query(query, **bound)]
        return images, counter.requests - before

    yield execute
    for client in clients.values():
        client.close()


class _ReplayTransport(httpx.BaseTransport):
    """Answers a GET it has answered before from memory. The catalog does not
    change while the corpus runs, and profile none lists the same pages for
    most queries; the clients still count every request they make."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self._answers: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[int, list[tuple[str, str]], bytes]] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        key = (str(request.url), tuple(sorted((k, v) for k, v in request.headers.items() if k.startswith("x-"))))
        known = self._answers.get(key)
        if known is None:
            response = self._inner.handle_request(request)
            content = response.read()
            response.close()
            known = (response.status_code, list(response.headers.items()), content)
            if response.status_code == 200:
                self._answers[key] = known
        status, headers, content = known
        kept = [(k, v) for k, v in headers if k.lower() not in ("content-encoding", "transfer-encoding")]
        return httpx.Response(status, headers=kept, content=content, request=request)

    def close(self) -> None:
        self._inner.close()


@pytest.fixture(scope="module")
def run_at(glance: Any) -> Iterator[Any]:
    """Runs a case with a profile at a page size; returns the images and the
    number of requests made."""
    transport = _ReplayTransport()
    counters: dict[tuple[str, int], Counter] = {}
    clients: dict[tuple[str, int], imgql.Client] = {}
    params = {"b1": glance.seeded.boundaries[0], "b2": glance.seeded.boundaries[1]}

    def execute(case: Case, profile: str, page_size: int) -> tuple[list[dict[str, Any]], int]:
        key = (profile, page_size)
        if key not in clients:
            counters[key] = Counter()
            http = httpx.Client(
                headers=glance.caller_headers,
                event_hooks={"request": [counters[key]]},
                timeout=60,
                transport=transport,
            )
            clients[key] = imgql.Client(glance.url, http=http, profile=profile, page_size=page_size)
        before = counters[key].requests
        query = imgql.parse(case.query)
        bound = {k: v for k, v in params.items() if k in query.params}
        images = [image.raw for image in clients[key].query(query, **bound)]
        return images, counters[key].requests - before

    yield execute
    for client in clients.values():
        client.close()
    transport.close()


def _ids(images: list[dict[str, Any]]) -> list[str]:
    return [image["id"] for image in images]


def _listing(glance: Any, scope: Scope) -> list[dict[str, Any]]:
    """What the caller's listings in this scope hold, from the admin's view."""
    seen: dict[str, dict[str, Any]] = {}
    for status in scope.member_status:
        for hidden in scope.hidden:
            for image in visible_to_caller(
                glance.seeded, visibility=scope.visibility, member_status=status, hidden=hidden
            ):
                seen.setdefault(image["id"], image)
    return list(seen.values())


def _oracle(glance: Any, case: Case) -> list[dict[str, Any]] | None:
    if case.oracle is None:
        return None
    return [image for image in _listing(glance, case.scope) if case.oracle(image)]


@pytest.mark.parametrize("case", CASES, ids=[c.query for c in CASES])
def test_profiles_agree_with_each_other_and_the_oracle(glance: Any, run: Any, case: Case) -> None:
    query = imgql.parse(case.query)
    answers = {profile: run(case, profile) for profile in PROFILES}
    baseline, baseline_requests = answers["none"]

    for profile, (images, requests) in answers.items():
        ids = _ids(images)
        assert len(ids) == len(set(ids)), f"{profile}: an image came twice"
        if query.limit is not None:
            assert len(ids) <= query.limit, f"{profile}: the limit was not honoured"
        if profile != "none":
            assert requests <= baseline_requests, (
                f"{profile} made {requests} requests, more than fetching everything ({baseline_requests})"
            )

    if query.order_by and case.key is not None:
        expected_keys = [case.key(i) for i in baseline]
        for profile, (images, _) in answers.items():
            assert [case.key(i) for i in images] == expected_keys, f"{profile}: order differs from profile none"
            assert (
                expected_keys == sorted(expected_keys, reverse=query.order_by[0].descending) or len(query.order_by) > 1
            )
    elif query.limit is None or query.order_by:
        for profile, (images, _) in answers.items():
            assert sorted(_ids(images)) == sorted(_ids(baseline)), f"{profile}: answer differs from profile none"

    expected = _oracle(glance, case)
    if expected is None:
        return
    expected_ids = set(_ids(expected))
    for profile, (images, _) in answers.items():
        got = set(_ids(images))
        if query.limit is None:
            assert got == expected_ids, (
                f"{profile}: {len(got - expected_ids)} unexpected, {len(expected_ids - got)} missing"
            )
        else:
            assert got <= expected_ids, f"{profile}: returned images the oracle rejects"
            assert len(got) == min(query.limit, len(expected_ids)), f"{profile}: wrong number of images"
            if case.key is not None and len(query.order_by) == 1:
                ordered = sorted(expected, key=case.key, reverse=query.order_by[0].descending)
                want = [case.key(i) for i in ordered[: query.limit]]
                assert [case.key(i) for i in images] == want, f"{profile}: not the first rows of the order"


@pytest.mark.parametrize("page_size", GUARANTEE_PAGE_SIZES)
def test_pushdown_never_costs_more_than_listing_everything(run_at: Any, page_size: int) -> None:
    """Over the whole corpus, at this page size: profile glance makes no more
    requests than profile none, and returns the same images (in the same
    order when the query has one, so ties are broken the same way)."""
    costlier: list[str] = []
    different: list[str] = []
    for case in CASES:
        query = imgql.parse(case.query)
        wide, wide_requests = run_at(case, "none", page_size)
        pushed, pushed_requests = run_at(case, "glance", page_size)
        if pushed_requests > wide_requests:
            costlier.append(f"{case.query}: {pushed_requests} requests against {wide_requests}")
        if query.order_by:
            same = _ids(pushed) == _ids(wide)
        elif query.limit is None:
            same = sorted(_ids(pushed)) == sorted(_ids(wide))
        else:
            same = len(pushed) == len(wide)  # any rows of the answer, as many as the limit allows
        if not same:
            different.append(case.query)
    assert not costlier, f"at page size {page_size}, pushdown cost more than listing everything:\n" + "\n".join(
        costlier
    )
    assert not different, f"at page size {page_size}, different images:\n" + "\n".join(different)


def test_the_corpus_is_large_and_mostly_checked_by_an_oracle() -> None:
    assert len(CASES) >= 150
    assert sum(c.oracle is not None for c in CASES) >= 0.75 * len(CASES)


def test_dates_between_batches_have_real_answers(glance: Any, run: Any) -> None:
    b1, b2 = (dt.datetime.fromisoformat(b) for b in glance.seeded.boundaries[:2])
    images, _ = run(Case("images where created_at >= $b1 and created_at < $b2"), "glance")
    assert images, "the middle batch is empty"
    for image in images:
        created = dt.datetime.fromisoformat(image["created_at"])
        assert b1 <= created < b2


@pytest.mark.parametrize("page_size", [1, 2**63 - 1, 2**64])
def test_page_sizes_at_the_edges_of_what_the_server_takes(glance: Any, run_at: Any, page_size: int) -> None:
    """The page size is sent as `limit`, which Glance takes from 1 up to past
    2**64 (capping it at its largest page)."""
    case = Case("images where tag = lts or size = 1e19", lambda r: "lts" in (r.get("tags") or []))
    images, _ = run_at(case, "glance", page_size)
    expected = _oracle(glance, case)
    assert expected is not None
    assert sorted(_ids(images)) == sorted(_ids(expected))


# Every fourth case: enough to cover each kind of plan (one request, unions,
# client-side sorts, limits) without running the whole corpus twice more.
REGION_CASES = CASES[::4]


@pytest.fixture(scope="module")
def in_one_region(glance: Any) -> Iterator[imgql.Client]:
    """A client told its endpoint is RegionOne's, for queries naming that region."""
    http = httpx.Client(headers=glance.caller_headers, timeout=60)
    with http, imgql.Client(glance.url, http=http, region="RegionOne", page_size=PAGE_SIZE) as client:
        yield client


@pytest.mark.parametrize("case", REGION_CASES, ids=[c.query for c in REGION_CASES])
def test_a_region_list_of_one_region_answers_as_without(glance: Any, in_one_region: imgql.Client, case: Case) -> None:
    params = {"b1": glance.seeded.boundaries[0], "b2": glance.seeded.boundaries[1]}
    query = imgql.parse(case.query)
    bound = {k: v for k, v in params.items() if k in query.params}
    # The region condition joined to the query, through its canonical text.
    region = InList("region", ("RegionOne",))
    joined = region if query.where is None else And((region, query.where))
    located = imgql.parse(str(attrs.evolve(query, where=joined)))
    without = list(in_one_region.query(query, **bound))
    assert located.plan(**bound).places.regions == ("RegionOne",)
    within = list(in_one_region.query(located, **bound))
    assert [i.id for i in within] == [i.id for i in without]
    assert {i.region for i in within} <= {"RegionOne"}


@pytest.mark.parametrize(("text", "error"), REFUSED, ids=[text for text, _ in REFUSED])
def test_refused_queries_fail_when_read_and_make_no_request(
    glance: Any, run: Any, text: str, error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        run(Case(text), "glance")
    assert isinstance(caught.value, imgql.Error)
    assert caught.value.column is not None  # type: ignore[attr-defined]


@pytest.mark.parametrize("query", ["images limit 5", "images where tag = lts limit 3", "images"])
def test_an_offline_catalog_answers_in_the_clouds_default_order(glance: Any, run: Any, query: str) -> None:
    """Whatever order the file lists them in, an offline catalog of what the
    caller sees answers as the cloud does: newest first (shown seconds; the
    cloud breaks ties within a second by a fraction the records do not show)."""
    live, _ = run(Case(query), "glance")
    members = {
        image_id: {glance.seeded.caller_project: status} for image_id, status in glance.seeded.memberships.items()
    }
    for records in (list(glance.seeded.images), list(reversed(glance.seeded.images))):
        catalog = imgql.Catalog(records, project=glance.seeded.caller_project, members=members)
        offline = [image.raw for image in catalog.query(query)]
        assert [i["created_at"] for i in offline] == [i["created_at"] for i in live]
        if imgql.parse(query).limit is None:
            assert sorted(_ids(offline)) == sorted(_ids(live))
