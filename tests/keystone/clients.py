"""Run the clients under test as their users do: imgql's CLI, and the `openstack` CLI as the reference."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .install import REPO_ROOT, venv_bin


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def _run(cmd: list[str], env: Mapping[str, str], timeout: float) -> Run:
    clean = {k: v for k, v in env.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run(cmd, env=clean, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def imgql_cli(env: Mapping[str, str], *args: str, timeout: float = 60) -> Run:
    """``python -m imgql.cli ARGS`` with this checkout's imgql (run from the repository root)."""
    return _run([sys.executable, "-m", "imgql.cli", *args], env, timeout)


def imgql_python(env: Mapping[str, str], code: str, timeout: float = 60) -> Run:
    """A Python program using imgql, in a fresh interpreter (its logging set up as the program likes)."""
    return _run([sys.executable, "-c", code], env, timeout)


def imgql_names(env: Mapping[str, str]) -> tuple[Run, set[str]]:
    run = imgql_cli(env, "query", "-f", "json", "images")
    return run, ({image["name"] for image in run.json()} if run.returncode == 0 else set())


def openstack_cli(env: Mapping[str, str], *args: str, timeout: float = 120) -> Run:
    return _run([str(venv_bin("openstack")), *args], env, timeout)


def openstack_names(env: Mapping[str, str]) -> tuple[Run, set[str]]:
    run = openstack_cli(env, "image", "list", "-f", "json")
    return run, ({image["Name"] for image in run.json()} if run.returncode == 0 else set())
