"""A small model of what ``GET /v2/images`` returns, for tests.

It follows the server's own request handling (glance/api/v2/images.py and
glance/db/sqlalchemy/api.py in Glance 33) and the facts in GLANCE.md, for a
regular (non-admin) caller:

- scope: without ``visibility``, public images, the caller's own images and
  images shared with the caller whose membership has ``member_status``
  (accepted by default); other projects' community images only with
  ``visibility=community`` or ``all``. ``os_hidden=true`` lists only hidden
  images, absent or false only the others. Killed and deleted images never
  appear.
- ``name``, ``id``, ``status``, ``disk_format``, ``container_format``: the value
  is split on its first ``:`` into an operator (unless the whole value reads as
  an ISO 8601 time); ``eq`` is equality, ``in`` a list with Glance's quoting
  rules, anything else 400.
- ``tag``: repeatable, stripped of surrounding spaces, every one must be present.
- any ``X_min`` / ``X_max``: inclusive integer bounds on the column X; null
  never matches.
- ``created_at`` / ``updated_at``: ``op:ISO``; the last one given applies;
  compared with the stored time, which may have a fraction of a second while
  records show whole seconds.
- ``protected``, ``owner``, other image columns: equality.
- **any other name** is a custom property compared by exact string equality:
  that is what Glance 33 does with a parameter it does not know (GLANCE.md,
  "any other name"), and it is this model's one decision about unknown
  parameters (:func:`reads_as`). A parameter imgql sends must therefore be one
  the model knows as something else, or be meant as a custom property;
  tests/test_capabilities.py checks every parameter of every profile.
- sort: ``sort=key:dir,...``; ties broken by created_at then id, in the
  direction of the only key when there is one, else descending; nulls first
  ascending.
- paging (:func:`list_page`): ``marker`` is the id of the last image seen
  (400 when no image has it); the page is the images after it in the sort
  order, ``limit`` of them (the deployment's default without one, capped at
  its largest).

Records carry what the server knows and does not show under keys starting
with ``_``: ``_created_at`` / ``_updated_at`` (stored times) and ``_members``
(project -> membership status). They are removed from what is returned.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

Record = Mapping[str, Any]
Params = Sequence[tuple[str, str]]

SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at")
VISIBILITIES = ("community", "public", "private", "shared", "all")
MEMBER_STATUSES = ("pending", "accepted", "rejected", "all")
OPERATOR_FIELDS = ("name", "id", "status", "container_format", "disk_format")
# Columns (and other attributes) of Glance's Image model: a parameter with
# one of these names is compared with the attribute, not a custom property.
COLUMNS = (
    "checksum",
    "container_format",
    "created_at",
    "disk_format",
    "id",
    "min_disk",
    "min_ram",
    "name",
    "os_hash_algo",
    "os_hash_value",
    "os_hidden",
    "owner",
    "protected",
    "size",
    "status",
    "updated_at",
    "virtual_size",
    "visibility",
)
NOT_COMPARABLE = (
    "delete",
    "deleted_at",
    "get",
    "items",
    "iteritems",
    "keys",
    "locations",
    "members",
    "metadata",
    "properties",
    "registry",
    "save",
    "tags",
    "to_dict",
    "update",
    "values",
)
INTEGER_COLUMNS = ("size", "virtual_size", "min_ram", "min_disk")
NEVER_LISTED = ("killed", "deleted")


class BadRequest(Exception):
    """What the server answers with 400."""


class ServerError(Exception):
    """What the server answers with 500 (a parameter it cannot handle)."""


# The parameters that choose the listing rather than filter it.
LISTING_PARAMS = (
    "limit",
    "marker",
    "sort",
    "sort_key",
    "sort_dir",
    "member_status",
    "visibility",
    "os_hidden",
    "tag",
    "changes-since",
    "deleted",
)


def reads_as(name: str) -> str:
    """What the server makes of the parameter ``name``: ``listing`` (scope,
    paging, sorting, tags), ``boolean``, ``range`` (``<column>_min``/``_max``),
    ``time``, ``operator`` (``eq:``/``in:``), ``integer column``, ``column``,
    ``server error`` (an attribute that cannot be compared: a 500), or, for any name it does not know, ``custom
    property`` (GLANCE.md: Glance 33 reads an unknown parameter as a
    custom-property equality)."""
    if name in LISTING_PARAMS:
        return "listing"
    if name == "protected":
        return "boolean"
    if name.endswith(("_min", "_max")):
        return "range"  # on a name that is not a column: a 500
    if name in ("created_at", "updated_at"):
        return "time"
    if name in OPERATOR_FIELDS:
        return "operator"
    if name in NOT_COMPARABLE:
        return "server error"
    if name in INTEGER_COLUMNS:
        return "integer column"
    if name in COLUMNS:
        return "column"
    return "custom property"


def list_images(params: Params, images: Sequence[Record], caller: str) -> list[dict[str, Any]]:
    """The images ``GET /v2/images?params`` returns to a caller of project
    ``caller``: every page, or only the first when ``limit`` is given."""
    items = list(params)
    limit = _pop_last(items, "limit")
    _pop_last(items, "marker")
    found = _listed(items, images, caller)
    if limit is not None:
        found = found[: _page_size(limit, 1000)]
    return [shown(image) for image in found]


def list_page(
    params: Params, images: Sequence[Record], caller: str, *, default_limit: int = 25, max_limit: int = 1000
) -> list[dict[str, Any]]:
    """The one page ``GET /v2/images?params`` returns: after ``marker`` in
    the sort order, ``limit`` images (``default_limit`` without one, at most
    ``max_limit``)."""
    items = list(params)
    limit = _pop_last(items, "limit")
    marker = _pop_last(items, "marker")
    found = _listed(items, images, caller)
    if marker is not None:
        marked = next((image for image in images if image.get("id") == marker), None)
        if marked is None:
            raise BadRequest(f"No image found with ID {marker}")
        keys, dirs = _sorting(list(params))
        found = [image for image in found if _after(image, marked, keys, dirs)]
    size = min(default_limit, max_limit) if limit is None else _page_size(limit, max_limit)
    return [shown(image) for image in found[:size]]


def _page_size(limit: str, largest: int) -> int:
    try:
        size = int(limit)
    except ValueError:
        raise BadRequest("limit param must be an integer") from None
    if size < 0:
        raise BadRequest("limit param must be positive")
    return min(size, largest)


def _after(image: Record, marker: Record, keys: list[str], dirs: list[str]) -> bool:
    """Whether ``image`` comes after ``marker`` in the order (nulls below
    everything: Glance's reading of a null marker value as 0 or '' is not
    modelled, since imgql never pages such an order, docs/planning.md 5)."""
    for key, direction in zip(keys, dirs, strict=True):
        mine, theirs = sort_value(image, key), sort_value(marker, key)
        if mine != theirs:
            return (mine > theirs) == (direction == "asc")
    return False


def _listed(items: list[tuple[str, str]], images: Sequence[Record], caller: str) -> list[Record]:
    """Every image the filters and scope of ``items`` list, in order."""
    member_status = _pop_first(items, "member_status") or "accepted"
    if member_status not in MEMBER_STATUSES:
        raise BadRequest(f"Invalid status: {member_status}")
    tags = [value.strip() for key, value in items if key == "tag"]
    items = [(k, v) for k, v in items if k != "tag"]
    sort_keys, sort_dirs = _sorting(items)
    items = [(k, v) for k, v in items if k not in ("sort", "sort_key", "sort_dir")]
    filters = dict(items)  # a repeated parameter: the last one applies
    visibility = filters.pop("visibility", None)
    if visibility is not None and visibility not in VISIBILITIES:
        raise BadRequest(f"Invalid visibility value: {visibility}")
    if "changes-since" in filters:
        raise BadRequest('The "changes-since" filter is no longer available on v2.')
    hidden_text = filters.pop("os_hidden", "false").lower()
    if hidden_text not in ("true", "false"):
        raise BadRequest(f"Invalid value '{hidden_text}' for 'os_hidden' filter.")
    filters.pop("deleted", None)  # replaced by the server's own deleted=False
    conditions = [_hidden_is(hidden_text == "true"), *_conditions(filters), *(_has_tag(t) for t in tags)]

    def listed(image: Record) -> bool:
        if image.get("status") in NEVER_LISTED:
            return False
        if not in_scope(image, caller, visibility, member_status):
            return False
        return all(condition(image) for condition in conditions)

    return _sorted([image for image in images if listed(image)], sort_keys, sort_dirs)


def shown(image: Record) -> dict[str, Any]:
    """The record as the API shows it."""
    return {k: v for k, v in image.items() if not k.startswith("_")}


# -- scope --------------------------------------------------------------------------


def in_scope(image: Record, caller: str, visibility: str | None, member_status: str) -> bool:
    """Whether the listing of ``visibility`` and ``member_status`` holds ``image``."""
    kind = image.get("visibility")
    own = image.get("owner") == caller
    membership = (image.get("_members") or {}).get(caller)
    member = kind == "shared" and membership is not None and member_status in ("all", membership)
    if not (kind in ("public", "community") or own or member):
        return False
    if visibility is None:
        return own or kind != "community"
    return visibility == "all" or kind == visibility


_in_scope = in_scope  # the name tests/test_plan_equivalence.py reads


# -- filters ------------------------------------------------------------------------


def _conditions(filters: dict[str, str]) -> list[Any]:
    out: list[Any] = []
    protected = filters.pop("protected", None)
    if protected is not None:
        if protected not in ("true", "false"):
            raise BadRequest(f"Invalid value '{protected}' for 'protected' filter.")
        out.append(_column_is("protected", protected == "true"))
    for key, value in filters.items():
        out.append(_condition(reads_as(key), key, value))
    return out


def _condition(kind: str, key: str, value: str) -> Any:
    if kind == "range":
        try:
            bound = int(value)
        except ValueError:
            raise BadRequest("Unable to filter on a range with a non-numeric value.") from None
        if key[:-4] not in COLUMNS:
            raise ServerError(f"Image has no attribute {key[:-4]!r}")
        return _at_least(key[:-4], bound) if key.endswith("_min") else _at_most(key[:-4], bound)
    if kind == "time":
        op, text = split_filter_op(value)
        threshold = parse_isotime(text)
        if threshold is None:
            raise BadRequest(f'Bad "{key}" query filter format. Use ISO 8601 DateTime notation.')
        if op not in _TIME_OPS:
            raise BadRequest("Unable to filter on a unknown operator.")
        return _time_condition(key, op, threshold)
    if kind == "operator":
        op, text = split_filter_op(value)
        if op == "in":
            return _column_in(key, split_filter_value_for_quotes(text))
        if op != "eq":
            raise BadRequest(f"Unable to filter by unknown operator '{op}'.")
        return _column_is(key, text)
    if kind == "server error":
        raise ServerError(f"cannot compare the attribute {key!r} with a value")
    if kind == "integer column":
        return _integer_is(key, value)
    if kind == "column":
        return _column_is(key, value)
    return _property_is(key, value)


def _hidden_is(hidden: bool) -> Any:
    return lambda image: bool(image.get("os_hidden")) is hidden


def _has_tag(tag: str) -> Any:
    return lambda image: tag in (image.get("tags") or ())


def _column_is(column: str, value: object) -> Any:
    return lambda image: image.get(column) is not None and image.get(column) == value


def _column_in(column: str, values: list[str]) -> Any:
    return lambda image: image.get(column) is not None and image.get(column) in values


def _integer_is(column: str, text: str) -> Any:
    # SQLite compares an integer column with text that reads as a number by value.
    try:
        number = float(text)
    except ValueError:
        return lambda image: False
    return lambda image: isinstance(image.get(column), int) and image.get(column) == number


def _property_is(name: str, value: str) -> Any:
    return lambda image: isinstance(image.get(name), str) and image.get(name) == value


def _at_least(column: str, bound: int) -> Any:
    return lambda image: isinstance(image.get(column), int) and image.get(column) >= bound


def _at_most(column: str, bound: int) -> Any:
    return lambda image: isinstance(image.get(column), int) and image.get(column) <= bound


_TIME_OPS = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "eq": lambda a, b: a == b,
    "neq": lambda a, b: a != b,
}


def _time_condition(key: str, op: str, threshold: dt.datetime) -> Any:
    compare = _TIME_OPS[op]

    def check(image: Record) -> bool:
        stored = stored_time(image, key)
        return stored is not None and bool(compare(stored, threshold))

    return check


def stored_time(image: Record, key: str) -> dt.datetime | None:
    """The time the server holds: the private stored value, else the one shown."""
    stored = image.get("_" + key)
    if isinstance(stored, dt.datetime):
        return stored
    return parse_isotime(image[key]) if isinstance(image.get(key), str) else None


# -- Glance's parsing of filter values ------------------------------------------------------


def _fromisoformat(text: str) -> dt.datetime:
    """Python 3.11's reader on every Python (it stands for Glance's here); 3.10's
    takes neither a Z nor a fraction of other than three or six digits. Kept
    apart from imgql's own (imgql.isotime), since this model checks imgql."""
    if sys.version_info < (3, 11):
        text = re.sub(r"Z\Z", "+00:00", text)
        text = re.sub(r"(?<=:\d\d)\.(\d+)", lambda m: "." + m.group(1)[:6].ljust(6, "0"), text, count=1)
    return dt.datetime.fromisoformat(text)


def parse_isotime(text: str) -> dt.datetime | None:
    try:
        value = _fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def split_filter_op(expression: str) -> tuple[str, str]:
    """glance.common.utils.split_filter_op: the operator before the first
    ``:``, unless the whole value is an ISO 8601 time."""
    left, sep, right = expression.partition(":")
    if not sep:
        return "eq", left
    if parse_isotime(expression) is not None:
        return "eq", expression
    return left, right


def validate_quotes(value: str) -> None:
    open_quotes = True
    for i, ch in enumerate(value):
        if ch != '"':
            continue
        if i and value[i - 1] == "\\":
            continue
        if open_quotes:
            if i and value[i - 1] != ",":
                raise BadRequest(f"Invalid filter value {value}. There is no comma before opening quotation mark.")
        elif i + 1 != len(value) and value[i + 1] != ",":
            raise BadRequest(f"Invalid filter value {value}. There is no comma after closing quotation mark.")
        open_quotes = not open_quotes
    if not open_quotes:
        raise BadRequest(f"Invalid filter value {value}. The quote is not closed.")


_LIST_ITEM = re.compile(
    r"""
    "(                 # a quoted item: anything but quotes and backslashes,
       [^\"\\]*        # or a backslash and the character after it (kept
       (?:\\.          # as written)
        [^\"\\]*)*
     )",?
    | ([^,]+),?        # an unquoted item runs to the next comma
    | ,                # an empty item
    """,
    re.VERBOSE,
)


def split_filter_value_for_quotes(value: str) -> list[str]:
    validate_quotes(value)
    return [quoted or bare for quoted, bare in _LIST_ITEM.findall(value)]


# -- sorting ------------------------------------------------------------------------


def _pop_first(items: list[tuple[str, str]], key: str) -> str | None:
    for index, (k, v) in enumerate(items):
        if k == key:
            del items[index]
            return v
    return None


def _pop_last(items: list[tuple[str, str]], key: str) -> str | None:
    found = [v for k, v in items if k == key]
    items[:] = [(k, v) for k, v in items if k != key]
    return found[-1] if found else None


def _sorting(items: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    sorts = [v for k, v in items if k == "sort"]
    if sorts and any(k in ("sort_key", "sort_dir") for k, _ in items):
        raise BadRequest("Old and new sorting syntax cannot be combined")
    keys: list[str] = []
    dirs: list[str] = []
    if sorts:
        for part in sorts[-1].strip().split(","):
            key, _, direction = part.partition(":")
            key, direction = key.strip(), (direction or "desc").strip()
            if key not in SORT_KEYS:
                raise BadRequest(f"Invalid sort key: {key}. It must be one of the following: {', '.join(SORT_KEYS)}")
            if direction not in ("asc", "desc"):
                raise BadRequest(f"Invalid sort direction: {direction}")
            keys.append(key)
            dirs.append(direction)
    else:
        keys = [v for k, v in items if k == "sort_key"] or ["created_at"]
        dirs = [v for k, v in items if k == "sort_dir"] or ["desc"]
    default = "desc"
    if len(dirs) == 1:
        default = dirs[0]
        dirs = dirs * len(keys)
    for key in ("created_at", "id"):
        if key not in keys:
            keys.append(key)
            dirs.append(default)
    return keys, dirs


def sort_value(image: Record, key: str) -> tuple[Any, ...]:
    """The value the database sorts by; NULL below everything."""
    if key in ("created_at", "updated_at"):
        value: Any = stored_time(image, key)
    else:
        value = image.get(key)
    return (0,) if value is None else (1, value)


def _sorted(images: list[Record], keys: list[str], dirs: list[str]) -> list[Record]:
    out = list(images)
    for key, direction in reversed(list(zip(keys, dirs, strict=True))):
        out.sort(key=lambda image, key=key: sort_value(image, key), reverse=direction == "desc")
    return out
