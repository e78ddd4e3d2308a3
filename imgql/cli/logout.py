"""``imgql logout``: forget the Keystone token kept between commands."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from .exits import EXIT_OK
from .sources import resolve_credentials

__all__ = ["add_logout_arguments", "cmd_logout"]


def add_logout_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--all", action="store_true", dest="every_login", help="forget every cached token, not only this login's"
    )


def cmd_logout(args: argparse.Namespace, out: TextIO) -> int:
    """Remove the cached token of the login the options name (or every one
    with ``--all``). Makes no request; a token Keystone issued stays valid
    until it expires, as with any client that drops it."""
    from ..http.keystone import KeystoneAuth
    from ..http.token_cache import TokenCache

    cache = TokenCache.default()
    if args.every_login:
        removed = cache.clear()
        plural = "" if removed == 1 else "s"
        print(f"imgql: removed {removed} cached token{plural} from {cache.directory}", file=sys.stderr)
        return EXIT_OK
    auth, _verify = resolve_credentials(args)
    if not isinstance(auth, KeystoneAuth):
        print("imgql: nothing to forget: these credentials do not log in to Keystone", file=sys.stderr)
        return EXIT_OK
    auth.use_token_cache(auth.token_cache or cache)
    if auth.token_cache is None:
        print("imgql: nothing to forget: a given token is never cached", file=sys.stderr)
    elif auth.forget_cached_token():
        print("imgql: logged out: the cached token of this login is removed", file=sys.stderr)
    else:
        print("imgql: no cached token for this login", file=sys.stderr)
    return EXIT_OK
