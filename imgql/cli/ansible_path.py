"""``imgql ansible-path``: where the bundled Ansible collection ``imgql.openstack`` is.

The collection is package data of ``imgql.ansible`` (the repository's
``ansible-collection/`` folder): the directory printed holds
``ansible_collections/imgql/openstack/``, which is what Ansible looks for
under each entry of ``ANSIBLE_COLLECTIONS_PATH`` (or ``collections_path`` in
ansible.cfg).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..errors import ConfigError

__all__ = ["COLLECTION", "collections_path"]

COLLECTION = ("ansible_collections", "imgql", "openstack")


def collections_path() -> Path:
    """The directory to put in ``ANSIBLE_COLLECTIONS_PATH``."""
    try:
        root = Path(str(resources.files("imgql.ansible")))
    except ModuleNotFoundError:
        root = None
    if root is None or not root.joinpath(*COLLECTION, "galaxy.yml").is_file():
        raise ConfigError("the Ansible collection imgql.openstack is not installed with imgql; reinstall imgql")
    return root
