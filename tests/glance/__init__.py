"""A real OpenStack Glance for tests: install, configure, serve, seed."""

from .auth import ADMIN_ROLES, MEMBER_ROLES, auth_headers
from .install import install, is_installed, venv_dir
from .seed import SeededCatalog, list_all, seed
from .server import GlanceServer, GlanceStartError
from .visibility import visible_to_caller

__all__ = [
    "ADMIN_ROLES",
    "MEMBER_ROLES",
    "GlanceServer",
    "GlanceStartError",
    "SeededCatalog",
    "auth_headers",
    "install",
    "is_installed",
    "list_all",
    "seed",
    "venv_dir",
    "visible_to_caller",
]
