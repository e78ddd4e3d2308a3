"""An image as a value: typed documented fields, custom properties by key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from ..lang.fields import CORE_RECORD_KEYS
from .predicate import parse_time
from .results import human_size

__all__ = ["CORE_FIELDS", "Image"]

# The documented fields; every other key of a record is a custom property
# (or bookkeeping such as self, file and schema).
CORE_FIELDS = CORE_RECORD_KEYS


def _time(value: Any) -> dt.datetime | None:
    return parse_time(value) if isinstance(value, str) else None


class Image(Mapping[str, Any]):
    """One image. Documented fields are attributes (``image.size``,
    ``image.created_at`` as an aware datetime, ``image.tags`` as a tuple);
    every key of the record, custom properties included, is reachable as
    ``image["hw_disk_bus"]`` or ``image.get("hw_disk_bus")``; the record as the
    API sent it is ``image.raw``. ``image.region`` and ``image.cloud`` say
    where it lives (the endpoint that listed it; the client's own region and
    cloud when known); they are not keys of ``raw``, as the API does not send
    them. Images are equal when their ids and places are: the same id in two
    regions is two images.

    Wrapping a record does no work: every field is read from it when asked
    for, so a query pays per match only for what its caller reads."""

    __slots__ = ("cloud", "raw", "region")
    raw: Mapping[str, Any]
    region: str | None
    cloud: str | None

    def __init__(self, raw: Mapping[str, Any], region: str | None = None, cloud: str | None = None) -> None:
        object.__setattr__(self, "raw", raw)
        object.__setattr__(self, "region", region)
        object.__setattr__(self, "cloud", cloud)

    @classmethod
    def from_record(cls, record: Mapping[str, Any], region: str | None = None, cloud: str | None = None) -> Image:
        image = _new(cls)
        # The slots themselves: no __init__ or __setattr__ call per image.
        _set_raw(image, record)
        _set_region(image, region)
        _set_cloud(image, cloud)
        return image

    def __setattr__(self, name: str, value: Any) -> None:
        raise attrs.exceptions.FrozenInstanceError

    def __delattr__(self, name: str) -> None:
        raise attrs.exceptions.FrozenInstanceError

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Image)
        return self.id == other.id and self.region == other.region and self.cloud == other.cloud

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash((self.id, self.region, self.cloud))

    def __reduce__(self) -> tuple[Any, ...]:
        return (Image, (self.raw, self.region, self.cloud))

    @property
    def id(self) -> str:
        return str(self.raw.get("id") or "")

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
        if size is None:
            shown = "no data"
        elif isinstance(size, (int, float)) and not isinstance(size, bool):
            shown = human_size(size)
        else:  # a record made by hand, of the wrong shape: shown, never a crash
            shown = f"size={size!r:.40}"
        where = f" in {self.region}" if self.region else ""
        return f"<Image {self.name!r} id={self.id}{where} {self.status} {shown}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


_new = object.__new__
_set_raw = Image.raw.__set__  # type: ignore[attr-defined]
_set_region = Image.region.__set__  # type: ignore[union-attr]
_set_cloud = Image.cloud.__set__  # type: ignore[union-attr]
