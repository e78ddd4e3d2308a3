"""The words of a search box: what a person typed, cut into tokens.

A token is a run of text without spaces; a ``"quoted phrase"`` is one
segment of it, so ``name:"Ubuntu 22.04"`` is one token of two segments.
``size < 5g`` and ``tag: lts`` are joined into ``size<5g`` and ``tag:lts``
when the name before them is a field the search may filter on. Every step
is one pass over the text, so the work is linear in its length.
"""

from __future__ import annotations

import re

import attrs

__all__ = ["FILTER", "OPS", "Segment", "Token", "join_spaced_filters", "tokenize"]

# `field` followed by `:`, or by a comparison written straight after it (`size<5g`).
FILTER = re.compile(r"([A-Za-z_][A-Za-z0-9_.\-]*?)(:|<=|>=|!=|<|>|=)(.*)\Z", re.DOTALL)
OPS = ("<=", ">=", "!=", "<", ">", "=")


@attrs.frozen
class Segment:
    text: str
    quoted: bool


@attrs.frozen
class Token:
    segments: tuple[Segment, ...]

    @property
    def plain(self) -> str:
        """The text as typed, without the quotes."""
        return "".join(s.text for s in self.segments)

    @property
    def head(self) -> str:
        """The unquoted text the token starts with."""
        first = self.segments[0]
        return "" if first.quoted else first.text

    @property
    def typed(self) -> str:
        """The token as typed, quotes included (for the list of ignored terms)."""
        return "".join(f'"{s.text}"' if s.quoted else s.text for s in self.segments)


def _clean(text: str) -> str:
    # Control and format characters (NUL, escapes, zero-width joiners) separate words.
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch.isspace() else " " for ch in text)


def tokenize(text: str) -> tuple[list[Token], bool]:
    """Words and "phrases", and whether a quote was left without its pair
    (it is dropped: the rest reads as plain words)."""
    text = _clean(text)
    tokens: list[Token] = []
    segments: list[Segment] = []
    current: list[str] = []
    unpaired = False
    i, n = 0, len(text)

    def flush_text() -> None:
        if current:
            segments.append(Segment("".join(current), False))
            current.clear()

    def flush_token() -> None:
        flush_text()
        if segments:
            tokens.append(Token(tuple(segments)))
            segments.clear()

    # The position of the next quote, looked up once per quote: a text of
    # many unpaired quotes stays linear (a search from each would not).
    next_quote = text.find('"')
    while i < n:
        ch = text[i]
        if ch.isspace():
            flush_token()
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1) if next_quote >= 0 else -1
            if end < 0:
                unpaired = True
                next_quote = -1  # no quote after this one: the rest has no pairs
                i += 1
                continue
            flush_text()
            segments.append(Segment(" ".join(text[i + 1 : end].split()), True))
            i = end + 1
            next_quote = text.find('"', i)
        else:
            current.append(ch)
            i += 1
    flush_token()
    return tokens, unpaired


def join_spaced_filters(tokens: list[Token], allowed: dict[str, str]) -> list[Token]:
    """``size < 5g`` and ``tag: lts`` read as ``size<5g`` and ``tag:lts``."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        head = token.head
        if len(token.segments) == 1 and head:
            name = head.lstrip("-")
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            after = tokens[i + 2] if i + 2 < len(tokens) else None
            if (
                name.lower() in allowed
                and nxt is not None
                and after is not None
                and nxt.head in OPS
                and len(nxt.segments) == 1
            ):
                out.append(Token((Segment(head + nxt.head, False), *after.segments)))
                i += 3
                continue
            if (
                name.endswith(":")
                and name[:-1].lower() in allowed
                and nxt is not None
                and not (nxt.head.startswith("-") or FILTER.match(nxt.head))
            ):
                out.append(Token((token.segments[0], *nxt.segments)))
                i += 2
                continue
        out.append(token)
        i += 1
    return out
