"""Resolving the queries of a configuration: the image each picks, as an id
or as pins (from a source, or through a lock)."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable
from typing import Any

from ..errors import ConfigError, ConfigQueryError, Error, QueryError
from ..lang.parser import parse
from ..plan.locations import split_places
from .findqueries import (
    PathKey,
    Problem,
    Source,
    check_query,
    find_queries,
    missing_problem,
    path_text,
    problem_of,
    type_name,
)
from .lockfile import Lock, Pin, lock_name, read_lock
from .pinning import canonical_query, now_text, pin_query, through_lock

__all__ = ["resolve", "resolve_images", "resolve_pins"]


def resolve_images(data: Any, keys: Iterable[str] | str | None, source: Source, **params: Any) -> dict[PathKey, Any]:
    """The image each query of ``data`` picks (``source.one``), by key path.
    Raises :class:`ConfigQueryError` listing every query that failed."""
    found, missing = find_queries(data, keys)
    problems = [missing_problem(data, pattern) for pattern in missing]
    images: dict[PathKey, Any] = {}
    for path, value in found:
        name = path_text(path)
        error = check_query(value) if not params else None
        if error is None and not isinstance(value, str):
            error = QueryError(f"expected a query string, found {type_name(value)}")
        if error is not None:
            problems.append(problem_of(name, value if isinstance(value, str) else "", error))
            continue
        assert isinstance(value, str)
        try:
            images[path] = _one(source, value, params)
        except Error as exc:
            problems.append(problem_of(name, value, exc))
    if problems:
        raise ConfigQueryError(problems)
    return images


def _one(source: Source, query: str, params: dict[str, Any]) -> Any:
    """The image a query picks; for a query naming regions or clouds, a dict
    of region -> the image it picks there (``one(..., per="region")``)."""
    if split_places(parse(query))[0].named:
        return source.one(query, per="region", **params)
    return source.one(query, **params)


def resolve_pins(
    data: Any,
    keys: Iterable[str] | str | None,
    source: Source,
    *,
    lock: Any = None,
    refresh: bool = False,
    file: str | os.PathLike[str] | None = None,
    **params: Any,
) -> dict[PathKey, tuple[Pin, ...]]:
    """What each query of ``data`` picks, by key path: a pin per place (one
    pin for a query that names no place). With a ``lock`` (a
    :class:`~imgql.cli.lockfile.Lock`, or the path of a lock file), the answer
    is the lock's, each pinned image checked to be still deployable;
    ``refresh=True`` ignores the lock. ``file`` is the configuration file
    ``data`` came from, to find its entries in a lock of several files.
    Raises :class:`ConfigQueryError` listing every query that failed."""
    locked, lock_label, file_name = _lock_of(lock, file, refresh)
    found, missing = find_queries(data, keys)
    problems = [missing_problem(data, pattern) for pattern in missing]
    pins: dict[PathKey, tuple[Pin, ...]] = {}
    resolved_at = now_text()
    for path, value in found:
        name = path_text(path)
        error = check_query(value, params)
        if error is not None:
            problems.append(problem_of(name, value if isinstance(value, str) else "", error))
            continue
        assert isinstance(value, str)
        try:
            query = canonical_query(value, params)
            if locked is not None:
                pins[path] = through_lock(source, locked, file_name, name, query, lock_label)
            else:
                pins[path] = pin_query(source, query, resolved_at)
        except Error as exc:
            problems.append(problem_of(name, value, exc))
    if problems:
        raise ConfigQueryError(problems)
    return pins


def _lock_of(lock: Any, file: str | os.PathLike[str] | None, refresh: bool) -> tuple[Lock | None, str, str | None]:
    """The lock to answer from, how to name it, and how it names ``file``."""
    if lock is None or refresh:
        return None, "", None
    if isinstance(lock, Lock):
        return lock, "given", os.fspath(file) if file is not None else None
    label = os.fspath(lock)
    return read_lock(label), label, lock_name(file, label) if file is not None else None


def resolve(
    data: Any,
    keys: Iterable[str] | str | None,
    source: Source,
    *,
    per_place: bool = False,
    lock: Any = None,
    refresh: bool = False,
    file: str | os.PathLike[str] | None = None,
    **params: Any,
) -> Any:
    """A deep copy of ``data`` with every query at ``keys`` replaced by the id
    of the one image it picks (``source.one``).

    The shape never depends on the query: each query becomes an id (a
    string). A query that answers at several places (``region = *``,
    ``region in (a, b)``) is a problem unless ``per_place=True``, which turns
    every query into a mapping of place -> id (the place is the region, or
    ``cloud/region``; ``""`` for the source's own place).

    With ``lock`` (a path or a :class:`~imgql.cli.lockfile.Lock`), the ids are
    the lock's, as :func:`resolve_pins` says; ``refresh=True`` ignores it.
    With ``keys`` None, every string that starts with ``images `` or
    ``all images `` is a query. Raises :class:`ConfigQueryError` listing every
    query that failed (syntax, unknown field, no image, several images, a
    pinned image gone, ...), each with its key path and its position inside
    the query text.
    """
    pins = resolve_pins(data, keys, source, lock=lock, refresh=refresh, file=file, **params)
    result = copy.deepcopy(data)
    problems: list[Problem] = []
    for path, found in pins.items():
        if per_place:
            _set(result, path, {pin.place_text: pin.id for pin in found})
        elif len(found) == 1:
            _set(result, path, found[0].id)
        else:
            places = ", ".join(pin.place_text for pin in found)
            message = f"answers at {len(found)} places ({places}); pass per_place=True for a mapping place -> id"
            problems.append(Problem(path_text(path), "", ConfigError(message)))
    if problems:
        raise ConfigQueryError(problems)
    return result


def _set(data: Any, path: PathKey, value: Any) -> None:
    target = data
    for key in path[:-1]:
        target = target[key]
    if path:
        target[path[-1]] = value
