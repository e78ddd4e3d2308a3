"""Faults, retries, recovery and error mapping, for both clients.

Every fault is injected into the fake Glance at a known request; the answer
must equal the clean run's, with an exact number of requests and waits (no
real sleeping: the clients' sleep is replaced by a recorder).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import imgql
from imgql.http.paging import Reply, server_message
from imgql.http.retry import RetryPolicy, retry_after

from .fakeglance import ENDPOINT, RUNNERS, TOKEN, FakeGlance, Runner, SyncRunner, make_image

TEXT = "images where tag = lts and tag = gpu"


def images() -> list[dict[str, Any]]:
    return [make_image(n, tags=["lts", "gpu"] if n % 2 else ["lts"]) for n in range(20)]


@pytest.fixture
def fake() -> FakeGlance:
    return FakeGlance(images(), tokens={TOKEN})


@pytest.fixture(params=sorted(RUNNERS))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run(kind: str, fake: FakeGlance, **options: Any) -> Runner:
    options.setdefault("page_size", 3)
    return RUNNERS[kind](fake, **options)


def clean(kind: str, text: str = TEXT, **options: Any) -> tuple[list[str], int]:
    fake = FakeGlance(images(), tokens={TOKEN})
    ids = run(kind, fake, **options).ids(text)
    return ids, len(fake.listings)


def status(code: int, text: str = "", headers: dict[str, str] | None = None) -> Callable[[FakeGlance], None]:
    return lambda fake: fake.respond(code, text, headers)


def raising(factory: Callable[[httpx.Request], Exception]) -> Callable[[FakeGlance], None]:
    return lambda fake: fake.fail(factory)


# name -> (inject one fault, the wait expected before the retry or None for a jittered backoff)
FAULTS: dict[str, tuple[Callable[[FakeGlance], None], float | None]] = {
    "500": (status(500, "Internal Server Error"), None),
    "502": (status(502, "<html><body><h1>502 Bad Gateway</h1></body></html>"), None),
    "503": (status(503), None),
    "504": (status(504), None),
    "429 Retry-After": (status(429, "slow down", {"Retry-After": "7"}), 7.0),
    "503 Retry-After capped": (status(503, "", {"Retry-After": "3600"}), 60.0),
    "connect error": (raising(lambda r: httpx.ConnectError("[Errno 111] Connection refused", request=r)), None),
    "read timeout": (raising(lambda r: httpx.ReadTimeout("The read operation timed out", request=r)), None),
    "reset": (raising(lambda r: httpx.RemoteProtocolError("Server disconnected", request=r)), None),
    "cut body": (lambda fake: fake.cut_body(), None),
    "invalid JSON": (status(200, '{"images": [{"id": "x", '), None),
    "no images list": (status(200, '{"servers": []}'), None),
    "HTML 200": (status(200, "<html><body>maintenance</body></html>"), None),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("page", [1, 2])
def test_a_fault_is_retried_and_the_answer_is_unchanged(kind: str, fake: FakeGlance, fault: str, page: int) -> None:
    want, count = clean(kind)
    inject, wait = FAULTS[fault]
    fake.serve(page - 1)
    inject(fake)
    runner = run(kind, fake)
    assert runner.ids(TEXT) == want
    assert len(fake.listings) == count + 1
    assert len(runner.sleeps) == 1
    if wait is None:
        assert 0 <= runner.sleeps[0] <= 0.5  # the first backoff, jittered
    else:
        assert runner.sleeps == [wait]
    # The retried page asks for the same marker again.
    retried = fake.listings[page - 1], fake.listings[page]
    assert retried[0].url == retried[1].url


def test_several_faults_in_a_row_back_off_exponentially(kind: str, fake: FakeGlance) -> None:
    want, count = clean(kind)
    fake.respond(503, times=2)
    fake.fail(lambda r: httpx.ConnectError("refused", request=r), times=2)
    runner = run(kind, fake)
    assert runner.ids(TEXT) == want
    assert len(fake.listings) == count + 4
    assert len(runner.sleeps) == 4
    assert all(0 <= wait <= 0.5 * 2**n for n, wait in enumerate(runner.sleeps))


def test_retries_are_counted_per_page(kind: str, fake: FakeGlance) -> None:
    want, count = clean(kind)
    for _ in range(3):  # four faults on each of three pages: within the budget every time
        fake.respond(500, times=4)
        fake.serve()
    assert run(kind, fake).ids(TEXT) == want
    assert len(fake.listings) == count + 12


# --------------------------------------------------------------------------- giving up


def test_status_faults_exhausted_are_service_unavailable(kind: str, fake: FakeGlance) -> None:
    fake.respond(503, "<html><body><h1>503 Service Unavailable</h1>Back soon</body></html>", times=10)
    runner = run(kind, fake)
    error = runner.error(TEXT)
    assert type(error) is imgql.ServiceUnavailable and error.status_code == 503
    assert ENDPOINT in str(error) and "tried 5 times" in str(error) and "Back soon" in str(error)
    assert len(fake.listings) == 5 and len(runner.sleeps) == 4


def test_retries_option(kind: str, fake: FakeGlance) -> None:
    fake.respond(502, times=10)
    assert isinstance(run(kind, fake, retries=1).error(TEXT), imgql.ServiceUnavailable)
    assert len(fake.listings) == 2
    fake.requests.clear()
    assert isinstance(run(kind, fake, retries=0).error(TEXT), imgql.ServiceUnavailable)
    assert len(fake.listings) == 1


def test_transport_faults_exhausted_are_connection_errors(kind: str, fake: FakeGlance) -> None:
    fake.fail(lambda r: httpx.ConnectError("[Errno 111] Connection refused", request=r), times=10)
    error = run(kind, fake).error(TEXT)
    assert type(error) is imgql.ConnectionError
    assert f"cannot reach the Images API at {ENDPOINT}" in str(error) and "Connection refused" in str(error)
    assert len(fake.listings) == 5


def test_invalid_listings_exhausted_are_service_errors(kind: str, fake: FakeGlance) -> None:
    fake.respond(200, "not json", times=10)
    error = run(kind, fake).error(TEXT)
    assert type(error) is imgql.ServiceError and "invalid listing" in str(error)
    assert len(fake.listings) == 5


def test_a_refused_certificate_is_not_retried(kind: str, fake: FakeGlance) -> None:
    fake.fail(lambda r: httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", request=r))
    error = run(kind, fake).error(TEXT)
    assert type(error) is imgql.ConnectionError and "CA bundle" in str(error)
    assert len(fake.listings) == 1


# --------------------------------------------------------------------------- error mapping


GLANCE_400 = (
    "<html>\n <head>\n  <title>400 Bad Request</title>\n </head>\n <body>\n  <h1>400 Bad Request</h1>\n"
    "  Invalid sort key: os_distro. It must be one of the following: name, status.<br /><br />\n\n </body>\n</html>"
)


@pytest.mark.parametrize(
    ("code", "body", "error_type", "words"),
    [
        (400, GLANCE_400, imgql.BadRequest, "refused the request: Invalid sort key: os_distro. It must be one of"),
        (400, json.dumps({"badRequest": {"message": "limit param must be an integer", "code": 400}}), imgql.BadRequest,
         "refused the request: limit param must be an integer"),
        (401, "", imgql.AuthenticationError, "refused the credentials"),
        (403, json.dumps({"error": {"message": "Policy doesn't allow get_images"}}), imgql.Forbidden,
         "Policy doesn't allow get_images"),
        (404, "", imgql.EndpointError, f"no Images API v2 at {ENDPOINT}: check the endpoint"),
        (418, "teapot", imgql.ServiceError, "HTTP 418 I'm a Teapot: teapot"),
    ],
)  # fmt: skip
def test_error_statuses(kind: str, fake: FakeGlance, code: int, body: str, error_type: type, words: str) -> None:
    fake.respond(code, body)
    error = run(kind, fake).error(TEXT)
    assert type(error) is error_type and error.status_code == code  # type: ignore[attr-defined]
    assert words in str(error)
    assert "<" not in str(error)
    assert len(fake.listings) == 1


def test_bad_request_names_the_request(kind: str, fake: FakeGlance) -> None:
    fake.respond(400, GLANCE_400)
    error = run(kind, fake).error(TEXT)
    assert "request: GET /v2/images?tag=lts&tag=gpu&limit=3" in str(error)


def test_a_wrong_endpoint_is_an_endpoint_error(kind: str) -> None:
    fake = FakeGlance(images(), root="/image")
    error = run(kind, fake, endpoint=ENDPOINT).error("images")
    assert isinstance(error, imgql.EndpointError) and "no Images API v2 at" in str(error)


def test_a_redirect_is_not_followed(kind: str, fake: FakeGlance) -> None:
    fake.respond(301, "", {"Location": "https://elsewhere.test/v2/images"})
    error = run(kind, fake).error(TEXT)
    assert isinstance(error, imgql.EndpointError) and "https://elsewhere.test/v2/images" in str(error)
    assert len(fake.requests) == 1


def test_errors_raised_by_the_callers_event_hook_are_mapped(fake: FakeGlance) -> None:
    fake.respond(403, "nope")
    http = httpx.Client(transport=fake.transport(), event_hooks={"response": [lambda r: r.raise_for_status()]})
    with imgql.Client(ENDPOINT, TOKEN, http=http) as client, pytest.raises(imgql.Forbidden, match="nope"):
        list(client.query("images"))


def test_union_failure_stops_the_other_streams(kind: str, fake: FakeGlance) -> None:
    def refuse_beta(request: httpx.Request) -> None:
        if "beta" in request.url.params.get_list("tag"):
            fake.script.insert(0, lambda r: httpx.Response(403, text="not beta"))

    fake.on_request = refuse_beta
    error = run(kind, fake).error("images where tag = gpu or tag = beta")
    assert isinstance(error, imgql.Forbidden)
    assert not [t for t in threading.enumerate() if t.name.startswith("imgql")]


# --------------------------------------------------------------------------- an image deleted while paging


def test_marker_deleted_resumes_from_the_previous_image(kind: str, fake: FakeGlance) -> None:
    want, count = clean(kind)

    def delete_last_of_first_page(fake: FakeGlance, page: list[dict[str, Any]]) -> None:
        if fake.after_page is delete_last_of_first_page and page:
            fake.after_page = None
            fake.delete(page[-1]["id"])

    fake.after_page = delete_last_of_first_page
    ids = run(kind, fake).ids(TEXT)
    assert ids == want  # the deleted image was returned before it went
    assert len(fake.listings) == count + 1
    markers = [r.url.params.get("marker") for r in fake.listings[1:3]]
    assert markers == [want[2], want[1]]


def test_page_deleted_restarts_and_skips_what_was_returned(kind: str, fake: FakeGlance) -> None:
    want, _ = clean(kind)

    def delete_first_page(fake: FakeGlance, page: list[dict[str, Any]]) -> None:
        fake.after_page = None
        for image in page:
            fake.delete(image["id"])

    fake.after_page = delete_first_page
    ids = run(kind, fake).ids(TEXT)
    assert ids == want and len(set(ids)) == len(ids)
    markers = [r.url.params.get("marker") for r in fake.listings]
    assert markers[:5] == [None, want[2], want[1], want[0], None]


def test_marker_always_refused_fails_with_the_servers_message(kind: str, fake: FakeGlance) -> None:
    def refuse_markers(request: httpx.Request) -> None:
        if "marker" in request.url.params:
            marker = request.url.params["marker"]
            fake.script.insert(0, lambda r: httpx.Response(400, text=f"No image found with ID {marker}"))

    fake.on_request = refuse_markers
    error = run(kind, fake).error(TEXT)
    assert isinstance(error, imgql.BadRequest) and "No image found with ID" in str(error)
    # First page, then for each of three starts: the marker and two earlier ids.
    assert len(fake.listings) == 3 * (1 + 3)


# --------------------------------------------------------------------------- secrets


def test_the_token_never_shows(kind: str, fake: FakeGlance, caplog: pytest.LogCaptureFixture) -> None:
    errors: list[Exception] = []
    injections: list[Callable[[FakeGlance], None]] = [
        lambda f: f.respond(400, f"bad header X-Auth-Token: {TOKEN}"),
        lambda f: f.respond(401, f"token {TOKEN} expired"),
        lambda f: f.respond(403, json.dumps({"error": {"message": f"{TOKEN} may not"}})),
        lambda f: f.respond(503, f"{TOKEN}", times=5),
        lambda f: f.fail(lambda r: httpx.ConnectError(f"refused {TOKEN}", request=r), times=5),
        lambda f: f.respond(200, f"{TOKEN} is not json", times=5),
        lambda f: f.respond(500, "", times=2),
    ]
    with caplog.at_level(logging.DEBUG):
        for inject in injections:
            fake.script.clear()
            inject(fake)
            runner = run(kind, fake)
            try:
                runner.ids(TEXT)
            except imgql.Error as exc:
                errors.append(exc)
    assert len(errors) == 6
    for error in errors:
        assert TOKEN not in str(error) and TOKEN not in repr(error)
        assert TOKEN not in repr(error.args)
    assert "***" in str(errors[0])
    assert TOKEN not in caplog.text
    assert all(TOKEN not in r.getMessage() for r in caplog.records)
    with httpx.Client(transport=fake.transport()) as http:
        client = imgql.Client(ENDPOINT, TOKEN, http=http)
        assert TOKEN not in repr(client) and TOKEN not in str(client.__dict__.get("_auth"))
        assert TOKEN not in client.plan(TEXT).explain() and TOKEN not in repr(client.plan(TEXT))


# --------------------------------------------------------------------------- the pieces


def test_backoff_is_capped_exponential_with_full_jitter() -> None:
    top = RetryPolicy(random=lambda: 0.999999)
    assert [round(top.delay(n), 3) for n in range(8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0]
    assert RetryPolicy(random=lambda: 0.0).delay(5) == 0.0
    assert top.delay(0, retry_after=3) == 3 and top.delay(0, retry_after=1e9) == 60.0
    assert round(top.delay(100), 3) == 20.0


def test_retry_after_forms() -> None:
    now = dt.datetime(2025, 1, 1, 12, 0, 0, tzinfo=dt.timezone.utc)
    assert retry_after({"retry-after": "5"}) == 5.0
    assert retry_after({"retry-after": "Wed, 01 Jan 2025 12:00:30 GMT"}, now) == 30.0
    assert retry_after({"retry-after": "Wed, 01 Jan 2025 11:00:00 GMT"}, now) == 0.0
    assert retry_after({"retry-after": "soon"}) is None
    assert retry_after({}) is None


@pytest.mark.parametrize(
    ("code", "body", "message"),
    [
        (400, GLANCE_400, "Invalid sort key: os_distro. It must be one of the following: name, status."),
        (400, '{"badRequest": {"message": "bad &amp; worse", "code": 400}}', "bad &amp; worse"),
        (400, "<p>a &amp; b</p>", "a & b"),
        (403, '{"title": "Forbidden", "description": "no"}', "no"),
        (500, "plain  text\n here", "plain text here"),
        (500, "", ""),
        (413, "x" * 2000, "x" * 497 + "..."),
    ],
)
def test_server_messages(code: int, body: str, message: str) -> None:
    assert server_message(Reply(code, {}, body.encode(), ENDPOINT)) == message


def test_sync_sleep_default_is_interruptible_by_close(fake: FakeGlance) -> None:
    fake.respond(503, "", {"Retry-After": "30"}, times=10)
    http = httpx.Client(transport=fake.transport())
    client = imgql.Client(ENDPOINT, TOKEN, http=http)
    failures: list[Exception] = []

    def consume() -> None:
        try:
            list(client.query(TEXT))
        except imgql.Error as exc:
            failures.append(exc)

    worker = threading.Thread(target=consume)
    worker.start()
    for _ in range(200):
        if fake.listings:
            break
        threading.Event().wait(0.01)
    client.close()
    worker.join(timeout=5)
    assert not worker.is_alive()
    assert failures and "closed" in str(failures[0])
    assert len(fake.listings) == 1
    http.close()


def test_sync_runner_is_reusable_for_a_clean_run(fake: FakeGlance) -> None:
    runner = SyncRunner(fake, page_size=3)
    assert runner.ids(TEXT) == clean("sync")[0]


def test_a_server_that_pages_back_on_itself_is_an_error_not_a_loop() -> None:
    # Glance does this past a marker whose sort value is null: the same page
    # comes back with a `next` link, forever.
    page = {"images": [make_image(n) for n in range(3)], "next": "/v2/images?marker=x"}
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json=page)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    with (
        imgql.Client(ENDPOINT, TOKEN, http=http, page_size=3) as client,
        pytest.raises(imgql.ServiceError, match="same images again"),
    ):
        list(client.query("images"))
    assert len(calls) == 2


def test_collect_gives_a_list_that_renders_as_a_table(fake: FakeGlance) -> None:
    http = httpx.Client(transport=httpx.MockTransport(fake.handler))
    with imgql.Client(ENDPOINT, TOKEN, http=http) as client:
        result = client.collect("images where tag = lts")
        assert client.http is http
    assert [image.id for image in result] == [image["id"] for image in result.to_dicts()]
    assert "<table" in result._repr_html_()


def test_async_sleep_default_is_interruptible_by_aclose(fake: FakeGlance) -> None:
    fake.respond(503, "", {"Retry-After": "30"}, times=10)

    async def main() -> None:
        async with httpx.AsyncClient(transport=fake.transport()) as http:
            client = imgql.AsyncClient(ENDPOINT, TOKEN, http=http)
            task = asyncio.ensure_future(client.collect(TEXT))
            for _ in range(200):
                if fake.listings:
                    break
                await asyncio.sleep(0.01)
            await client.aclose()
            # Without the wake-up the query would sleep its 30 s out.
            with pytest.raises(imgql.Error, match="closed"):
                await asyncio.wait_for(task, 5)
            assert len(fake.listings) == 1

    asyncio.run(main())
