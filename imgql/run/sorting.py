"""Sorting image records by the query's keys, on the client.

Nulls come first ascending and last descending; the sort is stable, so ties
keep the order they came in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..lang import fields as F
from ..lang.ast import SortKey
from .record_values import as_text, read_number, read_time
from .versions import version_key

__all__ = ["sort_images", "sort_key_function"]

Image = Mapping[str, Any]


def sort_images(images: list[Image], keys: tuple[SortKey, ...]) -> list[Image]:
    """Sort in place by ``keys``: nulls first ascending and last descending,
    stable, so ties keep the order they came in."""
    for key in reversed(keys):
        images.sort(key=sort_key_function(key.field, key.version), reverse=key.descending)
    return images


def sort_key_function(name: str, version: bool = False) -> Callable[[Image], tuple[Any, ...]]:
    field = F.record_key(name)
    if version:
        return lambda img: _null_first(version_key(as_text(img.get(field))))
    kind = F.lookup(name).kind
    if kind is F.Kind.DATETIME:
        return lambda img: _null_first(read_time(img.get(field)))
    if kind is F.Kind.BYTES:
        return lambda img: _null_first(img.get(field) if isinstance(img.get(field), int) else None)
    if kind is F.Kind.PROPERTY:
        return lambda img: _property_sort_key(img.get(field))
    return lambda img: _null_first(as_text(img.get(field)))


def _null_first(value: Any) -> tuple[Any, ...]:
    return (0,) if value is None else (1, value)


def _property_sort_key(value: Any) -> tuple[Any, ...]:
    """Numbers before text, numbers by value, text by code point. Equal
    numbers written differently (`5` and `5.0`, `10` and `010`) are equal
    keys, so the order's last key, id, decides between them."""
    text = as_text(value)
    if text is None:
        return (0,)
    number = read_number(text)
    if number is not None:
        return (1, number)
    return (2, text)
