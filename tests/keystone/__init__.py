"""A real OpenStack Keystone for tests, with a Glance that validates its tokens: install, configure, serve, fill."""

from .fixture import KeystoneCloud, NotInstalled, ensure_installed, keystone_cloud, short_token_keystone
from .install import install, is_installed, venv_dir
from .server import KeystoneServer, KeystoneStartError

__all__ = [
    "KeystoneCloud",
    "KeystoneServer",
    "KeystoneStartError",
    "NotInstalled",
    "ensure_installed",
    "install",
    "is_installed",
    "keystone_cloud",
    "short_token_keystone",
    "venv_dir",
]
