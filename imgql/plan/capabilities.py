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

__all__ = [
    "BROAD_FIELDS",
    "DOCUMENTED",
    "GLANCE",
    "NONE",
    "NOT_PROPERTY_PARAMS",
    "NULL_CONFLATED_SORT_KEYS",
    "PROFILES",
    "RANGE_SUFFIXES",
    "RESERVED_PARAMS",
    "STORED_MAX",
    "Form",
    "Profile",
    "Rule",
    "get_profile",
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


@attrs.frozen
class Rule:
    param: str
    form: Form
    ops: frozenset[str]  # imgql operators it answers: = != < <= > >= in
    min_param: str = ""  # for RANGE
    max_param: str = ""


# The largest value Glance can store for a numeric field, and so the largest
# bound it can compare with. Measured on Glance 33: `size_max` or `size_min`
# of 2**63 or more answers HTTP 500 (the column is a signed 64-bit integer),
# 2**63 - 1 works; `min_ram` and `min_disk` above 2**31 - 1 are refused when
# an image is written ("value out of range"), so no stored value exceeds it
# (a filter above it answers an empty list on SQLite; other databases may
# refuse it). Sizes are never negative. `limit` takes any value from 0 up
# (2**64 answers a capped page; a negative one is a 400), and imgql sends
# only page sizes of at least 1, so it needs no row here.
STORED_MAX: Mapping[str, int] = {
    "size": 2**63 - 1,
    "min_ram": 2**31 - 1,
    "min_disk": 2**31 - 1,
}


# Fields whose filters select a large share of a catalog: few distinct values
# (booleans, statuses, formats, visibilities, RAM and disk minimums) or
# ranges. A union whose branch filters one of them is not planned: its
# branches would list most images, often the same ones, and together cost more
# requests than one wider request (at a page of 7 images, `protected = false
# or status = active` made 40 requests where listing everything made 24).
BROAD_FIELDS = frozenset(
    {
        "protected",
        "os_hidden",
        "status",
        "visibility",
        "disk_format",
        "container_format",
        "os_type",
        "min_ram",
        "min_disk",
        "size",
        "virtual_size",
        "created_at",
        "updated_at",
    }
)


def _rule(param: str, form: Form, *ops: str, min_param: str = "", max_param: str = "") -> Rule:
    return Rule(param, form, frozenset(ops), min_param, max_param)


@attrs.frozen
class Profile:
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

_SHARED_RULES: dict[str, Rule] = {
    "owner": _rule("owner", Form.PLAIN, "="),
    "protected": _rule("protected", Form.BOOLEAN, "=", "!="),
    "tags": _rule("tag", Form.REPEATED, "="),
    "size": _rule("size", Form.RANGE, "=", "<", "<=", ">", ">=", min_param="size_min", max_param="size_max"),
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
    },
    custom_properties=True,
    property_fields=frozenset(
        {"os_distro", "os_type", "min_ram", "min_disk", "checksum", "os_hash_algo", "os_hash_value"}
    ),
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


def get_profile(profile: str | Profile) -> Profile:
    if isinstance(profile, Profile):
        return profile
    found = PROFILES.get(profile)
    if found is None:
        raise PlanError(f"unknown profile {profile!r}; profiles: {', '.join(PROFILES)}")
    return found
