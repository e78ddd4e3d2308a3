"""A real Glance shaped like a public cloud, for the cloud-scale table (table 11).

Image number ``i`` is the same in every run, whatever the count:

- 55% public (a vendor project's), 40% community (twenty other projects'),
  3% the caller's own private images, 2% shared with the caller by a partner
  project and accepted; 2% of the public ones hidden (old versions);
- half uploaded (status active, ``size`` of 1 to 8,192 bytes: a stand-in for
  sizes, which the queries compare in bytes), the other half queued (size
  null); uploaded ones are ``raw`` (Glance inspects uploads), queued ones
  ``qcow2`` or ``raw``; 5% protected;
- tags drawn with public-cloud frequencies (``cloud-init`` 30%, ``lts`` 20%,
  ``latest`` 10%, ``arm64`` 8%, ``deprecated`` 6%, ``gpu`` 5%, ``k8s`` 5%,
  ``hardened`` 4%, ``cuda`` 3%, ``fips`` 1%), ``os_distro`` (ubuntu 30%,
  debian 15%, windows 10%, rocky 10%, centos 8%, fedora 7%, and five more),
  ``os_version``, ``os_type``, ``architecture``, ``hw_firmware_type``,
  ``min_ram`` (512 to 16,384 MiB) and ``min_disk`` (1 to 80 GiB).

Seeding: the first :data:`THROUGH_API` images go through the API (create,
upload, share, accept), one writer since Glance keeps its data in SQLite, about
30 images a second on an idle machine and one a second on a loaded one. The
rest are written by :func:`write_rows` straight into that database, with
Glance stopped, in the rows the API writes for the same request: the same
columns, properties, tags, member and file location, the MD5 checksum and
SHA-512 multihash of the uploaded bytes, and the bytes in the file store. A
test (``tests/test_cloud_seed.py``) creates images both ways in one real
Glance and holds the API's answers for them to the same shape. The data
directory (``benchmarks/.cloud-data``, git-ignored) is kept, and
:func:`seed` only tops it up, so a later run starts at once.

    python -m benchmarks.cloud_data serve --images 10000
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import random
import sqlite3
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
# Through the API first: enough for every query shape to have real rows to
# follow, few enough to seed in about a minute on an idle machine.
THROUGH_API = 1500
# The image fields Glance keeps as columns of its images table; the rest of a
# create request's body become rows of image_properties.
_COLUMNS = (
    "id",
    "name",
    "visibility",
    "disk_format",
    "container_format",
    "min_ram",
    "min_disk",
    "protected",
    "os_hidden",
)
DEFAULT_DIR = ROOT / "benchmarks" / ".cloud-data"
CALLER = "proj-mine"
VENDOR = "proj-vendor"
PARTNER = "proj-partner"
COMMUNITY = tuple(f"proj-c{n:02d}" for n in range(20))
_NAMESPACE = uuid.UUID("6f1c0a52-93e4-4c8a-9d2e-0b7f5e3a1c11")

TAG_SHARES = (
    ("cloud-init", 0.30),
    ("lts", 0.20),
    ("latest", 0.10),
    ("arm64", 0.08),
    ("deprecated", 0.06),
    ("gpu", 0.05),
    ("k8s", 0.05),
    ("hardened", 0.04),
    ("cuda", 0.03),
    ("fips", 0.01),
)
DISTROS = (
    ("ubuntu", 30),
    ("debian", 15),
    ("windows", 10),
    ("rocky", 10),
    ("centos", 8),
    ("fedora", 7),
    ("almalinux", 5),
    ("opensuse", 5),
    ("cirros", 4),
    ("freebsd", 3),
    ("flatcar", 3),
)
VERSIONS = {
    "ubuntu": ("20.04", "22.04", "24.04"),
    "debian": ("11", "12"),
    "windows": ("2019", "2022"),
    "rocky": ("8", "9"),
    "centos": ("7", "stream9"),
    "fedora": ("39", "40"),
}
FLAVOURS = ("base", "minimal", "server", "desktop", "cuda", "k8s-node", "ci-runner")


def headers(project: str, *, admin: bool = False) -> dict[str, str]:
    return {
        "X-Identity-Status": "Confirmed",
        "X-Project-Id": project,
        "X-User-Id": f"user-{project}",
        "X-Roles": "admin,reader,member" if admin else "reader,member",
    }


CALLER_HEADERS = headers(CALLER)


@dataclass(frozen=True)
class CloudImage:
    index: int
    id: str
    owner: str
    body: dict[str, object] = field(repr=False)
    size: int | None

    @property
    def shared_with_caller(self) -> bool:
        return self.body["visibility"] == "shared"


def cloud_image(index: int) -> CloudImage:
    rng = random.Random(index * 104729 + 7)
    roll = rng.random()
    if roll < 0.55:
        visibility, owner = "public", VENDOR
    elif roll < 0.95:
        visibility, owner = "community", COMMUNITY[index % len(COMMUNITY)]
    elif roll < 0.98:
        visibility, owner = "private", CALLER
    else:
        visibility, owner = "shared", PARTNER
    distro = rng.choices([d for d, _ in DISTROS], [w for _, w in DISTROS])[0]
    version = rng.choice(VERSIONS.get(distro, ("1", "2", "3")))
    uploaded = rng.random() < 0.5
    size = rng.randrange(1, 8193) if uploaded else None
    tags = sorted(tag for tag, share in TAG_SHARES if rng.random() < share)
    body: dict[str, object] = {
        "id": str(uuid.uuid5(_NAMESPACE, str(index))),
        "name": f"{distro}-{version}-{rng.choice(FLAVOURS)}-{index:05d}",
        "visibility": visibility,
        "tags": tags,
        "disk_format": "raw" if uploaded or rng.random() < 0.4 else "qcow2",
        "container_format": "bare",
        "min_ram": rng.choice((512, 1024, 2048, 4096, 8192, 16384)),
        "min_disk": rng.choice((1, 5, 10, 20, 40, 80)),
        "protected": rng.random() < 0.05,
        "os_distro": distro,
        "os_version": version,
        "os_type": "windows" if distro == "windows" else "linux",
        "architecture": "aarch64" if "arm64" in tags else "x86_64",
    }
    if visibility == "public" and rng.random() < 0.04:
        body["os_hidden"] = True
    if rng.random() < 0.3:
        body["hw_firmware_type"] = "uefi"
    return CloudImage(index, str(body["id"]), owner, body, size)


def image_bytes(image: CloudImage) -> bytes:
    """What is uploaded for an image, the same bytes for either way of seeding."""
    return random.Random(image.id).randbytes(image.size or 0)


def count_images(client: httpx.Client) -> int:
    total = 0
    for hidden in ("false", "true"):
        marker = None
        while True:
            params = {"visibility": "all", "member_status": "all", "os_hidden": hidden, "limit": "1000"}
            if marker:
                params["marker"] = marker
            body = client.get("/v2/images", params=params, headers=headers(VENDOR, admin=True)).json()
            total += len(body["images"])
            if not body["images"] or "next" not in body:
                break
            marker = body["images"][-1]["id"]
    return total


def _send(client: httpx.Client, method: str, url: str, **kwargs: object) -> httpx.Response:
    """One write, retried while SQLite answers "database is locked" (a 500)."""
    for attempt in range(1, 30):
        response = client.request(method, url, **kwargs)  # type: ignore[arg-type]
        if response.status_code < 500:
            return response
        time.sleep(0.05 * attempt)
    raise RuntimeError(f"{method} {url}: {response.status_code} {response.text[:300]}")


def create_image(client: httpx.Client, image: CloudImage) -> None:
    owner = headers(image.owner, admin=True)
    created = _send(client, "POST", "/v2/images", json=image.body, headers=owner)
    if created.status_code == 409:
        return  # there from an interrupted run
    if created.status_code >= 300:
        raise RuntimeError(f"create {image.id}: {created.status_code} {created.text[:300]}")
    if image.size is not None:
        data = image_bytes(image)
        _send(
            client,
            "PUT",
            f"/v2/images/{image.id}/file",
            content=data,
            headers={**owner, "Content-Type": "application/octet-stream"},
        )
    if image.shared_with_caller:
        _send(client, "POST", f"/v2/images/{image.id}/members", json={"member": CALLER}, headers=owner)
        _send(
            client,
            "PUT",
            f"/v2/images/{image.id}/members/{CALLER}",
            json={"status": "accepted"},
            headers=CALLER_HEADERS,
        )


def ensure_seeded(url: str, count: int, *, progress: bool = True) -> dict[str, float]:
    """Create images 0..count-1 that are missing; returns timing facts."""
    with httpx.Client(base_url=url, timeout=120) as client:
        have = count_images(client)
        if have >= count:
            return {"created": 0, "seconds": 0.0, "present": have}
        started = time.monotonic()
        todo = range(max(0, have - 2), count)
        for done, index in enumerate(todo, 1):
            create_image(client, cloud_image(index))
            if progress and done % 500 == 0:
                rate = done / (time.monotonic() - started)
                print(f"  seeded {done}/{len(todo)} ({rate:.0f}/s)", file=sys.stderr, flush=True)
        return {"created": len(todo), "seconds": time.monotonic() - started, "present": count_images(client)}


def _stamp(moment: dt.datetime) -> str:
    # The form Glance's SQLAlchemy models store in SQLite: naive UTC, microseconds.
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def write_rows(directory: Path, images: Iterable[CloudImage]) -> int:
    """Write images into a stopped Glance's SQLite database and file store, as
    the API's create, upload, member and accept requests would; returns how
    many were new (an id already there is left alone)."""
    store = directory / "images"
    store.mkdir(parents=True, exist_ok=True)
    written = 0
    with contextlib.closing(sqlite3.connect(directory / "glance.sqlite")) as db, db:
        present = {row[0] for row in db.execute("SELECT id FROM images")}
        moment = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        for image in images:
            if image.id in present:
                continue
            moment += dt.timedelta(milliseconds=3)
            _write_image(db, store, image, _stamp(moment))
            written += 1
    return written


def _write_image(db: sqlite3.Connection, store: Path, image: CloudImage, stamp: str) -> None:
    body = image.body
    columns = {name: body.get(name, False if name == "os_hidden" else None) for name in _COLUMNS}
    uploaded: dict[str, object] = {"status": "queued", "size": None, "virtual_size": None}
    uploaded.update(checksum=None, os_hash_algo=None, os_hash_value=None)
    if image.size is not None:
        data = image_bytes(image)
        (store / image.id).write_bytes(data)
        uploaded = {
            "status": "active",
            "size": image.size,
            "virtual_size": image.size,  # a raw image's virtual size is its size
            "checksum": hashlib.md5(data).hexdigest(),  # Glance's legacy checksum is MD5
            "os_hash_algo": "sha512",
            "os_hash_value": hashlib.sha512(data).hexdigest(),
        }
        location = (image.id, f"file://{store / image.id}", stamp, stamp, 0, json.dumps({"store": "fs"}), "active")
        db.execute(
            "INSERT INTO image_locations (image_id, value, created_at, updated_at, deleted, meta_data, status)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            location,
        )
    row = {**columns, **uploaded, "owner": image.owner, "created_at": stamp, "updated_at": stamp, "deleted": 0}
    db.execute(
        f"INSERT INTO images ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
        tuple(row.values()),
    )
    for name, value in body.items():
        if name in _COLUMNS or name == "tags":
            continue
        db.execute(
            "INSERT INTO image_properties (image_id, name, value, created_at, updated_at, deleted)"
            " VALUES (?, ?, ?, ?, ?, 0)",
            (image.id, name, str(value), stamp, stamp),
        )
    for tag in body["tags"]:  # type: ignore[attr-defined]
        db.execute(
            "INSERT INTO image_tags (image_id, value, created_at, updated_at, deleted) VALUES (?, ?, ?, ?, 0)",
            (image.id, tag, stamp, stamp),
        )
    if image.shared_with_caller:
        db.execute(
            "INSERT INTO image_members (image_id, member, can_share, created_at, updated_at, deleted, status)"
            " VALUES (?, ?, 0, ?, ?, 0, 'accepted')",
            (image.id, CALLER, stamp, stamp),
        )


def seed(directory: Path, count: int, *, through_api: int = THROUGH_API) -> dict[str, float]:
    """Top the kept data directory up to ``count`` images: the first
    ``through_api`` through the API, the rest by :func:`write_rows`."""
    started = time.monotonic()
    with running_glance(directory) as url:
        facts = ensure_seeded(url, min(count, through_api))
    written = write_rows(directory, (cloud_image(i) for i in range(min(count, through_api), count)))
    return {**facts, "written": written, "seconds": time.monotonic() - started}


@contextlib.contextmanager
def running_glance(directory: Path = DEFAULT_DIR, *, port: int = 0) -> Iterator[str]:
    """A Glance serving the kept data directory; yields its URL."""
    sys.path.insert(0, str(ROOT))
    from tests.glance.server import GlanceServer

    directory.mkdir(parents=True, exist_ok=True)
    with GlanceServer.start(directory=directory, port=port, api_limit_max=1000) as server:
        yield server.url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("command", choices=["serve", "seed"])
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    print(seed(args.dir, args.images), flush=True)
    with running_glance(args.dir, port=args.port) as url, httpx.Client(base_url=url) as client:
        print(f"Glance at {url} (data in {args.dir}): {count_images(client)} images", flush=True)
        if args.command == "serve":
            print("serving; Ctrl-C to stop", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
