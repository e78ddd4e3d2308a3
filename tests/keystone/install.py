"""A separate virtualenv holding Keystone and the reference `openstack` CLI, so their pins never touch imgql's."""

from __future__ import annotations

import os
import subprocess
import time
import venv
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VENV = ".keystone-venv"
# python-openstackclient brings the `openstack` CLI and openstacksdk: the
# clients whose behaviour imgql's credential handling is compared with.
REQUIREMENTS = ("keystone>=30,<31", "waitress>=3", "python-openstackclient")
# Written only after pip succeeded, so an interrupted install is retried.
MARKER = "imgql-keystone-installed"


class InstallError(RuntimeError):
    pass


def venv_dir() -> Path:
    configured = os.environ.get("IMGQL_KEYSTONE_VENV", DEFAULT_VENV)
    path = Path(configured)
    return path if path.is_absolute() else REPO_ROOT / path


def venv_bin(name: str, venv_path: Path | None = None) -> Path:
    return (venv_path or venv_dir()) / "bin" / name


def is_installed(venv_path: Path | None = None) -> bool:
    root = venv_path or venv_dir()
    return (root / MARKER).is_file() and venv_bin("keystone-manage", root).is_file()


def install(venv_path: Path | None = None, *, quiet: bool = True) -> float:
    """Create the venv and install Keystone into it; returns the seconds spent (0 if already there)."""
    root = venv_path or venv_dir()
    if is_installed(root):
        return 0.0
    started = time.monotonic()
    if not venv_bin("python", root).exists():
        venv.EnvBuilder(with_pip=True, clear=False).create(root)
    pip = [str(venv_bin("python", root)), "-m", "pip", "--disable-pip-version-check"]
    if quiet:
        pip.append("-q")
    _run([*pip, "install", *REQUIREMENTS])
    # Importing proves the entry points load, not just that pip exited 0.
    _run([str(venv_bin("python", root)), "-c", "import keystone.server.wsgi, waitress, openstackclient.shell"])
    (root / MARKER).write_text(" ".join(REQUIREMENTS) + "\n")
    return time.monotonic() - started


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise InstallError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}")
