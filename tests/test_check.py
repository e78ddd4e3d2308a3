"""imgql.lang.check: the check pass types a raw query and reports every problem."""

from __future__ import annotations

import pytest

import imgql
from imgql.lang import grammar
from imgql.lang.ast import Compare, Literal
from imgql.lang.check import check
from imgql.lang.parser import parse_unchecked


def test_the_parser_builds_syntax_only() -> None:
    raw = parse_unchecked("images where tag = lts and size < 5GB order by created")
    assert raw.where is not None
    first, second = raw.where.operands  # type: ignore[union-attr]
    assert first == Compare("tag", "=", Literal("lts", "bare"))
    assert second == Compare("size", "<", Literal("5GB", "bare"))
    assert raw.order_by[0].field == "created"


def test_check_types_what_the_parser_read() -> None:
    text = "images where tag = lts and size < 5GB order by created"
    checked = check(parse_unchecked(text), text)
    assert checked.ok
    assert checked.query == imgql.parse(text)
    assert str(checked.query) == "images where tag = lts and size < 5GB order by created_at asc"


def test_every_problem_is_returned_in_text_order() -> None:
    text = "images where size = 5QB or status = bogus and (a = 1 or member_status = pending) order by tags"
    checked = check(parse_unchecked(text), text)
    assert [type(e) for e in checked.errors] == [
        imgql.InvalidValueError,
        imgql.InvalidValueError,
        imgql.UnknownFieldError,
        imgql.UnknownFieldError,
    ]
    assert [e.column for e in checked.errors] == [21, 37, 57, 91]
    assert all(e.text == text for e in checked.errors)
    # parse raises the first of them
    with pytest.raises(imgql.InvalidValueError) as info:
        imgql.parse(text)
    assert info.value.column == 21


def test_null_for_member_status_is_refused_in_text_and_parameters() -> None:
    with pytest.raises(imgql.InvalidValueError, match="never null"):
        imgql.parse("images where member_status = null")
    with pytest.raises(imgql.ParameterError, match="never null"):
        imgql.parse("images where member_status = $m").bind(m=None)
    with pytest.raises(imgql.ParameterError, match=r"found <"):
        imgql.parse("images where x < $m").bind(m=None)


def test_one_literal_reading_for_text_parameters_and_search_box() -> None:
    from_text = imgql.parse("images where min_ram >= 1GB and size < 1.5").where
    from_params = imgql.parse("images where min_ram >= $r and size < $s").bind(r="1GB", s=1.5).where
    from_box = imgql.search_box("ram:>=1GB size:<1.5", allow=["min_ram", "size"]).where
    assert from_text == from_params == from_box


def test_keywords_come_from_the_grammar() -> None:
    assert "not" in grammar.keywords()
    assert {"order by", "all images", "not in", "ago"} <= set(grammar.phrases())
    assert "order" not in grammar.phrases()  # only ever written as `order by`
    from imgql.cli import shell

    assert grammar.phrases() == shell.KEYWORDS
    assert shell._TOKENS.findall("x='a b' and(y<=2)") == ["x", "=", "'a b'", "and", "(", "y", "<=", "2", ")"]


def test_a_keyword_alone_is_not_a_condition_including_not() -> None:
    with pytest.raises(imgql.QuerySyntaxError, match="found the keyword 'limit'"):
        imgql.parse("images where limit")
