"""What a failure of the command line prints and which exit code it gives.

Every failure is one message on stderr and a distinct exit code (listed in
``imgql --help`` and docs/cli.md); a traceback only with ``--debug``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import warnings
from collections.abc import Iterator
from typing import Any, TextIO

from ..errors import (
    AuthenticationError,
    ConfigError,
    ConfigQueryError,
    Error,
    Forbidden,
    MultipleFound,
    NotFound,
    ParameterError,
    QueryError,
    QueryWarning,
    RegionError,
    SearchBoxError,
    ServiceError,
)
from ..untrusted import visible
from .columns import ColumnError
from .findqueries import exit_code_for

__all__ = [
    "EXIT_AUTH",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_SERVICE",
    "EXIT_USAGE",
    "exit_code",
    "explain",
    "safe_flush",
    "silence_stdout",
    "warnings_in_plain_words",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_AUTH = 4
EXIT_SERVICE = 5
EXIT_INTERRUPTED = 130


def exit_code(exc: BaseException) -> int:
    """The exit code for an error (documented in ``imgql --help`` and docs/cli.md)."""
    if isinstance(exc, ConfigQueryError):
        return exit_code_for(exc.problems)
    if isinstance(exc, RegionError) and exc.failures:
        return exit_code(exc.failures[0][1])
    if isinstance(exc, (QueryError, ParameterError, ColumnError, SearchBoxError)):
        return EXIT_USAGE
    if isinstance(exc, (NotFound, MultipleFound)):
        return EXIT_NOT_FOUND
    if isinstance(exc, (AuthenticationError, Forbidden, ConfigError)):
        return EXIT_AUTH
    if isinstance(exc, ServiceError):
        return EXIT_SERVICE
    return EXIT_ERROR


_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def explain(exc: Error, args: argparse.Namespace) -> str:
    """The message to print for an error: a 401 to a request sent without a
    token says which option gives one; a server's HTML is reduced to text."""
    endpoint = getattr(args, "anonymous_endpoint", None)
    if isinstance(exc, AuthenticationError) and exc.status_code == 401 and endpoint:
        return (
            f"the Images API at {endpoint} wants a token (HTTP 401) and none was given: "
            "pass --os-token TOKEN (or set OS_TOKEN), or log in through Keystone with "
            "--os-cloud NAME or --os-auth-url URL and a user (see imgql --help)"
        )
    message = str(exc)
    if isinstance(exc, ServiceError) and _TAG.search(message):
        message = re.sub(r"[ \t]{2,}", " ", _TAG.sub(" ", message)).replace(" :", ":").strip()
    return message


@contextlib.contextmanager
def warnings_in_plain_words() -> Iterator[None]:
    """Query warnings (a near-miss field name, a `%` in a like pattern) on
    stderr as `imgql: warning: ...`, each once however many layers parse the
    same text, instead of Python's format with a source file and line."""
    default_show = warnings.showwarning
    shown: set[str] = set()

    def show(message: Warning | str, category: type[Warning], *rest: Any, **kwargs: Any) -> None:
        if not issubclass(category, QueryWarning):
            default_show(message, category, *rest, **kwargs)
        elif str(message) not in shown:
            shown.add(str(message))
            print(f"imgql: warning: {visible(str(message), keep_lines=True)}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("always", QueryWarning)
        warnings.showwarning = show
        yield


def safe_flush(stream: TextIO) -> None:
    with contextlib.suppress(OSError, ValueError):
        stream.flush()


def silence_stdout() -> None:
    """Send what is still written to stdout nowhere: its reader went away."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
