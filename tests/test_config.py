"""Queries in configuration files: resolve() and `imgql check`."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import imgql
from imgql.cli.queryfiles import ConfigQueryError, check_file, find_queries, resolve

IMAGES = [
    {"id": "u24", "name": "Ubuntu-24.04", "os_distro": "ubuntu", "tags": ["lts"], "created_at": "2025-06-01T00:00:00Z"},
    {"id": "u22", "name": "Ubuntu-22.04", "os_distro": "ubuntu", "tags": ["lts"], "created_at": "2024-06-01T00:00:00Z"},
    {"id": "d12", "name": "Debian-12", "os_distro": "debian", "tags": [], "created_at": "2025-01-01T00:00:00Z"},
]

NEWEST_UBUNTU = "images where os_distro = ubuntu and tag = lts order by created_at desc limit 1"


@pytest.fixture
def catalog() -> imgql.Catalog:
    return imgql.Catalog(IMAGES)


def test_resolve_replaces_queries_with_ids(catalog: imgql.Catalog) -> None:
    config = {
        "servers": [
            {"name": "web", "image": NEWEST_UBUNTU},
            {"name": "db", "image": "images where os_distro = debian"},
        ],
        "untouched": "images where this is not at a key path",
    }
    resolved = resolve(config, ["servers.*.image"], catalog)
    assert [s["image"] for s in resolved["servers"]] == ["u24", "d12"]
    assert config["servers"][0]["image"] == NEWEST_UBUNTU  # the input is not changed
    assert resolved["untouched"] == config["untouched"]


def test_resolve_reports_every_problem(catalog: imgql.Catalog) -> None:
    config = {
        "a": {"image": "images where os_distro = ubuntu"},  # two images
        "b": {"image": "images where name = nope"},  # none
        "c": {"image": "images where\n  size > 5XB"},  # bad value, on the second line of the query
        "d": {"image": 42},
        "e": {"image": NEWEST_UBUNTU},  # fine
    }
    with pytest.raises(ConfigQueryError) as info:
        resolve(config, "*.image", catalog)
    problems = info.value.problems
    assert [p.path for p in problems] == ["a.image", "b.image", "c.image", "d.image"]
    assert isinstance(problems[0].error, imgql.MultipleFound)
    assert isinstance(problems[1].error, imgql.NotFound)
    assert isinstance(problems[2].error, imgql.InvalidValueError)
    assert (problems[2].line, problems[2].column) == (2, 10)
    assert "c.image" in str(info.value) and "line 2, column 10" in str(info.value)
    assert isinstance(info.value, imgql.Error)


def test_without_keys_every_query_looking_string_counts() -> None:
    data = {"x": "images where tag = lts", "y": ["All images where a = b", "images", "not a query"], "z": 3}
    found, missing = find_queries(data)
    assert [path for path, _ in found] == [("x",), ("y", 0)]
    assert missing == []
    _found, missing = find_queries(data, ["nothere.image", "*.image"])
    assert missing == ["nothere.image", "*.image"]  # a pattern that matches nothing is reported too


YAML_TEXT = """\
servers:
  web:
    image: images where os_distro = ubuntu and tag = lts order by created_at desc limit 1
  db:
    image: "images where size < 5XB"
  cache:
    image: |
      images where os_distro = debian
        and tag = = lts
"""

JSON_TEXT = """\
{
  "servers": [
    {"image": "images where os_distro = ubuntu limit 1"},
    {"image": "images where status = bogus"}
  ]
}
"""

TOML_TEXT = """\
[servers.web]
image = "images where os_distro = ubuntu limit 1"

[servers.db]
image = "images where tag = lts and"
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_check_yaml_positions(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    path = write(tmp_path, "deploy.yaml", YAML_TEXT)
    diagnostics = check_file(path)
    assert [(d.line, d.column, d.path) for d in diagnostics] == [
        (5, 33, "servers.db.image"),  # the 5 of 5XB, inside the quotes
        (9, 19, "servers.cache.image"),  # the second =, inside the block scalar
    ]
    assert str(diagnostics[0]).startswith(f"{path}:5:33: servers.db.image: size: unknown size unit")


def test_check_json_and_toml_positions(tmp_path: Path) -> None:
    diagnostics = check_file(write(tmp_path, "deploy.json", JSON_TEXT), ["servers.*.image"])
    assert [(d.line, d.column, d.path) for d in diagnostics] == [(4, 38, "servers.1.image")]
    diagnostics = check_file(write(tmp_path, "deploy.toml", TOML_TEXT))
    assert [(d.line, d.path) for d in diagnostics] == [(5, "servers.db.image")]
    assert diagnostics[0].column == len('image = "images where tag = lts and') + 1


def _json_position(text: str) -> tuple[int, int]:
    with pytest.raises(json.JSONDecodeError) as raised:
        json.loads(text)
    return raised.value.lineno, raised.value.colno


def _yaml_position(text: str) -> tuple[int, int]:
    yaml = pytest.importorskip("yaml")
    with pytest.raises(yaml.YAMLError) as raised:
        yaml.safe_load(text)
    mark = raised.value.problem_mark
    return mark.line + 1, mark.column + 1


def _toml_position(text: str) -> tuple[int, int]:
    # tomllib and tomli give the position only in their message's words (their
    # lineno attribute is new), so this is where the bad character is: every
    # TOML parser we allow points there.
    line = text[: text.index("@")].count("\n") + 1
    return line, text.index("@") - text.rfind("\n", 0, text.index("@"))


@pytest.mark.parametrize(
    ("name", "text", "kind", "position"),
    [
        ("broken.json", '{"a": [1,\n  2,,]}', "JSON", _json_position),
        ("broken.toml", 'a = "images where tag = lts"\nb = @\n', "TOML", _toml_position),
        ("broken.yaml", "a: images where tag = lts\n\tb: 1\n", "YAML", _yaml_position),
    ],
)
def test_check_reports_a_file_that_does_not_parse(
    tmp_path: Path, name: str, text: str, kind: str, position: Callable[[str], tuple[int, int]]
) -> None:
    # What imgql adds to the parser's error, whatever the parser's words: the
    # file, the line and column, and which format it could not read.
    line, column = position(text)
    path = write(tmp_path, name, text)
    diagnostics = check_file(path)
    assert len(diagnostics) == 1
    assert (diagnostics[0].file, diagnostics[0].line, diagnostics[0].column) == (path, line, column)
    assert line == 2
    assert str(diagnostics[0]).startswith(f"{path}:{line}:{column}: invalid {kind}: ")


def run_check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imgql.cli", "check", *args], capture_output=True, text=True, timeout=60
    )


def test_check_command(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    bad = write(tmp_path, "deploy.yaml", YAML_TEXT)
    good = write(tmp_path, "good.json", json.dumps({"image": NEWEST_UBUNTU}))
    result = run_check(bad, good)
    assert result.returncode == 2
    assert f"{bad}:5:33: servers.db.image: size: unknown size unit" in result.stdout
    assert f"{bad}:9:19: " in result.stdout
    assert "Traceback" not in result.stderr

    result = run_check(good, "--key", "image")
    assert result.returncode == 0, result.stdout
    assert "1 query OK" in result.stderr

    catalog = write(tmp_path, "catalog.json", json.dumps({"images": IMAGES}))
    ambiguous = write(tmp_path, "ambiguous.json", json.dumps({"image": "images where os_distro = ubuntu"}))
    result = run_check(ambiguous, "--resolve", "--catalog", catalog)
    assert result.returncode == 3
    assert "2 images match" in result.stdout
