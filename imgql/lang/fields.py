"""The image fields imgql knows, as data.

Every documented field of an image record is listed with its kind (which
decides how a literal is read and what a comparison means), its unit where it
has one, its aliases, and the values of enumerations. Any other identifier is a
custom property: a string that may be absent.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs

__all__ = [
    "BOOKKEEPING_KEYS",
    "CONTAINER_FORMATS",
    "CORE_RECORD_KEYS",
    "DISK_FORMATS",
    "FIELDS",
    "GIB",
    "MEMBER_STATUSES",
    "MIB",
    "STATUSES",
    "STORED_AS_PROPERTIES",
    "VISIBILITIES",
    "Field",
    "Kind",
    "is_known",
    "lookup",
]


class Kind(enum.Enum):
    STRING = "string"
    ENUM = "enum"  # a string restricted to known values
    BYTES = "bytes"  # a whole number of ``unit`` bytes; literals may carry size units
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    TAGS = "tags"  # a list of strings; predicates ask about its members
    PROPERTY = "property"  # a custom property: a string, compared numerically when both sides are numbers
    SCOPE = "scope"  # not a field of the image; narrows the whole listing


@attrs.frozen
class Field:
    name: str
    kind: Kind
    unit: int = 1  # bytes per unit of the API's value, for BYTES
    unit_name: str = "bytes"
    values: tuple[str, ...] = ()  # allowed values of an ENUM or SCOPE
    known_values: tuple[str, ...] = ()  # common values, offered for completion only
    aliases: tuple[str, ...] = ()
    doc: str = ""

    @property
    def orderable(self) -> bool:
        return self.kind in (Kind.STRING, Kind.ENUM, Kind.BYTES, Kind.DATETIME, Kind.PROPERTY)


STATUSES = (
    "queued",
    "saving",
    "active",
    "killed",
    "deleted",
    "pending_delete",
    "deactivated",
    "uploading",
    "importing",
)
VISIBILITIES = ("public", "private", "shared", "community")
MEMBER_STATUSES = ("accepted", "pending", "rejected", "all")
DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop")
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")

MIB = 1024**2
GIB = 1024**3

FIELDS: tuple[Field, ...] = (
    Field("id", Kind.STRING, doc="image id (a UUID)"),
    Field("name", Kind.STRING, doc="human-readable name"),
    Field("status", Kind.ENUM, values=STATUSES, doc="lifecycle status"),
    Field("visibility", Kind.ENUM, values=VISIBILITIES, doc="who can see the image"),
    Field("owner", Kind.STRING, doc="project id of the owner"),
    Field("size", Kind.BYTES, doc="size of the image data in bytes; null until uploaded"),
    Field("virtual_size", Kind.BYTES, doc="virtual disk size in bytes; may be null"),
    Field("min_ram", Kind.BYTES, unit=MIB, unit_name="MiB", doc="minimum RAM, in MiB"),
    Field("min_disk", Kind.BYTES, unit=GIB, unit_name="GiB", doc="minimum disk, in GiB"),
    Field("created_at", Kind.DATETIME, aliases=("created",), doc="creation time"),
    Field("updated_at", Kind.DATETIME, aliases=("updated",), doc="last update time"),
    Field("protected", Kind.BOOLEAN, doc="cannot be deleted"),
    Field("tags", Kind.TAGS, aliases=("tag",), doc="list of tags; `tag = x` means x is one of them"),
    Field("checksum", Kind.STRING, doc="MD5 of the data"),
    Field("disk_format", Kind.STRING, known_values=DISK_FORMATS, doc="disk format"),
    Field("container_format", Kind.STRING, known_values=CONTAINER_FORMATS, doc="container format"),
    Field("os_type", Kind.STRING, known_values=("linux", "windows"), doc="operating system type"),
    Field("os_distro", Kind.STRING, doc="operating system distribution"),
    Field("os_hash_algo", Kind.STRING, doc="hash algorithm of os_hash_value"),
    Field("os_hash_value", Kind.STRING, doc="multihash of the data"),
    Field("file", Kind.STRING, doc="path of the image data"),
    Field("direct_url", Kind.STRING, doc="direct location of the data, when exposed"),
    Field("os_hidden", Kind.BOOLEAN, aliases=("hidden",), doc="hidden from the default listing"),
    Field(
        "member_status",
        Kind.SCOPE,
        values=MEMBER_STATUSES,
        doc="which shared images to list, by the caller's membership",
    ),
)

# Documented fields that Glance stores as custom properties (absent when unset).
STORED_AS_PROPERTIES = frozenset({"os_type", "os_distro"})
# Keys of a record that are links and storage bookkeeping, not image fields.
BOOKKEEPING_KEYS = frozenset({"self", "schema", "locations", "stores"})
# Every key of a record that is not a custom property.
CORE_RECORD_KEYS = (
    frozenset(f.name for f in FIELDS if f.kind is not Kind.SCOPE) - STORED_AS_PROPERTIES
) | BOOKKEEPING_KEYS

_BY_NAME: Mapping[str, Field] = {
    **{f.name: f for f in FIELDS},
    **{alias: f for f in FIELDS for alias in f.aliases},
}


def lookup(name: str) -> Field:
    """The field called ``name`` (or an alias of it); a custom property otherwise."""
    found = _BY_NAME.get(name)
    if found is not None:
        return found
    return _property(name)


def is_known(name: str) -> bool:
    return name in _BY_NAME


_PROPERTY_CACHE: dict[str, Field] = {}


def _property(name: str) -> Field:
    field = _PROPERTY_CACHE.get(name)
    if field is None:
        field = Field(name, Kind.PROPERTY, doc="custom property")
        if len(_PROPERTY_CACHE) < 4096:
            _PROPERTY_CACHE[name] = field
    return field
