"""Finding the queries in a configuration's data (by dotted key paths, or
every string that reads as a query) and checking them without a request."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

import attrs

from ..errors import Error, MultipleFound, NotFound, QueryError
from ..lang.parser import parse

__all__ = [
    "Documents",
    "PathKey",
    "Problem",
    "Source",
    "check_queries",
    "check_query",
    "exit_code_for",
    "find_queries",
    "looks_like_query",
    "missing_problem",
    "no_query_problem",
    "path_text",
    "problem_of",
    "type_name",
    "walk_all",
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


def problem_of(path: str, query: str, error: Error) -> Problem:
    if isinstance(error, QueryError):
        return Problem(path, query, error, error.line, error.column, error.offset)
    return Problem(path, query, error)


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


def walk_all(data: Any, prefix: PathKey = ()) -> Iterator[tuple[PathKey, Any]]:
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
        return [(p, v) for p, v in walk_all(data) if looks_like_query(v)], []
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
    order = {path: i for i, (path, _) in enumerate(walk_all(data))}
    found.sort(key=lambda item: order.get(item[0], len(order)))
    return found, missing


def check_query(text: object, params: Mapping[str, Any] | None = None) -> Error | None:
    """Why ``text`` is not a valid query, or None. Parses and plans it; no request is made.
    Strict: in a configuration file a near-miss field name (`nmae`) would only
    surface as "image not found" at deploy time, so it is an error here.
    With ``params``, the query's ``$names`` are bound to them first, and one
    without a value is an error."""
    if not isinstance(text, str):
        return QueryError(f"expected a query string, found {type_name(text)}")
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


def type_name(value: object) -> str:
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
    for path, _value in walk_all(data):
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
            problems.append(problem_of(path_text(path), value if isinstance(value, str) else "", error))
    return problems


def exit_code_for(problems: Sequence[Problem]) -> int:
    """The command line's exit code for a set of problems (see docs/cli.md)."""
    if any(isinstance(p.error, (NotFound, MultipleFound)) for p in problems):
        return 3
    return 2
