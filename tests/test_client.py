"""imgql.Client and imgql.AsyncClient against an in-test Glance: paging,
limits, laziness, unions, the caller's HTTP client, credentials.

Every behaviour shared by the two clients runs against both (the ``kind``
fixture), so they cannot drift apart.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import math
import subprocess
import sys
import threading
from typing import Any

import httpx
import pytest

import imgql
from imgql.http.credentials import Credentials

from .fakeglance import ENDPOINT, RUNNERS, TOKEN, FakeGlance, Runner, SyncRunner, make_image


def catalog_images() -> list[dict[str, Any]]:
    images = []
    for n in range(40):
        fields: dict[str, Any] = {"tags": []}
        if n % 2 == 0:
            fields["tags"].append("lts")
        if n % 3 == 0:
            fields["tags"].append("gpu")
        if n % 5 == 0:
            fields["tags"].append("beta")
        distro = {0: "ubuntu", 1: "ubuntu", 2: "debian"}.get(n % 4)
        if distro:
            fields["os_distro"] = distro
        if n in (10, 11, 12):
            fields["name"] = "dup"
        images.append(make_image(n, **fields))
    images[39].update(os_hidden=True)
    images[38].update(status="queued", size=None, disk_format=None)
    images[37].update(owner="p-other", visibility="private")
    images[36].update(owner="p-other", visibility="shared")
    images[35].update(owner="p-other", visibility="shared")
    return images


MEMBERS = {
    "00000000-0000-4000-8000-000000000036": {"p-me": "accepted"},
    "00000000-0000-4000-8000-000000000035": {"p-me": "pending"},
}


@pytest.fixture
def fake() -> FakeGlance:
    return FakeGlance(catalog_images(), tokens={TOKEN}, members=MEMBERS)


@pytest.fixture(params=sorted(RUNNERS))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run(kind: str, fake: FakeGlance, **options: Any) -> Runner:
    return RUNNERS[kind](fake, **options)


def expected(fake: FakeGlance, text: str, **params: Any) -> list[str]:
    """The answer computed offline over what the caller may see, in the
    server's default order where the query has none."""
    records = sorted(fake.visible(), key=lambda r: (r["created_at"], r["id"]), reverse=True)
    return [image.id for image in imgql.Catalog(records).query(text, **params)]


def params_of(request: httpx.Request) -> list[tuple[str, str]]:
    return list(request.url.params.multi_items())


# --------------------------------------------------------------------------- paging


def test_multi_tag_pages_are_built_from_the_plan_not_the_next_link(kind: str, fake: FakeGlance) -> None:
    text = "images where tag = lts and tag = gpu"
    runner = run(kind, fake, page_size=2)
    ids = runner.ids(text)
    want = expected(fake, text)
    assert ids == want and len(want) == 7
    # 7 matches in pages of 2: 4 pages, the last one short.
    assert len(fake.listings) == math.ceil(len(want) / 2)
    base = list(imgql.parse(text).plan().requests[0].params)
    for k, request in enumerate(fake.listings):
        marker = [("marker", ids[2 * k - 1])] if k else []
        assert params_of(request) == [*base, ("limit", "2"), *marker]
    # The trap is real: the server's next link keeps only the last tag.
    first = fake.page(fake.listings[0])
    assert "tag=lts" not in first.json()["next"] and "tag=gpu" in first.json()["next"]


def test_a_full_last_page_ends_with_an_empty_page(kind: str, fake: FakeGlance) -> None:
    text = "images where tag = gpu and tag = lts and tag = beta"
    ids = run(kind, fake, page_size=1).ids(text)
    assert ids == expected(fake, text) and len(ids) == 2
    assert len(fake.listings) == 3  # each full page has a next link


def test_server_capping_the_page_size_does_not_end_the_listing(kind: str) -> None:
    fake = FakeGlance([make_image(n, tags=["lts"]) for n in range(12)], api_limit_max=3)
    ids = run(kind, fake, page_size=10).ids("images where tag = lts")
    assert len(ids) == 12 and len(set(ids)) == 12
    assert len(fake.listings) == 5  # 4 full pages of 3, then an empty one
    assert all(dict(params_of(r))["limit"] == "10" for r in fake.listings)


@pytest.mark.parametrize(
    "endpoint",
    [ENDPOINT, ENDPOINT + "/", ENDPOINT + "/v2", ENDPOINT + "/v2/"],
)
def test_endpoint_with_or_without_v2(kind: str, fake: FakeGlance, endpoint: str) -> None:
    assert run(kind, fake, endpoint=endpoint).ids("images where name = 'image-004'") == [make_image(4)["id"]]
    assert [str(r.url.copy_with(query=None)) for r in fake.listings] == [ENDPOINT + "/v2/images"]


def test_endpoint_below_a_path(kind: str) -> None:
    fake = FakeGlance([make_image(1)], root="/image")
    assert len(run(kind, fake, endpoint="https://cloud.test/image/v2/").ids("images")) == 1
    assert str(fake.listings[0].url).startswith("https://cloud.test/image/v2/images?")


def test_the_default_page_is_the_largest_the_server_serves(kind: str, fake: FakeGlance) -> None:
    run(kind, fake).ids("images where tag = lts")
    assert [dict(params_of(r))["limit"] for r in fake.listings] == ["1000"]


# --------------------------------------------------------------------------- limits and laziness


def test_limit_sent_as_page_size_makes_one_request(kind: str, fake: FakeGlance) -> None:
    text = "images where tag = lts order by id desc limit 3"
    ids = run(kind, fake).ids(text)
    assert ids == expected(fake, text)
    assert len(fake.listings) == 1
    assert params_of(fake.listings[0]) == [("tag", "lts"), ("sort", "id:desc"), ("limit", "3")]


def test_a_limit_over_a_time_reads_the_last_second_to_its_end(kind: str, fake: FakeGlance) -> None:
    text = "images where tag = lts order by created_at desc limit 3"
    assert run(kind, fake).ids(text) == expected(fake, text)
    assert len(fake.listings) == 1
    assert params_of(fake.listings[0]) == [("tag", "lts"), ("sort", "created_at:desc,id:desc"), ("limit", "1000")]


def test_page_size_bounds_the_plan_page_size(kind: str, fake: FakeGlance) -> None:
    text = "images where tag = lts order by created_at desc limit 3"
    assert run(kind, fake, page_size=2).ids(text) == expected(fake, text)
    assert [dict(params_of(r))["limit"] for r in fake.listings] == ["2", "2"]


def test_paging_stops_once_the_limit_is_met(kind: str, fake: FakeGlance) -> None:
    text = "images where name like '*5' order by id asc limit 2"
    ids = run(kind, fake, page_size=4).ids(text)
    assert ids == expected(fake, text)
    # The pages needed to reach the second match in id order, and no more.
    order = sorted(i["id"] for i in fake.visible() if not i["os_hidden"])
    position = order.index(ids[-1])
    assert len(fake.listings) == position // 4 + 1


def test_first_image_after_the_first_page_and_breaking_makes_no_request(kind: str, fake: FakeGlance) -> None:
    runner = run(kind, fake, page_size=2)
    assert len(runner.images("images where tag = lts", take=1)) == 1
    assert len(fake.listings) == 1
    assert len(runner.images("images where tag = lts", take=3)) == 3
    assert len(fake.listings) == 1 + 2


def test_sync_iteration_is_lazy(fake: FakeGlance) -> None:
    with httpx.Client(transport=fake.transport()) as http:
        client = imgql.Client(ENDPOINT, TOKEN, http=http, page_size=2)
        images = client.query("images where tag = lts")
        assert fake.listings == []  # planned, not fetched
        next(images)
        next(images)
        assert len(fake.listings) == 1
        next(images)
        assert len(fake.listings) == 2
        del images
        gc.collect()
        assert len(fake.listings) == 2


def test_limit_zero_and_contradictions_make_no_request(kind: str, fake: FakeGlance) -> None:
    runner = run(kind, fake)
    assert runner.ids("images limit 0") == []
    assert runner.ids("images where size > 5GB and size < 1GB") == []
    assert fake.requests == []


# --------------------------------------------------------------------------- unions


def test_a_union_is_not_sent_when_the_wider_request_fits_in_one_page(kind: str, fake: FakeGlance) -> None:
    text = "images where tag = gpu or tag = beta"
    assert len(imgql.parse(text).plan().requests) == 2
    assert run(kind, fake).ids(text) == expected(fake, text)
    assert [params_of(r) for r in fake.listings] == [[("limit", "1000")]]


def test_union_deduplicates(kind: str, fake: FakeGlance) -> None:
    text = "images where tag = gpu or tag = beta"
    assert len(imgql.parse(text).plan().requests) == 2
    ids = run(kind, fake, page_size=PROBE_PAGE).ids(text)
    assert ids == expected(fake, text)
    assert len(ids) == len(set(ids))
    assert any("gpu" in fake.images[i]["tags"] and "beta" in fake.images[i]["tags"] for i in ids)
    probe, *union = fake.listings
    assert params_of(probe) == [("limit", str(PROBE_PAGE))]
    assert {params_of(r)[0] for r in union} == {("tag", "gpu"), ("tag", "beta")}


# A page smaller than the fake catalog, so that the wider request's first page
# is not its last and the union is sent.
PROBE_PAGE = 3


def test_union_merges_ordered_streams_page_by_page(kind: str, fake: FakeGlance) -> None:
    text = "images where os_distro = ubuntu or os_distro = debian order by name asc"
    ids = run(kind, fake, page_size=3).ids(text)
    assert ids == expected(fake, text)
    per_distro = {
        d: sum(1 for i in fake.visible() if i.get("os_distro") == d and not i["os_hidden"])
        for d in ("ubuntu", "debian")
    }
    assert len(fake.listings) == 1 + sum(n // 3 + 1 for n in per_distro.values())  # the probe, then the union


def test_a_limit_with_a_server_order_is_one_wider_request_not_a_union(kind: str) -> None:
    images = [make_image(n, os_distro="ubuntu" if n % 2 else "debian") for n in range(8)]
    fake = FakeGlance(images)
    text = "images where os_distro = ubuntu or os_distro = debian order by id asc limit 5"
    assert run(kind, fake, page_size=2).ids(text) == [make_image(n)["id"] for n in range(5)]
    # A limit with a server-side order: one wider request stops where the
    # limit is met, so no union: [0, 1] [2, 3] [4, 5].
    assert len(fake.listings) == 3


def test_union_sorted_on_the_client_reads_every_page(kind: str, fake: FakeGlance) -> None:
    text = "images where tag = gpu or tag = beta order by os_distro asc, name asc limit 4"
    plan = imgql.parse(text).plan()
    assert plan.client_sort and len(plan.requests) == 2
    assert run(kind, fake, page_size=4).ids(text) == expected(fake, text)
    gpu = sum(1 for i in fake.visible() if "gpu" in i["tags"] and not i["os_hidden"])
    beta = sum(1 for i in fake.visible() if "beta" in i["tags"] and not i["os_hidden"])
    assert len(fake.listings) == 1 + (gpu // 4 + 1) + (beta // 4 + 1)  # the probe, then the union


def test_sync_union_first_pages_are_fetched_concurrently(fake: FakeGlance) -> None:
    barrier = threading.Barrier(2, timeout=5)
    seen: list[str] = []

    def both_in_flight(request: httpx.Request) -> None:
        seen.append(str(request.url))
        if 2 <= len(seen) <= 3:  # after the probe
            barrier.wait()  # breaks (and the test fails) unless two requests wait together

    fake.on_request = both_in_flight
    text = "images where tag = gpu or tag = beta"
    assert SyncRunner(fake, page_size=PROBE_PAGE).ids(text) == expected(fake, text)
    assert not [t for t in threading.enumerate() if t.name.startswith("imgql")]


UNION = "images where tag = gpu or tag = beta or tag = lts"


def _async_peak(fake: FakeGlance, **options: Any) -> tuple[list[str], int]:
    """The ids an AsyncClient returns for UNION, and the most requests it had in flight at once."""
    in_flight = 0
    most = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        for _ in range(5):
            await asyncio.sleep(0)
        in_flight -= 1
        return fake.handler(request)

    async def main() -> list[str]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            client = imgql.AsyncClient(ENDPOINT, TOKEN, http=http, **options)
            return [image.id async for image in client.query(UNION)]

    return asyncio.run(main()), most


def test_async_union_first_pages_are_fetched_concurrently(fake: FakeGlance) -> None:
    ids, most = _async_peak(fake, page_size=PROBE_PAGE)
    assert ids == expected(fake, UNION)
    assert most == 3


def test_async_concurrency_is_bounded(fake: FakeGlance) -> None:
    ids, most = _async_peak(fake, concurrency=2, page_size=PROBE_PAGE)
    assert len(ids) > 0
    assert most == 2


def test_sync_union_threads_end_when_the_consumer_stops(fake: FakeGlance) -> None:
    runner = SyncRunner(fake, page_size=2)
    assert len(runner.images("images where tag = gpu or tag = beta", take=1)) == 1
    assert len(fake.listings) == 3  # the probe and the two first pages, nothing more
    assert not [t for t in threading.enumerate() if t.name.startswith("imgql")]


# --------------------------------------------------------------------------- surface


def test_one(kind: str, fake: FakeGlance) -> None:
    runner = run(kind, fake)
    image = runner.one("images where tag = gpu order by created_at desc limit 1")
    assert isinstance(image, imgql.Image) and image.id == expected(fake, "images where tag = gpu")[0]
    with pytest.raises(imgql.NotFound):
        runner.one("images where name = nothing")
    with pytest.raises(imgql.MultipleFound, match="expected exactly one"):
        runner.one("images where tag = gpu")


def test_records_are_the_raw_dicts(kind: str, fake: FakeGlance) -> None:
    records = run(kind, fake).records("images where name = 'image-007'")
    assert records == [fake.images[make_image(7)["id"]]]
    assert isinstance(records[0], dict)


def test_query_objects_and_bound_parameters(kind: str, fake: FakeGlance) -> None:
    runner = run(kind, fake)
    assert runner.ids(imgql.parse("images where name = 'image-003'")) == [make_image(3)["id"]]
    assert runner.ids("images where name = $name", name="image-005") == [make_image(5)["id"]]
    assert runner.ids("images where name = $name", name=["image-005", "image-006"]) == [
        make_image(6)["id"],
        make_image(5)["id"],
    ]


def test_plan_is_the_plan_that_runs(fake: FakeGlance) -> None:
    with httpx.Client(transport=fake.transport()) as http:
        client = imgql.Client(ENDPOINT, TOKEN, http=http, profile="documented")
        plan = client.plan("images where os_distro = ubuntu and tag = lts")
        assert plan == imgql.parse("images where os_distro = ubuntu and tag = lts").plan("documented")
        assert plan.profile == "documented"
        assert {i.id for i in client.query(plan)} == set(
            expected(fake, "images where os_distro = ubuntu and tag = lts")
        )
        assert params_of(fake.listings[0]) == [("tag", "lts"), ("limit", "1000")]
        with pytest.raises(imgql.QuerySyntaxError):
            client.query("images where where")
        assert fake.requests[1:] == []


def test_connect_is_a_client(fake: FakeGlance) -> None:
    with httpx.Client(transport=fake.transport()) as http, imgql.connect(ENDPOINT, TOKEN, http=http) as client:
        assert isinstance(client, imgql.Client)
        assert len(list(client.query("images where tag = gpu"))) > 0


def test_unknown_profile_and_bad_options() -> None:
    with pytest.raises(imgql.PlanError):
        imgql.Client(ENDPOINT, TOKEN, profile="nope")
    with pytest.raises(imgql.ConfigError):
        imgql.Client(ENDPOINT, TOKEN, page_size=0)
    with pytest.raises(imgql.ConfigError):
        imgql.Client(ENDPOINT, TOKEN, retries=-1)
    with pytest.raises(imgql.ConfigError):
        imgql.Client(ENDPOINT, TOKEN, http=httpx.AsyncClient())  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the caller's HTTP client


def test_sync_caller_client_is_used_and_kept_open(fake: FakeGlance) -> None:
    hooked: list[str] = []
    http = httpx.Client(
        transport=fake.transport(),
        headers={"X-Trace": "abc", "User-Agent": "myapp/1.0"},
        event_hooks={"request": [lambda r: hooked.append(r.url.path)]},
    )
    with imgql.Client(ENDPOINT, TOKEN, http=http, page_size=5) as client:
        assert len(list(client.query("images where tag = lts"))) == len(expected(fake, "images where tag = lts"))
    assert not http.is_closed
    assert hooked == [r.url.path for r in fake.requests] and len(hooked) == len(fake.listings) > 1
    headers = fake.listings[0].headers
    assert headers["x-trace"] == "abc"
    assert headers["x-auth-token"] == TOKEN
    assert headers["accept"] == "application/json"
    assert headers["user-agent"] == f"myapp/1.0 imgql/{imgql.__version__}"
    http.close()


def test_async_caller_client_is_used_and_kept_open(fake: FakeGlance) -> None:
    hooked: list[str] = []

    async def hook(request: httpx.Request) -> None:
        hooked.append(request.url.path)

    async def main() -> httpx.AsyncClient:
        http = httpx.AsyncClient(
            transport=fake.transport(), headers={"X-Trace": "abc"}, event_hooks={"request": [hook]}
        )
        async with imgql.AsyncClient(ENDPOINT, TOKEN, http=http) as client:
            assert len([i async for i in client.query("images where tag = lts")]) > 0
        assert not http.is_closed
        await http.aclose()
        return http

    asyncio.run(main())
    assert hooked == ["/v2/images"]
    headers = fake.listings[0].headers
    assert headers["x-trace"] == "abc" and headers["x-auth-token"] == TOKEN
    assert headers["user-agent"] == f"imgql/{imgql.__version__}"


def test_own_client_is_closed_and_takes_tls_settings(tmp_path: Any) -> None:
    client = imgql.Client(ENDPOINT, TOKEN, verify=False, timeout=5)
    http = client._http
    assert http.timeout == httpx.Timeout(5)
    client.close()
    assert http.is_closed
    with pytest.raises(imgql.ConfigError, match="CA bundle"):
        bundle = tmp_path / "ca.pem"
        bundle.write_text("not a certificate")
        imgql.Client(ENDPOINT, TOKEN, verify=str(bundle))

    async def main() -> None:
        async with imgql.AsyncClient(ENDPOINT, TOKEN) as client:
            http = client._http
        assert http.is_closed

    asyncio.run(main())


def test_closed_client_refuses_to_query(fake: FakeGlance) -> None:
    with httpx.Client(transport=fake.transport()) as http:
        client = imgql.Client(ENDPOINT, TOKEN, http=http, page_size=2)
        images = client.query("images where tag = lts")
        next(images)
        client.close()
        with pytest.raises(imgql.Error, match="closed"):
            list(images)
        assert len(fake.listings) == 1
        assert "closed" in repr(client)
        with pytest.raises(imgql.Error, match="closed"):
            list(client.query("images"))


# --------------------------------------------------------------------------- credentials


class FakeAuth:
    """An Auth whose tokens come from a list; refresh takes the next one."""

    def __init__(self, tokens: list[str], endpoint: str = ENDPOINT + "/v2", can_refresh: bool = True) -> None:
        self.tokens = tokens
        self.endpoint_url = endpoint
        self.can_refresh = can_refresh
        self.index = 0
        self.refreshes = 0

    def get(self, http: httpx.Client, *, refresh: bool = False) -> Credentials:
        assert isinstance(http, httpx.Client)
        return self._next(refresh)

    async def aget(self, http: httpx.AsyncClient, *, refresh: bool = False) -> Credentials:
        assert isinstance(http, httpx.AsyncClient)
        return self._next(refresh)

    def _next(self, refresh: bool) -> Credentials:
        if refresh:
            self.refreshes += 1
            self.index = min(self.index + 1, len(self.tokens) - 1)
        return Credentials(self.endpoint_url, self.tokens[self.index])


def test_static_token_refused_is_an_authentication_error(kind: str, fake: FakeGlance) -> None:
    error = run(kind, fake, token="wrong-token").error("images")
    assert isinstance(error, imgql.AuthenticationError) and error.status_code == 401
    assert len(fake.listings) == 1
    assert "wrong-token" not in str(error)


def test_keystone_token_renewed_once_on_401(kind: str, fake: FakeGlance) -> None:
    fake.tokens = {"fresh"}
    auth = FakeAuth(["stale", "fresh"])
    ids = run(kind, fake, endpoint=None, token=None, auth=auth, page_size=10).ids("images where tag = lts")
    assert ids == expected(fake, "images where tag = lts")
    assert auth.refreshes == 1
    assert [r.headers["x-auth-token"] for r in fake.listings] == ["stale", "fresh", "fresh", "fresh"]


def test_a_second_401_is_an_authentication_error(kind: str, fake: FakeGlance) -> None:
    fake.tokens = {"never"}
    auth = FakeAuth(["stale", "fresh", "fresher"])
    error = run(kind, fake, endpoint=None, token=None, auth=auth).error("images")
    assert isinstance(error, imgql.AuthenticationError)
    assert "newly issued token was refused" in str(error)
    assert auth.refreshes == 1 and len(fake.listings) == 2
    assert "stale" not in str(error) and "fresh" not in str(error)


def test_auth_cannot_be_combined_with_an_endpoint() -> None:
    with pytest.raises(imgql.ConfigError):
        imgql.Client(ENDPOINT, TOKEN, auth=FakeAuth(["x"]))


def test_credentials_from_the_environment(fake: FakeGlance, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("OS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("OS_IMAGE_URL", ENDPOINT + "/v2/")
    monkeypatch.setenv("OS_TOKEN", TOKEN)
    with httpx.Client(transport=fake.transport()) as http:
        client = imgql.Client(http=http)
        assert len(list(client.query("images where tag = gpu"))) > 0
    assert fake.listings[0].headers["x-auth-token"] == TOKEN
    monkeypatch.delenv("OS_IMAGE_URL")
    monkeypatch.delenv("OS_TOKEN")
    with pytest.raises(imgql.ConfigError):
        imgql.Client()


def test_unauthenticated_endpoint_sends_no_token(kind: str) -> None:
    fake = FakeGlance([make_image(1)])
    assert len(run(kind, fake, token=None).ids("images")) == 1
    assert "x-auth-token" not in fake.listings[0].headers


# --------------------------------------------------------------------------- imports and logs


def test_parsing_does_not_import_httpx() -> None:
    code = (
        "import sys, imgql; q = imgql.parse('images where tag = lts limit 1'); q.plan().explain(); "
        "assert 'httpx' not in sys.modules, 'httpx imported'; "
        "imgql.Client; assert 'httpx' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_requests_are_logged_at_debug_without_headers(
    kind: str, fake: FakeGlance, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="imgql"):
        run(kind, fake, page_size=20).ids("images where tag = lts")
    lines = [r.getMessage() for r in caplog.records if r.name == "imgql"]
    assert lines[0].startswith(f"GET {ENDPOINT}/v2/images?tag=lts&limit=20 -> 200 (")
    assert "marker=" in lines[1] and len(lines) == 2
    assert all(TOKEN not in line and "X-Auth-Token" not in line for line in caplog.text.splitlines())


# --------------------------------------------------------------------------- options and closing


def test_one_request_sorted_on_the_client(kind: str, fake: FakeGlance) -> None:
    text = "images where tag = lts order by os_distro asc, name asc limit 5"
    plan = imgql.parse(text).plan()
    assert plan.client_sort and len(plan.requests) == 1
    assert run(kind, fake, page_size=4).ids(text) == expected(fake, text)


def test_options_as_one_value_or_as_keywords() -> None:
    from imgql.http.options import ClientOptions

    options = ClientOptions(page_size=5, retries=1, profile="documented")
    assert options.profile.name == "documented"
    client = imgql.Client(ENDPOINT, TOKEN, options=options, retries=2)
    assert client.options == ClientOptions(page_size=5, retries=2, profile="documented")
    assert imgql.connect(ENDPOINT, TOKEN, page_size=5).options.page_size == 5
    aclient = imgql.AsyncClient(ENDPOINT, TOKEN, concurrency=2)
    assert aclient.options.concurrency == 2
    client.close()
    asyncio.run(aclient.aclose())


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"page_size": 0}, "page_size must be a whole number of at least 1"),
        ({"retries": -1}, "retries must be a whole number of at least 0"),
        ({"concurrency": True}, "concurrency must be a whole number of at least 1"),
        ({"profile": "nope"}, "unknown profile"),
    ],
)
def test_options_are_checked_for_both_clients(settings: dict[str, Any], message: str) -> None:
    for client_class in (imgql.Client, imgql.AsyncClient):
        with pytest.raises(imgql.Error, match=message):
            client_class(ENDPOINT, TOKEN, **settings)


def test_user_agent_option_goes_before_imgqls_own(kind: str, fake: FakeGlance) -> None:
    run(kind, fake, user_agent="myapp/2.0").ids("images limit 1")
    assert fake.listings[0].headers["user-agent"] == f"myapp/2.0 imgql/{imgql.__version__}"


def test_unknown_setting_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="page_sise"):
        imgql.Client(ENDPOINT, TOKEN, page_sise=3)


def test_closed_async_client_stops_its_running_query(fake: FakeGlance) -> None:
    async def main() -> None:
        async with httpx.AsyncClient(transport=fake.transport()) as http:
            client = imgql.AsyncClient(ENDPOINT, TOKEN, http=http, page_size=2)
            images = client.query("images where tag = lts")
            await images.__anext__()
            await client.aclose()
            with pytest.raises(imgql.Error, match="closed"):
                _ = [image async for image in images]
            assert len(fake.listings) == 1
            assert "closed" in repr(client)
            assert not http.is_closed

    asyncio.run(main())
