"""Whether an image record has the shape the API documents, field by field.

The predicate, the sort and :class:`~imgql.run.image.Image` read the known
fields by their documented types (a size is a whole number, tags a list of
strings). A record from a broken or hostile server, or a hand-written
catalog, may hold anything: ``size: "5"`` would make ``size < 5GB`` raise
``TypeError``, ``tags: "notalist"`` would match ``tag = a`` as a substring.
:func:`shape_problem` names the first field of the wrong type; the sources
(the HTTP paging, the offline catalog) refuse such a record with their own
error, naming the image and the field. Custom properties may hold any JSON
value and are not checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..lang import fields as F

__all__ = ["shape_problem"]


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _flag(value: Any) -> bool:
    return isinstance(value, bool)


def _tags(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(tag, str) for tag in value)


_CHECKS: dict[F.Kind, tuple[Callable[[Any], bool], str]] = {
    F.Kind.STRING: (_text, "text"),
    F.Kind.ENUM: (_text, "text"),
    F.Kind.DATETIME: (_text, "a time as text"),
    F.Kind.BYTES: (_whole, "a whole number"),
    F.Kind.BOOLEAN: (_flag, "true or false"),
    F.Kind.TAGS: (_tags, "a list of strings"),
}

# (field, check, what it must be) for every known field of the record.
_FIELDS = tuple(
    (field.name, *_CHECKS[field.kind]) for field in F.FIELDS if field.kind in _CHECKS
)


def shape_problem(record: Mapping[str, Any]) -> str | None:
    """What is wrong with the first known field of the wrong type
    (``"size is '5', not a whole number"``), or None; a null is always allowed."""
    for name, check, expected in _FIELDS:
        value = record.get(name)
        if value is not None and not check(value):
            return f"{name} is {_shown(value)}, not {expected}"
    return None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
