"""The image fields imgql knows, as data.

Every documented field of an image record is listed with its kind (which
decides how a literal is read and what a comparison means), its unit where it
has one, its aliases, and the values of enumerations. Glance's common image
properties (``os_version``, ``architecture``, ``hw_*``, ``img_*``, ...) are
listed too: they are custom properties like any other, but known by name, so
that a misspelling of one can be caught. Any other identifier is a custom
property: a string that may be absent.

Names in query text are read by :func:`resolve`: a known name in any case is
that field (``OS_DISTRO`` is ``os_distro``), ``property.NAME`` is always the
custom property ``NAME`` as written, and any other name is a custom property
whose nearest known name, when it is a small edit away, is offered as what was
probably meant.
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
    "EVERY_REGION",
    "FIELDS",
    "GIB",
    "MEMBER_STATUSES",
    "MIB",
    "NOT_IN_RECORD",
    "PROPERTY_PREFIX",
    "SHORTHANDS",
    "STATUSES",
    "STORED_AS_PROPERTIES",
    "VISIBILITIES",
    "WELL_KNOWN_PROPERTIES",
    "Field",
    "Kind",
    "Resolved",
    "custom_property",
    "is_known",
    "lookup",
    "record_key",
    "resolve",
    "written_name",
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
    # Not a field of the image either: where it lives (a region, a cloud). A
    # query naming one runs once per endpoint; see imgql/plan/locations.py.
    LOCATION = "location"


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
    # The name canonical text writes, when not ``name`` (the singular `tag`).
    shown_as: str = ""
    # The attribute of :class:`imgql.Image` that holds it, when not ``name``.
    attribute: str = ""

    @property
    def orderable(self) -> bool:
        return self.kind in (Kind.STRING, Kind.ENUM, Kind.BYTES, Kind.DATETIME, Kind.PROPERTY, Kind.LOCATION)


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
    Field("tags", Kind.TAGS, aliases=("tag",), doc="list of tags; `tag = x` means x is one of them", shown_as="tag"),
    Field("checksum", Kind.STRING, doc="MD5 of the data"),
    Field("disk_format", Kind.STRING, known_values=DISK_FORMATS, doc="disk format"),
    Field("container_format", Kind.STRING, known_values=CONTAINER_FORMATS, doc="container format"),
    Field("os_type", Kind.STRING, known_values=("linux", "windows"), doc="operating system type"),
    Field("os_distro", Kind.STRING, doc="operating system distribution"),
    Field("os_hash_algo", Kind.STRING, doc="hash algorithm of os_hash_value"),
    Field("os_hash_value", Kind.STRING, doc="multihash of the data"),
    Field("file", Kind.STRING, doc="path of the image data"),
    Field("direct_url", Kind.STRING, doc="direct location of the data, when exposed"),
    Field(
        "os_hidden",
        Kind.BOOLEAN,
        aliases=("hidden",),
        doc="hidden from the default listing",
        shown_as="hidden",
        attribute="hidden",
    ),
    Field(
        "member_status",
        Kind.SCOPE,
        values=MEMBER_STATUSES,
        doc="which shared images to list, by the caller's membership",
    ),
    Field("region", Kind.LOCATION, doc="the region the image lives in; `region = *` means every region"),
    Field("cloud", Kind.LOCATION, doc="the cloud (clouds.yaml name) the image lives in"),
)

# `region = *`: every region of the cloud that has an image endpoint.
EVERY_REGION = "*"
# The kinds that are not fields of the image record.
NOT_IN_RECORD = (Kind.SCOPE, Kind.LOCATION)

# Documented fields that Glance stores as custom properties (absent when unset).
STORED_AS_PROPERTIES = frozenset({"os_type", "os_distro"})
# Keys of a record that are links and storage bookkeeping, not image fields.
BOOKKEEPING_KEYS = frozenset({"self", "schema", "locations", "stores"})
# Every key of a record that is not a custom property.
CORE_RECORD_KEYS = (
    frozenset(f.name for f in FIELDS if f.kind not in NOT_IN_RECORD) - STORED_AS_PROPERTIES
) | BOOKKEEPING_KEYS


def _properties(doc: str, *names: str) -> tuple[Field, ...]:
    return tuple(Field(name, Kind.PROPERTY, doc=doc) for name in names)


# Glance's common image properties (the "Useful image properties" of the
# Glance documentation): stored as custom properties, absent when unset.
WELL_KNOWN_PROPERTIES: tuple[Field, ...] = (
    *_properties("operating system", "os_version", "os_admin_user", "os_require_quiesce", "os_secure_boot"),
    *_properties("operating system", "os_shutdown_timeout", "os_skip_agent_inject_ssh"),
    *_properties("operating system", "os_skip_agent_inject_files_at_boot", "auto_disk_config"),
    *_properties("CPU architecture", "architecture"),
    *_properties("hypervisor", "hypervisor_type", "vm_mode", "instance_uuid", "kernel_id", "ramdisk_id"),
    # Nova sets it on the images it makes from servers; uploaded images have none.
    *_properties("instance snapshot: `snapshot` when Nova made the image from a server", "image_type"),
    *_properties(
        "virtual hardware",
        "hw_architecture",
        "hw_boot_menu",
        "hw_cdrom_bus",
        "hw_cpu_cores",
        "hw_cpu_max_cores",
        "hw_cpu_max_sockets",
        "hw_cpu_max_threads",
        "hw_cpu_policy",
        "hw_cpu_sockets",
        "hw_cpu_thread_policy",
        "hw_cpu_threads",
        "hw_disk_bus",
        "hw_firmware_type",
        "hw_machine_type",
        "hw_mem_encryption",
        "hw_mem_page_size",
        "hw_numa_nodes",
        "hw_pci_numa_affinity_policy",
        "hw_pmu",
        "hw_pointer_model",
        "hw_qemu_guest_agent",
        "hw_rescue_bus",
        "hw_rescue_device",
        "hw_rng_model",
        "hw_scsi_model",
        "hw_serial_port_count",
        "hw_time_hpet",
        "hw_tpm_model",
        "hw_tpm_version",
        "hw_vif_model",
        "hw_vif_multiqueue_enabled",
        "hw_video_model",
        "hw_video_ram",
        "hw_watchdog_action",
    ),
    *_properties(
        "image handling",
        "img_bdm_v2",
        "img_block_device_mapping",
        "img_config_drive",
        "img_hide_hypervisor_id",
        "img_hv_requested_version",
        "img_hv_type",
        "img_root_device_name",
        "img_signature",
        "img_signature_certificate_uuid",
        "img_signature_hash_method",
        "img_signature_key_type",
    ),
    *_properties("VMware", "vmware_adaptertype", "vmware_ostype", "vmware_disktype"),
    *_properties("Xen / libvirt", "xenapi_use_agent", "hw_video_ram_max"),
)

# A word alone as a condition that stands for a comparison with a property:
# `not snapshot` leaves instance snapshots out, images without the property kept.
SHORTHANDS: Mapping[str, tuple[str, str]] = {"snapshot": ("image_type", "snapshot")}

_BY_NAME: Mapping[str, Field] = {
    **{f.name: f for f in FIELDS},
    **{alias: f for f in FIELDS for alias in f.aliases},
}

# Every name a person may mean, lower-cased: fields, their aliases and the
# well-known properties.
_KNOWN: Mapping[str, Field] = {
    **{f.name: f for f in WELL_KNOWN_PROPERTIES},
    **_BY_NAME,
}

# `property.NAME` names the custom property NAME, whatever NAME looks like.
PROPERTY_PREFIX = "property."


def lookup(name: str) -> Field:
    """The field called ``name`` (or an alias of it); a custom property otherwise."""
    found = _BY_NAME.get(name)
    if found is not None:
        return found
    return _property(name)


def is_known(name: str) -> bool:
    return name in _BY_NAME


@attrs.frozen
class Resolved:
    """A name as written in a query, read: the field, and when the name is
    unknown but close to a known one, that one (the likely meaning)."""

    field: Field
    suggestion: str | None = None
    refused: str | None = None


def custom_property(key: str) -> Field:
    """The custom property stored under ``key``. When ``key`` is also the
    name of a field or an alias (``created``, ``region``, ``os_distro``), its
    name keeps the prefix (``property.created``): every later stage looks
    fields up by name, and must read this one as the custom property."""
    return _property(PROPERTY_PREFIX + key if key in _BY_NAME else key)


def record_key(name: str) -> str:
    """The key of an image record that holds the field called ``name``."""
    if name.startswith(PROPERTY_PREFIX) and name[len(PROPERTY_PREFIX) :] in _BY_NAME:
        return name[len(PROPERTY_PREFIX) :]
    return name


def resolve(written: str) -> Resolved:
    """The field a name written in a query stands for. ``property.NAME`` for
    a NAME the image itself has (``property.name``) gives ``refused``: no
    custom property can be stored under that key."""
    if written.startswith(PROPERTY_PREFIX) and len(written) > len(PROPERTY_PREFIX):
        key = written[len(PROPERTY_PREFIX) :]
        if key in CORE_RECORD_KEYS:
            return Resolved(
                _property(written),
                refused=(
                    f"{written}: {key} is a field of every image, not a custom property (the API keeps no "
                    f"custom property called {key!r}); write {key}"
                ),
            )
        return Resolved(custom_property(key))
    known = _KNOWN.get(written) or _KNOWN.get(written.lower())
    if known is not None:
        return Resolved(known)
    return Resolved(_property(written), _nearest(written))


def written_name(name: str) -> str:
    """How a field's canonical name is written so that :func:`resolve` reads
    it back as that field: a custom property that would be taken for a known
    field, or looks like a typo of one, gets the ``property.`` prefix."""
    if lookup(name).kind is not Kind.PROPERTY or name in _KNOWN:
        return name
    found = resolve(name)
    if found.field.name == name and found.suggestion is None:
        return name
    return PROPERTY_PREFIX + name


def _nearest(name: str) -> str | None:
    """The known name a small edit away from ``name`` (a typo of it), if any."""
    lowered = name.lower()
    if len(lowered) < 4:
        return None  # too short to tell a typo from a name of its own (`a`, `x1`)
    limit = 1 if len(lowered) <= 5 else 2
    best: tuple[int, str] | None = None
    for candidate in _KNOWN:
        if abs(len(candidate) - len(lowered)) > limit:
            continue
        distance = _distance(lowered, candidate, limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, _KNOWN[candidate].name if candidate in _BY_NAME else candidate)
    return best[1] if best else None


def _distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from ``a`` to ``b``;
    anything above ``limit`` is reported as ``limit + 1``."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


_PROPERTY_CACHE: dict[str, Field] = {}


def _property(name: str) -> Field:
    field = _PROPERTY_CACHE.get(name)
    if field is None:
        field = Field(name, Kind.PROPERTY, doc="custom property")
        if len(_PROPERTY_CACHE) < 4096:
            _PROPERTY_CACHE[name] = field
    return field
