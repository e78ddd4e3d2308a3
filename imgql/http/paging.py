"""Paging through ``GET /v2/images``, independent of how requests are sent.

:func:`listing` is the whole paging algorithm for one request of a plan,
written once as a generator of *effects*: it yields :class:`Send` (make this
GET and send me the :class:`Reply` or :class:`Fault`), :class:`Wait` (sleep
before a retry), :class:`Reauthenticate` (get a new token) and :class:`Page`
(these records are ready for the consumer). The synchronous and asynchronous
clients each run it with a small driver, so the two cannot drift apart, and
this module needs no HTTP library at all.

What it does:

* every page is built from the plan's own parameters plus ``limit`` and
  ``marker`` (the server's ``next`` link keeps only the last value of a
  repeated parameter such as ``tag``, so it is never followed);
* a listing ends on a page without a ``next`` link (or an empty one); a short
  page that still has a ``next`` link means the server capped the page size,
  and paging goes on;
* connection faults, timeouts, broken or unreadable answers, 429 and
  500/502/503/504 are retried with backoff (honouring ``Retry-After``), and
  the page is asked for again from the same marker, so nothing is lost and
  nothing repeated;
* a 401 is answered by one re-authentication when the credentials can be
  renewed;
* when the marker image was deleted meanwhile (400 ``No image found with ID``),
  paging resumes from the previous image of the page, walking back through
  the page; when none is left, it starts over, skipping what was already
  returned.

What it keeps: the ids of the last page (a resumed page repeats some of them;
a server repeating a whole page is caught by them) and, when the sort order
allows, only its place in that order, so that memory stays flat however long
the listing; for other orders, every id returned (see :class:`_Place`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

import attrs

from ..errors import (
    AuthenticationError,
    BadRequest,
    ConnectionError,
    EndpointError,
    Forbidden,
    ServiceError,
    ServiceUnavailable,
)
from ..records import Record
from ..run.shape import shape_problem
from ..untrusted import TooDeep, load_json, shortened, visible
from .credentials import display_endpoint
from .retry import RETRY_STATUSES, RetryPolicy, retry_after
from .server_text import server_message as plain_text
from .server_text import status_phrase as _phrase

__all__ = [
    "LISTING_PATH",
    "MAX_RESTARTS",
    "Effect",
    "Fault",
    "Listing",
    "Page",
    "Params",
    "Reauthenticate",
    "Reply",
    "Send",
    "Wait",
    "describe",
    "listing",
    "server_message",
]

Params = tuple[tuple[str, str], ...]

LISTING_PATH = "/v2/images"

# How many times a listing may start over after losing its place.
MAX_RESTARTS = 2


# --------------------------------------------------------------------------- what the driver reports


@attrs.frozen
class Reply:
    """An HTTP answer, body read in full."""

    status: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    content: bytes = attrs.field(repr=False)
    # The Images API root the request went to, for messages.
    endpoint: str


@attrs.frozen
class Fault:
    """A request that got no complete answer (connection refused, timeout, reset...)."""

    endpoint: str
    reason: str
    # False for faults that another try cannot fix (a TLS certificate refused).
    retryable: bool = True


# --------------------------------------------------------------------------- what the driver is asked


@attrs.frozen
class Send:
    """Send ``GET <endpoint>/v2/images`` with these parameters; answer with a Reply or a Fault."""

    params: Params


@attrs.frozen
class Wait:
    """Sleep this long before the next try."""

    seconds: float
    reason: str


@attrs.frozen
class Reauthenticate:
    """Get a new token (the server refused the current one)."""


@attrs.frozen
class Page:
    """Records ready for the consumer, in the server's order, none returned before."""

    records: tuple[Record, ...]


Effect = Send | Wait | Reauthenticate | Page
Listing = Generator[Effect, Any, None]


@attrs.frozen
class _Listed:
    images: list[Record]
    has_next: bool
    endpoint: str


@attrs.frozen
class _MarkerGone:
    message: str
    reply: Reply


# --------------------------------------------------------------------------- paging


def listing(
    params: Sequence[tuple[str, str]],
    page_size: int,
    policy: RetryPolicy,
    *,
    can_refresh: bool = False,
    redact: Callable[[str], str] = lambda text: text,
) -> Listing:
    """Every image of one listing, page by page (see the module documentation).

    ``params`` are the request's filter, scope and sort parameters; ``limit``
    and ``marker`` are added here. ``redact`` cleans any text that came from
    the server before it goes into an error message.
    """
    if page_size < 1:
        raise ValueError(f"page_size must be at least 1, not {page_size}")
    base = tuple((str(k), str(v)) for k, v in params)
    place = _Place.of(base)
    # Every id returned, kept only when the listing's order cannot tell,
    # after a restart, which images were returned before (see _Place).
    returned: set[str] | None = set() if place is None else None
    # The ids of the last page: a page resumed from an earlier marker repeats
    # some of them, and a server that repeats a whole page is caught by them.
    previous: set[str] = set()
    restarted = False
    marker: str | None = None
    # Earlier ids of the last page, the nearest last: where to resume from
    # when the marker image disappears.
    fallback: list[str] = []
    restarts = 0
    # Every marker asked with since the listing (re)started: a server whose
    # pages point back at each other would otherwise be paged for ever.
    markers: set[str] = set()
    while True:
        page_params = (*base, ("limit", str(page_size)), *((("marker", marker),) if marker else ()))
        answer = yield from _fetch(page_params, marker, policy, can_refresh, redact)
        if isinstance(answer, _MarkerGone):
            if fallback:
                marker = fallback.pop()
                continue
            if restarts < MAX_RESTARTS:
                restarts += 1
                restarted = True
                marker = None
                markers = set()
                continue
            raise _bad_request(answer.reply, answer.message, page_params)
        images = answer.images
        fresh: list[Record] = []
        ids: list[str] = []
        for record in images:
            image_id = record.get("id")
            if image_id is not None and not isinstance(image_id, str):
                raise ServiceError(
                    f"the Images API at {answer.endpoint} sent an image whose id is not text: {image_id!r:.60}",
                    status_code=200,
                )
            problem = shape_problem(record)
            if problem is not None:
                raise ServiceError(
                    f"the Images API at {answer.endpoint} sent image {shortened(str(image_id), 60)} "
                    f"with a field of the wrong type: {visible(problem)}",
                    status_code=200,
                )
            if isinstance(image_id, str) and image_id:
                ids.append(image_id)
                if image_id in previous:
                    continue
                if image_id in markers:
                    # An image paged past before: the pages lead back on themselves.
                    raise _cycle(answer.endpoint, image_id)
                if returned is not None:
                    if image_id in returned:
                        continue
                    returned.add(image_id)
                elif place is not None:
                    if restarted and place.returned_before(record, image_id):
                        continue
                    place.advance(record, image_id)
            fresh.append(record)
        if fresh:
            yield Page(tuple(fresh))
        if not images or not answer.has_next:
            return
        if not fresh and marker is not None and all(image_id in previous for image_id in ids):
            # A full page of images already returned: the server's paging
            # went back on itself (Glance does when the marker image has a
            # null in the sort key). Going on would loop forever.
            raise ServiceError(
                f"the Images API at {answer.endpoint} returned the same images again after marker {marker}; "
                "its paging is inconsistent for this request (sorting by a column with null values?)",
                status_code=200,
            )
        if not ids:
            raise ServiceError(
                f"the Images API at {answer.endpoint} sent a page of images without ids: cannot page on",
                status_code=200,
            )
        _check_progress(answer.endpoint, ids[-1], markers, bool(fresh) or restarted)
        markers.add(ids[-1])
        marker = ids[-1]
        fallback = ids[:-1]
        previous = set(ids)


def _cycle(endpoint: str, image_id: str) -> ServiceError:
    return ServiceError(
        f"the Images API at {endpoint} pages in a cycle: image {shortened(image_id, 60)}, already paged past, "
        "came again; the listing is stopped",
        status_code=200,
    )


def _check_progress(endpoint: str, next_marker: str, markers: set[str], brought_new: bool) -> None:
    """A ServiceError when paging on cannot end: the next marker was used
    before (the pages form a cycle), or a page brought no image not already
    returned (outside a restart, whose first pages repeat on purpose)."""
    if next_marker in markers:
        raise _cycle(endpoint, next_marker)
    if not brought_new:
        raise ServiceError(
            f"the Images API at {endpoint} sent a page with no image not already returned, and says more "
            "follow; its paging is inconsistent for this request, the listing is stopped",
            status_code=200,
        )


# Sort keys whose record values order as Glance's database orders them:
# times as the API writes them (`2025-10-02T08:30:39Z`, text that sorts as
# the instants do, never null) and ids (lower-case UUIDs).
_PLACEABLE = frozenset(("created_at", "updated_at", "id"))
_SHOWN_TIME = 20


class _Place:
    """Where a listing has got to, in its sort order: the sort-key values of
    the last image returned and the ids returned with those same values
    (the server orders times by fractions of a second the records do not
    show, so within one shown value the order is unknown). After a restart
    from the first page, an image placed before that point, or at it and
    among those ids, was returned before: constant memory instead of every
    id returned."""

    def __init__(self, keys: tuple[tuple[str, bool], ...]) -> None:
        self.keys = keys
        self.last: tuple[str, ...] | None = None
        self.ties: set[str] = set()

    @classmethod
    def of(cls, params: Params) -> _Place | None:
        """The listing's order as Glance applies it (created_at and id are
        appended when missing), or None when a key's values cannot be ordered
        here as the server orders them."""
        keys = _sort_keys(params)
        if keys is None:
            return None
        leading: list[tuple[str, bool]] = []
        for field, descending in keys:
            if field == "id":
                break
            leading.append((field, descending))
        if not leading:
            leading = [("id", keys[0][1])]
        if any(field not in _PLACEABLE for field, _ in leading):
            return None
        return cls(tuple(leading))

    def value(self, record: Record) -> tuple[str, ...] | None:
        values = []
        for field, _ in self.keys:
            value = record.get(field)
            if not isinstance(value, str) or (field != "id" and len(value) != _SHOWN_TIME):
                return None
            values.append(value)
        return tuple(values)

    def returned_before(self, record: Record, image_id: str) -> bool:
        if self.last is None:
            return False
        value = self.value(record)
        if value is None:
            return False
        if value == self.last:
            return image_id in self.ties
        for mine, theirs, (_, descending) in zip(value, self.last, self.keys, strict=True):
            if mine != theirs:
                return mine > theirs if descending else mine < theirs
        return False  # pragma: no cover - equal tuples were handled above

    def advance(self, record: Record, image_id: str) -> None:
        value = self.value(record)
        if value is None:
            return
        if value != self.last:
            self.last = value
            self.ties = set()
        self.ties.add(image_id)


def _sort_keys(params: Params) -> tuple[tuple[str, bool], ...] | None:
    """The request's sort keys (field, descending), Glance's defaults added;
    None when the parameters are not understood here."""
    sort = [v for k, v in params if k == "sort"]
    sort_keys = [v for k, v in params if k == "sort_key"]
    sort_dirs = [v for k, v in params if k == "sort_dir"]
    keys: list[tuple[str, bool]] = []
    if sort:
        if len(sort) > 1 or sort_keys or sort_dirs:
            return None
        for part in sort[0].split(","):
            field, _, direction = part.strip().partition(":")
            if direction not in ("", "asc", "desc"):
                return None
            keys.append((field, direction != "asc"))
    elif sort_keys or sort_dirs:
        if len(sort_dirs) not in (0, 1, len(sort_keys)):
            return None
        for n, field in enumerate(sort_keys):
            direction = sort_dirs[n] if len(sort_dirs) == len(sort_keys) else (sort_dirs or ["desc"])[0]
            if direction not in ("asc", "desc"):
                return None
            keys.append((field, direction == "desc"))
    names = [field for field, _ in keys]
    if "created_at" not in names:
        keys.append(("created_at", True))
    if "id" not in names:
        keys.append(("id", True))
    return tuple(keys)


def _fetch(
    params: Params,
    marker: str | None,
    policy: RetryPolicy,
    can_refresh: bool,
    redact: Callable[[str], str],
) -> Generator[Effect, Any, _Listed | _MarkerGone]:
    """One page: the decoded body, or _MarkerGone; retries, re-authentication and errors here."""
    attempt = 0
    refreshed = False
    while True:
        outcome = yield Send(params)
        if isinstance(outcome, Fault):
            if not outcome.retryable or attempt >= policy.retries:
                tries = "" if not outcome.retryable else f" (tried {attempt + 1} times)"
                raise ConnectionError(
                    f"cannot reach the Images API at {outcome.endpoint}: {redact(outcome.reason)}{tries}"
                )
            yield Wait(policy.delay(attempt), outcome.reason)
            attempt += 1
            continue

        assert isinstance(outcome, Reply)
        status = outcome.status
        if status == 200:
            body, problem = _decode(outcome.content)
            if body is not None:
                return _Listed(body["images"], bool(body.get("next")), outcome.endpoint)
            if attempt >= policy.retries:
                raise ServiceError(
                    f"the Images API at {outcome.endpoint} sent an invalid listing ({problem}); "
                    f"tried {attempt + 1} times",
                    status_code=200,
                )
            yield Wait(policy.delay(attempt), f"invalid listing: {problem}")
            attempt += 1
            continue

        if status in RETRY_STATUSES:
            if attempt >= policy.retries:
                message = redact(server_message(outcome))
                raise ServiceUnavailable(
                    f"the Images API at {outcome.endpoint} is unavailable: HTTP {status} {_phrase(status)}"
                    f"{': ' + message if message else ''} (tried {attempt + 1} times)",
                    status_code=status,
                )
            yield Wait(policy.delay(attempt, retry_after(outcome.headers)), f"HTTP {status}")
            attempt += 1
            continue

        if status == 401 and can_refresh and not refreshed:
            refreshed = True
            yield Reauthenticate()
            continue

        message = redact(server_message(outcome))
        if status == 400 and marker is not None and ("no image found" in message.lower() or marker in message):
            return _MarkerGone(message, outcome)
        raise _error(outcome, message, params, refreshed, redact)


def _decode(content: bytes) -> tuple[dict[str, Any] | None, str]:
    """The listing body, or None and what is wrong with it."""
    try:
        body = load_json(content)
    except TooDeep as exc:
        return None, str(exc)
    except (ValueError, UnicodeDecodeError) as exc:
        return None, f"not JSON: {exc}" if content else "empty body"
    if not isinstance(body, dict):
        return None, f"expected a JSON object, got {type(body).__name__}"
    images = body.get("images")
    if not isinstance(images, list):
        return None, "no 'images' list"
    if not all(isinstance(image, dict) for image in images):
        return None, "an image that is not a JSON object"
    return body, ""


# --------------------------------------------------------------------------- errors


def _error(reply: Reply, message: str, params: Params, refreshed: bool, redact: Callable[[str], str]) -> ServiceError:
    status = reply.status
    endpoint = reply.endpoint
    detail = f": {message}" if message else ""
    if status == 400:
        return _bad_request(reply, message, params)
    if status == 401:
        again = " (a newly issued token was refused too)" if refreshed else ""
        return AuthenticationError(
            f"the Images API at {endpoint} refused the credentials (HTTP 401){detail}{again}; "
            "check the token and that it has not expired",
            status_code=status,
        )
    if status == 403:
        return Forbidden(
            f"the Images API at {endpoint} does not allow these credentials to list images (HTTP 403){detail}",
            status_code=status,
        )
    if status == 404:
        return EndpointError(
            f"no Images API v2 at {endpoint}: check the endpoint (GET {LISTING_PATH} answered HTTP 404)",
            status_code=status,
        )
    if 300 <= status < 400:
        location = reply.headers.get("location")
        where = f" to {visible(shortened(display_endpoint(redact(location))))}" if location else ""
        return EndpointError(
            f"the Images API at {endpoint} redirects{where} (HTTP {status}): use the endpoint it names",
            status_code=status,
        )
    return ServiceError(
        f"the Images API at {endpoint} answered HTTP {status} {_phrase(status)}{detail}", status_code=status
    )


def _bad_request(reply: Reply, message: str, params: Params) -> BadRequest:
    return BadRequest(
        f"the Images API at {reply.endpoint} refused the request: {message or 'HTTP 400 Bad Request'}\n"
        f"  request: GET {describe(params)}",
        status_code=reply.status,
        params=tuple(params),
    )


def describe(params: Params) -> str:
    """``/v2/images?tag=a&tag=b&limit=2``: a request as a person reads it."""
    if not params:
        return LISTING_PATH
    return LISTING_PATH + "?" + urlencode(params, quote_via=quote, safe=":,")


def server_message(reply: Reply) -> str:
    """The human text of an error answer, in plain words (see :mod:`imgql.http.server_text`)."""
    return plain_text(reply.content, reply.status)
