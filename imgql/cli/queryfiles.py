"""Queries in configuration files: find them, check them, resolve them to image ids.

A configuration picks an image by query instead of a hard-coded id::

    servers:
      web:
        image: images where os_distro = ubuntu and tag = lts order by created_at desc limit 1

:func:`resolve` runs every query found at the given key paths with
exactly-one semantics (``source.one``) and returns a copy of the mapping with
each query replaced by its image's id. Every failing query is reported, not
only the first, in one :class:`ConfigQueryError` whose ``problems`` say where
(key path, and line and column inside the query) and what went wrong.

:func:`check_file` validates the queries of a YAML, TOML or JSON file without
calling any API and reports ``file:line:column`` positions in the file itself.

Key paths are dotted: ``servers.web.image``; ``*`` stands for any key of a
mapping or any index of a list (``servers.*.image``); a number indexes a list
(``pools.0.image``).
"""

from __future__ import annotations

import copy
import difflib
import importlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from ..errors import (
    ConfigError,
    ConfigQueryError,
    Error,
    FileError,
    MultipleFound,
    NotFound,
    ParameterError,
    QueryError,
)
from ..optional import optional_module
from ..untrusted import TooManyValues, load_yaml_documents

if TYPE_CHECKING:
    from .lockfile import Lock, Pin

__all__ = [
    "ConfigQueryError",
    "Diagnostic",
    "Documents",
    "FileError",
    "Problem",
    "check_file",
    "check_queries",
    "find_queries",
    "load_file",
    "read_params",
    "resolve",
    "resolve_images",
    "resolve_pins",
]

PathKey = tuple[str | int, ...]

_QUERY_START = re.compile(r"\s*(?:all\s+)?images\s", re.IGNORECASE)


class Source(Protocol):
    """What :func:`resolve` needs: a ``Client`` or a ``Catalog``."""

    def one(self, query: str, **params: Any) -> Any: ...


@attrs.frozen
class Problem:
    """One query that failed: where it is, what it says and what went wrong.

    ``line`` and ``column`` (1-based) are inside the query text, when the
    error has a position there."""

    path: str
    query: str
    error: Error
    line: int | None = None
    column: int | None = None
    offset: int | None = None

    @property
    def message(self) -> str:
        return self.error.message if isinstance(self.error, Error) else str(self.error)

    def __str__(self) -> str:
        where = f" (line {self.line}, column {self.column} of the query)" if self.line is not None else ""
        text = f"{self.path}: {self.message}{where}"
        if isinstance(self.error, QueryError) and self.error.line is not None:
            text += "\n" + self.error.caret()
        return text


def _problem(path: str, query: str, error: Error) -> Problem:
    if isinstance(error, QueryError):
        return Problem(path, query, error, error.line, error.column, error.offset)
    return Problem(path, query, error)


# --------------------------------------------------------------------------- finding


def path_text(path: PathKey) -> str:
    return ".".join(str(p) for p in path) if path else "(top level)"


def _split(pattern: str) -> list[str]:
    parts = [p for p in pattern.strip().split(".")]
    if not pattern.strip() or any(p == "" for p in parts):
        raise Error(f"not a key path: {pattern!r} (write keys separated by dots, * for any key)")
    return parts


def _walk_pattern(data: Any, parts: Sequence[str], prefix: PathKey) -> Iterator[tuple[PathKey, Any]]:
    if not parts:
        yield prefix, data
        return
    head, rest = parts[0], parts[1:]
    if isinstance(data, Mapping):
        if head == "*":
            for key, value in data.items():
                yield from _walk_pattern(value, rest, (*prefix, key))
        else:
            for key, value in data.items():
                if str(key) == head:
                    yield from _walk_pattern(value, rest, (*prefix, key))
    elif isinstance(data, list):
        if head == "*":
            for index, value in enumerate(data):
                yield from _walk_pattern(value, rest, (*prefix, index))
        elif head.isdigit() and int(head) < len(data):
            yield from _walk_pattern(data[int(head)], rest, (*prefix, int(head)))


class Documents(list[Any]):
    """The documents of a YAML file with several (``---``): key paths apply
    inside each, and a found path starts with the document's index (0 the first)."""


def _matches(data: Any, parts: Sequence[str]) -> Iterator[tuple[PathKey, Any]]:
    if isinstance(data, Documents):
        for index, document in enumerate(data):
            yield from _walk_pattern(document, parts, (index,))
    else:
        yield from _walk_pattern(data, parts, ())


def _walk_all(data: Any, prefix: PathKey = ()) -> Iterator[tuple[PathKey, Any]]:
    stack: list[tuple[PathKey, Any]] = [(prefix, data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, Mapping):
            stack.extend(reversed([((*path, k), v) for k, v in value.items()]))
        elif isinstance(value, list):
            stack.extend(reversed([((*path, i), v) for i, v in enumerate(value)]))
        else:
            yield path, value


def looks_like_query(value: object) -> bool:
    """Whether a string value reads as a query (starts with ``images`` or ``all images``)."""
    return isinstance(value, str) and _QUERY_START.match(value) is not None


def find_queries(data: Any, keys: Iterable[str] | str | None = None) -> tuple[list[tuple[PathKey, Any]], list[str]]:
    """The values at ``keys`` (or, with no keys, every string that looks like
    a query), in document order, and the key paths without wildcards that
    matched nothing."""
    if keys is None:
        return [(p, v) for p, v in _walk_all(data) if looks_like_query(v)], []
    if isinstance(keys, str):
        keys = [keys]
    found: list[tuple[PathKey, Any]] = []
    seen: set[PathKey] = set()
    missing: list[str] = []
    for pattern in keys:
        parts = _split(pattern)
        matches = list(_matches(data, parts))
        if not matches:
            # A pattern that matches nothing checks nothing: most likely a typo.
            missing.append(pattern)
        for path, value in matches:
            if path not in seen:
                seen.add(path)
                found.append((path, value))
    order = {path: i for i, (path, _) in enumerate(_walk_all(data))}
    found.sort(key=lambda item: order.get(item[0], len(order)))
    return found, missing


# --------------------------------------------------------------------------- checking and resolving


def check_query(text: object, params: Mapping[str, Any] | None = None) -> Error | None:
    """Why ``text`` is not a valid query, or None. Parses and plans it; no request is made.
    Strict: in a configuration file a near-miss field name (`nmae`) would only
    surface as "image not found" at deploy time, so it is an error here.
    With ``params``, the query's ``$names`` are bound to them first, and one
    without a value is an error."""
    from ..lang.parser import parse

    if not isinstance(text, str):
        return QueryError(f"expected a query string, found {_type_name(text)}")
    try:
        query = parse(text, strict=True)
        if params is not None and query.params:
            query = query.bind(**{name: value for name, value in params.items() if name in query.params})
        if not query.params:
            query.plan("glance")
    except Error as exc:
        return exc
    return None


def no_query_problem(keys: Iterable[str] | str | None) -> Problem:
    """A file (or key paths) with no query: nothing would be checked, so it is an error."""
    if keys is None:
        what = "no query in this file (no string value starts with `images` or `all images`)"
        return Problem("", "", QueryError(what))
    patterns = [keys] if isinstance(keys, str) else list(keys)
    return Problem(", ".join(patterns), "", QueryError("no query at these key paths"))


def read_params(file: str | os.PathLike[str] | None, pairs: Iterable[tuple[str, str]] = ()) -> dict[str, Any]:
    """Bound parameters from a YAML, TOML or JSON file of ``name: value``, then
    from ``-p NAME=VALUE`` pairs (which win)."""
    params: dict[str, Any] = {}
    if file is not None:
        data, _text, _kind = load_file(file)
        if not isinstance(data, Mapping):
            raise ParameterError(f"{os.fspath(file)}: expected a mapping of parameter name -> value")
        for name, value in data.items():
            if not isinstance(value, (str, int, float, bool)):
                raise ParameterError(f"{os.fspath(file)}: ${name}: expected a text, number or boolean value")
            params[str(name).lstrip("$")] = value
    params.update(dict(pairs))
    return params


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def missing_problem(data: Any, pattern: str) -> Problem:
    """The problem of a key path that matches nothing, with the closest paths the data has."""
    parts = pattern.split(".")
    paths: set[str] = set()
    for path, _value in _walk_all(data):
        for end in range(1, len(path) + 1):
            shape = [("*" if i < len(parts) and parts[i] == "*" else str(key)) for i, key in enumerate(path[:end])]
            paths.add(".".join(shape))
    close = difflib.get_close_matches(pattern, sorted(paths), n=2, cutoff=0.75)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return Problem(pattern, "", QueryError(f"no value at key path {pattern}{hint}"))


def check_queries(
    data: Any, keys: Iterable[str] | str | None = None, params: Mapping[str, Any] | None = None
) -> list[Problem]:
    """Every problem with the queries of ``data``, without calling any API
    (with ``params``, each query's parameters must have values there)."""
    found, missing = find_queries(data, keys)
    problems = [missing_problem(data, pattern) for pattern in missing]
    for path, value in found:
        error = check_query(value, params or None)
        if error is not None:
            problems.append(_problem(path_text(path), value if isinstance(value, str) else "", error))
    return problems


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
            error = QueryError(f"expected a query string, found {_type_name(value)}")
        if error is not None:
            problems.append(_problem(name, value if isinstance(value, str) else "", error))
            continue
        assert isinstance(value, str)
        try:
            images[path] = _one(source, value, params)
        except Error as exc:
            problems.append(_problem(name, value, exc))
    if problems:
        raise ConfigQueryError(problems)
    return images


def _one(source: Source, query: str, params: dict[str, Any]) -> Any:
    """The image a query picks; for a query naming regions or clouds, a dict
    of region -> the image it picks there (``one(..., per="region")``)."""
    from ..lang.parser import parse
    from ..plan.locations import split_places

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
    from .pinning import canonical_query, now_text, pin_query, through_lock

    locked, lock_label, file_name = _lock_of(lock, file, refresh)
    found, missing = find_queries(data, keys)
    problems = [missing_problem(data, pattern) for pattern in missing]
    pins: dict[PathKey, tuple[Pin, ...]] = {}
    resolved_at = now_text()
    for path, value in found:
        name = path_text(path)
        error = check_query(value, params)
        if error is not None:
            problems.append(_problem(name, value if isinstance(value, str) else "", error))
            continue
        assert isinstance(value, str)
        try:
            query = canonical_query(value, params)
            if locked is not None:
                pins[path] = through_lock(source, locked, file_name, name, query, lock_label)
            else:
                pins[path] = pin_query(source, query, resolved_at)
        except Error as exc:
            problems.append(_problem(name, value, exc))
    if problems:
        raise ConfigQueryError(problems)
    return pins


def _lock_of(lock: Any, file: str | os.PathLike[str] | None, refresh: bool) -> tuple[Lock | None, str, str | None]:
    """The lock to answer from, how to name it, and how it names ``file``."""
    from .lock import lock_name
    from .lockfile import Lock, read_lock

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


# --------------------------------------------------------------------------- files


@attrs.frozen
class Diagnostic:
    """A problem at a position in a file (1-based line and column)."""

    file: str
    line: int
    column: int
    message: str
    path: str = ""
    caret: str = ""
    error: Error | None = attrs.field(default=None, eq=False, repr=False)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: "
        what = f"{self.path}: {self.message}" if self.path else self.message
        return where + what + (f"\n{self.caret}" if self.caret else "")


def _yaml() -> ModuleType:
    return optional_module("yaml", needed_for="reading YAML", extra="cli")


def _toml() -> ModuleType:
    for name in ("tomllib", "tomli"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise Error("reading TOML needs Python 3.11 or the tomli package")


def file_kind(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".toml":
        return "toml"
    if suffix == ".json":
        return "json"
    raise Error(f"{os.fspath(path)}: cannot tell the file's format from its name; use .yaml, .yml, .toml or .json")


def load_file(path: str | os.PathLike[str]) -> tuple[Any, str, str]:
    """The data of a YAML, TOML or JSON file, its text and its kind."""
    name = os.fspath(path)
    kind = file_kind(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise Error(f"cannot read {name}: {reason}") from None
    if kind == "json":
        try:
            return json.loads(text), text, kind
        except json.JSONDecodeError as exc:
            raise FileError(Diagnostic(name, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")) from None
    if kind == "toml":
        toml = _toml()
        try:
            return toml.loads(text), text, kind
        except toml.TOMLDecodeError as exc:
            message = str(exc)
            match = re.search(r"\(at line (\d+), column (\d+)\)", message)
            line, column = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message) if match else message
            raise FileError(Diagnostic(name, line, column, f"invalid TOML: {message}")) from None
    yaml = _yaml()
    try:
        documents = load_yaml_documents(yaml, text)
    except TooManyValues as exc:
        raise FileError(Diagnostic(name, 1, 1, f"refused YAML: {exc}")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else 1
        raise FileError(Diagnostic(name, line, column, f"invalid YAML: {problem}")) from None
    if len(documents) > 1:
        return Documents(documents), text, kind
    return (documents[0] if documents else None), text, kind


def check_file(
    path: str | os.PathLike[str],
    keys: Iterable[str] | str | None = None,
    source: Source | None = None,
    report: Callable[[str], object] | None = None,
    *,
    lock: Any = None,
    refresh: bool = False,
    **params: Any,
) -> list[Diagnostic]:
    """Problems with the queries of a configuration file, as ``file:line:column``
    diagnostics. With a ``source``, each query must also pick exactly one image
    there (or, with a ``lock``, the lock's pinned image must still be
    deployable); without one, no API is called. ``report`` is given a line
    ``key: id name`` for every query that resolved (``key: place: id name``
    per place for a query that names places). A file, or key paths, holding
    no query at all is a problem: it would check nothing.
    Bound parameters (``**params``) give the queries' ``$names`` values."""
    name = os.fspath(path)
    try:
        data, text, kind = load_file(path)
    except FileError as exc:
        return [exc.diagnostic]
    found, missing = find_queries(data, keys)
    if not found and not missing:
        return diagnose(name, text, kind, data, [no_query_problem(keys)])
    if source is not None:
        try:
            resolved = resolve_pins(data, keys, source, lock=lock, refresh=refresh, file=path, **params)
            problems: list[Problem] = []
            for key, pins in resolved.items():
                for pin in pins:
                    where = f"{pin.place_text}: " if len(pins) > 1 or pin.place_text else ""
                    if report is not None:
                        report(f"{path_text(key)}: {where}{pin.id} {pin.name or ''}".rstrip())
        except ConfigQueryError as exc:
            problems = list(exc.problems)
    else:
        problems = check_queries(data, keys, params)
    return diagnose(name, text, kind, data, problems)


def diagnose(name: str, text: str, kind: str, data: Any, problems: Sequence[Problem]) -> list[Diagnostic]:
    """Problems with queries of a loaded file, as ``file:line:column`` diagnostics."""
    if not problems:
        return []
    from .locator import Locator

    locator = Locator(text, kind, data)
    out = []
    for problem in problems:
        line, column = locator.position(problem)
        caret = problem.error.caret() if isinstance(problem.error, QueryError) else ""
        out.append(Diagnostic(name, line, column, problem.message, problem.path, caret, problem.error))
    return out


def count_queries(path: str | os.PathLike[str], keys: Iterable[str] | str | None = None) -> int:
    data, _text, _kind = load_file(path)
    return len(find_queries(data, keys)[0])


def exit_code_for(problems: Sequence[Problem]) -> int:
    """The command line's exit code for a set of problems (see docs/cli.md)."""
    if any(isinstance(p.error, (NotFound, MultipleFound)) for p in problems):
        return 3
    return 2
