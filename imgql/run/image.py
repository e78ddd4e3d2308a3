"""An image as a value: typed documented fields, custom properties by key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ..lang import fields as F
from ..lang.fields import CORE_RECORD_KEYS
from .record_values import parse_time
from .results import human_size

__all__ = ["CORE_FIELDS", "RECORD_FIELDS", "Image"]

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
        """image id (a UUID); "" when the record has none. Written here, not
        made from the catalog: it is the image's identity, never None."""
        return str(self.raw.get("id") or "")

    if TYPE_CHECKING:
        # The documented fields, typed: read from the record by the
        # properties made from the field catalog below the class (one per
        # field of the record, named by its ``attribute``). Declared here
        # for type checkers only; tests/test_image*.py holds them to the catalog.
        name: str | None
        status: str | None
        visibility: str | None
        owner: str | None
        size: int | None
        virtual_size: int | None
        min_ram: int | None
        min_disk: int | None
        created_at: dt.datetime | None
        updated_at: dt.datetime | None
        protected: bool
        hidden: bool
        tags: tuple[str, ...]
        checksum: str | None
        disk_format: str | None
        container_format: str | None
        os_type: str | None
        os_distro: str | None
        os_hash_algo: str | None
        os_hash_value: str | None
        file: str | None
        direct_url: str | None

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


def _reader(field: F.Field) -> Callable[[Image], Any]:
    """How a documented field is read from the record, by its kind."""
    key = field.name
    if field.kind is F.Kind.DATETIME:
        return lambda image: _time(image.raw.get(key))
    if field.kind is F.Kind.BOOLEAN:
        return lambda image: bool(image.raw.get(key))
    if field.kind is F.Kind.TAGS:
        return lambda image: tuple(image.raw.get(key) or ())
    return lambda image: image.raw.get(key)


# One property per documented field of the record: the catalog says its
# name, its kind (hence its type) and its description.
RECORD_FIELDS: tuple[F.Field, ...] = tuple(f for f in F.FIELDS if f.kind not in F.NOT_IN_RECORD and f.name != "id")
for _field in RECORD_FIELDS:
    setattr(Image, _field.attribute or _field.name, property(_reader(_field), doc=_field.doc))
del _field

_new = object.__new__
_set_raw = Image.raw.__set__  # type: ignore[attr-defined]
_set_region = Image.region.__set__  # type: ignore[union-attr]
_set_cloud = Image.cloud.__set__  # type: ignore[union-attr]
