"""Running one plan at several endpoints: what both clients share.

A query that names regions or clouds (:class:`~imgql.plan.locations.Places`)
runs its plan once per (cloud, region) endpoint. Each endpoint is served by a
client of its own (the same class, options and sleep; the HTTP client of its
cloud, with that cloud's TLS settings), so each has its own paging, retries
and re-authentication; those clients are made once and kept. At most
``concurrency`` requests are in flight across all the places of a query. A
cloud's regions share one Keystone token: the client's own
:class:`~imgql.http.keystone.KeystoneAuth` seen from each region
(``in_region``), whose image endpoint
:func:`~imgql.http.service_catalog.select_endpoint` picks from the catalog.

A place that fails makes the query fail with :class:`~imgql.errors.RegionError`
naming it, unless the client was made with ``partial=True``: then each
failure is a :class:`~imgql.errors.PartialAnswerWarning` and the other places
answer (every place failing is still an error).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence
from typing import Any

import attrs

from ..errors import ConfigError, Error, MultipleFound, NotFound, PartialAnswerWarning, RegionError
from ..plan.locations import EVERY_REGION, Location, Places
from ..plan.plan import Plan
from ..run.answer import exactly_one
from ..run.image import Image
from .credentials import Auth
from .resolve import resolve_auth

__all__ = [
    "Outcome",
    "Partners",
    "clouds_of",
    "each_plan",
    "locations",
    "one_per_region",
    "per_region_plan",
    "region_lister",
    "settle",
    "shares",
]

# What one endpoint gave: its images, or the error it failed with.
Outcome = tuple[Location, "list[Image] | Error"]


def each_plan(plan: Plan) -> Plan:
    """The plan every endpoint runs: the same requests, no places."""
    return attrs.evolve(plan, places=Places())


class Partners:
    """The clients that serve each place of a client's queries, made once.

    Each cloud keeps its own TLS settings (``insecure``, ``cacert``,
    ``verify`` in its clouds.yaml entry), as openstacksdk builds a session
    per cloud: when the owner made its HTTP client, another cloud gets an
    HTTP client of its own, made with that cloud's settings, which reaches
    both its Keystone and its image endpoints. A caller's HTTP client serves
    every place with the caller's settings.
    """

    def __init__(self, owner: Any) -> None:
        self._owner = owner
        self._lock = threading.Lock()
        self._auths: dict[str | None, tuple[Auth, bool | str]] = {}
        self._clients: dict[tuple[str | None, str | None, int], Any] = {}
        self._https: dict[str | None, Any] = {}

    def own(self) -> Location:
        """The client's own place, as far as it is known (for labels)."""
        options = self._owner.options
        return Location(options.cloud, getattr(self._owner._auth, "region", None) or options.region)

    def _is_own(self, cloud: str | None) -> bool:
        return cloud is None or cloud == self._owner.options.cloud

    def auth(self, cloud: str | None) -> Auth:
        """The credentials of ``cloud`` (None: the client's own)."""
        return self._resolved(cloud)[0]

    def _resolved(self, cloud: str | None) -> tuple[Auth, bool | str]:
        if self._is_own(cloud):
            return self._owner._auth, self._owner._verify
        with self._lock:
            found = self._auths.get(cloud)
            if found is None:
                options = self._owner.options
                found = self._auths[cloud] = resolve_auth(cloud=cloud, interface=options.interface)
            return found

    def http(self, cloud: str | None) -> Any:
        """The HTTP client that reaches ``cloud``: its own TLS settings, unless the caller gave one."""
        owner = self._owner
        if self._is_own(cloud) or not owner._owns_http:
            return owner.http
        verify = self._resolved(cloud)[1]
        with self._lock:
            found = self._https.get(cloud)
            if found is None:
                found = self._https[cloud] = owner._http_class(**owner._http_settings(verify))
            return found

    def label(self, location: Location) -> Location:
        """``location`` with the client's own cloud and region filled in, where known."""
        own = self.own()
        if location.cloud is None:
            return Location(own.cloud, location.region or own.region)
        if location.region is None:
            try:
                return Location(location.cloud, getattr(self.auth(location.cloud), "region", None))
            except Error:
                return location
        return location

    def client(self, location: Location, concurrency: int | None = None) -> Any:
        """The client that runs a plan at ``location`` (cloud and region as the query named them),
        with at most ``concurrency`` requests at once (default: the owner's)."""
        share = concurrency or self._owner.options.concurrency
        key = (location.cloud, location.region, share)
        with self._lock:
            found = self._clients.get(key)
        if found is not None:
            return found
        own = self.own().region if self._is_own(location.cloud) else None
        cloud_auth, verify = self._resolved(location.cloud)
        auth = _in_region(cloud_auth, location, own)
        owner = self._owner
        options = attrs.evolve(
            owner.options, auth=auth, verify=verify, cloud=None, region=None, interface=None, concurrency=share
        )
        made = type(owner)(http=self.http(location.cloud), sleep=owner._sleep, options=options)
        # Its HTTP client was made by the owner: the owner's sockets are the ones to cut.
        made._sockets = owner._sockets
        with self._lock:
            return self._clients.setdefault(key, made)

    def stop(self) -> None:
        """Stop every partner's running queries."""
        with self._lock:
            clients = list(self._clients.values())
        for client in clients:
            client._stop_runs()

    def stop_queries(self) -> None:
        """Stop every partner's running queries, leaving the partners open."""
        with self._lock:
            clients = list(self._clients.values())
        for client in clients:
            client._stop_queries()

    def made_http(self) -> list[Any]:
        """The HTTP clients made here for other clouds, for the owner to close."""
        with self._lock:
            made = list(self._https.values())
            self._https.clear()
        return made


def _in_region(auth: Auth, location: Location, own_region: str | None) -> Auth:
    # A fixed endpoint is in the region the client was told it is in (region=...).
    if location.region in (None, own_region) or getattr(auth, "region", None) == location.region:
        return auth
    in_region = getattr(auth, "in_region", None)
    if in_region is None:
        raise ConfigError(
            f"cannot choose region {location.region}: the credentials give one fixed image endpoint; "
            "choosing a region needs Keystone credentials (an auth URL with a password, an application "
            "credential or a token)"
        )
    regional: Auth = in_region(location.region)
    return regional


def shares(concurrency: int, places: int) -> tuple[int, int]:
    """How many places run at once, and how many requests each may have at
    once, so that no more than ``concurrency`` requests are in flight in all."""
    at_once = max(1, min(concurrency, places))
    return at_once, max(1, concurrency // at_once)


def region_lister(auth: Auth) -> Any:
    """``auth`` when it can list its cloud's regions (``regions``/``aregions``); else a ConfigError."""
    if not hasattr(auth, "regions"):
        raise ConfigError(
            "cannot list every region: the credentials give one fixed image endpoint; "
            "`region = *` needs Keystone credentials, whose catalog lists the regions"
        )
    return auth


def clouds_of(places: Places) -> tuple[str | None, ...]:
    return (None,) if places.clouds is None else places.clouds


def locations(places: Places, every: dict[str | None, tuple[str, ...] | Error]) -> list[tuple[Location, Error | None]]:
    """The endpoints ``places`` stands for, each with the error that already
    rules it out; ``every`` is each cloud's regions (for ``region = *``)."""
    if not places.every_region:
        return [(location, None) for location in places.locations()]
    found: list[tuple[Location, Error | None]] = []
    for cloud in clouds_of(places):
        regions = every[cloud]
        if isinstance(regions, Error):
            found.append((Location(cloud, None), regions))
        else:
            found.extend((Location(cloud, region), None) for region in regions)
    return found


def per_region_plan(plan: Plan, per: str) -> Plan:
    """The plan ``one(..., per="region")`` runs: the query's regions, or every region when it names none."""
    if per != "region":
        raise ConfigError(f'per must be "region", not {per!r}')
    if plan.fallbacks:
        raise ConfigError(
            'per="region" takes a query without fallbacks (else): ask each query in turn, '
            "or resolve through a configuration file (imgql lock), which tries them per region"
        )
    places = plan.places
    if places.regions is None:
        places = attrs.evolve(places, regions=(EVERY_REGION,))
    return attrs.evolve(plan, places=places)


def settle(outcomes: Sequence[Outcome], partial: bool) -> list[list[Image]]:
    """Every endpoint's images, in endpoint order; RegionError, or a warning
    per failed place when ``partial``."""
    failures = [(place, result) for place, result in outcomes if isinstance(result, Error)]
    if failures and (not partial or len(failures) == len(outcomes)):
        raise RegionError(failures)
    for place, error in failures:
        warnings.warn(PartialAnswerWarning(place, error), stacklevel=4)
    return [result for _, result in outcomes if not isinstance(result, Error)]


def one_per_region(query_text: str, outcomes: Sequence[Outcome], partial: bool) -> dict[str, Image]:
    """``one(..., per="region")``: region name -> its single image."""
    clouds = {place.cloud for place, _ in outcomes}
    if len(clouds) > 1:
        raise ConfigError('per="region" answers for one cloud at a time: name one cloud, or query each')
    answered = [(place, images) for place, images in outcomes if not isinstance(images, Error)]
    settle(outcomes, partial)
    found: dict[str, Image] = {}
    problems: list[Error] = []
    for place, images in answered:
        try:
            found[place.region or ""] = exactly_one(f"{query_text} (in {place})", iter(images))
        except (NotFound, MultipleFound) as exc:
            problems.append(exc)
    if problems:
        raise type(problems[0])("\n".join(problem.message for problem in problems))
    return found
