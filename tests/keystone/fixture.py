"""The object behind the ``keystone`` pytest fixture: a Keystone, a Glance that trusts it, and their catalog."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from tests.glance.config import AuthtokenSettings
from tests.glance.fixture import NotInstalled
from tests.glance.fixture import ensure_installed as ensure_glance_installed
from tests.glance.server import GlanceServer, free_port

from . import topology as t
from .config import KeystoneConfig, write_config
from .install import install, is_installed, venv_bin, venv_dir
from .populate import Population, account_token, admin_token, populate, seed_images
from .server import KeystoneServer, bootstrap

__all__ = ["KeystoneCloud", "NotInstalled", "ensure_installed", "keystone_cloud", "short_token_keystone"]


@dataclass(frozen=True)
class Timings:
    bootstrap: float = 0.0
    glance: float = 0.0
    keystone: float = 0.0
    populate: float = 0.0
    seed: float = 0.0
    total: float = 0.0


@dataclass(frozen=True)
class KeystoneCloud:
    """A Keystone with users, projects and an image catalog, and the Glance behind that catalog.

    Every image endpoint (region x interface) has its own loopback address on
    the Glance port; :meth:`listing_addresses` tells which ones received
    ``GET /v2/images`` since a :meth:`mark`.
    """

    keystone: KeystoneServer
    glance: GlanceServer
    glance_port: int
    population: Population
    images: Mapping[str, tuple[str, ...]]  # seeded private image names by project key
    config: KeystoneConfig
    timings: Timings = field(default_factory=Timings)

    # --- where things are

    @property
    def auth_url(self) -> str:
        """Keystone's v3 URL, as OS_AUTH_URL usually holds it."""
        return self.keystone.auth_url

    @property
    def keystone_root(self) -> str:
        return self.keystone.url

    def endpoint(self, region: str, interface: str = "public") -> t.ImageEndpoint:
        return t.endpoint(region, interface)

    def endpoint_url(self, region: str, interface: str = "public") -> str:
        return t.endpoint(region, interface).url(self.glance_port)

    def address_of(self, region: str, interface: str = "public") -> str:
        return t.endpoint(region, interface).address

    def who_listens_at(self, address: str) -> t.ImageEndpoint:
        return next(e for e in t.IMAGE_ENDPOINTS if e.address == address)

    def visible_names(self, project: t.Project) -> set[str]:
        """The image names a member or reader of ``project`` lists: its own and the public one."""
        return {*self.images[project.key], t.PUBLIC_IMAGE}

    # --- what happened

    def mark(self) -> int:
        return len(self.glance.recorded())

    def listing_addresses(self, since: int) -> list[str]:
        """The addresses (no port) of the image listings Glance received since ``since``."""
        return [
            urlsplit(f"http://{entry['host']}").hostname or ""
            for entry in self.glance.recorded(since)
            if str(entry["path"]).rstrip("/").endswith("/v2/images") and entry["method"] == "GET"
        ]

    # --- credentials

    admin_username: str = t.ADMIN_USERNAME
    admin_password: str = t.ADMIN_PASSWORD
    admin_project: str = t.ADMIN_PROJECT
    # Users with their password, domain, project and role: see tests/keystone/topology.py.
    accounts: tuple[t.Account, ...] = t.ACCOUNTS

    @property
    def app_credential_id(self) -> str:
        return self.population.app_credential_id

    @property
    def app_credential_secret(self) -> str:
        return self.population.app_credential_secret

    def token(self, account: t.Account) -> str:
        return account_token(self.auth_url, account)

    def admin_token(self) -> str:
        return admin_token(self.auth_url)

    def revoke(self, token: str) -> None:
        import httpx

        response = httpx.delete(
            f"{self.auth_url}/auth/tokens",
            headers={"X-Auth-Token": self.admin_token(), "X-Subject-Token": token},
            timeout=30,
        )
        if response.status_code != 204:
            raise RuntimeError(f"revoking a token: {response.status_code} {response.text[:300]}")

    def secrets(self) -> tuple[str, ...]:
        """Every password and secret of the cloud: none may appear in a message or a log."""
        return (
            *(a.password for a in t.ACCOUNTS),
            t.ADMIN_PASSWORD,
            self.app_credential_secret,
        )

    # --- environments for a client

    def clean_env(self, home: Path) -> dict[str, str]:
        """This process's environment without any OS_* variable, with ``home`` as HOME
        (so no clouds.yaml of the person running the tests is found)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
        return env

    def password_vars(self, account: t.Account, **extra: str) -> dict[str, str]:
        """An openrc: the OS_* variables of a password login."""
        return {
            "OS_AUTH_URL": self.auth_url,
            "OS_USERNAME": account.username,
            "OS_PASSWORD": account.password,
            "OS_USER_DOMAIN_NAME": account.domain,
            "OS_PROJECT_NAME": account.project.name,
            "OS_PROJECT_DOMAIN_NAME": account.project.domain,
            "OS_IDENTITY_API_VERSION": "3",
            **extra,
        }

    def app_credential_vars(self, **extra: str) -> dict[str, str]:
        return {
            "OS_AUTH_TYPE": "v3applicationcredential",
            "OS_AUTH_URL": self.auth_url,
            "OS_APPLICATION_CREDENTIAL_ID": self.app_credential_id,
            "OS_APPLICATION_CREDENTIAL_SECRET": self.app_credential_secret,
            "OS_IDENTITY_API_VERSION": "3",
            **extra,
        }

    def cloud_auth(self, account: t.Account, *, with_password: bool = True) -> dict[str, str]:
        """The ``auth`` mapping of a clouds.yaml entry for ``account``."""
        auth = {
            "auth_url": self.auth_url,
            "username": account.username,
            "user_domain_name": account.domain,
            "project_name": account.project.name,
            "project_domain_name": account.project.domain,
        }
        if with_password:
            auth["password"] = account.password
        return auth

    def write_clouds(
        self, directory: Path, clouds: Mapping[str, Any], secure: Mapping[str, Any] | None = None
    ) -> dict[str, str]:
        """Write clouds.yaml (and secure.yaml) into ``directory``; returns the variables that point at them."""
        directory.mkdir(parents=True, exist_ok=True)
        clouds_file = directory / "clouds.yaml"
        clouds_file.write_text(yaml.safe_dump({"clouds": dict(clouds)}, sort_keys=False))
        env = {"OS_CLIENT_CONFIG_FILE": str(clouds_file)}
        if secure is not None:
            secure_file = directory / "secure.yaml"
            secure_file.write_text(yaml.safe_dump({"clouds": dict(secure)}, sort_keys=False))
            env["OS_CLIENT_SECURE_FILE"] = str(secure_file)
        return env

    @property
    def openstack_cli(self) -> Path:
        """The reference client: python-openstackclient in Keystone's virtualenv."""
        return venv_bin("openstack")


def ensure_installed() -> None:
    """Install Glance and Keystone into their own environments the first time the suite needs them.

    As for Glance alone: ``IMGQL_SKIP_GLANCE=1`` skips these tests outside CI,
    and a failed install skips them with the reason, except in CI (``CI`` set).
    """
    ensure_glance_installed()
    if is_installed():
        return
    in_ci = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
    if os.environ.get("IMGQL_SKIP_GLANCE", "") not in ("", "0") and not in_ci:
        raise NotInstalled("IMGQL_SKIP_GLANCE is set: the tests marked `keystone` are skipped")
    try:
        install()
    except Exception as error:
        if in_ci:
            raise
        raise NotInstalled(
            f"installing Keystone into {venv_dir()} failed ({error}); run `python -m tests.keystone install` "
            "from the repository root to see why"
        ) from error


@dataclass(frozen=True)
class _KeystoneSide:
    server: KeystoneServer
    population: Population
    bootstrap_seconds: float
    populate_seconds: float


def _start_keystone(config: KeystoneConfig, port: int, glance_port: int) -> _KeystoneSide:
    """Bootstrap, serve and fill Keystone; the catalog only needs Glance's port, not Glance."""
    bootstrap_seconds = bootstrap(
        config, url=f"http://127.0.0.1:{port}", admin_password=t.ADMIN_PASSWORD, region=t.REGION_ONE
    )
    server = KeystoneServer.launch(config, port=port)
    try:
        started = time.monotonic()
        population = populate(server.auth_url, glance_port)
    except BaseException:
        server.stop()
        raise
    return _KeystoneSide(server, population, bootstrap_seconds, time.monotonic() - started)


@contextlib.contextmanager
def keystone_cloud(directory: Path | None = None) -> Iterator[KeystoneCloud]:
    """Start Keystone and Glance, fill the catalog and seed images; everything is removed on exit
    unless ``directory`` was given."""
    ensure_installed()
    started = time.monotonic()
    own_dir = directory is None
    root = Path(tempfile.mkdtemp(prefix="imgql-keystone-")) if directory is None else directory
    try:
        config = write_config(root / "keystone")
        keystone_port = free_port(("127.0.0.1",))
        glance_port = free_port(("127.0.0.1", *(e.address for e in t.IMAGE_ENDPOINTS)))
        authtoken = AuthtokenSettings(auth_url=f"http://127.0.0.1:{keystone_port}", password=t.GLANCE_SERVICE.password)
        # The stack is left last, after the pool has waited for Keystone's side, so it can stop that server.
        with contextlib.ExitStack() as stack, ThreadPoolExecutor(1) as pool:
            # Each side spends seconds in migrations and imports: run them side by side.
            keystone_side = pool.submit(_start_keystone, config, keystone_port, glance_port)
            stack.callback(_stop_started, keystone_side)
            glance = stack.enter_context(
                GlanceServer.start(
                    port=glance_port,
                    directory=root / "glance",
                    keystone=authtoken,
                    extra_addresses=tuple(e.address for e in t.IMAGE_ENDPOINTS),
                    record=True,
                )
            )
            side = keystone_side.result()
            # Glance validates tokens with the glance service user, which populate created.
            before_seed = time.monotonic()
            images = seed_images(side.server.auth_url, glance.url)
            done = time.monotonic()
            timings = Timings(
                bootstrap=side.bootstrap_seconds,
                glance=glance.timings.db_sync + glance.timings.start,
                keystone=side.server.start_seconds,
                populate=side.populate_seconds,
                seed=done - before_seed,
                total=done - started,
            )
            yield KeystoneCloud(
                keystone=side.server,
                glance=glance,
                glance_port=glance_port,
                population=side.population,
                images=images,
                config=config,
                timings=timings,
            )
    finally:
        if own_dir:
            shutil.rmtree(root, ignore_errors=True)


def _stop_started(side: Future[_KeystoneSide]) -> None:
    if side.done() and side.exception() is None:
        side.result().server.stop()


# Just over the minute before expiry in which imgql renews a token: a fresh
# token is usable for a few seconds, then due for renewal, and truly expired
# a minute later.
SHORT_EXPIRATION = 65


@contextlib.contextmanager
def short_token_keystone(cloud: KeystoneCloud, expiration: int = SHORT_EXPIRATION) -> Iterator[KeystoneServer]:
    """A second Keystone on the same database and keys whose tokens expire after ``expiration`` seconds.

    Its tokens are valid everywhere (the first Keystone and Glance accept them), so
    expiry can be tested without waiting an hour.
    """
    config = write_config(cloud.config.directory, expiration=expiration, name="keystone-short.conf")
    with KeystoneServer.serve(config) as server:
        yield server
