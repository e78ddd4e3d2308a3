"""One answer from several endpoints: each endpoint's images, merged.

Each endpoint answers the same plan on its own (its own paging, de-duplication
and limit); :func:`merge_endpoints` puts the answers together in the query's
whole order, ``region`` and ``cloud`` keys included, and applies the limit
over them all. An endpoint's limit is a bound on what it can contribute, so
the limit taken there never loses an image the merged answer needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..lang.ast import Query
from ..plan.locations import LOCATION_FIELDS
from ..plan.plan import total_order
from .image import Image
from .predicate import sort_key_function

__all__ = ["merge_endpoints"]


def merge_endpoints(query: Query, answers: Iterable[Sequence[Image]]) -> list[Image]:
    """The images of every endpoint (given in endpoint order) in the query's
    order, ties by id; without an order, endpoint by endpoint."""
    images = [image for answer in answers for image in answer]
    for key in reversed(total_order(query.order_by)):
        images.sort(key=_sort_key(key.field, key.version), reverse=key.descending)
    return images if query.limit is None else images[: query.limit]


def _sort_key(field: str, version: bool = False) -> Callable[[Image], Any]:
    if field in LOCATION_FIELDS:
        return lambda image: getattr(image, field) or ""
    return sort_key_function(field, version)
