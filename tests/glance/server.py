"""Glance's WSGI app served by waitress in a subprocess on 127.0.0.1 (and more loopback addresses if asked)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .auth import ADMIN_ROLES, MEMBER_ROLES, auth_headers
from .config import AuthtokenSettings, GlanceConfig, write_config
from .install import venv_bin, venv_dir

_SERVING = re.compile(r"Serving on http://127\.0\.0\.1:(\d+)")
_APP = "glance.wsgi.api:application"
_RECORDER = Path(__file__).with_name("recorder.py")


class GlanceStartError(RuntimeError):
    pass


@dataclass(frozen=True)
class Timings:
    db_sync: float = 0.0
    start: float = 0.0


def db_sync(config: GlanceConfig, venv_path: Path | None = None) -> float:
    started = time.monotonic()
    proc = subprocess.run(
        [str(venv_bin("glance-manage", venv_path)), "--config-file", str(config.api_conf), "db_sync"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=config.directory,
    )
    if proc.returncode != 0:
        raise GlanceStartError(f"glance-manage db_sync failed ({proc.returncode}):\n{proc.stdout[-4000:]}")
    return time.monotonic() - started


@dataclass
class GlanceServer:
    """A running Glance; ``url`` is the API root, e.g. ``http://127.0.0.1:PORT``."""

    url: str
    config: GlanceConfig
    process: subprocess.Popen[bytes]
    log_path: Path
    timings: Timings = field(default_factory=Timings)
    # One JSON object per request (host, method, path, query, status), when started with record=True.
    record_path: Path | None = None
    # True when Glance validates tokens with Keystone instead of trusting X-* headers.
    validates_tokens: bool = False

    def headers(self, project: str, *, user: str | None = None, roles: Iterable[str] = MEMBER_ROLES) -> dict[str, str]:
        return auth_headers(project, user=user, roles=roles)

    def admin_headers(self, project: str = "admin-project") -> dict[str, str]:
        return auth_headers(project, user="admin", roles=ADMIN_ROLES)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def recorded(self, since: int = 0) -> list[dict[str, object]]:
        """The requests recorded from entry number ``since`` on (``len(recorded())`` marks "now")."""
        if self.record_path is None or not self.record_path.exists():
            return []
        lines = self.record_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines[since:]]

    @classmethod
    @contextlib.contextmanager
    def start(
        cls,
        *,
        port: int = 0,
        api_limit_max: int = 1000,
        directory: Path | None = None,
        venv_path: Path | None = None,
        timeout: float = 60.0,
        threads: int = 8,
        keystone: AuthtokenSettings | None = None,
        extra_addresses: Sequence[str] = (),
        record: bool = False,
    ) -> Iterator[GlanceServer]:
        """Configure, migrate and serve a fresh Glance; everything is removed on exit
        unless ``directory`` was given.

        ``keystone``: validate tokens with that Keystone instead of trusting X-* headers.
        ``extra_addresses``: loopback addresses to listen on besides 127.0.0.1, all on the same port.
        ``record``: log every request to ``record_path`` (see :meth:`recorded`)."""
        own_dir = directory is None
        root = Path(tempfile.mkdtemp(prefix="imgql-glance-")) if directory is None else directory
        server: GlanceServer | None = None
        try:
            config = write_config(root, api_limit_max=api_limit_max, keystone=keystone)
            sync_time = db_sync(config, venv_path)
            server = cls._spawn(config, port, venv_path, threads, extra_addresses, record)
            server.validates_tokens = keystone is not None
            server.timings = Timings(db_sync=sync_time, start=server._wait_ready(timeout))
            yield server
        finally:
            if server is not None:
                server.stop()
            if own_dir:
                shutil.rmtree(root, ignore_errors=True)

    @classmethod
    def _spawn(
        cls,
        config: GlanceConfig,
        port: int,
        venv_path: Path | None,
        threads: int,
        extra_addresses: Sequence[str] = (),
        record: bool = False,
    ) -> GlanceServer:
        env = dict(os.environ, OS_GLANCE_CONFIG_DIR=str(config.directory))
        # Our own venv's variables would otherwise shadow the Glance venv's packages.
        for var in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
            env.pop(var, None)
        log_path = config.directory / "server.log"
        if extra_addresses:
            # waitress would pick a different free port per address; one port for all keeps URLs comparable.
            port = port or free_port(("127.0.0.1", *extra_addresses))
            where = [f"--listen={address}:{port}" for address in ("127.0.0.1", *extra_addresses)]
        else:
            where = ["--host=127.0.0.1", f"--port={port}"]
        app = _APP
        record_path = None
        if record:
            record_path = config.directory / "requests.jsonl"
            record_path.touch()
            # waitress puts its working directory on sys.path, so the copy is importable there.
            shutil.copyfile(_RECORDER, config.directory / "imgql_recorder.py")
            env.update(IMGQL_RECORDED_APP=app, IMGQL_RECORD_FILE=str(record_path))
            app = "imgql_recorder:application"
        cmd = [str(venv_bin("waitress-serve", venv_path)), *where, f"--threads={threads}", app]
        with open(log_path, "wb") as log:
            process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=config.directory)
        url = f"http://127.0.0.1:{port}" if extra_addresses else ""
        return cls(url=url, config=config, process=process, log_path=log_path, record_path=record_path)

    def _wait_ready(self, timeout: float) -> float:
        started = time.monotonic()
        deadline = started + timeout
        probe = self.admin_headers()
        # Behind Keystone the header identity is ignored; the version list needs no token.
        probe_path, probe_status = ("/versions", 200) if self.validates_tokens else ("/v2/images?limit=1", 200)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise GlanceStartError(
                    f"Glance exited with status {self.process.returncode} while starting; "
                    f"its output ({self.log_path}):\n{self.log()[-6000:]}"
                )
            if not self.url:
                # Port 0 lets the OS pick a free port; waitress reports which one.
                match = _SERVING.search(self.log())
                if match:
                    self.url = f"http://127.0.0.1:{match.group(1)}"
            if self.url:
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{self.url}{probe_path}", headers=probe, timeout=5).status_code == probe_status:
                        return time.monotonic() - started
            time.sleep(0.1)
        self.stop()
        raise GlanceStartError(f"Glance not ready after {timeout:.0f}s; its output:\n{self.log()[-6000:]}")

    def stop(self, grace: float = 10.0) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(grace)


def default_venv() -> Path:
    return venv_dir()


def free_port(addresses: Sequence[str], attempts: int = 50) -> int:
    """A TCP port free on every one of ``addresses`` (a moment ago: another process may still take it)."""
    for _ in range(attempts):
        with socket.socket() as first:
            first.bind((addresses[0], 0))
            port = int(first.getsockname()[1])
            if all(_can_bind(address, port) for address in addresses[1:]):
                return port
    raise GlanceStartError(f"no port free on all of {', '.join(addresses)}")


def _can_bind(address: str, port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((address, port))
        except OSError:
            return False
        return True
