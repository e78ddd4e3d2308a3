"""The lock against the real Glance: pin, see what moved, move on deliberately.

Every image here belongs to a project of its own with a tag of its own, so
no other test sees them (the caller project's listings are unchanged).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import imgql
from imgql.cli.lock import EXIT_OUT_OF_DATE, Found, check_lock, collect, relock, render_changes
from imgql.cli.lockfile import Lock, dumps, loads, read_lock, write_lock
from imgql.cli.pinning import PinnedImageGone
from imgql.cli.queryfiles import ConfigQueryError, load_file, resolve

pytestmark = pytest.mark.glance


class Project:
    """A project of the test's own in the seeded Glance, and a way to add images to it."""

    def __init__(self, glance: Any) -> None:
        self.glance = glance
        self.name = f"proj-lock-{uuid.uuid4().hex[:10]}"
        self.tag = f"lock-{uuid.uuid4().hex[:10]}"
        self.admin = httpx.Client(base_url=glance.url, headers=glance.admin_headers(self.name), timeout=60)
        self.http = httpx.Client(headers=glance.headers(self.name), timeout=60)
        self.client = imgql.Client(glance.url, http=self.http)

    def image(self, name: str, distro: str, **properties: str) -> str:
        """An active image; a second later than the one before, so `order by created_at` tells them apart."""
        time.sleep(1.05)
        body = {
            "name": name,
            "visibility": "private",
            "disk_format": "raw",
            "container_format": "bare",
            "tags": [self.tag],
            "os_distro": distro,
            **properties,
        }
        created = self.admin.post("/v2/images", json=body)
        assert created.status_code == 201, created.text
        image_id = str(created.json()["id"])
        upload = self.admin.put(
            f"/v2/images/{image_id}/file",
            content=name.encode(),
            headers={"Content-Type": "application/octet-stream"},
        )
        assert upload.status_code == 204, upload.text
        return image_id

    def deactivate(self, image_id: str) -> None:
        assert self.admin.post(f"/v2/images/{image_id}/actions/deactivate").status_code == 204

    def delete(self, image_id: str) -> None:
        assert self.admin.delete(f"/v2/images/{image_id}").status_code == 204

    def close(self) -> None:
        self.client.close()
        self.http.close()
        self.admin.close()


@pytest.fixture()
def project(glance: Any) -> Iterator[Project]:
    made = Project(glance)
    yield made
    made.close()


def _config(tmp_path: Path, tag: str) -> Path:
    newest = "order by created_at desc limit 1"
    path = tmp_path / "deploy.yaml"
    path.write_text(
        "servers:\n"
        f"  web: {{image: images where tag = '{tag}' and os_distro = ubuntu {newest}}}\n"
        f"  db: {{image: images where tag = '{tag}' and os_distro = debian {newest}}}\n"
        f"  cache: {{image: images where tag = '{tag}' and os_distro = fedora {newest}}}\n",
        encoding="utf-8",
    )
    return path


def _found(config: Path, lock_path: Path) -> list[Found]:
    found, problems = collect([str(config)], None, str(lock_path), {})
    assert not problems
    return found


def _status(changes: list[Any]) -> dict[str, Any]:
    return {change.key: change for change in changes}


def test_lock_check_upgrade_and_resolve_through_the_lock(project: Project, tmp_path: Path) -> None:
    config = _config(tmp_path, project.tag)
    lock_path = tmp_path / "imgql.lock"
    web1 = project.image("ubuntu-1", "ubuntu")
    db1 = project.image("debian-1", "debian")
    cache0 = project.image("fedora-0", "fedora")
    cache1 = project.image("fedora-1", "fedora")
    found = _found(config, lock_path)
    files = {item.file for item in found}

    lock, problems = relock(project.client, Lock(), found, files, None)
    assert not problems
    assert write_lock(lock_path, lock)
    first = lock_path.read_bytes()
    assert {e.key: e.pins[0].id for e in lock.entries} == {
        "servers.web.image": web1,
        "servers.db.image": db1,
        "servers.cache.image": cache1,
    }
    assert all(e.pins[0].hash and e.pins[0].created_at and e.pins[0].resolved_at for e in lock.entries)

    # Nothing moved: locking again, or upgrading everything, writes the same bytes.
    again, _ = relock(project.client, read_lock(lock_path), found, files, None)
    assert not write_lock(lock_path, again)
    upgraded, _ = relock(project.client, read_lock(lock_path), found, files, set())
    assert dumps(upgraded).encode() == first

    web2 = project.image("ubuntu-2", "ubuntu")
    db2 = project.image("debian-2", "debian")
    project.deactivate(db1)
    project.delete(cache1)
    changes = _status(check_lock(project.client, read_lock(lock_path), found, files))
    web, db, cache = changes["servers.web.image"], changes["servers.db.image"], changes["servers.cache.image"]
    assert (web.status, web.old.id, web.new.id) == ("changed", web1, web2)
    assert (db.status, db.old.id, db.new.id, db.reason) == ("gone", db1, db2, "deactivated")
    assert (cache.status, cache.old.id, cache.new.id) == ("gone", cache1, cache0)
    assert "deleted" in cache.reason
    text = render_changes(list(changes.values()))
    assert all(len(line) <= 80 for line in text.splitlines())
    assert web1 in text and web2 in text

    # Through the lock, web still answers the pinned id; db's pin is gone, and the error says with what instead.
    data = load_file(config)[0]
    assert resolve(data, ["servers.web.image"], project.client, lock=lock_path, file=config) == {
        **data,
        "servers": {**data["servers"], "web": {"image": web1}},
    }
    with pytest.raises(ConfigQueryError) as caught:
        resolve(data, ["servers.db.image"], project.client, lock=lock_path, file=config)
    (problem,) = caught.value.problems
    assert isinstance(problem.error, PinnedImageGone)
    assert "servers.db.image" in problem.message and db2 in problem.message and "deactivated" in problem.message
    fresh = resolve(data, ["servers.web.image"], project.client, lock=lock_path, file=config, refresh=True)
    assert fresh["servers"]["web"]["image"] == web2

    # Upgrading one key moves only it.
    moved, _ = relock(project.client, read_lock(lock_path), found, files, {"servers.web.image"})
    before = {e.key: e for e in read_lock(lock_path).entries}
    after = {e.key: e for e in moved.entries}
    assert after["servers.web.image"].pins[0].id == web2
    assert after["servers.db.image"] == before["servers.db.image"]
    assert after["servers.cache.image"] == before["servers.cache.image"]


def test_a_query_added_or_taken_out_is_new_or_removed(project: Project, tmp_path: Path) -> None:
    config = _config(tmp_path, project.tag)
    lock_path = tmp_path / "imgql.lock"
    for distro in ("ubuntu", "debian", "fedora"):
        project.image(f"{distro}-1", distro)
    found = _found(config, lock_path)
    files = {item.file for item in found}
    lock, _ = relock(project.client, Lock(), found, files, None)
    fewer = [item for item in found if item.key != "servers.cache.image"]
    changes = _status(check_lock(project.client, lock, fewer, files))
    assert changes["servers.cache.image"].status == "removed"
    without_web = Lock(tuple(e for e in lock.entries if e.key != "servers.web.image"))
    changes = _status(check_lock(project.client, without_web, found, files))
    assert changes["servers.web.image"].status == "new"
    assert {c.status for k, c in changes.items() if k != "servers.web.image"} == {"unchanged"}
    assert loads(dumps(lock)) == lock
    assert EXIT_OUT_OF_DATE not in (0, 1, 2, 3, 4, 5, 130)


def test_fallbacks_and_version_order_through_the_lock(project: Project, tmp_path: Path) -> None:
    tag = project.tag
    text = (
        f"images where tag = '{tag}' and os_purpose = generic order by created_at desc limit 1 "
        f"else images where tag = '{tag}' and os_distro = rocky order by version(name) desc, created_at desc limit 1"
    )
    config = tmp_path / "deploy.yaml"
    config.write_text(f'image: "{text}"\n', encoding="utf-8")
    lock_path = tmp_path / "imgql.lock"
    project.image("rocky-9.9", "rocky")
    ten = project.image("rocky-10.1", "rocky")
    project.image("rocky-9.10", "rocky")  # the newest by date, not by version
    assert project.client.one(text).id == ten
    assert [i.name for i in project.client.query(text)] == ["rocky-10.1"]

    found = _found(config, lock_path)
    lock, problems = relock(project.client, Lock(), found, {item.file for item in found}, None)
    assert not problems
    (entry,) = lock.entries
    assert (entry.tier, entry.pins[0].id) == (1, ten)
    write_lock(lock_path, lock)

    generic = project.image("rocky-generic", "rocky", os_purpose="generic")
    (change,) = check_lock(project.client, read_lock(lock_path), found, {item.file for item in found})
    assert (change.status, change.old.id, change.new.id, change.tier) == ("changed", ten, generic, 0)
    assert "locked from query 2" in change.reason
    data = load_file(config)[0]
    assert resolve(data, None, project.client, lock=lock_path, file=config) == {"image": ten}
    assert resolve(data, None, project.client, lock=lock_path, file=config, refresh=True) == {"image": generic}
