"""Regions and clouds in the language, the plan and the merge; no server needed
(the real Keystone and Glance are in tests/test_regions.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

import imgql
from imgql.cli.commands import placed
from imgql.plan.locations import Location, Places, split_places
from imgql.run.image import Image
from imgql.run.locations import merge_endpoints


@pytest.mark.parametrize(
    "text",
    [
        "images where region in (RegionOne, RegionTwo) and name = 'Ubuntu 24.04'",
        "images where cloud in (prod, staging) and tag = golden",
        "images where region = * and name = x order by region asc, created_at desc limit 1",
        "images where region = $r and cloud = $c",
        "all images where region = 'Region One'",
    ],
)
def test_canonical_text_round_trips(text: str) -> None:
    query = imgql.parse(text)
    assert imgql.parse(str(query)) == query


@pytest.mark.parametrize(
    ("text", "error", "column", "words"),
    [
        ("images where tag = x or region = a", imgql.UnknownFieldError, 25, "top level"),
        ("images where not cloud = a", imgql.UnknownFieldError, 18, "top level"),
        ("images where region != a", imgql.UnknownFieldError, 21, "= or in"),
        ("images where region not in (a)", imgql.UnknownFieldError, 14, "= or in"),
        ("images where region like 'a*'", imgql.UnknownFieldError, 14, "= or in"),
        ("images where region exists", imgql.UnknownFieldError, 14, "not a field"),
        ("images where region = null", imgql.InvalidValueError, 23, "never null"),
        ("images where cloud = *", imgql.InvalidValueError, 22, "name the clouds"),
        ("images where region in (*, a)", imgql.InvalidValueError, 14, "stands alone"),
    ],
)
def test_misplaced_regions_and_clouds_are_errors_with_a_position(
    text: str, error: type[imgql.QueryError], column: int, words: str
) -> None:
    with pytest.raises(error) as caught:
        imgql.parse(text)
    assert caught.value.column == column
    assert words in caught.value.message


def test_region_and_cloud_are_taken_out_of_what_is_sent() -> None:
    plan = imgql.parse("images where region in (A, B) and cloud = prod and tag = x order by region, name").plan()
    assert plan.places == Places(("prod",), ("A", "B"))
    assert [r.params for r in plan.requests] == [(("tag", "x"),)]
    assert "region" not in str(plan.predicate)
    assert [k.field for k in plan.order_by] == ["name"]
    assert plan.places.locations() == (Location("prod", "A"), Location("prod", "B"))
    text = plan.explain()
    assert "region A of cloud prod" in text and "region B of cloud prod" in text
    assert "merged by region asc, name asc" in text


def test_conditions_on_the_same_place_narrow_each_other() -> None:
    assert split_places(imgql.parse("images where region in (A, B) and region = *"))[0].regions == ("A", "B")
    assert split_places(imgql.parse("images where region in (A, B) and region in (B, C)"))[0].regions == ("B",)
    plan = imgql.parse("images where region = A and region = B").plan()
    assert plan.places.empty and not plan.requests
    assert "no endpoint" in plan.explain()


def test_a_query_without_places_plans_as_before() -> None:
    query = imgql.parse("images where tag = x order by name limit 2")
    assert split_places(query) == (Places(), query)
    assert not query.plan().places.named


def test_merge_orders_by_region_then_the_query_order_and_limits_over_all() -> None:
    def image(name: str, region: str, created: str) -> Image:
        return Image.from_record({"id": name, "name": name, "created_at": created}, region, "c")

    one = [image("b", "R1", "2025-01-02T00:00:00Z"), image("a", "R1", "2025-01-01T00:00:00Z")]
    two = [image("c", "R2", "2025-01-03T00:00:00Z")]
    by_time = imgql.parse("images where region in (R1, R2) order by created_at desc limit 2")
    assert [i.id for i in merge_endpoints(by_time, [one, two])] == ["c", "b"]
    by_region = imgql.parse("images where region in (R1, R2) order by region desc, created_at")
    assert [(i.region, i.id) for i in merge_endpoints(by_region, [one, two])] == [("R2", "c"), ("R1", "a"), ("R1", "b")]
    unordered = imgql.parse("images where region in (R1, R2)")
    assert [i.id for i in merge_endpoints(unordered, [one, two])] == ["b", "a", "c"]


def test_the_same_id_in_two_regions_is_two_images() -> None:
    record = {"id": "same", "name": "x"}
    assert Image.from_record(record, "R1") != Image.from_record(record, "R2")
    query = imgql.parse("images where region in (R1, R2)")
    merged = merge_endpoints(query, [[Image.from_record(record, "R1")], [Image.from_record(record, "R2")]])
    assert [i.region for i in merged] == ["R1", "R2"]


def test_options_make_the_same_plan_as_the_query_syntax() -> None:
    args = argparse.Namespace(all_regions=True, clouds=["prod", "staging"])
    by_options = placed("images where tag = x", args).plan()
    by_syntax = imgql.parse("images where tag = x and region = * and cloud in (prod, staging)").plan()
    assert by_options == by_syntax
    assert placed("images", argparse.Namespace(all_regions=False, clouds=["prod"])) == imgql.parse("images")


def test_an_offline_catalog_refuses_regions_and_clouds(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text('{"images": [{"id": "1", "name": "a"}]}')
    catalog = imgql.Catalog(path)
    with pytest.raises(imgql.PlanError, match="no region or cloud"):
        list(catalog.query("images where region = RegionOne"))
    assert [i.id for i in catalog.query("images where property.region missing")] == ["1"]


def test_a_fixed_endpoint_is_in_the_region_it_is_said_to_be_in_and_no_other() -> None:
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"images": [{"id": "1", "name": "a"}]})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    with imgql.Client("http://glance.test", "t", http=http, region="R1") as client:
        assert [(i.id, i.region) for i in client.query("images")] == [("1", "R1")]
        assert [(i.id, i.region) for i in client.query("images where region = R1")] == [("1", "R1")]
        with pytest.raises(imgql.RegionError, match="region R2") as caught:
            list(client.query("images where region in (R1, R2)"))
        assert "Keystone credentials" in str(caught.value)
        with pytest.raises(imgql.RegionError, match="every region"):
            list(client.query("images where region = *"))
    with imgql.Client("http://glance.test", "t", http=http, region="R1", partial=True) as client:
        with pytest.warns(imgql.PartialAnswerWarning, match="R2"):
            found = list(client.query("images where region in (R1, R2)"))
        assert [i.region for i in found] == ["R1"]
        assert client.one("images where region = R1", per="region") == {"R1": found[0]}


def test_order_by_region_at_one_endpoint_orders_nothing() -> None:
    located = imgql.parse("images where tag = x order by region, name limit 2").plan()
    plain = imgql.parse("images where tag = x order by name limit 2").plan()
    assert located.order_by == plain.order_by
    assert located.requests == plain.requests


def test_the_async_client_labels_and_settles_as_the_sync_one() -> None:
    import asyncio

    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"images": [{"id": "1", "name": "a"}]})

    async def scenario() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with imgql.AsyncClient("http://glance.test", "t", http=http, region="R1", partial=True) as client:
            found = await client.one("images where region = R1", per="region")
            assert {region: image.id for region, image in found.items()} == {"R1": "1"}
            with pytest.warns(imgql.PartialAnswerWarning, match="R2"):
                images = [i async for i in client.query("images where region in (R2, R1) order by region desc")]
            assert [(i.id, i.region) for i in images] == [("1", "R1")]
            records = [r async for r in client.records("images where region = R1")]
            assert records == [{"id": "1", "name": "a"}]
        await http.aclose()

    asyncio.run(scenario())
