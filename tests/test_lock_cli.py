"""`imgql lock` and `imgql check` on configuration files, through the installed command line,
over an offline catalog that the tests change between runs (the real Glance is in tests/test_lock.py)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

IMGQL = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "imgql"


def _image(number: int, distro: str, created: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"22222222-0000-0000-0000-{number:012d}",
        "name": f"{distro}-{number}",
        "status": "active",
        "visibility": "public",
        "os_distro": distro,
        "created_at": created,
        "os_hash_algo": "sha512",
        "os_hash_value": f"{number:0128x}",
        "os_hidden": False,
        **extra,
    }


NEWEST = "order by created_at desc limit 1"
CONFIG = f"""\
servers:
  web:
    image: images where os_distro = ubuntu {NEWEST}
  db:
    image: images where os_distro = debian and status = active {NEWEST}
"""


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(IMGQL)] if IMGQL.exists() else ["python", "-m", "imgql.cli"]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    environ.update({"COLUMNS": "80", "PYTHONIOENCODING": "utf-8"})
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, env=environ, timeout=60)


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "deploy.yaml").write_text(CONFIG, encoding="utf-8")
    write_catalog(tmp_path, [_image(1, "ubuntu", "2026-01-01T00:00:00Z"), _image(2, "debian", "2026-01-01T00:00:00Z")])
    return tmp_path


def write_catalog(where: Path, images: list[dict[str, Any]]) -> None:
    (where / "catalog.json").write_text(json.dumps({"images": images}), encoding="utf-8")


def test_lock_then_check_then_upgrade(workspace: Path) -> None:
    first = run(workspace, "lock", "--catalog", "catalog.json", "deploy.yaml")
    assert first.returncode == 0, first.stderr
    lock = workspace / "imgql.lock"
    written = lock.read_bytes()
    data = json.loads(written)
    assert data["imgql-lock"] == 1
    web = data["files"]["deploy.yaml"]["servers.web.image"]
    assert web["query"] == f"images where os_distro = ubuntu {NEWEST}"
    assert web["images"][0]["id"].endswith("1") and web["images"][0]["hash"].startswith("sha512:")
    assert run(workspace, "lock", "--catalog", "catalog.json", "deploy.yaml").returncode == 0
    assert lock.read_bytes() == written

    up_to_date = run(workspace, "lock", "--catalog", "catalog.json", "deploy.yaml", "--check")
    assert up_to_date.returncode == 0, up_to_date.stderr
    assert "up to date" in up_to_date.stderr

    write_catalog(
        workspace,
        [
            _image(1, "ubuntu", "2026-01-01T00:00:00Z"),
            _image(3, "ubuntu", "2026-02-01T00:00:00Z"),
            _image(2, "debian", "2026-01-01T00:00:00Z", status="deactivated"),
            _image(4, "debian", "2025-01-01T00:00:00Z"),
        ],
    )
    late = run(workspace, "lock", "--catalog", "catalog.json", "deploy.yaml", "--check")
    assert late.returncode == 10, late.stderr
    assert all(len(line) <= 80 for line in late.stdout.splitlines()), late.stdout
    assert "changed   deploy.yaml: servers.web.image" in late.stdout
    assert "gone      deploy.yaml: servers.db.image" in late.stdout and "deactivated" in late.stdout
    assert "000000000004" in late.stdout
    report = run(workspace, "lock", "--catalog", "catalog.json", "deploy.yaml", "--check", "-f", "json")
    assert report.returncode == 10
    rows = {row["key"]: row for row in json.loads(report.stdout)}
    assert set(rows["servers.web.image"]) >= {"key", "place", "status", "old", "new"}
    assert rows["servers.web.image"]["status"] == "changed"
    assert rows["servers.web.image"]["old"]["id"].endswith("1") and rows["servers.web.image"]["new"]["id"].endswith("3")
    assert rows["servers.db.image"]["status"] == "gone" and rows["servers.db.image"]["new"]["id"].endswith("4")

    # The deploy answers from the lock: web is still image 1; db's pin is gone, an error naming its successor.
    pinned = run(workspace, "check", "--catalog", "catalog.json", "--resolve", "deploy.yaml", "-k", "servers.web.image")
    assert pinned.returncode == 0, pinned.stderr
    assert pinned.stdout.startswith("servers.web.image: 22222222-0000-0000-0000-000000000001 ubuntu-1")
    gone = run(workspace, "check", "--catalog", "catalog.json", "--resolve", "deploy.yaml")
    assert gone.returncode == 3
    assert "servers.db.image" in gone.stdout and "000000000004" in gone.stdout
    fresh = run(workspace, "check", "--catalog", "catalog.json", "--resolve", "--refresh", "deploy.yaml")
    assert fresh.returncode == 0 and "000000000003 ubuntu-3" in fresh.stdout

    moved = run(workspace, "lock", "--catalog", "catalog.json", "deploy.yaml", "--upgrade", "servers.db.image")
    assert moved.returncode == 0, moved.stderr
    after = json.loads(lock.read_text())["files"]["deploy.yaml"]
    assert after["servers.web.image"] == web
    assert after["servers.db.image"]["images"][0]["id"].endswith("4")
    unknown = run(workspace, "lock", "--catalog", "catalog.json", "deploy.yaml", "--upgrade", "servers.nope")
    assert unknown.returncode == 2 and "servers.nope" in unknown.stderr


def test_check_with_parameters_documents_and_json(tmp_path: Path) -> None:
    write_catalog(tmp_path, [_image(1, "ubuntu", "2026-01-01T00:00:00Z"), _image(2, "debian", "2026-01-01T00:00:00Z")])
    config = tmp_path / "deploy.yaml"
    config.write_text(
        f"image: images where os_distro = $distro {NEWEST}\n---\nimage: images where os_distro = debian {NEWEST}\n",
        encoding="utf-8",
    )
    missing = run(tmp_path, "check", "--catalog", "catalog.json", "--resolve", "deploy.yaml")
    assert missing.returncode == 2 and "$distro" in missing.stdout
    given = run(tmp_path, "check", "--catalog", "catalog.json", "--resolve", "-p", "distro=ubuntu", "deploy.yaml")
    assert given.returncode == 0, given.stdout + given.stderr
    assert given.stdout.splitlines() == [
        "0.image: 22222222-0000-0000-0000-000000000001 ubuntu-1",
        "1.image: 22222222-0000-0000-0000-000000000002 debian-2",
    ]
    (tmp_path / "params.yaml").write_text("distro: debian\n", encoding="utf-8")
    from_file = run(
        tmp_path, "check", "--catalog", "catalog.json", "--resolve", "--params", "params.yaml", "deploy.yaml"
    )
    assert from_file.returncode == 0, from_file.stdout + from_file.stderr
    assert from_file.stdout.startswith("0.image: 22222222-0000-0000-0000-000000000002 debian-2")
    as_json = run(
        tmp_path, "check", "--catalog", "catalog.json", "--resolve", "-p", "distro=ubuntu", "-f", "json", "deploy.yaml"
    )
    (report,) = json.loads(as_json.stdout)
    assert [row["key"] for row in report["images"]] == ["0.image", "1.image"] and report["problems"] == []

    empty = tmp_path / "empty.yaml"
    empty.write_text("servers: {web: {image: ubuntu}}\n", encoding="utf-8")
    nothing = run(tmp_path, "check", "empty.yaml")
    assert nothing.returncode == 2 and "no query in this file" in nothing.stdout
    no_key = run(tmp_path, "check", "deploy.yaml", "-k", "servers")
    assert no_key.returncode == 2 and "no value at key path servers" in no_key.stdout


def _lock_values() -> Any:
    from hypothesis import strategies as st

    from imgql.cli.lockfile import Entry, Lock, Pin

    text = st.text(min_size=1, max_size=12)
    maybe = st.one_of(st.none(), text)
    pins = st.builds(
        Pin, id=text, name=maybe, created_at=maybe, hash=maybe, resolved_at=maybe, cloud=maybe, region=maybe
    )
    entries = st.builds(
        Entry,
        file=text,
        key=text,
        query=text,
        pins=st.lists(pins, max_size=3).map(tuple),
        tier=st.one_of(st.none(), st.integers(0, 5)),
    )
    return st.lists(entries, max_size=4, unique_by=lambda e: (e.file, e.key)).map(lambda es: Lock().with_entries(es))


def test_the_lock_format_round_trips_and_is_stable() -> None:
    from hypothesis import given, settings

    from imgql.cli.lockfile import dumps, loads

    @settings(max_examples=200, deadline=None)
    @given(_lock_values())
    def round_trip(lock: Any) -> None:
        text = dumps(lock)
        assert loads(text) == lock
        assert dumps(loads(text)) == text
        assert text.endswith("}\n")

    round_trip()


def test_a_file_that_is_not_a_lock_is_refused(tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text(CONFIG, encoding="utf-8")
    write_catalog(tmp_path, [_image(1, "ubuntu", "2026-01-01T00:00:00Z"), _image(2, "debian", "2026-01-01T00:00:00Z")])
    (tmp_path / "imgql.lock").write_text('{"something": "else"}\n', encoding="utf-8")
    refused = run(tmp_path, "lock", "--catalog", "catalog.json", "deploy.yaml", "--check")
    assert refused.returncode == 1 and "not an imgql lock file" in refused.stderr
    missing = run(tmp_path, "lock", "--catalog", "catalog.json", "deploy.yaml", "--check", "--lock", "none.lock")
    assert missing.returncode == 1 and "make one with `imgql lock FILE...`" in missing.stderr
