"""Where a problem with a query is in its configuration file: a line and a column.

Exactly for YAML (through its node tree), by searching the text for JSON and
TOML; inside the query, the offending character itself, however the file
quotes, escapes or folds the query.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..errors import QueryError, line_and_column
from .configfiles import Diagnostic, yaml_module
from .findqueries import PathKey, Problem, path_text, walk_all

__all__ = ["Locator", "diagnose"]


class Locator:
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
        yaml = yaml_module()
        try:
            roots = list(yaml.compose_all(self.text))
        except yaml.YAMLError:  # pragma: no cover - the file loaded already
            return
        several = len(roots) > 1
        stack: list[tuple[PathKey, Any]] = [(((i,) if several else ()), root) for i, root in enumerate(roots)]
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
        for path, value in walk_all(data):
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


def diagnose(name: str, text: str, kind: str, data: Any, problems: Sequence[Problem]) -> list[Diagnostic]:
    """Problems with queries of a loaded file, as ``file:line:column`` diagnostics."""
    if not problems:
        return []
    locator = Locator(text, kind, data)
    out = []
    for problem in problems:
        line, column = locator.position(problem)
        caret = problem.error.caret() if isinstance(problem.error, QueryError) else ""
        out.append(Diagnostic(name, line, column, problem.message, problem.path, caret, problem.error))
    return out
