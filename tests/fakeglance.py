"""An in-test Glance: ``GET /v2/images`` as an ``httpx.MockTransport`` handler.

What a page holds is decided by the one model of the listing,
tests/api_model.py (filters, scope, sorting, ``marker`` and ``limit``, capped
at ``api_limit_max``; a parameter the model does not know is a custom
property, as in Glance 33); this module adds HTTP around it: authentication,
404s off the listing, 400 and 500 error pages, the ``first`` link and a
``next`` link that, as in Glance, keeps only the last value of repeated
parameters.

Faults are scripted: ``fake.script`` holds actions applied, in order, to the
next listing requests (each returns a response or raises).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import httpx

from . import api_model

Image = dict[str, Any]
Action = Callable[[httpx.Request], httpx.Response]


def make_image(n: int, **fields: Any) -> Image:
    """A plausible active image; ``n`` orders creation (a larger n is newer)."""
    created = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(hours=n)
    image: Image = {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "name": f"image-{n:03d}",
        "status": "active",
        "visibility": "public",
        "owner": "p-me",
        "size": 1_000_000 * (n + 1),
        "virtual_size": None,
        "min_ram": 0,
        "min_disk": 0,
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "updated_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "protected": False,
        "os_hidden": False,
        "tags": [],
        "checksum": None,
        "disk_format": "qcow2",
        "container_format": "bare",
        "self": f"/v2/images/00000000-0000-4000-8000-{n:012d}",
        "schema": "/v2/schemas/image",
    }
    image.update(fields)
    return image


def error_page(status: int, reason: str, message: str) -> httpx.Response:
    body = (
        f"<html>\n <head>\n  <title>{status} {reason}</title>\n </head>\n <body>\n"
        f"  <h1>{status} {reason}</h1>\n  {message}<br /><br />\n\n\n\n </body>\n</html>"
    )
    return httpx.Response(status, text=body, headers={"content-type": "text/html; charset=UTF-8"})


class CutStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that breaks off: some bytes, then the connection resets."""

    def __init__(self, head: bytes) -> None:
        self.head = head

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.head
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


class FakeGlance:
    def __init__(
        self,
        images: Sequence[Image] = (),
        *,
        project: str = "p-me",
        api_limit_max: int = 1000,
        default_limit: int = 25,
        tokens: set[str] | None = None,
        root: str = "",
        members: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.images: dict[str, Image] = {image["id"]: dict(image) for image in images}
        self.project = project
        self.api_limit_max = api_limit_max
        self.default_limit = default_limit
        # Valid tokens; None: no authentication.
        self.tokens = tokens
        self.root = root.rstrip("/")
        self.members = {k: dict(v) for k, v in (members or {}).items()}
        self.requests: list[httpx.Request] = []
        self.script: list[Action] = []
        # Called after each listing page is served: (fake, page).
        self.after_page: Callable[[FakeGlance, list[Image]], None] | None = None
        # Called on every listing request before it is answered (e.g. to wait).
        self.on_request: Callable[[httpx.Request], None] | None = None

    # -- plumbing ---------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    @property
    def listings(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == self.root + "/v2/images"]

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path != self.root + "/v2/images" or request.method != "GET":
            return error_page(404, "Not Found", "The resource could not be found.")
        if self.on_request is not None:
            self.on_request(request)
        if self.script:
            return self.script.pop(0)(request)
        if self.tokens is not None and request.headers.get("x-auth-token") not in self.tokens:
            return error_page(401, "Unauthorized", "This server could not verify that you are authorized.")
        try:
            return self.page(request)
        except api_model.BadRequest as exc:
            return error_page(400, "Bad Request", str(exc))
        except api_model.ServerError:
            return error_page(500, "Internal Server Error", "The server has either erred or is incapable of performing")

    # -- scripting faults --------------------------------------------------------

    def respond(self, status: int, text: str = "", headers: Mapping[str, str] | None = None, times: int = 1) -> None:
        for _ in range(times):
            self.script.append(lambda request: httpx.Response(status, text=text, headers=dict(headers or {})))

    def fail(self, exc_factory: Callable[[httpx.Request], Exception], times: int = 1) -> None:
        def action(request: httpx.Request) -> httpx.Response:
            raise exc_factory(request)

        self.script.extend([action] * times)

    def cut_body(self, times: int = 1) -> None:
        for _ in range(times):
            self.script.append(lambda request: httpx.Response(200, stream=CutStream(b'{"images": [{"id": "')))

    def serve(self, times: int = 1) -> None:
        """Answer normally (a step of a script)."""
        self.script.extend([self.page] * times)

    def delete(self, image_id: str) -> None:
        del self.images[image_id]

    # -- the listing -------------------------------------------------------------

    def records(self) -> list[Image]:
        """The images as the model reads them: memberships under ``_members``."""
        return [{**image, "_members": self.members.get(image["id"], {})} for image in self.images.values()]

    def visible(self, visibility: str | None = None, member_status: str = "accepted") -> list[Image]:
        return [
            image
            for image, record in zip(self.images.values(), self.records(), strict=True)
            if api_model.in_scope(record, self.project, visibility, member_status)
        ]

    def page(self, request: httpx.Request) -> httpx.Response:
        items = list(request.url.params.multi_items())
        page = api_model.list_page(
            items,
            self.records(),
            self.project,
            default_limit=self.default_limit,
            max_limit=self.api_limit_max,
        )
        limit = dict(items).get("limit")
        size = min(self.default_limit, self.api_limit_max) if limit is None else min(int(limit), self.api_limit_max)
        body: dict[str, Any] = {"images": page, "schema": "/v2/schemas/images"}
        first = {k: v for k, v in items if k != "marker"}
        body["first"] = "/v2/images" + ("?" + urlencode(first) if first else "")
        if page and len(page) == size:
            # Glance rebuilds the link from a dict: one value per name, the last one.
            following = dict(items)
            following["marker"] = page[-1]["id"]
            body["next"] = "/v2/images?" + urlencode(following)
        if self.after_page is not None:
            self.after_page(self, page)
        return httpx.Response(200, json=body)


def json_body(response: httpx.Response) -> Any:
    return json.loads(response.content)


# --------------------------------------------------------------------------- running both clients alike

ENDPOINT = "http://glance.test:9292"
TOKEN = "tok-5ecret-0123456789abcdef"


class Runner:
    """Runs the same operations through imgql.Client or imgql.AsyncClient over
    a fake, with sleeps recorded instead of slept and requests counted by an
    httpx event hook."""

    kind = ""

    def __init__(self, fake: FakeGlance, endpoint: str | None = ENDPOINT, token: str | None = TOKEN, **options: Any):
        self.fake = fake
        self.endpoint = endpoint
        self.token = token
        self.options = options
        self.sleeps: list[float] = []
        self.sent: list[httpx.Request] = []

    def ids(self, query: Any, take: int | None = None, **params: Any) -> list[str]:
        return [image.id for image in self.images(query, take, **params)]

    def images(self, query: Any, take: int | None = None, **params: Any) -> list[Any]:
        raise NotImplementedError

    def one(self, query: Any, **params: Any) -> Any:
        raise NotImplementedError

    def records(self, query: Any) -> list[Any]:
        raise NotImplementedError

    def error(self, query: Any, **params: Any) -> Exception:
        import imgql

        try:
            self.images(query, **params)
        except imgql.Error as exc:
            return exc
        raise AssertionError("no error raised")


class SyncRunner(Runner):
    kind = "sync"

    def _client(self, http: httpx.Client) -> Any:
        import imgql

        return imgql.Client(self.endpoint, self.token, http=http, sleep=self.sleeps.append, **self.options)

    def _http(self) -> httpx.Client:
        return httpx.Client(transport=self.fake.transport(), event_hooks={"request": [self.sent.append]})

    def images(self, query: Any, take: int | None = None, **params: Any) -> list[Any]:
        with self._http() as http, self._client(http) as client:
            found = []
            for image in client.query(query, **params):
                found.append(image)
                if take is not None and len(found) >= take:
                    break
            return found

    def one(self, query: Any, **params: Any) -> Any:
        with self._http() as http, self._client(http) as client:
            return client.one(query, **params)

    def records(self, query: Any) -> list[Any]:
        with self._http() as http, self._client(http) as client:
            return list(client.records(client.plan(query)))


class AsyncRunner(Runner):
    kind = "async"

    def _client(self, http: httpx.AsyncClient) -> Any:
        import imgql

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        return imgql.AsyncClient(self.endpoint, self.token, http=http, sleep=sleep, **self.options)

    def _http(self) -> httpx.AsyncClient:
        async def hook(request: httpx.Request) -> None:
            self.sent.append(request)

        return httpx.AsyncClient(transport=self.fake.transport(), event_hooks={"request": [hook]})

    def images(self, query: Any, take: int | None = None, **params: Any) -> list[Any]:
        async def main() -> list[Any]:
            async with self._http() as http, self._client(http) as client:
                found = []
                iterator = client.query(query, **params)
                async for image in iterator:
                    found.append(image)
                    if take is not None and len(found) >= take:
                        break
                await iterator.aclose()
                return found

        return asyncio.run(main())

    def one(self, query: Any, **params: Any) -> Any:
        async def main() -> Any:
            async with self._http() as http, self._client(http) as client:
                return await client.one(query, **params)

        return asyncio.run(main())

    def records(self, query: Any) -> list[Any]:
        async def main() -> list[Any]:
            async with self._http() as http, self._client(http) as client:
                return [record async for record in client.records(client.plan(query))]

        return asyncio.run(main())


RUNNERS = {"sync": SyncRunner, "async": AsyncRunner}
