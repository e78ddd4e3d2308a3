"""The seeded catalog's content: deterministic image specifications, no I/O."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

CALLER = "proj-caller"
ALPHA = "proj-alpha"
BETA = "proj-beta"
PROJECTS: tuple[str, ...] = (CALLER, ALPHA, BETA)

_ID_NAMESPACE = uuid.UUID("6f1c2a9e-3b5d-4c8e-9a7f-0d2e4b6a8c10")

# Names that break clients which split on ``:`` or ``,``, forget to quote,
# compare case-insensitively, or strip whitespace.
TRAP_NAMES: tuple[str, ...] = (
    "a:b",
    "a:b:c",
    "in:trap",
    "eq:trap",
    "gt:5",
    "neq:",
    "x,y",
    "a, b",
    '"quoted"',
    'say "hi", ok',
    'half"quote',
    "it's",
    "O'Brien, 'x'",
    "back\\slash",
    "ends with backslash\\",
    '\\"',
    "50%",
    "100%25",
    "a&b=c",
    "key=value",
    "plus+sign",
    "hash#tag",
    "semi;colon",
    "Ubuntu 22.04",
    "ubuntu 22.04",
    "UBUNTU 22.04",
    "café",
    "Ünïcödé 镜像",
    " leading space",
    "leading space",
    "trailing space ",
    "trailing space",
    "  ",
    "",
    'in:"a","b"',
    "a,b,c",
)
# Names where case folding differs between engines and languages (the
# dotted and dotless i, the sharp s in both cases, the final sigma, the
# Kelvin sign), names with newlines, and names that differ in case after a
# point where a pattern may switch case folding on.
FOLDING_NAMES: tuple[str, ...] = (
    "\u0130stanbul",
    "Istanbul",
    "\u0131dle",
    "idle",
    "Stra\u00dfe",
    "STRASSE",
    "GRO\u1e9e",
    "gro\u00df",
    "\u03bb\u03cc\u03b3\u03bf\u03c2",
    "\u039b\u038c\u0393\u039f\u03a3",
    "\u212aelvin",
    "kelvin",
    "\ufb01le",
    "line one\nline two",
    "ends with a newline\n",
    "\nstarts with a newline",
    "Ubuntu-22.04-X64",
    "Ubuntu-22.04-x64",
    "ubuntu-22.04-x64",
    "Ubuntu-24.04",
)
# A custom property holding equal numbers written differently, and numbers
# only some readers take for numbers.
EQUAL_NUMBERS: tuple[str, ...] = (
    "5.0", "5", "10", "010", "7", "+7", "100", "1e2", "1e3", "1E3", "0.5", ".5", "5.", "\u0665", "-0", "0",
)  # fmt: skip
# Each appears several times (across projects, and within one).
DUPLICATE_NAMES: tuple[str, ...] = ("dup", "Dup", "cirros")

TAGS: tuple[str, ...] = (
    "lts",
    "gpu",
    "with space",
    "a,b",
    "k:v",
    "ñandú",
    "UPPER",
    "upper",
    "in:a,b",
    "x/y",
    "測試",
    " padded ",
)
DISTROS: tuple[str, ...] = ("ubuntu", "Ubuntu", "debian", "fedora", "centos", "windows")
VERSIONS: tuple[str, ...] = ("22.04", "24.04", "12", "40", "9", "2022")
DISK_BUSES: tuple[str, ...] = ("scsi", "virtio", "ide")
RATINGS: tuple[str, ...] = ("5", "10", "2.5", "05", "5.0")
# Random bytes pass the upload-time format inspection only as raw.
QUEUED_FORMATS: tuple[tuple[str | None, str | None], ...] = (
    (None, None),
    ("qcow2", "bare"),
    ("vmdk", "bare"),
    ("iso", "bare"),
    ("vhd", "ovf"),
    ("ami", "ami"),
    ("raw", "docker"),
)
ACTIVE_CONTAINERS: tuple[str, ...] = ("bare", "bare", "bare", "ovf", "ova", "compressed")


@dataclass(frozen=True)
class ImageSpec:
    id: str
    owner: str
    batch: int
    name: str | None
    visibility: str
    hidden: bool = False
    protected: bool = False
    tags: tuple[str, ...] = ()
    properties: tuple[tuple[str, str], ...] = ()
    disk_format: str | None = None
    container_format: str | None = None
    min_ram: int = 0
    min_disk: int = 0
    size: int | None = None  # bytes to upload; None leaves the image queued
    deactivate: bool = False
    # (member project, status the member sets: accepted/pending/rejected)
    members: tuple[tuple[str, str], ...] = ()

    def create_body(self) -> dict[str, object]:
        body: dict[str, object] = {"id": self.id, "visibility": self.visibility}
        if self.name is not None:
            body["name"] = self.name
        if self.hidden:
            body["os_hidden"] = True
        if self.protected:
            body["protected"] = True
        if self.tags:
            body["tags"] = list(self.tags)
        if self.disk_format is not None:
            body["disk_format"] = self.disk_format
        if self.container_format is not None:
            body["container_format"] = self.container_format
        if self.min_ram:
            body["min_ram"] = self.min_ram
        if self.min_disk:
            body["min_disk"] = self.min_disk
        body.update(self.properties)
        return body

    def data(self) -> bytes:
        if self.size is None:
            return b""
        return random.Random(self.id).randbytes(self.size)


def build_specs(count: int = 300, *, batches: int = 3, seed: int = 20240611) -> list[ImageSpec]:
    """A deterministic catalog of ``count`` images spread over ``batches`` creation batches."""
    rng = random.Random(seed)
    count = max(count, len(TRAP_NAMES) + 3 * len(DUPLICATE_NAMES) + 40)
    names: list[str | None] = list(TRAP_NAMES)
    names += [n for n in DUPLICATE_NAMES for _ in range(3)]
    names += [None, None]
    while len(names) < count:
        names.append(f"{rng.choice(('cirros', 'ubuntu', 'debian', 'Fedora', 'win', 'img'))}-{len(names):03d}")
    specs = []
    for i, name in enumerate(names):
        # The first trap names go to another project's public images, so the
        # caller always sees each trap at least once.
        trap = i < len(TRAP_NAMES)
        specs.append(_spec(rng, i, name, batch=(i % batches) if trap else rng.randrange(batches), public_trap=trap))
    return specs + _public_extras(len(specs), batches)


def _public_extras(first: int, batches: int) -> list[ImageSpec]:
    """Public images the caller always sees: one per folding name, one
    without a name, and one per way of writing a number in ``eqnum``. Built
    after the random catalog, so that it stays as it was."""
    named: list[tuple[str | None, tuple[tuple[str, str], ...]]] = [(n, ()) for n in FOLDING_NAMES]
    named.append((None, ()))
    named += [(f"eqnum {value}", (("eqnum", value),)) for value in EQUAL_NUMBERS]
    return [
        ImageSpec(
            id=str(uuid.uuid5(_ID_NAMESPACE, f"image-{first + k}")),
            owner=ALPHA,
            batch=k % batches,
            name=name,
            visibility="public",
            properties=properties,
        )
        for k, (name, properties) in enumerate(named)
    ]


def _spec(rng: random.Random, i: int, name: str | None, *, batch: int, public_trap: bool) -> ImageSpec:
    owner = ALPHA if public_trap else rng.choices(PROJECTS, weights=(4, 4, 3))[0]
    visibility = (
        "public" if public_trap else rng.choices(("public", "private", "shared", "community"), weights=(3, 3, 4, 2))[0]
    )
    active = rng.random() < 0.65
    size = rng.choice((0, 1, 512, 1024, 4096, rng.randint(1, 4096))) if active else None
    disk_format: str | None
    container_format: str | None
    if active:
        disk_format, container_format = "raw", rng.choice(ACTIVE_CONTAINERS)
    else:
        disk_format, container_format = rng.choice(QUEUED_FORMATS)
    props: list[tuple[str, str]] = []
    if rng.random() < 0.5:
        props.append(("os_distro", rng.choice(DISTROS)))
    if rng.random() < 0.4:
        props.append(("os_version", rng.choice(VERSIONS)))
    if rng.random() < 0.3:
        props.append(("hw_disk_bus", rng.choice(DISK_BUSES)))
    if rng.random() < 0.3:
        props.append(("rating", rng.choice(RATINGS)))
    members: tuple[tuple[str, str], ...] = ()
    if visibility == "shared" and owner != CALLER:
        roll = rng.random()
        if roll < 0.75:
            members = ((CALLER, rng.choice(("accepted", "pending", "rejected"))),)
        if roll > 0.5:
            other = BETA if owner == ALPHA else ALPHA
            members += ((other, "accepted"),)
    elif visibility == "shared" and rng.random() < 0.5:
        members = ((rng.choice((ALPHA, BETA)), rng.choice(("accepted", "pending"))),)
    return ImageSpec(
        id=str(uuid.uuid5(_ID_NAMESPACE, f"image-{i}")),
        owner=owner,
        batch=batch,
        name=name,
        visibility=visibility,
        hidden=not public_trap and rng.random() < 0.12,
        protected=rng.random() < 0.1,
        tags=tuple(rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2, 3)))),
        properties=tuple(props),
        disk_format=disk_format,
        container_format=container_format,
        min_ram=rng.choice((0, 0, 512, 1024, 2048)),
        min_disk=rng.choice((0, 0, 1, 10, 20)),
        size=size,
        deactivate=active and rng.random() < 0.08,
        members=members,
    )
