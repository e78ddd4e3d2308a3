"""Queries in configuration files: find them, check them, resolve them to image ids.

A configuration picks an image by query instead of a hard-coded id::

    servers:
      web:
        image: images where os_distro = ubuntu and tag = lts order by created_at desc limit 1

:func:`resolve` runs every query found at the given key paths with
exactly-one semantics (``source.one``) and returns a copy of the mapping with
each query replaced by its image's id. Every failing query is reported, not
only the first, in one :class:`ConfigQueryError` whose ``problems`` say where
(key path, and line and column inside the query) and what went wrong.

:func:`check_file` validates the queries of a YAML, TOML or JSON file without
calling any API and reports ``file:line:column`` positions in the file itself.

Key paths are dotted: ``servers.web.image``; ``*`` stands for any key of a
mapping or any index of a list (``servers.*.image``); a number indexes a list
(``pools.0.image``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import ConfigQueryError, FileError
from .configfiles import Diagnostic, count_queries, file_kind, load_file, read_params, yaml_module
from .findqueries import (
    Documents,
    PathKey,
    Problem,
    Source,
    check_queries,
    check_query,
    exit_code_for,
    find_queries,
    looks_like_query,
    missing_problem,
    no_query_problem,
    path_text,
)
from .locator import diagnose
from .resolving import resolve, resolve_images, resolve_pins

# The names of the parts (finding, reading files, resolving), in one place.
__all__ = [
    "ConfigQueryError",
    "Diagnostic",
    "Documents",
    "FileError",
    "PathKey",
    "Problem",
    "Source",
    "check_file",
    "check_queries",
    "check_query",
    "count_queries",
    "diagnose",
    "exit_code_for",
    "file_kind",
    "find_queries",
    "load_file",
    "looks_like_query",
    "missing_problem",
    "no_query_problem",
    "path_text",
    "read_params",
    "resolve",
    "resolve_images",
    "resolve_pins",
    "yaml_module",
]


def check_file(
    path: str | os.PathLike[str],
    keys: Iterable[str] | str | None = None,
    source: Source | None = None,
    report: Callable[[str], object] | None = None,
    *,
    lock: Any = None,
    refresh: bool = False,
    **params: Any,
) -> list[Diagnostic]:
    """Problems with the queries of a configuration file, as ``file:line:column``
    diagnostics. With a ``source``, each query must also pick exactly one image
    there (or, with a ``lock``, the lock's pinned image must still be
    deployable); without one, no API is called. ``report`` is given a line
    ``key: id name`` for every query that resolved (``key: place: id name``
    per place for a query that names places). A file, or key paths, holding
    no query at all is a problem: it would check nothing.
    Bound parameters (``**params``) give the queries' ``$names`` values."""
    name = os.fspath(path)
    try:
        data, text, kind = load_file(path)
    except FileError as exc:
        return [exc.diagnostic]
    found, missing = find_queries(data, keys)
    if not found and not missing:
        return diagnose(name, text, kind, data, [no_query_problem(keys)])
    if source is not None:
        try:
            resolved = resolve_pins(data, keys, source, lock=lock, refresh=refresh, file=path, **params)
            problems: list[Problem] = []
            for key, pins in resolved.items():
                for pin in pins:
                    where = f"{pin.place_text}: " if len(pins) > 1 or pin.place_text else ""
                    if report is not None:
                        report(f"{path_text(key)}: {where}{pin.id} {pin.name or ''}".rstrip())
        except ConfigQueryError as exc:
            problems = list(exc.problems)
    else:
        problems = check_queries(data, keys, params)
    return diagnose(name, text, kind, data, problems)
