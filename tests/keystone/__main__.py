"""``python -m tests.keystone install`` / ``python -m tests.keystone serve`` (run from the repo root)."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import time

from tests.glance.server import GlanceStartError

from . import topology as t
from .fixture import KeystoneCloud, keystone_cloud
from .install import InstallError, install, is_installed, venv_dir
from .server import KeystoneStartError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.keystone", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help=f"create the Keystone virtualenv ({venv_dir()})")
    sub.add_parser("serve", help="start Keystone and a Glance behind it, filled and seeded, until Ctrl-C")
    args = parser.parse_args(argv)
    try:
        if is_installed():
            print(f"Keystone already installed in {venv_dir()}")
        else:
            print(f"Installing Keystone into {venv_dir()} ...", flush=True)
            print(f"done in {install():.0f}s")
        if args.command == "serve":
            _serve()
    except (InstallError, KeystoneStartError, GlanceStartError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def _serve() -> None:
    # Turn Ctrl-C / SIGTERM into a normal exit, so the servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with keystone_cloud() as cloud:
        _describe(cloud)
        try:
            while cloud.keystone.process.poll() is None and cloud.glance.process.poll() is None:
                time.sleep(0.5)
            print(f"a server exited:\n{cloud.keystone.log()[-2000:]}\n{cloud.glance.log()[-2000:]}", file=sys.stderr)
        except KeyboardInterrupt:
            print("stopping")


def _describe(cloud: KeystoneCloud) -> None:
    timings = cloud.timings
    print(
        f"Keystone at {cloud.auth_url}, Glance at {cloud.glance.url} "
        f"(ready in {timings.total:.0f}s: bootstrap {timings.bootstrap:.0f}s, populate {timings.populate:.0f}s)"
    )
    print(f"admin: {t.ADMIN_USERNAME} / {t.ADMIN_PASSWORD} on project {t.ADMIN_PROJECT}")
    for account in t.ACCOUNTS:
        print(f"  {account.domain}/{account.username} / {account.password}: {account.role} on {account.project.key}")
    print(f"application credential (alice, demo): {cloud.app_credential_id} / {cloud.app_credential_secret}")
    print("image endpoints:")
    for entry in t.IMAGE_ENDPOINTS:
        print(f"  {entry.region:10} {entry.interface:8} {entry.url(cloud.glance_port)}")
    print(f"  {t.REGION_EMPTY:10} (none)")
    openrc = " ".join(f"{k}={shlex.quote(v)}" for k, v in cloud.password_vars(t.ALICE).items())
    print(f"\nexample:\n  env {openrc} {cloud.openstack_cli} image list")
    print("\nCtrl-C to stop.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
