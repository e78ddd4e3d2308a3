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
from collections.abc import Iterator, Sequence
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


# keystone-manage's work here takes milliseconds; importing Keystone takes
# seconds. So every command runs in one interpreter, clearing the parsed
# configuration between them (keystone-manage's main parses it, and oslo.config
# refuses to register its command option again once arguments were parsed).
_MANAGE_ALL = """\
import json
import sys
from keystone.cmd import cli
for argv in json.loads(sys.argv[1]):
    cli.CONF.clear()
    cli.main(argv=["keystone-manage", *argv])
"""


def manage(config: KeystoneConfig, *commands: Sequence[str], venv_path: Path | None = None) -> None:
    """Run each of ``commands`` (keystone-manage arguments) with ``config``, in one process."""
    argvs = [["--config-file", str(config.conf), *command] for command in commands]
    cmd = [str(venv_bin("python", venv_path)), "-c", _MANAGE_ALL, json.dumps(argvs)]
    proc = subprocess.run(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=config.directory, env=_server_env(config)
    )
    if proc.returncode != 0:
        names = ", ".join(command[0] for command in commands)
        raise KeystoneStartError(f"keystone-manage {names} failed ({proc.returncode}):\n{proc.stdout[-4000:]}")


def bootstrap(
    config: KeystoneConfig, *, url: str, admin_password: str, region: str, venv_path: Path | None = None
) -> float:
    """Create the database, the keys, the admin user and project and the identity endpoints; returns seconds."""
    started = time.monotonic()
    owner = ("--keystone-user", getpass.getuser(), "--keystone-group", grp.getgrgid(os.getgid()).gr_name)
    identity = f"{url}/v3/"
    manage(
        config,
        ("db_sync",),
        ("fernet_setup", *owner),
        ("credential_setup", *owner),
        (
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
        ),
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
        server = cls.launch(config, port=port, venv_path=venv_path, timeout=timeout)
        try:
            yield server
        finally:
            server.stop()

    @classmethod
    def launch(
        cls, config: KeystoneConfig, *, port: int = 0, venv_path: Path | None = None, timeout: float = 60.0
    ) -> KeystoneServer:
        """Serve an already bootstrapped ``config``; the caller stops it."""
        server = cls._spawn(config, port or free_port(("127.0.0.1",)), venv_path)
        try:
            server.start_seconds = server._wait_ready(timeout)
        except BaseException:
            server.stop()
            raise
        return server

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
