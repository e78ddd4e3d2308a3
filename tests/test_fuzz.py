"""Whatever the text, ``parse`` either returns a query whose canonical text
reads back as the same query, or raises an ``imgql.Error``; nothing else."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import imgql
from imgql.lang.ast import Query
from tests.strategies import QUERY_PIECES, SCALE, queries

FUZZ = settings(max_examples=250 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of the language, so that random text is often close to a query.


def _check(text: str) -> None:
    try:
        query = imgql.parse(text)
    except imgql.Error as exc:
        # Every error renders, and query errors say where.
        assert str(exc)
        if isinstance(exc, imgql.QueryError) and exc.line is not None:
            assert exc.line >= 1 and exc.column is not None and exc.column >= 1
            assert exc.caret()
        return
    assert isinstance(query, Query)
    canonical = str(query)
    again = imgql.parse(canonical)
    assert again == query, (text, canonical)
    assert str(again) == canonical
    hash(query)


@FUZZ
@given(st.text(max_size=60))
def test_random_text(text: str) -> None:
    _check(text)


@FUZZ
@given(st.lists(st.sampled_from(QUERY_PIECES), max_size=25).map(" ".join))
def test_random_token_soup(text: str) -> None:
    _check(text)


@FUZZ
@given(st.lists(st.sampled_from(QUERY_PIECES), max_size=25).map("".join))
def test_random_token_soup_without_spaces(text: str) -> None:
    _check(text)


@FUZZ
@given(st.lists(st.sampled_from(QUERY_PIECES), max_size=20).map(lambda ps: "images where " + " ".join(ps)))
def test_random_conditions(text: str) -> None:
    _check(text)


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    text = str(draw(queries(max_leaves=6)))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["delete", "insert", "swap", "replace", "duplicate"]))
        if not text:
            text = draw(st.sampled_from(QUERY_PIECES))
            continue
        i = draw(st.integers(0, len(text) - 1))
        if kind == "delete":
            j = draw(st.integers(i, min(len(text), i + 4)))
            text = text[:i] + text[j:]
        elif kind == "insert":
            piece = draw(st.one_of(st.sampled_from(QUERY_PIECES), st.characters(codec="utf-8")))
            text = text[:i] + piece + text[i:]
        elif kind == "swap":
            j = draw(st.integers(0, len(text) - 1))
            chars = list(text)
            chars[i], chars[j] = chars[j], chars[i]
            text = "".join(chars)
        elif kind == "replace":
            text = text[:i] + draw(st.characters(codec="utf-8")) + text[i + 1 :]
        else:
            j = draw(st.integers(i, min(len(text), i + 10)))
            text = text[:j] + text[i:j] + text[j:]
    return text


@settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_mutated_queries(text: str) -> None:
    _check(text)


@settings(max_examples=60 * SCALE, deadline=None)
@given(queries(max_leaves=6), st.sampled_from(["upper", "lower", "title"]))
def test_keyword_case_does_not_matter(query: Query, case: str) -> None:
    # Upper-casing the whole text changes field names and values too, so only
    # the keyword prefix is recased here.
    text = str(query)
    head, _, rest = text.partition(" ")
    recased = getattr(head, case)() + (" " + rest if rest else "")
    assert imgql.parse(recased) == query


@settings(max_examples=50 * SCALE, deadline=None)
@given(queries(max_leaves=6), st.sampled_from(["\n", "  ", "\t", " -- note\n"]))
def test_whitespace_and_comments_between_tokens(query: Query, gap: str) -> None:
    text = str(query)
    # Only outside quoted strings: split on spaces that are not inside quotes.
    parts: list[str] = []
    current = ""
    quote: str | None = None
    escaped = False
    for ch in text:
        if quote:
            current += ch
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            current += ch
        elif ch == " ":
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    spaced = gap.join(parts)
    # `7d ago` needs plain blanks between number and unit only; a comment
    # between `7d` and `ago` is not a relative time any more.
    if "--" in gap and " ago" in text:
        return
    assert imgql.parse(spaced) == query, spaced


NASTY = [
    "",
    " \t\r\n",
    "\x00",
    "\x00" * 1000,
    "images\x00where x = 1",
    "images where x = '\x00'",
    "-- only a comment",
    "images where " + "(" * 5000 + "x = 1" + ")" * 5000,
    "images where " + "(" * 5000,
    "images where x = 1" + ")" * 5000,
    "images where " + "not " * 20_000 + "protected",
    "images where " + "not (" * 5000 + "protected" + ")" * 5000,
    "images where x in (" * 3000,
    "images where size = 1e400GB",
    "images where size > 1e999999999999999999999",
    "images where min_ram < 1e-999999999999999999999",
    "images where x = 1e400GB",
    "images limit " + "9" * 5000,
    "images where created_at > 1e400d ago",
    "images where created_at > " + "9" * 5000 + "d ago",
    "images where created_at > 0001-01-01T00:00:00+23:59",
    "images where x ~ '" + "(" * 5000 + "'",
    "images where x ~ '(?P<a>)(?P=b)'",
    "'" * 1001,
    '"' * 1001,
    "\\" * 1000,
    "images where x = '" + "\\" * 1001,
    "images where x = '\\U99999999'",
    "images where \ud800 = '\udfff'",
    "images where x = " + "a" * 1_000_000,
    "images where " + " and ".join(["x = 1"] * 10_000) + " and",
    "$" * 100,
    "images where $x = 1",
    "images order by " + ", ".join(["name"] * 10_000),
]


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_nasty_inputs_raise_only_imgql_errors(text: str) -> None:
    _check(text)
