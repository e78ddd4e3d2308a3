"""``imgql check``: the queries of configuration files, checked, and with ``--resolve`` run.

    imgql check deploy.yaml --key 'servers.*.image' -p distro=debian
    imgql check deploy.yaml --resolve            # key: id name, for every query
    imgql check deploy.yaml --resolve -f json    # for CI

With ``--resolve`` and a lock (``--lock FILE``, or ``imgql.lock`` in the
current directory), the ids are the lock's; ``--refresh`` ignores it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from ..errors import ConfigQueryError, ParameterError
from .exits import EXIT_ERROR, EXIT_OK, exit_code
from .lockfile import DEFAULT_LOCK
from .queryfiles import (
    Diagnostic,
    FileError,
    Problem,
    check_queries,
    diagnose,
    find_queries,
    load_file,
    no_query_problem,
    path_text,
    read_params,
    resolve_pins,
)
from .sources import close_source, open_source

__all__ = ["FileReport", "add_check_arguments", "check_one_file", "refuse_places_options", "run_check"]


def add_check_arguments(check: argparse.ArgumentParser) -> None:
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument(
        "-k", "--key", action="append", dest="keys", metavar="PATH", help="a dotted key path (* for any key)"
    )
    check.add_argument(
        "--resolve", action="store_true", help="also run each query (exactly one image) and print `key: id name`"
    )
    check.add_argument(
        "--lock", metavar="LOCKFILE", help=f"with --resolve: answer from this lock (default: ./{DEFAULT_LOCK} if any)"
    )
    check.add_argument("--refresh", action="store_true", help="with --resolve: ignore the lock, ask the source")
    check.add_argument("-f", "--format", choices=("table", "json"), default="table", help="output format")


class FileReport:
    """What checking one file found: its problems, and with --resolve, each query's images."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.diagnostics: list[Diagnostic] = []
        self.resolved: list[tuple[str, str, str, str | None]] = []  # key, place, id, name
        self.queries = 0

    def to_json(self, exit_code: Any) -> dict[str, Any]:
        return {
            "file": self.file,
            "queries": self.queries,
            "images": [{"key": k, "place": p or None, "id": i, "name": n} for k, p, i, n in self.resolved],
            "problems": [
                {
                    "key": d.path or None,
                    "line": d.line,
                    "column": d.column,
                    "message": d.message,
                    "exit_code": exit_code(d.error) if d.error is not None else 1,
                }
                for d in self.diagnostics
            ],
        }


def check_one_file(
    path: str, keys: Sequence[str] | None, source: Any, params: Mapping[str, Any], lock: Any, refresh: bool
) -> FileReport:
    report = FileReport(os.fspath(path))
    try:
        data, text, kind = load_file(path)
    except FileError as exc:
        report.diagnostics.append(exc.diagnostic)
        return report
    found, missing = find_queries(data, keys)
    report.queries = len(found)
    problems: list[Problem]
    if not found and not missing:
        problems = [no_query_problem(keys)]
    elif source is None:
        problems = check_queries(data, keys, params)
    else:
        try:
            pins = resolve_pins(data, keys, source, lock=lock, refresh=refresh, file=path, **params)
            problems = []
        except ConfigQueryError as exc:
            pins, problems = {}, list(exc.problems)
        for key, found_pins in pins.items():
            report.resolved.extend((path_text(key), pin.place_text, pin.id, pin.name) for pin in found_pins)
    report.diagnostics = diagnose(report.file, text, kind, data, problems)
    return report


def run_check(args: argparse.Namespace, out: TextIO) -> int:
    refuse_places_options(args)
    params = read_params(getattr(args, "params_file", None), getattr(args, "param", []))
    lock = args.lock or (DEFAULT_LOCK if args.resolve and os.path.exists(DEFAULT_LOCK) else None)
    source = open_source(args) if args.resolve else None
    reports: list[FileReport] = []
    try:
        for path in args.files:
            reports.append(check_one_file(path, args.keys, source, params, lock, args.refresh))
    finally:
        if source is not None:
            close_source(source)
    code = EXIT_OK
    for diagnostic in (d for report in reports for d in report.diagnostics):
        # A query's own error decides; an unreadable file is "other" (1).
        found = exit_code(diagnostic.error) if diagnostic.error is not None else EXIT_ERROR
        if found != EXIT_ERROR or code == EXIT_OK:
            code = max(code, found)
    if args.format == "json":
        out.write(json.dumps([report.to_json(exit_code) for report in reports], indent=2, ensure_ascii=False) + "\n")
    else:
        _write_text(reports, out)
    failures = sum(len(report.diagnostics) for report in reports)
    if failures:
        print(f"{failures} problem{'' if failures == 1 else 's'} found", file=sys.stderr)
        return code
    checked = sum(report.queries for report in reports)
    files = len(reports)
    answered = " (answered from the lock)" if args.resolve and lock and not args.refresh else ""
    print(
        f"{checked} quer{'y' if checked == 1 else 'ies'} OK in {files} file{'' if files == 1 else 's'}{answered}",
        file=sys.stderr,
    )
    return EXIT_OK


def refuse_places_options(args: argparse.Namespace) -> None:
    """A configuration file's query says where it runs; an option that would add places to
    every query would make the file mean something else than what it says."""
    if getattr(args, "all_regions", False) or len(getattr(args, "clouds", None) or []) > 1:
        raise ParameterError(
            "--all-regions and several --os-cloud do not apply to configuration files: "
            "name the places in the query itself (images where region = * and ...)"
        )


def _write_text(reports: Sequence[FileReport], out: TextIO) -> None:
    several = len(reports) > 1
    for report in reports:
        prefix = f"{report.file}: " if several else ""
        for key, place, image_id, name in report.resolved:
            where = f"{place}: " if place else ""
            out.write(f"{prefix}{key}: {where}{image_id} {name or ''}".rstrip() + "\n")
        for diagnostic in report.diagnostics:
            out.write(f"{diagnostic}\n")
