"""A long `in` list is sent as several requests under the URL limit, with the same answer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import imgql
from imgql.http.long_lists import DEFAULT_MAX_URL_LENGTH, split_long_lists


def _names(count: int, width: int = 6) -> list[str]:
    return [f"n{i:0{width}d}" for i in range(count)]


def test_a_long_list_is_cut_into_requests_that_fit() -> None:
    names = _names(10_000)
    plan = imgql.parse(f"images where name in ({', '.join(names)}) and tag = lts order by name").plan()
    assert len(plan.requests) == 1 and len(plan.requests[0].url()) > 90_000
    split = split_long_lists(plan)
    assert len(split.requests) > 1
    assert all(len(request.url()) <= DEFAULT_MAX_URL_LENGTH for request in split.requests)
    sent: list[str] = []
    for request in split.requests:
        params = dict(request.params)
        assert params["tag"] == "lts" and params["sort"] == plan.requests[0].params[-1][1]
        sent.extend(params["name"][len('in:"') : -1].split('","'))
    assert sent == names


@given(
    st.lists(
        st.text(st.characters(exclude_characters='"\\', min_codepoint=32), min_size=1, max_size=30),
        min_size=1,
        max_size=60,
    ),
    st.integers(200, 900),
)
@settings(max_examples=100, deadline=None)
def test_the_pieces_hold_every_value_once(values: list[str], budget: int) -> None:
    query = imgql.parse("images where name in ($n)").bind(n=values)
    plan = query.plan()
    split = split_long_lists(plan, budget)
    kept = [
        value for request in split.requests for value in dict(request.params).get("name", 'in:""')[4:-1].split('","')
    ]
    if len(split.requests) > 1:
        assert sorted(kept) == sorted(dict.fromkeys(values))
        assert all(len(request.url()) <= budget for request in split.requests)


def test_ten_thousand_names_against_the_real_glance(glance: Any) -> None:
    # The real Glance (waitress) takes a request head up to 256 KiB and answers 431 past it;
    # httpx refuses a URL past 64 KiB; a front end, 8 KiB. Each request stays under 7,000.
    http = httpx.Client(headers=glance.caller_headers, timeout=60)
    with http, imgql.Client(glance.url, http=http) as client:
        known = sorted({image.name for image in client.query("images where name exists limit 40") if image.name})[:5]
        names = [*_names(9_995), *known]
        found = {image.name for image in client.query("images where name in ($n) order by name", n=names)}
        expected = {image.name for image in client.query("images where name in ($n)", n=known)}
    assert found == expected and len(found) == len(known)
    assert glance.server  # the session's Glance


def test_a_request_that_cannot_be_cut_is_a_plain_error() -> None:
    client = imgql.Client("http://127.0.0.1:9", "t0ken-never-sent", retries=0)
    with client, pytest.raises(imgql.PlanError, match="too long"):
        list(client.query("images where name = $n", n="x" * 70_000))
