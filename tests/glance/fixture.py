"""The object behind the ``glance`` pytest fixture."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from .auth import ADMIN_ROLES, MEMBER_ROLES, auth_headers
from .catalog import CALLER
from .install import install, is_installed, venv_dir
from .seed import SeededCatalog, seed
from .server import GlanceServer


@dataclass(frozen=True)
class SeededGlance:
    server: GlanceServer
    seeded: SeededCatalog

    @property
    def url(self) -> str:
        return self.server.url

    def headers(
        self, project: str = CALLER, *, roles: Iterable[str] = MEMBER_ROLES, user: str | None = None
    ) -> dict[str, str]:
        return auth_headers(project, user=user, roles=roles)

    @property
    def caller_headers(self) -> dict[str, str]:
        return auth_headers(CALLER, roles=MEMBER_ROLES)

    def admin_headers(self, project: str = CALLER) -> dict[str, str]:
        return auth_headers(project, user="admin", roles=ADMIN_ROLES)

    def client(self, project: str = CALLER, *, roles: Iterable[str] = MEMBER_ROLES) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.headers(project, roles=roles), timeout=60)


class NotInstalled(Exception):
    pass


def ensure_installed() -> None:
    """Install Glance into its own environment the first time the suite needs it.

    ``IMGQL_SKIP_GLANCE=1`` skips the real-server tests instead. A failed
    install skips them too, with the reason, except in CI (``CI`` set), where
    it fails loudly: a suite that silently ran without a server proves nothing.
    """
    if is_installed():
        return
    in_ci = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
    if os.environ.get("IMGQL_SKIP_GLANCE", "") not in ("", "0") and not in_ci:
        raise NotInstalled("IMGQL_SKIP_GLANCE is set: the tests marked `glance` are skipped")
    try:
        install()
    except Exception as error:
        if in_ci:
            raise
        raise NotInstalled(
            f"installing Glance into {venv_dir()} failed ({error}); run `python -m tests.glance install` "
            "from the repository root to see why"
        ) from error


@contextmanager
def seeded_glance(*, images: int = 300, api_limit_max: int = 1000) -> Iterator[SeededGlance]:
    ensure_installed()
    with GlanceServer.start(api_limit_max=api_limit_max) as server:
        yield SeededGlance(server=server, seeded=seed(server.url, count=images))
