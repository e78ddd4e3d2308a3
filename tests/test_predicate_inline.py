"""Comparisons the compiled predicate writes inline (prefix globs, ranges
on custom properties) answer as the general rules do."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import imgql
from imgql.plan.normalize import normalize
from imgql.run import record_values as R
from imgql.run.predicate import CompiledPredicate, compile_predicate, glob_to_regex
from imgql.run.record_values import compare_property as _compare_property

_NUMBERISH = st.one_of(
    st.from_regex(r"[+-]?[0-9]{1,3}(\.[0-9]{0,2})?([eE][+-]?[0-9])?", fullmatch=True),
    st.sampled_from(["nan", "inf", " 12", "1_0", "0", "-0.0", "1e999", "٣", "12 "]),
    st.text(max_size=5),
)


def _compiled(where: str) -> CompiledPredicate:
    return compile_predicate(normalize(imgql.parse(f"images where {where}").where))


@settings(max_examples=300, deadline=None)
@given(_NUMBERISH, st.sampled_from(["<", "<=", ">", ">="]), st.sampled_from(["12", "-3.5", "1e2", "abc", "0"]))
def test_property_ranges_compare_as_the_general_rule(value: str, op: str, literal: str) -> None:
    check = _compiled(f"hw_x {op} '{literal}'")
    number = R.read_number(literal)
    assert check({"hw_x": value}) == _compare_property(value, op, literal, number)
    # Twice: the second reading comes from the table of values seen.
    assert check({"hw_x": value}) == _compare_property(value, op, literal, number)


def test_property_values_beyond_the_table_are_still_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(R, "_NUMBERS_KEPT", 0)
    check = _compiled("hw_x >= 10")
    assert check({"hw_x": "123456789.5"}) and not check({"hw_x": "9"}) and check({"hw_x": "x"})
    assert "123456789.5" not in R.NUMBERS_READ


_TEXT = st.text(st.sampled_from("abcKkSsIi-.*\u212a\u017f\u0130\u0131é"), max_size=8)


@settings(max_examples=400, deadline=None)
@given(st.from_regex(r"[a-zA-Z0-9.-]{1,5}", fullmatch=True), _TEXT)
def test_prefix_globs_match_as_the_regular_expression(word: str, text: str) -> None:
    pattern = f"{word}*"
    check = _compiled(f"name like '{pattern}'")
    expected = glob_to_regex(pattern).fullmatch(text.casefold()) is not None
    assert check({"name": text}) == expected
    longer = word.upper() + text
    assert check({"name": longer}) == (glob_to_regex(pattern).fullmatch(longer.casefold()) is not None)
