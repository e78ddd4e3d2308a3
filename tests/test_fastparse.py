"""imgql.lang.fastparse drives Lark's own tables and callbacks: it must give exactly
what ``Lark.parse`` gives (spans included), and fall back to Lark, never
answer differently, on text Lark rejects."""

from __future__ import annotations

from typing import Any

import attrs
import lark
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imgql.lang import fastparse, parser
from tests.strategies import QUERY_PIECES, SCALE, queries

CHECK = settings(max_examples=300 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _driver() -> fastparse.FastParser:
    return fastparse.FastParser(parser._lark())


DRIVER = _driver()


def _dump(value: Any) -> Any:
    """Every field, those left out of equality (spans) included."""
    if attrs.has(type(value)):
        return (type(value).__name__, {f.name: _dump(getattr(value, f.name)) for f in attrs.fields(type(value))})
    if isinstance(value, (tuple, list)):
        return tuple(_dump(v) for v in value)
    return (type(value).__name__, value)


def _outcome(fn: Any, text: str) -> tuple[str, Any]:
    try:
        return "ok", _dump(fn(text))
    except Exception as exc:  # the same class and message are expected from both
        return "error", (type(exc).__name__, str(exc))


def _same(text: str) -> None:
    lark_obj = parser._lark()
    expected = _outcome(lark_obj.parse, text)
    assert _outcome(lambda t: fastparse.parse(t, lark_obj), text) == expected, text
    try:
        fast = DRIVER.parse(text)
    except fastparse.Fallback:
        # Only text that Lark rejects (or whose callbacks raise) may fall back.
        assert expected[0] == "error", f"fell back on text Lark parses: {text!r}"
    else:
        assert ("ok", _dump(fast)) == expected, text


@CHECK
@given(queries(max_leaves=8))
def test_valid_queries_take_the_fast_path(query: Any) -> None:
    text = str(query)
    _same(text)
    assert DRIVER.parse(text) == query


@CHECK
@given(st.lists(st.sampled_from(QUERY_PIECES), max_size=25).map(" ".join))
def test_token_soup(text: str) -> None:
    _same(text)


@CHECK
@given(st.lists(st.sampled_from(QUERY_PIECES), max_size=20).map(lambda ps: "images where " + " ".join(ps)))
def test_conditions(text: str) -> None:
    _same(text)


@CHECK
@given(st.text(max_size=50))
def test_random_text(text: str) -> None:
    _same(text)


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    text = str(draw(queries(max_leaves=6)))
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, max(0, len(text) - 1)))
        piece = draw(st.one_of(st.sampled_from(QUERY_PIECES), st.characters(codec="utf-8"), st.just("")))
        j = draw(st.integers(i, min(len(text), i + 3)))
        text = text[:i] + piece + text[j:]
    return text


@CHECK
@given(_mutated())
def test_mutated_queries(text: str) -> None:
    _same(text)


@pytest.mark.parametrize(
    "text",
    [
        "images where tag = lts and size < 5GB order by created_at desc limit 1",
        "all images where (name like 'ubuntu-*' or os_distro in (ubuntu, debian,)) and not protected -- c\n"
        "  order by name, size desc",
        "IMAGES WHERE Tag = x AND NOT NOT hidden",
        "images where name = order and in in (a, b) and x = 5 and ago = 1",
        "images where created < 7 days ago\n and\n updated >= 2025-10-02T08:30:39+02:00",
        "images where exiſts = 1",
        "images where name ~ '['",
        "images where size > 1.5",
        "images where",
        "",
        "images where x = 'open",
    ],
)
def test_examples(text: str) -> None:
    _same(text)


def test_parse_falls_back_to_lark_errors() -> None:
    with pytest.raises(lark.exceptions.UnexpectedInput):
        fastparse.parse("images where", parser._lark())
