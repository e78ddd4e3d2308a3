"""An image as a value: typed documented fields, custom properties by key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from ..lang.fields import CORE_RECORD_KEYS
from .predicate import parse_time
from .results import human_size

# The documented fields; every other key of a record is a custom property
# (or bookkeeping such as self, file and schema).
CORE_FIELDS = CORE_RECORD_KEYS


def _time(value: Any) -> dt.datetime | None:
    return parse_time(value) if isinstance(value, str) else None


@attrs.frozen(repr=False)
class Image(Mapping[str, Any]):
    """One image. Documented fields are attributes (``image.size``,
    ``image.created_at`` as an aware datetime, ``image.tags`` as a tuple);
    every key of the record, custom properties included, is reachable as
    ``image["hw_disk_bus"]`` or ``image.get("hw_disk_bus")``; the record as the
    API sent it is ``image.raw``."""

    raw: Mapping[str, Any] = attrs.field(eq=False)
    id: str = attrs.field(default="")
    # Where the image lives: the region and cloud of the endpoint that listed
    # it (the client's, when known). Not keys of ``raw``: the API does not
    # send them. The same id in two regions is two images.
    region: str | None = None
    cloud: str | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any], region: str | None = None, cloud: str | None = None) -> Image:
        return cls(record, str(record.get("id") or ""), region, cloud)

    # Documented fields, typed.
    @property
    def name(self) -> str | None:
        return self.raw.get("name")

    @property
    def status(self) -> str | None:
        return self.raw.get("status")

    @property
    def visibility(self) -> str | None:
        return self.raw.get("visibility")

    @property
    def owner(self) -> str | None:
        return self.raw.get("owner")

    @property
    def size(self) -> int | None:
        return self.raw.get("size")

    @property
    def virtual_size(self) -> int | None:
        return self.raw.get("virtual_size")

    @property
    def min_ram(self) -> int | None:
        return self.raw.get("min_ram")

    @property
    def min_disk(self) -> int | None:
        return self.raw.get("min_disk")

    @property
    def created_at(self) -> dt.datetime | None:
        return _time(self.raw.get("created_at"))

    @property
    def updated_at(self) -> dt.datetime | None:
        return _time(self.raw.get("updated_at"))

    @property
    def protected(self) -> bool:
        return bool(self.raw.get("protected"))

    @property
    def hidden(self) -> bool:
        return bool(self.raw.get("os_hidden"))

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self.raw.get("tags") or ())

    @property
    def checksum(self) -> str | None:
        return self.raw.get("checksum")

    @property
    def disk_format(self) -> str | None:
        return self.raw.get("disk_format")

    @property
    def container_format(self) -> str | None:
        return self.raw.get("container_format")

    @property
    def os_type(self) -> str | None:
        return self.raw.get("os_type")

    @property
    def os_distro(self) -> str | None:
        return self.raw.get("os_distro")

    @property
    def os_hash_algo(self) -> str | None:
        return self.raw.get("os_hash_algo")

    @property
    def os_hash_value(self) -> str | None:
        return self.raw.get("os_hash_value")

    @property
    def file(self) -> str | None:
        return self.raw.get("file")

    @property
    def direct_url(self) -> str | None:
        return self.raw.get("direct_url")

    @property
    def properties(self) -> dict[str, Any]:
        """Custom properties: every key that is not a documented field."""
        return {k: v for k, v in self.raw.items() if k not in CORE_FIELDS}

    # Mapping over the raw record, so an Image can go wherever a dict went.
    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.raw)

    def __repr__(self) -> str:
        size = self.size
        shown = "no data" if size is None else human_size(size)
        where = f" in {self.region}" if self.region else ""
        return f"<Image {self.name!r} id={self.id}{where} {self.status} {shown}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))
