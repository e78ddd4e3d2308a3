"""Where a query runs: the ``region`` and ``cloud`` conditions, taken out of it.

``region`` and ``cloud`` are not fields of an image record and nothing about
them is sent to the Images API: they choose the endpoints the query runs
against. :func:`split_places` takes the top-level ``region``/``cloud``
conjuncts out of a checked query and returns them as :class:`Places`, with
the query every endpoint runs (the rest of the predicate; the order without
the place keys, which are constant within one endpoint). The planner plans
that query once; the HTTP layer runs the plan once per (cloud, region)
endpoint and merges the answers (:mod:`imgql.run.locations`).
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from ..lang import fields as F
from ..lang.ast import And, Compare, Expr, InList, Query
from ..lang.format import format_sort_key

__all__ = ["EVERY_REGION", "PLACE_FIELDS", "Location", "Place", "Places", "describe_places", "split_places"]

EVERY_REGION = F.EVERY_REGION
PLACE_FIELDS = frozenset(f.name for f in F.FIELDS if f.kind is F.Kind.LOCATION)


@attrs.frozen(order=True)
class Place:
    """One endpoint's place: a cloud (a clouds.yaml name) and a region; None
    where the client's own is meant (or not known)."""

    cloud: str | None = None
    region: str | None = None

    def __str__(self) -> str:
        region = f"region {self.region}" if self.region else "the client's region"
        return f"{region} of cloud {self.cloud}" if self.cloud else region


# The name `Place` had, still read outside the plan layer.
Location = Place


@attrs.frozen
class Places:
    """The places a query names: ``clouds`` and ``regions`` as listed (None:
    the client's own); ``regions == ("*",)`` is every region of each cloud
    that has an image endpoint, known only from the Keystone catalog."""

    clouds: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None

    @property
    def named(self) -> bool:
        """Whether the query names any place (else it runs where the client is)."""
        return self.clouds is not None or self.regions is not None

    @property
    def every_region(self) -> bool:
        return self.regions == (EVERY_REGION,)

    @property
    def empty(self) -> bool:
        """Conditions that exclude each other: no endpoint at all."""
        return self.clouds == () or self.regions == ()

    def endpoints(self, every_region: Iterable[str] = ()) -> tuple[Place, ...]:
        """The endpoints, cloud by cloud in the order named, then region by
        region; ``every_region`` is what ``*`` stands for."""
        regions: tuple[str | None, ...]
        if self.regions is None:
            regions = (None,)
        elif self.every_region:
            regions = tuple(every_region)
        else:
            regions = self.regions
        clouds: tuple[str | None, ...] = (None,) if self.clouds is None else self.clouds
        return tuple(Place(cloud, region) for cloud in clouds for region in regions)

    # The name `endpoints` had, still read outside the plan layer.
    locations = endpoints


def split_places(query: Query) -> tuple[Places, Query]:
    """The places a checked query names, and the query each endpoint runs."""
    where = query.where
    parts = where.operands if isinstance(where, And) else (() if where is None else (where,))
    named: dict[str, tuple[str, ...] | None] = {name: None for name in PLACE_FIELDS}
    kept: list[Expr] = []
    for part in parts:
        if isinstance(part, (Compare, InList)) and part.field in PLACE_FIELDS:
            values = (part.value,) if isinstance(part, Compare) else part.values
            named[part.field] = _both(named[part.field], tuple(str(v) for v in values))
        else:
            kept.append(part)
    places = Places(named["cloud"], named["region"])
    order = tuple(key for key in query.order_by if key.field not in PLACE_FIELDS)
    if not places.named:
        # One endpoint: its region and cloud are the same for every image, so they order nothing.
        return places, query if order == query.order_by else attrs.evolve(query, order_by=order)
    rest: Expr | None = None if not kept else kept[0] if len(kept) == 1 else And(tuple(kept))
    return places, attrs.evolve(query, where=rest, order_by=order)


def _both(earlier: tuple[str, ...] | None, values: tuple[str, ...]) -> tuple[str, ...]:
    """Two conditions on the same place: the names both allow, in the order
    first written; ``*`` allows every name."""
    if earlier is None or earlier == (EVERY_REGION,):
        return values
    if values == (EVERY_REGION,):
        return earlier
    return tuple(name for name in earlier if name in values)


def describe_places(places: Places, query: Query) -> list[str]:
    """The lines of ``explain()`` that say where the query runs."""
    if places.empty:
        return ["no endpoint: the region or cloud conditions exclude each other"]
    clouds = ", ".join(places.clouds) if places.clouds is not None else "the client's cloud"
    if places.every_region:
        regions = "every region with an image endpoint in the Keystone catalog"
    elif places.regions is None:
        regions = "the client's region"
    else:
        regions = ", ".join(places.regions)
    lines = [f"endpoints: {regions}; in {clouds}"]
    if not places.every_region:
        count = len(places.endpoints())
        lines = ["endpoints:"] + [f"  {place}" for place in places.endpoints()]
        if count > 1:
            lines.append(f"{count} endpoints, run concurrently, each with the requests below:")
    else:
        lines.append("each runs the requests below, concurrently")
    lines.append("  (images are de-duplicated within an endpoint only: the same id in two regions is two images)")
    order = ", ".join(format_sort_key(key) for key in query.order_by)
    merged = f"merged by {order}, then id" if order else "merged endpoint by endpoint, in the order above"
    limit = "" if query.limit is None else f"; then the limit {query.limit} over them all"
    lines.append(f"  answers {merged}{limit}")
    return lines
