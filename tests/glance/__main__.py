"""``python -m tests.glance install`` / ``python -m tests.glance serve`` (run from the repo root)."""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
import time
from collections import Counter

from .auth import ADMIN_ROLES, MEMBER_ROLES, auth_headers
from .identity_proxy import hand_try_commands, identity_proxy
from .install import InstallError, install, is_installed, venv_dir
from .seed import seed
from .server import GlanceServer, GlanceStartError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.glance", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help=f"create the Glance virtualenv ({venv_dir()})")
    serve = sub.add_parser("serve", help="start a seeded Glance on 127.0.0.1 until Ctrl-C")
    serve.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    serve.add_argument("--images", type=int, default=300, help="how many images to seed (0: none)")
    serve.add_argument("--api-limit-max", type=int, default=1000)
    args = parser.parse_args(argv)
    try:
        _ensure_installed()
        if args.command == "serve":
            _serve(args.port, args.images, args.api_limit_max)
    except (InstallError, GlanceStartError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def _ensure_installed() -> None:
    if is_installed():
        print(f"Glance already installed in {venv_dir()}")
        return
    print(f"Installing Glance into {venv_dir()} ...", flush=True)
    print(f"done in {install():.0f}s")


def _serve(port: int, images: int, api_limit_max: int) -> None:
    # Turn Ctrl-C / SIGTERM into a normal exit, so the server is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with GlanceServer.start(port=port, api_limit_max=api_limit_max) as server:
        print(f"Glance at {server.url} (db_sync {server.timings.db_sync:.1f}s, start {server.timings.start:.1f}s)")
        if images:
            catalog = seed(server.url, count=images)
            kinds = Counter(image["visibility"] for image in catalog.images)
            print(f"seeded {len(catalog.images)} images in {catalog.seconds:.1f}s: {dict(kinds)}")
            print(f"batch boundaries: {', '.join(catalog.boundaries)}")
        caller = auth_headers("proj-caller", roles=MEMBER_ROLES)
        admin = auth_headers("proj-caller", user="admin", roles=ADMIN_ROLES)
        print("\nNo token: Glance trusts these headers (caller, a non-admin member of proj-caller):")
        print(json.dumps(caller, indent=2))
        print(f"admin: X-Roles: {admin['X-Roles']}")
        flags = " ".join(f"-H {shlex.quote(f'{k}: {v}')}" for k, v in caller.items())
        print(f"\nexample:\n  curl -s {flags} '{server.url}/v2/images?limit=3&sort=name:asc'")
        with identity_proxy(server.url, caller) as proxy:
            print(f"\nTry imgql by hand (from the repository root): {proxy} adds the caller's headers")
            for command in hand_try_commands(proxy):
                print(f"  {command}")
            print("\nCtrl-C to stop.", flush=True)
            try:
                while server.process.poll() is None:
                    time.sleep(0.5)
                print(f"Glance exited ({server.process.returncode}):\n{server.log()[-3000:]}", file=sys.stderr)
            except KeyboardInterrupt:
                print("stopping")


if __name__ == "__main__":
    sys.exit(main())
