"""Columns a person asks for (``-c``, ``--sort-column``, ``\\columns``):
refused when they are a typo of a known one, and the sort they ask for."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..errors import Error
from ..lang import fields as F
from ..run.results import DEFAULT_COLUMNS, KNOWN_COLUMNS, LONG_COLUMNS, Column, known_column, resolve_column

__all__ = [
    "ColumnError",
    "check_column_names",
    "check_columns_present",
    "close_names",
    "column_names",
    "columns_for",
    "did_you_mean",
    "record_of",
    "sorted_images",
]


class ColumnError(Error):
    """A column that names nothing: not a heading, a field, nor a property of
    any image listed (a usage error, exit code 2)."""


def column_names() -> list[str]:
    """Every name a column can be asked for by, in the form ``-c`` takes."""
    names = {c.key for c in KNOWN_COLUMNS} | {c.header.lower().replace(" ", "_") for c in KNOWN_COLUMNS}
    names |= {f.name for f in F.FIELDS} | {"project", "tag", "created", "updated", "hidden"}
    return sorted(names)


def close_names(name: str, candidates: Iterable[str]) -> list[str]:
    """The candidates ``name`` is probably a typo of, closest first."""
    lowered = {c.lower(): c for c in candidates}
    return [lowered[m] for m in difflib.get_close_matches(name.strip().lower(), list(lowered), n=3, cutoff=0.75)]


def did_you_mean(found: Sequence[str]) -> str:
    return f"; did you mean {' or '.join(repr(f) for f in found)}?" if found else ""


def check_column_names(names: Sequence[str]) -> None:
    """Refuse a column name that is a typo of a known one (``-c nmae``)."""
    for name in names:
        if not name.strip():
            raise ColumnError("an empty column name")
        if known_column(name) is None:
            close = close_names(name, column_names())
            if close:
                raise ColumnError(f"unknown column {name!r}{did_you_mean(close)}")


def check_columns_present(columns: Sequence[Column], records: Sequence[Mapping[str, Any]]) -> None:
    """A custom-property column that no listed image has is most likely a typo."""
    if not records:
        return
    for column in columns:
        if known_column(column.key) is not None or any(column.key in r for r in records):
            continue
        keys = {str(k) for r in records for k in r}
        raise ColumnError(
            f"unknown column {column.key!r}: not a heading, a field, nor a property of any image listed"
            + did_you_mean(close_names(column.key, keys | set(column_names())))
        )


def columns_for(names: Sequence[str] | None, long: bool) -> tuple[Column, ...]:
    if names:
        check_column_names(names)
        return tuple(resolve_column(n) for n in names)
    return LONG_COLUMNS if long else DEFAULT_COLUMNS


def record_of(image: Any) -> Mapping[str, Any]:
    """The record an image (or a record) shows."""
    raw = getattr(image, "raw", image)
    return raw if isinstance(raw, Mapping) else {}


def _sort_value(value: Any) -> tuple[int, Any]:
    # Missing values last; numbers before text so that mixed columns still sort.
    if value is None:
        return (2, "")
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        return (0, value)
    return (1, str(value).lower() if not isinstance(value, (list, tuple)) else ",".join(map(str, value)))


def _sort_key(key: str) -> Callable[[Any], tuple[int, Any]]:
    return lambda image: _sort_value(record_of(image).get(key))


def sorted_images(images: Iterable[Any], names: Sequence[str], descending: bool = False) -> list[Any]:
    """The images ordered by the given columns, as the openstack CLI's
    ``--sort-column`` does it: on the client, after the query."""
    check_column_names(names)
    keys = [resolve_column(n).key for n in names]
    items = list(images)
    for key in reversed(keys):
        present = [i for i in items if record_of(i).get(key) is not None]
        missing = [i for i in items if record_of(i).get(key) is None]
        present.sort(key=_sort_key(key), reverse=descending)
        # As `order by`: nulls first ascending, last descending (docs/language.md).
        items = present + missing if descending else missing + present
    return items
