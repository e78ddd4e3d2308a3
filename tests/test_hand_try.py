"""The hand-try path of ``python -m tests.glance serve`` (README, Contributing): the commands it
prints work as printed, through the proxy that adds the caller's identity headers."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import time
import urllib.request

import pytest

from tests.glance.fixture import SeededGlance
from tests.glance.identity_proxy import hand_try_commands, identity_proxy
from tests.test_cli_first_use import ROOT, UUID

pytestmark = pytest.mark.glance


def _run_printed(command: str, env: dict[str, str]) -> subprocess.Popen[str]:
    words = shlex.split(command)
    extra: dict[str, str] = {}
    while words and re.match(r"[A-Z_]+=", words[0]):  # `NAME=value command`, as a shell reads it
        name, value = words.pop(0).split("=", 1)
        extra[name] = value
    argv = words
    return subprocess.Popen(
        argv, cwd=ROOT, env={**env, **extra}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_the_printed_commands_work_as_printed(glance: SeededGlance) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    if not (ROOT / ".venv" / "bin" / "imgql").exists():
        pytest.skip("the commands name .venv/bin/imgql: no .venv in this checkout")
    with identity_proxy(glance.url, glance.caller_headers) as proxy:
        query, server = hand_try_commands(proxy)
        run = _run_printed(query, env)
        stdout, stderr = run.communicate(timeout=60)
        assert run.returncode == 0, stderr
        public = {i["id"] for i in glance.seeded.images if i["visibility"] == "public"}
        listed = UUID.findall(stdout)
        assert len(listed) == 3 and set(listed) <= public, stdout
        page = _run_printed(server.replace("--port 8000", "--port 0"), env)
        try:
            address = page.stdout.readline().split()[2] if page.stdout else ""  # "serving on URL ..."
            deadline = time.monotonic() + 30
            while True:
                try:
                    body = json.load(urllib.request.urlopen(f"{address}api/search?q=sort:name", timeout=30))
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            assert body["total"] > 0 and {i["id"] for i in body["images"]} <= {i["id"] for i in glance.seeded.images}
        finally:
            page.terminate()
            page.wait(timeout=10)
