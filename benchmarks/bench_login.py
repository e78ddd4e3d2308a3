"""Table 9: one command's wall time with and without the token cache, against the openstack CLI.

Starts the test suite's real Keystone with a Glance behind it
(``tests/keystone``, about a minute) and runs, in turn and ``--runs`` times
each, the same listing as a user types it in a fresh process:

- ``imgql query -f value -c name images`` logging in every time (no cache);
- the same with ``OS_AUTH_CACHE=1`` after one command has kept the token;
- the same with ``OS_TOKEN`` and ``OS_IMAGE_URL`` (no Keystone at all: the floor);
- ``openstack image list -f value -c Name`` (python-openstackclient, Keystone's virtualenv).

Each command's token requests are counted on Keystone's side.

    IMGQL_KEYSTONE_VENV=... IMGQL_GLANCE_VENV=... python -m benchmarks.bench_login --runs 7
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ._common import ROOT, Table, machine, say

__all__ = ["run"]


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {done.stderr[-500:]}")
    return elapsed


def run(runs: int = 7) -> Table:
    sys.path.insert(0, str(ROOT))
    from tests.keystone import topology as t
    from tests.keystone.fixture import keystone_cloud

    imgql = str(Path(sys.executable).parent / "imgql")
    with keystone_cloud() as cloud, tempfile.TemporaryDirectory() as home:
        base = {**cloud.clean_env(Path(home)), "XDG_CACHE_HOME": f"{home}/cache"}
        login = {**base, **cloud.password_vars(t.ALICE)}
        endpoint = cloud.endpoint_url(t.IMAGE_ENDPOINTS[0].region, t.IMAGE_ENDPOINTS[0].interface)
        token = cloud.token(t.ALICE)
        contenders = {
            "imgql, a login per command": ([imgql, "query", "-f", "value", "-c", "name", "images"], login),
            "imgql --os-auth-cache (token kept)": (
                [imgql, "query", "-f", "value", "-c", "name", "images"],
                {**login, "OS_AUTH_CACHE": "1"},
            ),
            "imgql with OS_TOKEN and OS_IMAGE_URL": (
                [imgql, "query", "-f", "value", "-c", "name", "images"],
                {**base, "OS_TOKEN": token, "OS_IMAGE_URL": endpoint},
            ),
            "openstack image list": ([str(cloud.openstack_cli), "image", "list", "-f", "value", "-c", "Name"], login),
        }
        # Warm the disks and the cache: the first command keeps the token.
        for cmd, env in contenders.values():
            _timed(cmd, env)
        times: dict[str, list[float]] = {name: [] for name in contenders}
        logins: dict[str, int] = dict.fromkeys(contenders, 0)
        for _ in range(runs):
            for name, (cmd, env) in contenders.items():
                mark = len(cloud.keystone.recorded())
                times[name].append(_timed(cmd, env))
                logins[name] += sum(
                    1
                    for e in cloud.keystone.recorded(mark)
                    if e["method"] == "POST" and str(e["path"]).rstrip("/").endswith("/auth/tokens")
                )
    table = Table(
        f"9. One listing command, fresh process, {runs} runs each (seconds)",
        ["command", "median", "min", "max", "token requests per command"],
    )
    for name, values in times.items():
        table.add(name, statistics.median(values), min(values), max(values), logins[name] / runs)
    table.notes.append(f"machine: {machine()}")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    say("table 10: one command with and without the token cache ...")
    print(run(args.runs).render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
