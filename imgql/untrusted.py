"""Text and data from outside (servers, files, people), made safe to read, quote and print.

Every layer reads something it did not write: a Glance page, a Keystone
error body, an offline catalog, a query of a megabyte. The helpers here are
the one place that decides how much of it a message quotes
(:func:`shortened`), how its control characters are shown on a terminal
(:func:`visible`), and how JSON too deeply nested for Python's parser is
refused (:func:`load_json`).
"""

from __future__ import annotations

import json
import re
from types import ModuleType
from typing import Any

__all__ = [
    "MAX_QUOTED",
    "MAX_YAML_VALUES",
    "TooDeep",
    "TooManyValues",
    "load_json",
    "load_yaml",
    "load_yaml_documents",
    "shortened",
    "visible",
]

# How many characters of outside text a message quotes.
MAX_QUOTED = 200

# How many values a YAML file may stand for once its aliases are expanded: far
# above any real query file or clouds.yaml, far below a "billion laughs".
MAX_YAML_VALUES = 100_000

# C0 controls but tab and newline, DEL, C1 controls (0x9b is a one-character
# CSI): what a terminal may act on instead of showing.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f]")


def visible(text: str, *, keep_lines: bool = False) -> str:
    """``text`` with every control character written as an escape (``\\x1b``), so
    that a terminal shows it instead of obeying it; tabs and newlines are kept
    when ``keep_lines``, escaped (``\\t``, ``\\n``) otherwise."""
    pattern = _CONTROL if keep_lines else _CONTROL_OR_BREAK
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\x{ord(char):02x}")


def shortened(text: str, limit: int = MAX_QUOTED) -> str:
    """``text`` cut to about ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters)"


class TooDeep(ValueError):
    """JSON nested deeper than Python's parser can follow."""


def load_json(content: bytes | str) -> Any:
    """Parsed JSON, or ValueError: :class:`TooDeep` for JSON nested deeper than
    Python's parser can follow (about 1,000 levels; a real answer nests a
    few), never RecursionError."""
    try:
        return json.loads(content)
    except RecursionError:
        raise TooDeep("the JSON is nested too deeply to read (a real answer nests a few levels)") from None


class TooManyValues(ValueError):
    """YAML whose aliases expand to too many values, or refer to themselves."""


def load_yaml(yaml: ModuleType, text: str, limit: int = MAX_YAML_VALUES) -> Any:
    """``yaml.safe_load(text)``, refused (:class:`TooManyValues`) when its
    aliases (``*name``) expand to more than ``limit`` values or form a cycle:
    whoever walks the data would otherwise run for minutes or for ever.
    ``yaml`` is PyYAML (optional, so passed in); its own errors pass through."""
    if "*" in text:
        _check_expansion(yaml, yaml.compose(text, Loader=yaml.SafeLoader), limit)
    return yaml.safe_load(text)


def load_yaml_documents(yaml: ModuleType, text: str, limit: int = MAX_YAML_VALUES) -> list[Any]:
    """Every document of a YAML stream (``---`` between them), under the same
    bound on aliases as :func:`load_yaml`, counted for each document."""
    if "*" in text:
        for root in yaml.compose_all(text, Loader=yaml.SafeLoader):
            _check_expansion(yaml, root, limit)
    return list(yaml.safe_load_all(text))


def _check_expansion(yaml: ModuleType, root: Any, limit: int) -> None:
    if root is None:
        return
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        children = _children(yaml, node)
        if finished:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[key] > limit:
                raise TooManyValues(
                    f"its aliases expand to more than {limit:,} values; write the values out, or use fewer aliases"
                )
            continue
        if key in sizes:
            continue
        open_nodes.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                raise TooManyValues("an alias refers to a value that holds it: the data would be endless")
            if id(child) not in sizes:
                stack.append((child, False))


def _children(yaml: ModuleType, node: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []
