"""Which image endpoint to use: :func:`select_endpoint`, the one place that decides.

Keystone answers a token request with a service catalog: every service, each
with endpoints per region and interface. An :class:`EndpointChoice` says
which one is wanted (interface, region, or an override that skips the
catalog); :func:`select_endpoint` applies it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ..errors import ConfigError
from ..untrusted import shortened, visible
from .credentials import check_http_url

__all__ = ["INTERFACES", "EndpointChoice", "image_regions", "select_endpoint"]

logger = logging.getLogger("imgql")

INTERFACES = ("public", "internal", "admin")


def _interface(value: str | None) -> str:
    # Keystone v2 catalogs said "publicURL"; people still write it.
    name = (value or "public").strip().lower().removesuffix("url")
    if name not in INTERFACES:
        raise ConfigError(f"interface {value!r} is not one of: {', '.join(INTERFACES)}")
    return name


def _blank_is_none(value: str | None) -> str | None:
    return value or None


def _override(value: str | None) -> str | None:
    if value:
        check_http_url(value, "the image endpoint override")
    return value or None


@attrs.frozen
class EndpointChoice:
    """Which image endpoint a token is used with."""

    interface: str = attrs.field(default="public", converter=_interface)
    # None: any region (the catalog's first image endpoint on the interface).
    region: str | None = attrs.field(default=None, converter=_blank_is_none)
    # A URL to use instead of the catalog's (OS_IMAGE_URL, image_endpoint_override).
    override: str | None = attrs.field(default=None, converter=_override)


def select_endpoint(catalog: object, choice: EndpointChoice, auth_url: str) -> str:
    """The image endpoint ``choice`` picks from Keystone's ``catalog`` (or its override)."""
    if choice.override:
        return choice.override
    if not isinstance(catalog, list):
        raise ConfigError(
            f"the token from {auth_url} has no service catalog; scope it to a project "
            "(project_name or project_id) or give the image endpoint directly"
        )
    services = [service for service in catalog if isinstance(service, dict)]
    for service in services:
        if service.get("type") != "image":
            continue
        for entry in _endpoints(service):
            url = entry.get("url")
            if _matches(entry, choice) and isinstance(url, str) and url:
                logger.debug("image endpoint from the catalog: %s", url)
                return url
    wanted = f"interface {choice.interface}" + (f", region {choice.region}" if choice.region else "")
    raise ConfigError(
        f"no image endpoint ({wanted}) in the catalog from {auth_url}; the catalog has: {_describe(services)}"
    )


def image_regions(catalog: object, choice: EndpointChoice) -> tuple[str, ...]:
    """The regions with an image endpoint on ``choice``'s interface, in catalog order."""
    found: list[str] = []
    for service in catalog if isinstance(catalog, list) else ():
        if not isinstance(service, dict) or service.get("type") != "image":
            continue
        for entry in _endpoints(service):
            region = entry.get("region_id") or entry.get("region")
            if entry.get("interface") == choice.interface and isinstance(region, str) and region not in found:
                found.append(region)
    return tuple(found)


def _endpoints(service: Mapping[str, Any]) -> list[dict[str, Any]]:
    entries = service.get("endpoints")
    return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []


def _matches(entry: Mapping[str, Any], choice: EndpointChoice) -> bool:
    if entry.get("interface") != choice.interface:
        return False
    # Keystone sends both "region_id" and the older "region"; either may be set.
    return choice.region is None or choice.region in (entry.get("region_id"), entry.get("region"))


def _describe(services: Sequence[Mapping[str, Any]]) -> str:
    """``image: RegionOne/public, RegionOne/internal; compute: ...`` for error messages."""
    if not services:
        return "no services"
    parts = []
    for service in services[:_SHOWN]:
        endpoints = _endpoints(service)
        places = [
            f"{entry.get('region_id') or entry.get('region') or '(no region)'}/{entry.get('interface')}"
            for entry in endpoints[:_SHOWN]
        ]
        if len(endpoints) > _SHOWN:
            places.append(f"and {len(endpoints) - _SHOWN} more")
        parts.append(f"{service.get('type')}: {', '.join(places) or 'no endpoints'}")
    if len(services) > _SHOWN:
        parts.append(f"and {len(services) - _SHOWN} more services")
    return visible(shortened("; ".join(parts), 1000))


# How many services, and endpoints of each, a message lists.
_SHOWN = 12
