"""imgql.Catalog: the same language over images held locally."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import imgql

IMAGES: list[dict[str, Any]] = [
    {"id": "1", "name": "ubuntu-22.04", "size": 100, "tags": ["lts"], "created_at": "2025-01-01T00:00:00Z"},
    {"id": "2", "name": "ubuntu-24.04", "size": 200, "tags": ["lts"], "created_at": "2025-03-01T00:00:00Z"},
    {"id": "3", "name": "debian-12", "size": None, "tags": [], "created_at": "2025-02-01T00:00:00Z"},
    {"id": "4", "name": "ubuntu-hidden", "size": 50, "tags": ["lts"], "os_hidden": True},
]


def names(images: Any) -> list[str]:
    return [image.name for image in images]


def test_over_a_list() -> None:
    catalog = imgql.Catalog(IMAGES)
    assert len(catalog) == 4
    assert repr(catalog) == "<imgql.Catalog of 4 images>"
    assert names(catalog.query("images where tag = lts")) == ["ubuntu-24.04", "ubuntu-22.04"]
    assert names(catalog.query("images where size > 150 or size missing")) == ["ubuntu-24.04", "debian-12"]
    assert names(catalog.query("images order by created_at desc limit 2")) == ["ubuntu-24.04", "debian-12"]
    assert names(catalog.query("images where name like 'ubuntu*' order by size desc")) == [
        "ubuntu-24.04",
        "ubuntu-22.04",
    ]
    assert names(catalog.query("images where name = $n", n="debian-12")) == ["debian-12"]
    assert names(catalog.query("images where tag = lts limit 0")) == []
    assert names(catalog.query("images where size > 5 and size < 1")) == []


def test_hidden_images_only_when_asked() -> None:
    catalog = imgql.Catalog(IMAGES)
    assert "ubuntu-hidden" not in names(catalog.query("images"))
    assert names(catalog.query("images where hidden")) == ["ubuntu-hidden"]
    assert "ubuntu-hidden" in names(catalog.query("images where hidden or tag = lts"))
    assert len(list(catalog.query("all images"))) == 4


def test_plans_run_on_the_client() -> None:
    planned = imgql.Catalog(IMAGES).plan("images where tag = lts order by size")
    assert planned.profile == "none"
    assert planned.client_sort


def test_images_are_values() -> None:
    image = imgql.Catalog(IMAGES).one("images where name = debian-12")
    assert image.id == "3" and image.size is None and image.tags == ()
    assert image["name"] == "debian-12"


@pytest.mark.parametrize(
    "shape",
    [
        {"images": IMAGES, "schema": "/v2/schemas/images", "first": "/v2/images"},  # one response
        [{"images": IMAGES[:2], "next": "/v2/images?marker=2"}, {"images": IMAGES[2:]}],  # pages
        IMAGES,  # a bare list
    ],
    ids=["response", "pages", "list"],
)
def test_over_a_json_file(tmp_path: Path, shape: Any) -> None:
    path = tmp_path / "images.json"
    path.write_text(json.dumps(shape), encoding="utf-8")
    for source in (path, str(path)):
        catalog = imgql.Catalog(source)
        assert len(catalog) == 4
        assert names(catalog.query("images where tag = lts")) == ["ubuntu-24.04", "ubuntu-22.04"]


def test_bad_json_says_where(tmp_path: Path) -> None:
    # What imgql adds is the file and the parser's line and column; the parser's
    # own words and even its column for the same mistake differ between Python
    # versions (3.13 points at the trailing comma, 3.12 at the brace after it).
    text = '{"images": [\n  {"id": "1",}\n]}'
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(json.JSONDecodeError) as parsed:
        json.loads(text)
    with pytest.raises(imgql.CatalogError) as raised:
        imgql.Catalog(path)
    message = str(raised.value)
    assert message.startswith(f"{path} is not valid JSON: ")
    assert message.endswith(f"(line {parsed.value.lineno}, column {parsed.value.colno})")
    assert parsed.value.lineno == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"servers": []}, "expected a list of images or an object with an 'images' list"),
        ("images", "expected a list of images"),
        (5, "expected a list of images"),
        (None, "expected a list of images"),
        ([1, 2], "every image must be a JSON object, found int"),
        ({"images": 5}, "expected a list of images"),
    ],
)
def test_wrong_shapes(tmp_path: Path, data: Any, message: str) -> None:
    path = tmp_path / "shape.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(imgql.CatalogError, match=message):
        imgql.Catalog(path)
    if not isinstance(data, (str, int)) and data is not None:
        with pytest.raises(imgql.CatalogError, match=message):
            imgql.Catalog(data)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(imgql.CatalogError, match="cannot read the catalog"):
        imgql.Catalog(tmp_path / "nowhere.json")


def test_one_not_found() -> None:
    with pytest.raises(imgql.NotFound) as raised:
        imgql.Catalog(IMAGES).one("images where name = fedora")
    assert str(raised.value) == "no image matches: images where name = fedora"


def test_one_multiple_found() -> None:
    with pytest.raises(imgql.MultipleFound) as raised:
        imgql.Catalog(IMAGES).one("images where tag = lts")
    message = str(raised.value)
    assert message.startswith("2 images match, expected exactly one: images where tag = lts")
    assert "'ubuntu-24.04', 'ubuntu-22.04'" in message
    assert "order by created_at desc limit 1" in message
    assert imgql.Catalog(IMAGES).one("images where tag = lts order by created_at desc limit 1").name == "ubuntu-24.04"


def test_one_counts_up_to_a_bound() -> None:
    many = [{"id": str(n), "name": f"n{n}"} for n in range(30)]
    with pytest.raises(imgql.MultipleFound, match=r"(?s)more than 20 images match.*, \.\.\."):
        imgql.Catalog(many).one(imgql.parse("images"))


def test_without_an_order_the_answer_is_in_the_apis_default_order() -> None:
    # A file listing images oldest first answers as the cloud does: newest
    # created_at first, then id, both descending.
    oldest_first = [
        {"id": f"{i:02d}", "name": f"n{i}", "created_at": f"2025-01-{1 + i // 2:02d}T00:00:00Z"} for i in range(10)
    ]
    catalog = imgql.Catalog(oldest_first)
    assert [i.id for i in catalog.query("images limit 5")] == ["09", "08", "07", "06", "05"]
    assert [i.id for i in catalog.query("images")] == [f"{i:02d}" for i in reversed(range(10))]
    assert [i.id for i in imgql.Catalog(list(reversed(oldest_first))).query("images limit 3")] == ["09", "08", "07"]


@pytest.mark.parametrize(("a", "b"), [("5.0", "5"), ("10", "010"), ("7", "+7"), ("100", "1e2"), ("1e3", "1E3")])
def test_equal_numbers_in_a_custom_property_are_a_tie_broken_by_id(a: str, b: str) -> None:
    records = [{"id": "2", "eqnum": a}, {"id": "1", "eqnum": b}, {"id": "3", "eqnum": "0.5"}]
    catalog = imgql.Catalog(records)
    assert [i.id for i in catalog.query("images order by eqnum")] == ["3", "1", "2"]
    assert [i.id for i in catalog.query("images order by eqnum desc")] == ["2", "1", "3"]
    assert [i.id for i in catalog.query("images order by eqnum desc limit 1")] == ["2"]
    swapped = imgql.Catalog([{"id": "2", "eqnum": b}, {"id": "1", "eqnum": a}])
    assert [i.id for i in swapped.query("images order by eqnum limit 1")] == ["1"]


def test_property_prefix_always_names_a_custom_property() -> None:
    records = [
        {
            "id": "1",
            "name": "a",
            "created": "5",
            "region": "eu",
            "os_distro": "10",
            "created_at": "2025-01-01T00:00:00Z",
        },
        {"id": "2", "name": "b", "created": "10", "os_distro": "9", "created_at": "2025-01-02T00:00:00Z"},
    ]
    catalog = imgql.Catalog(records)
    assert [i.id for i in catalog.query("images where property.created > 6")] == ["2"]
    assert [i.id for i in catalog.query("images where property.region = eu")] == ["1"]
    assert [i.id for i in catalog.query("images order by property.created")] == ["1", "2"]
    # As a custom property, os_distro compares by number; as the field, by text.
    assert [i.id for i in catalog.query("images where property.os_distro > 9.5")] == ["1"]
    assert [i.id for i in catalog.query("images where os_distro > 9.5")] == []
    texts = ("images where property.created = 5", "images where property.region in (eu, us) order by property.tag asc")
    for text in texts:
        query = imgql.parse(text)
        assert str(query) == text and imgql.parse(str(query)) == query
        assert all("property." not in str(request.params) for request in query.plan().requests)


@pytest.mark.parametrize(
    "text", ["images where property.name = a", "images order by property.id", "images where property.size exists"]
)
def test_property_prefix_on_a_field_every_image_has_is_an_error(text: str) -> None:
    with pytest.raises(imgql.UnknownFieldError, match="not a custom property") as caught:
        imgql.parse(text)
    assert caught.value.column == text.index("property.") + 1
