"""Where a listing has got to in its sort order, kept in constant memory.

After a listing starts over from its first page (its marker image was
deleted and no earlier image of the page is left to resume from), the images
returned before must be skipped. When the sort order allows,
:class:`SortPosition` tells them from the sort-key values of the last image
returned, instead of keeping every id returned.
"""

from __future__ import annotations

from ..records import Record
from .paging_effects import Params

__all__ = ["SortPosition", "sort_keys"]


# Sort keys whose record values order as Glance's database orders them:
# times as the API writes them (`2025-10-02T08:30:39Z`, text that sorts as
# the instants do, never null) and ids (lower-case UUIDs).
_PLACEABLE = frozenset(("created_at", "updated_at", "id"))
_SHOWN_TIME = 20


class SortPosition:
    """Where a listing has got to, in its sort order: the sort-key values of
    the last image returned and the ids returned with those same values
    (the server orders times by fractions of a second the records do not
    show, so within one shown value the order is unknown). After a restart
    from the first page, an image placed before that point, or at it and
    among those ids, was returned before: constant memory instead of every
    id returned."""

    def __init__(self, keys: tuple[tuple[str, bool], ...]) -> None:
        self.keys = keys
        self.last: tuple[str, ...] | None = None
        self.ties: set[str] = set()

    @classmethod
    def of(cls, params: Params) -> SortPosition | None:
        """The listing's order as Glance applies it (created_at and id are
        appended when missing), or None when a key's values cannot be ordered
        here as the server orders them."""
        keys = sort_keys(params)
        if keys is None:
            return None
        leading: list[tuple[str, bool]] = []
        for field, descending in keys:
            if field == "id":
                break
            leading.append((field, descending))
        if not leading:
            leading = [("id", keys[0][1])]
        if any(field not in _PLACEABLE for field, _ in leading):
            return None
        return cls(tuple(leading))

    def value(self, record: Record) -> tuple[str, ...] | None:
        values = []
        for field, _ in self.keys:
            value = record.get(field)
            if not isinstance(value, str) or (field != "id" and len(value) != _SHOWN_TIME):
                return None
            values.append(value)
        return tuple(values)

    def returned_before(self, record: Record, image_id: str) -> bool:
        if self.last is None:
            return False
        value = self.value(record)
        if value is None:
            return False
        if value == self.last:
            return image_id in self.ties
        for mine, theirs, (_, descending) in zip(value, self.last, self.keys, strict=True):
            if mine != theirs:
                return mine > theirs if descending else mine < theirs
        return False  # pragma: no cover - equal tuples were handled above

    def advance(self, record: Record, image_id: str) -> None:
        value = self.value(record)
        if value is None:
            return
        if value != self.last:
            self.last = value
            self.ties = set()
        self.ties.add(image_id)


def sort_keys(params: Params) -> tuple[tuple[str, bool], ...] | None:
    """The request's sort keys (field, descending), Glance's defaults added;
    None when the parameters are not understood here."""
    sort = [v for k, v in params if k == "sort"]
    sort_keys = [v for k, v in params if k == "sort_key"]
    sort_dirs = [v for k, v in params if k == "sort_dir"]
    keys: list[tuple[str, bool]] = []
    if sort:
        if len(sort) > 1 or sort_keys or sort_dirs:
            return None
        for part in sort[0].split(","):
            field, _, direction = part.strip().partition(":")
            if direction not in ("", "asc", "desc"):
                return None
            keys.append((field, direction != "asc"))
    elif sort_keys or sort_dirs:
        if len(sort_dirs) not in (0, 1, len(sort_keys)):
            return None
        for n, field in enumerate(sort_keys):
            direction = sort_dirs[n] if len(sort_dirs) == len(sort_keys) else (sort_dirs or ["desc"])[0]
            if direction not in ("asc", "desc"):
                return None
            keys.append((field, direction == "desc"))
    names = [field for field, _ in keys]
    if "created_at" not in names:
        keys.append(("created_at", True))
    if "id" not in names:
        keys.append(("id", True))
    return tuple(keys)
