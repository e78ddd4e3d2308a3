"""What each target can answer, as data.

A profile says, for every field, which query parameter filters it, in which
form, for which operators. The planner reads these tables; it has no
`if profile == ...` branches. To teach imgql a new parameter, add a row here
(docs/planning.md walks through it).

Facts come from docs/glance.md (a real Glance 33) and the provider's "Listing
Images" page; where the page is wrong, the server's behaviour wins.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs

from ..errors import PlanError
from ..lang.fields import CORE_RECORD_KEYS, FIELDS, PROPERTY_PREFIX
from .encoding import (
    Encoder,
    containing_range,
    containing_time_range,
    encode_boolean,
    encode_operator,
    encode_plain,
    encode_range,
    encode_tag,
    encode_time,
    in_list,
)

__all__ = [
    "DOCUMENTED",
    "ENCODERS",
    "EXACT_SHARE",
    "FIELD_SHARES",
    "GLANCE",
    "NONE",
    "NOT_PROPERTY_PARAMS",
    "NULL_CONFLATED_SORT_KEYS",
    "OTHER_SHARE",
    "PROFILES",
    "RANGE_SHARE",
    "RANGE_SUFFIXES",
    "RESERVED_PARAMS",
    "STORED_MAX",
    "UNION_SHARE",
    "VALUE_SHARES",
    "Form",
    "Profile",
    "Rule",
    "get_profile",
    "profile_names",
]


class Form(enum.Enum):
    """How a field's constraint is written as a query parameter."""

    # field=value; a value the server would misread (one with a colon, which
    # Glance splits as an operator) is not sent.
    PLAIN = "plain"
    # field=value, field=eq:value for values with a colon, field=in:"a","b" for lists.
    OPERATOR = "operator"
    # tag=a&tag=b: repeatable, and every value must hold.
    REPEATED = "repeated"
    # size_min / size_max: inclusive bounds in whole bytes.
    RANGE = "range"
    # created_at=gt:2025-10-02T08:30:39Z: one bound per request.
    TIME = "time"
    # protected=true|false.
    BOOLEAN = "boolean"


def _check_range(rule: Rule, attribute: object, stored_max: int | None) -> None:
    if rule.form is Form.RANGE and (stored_max is None or not rule.min_param or not rule.max_param):
        # A bound past the largest stored value fails the request (HTTP 500
        # for 2**63 on a size), so the encoder must know where to clamp.
        raise ValueError(f"the range rule for {rule.param} needs min_param, max_param and stored_max")


@attrs.frozen
class Rule:
    """How one field is filtered by one profile: the query parameter, its
    :class:`Form` (which names the :class:`~imgql.plan.encoding.Encoder`
    that writes it, ``ENCODERS``), and the imgql operators it answers
    (``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``in``).

    A ``Form.RANGE`` rule has its two inclusive parameters (``min_param``,
    ``max_param``) and the largest value the server stores for the field
    (``stored_max``), to which bounds are clamped; a range rule without
    them cannot be made.

    >>> Rule("size", Form.RANGE, frozenset({"<"}), "size_min", "size_max")
    Traceback (most recent call last):
      ...
    ValueError: the range rule for size needs min_param, max_param and stored_max
    """

    param: str
    form: Form
    ops: frozenset[str]  # imgql operators it answers: = != < <= > >= in
    min_param: str = ""  # for RANGE
    max_param: str = ""
    stored_max: int | None = attrs.field(default=None, validator=_check_range)

    @property
    def encoder(self) -> Encoder:
        return ENCODERS[self.form]


# How each form is written (imgql/plan/encoding.py): a new form of parameter
# is a member of Form and an encoder here, and no planner change.
ENCODERS: Mapping[Form, Encoder] = {
    Form.PLAIN: Encoder(encode_plain),
    Form.OPERATOR: Encoder(encode_operator, in_list),
    Form.REPEATED: Encoder(encode_tag),
    # A list on an ordered field is sent as the range that contains it.
    Form.RANGE: Encoder(encode_range, containing_range, ">="),
    Form.TIME: Encoder(encode_time, containing_time_range, ">="),
    Form.BOOLEAN: Encoder(encode_boolean),
}

# The largest value Glance can store for a numeric field, and so the largest
# bound it can compare with (each range rule's `stored_max`). Measured on
# Glance 33: `size_max` or `size_min` of 2**63 or more answers HTTP 500 (the
# column is a signed 64-bit integer), 2**63 - 1 works; `min_ram` and
# `min_disk` above 2**31 - 1 are refused when an image is written ("value out
# of range"), so no stored value exceeds it (a filter above it answers an
# empty list on SQLite; other databases may refuse it). Sizes are never
# negative. `limit` takes any value from 0 up (2**64 answers a capped page; a
# negative one is a 400), and imgql sends only page sizes of at least 1.
_SIZE_MAX = 2**63 - 1
_INT_COLUMN_MAX = 2**31 - 1


# What share of a catalog one pushed filter is expected to select, for the
# planner to weigh a union against one wider request before any request is
# made (the executor's probe then decides on the catalog itself). The figures
# describe a public cloud: thousands of public and community images, a
# project's few private and shared ones, nearly every image active, bare and
# unprotected. Equality on a value named here uses its row; on another value
# of a field named in FIELD_SHARES, that field's row; on any other field
# (custom properties), OTHER_SHARE. A bound on an ordered field selects
# RANGE_SHARE, an exact size or time EXACT_SHARE.
VALUE_SHARES: Mapping[tuple[str, str], float] = {
    ("visibility", "public"): 0.55,
    ("visibility", "community"): 0.35,
    ("visibility", "private"): 0.05,
    ("visibility", "shared"): 0.05,
    ("status", "active"): 0.9,
    ("protected", "false"): 0.9,
    ("protected", "true"): 0.1,
    ("container_format", "bare"): 0.9,
    ("disk_format", "qcow2"): 0.5,
    ("disk_format", "raw"): 0.3,
    ("os_type", "linux"): 0.85,
    ("os_type", "windows"): 0.1,
    ("os_hidden", "false"): 0.9,
}
FIELD_SHARES: Mapping[str, float] = {
    "visibility": 0.25,
    "status": 0.05,
    "protected": 0.5,
    "container_format": 0.05,
    "disk_format": 0.1,
    "os_type": 0.05,
    "os_distro": 0.2,
    "min_ram": 0.25,
    "min_disk": 0.25,
    "tags": 0.1,
    "owner": 0.05,
    "name": 0.002,
    "id": 0.0001,
    "checksum": 0.0001,
    "os_hash_value": 0.0001,
    "os_hash_algo": 0.9,
}
OTHER_SHARE = 0.2
RANGE_SHARE = 0.5
EXACT_SHARE = 0.002
# A union is planned only when its branches together are expected to list at
# most this share of what the wider request lists: each branch is one more
# request, and branches may overlap (Glance has no negated filter that would
# keep them apart), so a union must save much to be worth its requests.
UNION_SHARE = 0.5


def _rule(
    param: str, form: Form, *ops: str, min_param: str = "", max_param: str = "", stored_max: int | None = None
) -> Rule:
    return Rule(param, form, frozenset(ops), min_param, max_param, stored_max)


@attrs.frozen
class Profile:
    """What one target can answer, as data: for each field (by canonical
    name) the :class:`Rule` that filters it, whether other names are sent as
    custom-property equality, the keys it sorts by, and the limits of paging
    and unions. The planner reads a profile and has no branch per profile;
    the built-in ones are in ``PROFILES`` (``glance``, ``documented``,
    ``none``), and any other may be passed to ``plan``.
    """

    name: str
    description: str
    rules: Mapping[str, Rule]  # by canonical field name
    # Other names (custom properties and the core columns listed in
    # `property_fields`) filtered by exact string equality: os_distro=ubuntu.
    custom_properties: bool
    property_fields: frozenset[str]
    sort_keys: frozenset[str]
    # The largest page the server serves; it silently caps larger limits.
    max_page_size: int = 1000
    # A union of more requests than this is not worth it; one wider request
    # with client-side filtering is made instead.
    max_union: int = 4
    # A union whose branches are expected to list more than this share of
    # what the wider request lists is not planned (see UNION_SHARE).
    union_share: float = UNION_SHARE
    # Limits and sorting may be sent to the server.
    server_limit: bool = True


# Names that are parameters of the listing itself: a custom property of the
# same name cannot be filtered by the API, the parameter would be read instead.
RESERVED_PARAMS = CORE_RECORD_KEYS | frozenset(
    {
        "limit",
        "marker",
        "sort",
        "sort_key",
        "sort_dir",
        "member_status",
        "tag",
        "size_min",
        "size_max",
        "page",
        "page_size",
    }
)

# Names a real Glance reads as something other than a custom property, so a
# property of that name cannot be filtered: attributes of its image model
# (compared as columns, or not comparable at all), parameters it refuses
# (changes-since) or overwrites (deleted).
NOT_PROPERTY_PARAMS = (
    frozenset(
        {
            "changes-since",
            "deleted",
            "deleted_at",
            "delete",
            "get",
            "items",
            "iteritems",
            "keys",
            "members",
            "metadata",
            "properties",
            "registry",
            "save",
            "to_dict",
            "update",
            "values",
        }
        # A custom property named like a field or an alias (`property.created`)
        # is compared on the client: its parameter would name something else.
    )
    | frozenset(PROPERTY_PREFIX + f.name for f in FIELDS)
    | frozenset(PROPERTY_PREFIX + a for f in FIELDS for a in f.aliases)
)

# Glance reads any parameter ending in one of these as a range on the column
# named by the rest (`foo_min=3` is `foo >= 3`, an error for a custom property).
RANGE_SUFFIXES = ("_min", "_max")

_ORDERED = ("=", "<", "<=", ">", ">=")

_SHARED_RULES: dict[str, Rule] = {
    "owner": _rule("owner", Form.PLAIN, "="),
    "protected": _rule("protected", Form.BOOLEAN, "=", "!="),
    "tags": _rule("tag", Form.REPEATED, "="),
    "size": _rule("size", Form.RANGE, *_ORDERED, min_param="size_min", max_param="size_max", stored_max=_SIZE_MAX),
    "created_at": _rule("created_at", Form.TIME, "<", "<=", ">", ">=", "="),
    "updated_at": _rule("updated_at", Form.TIME, "<", "<=", ">", ">=", "="),
    "visibility": _rule("visibility", Form.PLAIN, "="),
}

# Sort keys whose nulls Glance confuses with a real value when paging (null
# read as 0 or ''), with the parameters whose presence rules nulls out.
# Measured on Glance 33: `sort=size:asc` with a page of 9 returned 9 of 169
# images; `sort=size:desc` returned the same pages again and again.
NULL_CONFLATED_SORT_KEYS: Mapping[str, frozenset[str]] = {
    "size": frozenset({"size_min", "size_max"}),
    "name": frozenset({"name"}),
}

GLANCE = Profile(
    name="glance",
    description="what a real Glance accepts: in: lists, eq: for values with a colon, custom-property equality",
    rules={
        **_SHARED_RULES,
        "name": _rule("name", Form.OPERATOR, "=", "in"),
        "id": _rule("id", Form.OPERATOR, "=", "in"),
        "status": _rule("status", Form.OPERATOR, "=", "in"),
        "disk_format": _rule("disk_format", Form.OPERATOR, "=", "in"),
        "container_format": _rule("container_format", Form.OPERATOR, "=", "in"),
        # Glance reads any `<column>_min`/`_max` as an inclusive bound on that
        # column (measured: `min_ram_min=600&min_ram_max=8192` lists 1024,
        # 2048 and 8192; a non-integer is a 400).
        "min_ram": _rule(
            "min_ram",
            Form.RANGE,
            *_ORDERED,
            min_param="min_ram_min",
            max_param="min_ram_max",
            stored_max=_INT_COLUMN_MAX,
        ),
        "min_disk": _rule(
            "min_disk",
            Form.RANGE,
            *_ORDERED,
            min_param="min_disk_min",
            max_param="min_disk_max",
            stored_max=_INT_COLUMN_MAX,
        ),
    },
    custom_properties=True,
    property_fields=frozenset({"os_distro", "os_type", "checksum", "os_hash_algo", "os_hash_value"}),
    sort_keys=frozenset(
        {"name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at"}
    ),
)

DOCUMENTED = Profile(
    name="documented",
    description="only the parameters on the provider's Listing Images page",
    rules={
        **_SHARED_RULES,
        "name": _rule("name", Form.PLAIN, "="),
        "status": _rule("status", Form.PLAIN, "="),
    },
    custom_properties=False,
    property_fields=frozenset(),
    # The page names these keys in its examples and defaults.
    sort_keys=frozenset({"name", "status", "id", "created_at", "updated_at"}),
)

NONE = Profile(
    name="none",
    description="nothing pushed down: every filter, sort and limit runs on the client",
    rules={},
    custom_properties=False,
    property_fields=frozenset(),
    sort_keys=frozenset(),
    server_limit=False,
)

PROFILES: Mapping[str, Profile] = {p.name: p for p in (GLANCE, DOCUMENTED, NONE)}

# Each range rule's largest stored value, by field (read from the rules; the
# rules are where it is written).
STORED_MAX: Mapping[str, int] = {
    field: rule.stored_max
    for profile in PROFILES.values()
    for field, rule in profile.rules.items()
    if rule.stored_max is not None
}


def profile_names() -> tuple[str, ...]:
    """The names of the built-in profiles, in table order (the command
    line's choices).

    >>> profile_names()
    ('glance', 'documented', 'none')
    """
    return tuple(PROFILES)


def get_profile(profile: str | Profile) -> Profile:
    """The profile named ``profile`` (a :class:`Profile` is returned as it
    is); an unknown name is a :class:`~imgql.errors.PlanError`."""
    if isinstance(profile, Profile):
        return profile
    found = PROFILES.get(profile)
    if found is None:
        raise PlanError(f"unknown profile {profile!r}; profiles: {', '.join(PROFILES)}")
    return found
