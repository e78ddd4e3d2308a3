"""``imgql lock``: pin what each query of configuration files chose, check the pins, move them on.

    imgql lock deploy.yaml                        # write imgql.lock (new queries only)
    imgql lock deploy.yaml --check                # what moved since; exit 10 when out of date
    imgql lock deploy.yaml --upgrade servers.web.image

The lock format, every status and the exit codes are in docs/cli.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

import attrs

from ..errors import Error, MultipleFound, NotFound, ParameterError
from ..lang.ast import Query
from .check_command import refuse_places_options
from .exits import exit_code
from .lockfile import DEFAULT_LOCK, Entry, Lock, Pin, lock_name, read_lock, write_lock
from .pinning import Answer, Change, answer_query, canonical_query, compare, now_text, why_gone
from .queryfiles import (
    Diagnostic,
    FileError,
    Problem,
    check_query,
    diagnose,
    find_queries,
    load_file,
    missing_problem,
    no_query_problem,
    path_text,
    read_params,
)
from .sources import close_source, open_source

__all__ = [
    "EXIT_OUT_OF_DATE",
    "Found",
    "add_arguments",
    "cmd_lock",
    "collect",
    "lock_name",
    "render_changes",
]

# `lock --check` found an entry that is not up to date. Not an error code:
# 1 to 5 and 130 mean imgql could not answer (see `imgql --help`).
EXIT_OUT_OF_DATE = 10


@attrs.frozen
class Found:
    """A query of a configuration file, as the lock names it."""

    file: str  # relative to the lock's folder, with / between folders
    key: str
    text: str
    query: Query
    path: str = ""  # the file as given, for messages with its lines and columns


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="configuration files (YAML, TOML, JSON)")
    parser.add_argument(
        "-k", "--key", action="append", dest="keys", metavar="PATH", help="a dotted key path (* for any key)"
    )
    parser.add_argument("--lock", metavar="LOCKFILE", help=f"the lock file (default: {DEFAULT_LOCK})")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help=f"compare the lock with what the queries answer now; exit {EXIT_OUT_OF_DATE} when it is out of date",
    )
    mode.add_argument(
        "--upgrade",
        nargs="*",
        metavar="KEY",
        help="resolve these entries again (every entry without a KEY); give the files first",
    )
    parser.add_argument(
        "-f", "--format", choices=("table", "json"), default="table", help="--check output format (default: table)"
    )


def collect(
    files: Sequence[str], keys: Sequence[str] | None, lock_path: str, params: Mapping[str, Any]
) -> tuple[list[Found], list[Diagnostic]]:
    """Every query of ``files`` at ``keys``, checked and with its parameters bound."""

    found: list[Found] = []
    diagnostics: list[Diagnostic] = []
    for path in files:
        try:
            data, text, kind = load_file(path)
        except FileError as exc:
            diagnostics.append(exc.diagnostic)
            continue
        queries, missing = find_queries(data, keys)
        problems: list[Problem] = [missing_problem(data, pattern) for pattern in missing]
        if not queries and not missing:
            problems.append(no_query_problem(keys))
        for key, value in queries:
            error = check_query(value)
            if error is None:
                try:
                    query = canonical_query(value, params)
                    found.append(Found(lock_name(path, lock_path), path_text(key), value, query, os.fspath(path)))
                    continue
                except Error as exc:
                    error = exc
            problems.append(Problem(path_text(key), value if isinstance(value, str) else "", error))
        diagnostics.extend(diagnose(os.fspath(path), text, kind, data, problems))
    return found, diagnostics


def cmd_lock(args: argparse.Namespace, out: TextIO) -> int:
    refuse_places_options(args)
    lock_path = args.lock or DEFAULT_LOCK
    params = read_params(getattr(args, "params_file", None), getattr(args, "param", []))
    old = read_lock(lock_path, missing_ok=not args.check)
    found, diagnostics = collect(args.files, args.keys, lock_path, params)
    if diagnostics:
        return _report_problems(diagnostics, out, exit_code)
    files = {item.file for item in found} | {lock_name(path, lock_path) for path in args.files}
    source = open_source(args)
    try:
        if args.check:
            changes = check_lock(source, old, found, files)
            write_changes(changes, out, args.format)
            late = [c for c in changes if c.status != "unchanged"]
            print(_summary(changes, lock_path), file=sys.stderr)
            return EXIT_OUT_OF_DATE if late else 0
        upgrade = None if args.upgrade is None else set(args.upgrade)
        _known_keys(old, found, upgrade)
        new, problems = relock(source, old, found, files, upgrade)
    finally:
        close_source(source)
    if problems:
        return _report_problems(problems, out, exit_code)
    wrote = write_lock(lock_path, new)
    moved = sum(1 for entry in new.entries if entry != old.get(entry.file, entry.key))
    state = f"wrote {lock_path}" if wrote else f"{lock_path} is up to date"
    print(
        f"{state}: {len(new.entries)} entr{'y' if len(new.entries) == 1 else 'ies'}, {moved} resolved", file=sys.stderr
    )
    return 0


def _report_problems(diagnostics: Iterable[Diagnostic], out: TextIO, exit_code: Any) -> int:
    code = 0
    count = 0
    for diagnostic in diagnostics:
        count += 1
        out.write(f"{diagnostic}\n")
        found = exit_code(diagnostic.error) if diagnostic.error is not None else 1
        code = max(code, found) if found != 1 or code == 0 else code
    print(f"{count} problem{'' if count == 1 else 's'} found; the lock was not changed", file=sys.stderr)
    return code or 1


def _known_keys(old: Lock, found: Sequence[Found], upgrade: set[str] | None) -> None:
    if not upgrade:
        return
    known = {item.key for item in found} | {f"{item.file}:{item.key}" for item in found}
    unknown = sorted(upgrade - known)
    if unknown:
        keys = ", ".join(sorted({item.key for item in found})) or "none"
        raise ParameterError(f"--upgrade: no query at {', '.join(unknown)} (the files have: {keys})")


def _upgrading(item: Found, upgrade: set[str] | None) -> bool:
    if upgrade is None:
        return False
    return not upgrade or item.key in upgrade or f"{item.file}:{item.key}" in upgrade


def relock(
    source: Any, old: Lock, found: Sequence[Found], files: set[str], upgrade: set[str] | None
) -> tuple[Lock, list[Diagnostic]]:
    """The new lock: entries kept as they are unless new, with a changed
    query, or being upgraded; a pin that did not move keeps when it was resolved."""
    resolved_at = now_text()
    entries = [entry for entry in old.entries if entry.file not in files]
    problems: list[Diagnostic] = []
    for item in found:
        entry = old.get(item.file, item.key)
        if entry is not None and entry.query == str(item.query) and not _upgrading(item, upgrade):
            entries.append(entry)
            continue
        try:
            answered = answer_query(source, item.query, resolved_at)
        except Error as exc:
            problems.extend(_located(item, exc))
            continue
        pins = answered.pins
        if entry is not None and entry.query == str(item.query):
            pins = tuple(_kept(entry, pin) for pin in pins)
        entries.append(Entry(item.file, item.key, str(item.query), pins, answered.tier))
    return old.with_entries(entries), problems


def _located(item: Found, error: Error) -> list[Diagnostic]:
    """A query's failure at its line and column in the file, as `check` reports it."""
    try:
        data, text, kind = load_file(item.path)
    except Error:
        return [Diagnostic(item.path or item.file, 1, 1, error.message, item.key, error=error)]
    return diagnose(item.path, text, kind, data, [Problem(item.key, item.text, error)])


def _kept(entry: Entry, pin: Pin) -> Pin:
    """The pin as locked when the image did not move, so an upgrade that changes nothing changes no byte."""
    kept = entry.pin_at(pin.place)
    return kept if kept is not None and kept.id == pin.id else pin


def check_lock(source: Any, old: Lock, found: Sequence[Found], files: set[str]) -> list[Change]:
    """Every entry of ``files`` against what its query answers now."""
    changes: list[Change] = []
    seen: set[tuple[str, str]] = set()
    resolved_at = now_text()
    for item in found:
        seen.add((item.file, item.key))
        entry = old.get(item.file, item.key)
        if entry is not None and entry.query != str(item.query):
            changes.extend(_removed(entry, "its query changed"))
            entry = None
        try:
            answered = answer_query(source, item.query, resolved_at)
        except (NotFound, MultipleFound) as exc:
            if entry is None:
                raise
            answered, answer = Answer(()), exc.message.splitlines()[0]
        else:
            answer = ""
        pins, undeployable, tier = answered.pins, answered.undeployable, answered.tier
        if entry is None:
            changes.extend(
                Change(item.file, item.key, pin.place_text, "new", None, pin, _tiers(answered), tier) for pin in pins
            )
            continue
        now = {pin.place: pin for pin in pins}
        gone: dict[str, str] = {}
        for pin in entry.pins:
            current = now.get(pin.place)
            if current is not None and current.id == pin.id and pin.id in undeployable:
                gone[pin.id] = f"{undeployable[pin.id]}, and still what the query answers"
            elif current is None or current.id != pin.id:
                reason = why_gone(source, item.query, pin)
                if reason is not None:
                    gone[pin.id] = reason + (f"; {answer}" if answer and current is None else "")
        changes.extend(_with_tiers(compare(entry, pins, gone, tier), entry, answered))
    for entry in old.entries:
        if entry.file in files and (entry.file, entry.key) not in seen:
            changes.extend(_removed(entry, "the query left the file"))
    return changes


def _tiers(answered: Answer) -> str:
    """Why the queries before the one that answered did not, for a declaration of fallbacks."""
    if answered.tier is None:
        return ""
    return "; ".join([*answered.passed, f"query {answered.tier + 1} answered"])


def _with_tiers(changes: list[Change], entry: Entry, answered: Answer) -> list[Change]:
    """A change of fallback tier is a change, said in words, even for the same image."""
    if answered.tier is None:
        return changes
    moved = entry.tier != answered.tier
    out = []
    for change in changes:
        if change.status == "unchanged" and not moved and answered.tier:
            change = attrs.evolve(change, reason=_tiers(answered))
        elif change.status in ("unchanged", "changed") and (moved or change.status == "changed"):
            was = f"query {entry.tier + 1}" if entry.tier is not None else "no fallback"
            reason = f"locked from {was}; now {_tiers(answered)}"
            status = "changed" if moved else change.status
            change = attrs.evolve(change, status=status, reason=reason)
        out.append(change)
    return out


def _removed(entry: Entry, reason: str) -> list[Change]:
    return [Change(entry.file, entry.key, pin.place_text, "removed", pin, None, reason) for pin in entry.pins]


# --------------------------------------------------------------------------- output

WIDTH = 80


def write_changes(changes: Sequence[Change], out: TextIO, form: str) -> None:
    if form == "json":
        out.write(json.dumps([change.to_json() for change in changes], indent=2, ensure_ascii=False) + "\n")
        return
    out.write(render_changes(changes))


def render_changes(changes: Sequence[Change], width: int = WIDTH) -> str:
    """The statuses, each entry a heading line and its images below, within ``width`` columns."""
    lines: list[str] = []
    for change in changes:
        where = f"{change.file}: {change.key}" + (f" [{change.place}]" if change.place else "")
        lines.append(_fit(f"{change.status:<9} {where}", width))
        if change.status == "unchanged" and change.old is not None:
            lines.append(_image_line("pinned", change.old, width))
            lines.extend(_fit(f"          {part}", width) for part in change.reason.split("; ") if part)
            continue
        if change.old is not None:
            lines.append(_image_line("was", change.old, width))
        lines.extend(_fit(f"          {part}", width) for part in change.reason.split("; ") if part)
        if change.new is not None:
            lines.append(_image_line("now", change.new, width))
    return "".join(line + "\n" for line in lines)


def _image_line(label: str, pin: Any, width: int) -> str:
    if label == "pinned":
        return _fit(f"  {label:<7} {pin.id} {pin.name or '(no name)'}", width)
    created = f", created {pin.created_at}" if pin.created_at else ""
    return _fit(f"  {label:<7} {pin.name or '(no name)'}{created}", width) + "\n" + _fit(f"          {pin.id}", width)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _summary(changes: Sequence[Change], lock_path: str) -> str:
    counts = {
        status: sum(1 for c in changes if c.status == status) for status in dict.fromkeys(c.status for c in changes)
    }
    told = ", ".join(f"{n} {status}" for status, n in counts.items()) or "nothing to check"
    late = any(c.status != "unchanged" for c in changes)
    return f"{lock_path}: {told}" + (f"; out of date (exit {EXIT_OUT_OF_DATE})" if late else "; up to date")
