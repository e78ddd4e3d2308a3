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
from typing import Any, Protocol

import attrs

from ..errors import ConfigQueryError, Error, FileError, MultipleFound, NotFound, QueryError, line_and_column
from ..optional import optional_module
from ..untrusted import TooManyValues, load_yaml

__all__ = [
    "ConfigQueryError",
    "Diagnostic",
    "FileError",
    "Problem",
    "check_file",
    "check_queries",
    "find_queries",
    "load_file",
    "resolve",
    "resolve_images",
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
        matches = list(_walk_pattern(data, parts, ()))
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


def check_query(text: object) -> Error | None:
    """Why ``text`` is not a valid query, or None. Parses and plans it; no request is made.
    Strict: in a configuration file a near-miss field name (`nmae`) would only
    surface as "image not found" at deploy time, so it is an error here."""
    from ..lang.parser import parse

    if not isinstance(text, str):
        return QueryError(f"expected a query string, found {_type_name(text)}")
    try:
        query = parse(text, strict=True)
        if not query.params:
            query.plan("glance")
    except Error as exc:
        return exc
    return None


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


def _missing(data: Any, pattern: str) -> Problem:
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


def check_queries(data: Any, keys: Iterable[str] | str | None = None) -> list[Problem]:
    """Every problem with the queries of ``data``, without calling any API."""
    found, missing = find_queries(data, keys)
    problems = [_missing(data, pattern) for pattern in missing]
    for path, value in found:
        error = check_query(value)
        if error is not None:
            problems.append(_problem(path_text(path), value if isinstance(value, str) else "", error))
    return problems


def resolve_images(data: Any, keys: Iterable[str] | str | None, source: Source, **params: Any) -> dict[PathKey, Any]:
    """The image each query of ``data`` picks (``source.one``), by key path.
    Raises :class:`ConfigQueryError` listing every query that failed."""
    found, missing = find_queries(data, keys)
    problems = [_missing(data, pattern) for pattern in missing]
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


def resolve(data: Any, keys: Iterable[str] | str | None, source: Source, **params: Any) -> Any:
    """A deep copy of ``data`` with every query at ``keys`` replaced by the id
    of the one image it picks (``source.one``); a query that names regions
    or clouds is replaced by a mapping of region -> id.

    With ``keys`` None, every string that starts with ``images `` or
    ``all images `` is a query. Raises :class:`ConfigQueryError` listing every
    query that failed (syntax, unknown field, no image, several images, ...),
    each with its key path and its position inside the query text.
    """
    images = resolve_images(data, keys, source, **params)
    result = copy.deepcopy(data)
    for path, image in images.items():
        if isinstance(image, dict):
            _set(result, path, {region: found.id for region, found in image.items()})
        else:
            _set(result, path, getattr(image, "id", None) or image["id"])
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
        return load_yaml(yaml, text), text, kind
    except TooManyValues as exc:
        raise FileError(Diagnostic(name, 1, 1, f"refused YAML: {exc}")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else 1
        raise FileError(Diagnostic(name, line, column, f"invalid YAML: {problem}")) from None


def check_file(
    path: str | os.PathLike[str],
    keys: Iterable[str] | str | None = None,
    source: Source | None = None,
    report: Callable[[str], object] | None = None,
    **params: Any,
) -> list[Diagnostic]:
    """Problems with the queries of a configuration file, as ``file:line:column``
    diagnostics. With a ``source``, each query must also pick exactly one image
    there; without one, no API is called. ``report`` is given a line per
    region for each query that names regions or clouds and resolved."""
    name = os.fspath(path)
    try:
        data, text, kind = load_file(path)
    except FileError as exc:
        return [exc.diagnostic]
    if source is not None:
        try:
            resolved = resolve_images(data, keys, source, **params)
            problems: list[Problem] = []
            for key, image in resolved.items():
                if isinstance(image, dict) and report is not None:
                    for region, found in image.items():
                        report(f"{name}: {path_text(key)}: {region}: {found.id} {found.name or ''}".rstrip())
        except ConfigQueryError as exc:
            problems = list(exc.problems)
    else:
        problems = check_queries(data, keys)
    if not problems:
        return []
    locator = _Locator(text, kind, data)
    out = []
    for problem in problems:
        line, column = locator.position(problem)
        caret = problem.error.caret() if isinstance(problem.error, QueryError) else ""
        out.append(Diagnostic(name, line, column, problem.message, problem.path, caret, problem.error))
    return out


def count_queries(path: str | os.PathLike[str], keys: Iterable[str] | str | None = None) -> int:
    data, _text, _kind = load_file(path)
    return len(find_queries(data, keys)[0])


class _Locator:
    """Maps a problem (key path and offset inside the query) to a line and a
    column of the file: exactly for YAML (through its node tree), by searching
    the text for JSON and TOML."""

    def __init__(self, text: str, kind: str, data: Any) -> None:
        self.text = text
        self.kind = kind
        self.spans: dict[str, tuple[int, int]] = {}
        if kind == "yaml":
            self._yaml_spans()
        else:
            self._searched_spans(data)

    def _yaml_spans(self) -> None:
        yaml = _yaml()
        try:
            root = yaml.compose(self.text)
        except yaml.YAMLError:  # pragma: no cover - the file loaded already
            return
        stack: list[tuple[PathKey, Any]] = [((), root)]
        while stack:
            path, node = stack.pop()
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
                    stack.append(((*path, key), value_node))
                    self.spans.setdefault(
                        path_text((*path, key)), (key_node.start_mark.index, value_node.end_mark.index)
                    )
            elif isinstance(node, yaml.SequenceNode):
                for index, item in enumerate(node.value):
                    stack.append(((*path, index), item))
            if node is not None:
                self.spans[path_text(path)] = (node.start_mark.index, node.end_mark.index)

    def _searched_spans(self, data: Any) -> None:
        cursor = 0
        for path, value in _walk_all(data):
            if not isinstance(value, (str, int, float, bool)) and value is not None:
                continue
            span = self._search_value(value, cursor)
            if span is None:
                span = self._search_value(value, 0)
            if span is not None:
                self.spans[path_text(path)] = span
                cursor = span[1]

    def _search_value(self, value: object, start: int) -> tuple[int, int] | None:
        if isinstance(value, str):
            forms = [json.dumps(value, ensure_ascii=False), json.dumps(value), f"'{value}'", value]
        else:
            forms = [json.dumps(value)]
        for form in forms:
            index = self.text.find(form, start)
            if index >= 0:
                return index, index + len(form)
        return None

    def position(self, problem: Problem) -> tuple[int, int]:
        span = self.spans.get(problem.path)
        if span is None:
            # A missing key path: point at its last key, if it appears at all.
            last = problem.path.rsplit(".", 1)[-1]
            index = self.text.find(last) if last else -1
            return line_and_column(self.text, max(index, 0))
        start, end = span
        if problem.offset is not None and problem.query:
            found = _locate(self.text, start, end, problem.query, problem.offset)
            if found is not None:
                return line_and_column(self.text, found)
        return line_and_column(self.text, start)


def _occurrences_before(text: str, needle: str, limit: int) -> int:
    count, index = 0, text.find(needle)
    while 0 <= index < limit:
        count += 1
        index = text.find(needle, index + 1)
    return count


def _nth(text: str, needle: str, nth: int, start: int, end: int) -> int | None:
    index = text.find(needle, start, end)
    while index >= 0 and nth > 0:
        nth -= 1
        index = text.find(needle, index + 1, end)
    return index if index >= 0 else None


def _locate(source: str, start: int, end: int, query: str, offset: int) -> int | None:
    """Where ``query[offset]`` is in ``source[start:end]``, which holds the query
    as written in the file (quoted, escaped or folded over lines)."""
    offset = max(0, min(offset, len(query)))
    for size in (16, 8, 4, 2, 1):
        after = query[offset : offset + size]
        if after.strip():
            nth = _occurrences_before(query, after, offset)
            found = _nth(source, after, nth, start, end)
            if found is not None:
                return found
        before = query[max(0, offset - size) : offset]
        if before.strip():
            nth = _occurrences_before(query, before, offset - len(before))
            found = _nth(source, before, nth, start, end)
            if found is not None:
                return found + len(before)
    return None


def exit_code_for(problems: Sequence[Problem]) -> int:
    """The command line's exit code for a set of problems (see docs/cli.md)."""
    if any(isinstance(p.error, (NotFound, MultipleFound)) for p in problems):
        return 3
    return 2
