"""Version order (`order by version(FIELD)`) against PEP 440's reference ordering, and the
`snapshot` shorthand; both through the bundled catalog and the documents that use them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

import imgql
from imgql.cli.queryfiles import load_file, resolve
from imgql.run.versions import version_key

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "examples" / "catalog.json"

PHASE_SPELLINGS = {"a": ["a", "alpha"], "b": ["b", "beta"], "rc": ["rc", "c", "pre", "preview"]}


@st.composite
def versions(draw: st.DrawFn) -> tuple[str, str]:
    """A version as PEP 440 writes it, and the same version as an image name might (spelled and embedded)."""
    release = draw(st.lists(st.integers(0, 30), min_size=1, max_size=4))
    text = ".".join(map(str, release))
    written = text
    if draw(st.booleans()):
        phase = draw(st.sampled_from(sorted(PHASE_SPELLINGS)))
        number = draw(st.integers(0, 12))
        text += f"{phase}{number}"
        spelled = draw(st.sampled_from(PHASE_SPELLINGS[phase]))
        written += f"{draw(st.sampled_from(['', '-', '.', '_', '~']))}{spelled}{number}"
    prefix = draw(st.sampled_from(["", "Ubuntu-", "rocky ", "v"]))
    suffix = draw(st.sampled_from(["", "-LTS", " x64", "-amd64"]))
    return text, prefix + written + suffix


@given(versions(), versions())
def test_version_order_is_pep_440s(left: tuple[str, str], right: tuple[str, str]) -> None:
    reference = (Version(left[0]) > Version(right[0])) - (Version(left[0]) < Version(right[0]))
    ka, kb = version_key(left[1]), version_key(right[1])
    assert ka is not None and kb is not None
    assert (ka > kb) - (ka < kb) == reference, (left, right)


@pytest.mark.parametrize(
    ("lower", "higher"),
    [("9", "10"), ("22.04.9", "22.04.10"), ("2.0rc1", "2.0"), ("2.0a1", "2.0-beta2"), ("Rocky-9.6-x64", "Rocky-10.0")],
)
def test_people_count_versions(lower: str, higher: str) -> None:
    assert version_key(lower) < version_key(higher)  # type: ignore[operator]


def test_no_digits_no_version() -> None:
    assert version_key("cirros") is None and version_key(None) is None and version_key("") is None
    assert version_key("10.0") == version_key("10")


def _catalog(tmp_path: Path) -> imgql.Catalog:
    import json

    images = [
        {"id": f"id-{n}", "name": name, "status": "active", "os_version": version, "created_at": "2026-01-01T00:00:00Z"}
        for n, (name, version) in enumerate(
            [("Rocky-9.9", "9"), ("Rocky-10.1", "10"), ("Ubuntu-22.04.9", "22.04.9"), ("Ubuntu-22.04.10", "22.04.10")]
        )
    ]
    images.append({"id": "id-x", "name": "cirros", "status": "active", "created_at": "2026-01-01T00:00:00Z"})
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"images": images}), encoding="utf-8")
    return imgql.Catalog(path)


def test_order_by_version_in_a_query(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    names = [i.name for i in catalog.query("images where name like 'Rocky*' order by version(name) desc")]
    assert names == ["Rocky-10.1", "Rocky-9.9"]
    names = [i.name for i in catalog.query("images order by version(os_version) asc")]
    assert names == ["cirros", "Rocky-9.9", "Rocky-10.1", "Ubuntu-22.04.9", "Ubuntu-22.04.10"]  # missing first
    assert catalog.one("images order by version(os_version) desc limit 1").name == "Ubuntu-22.04.10"
    plain = [i.name for i in catalog.query("images where name like 'Ubuntu*' order by name desc")]
    assert plain == ["Ubuntu-22.04.9", "Ubuntu-22.04.10"]  # by code point, what version() is for


def test_version_order_is_grammar_canonical_and_never_sent() -> None:
    query = imgql.parse("images order by VERSION ( os_version ) desc, version asc")
    assert str(query) == "images order by version(os_version) desc, version asc"
    assert imgql.parse(str(query)) == query
    plan = imgql.parse("images where name = x order by version(name) desc limit 1").plan("glance")
    assert all(key != "sort" for request in plan.requests for key, _ in request.params)
    assert "version(name) desc is a version order, evaluated on the client" in plan.explain()
    with pytest.raises(imgql.UnknownFieldError) as caught:
        imgql.parse("images order by version(size)")
    assert caught.value.column == 25 and "version()" in caught.value.message


def test_snapshot_shorthand() -> None:
    query = imgql.parse("images where os_distro = debian and not snapshot")
    assert str(query) == "images where os_distro = debian and not image_type = snapshot"
    assert imgql.parse(str(query)) == query
    assert imgql.parse("images where snapshot") == imgql.parse("images where image_type = snapshot")
    catalog = imgql.Catalog(CATALOG)
    snapshots = list(catalog.query("images where snapshot"))
    assert snapshots and all(image["image_type"] == "snapshot" for image in snapshots)
    kept = list(catalog.query("images where not snapshot"))
    assert len(kept) + len(snapshots) == len(list(catalog.query("images")))


def test_examples_pick_what_their_comments_say() -> None:
    catalog = imgql.Catalog(CATALOG)
    data = load_file(ROOT / "examples" / "images.yaml")[0]
    ids = {key: value["image"] for key, value in resolve(data, ["servers.*.image"], catalog)["servers"].items()}
    picked = {key: catalog.one(f"images where id = '{image_id}'") for key, image_id in ids.items()}
    assert picked["web"].name.startswith("Ubuntu-26.04-LTS") and picked["web"]["architecture"] == "x86_64"
    assert picked["worker"].name.startswith("Debian-13") and picked["worker"].get("image_type") is None
    assert picked["bastion"].name == "Rocky-10.0-x64"


def test_the_readme_snippet_picks_an_x86_64_release() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r'client\.one\(\n\s+"(images where os_distro = ubuntu[^"]*)"\n\s+"([^"]*)"', readme)
    assert found, "the README's client.one(...) snippet moved"
    image = imgql.Catalog(CATALOG).one(found.group(1) + found.group(2))
    assert image["architecture"] == "x86_64" and image.get("image_type") is None
    assert image["os_version"] == "26.04" and image.status == "active"
