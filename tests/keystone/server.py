"""Keystone's WSGI app served by waitress in a subprocess on 127.0.0.1, after keystone-manage has set it up."""

from __future__ import annotations

import contextlib
import getpass
import grp
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.glance.server import free_port

from .config import KeystoneConfig
from .install import venv_bin

_APP = "keystone.wsgi.api:application"
# Keystone's configuration parser reads sys.argv when the app is imported and
# rejects waitress-serve's options, so waitress is started from Python with
# an empty command line. ``-c`` puts the working directory on sys.path.
_LAUNCH = """\
import sys
listen = sys.argv[1]
sys.argv = sys.argv[:1]
import waitress
import imgql_recorder
waitress.serve(imgql_recorder.application, listen=listen, threads=4)
"""
_RECORDER = Path(__file__).resolve().parents[1] / "glance" / "recorder.py"


class KeystoneStartError(RuntimeError):
    pass


def _server_env(config: KeystoneConfig) -> dict[str, str]:
    env = dict(os.environ)
    # Our own venv's variables would otherwise shadow the Keystone venv's packages.
    for var in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
        env.pop(var, None)
    # The WSGI entry point reads these before it imports anything else.
    env.update(OS_KEYSTONE_CONFIG_DIR=str(config.directory), OS_KEYSTONE_CONFIG_FILES=config.conf.name)
    return env


def manage(config: KeystoneConfig, *args: str, venv_path: Path | None = None) -> None:
    cmd = [str(venv_bin("keystone-manage", venv_path)), "--config-file", str(config.conf), *args]
    proc = subprocess.run(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=config.directory, env=_server_env(config)
    )
    if proc.returncode != 0:
        raise KeystoneStartError(f"keystone-manage {args[0]} failed ({proc.returncode}):\n{proc.stdout[-4000:]}")


def bootstrap(
    config: KeystoneConfig, *, url: str, admin_password: str, region: str, venv_path: Path | None = None
) -> float:
    """Create the database, the keys, the admin user and project and the identity endpoints; returns seconds."""
    started = time.monotonic()
    user, group = getpass.getuser(), grp.getgrgid(os.getgid()).gr_name
    manage(config, "db_sync", venv_path=venv_path)
    owner = ("--keystone-user", user, "--keystone-group", group)
    manage(config, "fernet_setup", *owner, venv_path=venv_path)
    manage(config, "credential_setup", *owner, venv_path=venv_path)
    identity = f"{url}/v3/"
    manage(
        config,
        "bootstrap",
        "--bootstrap-password",
        admin_password,
        "--bootstrap-admin-url",
        identity,
        "--bootstrap-internal-url",
        identity,
        "--bootstrap-public-url",
        identity,
        "--bootstrap-region-id",
        region,
        venv_path=venv_path,
    )
    return time.monotonic() - started


@dataclass
class KeystoneServer:
    """A running Keystone; ``url`` is its root, e.g. ``http://127.0.0.1:PORT`` (the API is under ``/v3``)."""

    url: str
    config: KeystoneConfig
    process: subprocess.Popen[bytes]
    log_path: Path
    record_path: Path
    start_seconds: float = 0.0

    @property
    def auth_url(self) -> str:
        return f"{self.url}/v3"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def recorded(self, since: int = 0) -> list[dict[str, object]]:
        """The requests recorded from entry number ``since`` on (``len(recorded())`` marks "now")."""
        lines = self.record_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines[since:]]

    @classmethod
    @contextlib.contextmanager
    def serve(
        cls, config: KeystoneConfig, *, port: int = 0, venv_path: Path | None = None, timeout: float = 60.0
    ) -> Iterator[KeystoneServer]:
        """Serve an already bootstrapped ``config`` until the block ends."""
        server = cls._spawn(config, port or free_port(("127.0.0.1",)), venv_path)
        try:
            server.start_seconds = server._wait_ready(timeout)
            yield server
        finally:
            server.stop()

    @classmethod
    def _spawn(cls, config: KeystoneConfig, port: int, venv_path: Path | None) -> KeystoneServer:
        env = _server_env(config)
        stem = config.conf.stem
        log_path = config.directory / f"{stem}.log"
        record_path = config.directory / f"{stem}-requests.jsonl"
        record_path.touch()
        # waitress puts its working directory on sys.path, so the copy is importable there.
        shutil.copyfile(_RECORDER, config.directory / "imgql_recorder.py")
        env.update(IMGQL_RECORDED_APP=_APP, IMGQL_RECORD_FILE=str(record_path))
        cmd = [str(venv_bin("python", venv_path)), "-c", _LAUNCH, f"127.0.0.1:{port}"]
        with open(log_path, "wb") as log:
            process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=config.directory)
        return cls(
            url=f"http://127.0.0.1:{port}", config=config, process=process, log_path=log_path, record_path=record_path
        )

    def _wait_ready(self, timeout: float) -> float:
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise KeystoneStartError(
                    f"Keystone exited with status {self.process.returncode} while starting; "
                    f"its output ({self.log_path}):\n{self.log()[-6000:]}"
                )
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/v3", timeout=5).status_code == 200:
                    return time.monotonic() - started
            time.sleep(0.2)
        self.stop()
        raise KeystoneStartError(f"Keystone not ready after {timeout:.0f}s; its output:\n{self.log()[-6000:]}")

    def stop(self, grace: float = 10.0) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(grace)
