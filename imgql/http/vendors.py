"""Vendor profiles (``profile: ovh`` in clouds.yaml), as openstacksdk ships and fetches them.

A cloud's ``profile:`` names settings it inherits: a ``public-clouds`` entry of
clouds-public.yaml (read by :mod:`imgql.http.clouds`), else one of the vendor
profiles that come with openstacksdk, some of which only point at the
vendor's ``/.well-known/openstack/api`` document. This module asks
openstacksdk for those, so that a profile means what it means to the
``openstack`` CLI; openstacksdk is imported only for a cloud with a profile.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ..errors import ConfigError
from .plugin_auth import missing_package

__all__ = ["vendor_profile"]


def vendor_profile(name: str, where: str) -> dict[str, Any]:
    """The settings of vendor profile ``name``, or a ConfigError saying why there are none."""
    try:
        from openstack import exceptions
        from openstack.config import vendors
    except ImportError as exc:
        needed_for = f"{where}: profile {name!r} (not in a clouds-public.yaml, so a vendor profile of openstacksdk)"
        raise ConfigError(missing_package(exc, "openstacksdk", needed_for, "openstack")) from None
    try:
        profile = vendors.get_profile(name)
        # A vendor file may only name the vendor's site, whose well-known document has the settings.
        nested = profile.pop("profile", None) if profile else None
        if nested:
            profile = vendors.get_profile(nested) or profile
    except (exceptions.SDKException, OSError, ValueError) as exc:
        raise ConfigError(f"{where}: cannot read profile {name!r}: {exc}") from None
    except Exception as exc:  # requests' errors, when a vendor's site cannot be reached
        raise ConfigError(f"{where}: cannot read profile {name!r}: {type(exc).__name__}: {exc}") from None
    if not profile:
        known = ", ".join(sorted(_known_profiles(vendors)))
        raise ConfigError(
            f"{where}: profile {name!r} is neither in a clouds-public.yaml nor one of openstacksdk's vendor "
            f"profiles ({known})"
        )
    status = profile.pop("status", "active")
    message = profile.pop("message", "")
    if status == "shutdown":
        raise ConfigError(f"{where}: profile {name!r} is a cloud that no longer exists: {message}")
    return dict(profile)


def _known_profiles(vendors: ModuleType) -> list[str]:
    """The names of openstacksdk's vendor profiles.

    ``vendors.profiles()`` is recent: openstacksdk 4.13, the last release for
    Python 3.10, has only the private table that function lists.
    """
    profiles = getattr(vendors, "profiles", None)
    if profiles is not None:
        return list(profiles())
    return list(vendors._get_vendor_defaults())
