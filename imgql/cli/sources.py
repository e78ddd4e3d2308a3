"""Where the command line's images come from: the credentials its options
give (read as the openstack CLI reads them), the Catalog or Client they
open, and the places (``--all-regions``, several ``--os-cloud``) joined to a
query as conditions."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..errors import ConfigError
from ..lang.ast import Query
from ..lang.format import format_value
from ..lang.parser import parse
from ..plan.locations import EVERY_REGION
from ..run.image import Image
from .composed import condition, joined, parse_composed

__all__ = [
    "OS_OPTIONS",
    "close_source",
    "dest_of",
    "labelled",
    "open_source",
    "placed",
    "resolve_credentials",
]

# The openstack CLI's global options, read as it reads them: the option names
# the environment variable each one stands for.
OS_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("--os-auth-url", "OS_AUTH_URL", "the Keystone URL (https://keystone.example:5000/v3)"),
    ("--os-username", "OS_USERNAME", "user name"),
    ("--os-user-id", "OS_USER_ID", "user id"),
    ("--os-password", "OS_PASSWORD", "password"),
    ("--os-project-name", "OS_PROJECT_NAME", "project to log in to"),
    ("--os-user-domain-name", "OS_USER_DOMAIN_NAME", "domain of the user"),
    ("--os-user-domain-id", "OS_USER_DOMAIN_ID", "domain id of the user"),
    ("--os-project-domain-name", "OS_PROJECT_DOMAIN_NAME", "domain of the project"),
    ("--os-project-domain-id", "OS_PROJECT_DOMAIN_ID", "domain id of the project"),
    ("--os-domain-name", "OS_DOMAIN_NAME", "a domain to scope to"),
    ("--os-domain-id", "OS_DOMAIN_ID", "a domain id to scope to"),
    ("--os-application-credential-id", "OS_APPLICATION_CREDENTIAL_ID", "application credential id"),
    ("--os-application-credential-name", "OS_APPLICATION_CREDENTIAL_NAME", "application credential name"),
    ("--os-application-credential-secret", "OS_APPLICATION_CREDENTIAL_SECRET", "application credential secret"),
)


def dest_of(option: str) -> str:
    """The attribute argparse keeps an option in."""
    return option.lstrip("-").replace("-", "_")


def resolve_credentials(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> tuple[Any, Any]:
    """The Auth and TLS setting the options give, read as the openstack CLI
    reads them: an option wins over its OS_* variable."""
    from ..http.credentials import StaticAuth
    from ..http.resolve import resolve_auth

    env = dict(os.environ if environ is None else environ)
    for option, variable, _help in OS_OPTIONS:
        value = getattr(args, dest_of(option), None)
        if value:
            env[variable] = value
    if args.project_id:
        env["OS_PROJECT_ID"] = args.project_id
    if args.auth_type:
        env["OS_AUTH_TYPE"] = args.auth_type
    if getattr(args, "auth_cache", None) is not None:
        env["OS_AUTH_CACHE"] = "true" if args.auth_cache else "false"
    if args.os_auth_url and not args.cloud:
        env.pop("OS_CLOUD", None)  # options on the command line beat a cloud from the environment
    if (args.auth_type or "").strip().lower() == "none":
        endpoint = args.endpoint or env.get("OS_IMAGE_URL") or env.get("OS_ENDPOINT")
        if not endpoint:
            raise ConfigError("--os-auth-type none needs the Images API endpoint: pass --os-endpoint URL")
        env.pop("OS_TOKEN", None)
        env.pop("OS_AUTH_TOKEN", None)
        return StaticAuth(endpoint, None), (False if args.insecure else (args.cacert or True))
    # Beside a cloud, every option and OS_* variable replaces the cloud's own
    # value, as in the openstack CLI (whose options default to the variables).
    token = args.token
    if not token and (args.cloud or env.get("OS_CLOUD", "").strip()):
        token = env.get("OS_TOKEN", "").strip() or env.get("OS_AUTH_TOKEN", "").strip() or None
    return resolve_auth(
        args.endpoint,
        token,
        cloud=args.cloud,
        environ=env,
        region=args.region,
        interface=args.interface,
        environment_wins=True,
    )


def _cloud_of(args: argparse.Namespace) -> str | None:
    """The cloud the client's own credentials came from, to label its images
    with (the client is made from those credentials, so it does not know)."""
    if args.endpoint or args.token:
        return None
    cloud: str | None = args.cloud or os.environ.get("OS_CLOUD", "").strip() or None
    if not args.cloud and (args.os_auth_url or os.environ.get("OS_TOKEN", "").strip()):
        return None  # the command line's own login, or a token, beat OS_CLOUD
    return cloud


def open_source(args: argparse.Namespace, profile: str | None = None) -> Any:
    """A Catalog for --catalog, else a Client with the given credentials."""
    # The HTTP stack is imported only here: `imgql plan` starts without it.
    if args.catalog:
        from ..run.catalog import Catalog

        return Catalog(args.catalog, project=args.project_id)
    from ..http.client import Client
    from ..http.credentials import StaticAuth

    auth, verify = resolve_credentials(args)
    args.cloud_label = _cloud_of(args)
    if isinstance(auth, StaticAuth) and not auth.token:
        # Remembered to explain a 401: the server wants a token and none was given.
        args.anonymous_endpoint = auth.endpoint
    options: dict[str, Any] = {"profile": profile or args.profile or "glance", "auth": auth, "verify": verify}
    if args.page_size:
        options["page_size"] = args.page_size
    if args.insecure:
        options["verify"] = False
    elif args.cacert:
        options["verify"] = args.cacert
    if args.timeout is not None:
        options["timeout"] = args.timeout
    if getattr(args, "partial", False):
        options["partial"] = True
    return Client(**options)


def close_source(source: Any) -> None:
    close = getattr(source, "close", None)
    if callable(close):
        close()


def labelled(images: Iterable[Any], cloud: str | None) -> Iterator[Any]:
    """The images, each labelled with the cloud it came from when it has none."""
    for image in images:
        if cloud is not None and isinstance(image, Image) and image.cloud is None:
            image = Image.from_record(image.raw, image.region, cloud)
        yield image


def placed(query: Query | str, args: argparse.Namespace) -> Query:
    """The query with the places the options name (``--all-regions``,
    ``--os-cloud`` given several times) joined to it as conditions, so that
    the options and the query syntax make the same plan: as text, parsed,
    so the same rules hold (``--os-cloud '*'`` is refused as ``cloud in (*)`` is)."""
    parsed = parse(query) if isinstance(query, str) else query
    conditions = _place_conditions(args)
    if not conditions:
        return parsed
    return parse_composed(" else ".join(joined(tier, conditions) for tier in parsed.tiers))


def _place_conditions(args: argparse.Namespace) -> list[str]:
    """The conditions the options stand for, as a query writes them."""
    conditions = []
    if getattr(args, "all_regions", False):
        conditions.append(condition("region", EVERY_REGION))
    clouds = getattr(args, "clouds", None) or []
    if len(clouds) > 1:
        names = ", ".join(format_value("cloud", cloud) for cloud in dict.fromkeys(clouds))
        conditions.append(f"cloud in ({names})")
    return conditions
