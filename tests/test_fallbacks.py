"""Fallbacks in order (`A else B else C`): the language, the plan, a catalog, the command line and the lock
(the real Glance is in tests/test_lock.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

import imgql
from tests.strategies import SCALE, queries
from tests.test_lock_cli import run, write_catalog

GENERIC = "images where os_purpose = generic and os_distro = ubuntu order by created_at desc limit 1"
BY_NAME = "images where name like 'Ubuntu*' order by version(name) desc, created_at desc limit 1"
ANY = "images where os_distro = ubuntu"


@settings(max_examples=40 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries(max_leaves=4), queries(max_leaves=4))
def test_canonical_text_round_trips(first: imgql.Query, second: imgql.Query) -> None:
    query = attrs.evolve(first, fallbacks=(second,))
    assert imgql.parse(str(query)) == query


def _image(number: int, name: str, created: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"33333333-0000-0000-0000-{number:012d}",
        "name": name,
        "status": "active",
        "os_distro": "ubuntu",
        "created_at": created,
        **extra,
    }


@pytest.fixture()
def catalog(tmp_path: Path) -> imgql.Catalog:
    images = [
        _image(1, "Ubuntu-22.04.9", "2026-03-01T00:00:00Z"),
        _image(2, "Ubuntu-22.04.10", "2026-01-01T00:00:00Z"),
        _image(3, "ubuntu-minimal", "2026-04-01T00:00:00Z"),
    ]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"images": images}), encoding="utf-8")
    return imgql.Catalog(path)


def test_the_first_query_that_answers_wins(catalog: imgql.Catalog) -> None:
    both = imgql.parse(f"{GENERIC} else {BY_NAME}")
    assert [q.fallbacks for q in both.tiers] == [(), ()] and len(both.tiers) == 2
    assert catalog.one(both).name == "Ubuntu-22.04.10"  # by version: 22.04.10 after 22.04.9
    assert [i.name for i in catalog.query(f"{GENERIC} else {ANY} order by name")] == [
        "Ubuntu-22.04.10",
        "Ubuntu-22.04.9",
        "ubuntu-minimal",
    ]
    # Exactly one applies to the query that answers: several there is an error, not a reason to go on.
    with pytest.raises(imgql.MultipleFound):
        catalog.one(f"{GENERIC} else {ANY} else {BY_NAME}")
    with pytest.raises(imgql.NotFound):
        catalog.one(f"{GENERIC} else images where name = nothing")


def test_each_query_is_checked_and_bound_on_its_own() -> None:
    with pytest.raises(imgql.InvalidValueError) as caught:
        imgql.parse(f"{GENERIC} else images where size < 5XB")
    assert caught.value.column == len(GENERIC) + 1 + len("else images where size < ") + 1
    query = imgql.parse("images where name = $a else images where os_distro = $b")
    assert query.params == {"a", "b"}
    assert str(query.bind(a="x", b="y")) == "images where name = x else images where os_distro = y"
    with pytest.raises(imgql.QuerySyntaxError) as syntax:
        imgql.parse("images where name = x else")
    assert "after 'else'" in syntax.value.message
    # `else` is a keyword only between queries: still a value and a field name elsewhere.
    assert str(imgql.parse("images where name = else")) == "images where name = else"


def test_the_plan_says_in_which_order_and_why() -> None:
    text = imgql.parse(f"{GENERIC} else images where name = a and name = b else {BY_NAME}").plan().explain()
    assert "3 queries tried in order" in text
    assert "query 2 of 3 (only if query 1 answers no image)" in text
    assert "it can answer nothing, so it passes to the next" in text
    assert "query 3 of 3 (only if queries 1 to 2 answer no image)" in text


def test_on_the_command_line_and_through_the_lock(tmp_path: Path) -> None:
    write_catalog(tmp_path, [_image(1, "Ubuntu-22.04.9", "2026-03-01T00:00:00Z")])
    one = run(
        tmp_path,
        "query",
        "--catalog",
        "catalog.json",
        "--one",
        "-f",
        "value",
        "-c",
        "name",
        f"{GENERIC} else {BY_NAME}",
    )
    assert one.returncode == 0 and one.stdout.strip() == "Ubuntu-22.04.9", one.stderr
    plan = run(tmp_path, "plan", f"{GENERIC} else {BY_NAME}")
    assert plan.returncode == 0 and "query 2 of 2" in plan.stdout

    (tmp_path / "deploy.yaml").write_text(f"image: >-\n  {GENERIC}\n  else {BY_NAME}\n", encoding="utf-8")
    assert run(tmp_path, "lock", "--catalog", "catalog.json", "deploy.yaml").returncode == 0
    entry = json.loads((tmp_path / "imgql.lock").read_text())["files"]["deploy.yaml"]["image"]
    assert entry["tier"] == 1 and entry["images"][0]["name"] == "Ubuntu-22.04.9"
    check = run(tmp_path, "lock", "--catalog", "catalog.json", "deploy.yaml", "--check")
    assert check.returncode == 0, check.stdout
    assert "query 1 answered no image" in check.stdout and "query 2 answered" in check.stdout

    write_catalog(
        tmp_path,
        [
            _image(1, "Ubuntu-22.04.9", "2026-03-01T00:00:00Z"),
            _image(4, "ubuntu-generic", "2026-05-01T00:00:00Z", os_purpose="generic"),
        ],
    )
    moved = run(tmp_path, "lock", "--catalog", "catalog.json", "deploy.yaml", "--check", "-f", "json")
    assert moved.returncode == 10
    (row,) = json.loads(moved.stdout)
    assert row["status"] == "changed" and row["tier"] == 0 and row["new"]["name"] == "ubuntu-generic"
    assert "locked from query 2" in row["reason"]
    resolved = run(tmp_path, "check", "--catalog", "catalog.json", "--resolve", "deploy.yaml")
    assert resolved.returncode == 0 and "Ubuntu-22.04.9" in resolved.stdout  # still the pinned one
