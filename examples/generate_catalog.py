#!/usr/bin/env python3
"""Generate ``examples/catalog.json``: an OpenStack image catalog in the shape
of a ``GET /v2/images`` response (Images API v2, Glance).

The catalog is made up but realistic: about 240 images of the usual
distributions, Windows, CirrOS and FreeBSD, nightly builds, GPU variants,
snapshots and a few odd names, owned by a handful of projects, in every
visibility and in the statuses a listing can show. The provider's sample
image (Fedora-42-x64) is included exactly as the provider documents it.

The output is reproducible byte for byte: a fixed random seed, a fixed time
window, the standard library only and no dependence on the clock or on the
environment.

Usage, from the repository root:

    python examples/generate_catalog.py           # (re)write examples/catalog.json
    python examples/generate_catalog.py --check   # exit 1 if the file is stale
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

SEED = 20251002
OUTPUT = Path(__file__).resolve().with_name("catalog.json")

UTC = timezone.utc


def day(year: int, month: int, dom: int) -> datetime:
    return datetime(year, month, dom, tzinfo=UTC)


# Images are created inside this window; updates may run a little past it.
START = day(2023, 1, 1)
END = datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC)
LAST_UPDATE = datetime(2026, 11, 14, 18, 0, 0, tzinfo=UTC)

TOTAL = 240
KiB, MiB, GiB = 1024, 1024**2, 1024**3

# Projects (tenants). Public images belong to the cloud's admin project: only
# an admin may publish an image.
ADMIN = "a430f930af8e47d7a1820a477129c343"  # the provider's own project
WEB = "3f1c9b2e7d4a4c8e9b06e2d5a7f18c42"  # web team
ML = "8b5e0d7a21c94f3fa6e4b93d0c7e2a19"  # data / machine-learning team
CI = "c27d4e91f0b84a6d8e3a5f12b9c0d674"  # build pipeline (nightlies)
COMMUNITY = "e9a04b3c6d2f4817b5c8a9e1f3d27b05"  # publishes community images
CUSTOMER = "5d8f2a6c0e9b43d1a7f4c2e8b6091d3e"  # an ordinary tenant
PROJECTS = (WEB, ML, CI, CUSTOMER)

DIRECT_URL = "file:///mnt/vstorage/vols/datastores/glance/{id}"

# The sample image of the provider's "Listing Images" page, verbatim.
SAMPLE: dict[str, Any] = {
    "os_distro": "fedora42",
    "os_admin_user": "root",
    "hci_allow_set_password": "True",
    "image_validated": "yes",
    "name": "Fedora-42-x64",
    "disk_format": "qcow2",
    "container_format": "bare",
    "visibility": "public",
    "size": 2189361152,
    "virtual_size": 5368709120,
    "status": "active",
    "checksum": "b372bf54310cc7015035bb45f3867520",
    "protected": False,
    "min_ram": 0,
    "min_disk": 5,
    "owner": "a430f930af8e47d7a1820a477129c343",
    "os_hidden": False,
    "os_hash_algo": "sha512",
    "os_hash_value": (
        "8d4281f665bce5594f7f485df224e21c48362d42019f2dfe17c1a4c9086dbfd4"
        "3a8725cd06809d3582d30d88e887c6da623f8e16c211c242acf61d5bcfd6e6af"
    ),
    "id": "5f8ee89a-de28-4d4d-9a96-707b0393ee37",
    "created_at": "2025-10-02T08:30:39Z",
    "updated_at": "2025-10-02T08:44:31Z",
    "direct_url": "file:///mnt/vstorage/vols/datastores/glance/5f8ee89a-de28-4d4d-9a96-707b0393ee37",
    "tags": [],
    "self": "/v2/images/5f8ee89a-de28-4d4d-9a96-707b0393ee37",
    "file": "/v2/images/5f8ee89a-de28-4d4d-9a96-707b0393ee37/file",
    "schema": "/v2/schemas/image",
}

# Custom properties come first in a record, in this order; the core fields
# follow in the order of the provider's sample.
PROPERTY_ORDER = (
    "os_distro",
    "os_version",
    "os_type",
    "os_admin_user",
    "architecture",
    "hw_disk_bus",
    "hw_scsi_model",
    "hw_qemu_guest_agent",
    "hw_firmware_type",
    "hci_allow_set_password",
    "image_validated",
    "image_type",
    "instance_uuid",
    "base_image_ref",
    "rating",
)
RATINGS = ("1", "2", "2.5", "3", "3.5", "4", "4.5", "5", "7", "8", "9.5", "10")


class Spec:
    """What an image will be, before it gets times, ids and bytes."""

    def __init__(
        self,
        name: str,
        owner: str,
        visibility: str,
        *,
        props: dict[str, str] | None = None,
        tags: list[str] | None = None,
        disk_format: str = "qcow2",
        container_format: str = "bare",
        size: tuple[int, int] = (500 * MiB, 900 * MiB),
        virtual: tuple[float, ...] = (10,),
        window: tuple[datetime, datetime | None] = (START, None),
        min_ram: int = 0,
        min_disk: int | None = None,
        hidden: bool = False,
        protected: bool = False,
        snapshot: bool = False,
        fixed: bool = False,
    ) -> None:
        self.name = name
        self.owner = owner
        self.visibility = visibility
        self.props = dict(props or {})
        self.tags = list(tags or [])
        self.disk_format = disk_format
        self.container_format = container_format
        self.size = size
        self.virtual = virtual  # GiB choices (ignored for raw and iso)
        self.window = window
        self.min_ram = min_ram
        self.min_disk = min_disk  # None: from the virtual size or 0; -1: always the virtual size
        self.hidden = hidden
        self.protected = protected
        self.snapshot = snapshot
        self.fixed = fixed  # keeps its status (active)
        self.status = "active"


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ids = {SAMPLE["id"]}
        self.times = {SAMPLE["created_at"]}

    # -- primitives ------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, weighted: list[tuple[Any, float]]) -> Any:
        values = [v for v, _ in weighted]
        weights = [w for _, w in weighted]
        return self.rng.choices(values, weights)[0]

    def uuid4(self) -> str:
        while True:
            value = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            if value not in self.ids:
                self.ids.add(value)
                return value

    def hexdigits(self, bits: int) -> str:
        return format(self.rng.getrandbits(bits), f"0{bits // 4}x")

    def created(self, lo: datetime, hi: datetime | None) -> datetime:
        lo = max(lo, START)
        hi = min(hi or END, END)
        span = int((hi - lo).total_seconds())
        while True:
            moment = lo + timedelta(seconds=self.rng.randint(0, span))
            text = stamp(moment)
            if text not in self.times:
                self.times.add(text)
                return moment

    # -- properties ------------------------------------------------------

    def linux_props(self, distro: str, version: str, user: str, arch: str = "x86_64") -> dict[str, str]:
        p: dict[str, str] = {"os_distro": distro}
        if self.chance(0.9):
            p["os_version"] = version
        if self.chance(0.8):
            p["os_type"] = "linux"
        if self.chance(0.75):
            p["os_admin_user"] = user
        if arch != "x86_64" or self.chance(0.7):
            p["architecture"] = arch
        self.hardware(p, arch)
        return p

    def hardware(self, p: dict[str, str], arch: str, *, bus: str | None = None, firmware: str | None = None) -> None:
        if bus or self.chance(0.45):
            p["hw_disk_bus"] = bus or self.pick([("virtio", 0.6), ("scsi", 0.33), ("ide", 0.07)])
            if p["hw_disk_bus"] == "scsi" and self.chance(0.9):
                p["hw_scsi_model"] = "virtio-scsi"
        if self.chance(0.5):
            p["hw_qemu_guest_agent"] = "yes" if self.chance(0.8) else "no"
        if firmware or arch == "aarch64":
            p["hw_firmware_type"] = firmware or "uefi"
        elif self.chance(0.3):
            p["hw_firmware_type"] = self.pick([("uefi", 0.6), ("bios", 0.4)])

    def placement(self, public: float = 0.84, community: float = 0.08, private: float = 0.05) -> tuple[str, str]:
        """Owner and visibility of a distribution image."""
        roll = self.rng.random()
        if roll < public:
            return ADMIN, "public"
        if roll < public + community:
            return self.pick([(COMMUNITY, 0.7), (CI, 0.3)]), "community"
        if roll < public + community + private:
            return self.rng.choice(PROJECTS), "private"
        return self.pick([(WEB, 0.5), (ML, 0.3), (CUSTOMER, 0.2)]), "shared"

    def common_tags(self, tags: list[str], *, cloud_init: float = 0.55) -> list[str]:
        if self.chance(cloud_init) and "cloud-init" not in tags:
            tags.append("cloud-init")
        if self.chance(0.06) and "golden image" not in tags:
            tags.append("golden image")
        return tags

    def aging(self, spec: Spec, until: datetime | None) -> None:
        """Tag (and sometimes hide) images of versions that reached their end."""
        if until is not None and until < END - timedelta(days=60) and self.chance(0.3):
            spec.tags.append("deprecated")
            if self.chance(0.4):
                spec.hidden = True

    # -- families --------------------------------------------------------

    def ubuntu(self, count: int) -> list[Spec]:
        versions = [
            # version, codename, lts, release, superseded/end, weight
            ("20.04", "Focal", True, day(2020, 4, 23), day(2025, 5, 31), 3),
            ("22.04", "Jammy", True, day(2022, 4, 21), None, 8),
            ("23.04", "Lunar", False, day(2023, 4, 20), day(2024, 1, 25), 1),
            ("23.10", "Mantic", False, day(2023, 10, 12), day(2024, 7, 11), 1),
            ("24.04", "Noble", True, day(2024, 4, 25), None, 8),
            ("24.10", "Oracular", False, day(2024, 10, 10), day(2025, 7, 10), 1),
            ("25.04", "Plucky", False, day(2025, 4, 17), day(2026, 1, 15), 1),
            ("25.10", "Questing", False, day(2025, 10, 9), None, 1),
            ("26.04", "Resolute", True, day(2026, 4, 23), None, 3),
        ]
        specs = []
        for _ in range(count):
            v, _code, lts, release, until, _w = self.pick([(row, row[5]) for row in versions])
            variant = self.pick(
                [
                    ("std", 10),
                    ("arm", 2),
                    ("minimal", 2),
                    ("nightly", 2),
                    ("hardened", 1 if lts else 0),
                ]
            )
            arch = "aarch64" if variant == "arm" else "x86_64"
            props = self.linux_props("ubuntu", v, "ubuntu", arch)
            owner, vis = self.placement()
            tags = ["lts"] if lts and self.chance(0.85) else []
            size: tuple[int, int] = (550 * MiB, 720 * MiB)
            virtual: tuple[float, ...] = (3.5, 10, 20)
            min_ram = 0
            if variant == "std":
                name = f"Ubuntu-{v}-LTS-x64" if lts else f"Ubuntu-{v}-x64"
                if self.chance(0.3):
                    name += "-{date}"  # a refreshed build
            elif variant == "arm":
                name = f"Ubuntu-{v}-LTS-arm64" if lts else f"Ubuntu-{v}-arm64"
                size = (480 * MiB, 650 * MiB)
            elif variant == "minimal":
                name = f"Ubuntu-{v}-minimal"
                tags.append("minimal")
                size, virtual = (240 * MiB, 330 * MiB), (2.2, 3.5)
            elif variant == "nightly":
                name = f"ubuntu-{v}-nightly-{{date}}"
                tags.append("nightly")
                owner, vis = CI, self.pick([("community", 0.5), ("private", 0.3), ("shared", 0.2)])
            else:
                name = f"Ubuntu-{v}-CIS-hardened"
                tags += ["hardened", "golden image"] if self.chance(0.6) else ["hardened"]
                size = (900 * MiB, 1400 * MiB)
            spec = Spec(
                name,
                owner,
                vis,
                props=props,
                tags=self.common_tags(tags),
                size=size,
                virtual=virtual,
                window=(release, until),
                min_ram=min_ram,
            )
            self.aging(spec, until)
            if variant == "nightly" and self.chance(0.2):
                spec.hidden = True
            specs.append(spec)
        return specs

    def ubuntu_gpu(self) -> list[Spec]:
        """GPU variants of the LTS releases, with the NVIDIA driver and CUDA."""
        versions = [
            # version, codename, release, superseded/end, owner, visibility
            ("20.04", "Focal", day(2020, 4, 23), day(2024, 6, 30), ADMIN, "public"),
            ("22.04", "Jammy", day(2022, 4, 21), None, ADMIN, "public"),
            ("22.04", "Jammy", day(2022, 4, 21), None, ML, "shared"),
            ("24.04", "Noble", day(2024, 4, 25), None, ADMIN, "public"),
            ("24.04", "Noble", day(2024, 4, 25), None, ADMIN, "public"),
            ("24.04", "Noble", day(2024, 4, 25), None, ML, "private"),
            ("26.04", "Resolute", day(2026, 4, 23), None, ADMIN, "public"),
        ]
        specs = []
        for v, code, release, until, owner, vis in versions:
            props = self.linux_props("ubuntu", v, "ubuntu")
            props.setdefault("hw_qemu_guest_agent", "yes")
            tags = ["gpu", "cuda"] if self.chance(0.8) else ["gpu"]
            if self.chance(0.85):
                tags.insert(0, "lts")
            spec = Spec(
                f"Ubuntu {v} LTS ({code}) GPU",
                owner,
                vis,
                props=props,
                tags=self.common_tags(tags, cloud_init=0.7),
                size=(6 * GiB, 9 * GiB),
                virtual=(30, 40),
                window=(release, until),
                min_ram=self.rng.choice((8192, 16384)),
            )
            self.aging(spec, until)
            specs.append(spec)
        return specs

    def debian(self, count: int) -> list[Spec]:
        versions = [
            ("11", "bullseye", day(2021, 8, 14), day(2024, 8, 14), 3),
            ("12", "bookworm", day(2023, 6, 10), None, 6),
            ("13", "trixie", day(2025, 8, 9), None, 3),
        ]
        specs = []
        for _ in range(count):
            v, code, release, until, _w = self.pick([(row, row[4]) for row in versions])
            variant = self.pick([("std", 6), ("daily", 2), ("arm", 1.5)])
            arch = "aarch64" if variant == "arm" else "x86_64"
            props = self.linux_props("debian", v, "debian", arch)
            owner, vis = self.placement()
            tags: list[str] = []
            if variant == "std":
                name = f"Debian-{v}-{code}"
            elif variant == "daily":
                name = f"debian-{v}-generic-amd64-{{date}}"
                tags.append("nightly")
                owner, vis = self.pick([((CI, "community"), 0.5), ((ADMIN, "public"), 0.5)])
            else:
                name = f"Debian-{v}-{code}-arm64"
            if self.chance(0.15):
                tags.append("minimal")
            spec = Spec(
                name,
                owner,
                vis,
                props=props,
                tags=self.common_tags(tags, cloud_init=0.6),
                size=(330 * MiB, 480 * MiB),
                virtual=(2, 3, 8),
                window=(release, until),
            )
            self.aging(spec, until)
            specs.append(spec)
        return specs

    def fedora(self, count: int) -> list[Spec]:
        versions = [
            ("37", day(2022, 11, 15), day(2023, 12, 5)),
            ("38", day(2023, 4, 18), day(2024, 5, 21)),
            ("39", day(2023, 11, 7), day(2024, 11, 26)),
            ("40", day(2024, 4, 23), day(2025, 5, 13)),
            ("41", day(2024, 10, 29), day(2025, 12, 15)),
            ("42", day(2025, 4, 15), None),
            ("43", day(2025, 10, 28), None),
        ]
        specs = []
        for _ in range(count):
            v, release, until = self.rng.choice(versions)
            props = self.linux_props("fedora", v, "fedora")
            owner, vis = self.placement()
            if self.chance(0.6):
                name = f"Fedora-{v}-x64"
            else:
                name = f"Fedora-Cloud-Base-Generic-{v}-1.{self.rng.randint(1, 14)}"
            spec = Spec(
                name,
                owner,
                vis,
                props=props,
                tags=self.common_tags([], cloud_init=0.5),
                size=(420 * MiB, 2100 * MiB),
                virtual=(5,),
                window=(release, until),
            )
            self.aging(spec, until)
            specs.append(spec)
        return specs

    def centos(self, count: int) -> list[Spec]:
        versions = [
            ("7", "CentOS-7-x64", "centos", day(2014, 7, 7), day(2024, 6, 30), 1),
            ("8", "CentOS-Stream-8", "centos", day(2019, 9, 24), day(2024, 5, 31), 1),
            ("9", "CentOS-Stream-9", "cloud-user", day(2021, 12, 3), None, 3),
            ("10", "CentOS-Stream-10", "cloud-user", day(2024, 12, 12), None, 2),
        ]
        specs = []
        for _ in range(count):
            v, base, user, release, until, _w = self.pick([(row, row[5]) for row in versions])
            props = self.linux_props("centos", v, user)
            owner, vis = self.placement()
            tags: list[str] = []
            name = base
            if v in ("9", "10") and self.chance(0.4):
                name = f"CentOS-Stream-GenericCloud-{v}-{{date}}.0"
                tags.append("nightly")
                owner, vis = self.pick([((CI, "community"), 0.5), ((ADMIN, "public"), 0.5)])
            spec = Spec(
                name,
                owner,
                vis,
                props=props,
                tags=self.common_tags(tags),
                size=(800 * MiB, 1300 * MiB),
                virtual=(8, 10),
                window=(release, until),
            )
            self.aging(spec, until)
            specs.append(spec)
        return specs

    def rocky(self, count: int) -> list[Spec]:
        versions = [
            ("8.7", day(2022, 11, 14), day(2023, 5, 20)),
            ("8.8", day(2023, 5, 20), day(2023, 11, 22)),
            ("8.9", day(2023, 11, 22), day(2024, 5, 30)),
            ("8.10", day(2024, 5, 30), None),
            ("9.1", day(2022, 11, 26), day(2023, 5, 16)),
            ("9.2", day(2023, 5, 16), day(2023, 11, 22)),
            ("9.3", day(2023, 11, 22), day(2024, 5, 9)),
            ("9.4", day(2024, 5, 9), day(2024, 11, 19)),
            ("9.5", day(2024, 11, 19), day(2025, 6, 4)),
            ("9.6", day(2025, 6, 4), None),
            ("10.0", day(2025, 6, 11), None),
        ]
        specs = []
        for _ in range(count):
            v, release, until = self.rng.choice(versions)
            major = v.split(".")[0]
            props = self.linux_props("rocky", v, "rocky")
            owner, vis = self.placement()
            tags: list[str] = []
            variant = self.pick([("std", 7), ("build", 2), ("stig", 1)])
            if variant == "std":
                name = f"Rocky-{v}-x64"
            elif variant == "build":
                name = f"Rocky-{major}-build-{{date}}"
                tags.append("nightly")
                owner, vis = self.pick([((CI, "private"), 0.4), ((CI, "community"), 0.3), ((WEB, "shared"), 0.3)])
            else:
                name = f"Rocky-{major}-STIG-hardened"
                tags += ["hardened", "golden image"]
            spec = Spec(
                name,
                owner,
                vis,
                props=props,
                tags=self.common_tags(tags),
                size=(600 * MiB, 1100 * MiB),
                virtual=(10,),
                window=(release, until),
            )
            self.aging(spec, until)
            specs.append(spec)
        return specs

    def almalinux(self, count: int) -> list[Spec]:
        versions = [
            ("8.9", day(2023, 11, 21), day(2024, 5, 28)),
            ("8.10", day(2024, 5, 28), None),
            ("9.3", day(2023, 11, 13), day(2024, 5, 6)),
            ("9.4", day(2024, 5, 6), day(2024, 11, 18)),
            ("9.5", day(2024, 11, 18), day(2025, 5, 20)),
            ("9.6", day(2025, 5, 20), None),
            ("10.0", day(2025, 5, 27), None),
        ]
        specs = []
        for _ in range(count):
            v, release, until = self.rng.choice(versions)
            major = v.split(".")[0]
            props = self.linux_props("almalinux", v, "almalinux")
            owner, vis = self.placement()
            name = f"AlmaLinux-{v}-x64" if self.chance(0.65) else f"AlmaLinux-{major}-GenericCloud-{v}-{{date}}"
            spec = Spec(
                name,
                owner,
                vis,
                props=props,
                tags=self.common_tags([]),
                size=(450 * MiB, 650 * MiB),
                virtual=(10,),
                window=(release, until),
            )
            self.aging(spec, until)
            specs.append(spec)
        return specs

    def opensuse(self, count: int) -> list[Spec]:
        versions = [
            ("15.4", day(2022, 6, 8), day(2023, 12, 31)),
            ("15.5", day(2023, 6, 7), day(2024, 12, 31)),
            ("15.6", day(2024, 6, 12), None),
            ("16.0", day(2025, 10, 1), None),
        ]
        specs = []
        for _ in range(count):
            v, release, until = self.rng.choice(versions)
            props = self.linux_props("opensuse", v, "opensuse")
            owner, vis = self.placement(public=0.55, community=0.4, private=0.03)
            name = f"openSUSE-Leap-{v}-x64" if self.chance(0.7) else f"openSUSE-Leap-{v}-Minimal-VM"
            tags = ["minimal"] if name.endswith("Minimal-VM") else []
            spec = Spec(
                name,
                owner,
                vis,
                props=props,
                tags=self.common_tags(tags),
                size=(260 * MiB, 700 * MiB),
                virtual=(10, 24),
                window=(release, until),
            )
            self.aging(spec, until)
            specs.append(spec)
        return specs

    def windows(self, count: int) -> list[Spec]:
        versions = [
            ("2016", day(2016, 10, 12), None, "bios", 2),
            ("2019", day(2018, 11, 13), None, "bios", 3),
            ("2022", day(2021, 8, 18), None, "uefi", 4),
            ("2025", day(2024, 11, 1), None, "uefi", 3),
        ]
        specs = []
        for _ in range(count):
            v, release, until, firmware, _w = self.pick([(row, row[4]) for row in versions])
            edition = self.pick([("Datacenter", 0.6), ("Standard", 0.4)])
            p: dict[str, str] = {"os_distro": "windows", "os_version": v, "os_type": "windows"}
            if self.chance(0.8):
                p["os_admin_user"] = "Administrator"
            if self.chance(0.7):
                p["architecture"] = "x86_64"
            bus = "ide" if v == "2016" and self.chance(0.5) else self.pick([("scsi", 0.6), ("virtio", 0.4)])
            self.hardware(p, "x86_64", bus=bus, firmware=firmware)
            owner, vis = self.placement(public=0.8, community=0.0, private=0.1)
            tags: list[str] = []
            name = f"Windows-Server-{v}-{edition}"
            if self.chance(0.3):
                name += "-{month}"  # monthly patched build, e.g. -2025-03
                tags.append("golden image")
            if v == "2016" and self.chance(0.5):
                tags.append("deprecated")
            spec = Spec(
                name,
                owner,
                vis,
                props=p,
                tags=tags,
                size=(8 * GiB, 19 * GiB),
                virtual=(40, 50, 60),
                window=(release, until),
                min_ram=self.rng.choice((2048, 4096, 4096)),
                protected=owner == ADMIN and self.chance(0.25),
            )
            spec.min_disk = -1  # always the full virtual size
            specs.append(spec)
        return specs

    def cirros(self, count: int) -> list[Spec]:
        versions = [
            ("0.5.2", day(2021, 3, 2), day(2023, 6, 30), 16338944),
            ("0.6.1", day(2022, 10, 10), day(2024, 3, 31), 21233664),
            ("0.6.2", day(2023, 5, 30), None, 21430272),
            ("0.6.3", day(2024, 9, 26), None, 21692416),
        ]
        specs = []
        for i in range(count):
            v, release, until, size = self.rng.choice(versions)
            arch = "aarch64" if self.chance(0.15) else "x86_64"
            name = self.pick(
                [(f"cirros-{v}", 0.6), (f"cirros-{v}-{'aarch64' if arch == 'aarch64' else 'x86_64'}-disk", 0.4)]
            )
            p: dict[str, str] = {"os_distro": "cirros"}
            if self.chance(0.6):
                p["os_version"] = v
            if self.chance(0.5):
                p["os_type"] = "linux"
            if self.chance(0.4):
                p["os_admin_user"] = "cirros"
            if arch != "x86_64" or self.chance(0.4):
                p["architecture"] = arch
            if arch == "aarch64":
                p["hw_firmware_type"] = "uefi"
            # Every project uploads its own test image, so names repeat across owners.
            owner, vis = (
                (ADMIN, "public")
                if i % 4 == 0
                else (self.rng.choice(PROJECTS), self.pick([("private", 0.7), ("shared", 0.3)]))
            )
            tags = ["minimal"] if self.chance(0.4) else []
            if until is not None and self.chance(0.4):
                tags.append("deprecated")
            jitter = self.rng.randint(-4, 4) * 64 * KiB
            specs.append(
                Spec(
                    name,
                    owner,
                    vis,
                    props=p,
                    tags=tags,
                    size=(size + jitter, size + jitter),
                    virtual=(112 / 1024,),
                    window=(release, until),
                    min_disk=self.rng.choice((0, 0, 1)),
                    min_ram=self.rng.choice((0, 64, 128)),
                )
            )
        return specs

    def freebsd(self, count: int) -> list[Spec]:
        versions = [
            ("13.2", day(2023, 4, 11), day(2024, 3, 5)),
            ("13.3", day(2024, 3, 5), day(2025, 4, 29)),
            ("14.0", day(2023, 11, 20), day(2024, 6, 4)),
            ("14.1", day(2024, 6, 4), day(2024, 12, 3)),
            ("14.2", day(2024, 12, 3), day(2025, 6, 10)),
            ("14.3", day(2025, 6, 10), None),
            ("15.0", day(2025, 12, 2), None),
        ]
        specs = []
        for _ in range(count):
            v, release, until = self.rng.choice(versions)
            arch = "aarch64" if self.chance(0.25) else "x86_64"
            p: dict[str, str] = {"os_distro": "freebsd", "os_version": v}
            if self.chance(0.7):
                p["os_admin_user"] = "freebsd"
            p["architecture"] = arch
            self.hardware(p, arch, bus="virtio")
            owner, vis = self.placement(public=0.5, community=0.45, private=0.05)
            name = f"FreeBSD-{v}-RELEASE-{'arm64' if arch == 'aarch64' else 'amd64'}"
            spec = Spec(
                name,
                owner,
                vis,
                props=p,
                tags=self.common_tags([], cloud_init=0.4),
                size=(650 * MiB, 900 * MiB),
                virtual=(5, 6),
                window=(release, until),
            )
            self.aging(spec, until)
            specs.append(spec)
        return specs

    def specials(self) -> list[Spec]:
        """Hand-written images: odd names, appliances, ISOs. They stay active."""
        ubuntu22 = {"os_distro": "ubuntu", "os_version": "22.04", "os_type": "linux", "os_admin_user": "ubuntu"}
        ubuntu24 = {"os_distro": "ubuntu", "os_version": "24.04", "os_type": "linux", "os_admin_user": "ubuntu"}
        rocky9 = {"os_distro": "rocky", "os_version": "9.4", "os_type": "linux"}
        specs = [
            Spec(
                "ubuntu:22.04",
                CI,
                "shared",
                props=ubuntu22,
                tags=["lts", "cloud-init"],
                window=(day(2023, 2, 1), day(2024, 12, 31)),
            ),
            Spec(
                "rocky:9",
                CI,
                "community",
                props=rocky9,
                tags=["cloud-init"],
                size=(600 * MiB, 800 * MiB),
                window=(day(2024, 5, 9), None),
            ),
            Spec(
                "web-base: nginx, php-fpm 8.3",
                WEB,
                "shared",
                props=dict(ubuntu24, hw_qemu_guest_agent="yes"),
                tags=["team:web", "golden image", "lts"],
                size=(1200 * MiB, 1600 * MiB),
                virtual=(20,),
                window=(day(2024, 6, 1), None),
            ),
            Spec(
                "Überimage-测试",
                CUSTOMER,
                "private",
                props={"os_distro": "debian", "os_version": "12", "rating": "4.5"},
                tags=["cloud-init"],
                size=(400 * MiB, 500 * MiB),
                virtual=(8,),
                window=(day(2024, 2, 1), None),
            ),
            Spec(
                "k8s-node-v1.30-ubuntu-22.04",
                ADMIN,
                "public",
                props=dict(ubuntu22, hw_qemu_guest_agent="yes"),
                tags=["golden image", "lts", "cloud-init"],
                size=(1800 * MiB, 2300 * MiB),
                virtual=(20,),
                window=(day(2024, 5, 1), day(2025, 4, 1)),
            ),
            Spec(
                "k8s-node-v1.32-ubuntu-24.04",
                ADMIN,
                "public",
                props=dict(ubuntu24, hw_qemu_guest_agent="yes"),
                tags=["golden image", "lts", "cloud-init"],
                size=(1900 * MiB, 2400 * MiB),
                virtual=(20,),
                window=(day(2025, 1, 1), None),
                protected=True,
            ),
            Spec(
                "gitlab-runner-ubuntu-24.04",
                CI,
                "private",
                props=ubuntu24,
                tags=["lts", "team:web"],
                size=(1500 * MiB, 2000 * MiB),
                virtual=(20,),
                window=(day(2024, 8, 1), None),
            ),
            Spec(
                "jupyter-gpu-ubuntu-22.04",
                ML,
                "shared",
                props=dict(ubuntu22, hw_qemu_guest_agent="yes", rating="8"),
                tags=["gpu", "cuda", "lts"],
                size=(9 * GiB, 12 * GiB),
                virtual=(40,),
                min_ram=16384,
                window=(day(2023, 3, 1), None),
            ),
            Spec(
                "pytorch-2.5-cuda-12.4",
                ML,
                "private",
                props=dict(ubuntu22, rating="10"),
                tags=["gpu", "cuda"],
                size=(11 * GiB, 14 * GiB),
                virtual=(50,),
                min_ram=16384,
                window=(day(2024, 10, 20), None),
            ),
            Spec(
                "pfSense-CE-2.7.2",
                ADMIN,
                "public",
                props={"os_distro": "freebsd", "os_version": "14.0", "architecture": "x86_64", "hw_disk_bus": "virtio"},
                tags=[],
                size=(900 * MiB, 1000 * MiB),
                virtual=(8,),
                window=(day(2023, 12, 10), None),
                min_ram=1024,
            ),
            Spec(
                "ubuntu-24.04.1-live-server-amd64.iso",
                ADMIN,
                "public",
                props={"os_distro": "ubuntu", "os_version": "24.04", "os_type": "linux"},
                tags=["lts"],
                disk_format="iso",
                size=(2773874688, 2773874688),
                window=(day(2024, 8, 29), day(2025, 2, 14)),
            ),
            Spec(
                "debian-12.7.0-amd64-netinst.iso",
                ADMIN,
                "public",
                props={"os_distro": "debian", "os_version": "12"},
                tags=["minimal"],
                disk_format="iso",
                size=(661651456, 661651456),
                window=(day(2024, 8, 31), day(2024, 11, 9)),
            ),
            Spec(
                "Windows-Server-2022-Eval.iso",
                ADMIN,
                "public",
                props={"os_distro": "windows", "os_version": "2022", "os_type": "windows"},
                tags=[],
                disk_format="iso",
                size=(5296713728, 5296713728),
                window=(day(2023, 1, 1), None),
            ),
            Spec(
                "virtio-win-0.1.262.iso",
                ADMIN,
                "public",
                props={"os_type": "windows"},
                tags=[],
                disk_format="iso",
                size=(745209856, 745209856),
                window=(day(2024, 9, 12), None),
            ),
            Spec(
                "Windows-Server-2019-Standard",
                CUSTOMER,
                "private",
                props={"os_distro": "windows", "os_version": "2019", "os_type": "windows", "hw_disk_bus": "ide"},
                tags=[],
                disk_format="vmdk",
                container_format="ovf",
                size=(14 * GiB, 17 * GiB),
                virtual=(60,),
                min_ram=4096,
                window=(day(2023, 4, 1), None),
            ),
            Spec(
                "Ubuntu-22.04-LTS-x64",
                WEB,
                "private",
                props=ubuntu22,
                tags=["lts", "team:web"],
                size=(600 * MiB, 700 * MiB),
                virtual=(10,),
                window=(day(2023, 1, 1), None),
            ),
            Spec(
                "Ubuntu-22.04-LTS-x64",
                CUSTOMER,
                "shared",
                props=dict(ubuntu22, rating="3"),
                tags=["lts"],
                size=(600 * MiB, 700 * MiB),
                virtual=(10,),
                window=(day(2023, 1, 1), None),
            ),
            Spec(
                "Debian-12-bookworm",
                WEB,
                "private",
                props={"os_distro": "debian", "os_version": "12"},
                tags=["team:web"],
                disk_format="raw",
                virtual=(8,),
                window=(day(2023, 6, 10), None),
            ),
            Spec(
                "rescue-image",
                ADMIN,
                "public",
                props={"os_distro": "debian", "os_version": "12", "os_type": "linux"},
                tags=["minimal"],
                size=(180 * MiB, 220 * MiB),
                virtual=(2,),
                window=(day(2023, 7, 1), None),
                hidden=True,
                protected=True,
            ),
            Spec(
                "amphora-x64-haproxy",
                ADMIN,
                "private",
                props={"os_distro": "ubuntu", "os_version": "22.04", "os_type": "linux", "hw_qemu_guest_agent": "yes"},
                tags=["amphora"],
                size=(520 * MiB, 620 * MiB),
                virtual=(2,),
                window=(day(2023, 3, 1), None),
                hidden=True,
                protected=True,
            ),
        ]
        for spec in specs:
            spec.fixed = True
        return specs

    def snapshots(self, count: int, bases: list[dict[str, Any]]) -> list[Spec]:
        """Snapshots of servers. Nova copies the base image's properties and
        records where it came from."""
        specs = [self.snapshot_spec("snapshot: web-01, before upgrade", WEB, bases, tags=["team:web"], fixed=True)]
        servers = [
            ("web-0{n}", WEB, ["team:web"]),
            ("db-0{n}", CUSTOMER, []),
            ("ml-worker-{n}", ML, []),
            ("build-agent-{n}", CI, []),
        ]
        for _ in range(count - 1):
            server, owner, tags = self.rng.choice(servers)
            host = server.format(n=self.rng.randint(1, 6))
            name = self.pick(
                [(f"{host}-snapshot-{{date}}", 0.6), (f"{host}-backup-{{date}}", 0.25), (f"{host}-pre-migration", 0.15)]
            )
            specs.append(self.snapshot_spec(name, owner, bases, tags=list(tags)))
        return specs

    def snapshot_spec(
        self, name: str, owner: str, bases: list[dict[str, Any]], *, tags: list[str], fixed: bool = False
    ) -> Spec:
        base = self.rng.choice(bases)
        props: dict[str, str] = {
            k: base[k]
            for k in (
                "os_distro",
                "os_version",
                "os_type",
                "os_admin_user",
                "architecture",
                "hw_disk_bus",
                "hw_qemu_guest_agent",
            )
            if k in base
        }
        props.update(image_type="snapshot", instance_uuid=self.uuid4(), base_image_ref=base["id"])
        created = datetime.strptime(base["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        vis = "shared" if self.chance(0.15) else "private"
        disk = max(base["min_disk"], 20)
        return Spec(
            name,
            owner,
            vis,
            props=props,
            tags=tags,
            size=(1 * GiB, min(disk, 20) * GiB * 3 // 4),
            virtual=(disk,),
            window=(created + timedelta(days=1), None),
            snapshot=True,
            fixed=fixed,
        )

    # -- statuses --------------------------------------------------------

    def assign_statuses(self, specs: list[Spec]) -> None:
        """A few images are not active. Uploads still running (importing,
        saving) are recent, so only versions still current can be in them."""
        eligible = [s for s in specs if not s.fixed and not s.protected and s.disk_format != "iso"]
        current = [s for s in eligible if s.window[1] is None]
        for spec in self.rng.sample(current, 6):
            spec.status = self.pick([("importing", 3), ("saving", 4)])
        rest = [s for s in eligible if s.status == "active"]
        for spec in self.rng.sample(rest, 11):
            spec.status = "queued"
        rest = [s for s in rest if s.status == "active"]
        for spec in self.rng.sample(rest, 7):
            spec.status = "deactivated"

    # -- records ---------------------------------------------------------

    def record(self, spec: Spec) -> dict[str, Any]:
        status = spec.status
        lo, hi = spec.window
        if status in ("importing", "saving"):
            lo = max(lo, END - timedelta(days=3))  # still in progress when the catalog was taken
        created = self.created(lo, hi)
        image_id = self.uuid4()
        name = spec.name.replace("{date}", created.strftime("%Y%m%d")).replace("{month}", created.strftime("%Y-%m"))
        has_data = status in ("active", "deactivated")

        size = virtual = None
        if has_data:
            lo_size, hi_size = spec.size
            if spec.disk_format == "iso":
                size = virtual = lo_size
            elif spec.disk_format == "raw":
                size = virtual = round(self.rng.choice(spec.virtual) * GiB / MiB) * MiB
            else:
                size = self.rng.randint(lo_size // (64 * KiB), hi_size // (64 * KiB)) * 64 * KiB
                virtual = round(self.rng.choice(spec.virtual) * GiB / MiB) * MiB
                virtual = max(virtual, size)

        if spec.min_disk == -1:
            min_disk = math.ceil(virtual / GiB) if virtual else self.rng.choice((40, 50, 60))
        elif spec.min_disk is not None:
            min_disk = spec.min_disk
        elif virtual and self.chance(0.6):
            min_disk = math.ceil(virtual / GiB)
        elif spec.snapshot:
            min_disk = 20
        else:
            min_disk = 0
        min_ram = spec.min_ram or (self.rng.choice((512, 1024, 2048)) if self.chance(0.15) else 0)

        if status == "queued":
            updated = created + timedelta(seconds=0 if self.chance(0.7) else self.rng.randint(1, 20))
        elif status in ("importing", "saving"):
            updated = created + timedelta(seconds=self.rng.randint(5, 900))
        elif status == "deactivated" or spec.hidden or spec.protected or "deprecated" in spec.tags:
            updated = created + timedelta(days=self.rng.randint(20, 500), seconds=self.rng.randint(0, 86399))
        elif self.chance(0.2):
            updated = created + timedelta(days=self.rng.randint(1, 300), seconds=self.rng.randint(0, 86399))
        else:
            updated = created + timedelta(seconds=self.rng.randint(40, 1800))
        updated = max(created, min(updated, LAST_UPDATE))

        props = dict(spec.props)
        if spec.owner != ADMIN and not (spec.fixed or spec.snapshot) and self.chance(0.15):
            props = {}  # uploaded by hand, with no properties at all
        if spec.owner == ADMIN and spec.visibility == "public":
            if self.chance(0.5):
                props["hci_allow_set_password"] = "True" if self.chance(0.7) else "False"
            if self.chance(0.5):
                props["image_validated"] = "yes" if self.chance(0.85) else "no"
        if "rating" not in props and self.chance(0.22):
            props["rating"] = self.rng.choice(RATINGS)

        record: dict[str, Any] = {k: props[k] for k in PROPERTY_ORDER if k in props}
        record.update({k: v for k, v in props.items() if k not in record})
        queued = status == "queued"
        record.update(
            name=name,
            disk_format=None if queued else spec.disk_format,
            container_format=None if queued else spec.container_format,
            visibility=spec.visibility,
            size=size,
            virtual_size=virtual,
            status=status,
            checksum=self.hexdigits(128) if has_data else None,
            protected=spec.protected,
            min_ram=min_ram,
            min_disk=min_disk,
            owner=spec.owner,
            os_hidden=spec.hidden,
            os_hash_algo="sha512" if has_data else None,
            os_hash_value=self.hexdigits(512) if has_data else None,
            id=image_id,
            created_at=stamp(created),
            updated_at=stamp(updated),
        )
        if has_data and self.chance(0.85):
            record["direct_url"] = DIRECT_URL.format(id=image_id)
        record.update(
            tags=spec.tags,
            self=f"/v2/images/{image_id}",
            file=f"/v2/images/{image_id}/file",
            schema="/v2/schemas/image",
        )
        return record

    # -- the catalog -----------------------------------------------------

    def catalog(self) -> dict[str, Any]:
        specs: list[Spec] = []
        specs += self.ubuntu(52)
        specs += self.ubuntu_gpu()
        specs += self.debian(22)
        specs += self.fedora(14)
        specs += self.centos(12)
        specs += self.rocky(20)
        specs += self.almalinux(14)
        specs += self.opensuse(8)
        specs += self.windows(24)
        specs += self.cirros(16)
        specs += self.freebsd(8)
        specs += self.specials()
        self.assign_statuses(specs)
        images = [self.record(s) for s in specs]

        # Snapshots of servers booted from the Linux images above.
        bases = [
            r
            for r in images
            if r["status"] == "active"
            and r.get("os_type") == "linux"
            and r["disk_format"] != "iso"
            and r["created_at"] < "2026-09-01"
        ]
        snaps = self.snapshots(TOTAL - 1 - len(images), bases)
        eligible = [s for s in snaps if not s.fixed]
        for spec in self.rng.sample(eligible, 3):
            spec.status = "queued"
        for spec in self.rng.sample([s for s in eligible if s.status == "active"], 2):
            spec.status = "saving"
        images += [self.record(s) for s in snaps]

        images.append(dict(SAMPLE))
        images.sort(key=lambda r: (r["created_at"], r["id"]), reverse=True)
        return {
            "images": images,
            "first": "/v2/images",
            "schema": "/v2/schemas/images",
            # Whose view the listing answers from, and who each shared image is
            # shared with: what a real Glance scopes a listing by, so that an
            # offline answer is the one the web team gets from the cloud.
            "project": WEB,
            "members": members(images),
        }


def members(images: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    """``GET /v2/images/{id}/members`` of every shared image: one to three
    other projects, most of whom accepted. Its own random stream, so that the
    images stay the same whatever is drawn here."""
    rng = random.Random(SEED + 1)
    shared: dict[str, list[dict[str, str]]] = {}
    for record in sorted(images, key=lambda r: r["id"]):
        if record["visibility"] != "shared":
            continue
        others = [p for p in (*PROJECTS, ADMIN) if p != record["owner"]]
        entries = []
        for project in sorted(rng.sample(others, rng.randint(1, min(3, len(others))))):
            status = rng.choices(("accepted", "pending", "rejected"), weights=(0.6, 0.25, 0.15))[0]
            entries.append({"member_id": project, "status": status})
        shared[record["id"]] = entries
    return shared


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render() -> tuple[dict[str, Any], str]:
    """The catalog and its exact text."""
    catalog = Generator(SEED).catalog()
    return catalog, json.dumps(catalog, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the catalog on disk differs from what would be generated"
    )
    parser.add_argument(
        "--output", type=Path, default=OUTPUT, help=f"where to write (default: {OUTPUT.name} next to this script)"
    )
    args = parser.parse_args(argv)

    catalog, text = render()
    data = text.encode("utf-8")
    if args.check:
        try:
            current = args.output.read_bytes()
        except FileNotFoundError:
            print(f"{args.output}: missing; run {Path(__file__).name} to create it", file=sys.stderr)
            return 1
        if current != data:
            print(f"{args.output}: out of date; run {Path(__file__).name} to regenerate it", file=sys.stderr)
            return 1
        print(f"{args.output}: up to date")
        return 0
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({len(catalog['images'])} images)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
