"""Globs (``like`` patterns) as matchers over case-folded text.

``*`` is any run of characters, ``?`` one character, ``\\*``, ``\\?`` and
``\\\\`` stand for themselves; brackets are literal (unlike fnmatch). A match
is of the whole value, case-insensitive.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["ascii_infix", "ascii_prefix", "glob_matcher", "glob_to_regex"]


def _glob_parts(pattern: str) -> list[list[str | None]]:
    """The pattern cut at each unescaped ``*``: runs of case-folded literal
    text (str) and single-character wildcards (None)."""
    parts: list[list[str | None]] = [[]]
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*?\\":
            parts[-1].append(pattern[i + 1].casefold())
            i += 2
            continue
        if ch == "*":
            parts.append([])
        elif ch == "?":
            parts[-1].append(None)
        else:
            # A backslash before any other character, or at the end, is itself.
            parts[-1].append(ch.casefold())
        i += 1
    return parts


def _segment_regex(segment: list[str | None]) -> str:
    return "".join("." if token is None else re.escape(token) for token in segment)


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """The glob as a regular expression over case-folded text (``str.casefold``):
    ``*`` any run, ``?`` one character, ``\\*``/``\\?``/``\\\\`` literal;
    whole value. Unlike fnmatch, brackets are literal. A reference for tests:
    :func:`glob_matcher` is what queries use."""
    return re.compile(".*".join(_segment_regex(part) for part in _glob_parts(pattern)), re.DOTALL)


def glob_matcher(pattern: str) -> Callable[[str], object | None]:
    """A test of whether a text matches the glob (not None: it does), in
    time linear in the text for a given pattern: both sides are case-folded,
    the pieces between stars hold no repetition, and each is searched once,
    leftmost first (a leftmost match of a piece never loses a match)."""
    parts = _glob_parts(pattern)
    pieces = [re.compile(_segment_regex(part), re.DOTALL) for part in parts]
    if len(pieces) == 1:
        whole = pieces[0]

        def fullmatch(text: str) -> object | None:
            return whole.fullmatch(text.casefold())

        return fullmatch
    first, middle, last = pieces[0], pieces[1:-1], pieces[-1]
    # The last piece has a fixed width: it must end where the text ends.
    last_width = sum(1 if token is None else len(token) for token in parts[-1])

    def match(text: str) -> object | None:
        folded = text.casefold()
        found = first.match(folded)
        if found is None:
            return None
        at = found.end()
        for piece in middle:
            found = piece.search(folded, at)
            if found is None:
                return None
            at = found.end()
        start = len(folded) - last_width
        if start < at or last.match(folded, start) is None:
            return None
        return True

    return match


_INFIX = re.compile(r"\*([^*?\\]+)\*")


_PREFIX = re.compile(r"([^*?\\]+)\*")


def ascii_prefix(pattern: str) -> str | None:
    """The word of a `word*` glob, lower-cased, when it is plain ASCII."""
    found = _PREFIX.fullmatch(pattern)
    if found is None or not found.group(1).isascii():
        return None
    return found.group(1).lower()


def ascii_infix(pattern: str) -> str | None:
    """The word of a `*word*` glob, lower-cased, when it is plain ASCII."""
    found = _INFIX.fullmatch(pattern)
    if found is None or not found.group(1).isascii():
        return None
    return found.group(1).lower()
