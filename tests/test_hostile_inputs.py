"""Inputs at the edges of what imgql accepts: each once escaped as something
other than an imgql.Error, gave a wrong answer, or leaked a secret."""

from __future__ import annotations

import httpx
import pytest

import imgql
from imgql.run.answer import plan_predicate

ENDPOINT = "https://images.example:9292"
TOKEN = "gAAAAA-very-secret-token"


def test_member_status_is_never_null() -> None:
    for text in ("images where member_status = null", "images where member_status != null"):
        with pytest.raises(imgql.InvalidValueError, match="never null"):
            imgql.parse(text)


def test_undecodable_bytes_in_a_query_are_a_query_error() -> None:
    # What a terminal hands over for bytes that are not UTF-8.
    text = "images where name = 'ab" + b"\xff".decode("utf-8", "surrogateescape") + "'"
    with pytest.raises(imgql.InvalidValueError) as caught:
        imgql.parse(text)
    assert caught.value.column == 24


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "="])
def test_time_bounds_at_the_end_of_the_calendar_plan(op: str) -> None:
    for moment in ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59.5Z", "0001-01-01T00:00:00Z"):
        for profile in ("glance", "documented", "none"):
            plan = imgql.parse(f"images where created_at {op} {moment}").plan(profile)
            plan.explain()
            assert plan_predicate(plan)({"created_at": "2025-01-01T00:00:00Z"}) in (True, False)


def test_private_looking_property_names_stay_on_the_client() -> None:
    plan = imgql.parse("images where _as_dict = x and __class__ = y").plan("glance")
    assert plan.requests[0].params == ()


def _client(handler: object, token: str = TOKEN) -> imgql.Client:
    http = httpx.Client(transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    return imgql.Client(ENDPOINT, token, http=http, retries=0, sleep=lambda s: None)


def test_a_redirect_that_echoes_the_token_does_not_show_it() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": f"https://elsewhere/?t={TOKEN}"})

    with _client(handler) as client, pytest.raises(imgql.EndpointError) as caught:
        list(client.query("images"))
    assert TOKEN not in str(caught.value)
    assert "***" in str(caught.value)


def test_an_image_whose_id_is_not_text_is_a_service_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"images": [{"id": ["x"], "name": "odd"}]})

    with _client(handler) as client, pytest.raises(imgql.ServiceError, match="id is not text"):
        list(client.query("images"))


def test_a_very_short_token_does_not_mangle_messages() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Name or service not known")

    with _client(handler, token="t") as client, pytest.raises(imgql.ConnectionError) as caught:
        list(client.query("images"))
    assert "not known" in str(caught.value)


def test_connection_errors_are_also_the_builtin_kind() -> None:
    assert issubclass(imgql.ConnectionError, ConnectionError)
    assert issubclass(imgql.ConnectionError, imgql.Error)


@pytest.mark.parametrize("query", [123, None, b"images"])
def test_a_query_that_is_not_text_is_a_query_error(query: object) -> None:
    with _client(lambda request: httpx.Response(200, json={"images": []})) as client:
        with pytest.raises(imgql.QuerySyntaxError):
            client.plan(query)  # type: ignore[arg-type]
        with pytest.raises(imgql.QuerySyntaxError):
            client.query(query)  # type: ignore[arg-type]
