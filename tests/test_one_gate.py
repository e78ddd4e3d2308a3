"""Every tree ends in the check pass: a bound parameter meets the rules its
value would meet written in the text (the scope rules of region, cloud and
member_status among them), and the search box's query is a checked one."""

from __future__ import annotations

import pytest

import imgql
from imgql.lang import check as check_module
from imgql.lang import searchbox

# (the query with a literal, the same query with a parameter, the value)
SAME_RULES = [
    ("images where region = *", "images where region = $v", "*"),
    ("images where cloud = *", "images where cloud = $v", "*"),
    ("images where cloud in (a, *)", "images where cloud in ($v)", ["a", "*"]),
    ("images where region in (*, RegionOne)", "images where region in ($v)", ["*", "RegionOne"]),
    ("images where region in (*, RegionOne)", "images where region = $v", ["*", "RegionOne"]),
    ("images where region in (RegionOne, RegionTwo)", "images where region = $v", ["RegionOne", "RegionTwo"]),
    ("images where member_status = all and tag = a", "images where member_status = $v and tag = a", "all"),
    ("images where member_status = sometimes", "images where member_status = $v", "sometimes"),
    ("images where visibility = everyone", "images where visibility = $v", "everyone"),
    ("images where status = active", "images where status = $v", "ACTIVE"),
]


def _outcome(make: object) -> object:
    try:
        return make()  # type: ignore[operator]
    except imgql.Error as exc:
        return type(exc)


@pytest.mark.parametrize(("literal", "bound", "value"), SAME_RULES)
def test_a_bound_value_meets_the_rules_its_literal_meets(literal: str, bound: str, value: object) -> None:
    written = _outcome(lambda: imgql.parse(literal))
    read = _outcome(lambda: imgql.parse(bound).bind(v=value))
    assert written == read


@pytest.mark.parametrize(
    "text",
    ["images where tag = a or region = $v", "images where not cloud = $v", "images where member_status = $v or x = 1"],
)
def test_scope_fields_stand_only_at_the_top_whatever_their_value(text: str) -> None:
    # Refused when parsed already: where a scope condition stands does not depend on its value.
    with pytest.raises(imgql.UnknownFieldError):
        imgql.parse(text)


def test_bind_ends_in_the_check_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []
    real = check_module.check

    def spy(query: imgql.Query, text: str = "") -> check_module.Checked:
        seen.append(query)
        return real(query, text)

    monkeypatch.setattr(check_module, "check", spy)
    imgql.parse("images where region = $r and size < $s").bind(r="RegionOne", s="5GB")
    assert seen, "bind did not run the check pass"


def test_the_search_box_ends_in_the_check_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []
    real = searchbox.check

    def spy(query: imgql.Query, text: str = "") -> check_module.Checked:
        seen.append(query)
        return real(query, text)

    monkeypatch.setattr(searchbox, "check", spy)
    query = searchbox.search_box("ubuntu tag:lts size<5g sort:created-desc")
    assert len(seen) == 1
    assert check_module.check(query).ok and check_module.check(query).query == query
