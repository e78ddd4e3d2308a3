"""Pins the Glance behaviours imgql's planner relies on (see docs/glance.md)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from tests.glance.catalog import TRAP_NAMES
from tests.glance.fixture import SeededGlance

pytestmark = pytest.mark.glance


@pytest.fixture(scope="module")
def admin(glance: SeededGlance) -> httpx.Client:
    return httpx.Client(base_url=glance.url, headers=glance.admin_headers(), timeout=60)


def names(client: httpx.Client, params: list[tuple[str, str]]) -> list[str] | int:
    response = client.get("/v2/images", params=[*params, ("limit", "1000"), ("visibility", "all")])
    if response.status_code != 200:
        return response.status_code
    return [image["name"] for image in response.json()["images"]]


def in_item(value: str) -> str | None:
    """How a value is written inside ``in:`` so that it matches exactly, or None if it cannot be."""
    if '"' in value or value.endswith("\\"):
        return None
    return f'"{value}"'


@pytest.mark.parametrize("name", TRAP_NAMES)
def test_eq_matches_verbatim(admin: httpx.Client, name: str) -> None:
    assert set(names(admin, [("name", f"eq:{name}")])) == {name}  # type: ignore[arg-type]


@pytest.mark.parametrize("name", TRAP_NAMES)
def test_in_quoting(admin: httpx.Client, name: str) -> None:
    item = in_item(name)
    if item is None:
        quoted = names(admin, [("name", f'in:"{name}"')])
        if '"' in name.replace('\\"', ""):
            # A double quote not preceded by a backslash cannot be written in in: at all.
            assert quoted == 400 or name not in quoted  # type: ignore[operator]
    else:
        assert set(names(admin, [("name", f'in:{item},"zz-none"')])) == {name}  # type: ignore[arg-type]


def test_in_does_not_unescape(admin: httpx.Client) -> None:
    assert names(admin, [("name", 'in:"say \\"hi\\", ok"')]) == []
    assert names(admin, [("name", 'in:"\\""')]) == ['\\"']


def test_bare_colon_is_an_operator(admin: httpx.Client) -> None:
    assert names(admin, [("name", "a:b")]) == 400
    assert names(admin, [("name", "in:trap")]) == []


def test_created_at_compares_hidden_microseconds(glance: SeededGlance, admin: httpx.Client) -> None:
    shown = sorted({image["created_at"] for image in glance.seeded.images if not image["os_hidden"]})
    second = shown[len(shown) // 2]
    at_second = [i for i in glance.seeded.images if not i["os_hidden"] and i["created_at"] == second]
    later = [i for i in glance.seeded.images if not i["os_hidden"] and i["created_at"] > second]
    assert at_second
    assert names(admin, [("created_at", f"eq:{second}")]) == []
    assert len(names(admin, [("created_at", f"gt:{second}")])) == len(at_second) + len(later)  # type: ignore[arg-type]
    following = dt.datetime.fromisoformat(second.replace("Z", "+00:00")) + dt.timedelta(seconds=1)
    assert len(names(admin, [("created_at", f"gte:{following:%Y-%m-%dT%H:%M:%S}+00:00")])) == len(later)  # type: ignore[arg-type]


def test_tags_are_stripped(admin: httpx.Client) -> None:
    assert names(admin, [("tag", " padded ")]) == []


def test_repeated_limit_empties_the_listing(admin: httpx.Client) -> None:
    assert names(admin, [("limit", "3")]) == []  # the second limit (1000) became a property filter


def test_next_link_collapses_repeated_tags(admin: httpx.Client) -> None:
    body = admin.get("/v2/images", params=[("tag", "lts"), ("tag", "gpu"), ("limit", "1")]).json()
    assert "tag=lts" not in body["next"]
    assert "tag=gpu" in body["next"]


def test_deleted_marker_is_400_for_a_member(glance: SeededGlance) -> None:
    response = httpx.get(
        f"{glance.url}/v2/images",
        params={"marker": glance.seeded.deleted_id},
        headers={**glance.caller_headers, "Accept": "application/json"},
    )
    assert response.status_code == 400
    assert f"No image found with ID {glance.seeded.deleted_id}" in response.json()["message"]


def test_numeric_ranges_are_the_capability_table(admin: httpx.Client) -> None:
    """The edges in capabilities.STORED_MAX: a size bound past a signed
    64-bit integer fails the request; min_ram and min_disk are never stored
    past a signed 32-bit one; limit takes anything from 0 up."""
    from imgql.plan.capabilities import STORED_MAX

    largest = STORED_MAX["size"]
    assert isinstance(names(admin, [("size_max", str(largest))]), list)
    assert isinstance(names(admin, [("size_min", str(largest))]), list)
    assert names(admin, [("size_max", str(largest + 1))]) == 500
    assert names(admin, [("size_min", str(largest + 1))]) == 500
    for field in ("min_ram", "min_disk"):
        too_large = {"name": "too-large", field: STORED_MAX[field] + 1}
        assert admin.post("/v2/images", json=too_large).status_code == 400
        assert names(admin, [(field, str(STORED_MAX[field] + 1))]) == []
    page = admin.get("/v2/images", params={"limit": str(2**64)})
    assert page.status_code == 200 and page.json()["images"]
    assert admin.get("/v2/images", params={"limit": "0"}).json()["images"] == []
    assert admin.get("/v2/images", params={"limit": "-1"}).status_code == 400


def test_id_is_accepted_as_a_last_sort_key(admin: httpx.Client) -> None:
    for direction in ("asc", "desc"):
        response = admin.get("/v2/images", params={"sort": f"created_at:{direction},id:{direction}", "limit": "5"})
        assert response.status_code == 200 and len(response.json()["images"]) == 5


def test_stores_cannot_be_filtered(admin: httpx.Client) -> None:
    everything = admin.get("/v2/images", params={"limit": "1000", "visibility": "all"}).json()["images"]
    assert any(image.get("stores") == "fs" for image in everything)
    assert names(admin, [("stores", "fs")]) == []
