"""An in-test Glance: ``GET /v2/images`` as an ``httpx.MockTransport`` handler.

It implements the listing as GLANCE.md describes a real Glance 33: filters
with ``eq:``/``in:`` (double quotes protect commas, escapes inside quotes are
kept as written), repeated conjunctive ``tag``, ``size_min``/``size_max``,
``created_at``/``updated_at`` with ``op:ISO`` (single-valued: the last one
wins), the visibility / member_status / os_hidden scope, custom-property
equality, ``sort=key:dir,...``, ``limit`` capped at ``api_limit_max``,
``marker`` (400 ``No image found with ID ...`` when unknown), and a ``next``
link that, as in Glance, keeps only the last value of repeated parameters.

Faults are scripted: ``fake.script`` holds actions applied, in order, to the
next listing requests (each returns a response or raises).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import httpx

Image = dict[str, Any]
Action = Callable[[httpx.Request], httpx.Response]

SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at")
LIST_FILTERS = ("name", "id", "status", "disk_format", "container_format")
TIME_OPS = ("gt", "gte", "lt", "lte", "eq", "neq")
RESERVED = {
    "limit",
    "marker",
    "sort",
    "sort_key",
    "sort_dir",
    "tag",
    "size_min",
    "size_max",
    "created_at",
    "updated_at",
    "visibility",
    "member_status",
    "os_hidden",
    "protected",
    "owner",
    *LIST_FILTERS,
}


class Refused(Exception):
    """A 400 with Glance's message."""


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


def split_in_list(text: str) -> list[str]:
    """The values of an ``in:`` list as Glance reads them."""
    values: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            j = i + 1
            chunk: list[str] = []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    chunk.append(text[j : j + 2])  # kept as written, backslash included
                    j += 2
                else:
                    chunk.append(text[j])
                    j += 1
            if j >= n:
                raise Refused(f"Invalid filter value {text}. The quote is not closed.")
            values.append("".join(chunk))
            j += 1
            if j < n:
                if text[j] != ",":
                    raise Refused(f"Invalid filter value {text}. There is no comma after closing quotation mark.")
                j += 1
            i = j
        else:
            j = text.find(",", i)
            j = n if j == -1 else j
            chunk_text = text[i:j]
            if '"' in chunk_text:
                raise Refused(f"Invalid filter value {text}. There is no comma before opening quotation mark.")
            values.append(chunk_text)
            i = j + 1
    return values


def _time(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def _has_tag(tag: str) -> Callable[[Image], bool]:
    return lambda image: tag in (image.get("tags") or ())


def _size_bound(limit: int, sign: int) -> Callable[[Image], bool]:
    # sign 1: size >= limit (size_min); sign -1: size <= limit (size_max); no size never matches.
    return lambda image: isinstance(image.get("size"), int) and (image["size"] - limit) * sign >= 0


def _property_equals(name: str, value: str) -> Callable[[Image], bool]:
    return lambda image: name in image and _text(image[name]) == value


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
        except Refused as exc:
            return error_page(400, "Bad Request", str(exc))

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

    def visible(self, visibility: str | None = None, member_status: str = "accepted") -> list[Image]:
        return [i for i in self.images.values() if self._in_scope(i, visibility, member_status)]

    def _in_scope(self, image: Image, visibility: str | None, member_status: str) -> bool:
        own = image.get("owner") == self.project
        vis = image.get("visibility")
        status = self.members.get(image["id"], {}).get(self.project)
        shared = vis == "shared" and status is not None and (member_status == "all" or status == member_status)
        if visibility is None:
            return vis == "public" or own or shared
        if visibility == "public":
            return vis == "public"
        if visibility == "private":
            return vis == "private" and own
        if visibility == "shared":
            return vis == "shared" and (own or shared)
        if visibility == "community":
            return vis == "community"
        return vis in ("public", "community") or own or shared  # all

    def page(self, request: httpx.Request) -> httpx.Response:
        items = list(request.url.params.multi_items())
        single: dict[str, str] = {}
        tags: list[str] = []
        for key, value in items:
            if key == "tag":
                tags.append(value)
            else:
                single[key] = value  # repeated single-valued parameters: the last wins
        if "sort" in single and ("sort_key" in single or "sort_dir" in single):
            raise Refused("The parameters sort_key and sort_dir cannot be used with the new sorting syntax")
        limit = self._limit(single.get("limit"))
        visibility = single.get("visibility")
        if visibility is not None and visibility not in ("public", "private", "shared", "community", "all"):
            raise Refused(f"Invalid visibility value: {visibility}")
        member_status = single.get("member_status", "accepted")
        if member_status not in ("accepted", "pending", "rejected", "all"):
            raise Refused(f"Invalid status: {member_status}")
        hidden = self._boolean(single.get("os_hidden", "false"), "os_hidden")
        keys = self._sort(single.get("sort"))
        checks = self._checks(single, tags)

        found = [
            image
            for image in self.images.values()
            if self._in_scope(image, visibility, member_status)
            and bool(image.get("os_hidden")) == hidden
            and image.get("status") not in ("deleted", "killed")
            and all(check(image) for check in checks)
        ]
        compare = self._comparator(keys)
        found.sort(key=functools.cmp_to_key(compare))
        marker = single.get("marker")
        if marker is not None:
            marked = self.images.get(marker)
            if marked is None:
                raise Refused(f"No image found with ID {marker}")
            found = [image for image in found if compare(image, marked) > 0]
        page = found[:limit]

        body: dict[str, Any] = {"images": [dict(i) for i in page], "schema": "/v2/schemas/images"}
        first = {k: v for k, v in items if k != "marker"}
        body["first"] = "/v2/images" + ("?" + urlencode(first) if first else "")
        if page and len(page) == limit:
            # Glance rebuilds the link from a dict: one value per name, the last one.
            following = dict(items)
            following["marker"] = page[-1]["id"]
            body["next"] = "/v2/images?" + urlencode(following)
        if self.after_page is not None:
            self.after_page(self, page)
        return httpx.Response(200, json=body)

    def _limit(self, text: str | None) -> int:
        if text is None:
            return min(self.default_limit, self.api_limit_max)
        try:
            limit = int(text)
        except ValueError:
            raise Refused("limit param must be an integer") from None
        if limit < 0:
            raise Refused("limit param must be positive")
        return min(limit, self.api_limit_max)

    @staticmethod
    def _boolean(text: str, name: str) -> bool:
        if text.lower() in ("true", "1", "yes", "on"):
            return True
        if text.lower() in ("false", "0", "no", "off"):
            return False
        raise Refused(f"Invalid value for {name}: {text}")

    @staticmethod
    def _sort(text: str | None) -> list[tuple[str, bool]]:
        keys: list[tuple[str, bool]] = []
        if text:
            for part in text.split(","):
                key, _, direction = part.strip().partition(":")
                if key not in SORT_KEYS:
                    raise Refused(f"Invalid sort key: {key}. It must be one of the following: {', '.join(SORT_KEYS)}.")
                if direction not in ("", "asc", "desc"):
                    raise Refused(f"Invalid sort direction: {direction}")
                keys.append((key, direction != "asc"))
        names = [k for k, _ in keys]
        if not keys:
            keys.append(("created_at", True))
        if "created_at" not in names and names:
            keys.append(("created_at", True))
        if "id" not in names:
            keys.append(("id", True))
        return keys

    @staticmethod
    def _comparator(keys: list[tuple[str, bool]]) -> Callable[[Image, Image], int]:
        def value(image: Image, key: str) -> tuple[Any, ...]:
            v = image.get(key)
            return (0,) if v is None else (1, v)  # nulls first ascending, as SQLite does

        def compare(a: Image, b: Image) -> int:
            for key, descending in keys:
                va, vb = value(a, key), value(b, key)
                if va != vb:
                    result = -1 if va < vb else 1
                    return -result if descending else result
            return 0

        return compare

    def _checks(self, single: Mapping[str, str], tags: list[str]) -> list[Callable[[Image], bool]]:
        checks: list[Callable[[Image], bool]] = []
        for tag in tags:
            checks.append(_has_tag(tag))
        for name in LIST_FILTERS:
            if name in single:
                checks.append(self._operator_check(name, single[name]))
        for name, bound in (("size_min", 1), ("size_max", -1)):
            if name in single:
                try:
                    limit = int(single[name])
                except ValueError:
                    raise Refused("Unable to filter on a range with a non-numeric value.") from None
                checks.append(_size_bound(limit, bound))
        for name in ("created_at", "updated_at"):
            if name in single:
                checks.append(self._time_check(name, single[name]))
        if "protected" in single:
            wanted = self._boolean(single["protected"], "protected")
            checks.append(lambda image: bool(image.get("protected")) == wanted)
        if "owner" in single:
            checks.append(lambda image: image.get("owner") == single["owner"])
        for name, value in single.items():
            if name not in RESERVED:
                checks.append(_property_equals(name, value))
        return checks

    @staticmethod
    def _operator_check(name: str, text: str) -> Callable[[Image], bool]:
        op, value = ("eq", text)
        if ":" in text:
            op, value = text.split(":", 1)
        if op == "in":
            values = set(split_in_list(value))
            return lambda image: image.get(name) in values
        if op == "eq":
            return lambda image: image.get(name) == value
        raise Refused(f"Unable to filter by unknown operator '{op}'.")

    @staticmethod
    def _time_check(name: str, text: str) -> Callable[[Image], bool]:
        op, value = "eq", text
        if ":" in text and text.split(":", 1)[0] in TIME_OPS:
            op, value = text.split(":", 1)
        try:
            moment = _time(value)
        except ValueError:
            raise Refused(f"Invalid date format {value}") from None
        tests: dict[str, Callable[[dt.datetime], bool]] = {
            "gt": lambda t: t > moment,
            "gte": lambda t: t >= moment,
            "lt": lambda t: t < moment,
            "lte": lambda t: t <= moment,
            "eq": lambda t: t == moment,
            "neq": lambda t: t != moment,
        }
        test = tests[op]
        return lambda image: image.get(name) is not None and test(_time(image[name]))


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
