"""Image records shaped like ``GET /v2/images`` answers (see examples/catalog.json).

Deterministic: record ``i`` is the same in every run. About a quarter are
queued (no data: size, checksum and formats null), custom properties are set
on some images only (absent, not null, elsewhere) and their values are text,
as Glance returns them.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

_NS = uuid.UUID("0b5a3c2e-77d1-4b1e-9d6a-5e4f3c2b1a09")
_DISTROS = (
    ("ubuntu", ("20.04", "22.04", "24.04")),
    ("debian", ("11", "12")),
    ("fedora", ("39", "40")),
    ("centos", ("9",)),
    ("rocky", ("8", "9")),
    ("windows", ("2019", "2022")),
    ("cirros", ("0.6.2",)),
)
_KINDS = ("base", "minimal", "server", "cuda", "k8s-node", "ci-runner", "snapshot")
_TAGS = ("lts", "gpu", "prod", "staging", "cloud-init", "hardened", "arm64", "legacy", "keep")
_OWNERS = tuple(uuid.uuid5(_NS, f"owner-{n}").hex for n in range(12))
_FORMATS = ("qcow2", "qcow2", "qcow2", "raw", "raw", "vmdk", "iso")


def record(index: int) -> dict[str, Any]:
    rng = random.Random(index)
    distro, versions = rng.choice(_DISTROS)
    version = rng.choice(versions)
    kind = rng.choice(_KINDS)
    queued = rng.random() < 0.25
    created = 1_700_000_000 + rng.randrange(0, 60_000_000)
    updated = created + rng.randrange(0, 3_000_000)
    image: dict[str, Any] = {
        "os_distro": distro,
        "os_version": version,
        "os_type": "windows" if distro == "windows" else "linux",
        "architecture": rng.choice(("x86_64", "x86_64", "x86_64", "aarch64")),
        "name": f"{distro}-{version}-{kind}-{index:06d}",
        "disk_format": None if queued else rng.choice(_FORMATS),
        "container_format": None if queued else "bare",
        "visibility": rng.choice(("public", "private", "private", "shared", "community")),
        "size": None if queued else rng.randrange(50_000_000, 40_000_000_000),
        "virtual_size": None if queued else rng.randrange(1_000_000_000, 80_000_000_000),
        "status": "queued" if queued else rng.choice(("active", "active", "active", "active", "deactivated")),
        "checksum": None if queued else f"{rng.getrandbits(128):032x}",
        "protected": rng.random() < 0.1,
        "min_ram": rng.choice((0, 0, 512, 1024, 2048, 4096)),
        "min_disk": rng.choice((0, 0, 5, 10, 20, 40)),
        "owner": rng.choice(_OWNERS),
        "os_hidden": rng.random() < 0.05,
        "os_hash_algo": None if queued else "sha512",
        "os_hash_value": None if queued else f"{rng.getrandbits(512):0128x}",
        "id": str(uuid.uuid5(_NS, str(index))),
        "created_at": _iso(created),
        "updated_at": _iso(updated),
        "tags": [t for t in _TAGS if rng.random() < 0.15],
    }
    if rng.random() < 0.4:
        image["hw_disk_bus"] = rng.choice(("scsi", "virtio", "ide"))
    if rng.random() < 0.3:
        image["hw_qemu_guest_agent"] = rng.choice(("yes", "no"))
    if kind == "snapshot":
        image["image_type"] = "snapshot"
        image["instance_uuid"] = str(uuid.uuid5(_NS, f"vm-{index}"))
    image["self"] = f"/v2/images/{image['id']}"
    image["file"] = f"/v2/images/{image['id']}/file"
    image["schema"] = "/v2/schemas/image"
    return image


def records(count: int) -> list[dict[str, Any]]:
    return [record(i) for i in range(count)]


def _iso(seconds: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
