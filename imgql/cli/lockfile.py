"""The lock file: what each query of a configuration file chose, as values.

A lock holds one :class:`Entry` per configuration file and key path: the
query's canonical text and, per place (cloud and region), the :class:`Pin`
of the image it answered. :func:`dumps` writes it as JSON with sorted keys,
two-space indentation and a final newline, so that the same lock is always
the same bytes and a change is a small diff a reviewer can read.
:func:`loads` reads it back and says plainly what is wrong with a file that
is not a lock.

No request is made here; :mod:`imgql.cli.lock` resolves queries into pins.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from ..errors import Error

__all__ = [
    "DEFAULT_LOCK",
    "FORMAT_VERSION",
    "Entry",
    "Lock",
    "LockFileError",
    "Pin",
    "dumps",
    "loads",
    "lock_name",
    "place_text",
    "read_lock",
    "write_lock",
]

# Found in the current directory when no --lock is given.
DEFAULT_LOCK = "imgql.lock"
FORMAT_VERSION = 1


class LockFileError(Error):
    """A lock file that cannot be read, or that is not a lock."""


Place = tuple[str | None, str | None]  # (cloud, region)


def place_text(cloud: str | None, region: str | None) -> str:
    """``region``, ``cloud/region`` or ``cloud``; empty for the source's own place."""
    if cloud and region:
        return f"{cloud}/{region}"
    return region or cloud or ""


@attrs.frozen
class Pin:
    """The image a query answered at one place, and when it was resolved."""

    id: str
    name: str | None = None
    created_at: str | None = None
    hash: str | None = None  # "sha512:..." (os_hash_algo:os_hash_value) or "md5:..." (checksum)
    resolved_at: str | None = None
    cloud: str | None = None
    region: str | None = None

    @property
    def place(self) -> Place:
        return (self.cloud, self.region)

    @property
    def place_text(self) -> str:
        return place_text(self.cloud, self.region)

    def same_image(self, other: Pin) -> bool:
        return self.id == other.id and self.place == other.place

    def to_json(self) -> dict[str, Any]:
        fields = attrs.asdict(self)
        return {key: value for key, value in fields.items() if value is not None}

    @classmethod
    def from_json(cls, data: Any, where: str) -> Pin:
        if not isinstance(data, Mapping) or not isinstance(data.get("id"), str):
            raise LockFileError(f"{where}: an image needs an id")
        known = {field.name for field in attrs.fields(cls)}
        values = {key: data[key] for key in known if key in data}
        for key, value in values.items():
            if value is not None and not isinstance(value, str):
                raise LockFileError(f"{where}: {key} must be text")
        return cls(**values)


@attrs.frozen
class Entry:
    """What one query of one file chose: its canonical text, the pins by place,
    and, for a declaration of fallbacks, which of them answered (0 the first)."""

    file: str
    key: str
    query: str
    pins: tuple[Pin, ...]
    tier: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"query": self.query, "images": [pin.to_json() for pin in self.pins]}
        if self.tier is not None:
            data["tier"] = self.tier
        return data

    def pin_at(self, place: Place) -> Pin | None:
        return next((pin for pin in self.pins if pin.place == place), None)


@attrs.frozen
class Lock:
    """Every entry, in file then key order."""

    entries: tuple[Entry, ...] = ()

    def get(self, file: str, key: str) -> Entry | None:
        return next((e for e in self.entries if e.file == file and e.key == key), None)

    def find(self, key: str, file: str | None = None) -> Entry | None:
        """The entry of ``key`` (in ``file`` when given; else the only file that has it)."""
        if file is not None:
            return self.get(file, key)
        found = [e for e in self.entries if e.key == key]
        return found[0] if len(found) == 1 else None

    def with_entries(self, entries: Iterable[Entry]) -> Lock:
        return Lock(tuple(sorted(entries, key=lambda e: (e.file, e.key))))


def dumps(lock: Lock) -> str:
    files: dict[str, dict[str, Any]] = {}
    for entry in lock.entries:
        files.setdefault(entry.file, {})[entry.key] = entry.to_json()
    document = {"imgql-lock": FORMAT_VERSION, "files": files}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def loads(text: str, name: str = DEFAULT_LOCK) -> Lock:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LockFileError(f"{name} is not a lock file: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    if not isinstance(data, Mapping) or "imgql-lock" not in data:
        raise LockFileError(f'{name} is not an imgql lock file (it has no "imgql-lock" key)')
    if data["imgql-lock"] != FORMAT_VERSION:
        raise LockFileError(
            f"{name} is a lock of format {data['imgql-lock']!r}; this imgql reads format {FORMAT_VERSION}"
        )
    files = data.get("files", {})
    if not isinstance(files, Mapping):
        raise LockFileError(f'{name}: "files" must be a mapping of file -> key -> entry')
    entries: list[Entry] = []
    for file, keys in files.items():
        if not isinstance(keys, Mapping):
            raise LockFileError(f"{name}: {file}: expected a mapping of key path -> entry")
        for key, body in keys.items():
            entries.append(_entry(file, key, body, f"{name}: {file}: {key}"))
    return Lock().with_entries(entries)


def _entry(file: str, key: str, body: Any, where: str) -> Entry:
    if not isinstance(body, Mapping) or not isinstance(body.get("query"), str):
        raise LockFileError(f"{where}: an entry needs its query")
    images = body.get("images", [])
    if not isinstance(images, list):
        raise LockFileError(f'{where}: "images" must be a list')
    tier = body.get("tier")
    if tier is not None and (not isinstance(tier, int) or isinstance(tier, bool) or tier < 0):
        raise LockFileError(f'{where}: "tier" must be a whole number')
    pins = tuple(Pin.from_json(image, where) for image in images)
    return Entry(file, key, body["query"], pins, tier)


def read_lock(path: str | os.PathLike[str], *, missing_ok: bool = False) -> Lock:
    name = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        if missing_ok:
            return Lock()
        raise LockFileError(f"cannot read the lock {name}: no such file (make one with `imgql lock FILE...`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise LockFileError(f"cannot read the lock {name}: {reason}") from None
    return loads(text, name)


def write_lock(path: str | os.PathLike[str], lock: Lock) -> bool:
    """Write the lock unless the file already holds these bytes; whether it wrote."""
    text = dumps(lock)
    target = Path(path)
    try:
        if target.exists() and target.read_text(encoding="utf-8") == text:
            return False
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    except OSError as exc:
        raise LockFileError(f"cannot write the lock {os.fspath(path)}: {exc.strerror or exc}") from None
    return True


def lock_name(path: str | os.PathLike[str], lock_path: str | os.PathLike[str]) -> str:
    """How the lock names a configuration file: relative to the lock's folder."""
    folder = Path(os.path.abspath(lock_path)).parent
    return Path(os.path.relpath(os.path.abspath(path), folder)).as_posix()
