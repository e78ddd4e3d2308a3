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
the listing (:class:`~imgql.http.sort_position.SortPosition`); for other
orders, every id returned.

The effects are declared in :mod:`imgql.http.paging_effects`, one page's
tries in :mod:`imgql.http.page_fetch`, the errors in
:mod:`imgql.http.paging_errors`; their names are importable from here too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..errors import ServiceError
from ..records import Record
from ..run.shape import shape_problem
from ..untrusted import shortened, visible
from .page_fetch import Listed, MarkerGone, fetch_page
from .paging_effects import (
    LISTING_PATH,
    Effect,
    Fault,
    Listing,
    Page,
    Params,
    Reauthenticate,
    Reply,
    Send,
    Wait,
    describe,
)
from .paging_errors import bad_request, cycle, no_progress, server_message
from .retry import RetryPolicy
from .sort_position import SortPosition

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

# How many times a listing may start over after losing its place.
MAX_RESTARTS = 2


def listing(
    params: Sequence[tuple[str, str]],
    page_size: int,
    policy: RetryPolicy,
    *,
    can_refresh: bool = False,
    redact: Callable[[str], str] = lambda text: text,
    on_page: Callable[[int], None] | None = None,
) -> Listing:
    """Every image of one listing, page by page (see the module documentation).

    ``params`` are the request's filter, scope and sort parameters; ``limit``
    and ``marker`` are added here. ``redact`` cleans any text that came from
    the server before it goes into an error message. ``on_page`` is called
    with the number of image records of each page received, before any of
    them is checked or yielded; what it raises ends the listing.
    """
    if page_size < 1:
        raise ValueError(f"page_size must be at least 1, not {page_size}")
    base = tuple((str(k), str(v)) for k, v in params)
    walk = _Walk(SortPosition.of(base))
    while True:
        page_params = (*base, ("limit", str(page_size)), *((("marker", walk.marker),) if walk.marker else ()))
        answer = yield from fetch_page(page_params, walk.marker, policy, can_refresh, redact)
        if isinstance(answer, MarkerGone):
            if not walk.resume():
                raise bad_request(answer.reply, answer.message, page_params)
            continue
        if on_page is not None:
            on_page(len(answer.images))
        fresh, ids = walk.take(answer)
        if fresh:
            yield Page(tuple(fresh))
        if not answer.images or not answer.has_next:
            return
        walk.move_on(answer.endpoint, bool(fresh), ids)


class _Walk:
    """What one listing keeps between pages: its marker, where to resume
    from, and enough to tell an image returned before."""

    def __init__(self, place: SortPosition | None) -> None:
        self.place = place
        # Every id returned, kept only when the listing's order cannot tell,
        # after a restart, which images were returned before (see SortPosition).
        self.returned: set[str] | None = set() if place is None else None
        # The ids of the last page: a page resumed from an earlier marker repeats
        # some of them, and a server that repeats a whole page is caught by them.
        self.previous: set[str] = set()
        self.restarted = False
        self.marker: str | None = None
        # Earlier ids of the last page, the nearest last: where to resume from
        # when the marker image disappears.
        self.fallback: list[str] = []
        self.restarts = 0
        # Every marker asked with since the listing (re)started: a server whose
        # pages point back at each other would otherwise be paged for ever.
        self.markers: set[str] = set()

    def resume(self) -> bool:
        """After the marker image disappeared: resume from the image before it,
        or start over; False when the listing has started over too often."""
        if self.fallback:
            self.marker = self.fallback.pop()
            return True
        if self.restarts < MAX_RESTARTS:
            self.restarts += 1
            self.restarted = True
            self.marker = None
            self.markers = set()
            return True
        return False

    def take(self, page: Listed) -> tuple[list[Record], list[str]]:
        """The page's records not returned before, and the page's ids."""
        fresh: list[Record] = []
        ids: list[str] = []
        for record in page.images:
            image_id = _checked_id(record, page.endpoint)
            if image_id:
                ids.append(image_id)
                if not self._first_sight(record, image_id, page.endpoint):
                    continue
            fresh.append(record)
        return fresh, ids

    def _first_sight(self, record: Record, image_id: str, endpoint: str) -> bool:
        if image_id in self.previous:
            return False
        if image_id in self.markers:
            # An image paged past before: the pages lead back on themselves.
            raise cycle(endpoint, image_id)
        if self.returned is not None:
            if image_id in self.returned:
                return False
            self.returned.add(image_id)
        elif self.place is not None:
            if self.restarted and self.place.returned_before(record, image_id):
                return False
            self.place.advance(record, image_id)
        return True

    def move_on(self, endpoint: str, brought_new: bool, ids: list[str]) -> None:
        """The next page's marker, after a page that says more follow; a
        ServiceError when paging on could not end."""
        if not brought_new and self.marker is not None and all(image_id in self.previous for image_id in ids):
            # A full page of images already returned: the server's paging
            # went back on itself (Glance does when the marker image has a
            # null in the sort key). Going on would loop forever.
            raise ServiceError(
                f"the Images API at {endpoint} returned the same images again after marker {self.marker}; "
                "its paging is inconsistent for this request (sorting by a column with null values?)",
                status_code=200,
            )
        if not ids:
            raise ServiceError(
                f"the Images API at {endpoint} sent a page of images without ids: cannot page on",
                status_code=200,
            )
        # The next marker used before: the pages form a cycle. A page with no
        # new image outside a restart (whose first pages repeat on purpose)
        # would be asked for again and again.
        if ids[-1] in self.markers:
            raise cycle(endpoint, ids[-1])
        if not (brought_new or self.restarted):
            raise no_progress(endpoint)
        self.markers.add(ids[-1])
        self.marker = ids[-1]
        self.fallback = ids[:-1]
        self.previous = set(ids)


def _checked_id(record: Record, endpoint: str) -> str | None:
    """The record's id, once the record has the shape of an image record."""
    image_id = record.get("id")
    if image_id is not None and not isinstance(image_id, str):
        raise ServiceError(
            f"the Images API at {endpoint} sent an image whose id is not text: {image_id!r:.60}", status_code=200
        )
    problem = shape_problem(record)
    if problem is not None:
        raise ServiceError(
            f"the Images API at {endpoint} sent image {shortened(str(image_id), 60)} "
            f"with a field of the wrong type: {visible(problem)}",
            status_code=200,
        )
    return image_id
