"""Queries resolved into pins, and pins checked against what the queries answer now.

:func:`pin_query` runs one query with exactly-one semantics at every place it
names and returns a :class:`~imgql.cli.lockfile.Pin` per place.
:func:`why_gone` says why a pinned image can no longer be used (deleted,
deactivated, hidden, or no longer matching its query), or None when it still
can. :func:`compare` turns a lock entry and a fresh resolution into the
:class:`Change` records ``imgql lock --check`` prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from ..errors import Error, NotFound
from ..lang.ast import Query
from ..lang.parser import parse
from ..plan.locations import split_places
from .composed import condition, own_conditions, parse_composed
from .lockfile import Entry, Lock, Pin, place_text

__all__ = [
    "STATUSES",
    "Answer",
    "Change",
    "NotLocked",
    "PinnedImageGone",
    "answer_query",
    "canonical_query",
    "compare",
    "now_text",
    "pin_of",
    "pin_query",
    "through_lock",
    "why_gone",
]

STATUSES = ("unchanged", "changed", "gone", "new", "removed")


def now_text() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def canonical_query(text: str, params: Mapping[str, Any]) -> Query:
    """The query as it resolves: parsed strictly, with the parameters it uses bound."""
    query = parse(text, strict=True)
    used = {name: value for name, value in params.items() if name in query.params}
    return query.bind(**used) if query.params else query


def pin_of(image: Any, resolved_at: str) -> Pin:
    raw: Mapping[str, Any] = getattr(image, "raw", image)
    algo, value = raw.get("os_hash_algo"), raw.get("os_hash_value")
    digest = f"{algo}:{value}" if algo and value else (f"md5:{raw['checksum']}" if raw.get("checksum") else None)
    return Pin(
        id=str(raw["id"]),
        name=raw.get("name"),
        created_at=raw.get("created_at"),
        hash=digest,
        resolved_at=resolved_at,
    )


def pin_query(source: Any, query: Query, resolved_at: str) -> tuple[Pin, ...]:
    """The image ``query`` picks at each place it names (exactly one at each),
    or the one image it picks at the source's own place."""
    return answer_query(source, query, resolved_at).pins


@attrs.frozen
class Answer:
    """What a query answered: a pin per place; for fallbacks, which query
    answered (``tier``, 0 the first) and why each one before it did not."""

    pins: tuple[Pin, ...]
    undeployable: Mapping[str, str] = attrs.field(factory=dict)
    tier: int | None = None
    passed: tuple[str, ...] = ()


def answer_query(source: Any, query: Query, resolved_at: str) -> Answer:
    """:func:`pin_query`, and why each answered image that cannot be deployed
    cannot (by id: its status when not active, or hidden). Fallbacks are
    tried in order: a query that answers no image (at some place it names)
    passes to the next; one that answers several is an error."""
    if not query.fallbacks:
        pins, undeployable = _answer_one(source, query, resolved_at)
        return Answer(pins, undeployable)
    passed: list[str] = []
    for tier, each in enumerate(query.tiers):
        try:
            pins, undeployable = _answer_one(source, each, resolved_at)
        except NotFound as exc:
            passed.append(f"query {tier + 1} answered no image: {exc.message.splitlines()[0]}")
            continue
        return Answer(pins, undeployable, tier, tuple(passed))
    raise NotFound(f"none of the {len(query.tiers)} queries answered an image:\n  " + "\n  ".join(passed))


def _answer_one(source: Any, query: Query, resolved_at: str) -> tuple[tuple[Pin, ...], dict[str, str]]:
    places, _ = split_places(query)
    if not places.named:
        image = source.one(query)
        return (_place_pin(image, resolved_at, cloud=False, region=False),), _undeployable([image])
    by_region: dict[str, Any] = source.one(query, per="region")
    named_cloud = places.clouds is not None
    pins = [_place_pin(image, resolved_at, cloud=named_cloud, region=True) for image in by_region.values()]
    ordered = tuple(sorted(pins, key=lambda pin: (pin.cloud or "", pin.region or "")))
    return ordered, _undeployable(by_region.values())


def _undeployable(images: Iterable[Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for image in images:
        status = image.get("status")
        if status != "active":
            found[str(image.get("id"))] = status or "not active"
        elif image.get("os_hidden"):
            found[str(image.get("id"))] = "hidden"
    return found


def _place_pin(image: Any, resolved_at: str, *, cloud: bool, region: bool) -> Pin:
    pin = pin_of(image, resolved_at)
    return attrs.evolve(
        pin,
        cloud=getattr(image, "cloud", None) if cloud else None,
        region=getattr(image, "region", None) if region else None,
    )


def _at_pin(query: Query, pin: Pin, *, keep_where: bool) -> Query:
    """A query for the pinned image alone, at its place; with ``keep_where``, also under the query's conditions."""
    # Flat, so that the query's own region and cloud conditions stay at the top level, where places are read.
    conditions = own_conditions(query) if keep_where else []
    conditions.append(condition("id", pin.id))
    if pin.region:
        conditions.append(condition("region", pin.region))
    if pin.cloud:
        conditions.append(condition("cloud", pin.cloud))
    head = "all images" if query.all_images or not keep_where else "images"
    return parse_composed(f"{head} where {' and '.join(conditions)}")


def why_gone(source: Any, query: Query, pin: Pin) -> str | None:
    """Why the pinned image can no longer be deployed, in plain words; None if it can."""
    found = list(source.query(_at_pin(Query(all_images=True), pin, keep_where=False)))
    if not found:
        return "deleted, or no longer visible to this project"
    image = found[0]
    status = image.get("status")
    if status != "active":
        return f"{status or 'not active'}"
    if image.get("os_hidden"):
        return "hidden"
    # With fallbacks, the pin may come from any of the queries.
    if not any(list(source.query(_at_pin(tier, pin, keep_where=True))) for tier in query.tiers):
        return "no longer matches its query"
    return None


@attrs.frozen
class Change:
    """One line of ``imgql lock --check``: an entry at one place, and what became of it."""

    file: str
    key: str
    place: str
    status: str
    old: Pin | None = None
    new: Pin | None = None
    reason: str = ""
    tier: int | None = None

    def to_json(self) -> dict[str, Any]:
        def image(pin: Pin | None) -> dict[str, Any] | None:
            if pin is None:
                return None
            return {"id": pin.id, "name": pin.name, "created_at": pin.created_at}

        data: dict[str, Any] = {
            "file": self.file,
            "key": self.key,
            "place": self.place or None,
            "status": self.status,
            "old": image(self.old),
            "new": image(self.new),
        }
        if self.reason:
            data["reason"] = self.reason
        if self.tier is not None:
            data["tier"] = self.tier
        return data


def compare(entry: Entry, pins: Sequence[Pin], gone: Mapping[str, str], tier: int | None = None) -> list[Change]:
    """The changes between a lock entry and what its query answers now.
    ``gone`` maps a pinned id that can no longer be used to why."""
    changes: list[Change] = []
    now = {pin.place: pin for pin in pins}
    for old in entry.pins:
        new = now.pop(old.place, None)
        where = place_text(*old.place)
        if old.id in gone:
            changes.append(Change(entry.file, entry.key, where, "gone", old, new, gone[old.id], tier))
        elif new is None:
            changes.append(Change(entry.file, entry.key, where, "removed", old, None, "the query no longer runs here"))
        elif new.id == old.id:
            changes.append(Change(entry.file, entry.key, where, "unchanged", old, new, tier=tier))
        else:
            changes.append(Change(entry.file, entry.key, where, "changed", old, new, tier=tier))
    for new in now.values():
        changes.append(Change(entry.file, entry.key, new.place_text, "new", None, new, "a new place", tier))
    return changes


class NotLocked(Error):
    """A query that a lock was asked to answer but does not hold (or holds for another query text)."""


class PinnedImageGone(NotFound):
    """A pinned image that can no longer be deployed; says which image the query would pick now."""


def through_lock(source: Any, lock: Lock, file: str | None, key: str, query: Query, lock_name: str) -> tuple[Pin, ...]:
    """The pins the lock holds for ``key``, each checked to be still deployable.
    Raises :class:`NotLocked` or :class:`PinnedImageGone` (naming the key and the image the query now picks)."""
    entry = lock.find(key, file)
    if entry is None:
        raise NotLocked(
            f"{key}: not in the lock {lock_name}; run `imgql lock` to add it, or --refresh to ignore the lock"
        )
    if entry.query != str(query):
        raise NotLocked(
            f"{key}: the lock {lock_name} holds another query for this key ({entry.query}); "
            f"run `imgql lock --upgrade {key}`, or --refresh to ignore the lock"
        )
    for pin in entry.pins:
        reason = why_gone(source, query, pin)
        if reason is None:
            continue
        try:
            now = [p for p in pin_query(source, query, now_text()) if p.place == pin.place]
            successor = f"the query now picks {now[0].id} {now[0].name or ''}".rstrip() if now else "no successor"
        except Error as exc:
            successor = f"and the query now answers: {exc.message.splitlines()[0]}"
        where = f" in {pin.place_text}" if pin.place_text else ""
        raise PinnedImageGone(
            f"{key}: the locked image {pin.id} {pin.name or ''}{where} is {reason}; {successor}; "
            f"run `imgql lock --upgrade {key}` to move on, or --refresh to ignore the lock"
        )
    return entry.pins
