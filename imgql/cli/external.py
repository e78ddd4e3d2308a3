"""``imgql external``: Terraform's ``external`` data source protocol.

    data "external" "ubuntu" {
      program = ["imgql", "external", "--os-cloud", "prod"]
      query = {
        query  = "images where os_distro = $distro order by created_at desc limit 1"
        distro = "ubuntu"
      }
    }

Terraform writes the ``query`` argument to the program's stdin as one JSON
object whose values are strings, and reads one JSON object of strings from
its stdout. Here the key ``query`` is the imgql query, ``per`` may be
``region``, and every other key is a bound parameter (``$name``), read with
its field's type as ``-p NAME=VALUE`` is. The query runs with exactly-one
semantics against the source the command's options name; the answer is the
image as :func:`imgql.run.flat.flat` spells it, plus ``id.REGION`` per region
with ``per = "region"``.

A failure of any kind is one line on stderr, a non-zero exit code (those of
``imgql --help``) and nothing on stdout: Terraform shows that line as the
data source's error.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Mapping
from typing import Any, TextIO

import attrs

from ..errors import ConfigError, Error, ParameterError, PartialAnswerWarning, QueryWarning
from ..lang.ast import Query
from ..run.flat import flat
from .exits import EXIT_ERROR, exit_code, explain
from .sources import open_source, placed

__all__ = ["ExternalRequest", "InputError", "answer", "cmd_external", "locked_answer", "one_line", "read_request"]

# Keys of the input that are not parameters of the query.
RESERVED = ("query", "per")


class InputError(ParameterError):
    """The input is not what the external data source protocol sends."""


@attrs.frozen
class ExternalRequest:
    """What Terraform asked for: the query, its parameters (strings), and ``per``."""

    query: str
    params: Mapping[str, str] = attrs.field(factory=dict)
    per: str | None = None


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return "an object"


def read_request(text: str) -> ExternalRequest:
    """The request in ``text`` (the program's stdin); InputError when it breaks the protocol."""
    if not text.strip():
        data: Any = {}
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"the input is not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(data, dict):
        raise InputError(f"the input must be one JSON object of strings, not {_kind(data)}")
    for key, value in data.items():
        if not isinstance(value, str):
            raise InputError(
                f'the value of "{key}" is {_kind(value)}; every value must be a string, as Terraform sends them'
            )
    query = data.get("query", "").strip()
    if not query:
        raise InputError(
            'the input has no "query": set query = { query = "images where ..." } in the data source '
            "(other keys give the query's $parameters)"
        )
    per = data.get("per", "").strip() or None
    if per not in (None, "region"):
        raise InputError(f'per must be "region" (or left out), not "{per}"')
    params = {key.lstrip("$"): value for key, value in data.items() if key not in RESERVED}
    return ExternalRequest(query, params, per)


def answer(
    request: ExternalRequest, source: Any, query: str | Query | None = None, own_region: str | None = None
) -> dict[str, str]:
    """The flat answer to ``request`` from ``source`` (a Client or a Catalog);
    ``query`` is the request's query with the command line's places joined to it."""
    from ..run.catalog import Catalog

    asked = request.query if query is None else query
    if request.per is None:
        return flat(source.one(asked, **request.params))
    if isinstance(source, Catalog):
        raise ConfigError('per = "region" needs a cloud (regions come from its Keystone catalog), not a catalog file')
    images = source.one(asked, per="region", **request.params)
    if not images:
        raise ConfigError("the query found no region to answer from")
    # The top-level fields describe the image of the client's own region, when it is one of them.
    base = images.get(own_region) if own_region in images else next(iter(images.values()))
    found = flat(base)
    for region, image in images.items():
        found[f"id.{region}"] = image.id
    return found


def locked_answer(request: ExternalRequest, source: Any, lock_path: str) -> dict[str, str]:
    """The flat answer from the image a lock file pinned for the request's
    query (its canonical text, parameters bound, as `imgql lock` writes it):
    the same id on every refresh until the lock is upgraded. A pin that can
    no longer be deployed is an error naming the image the query now picks."""
    from .lockfile import read_lock
    from .pinning import NotLocked, canonical_query, through_lock

    if request.per is not None:
        raise ConfigError('--lock answers one image; per = "region" is not taken with it')
    query = canonical_query(request.query, request.params)
    lock = read_lock(lock_path)
    entries = [entry for entry in lock.entries if entry.query == str(query)]
    if not entries:
        raise NotLocked(f"the lock {lock_path} holds no entry for the query {query}; run `imgql lock` on its file")
    entry = entries[0]
    pins = through_lock(source, lock, entry.file, entry.key, query, lock_path)
    if len({pin.id for pin in pins}) != 1:
        raise ConfigError(f"the lock {lock_path} pins several images for {entry.key} (one per place); name one place")
    return flat(source.one("images where id = $id", id=pins[0].id))


def one_line(message: str) -> str:
    """``message`` on one line, as Terraform shows a program's error best. A
    caret under the query has no meaning on one line; the message's own
    line and column say where."""
    parts = [part.strip() for part in message.splitlines()]
    return "; ".join(part for part in parts if part and set(part) not in ({"^"}, {"~"}, {"^", "~"}))


def cmd_external(args: argparse.Namespace, out: TextIO, stdin: TextIO | None = None) -> int:
    seen: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always", QueryWarning)
            warnings.simplefilter("always", PartialAnswerWarning)
            request = read_request((stdin or sys.stdin).read())
            source = open_source(args)
            try:
                query = request.query if args.catalog else placed(request.query, args)
                lock = getattr(args, "lock", None)
                if lock:
                    result = locked_answer(request, source, lock)
                else:
                    result = answer(request, source, query, _own_region(source, args))
            finally:
                close = getattr(source, "close", None)
                if callable(close):
                    close()
    except Error as exc:
        _debug(args)
        # A warning often says why (a near-miss field name): keep it, on the same line.
        hints = "".join(f" (warning: {one_line(str(warning.message))})" for warning in _ours(seen))
        print(f"imgql: error: {one_line(explain(exc, args))}{hints}", file=sys.stderr)
        return exit_code(exc)
    except Exception as exc:
        _debug(args)
        print(f"imgql: internal error: {one_line(f'{type(exc).__name__}: {exc}')}", file=sys.stderr)
        return EXIT_ERROR
    for warning in _ours(seen):
        print(f"imgql: warning: {one_line(str(warning.message))}", file=sys.stderr)
    out.write(json.dumps(result, ensure_ascii=False, sort_keys=False) + "\n")
    return 0


def _debug(args: argparse.Namespace) -> None:
    """With --debug, the traceback before the one line (then stderr is more than one line, on purpose)."""
    if getattr(args, "debug", False):
        import traceback

        traceback.print_exc()


def _ours(seen: list[warnings.WarningMessage]) -> list[warnings.WarningMessage]:
    return [warning for warning in seen if issubclass(warning.category, (QueryWarning, PartialAnswerWarning))]


def _own_region(source: Any, args: argparse.Namespace) -> str | None:
    region = getattr(args, "region", None)
    if region:
        return str(region)
    auth = getattr(source, "_auth", None)
    found = getattr(auth, "region", None)
    return found if isinstance(found, str) else None
