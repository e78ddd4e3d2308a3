"""The ``imgql`` command line.

    imgql query --catalog examples/catalog.json "images where tag = lts order by created_at desc limit 3"
    imgql plan "images where os_distro = ubuntu and size < 5GB"
    imgql check deploy.yaml --key 'servers.*.image'
    imgql search --catalog examples/catalog.json "ubuntu tag:lts size<5g"
    imgql shell

Here are the commands and ``main``; the arguments are defined in
:mod:`imgql.cli.options`, the sources opened in :mod:`imgql.cli.sources`, and
what a failure prints in :mod:`imgql.cli.exits`. Every failure is reported
as one message on stderr and a distinct exit code (see ``imgql --help``); a
traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TextIO

from ..errors import Error, PartialAnswerWarning
from ..lang.parser import parse
from ..lang.searchbox import search_box
from ..plan.locations import split_places
from ..untrusted import shortened, visible
from .ansible_path import collections_path
from .check_command import run_check
from .columns import sorted_images
from .exits import (
    EXIT_AUTH,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_SERVICE,
    EXIT_USAGE,
    exit_code,
    explain,
    safe_flush,
    silence_stdout,
    warnings_in_plain_words,
)
from .external import cmd_external
from .lock import cmd_lock
from .logout import cmd_logout
from .options import build_parser
from .output import Writer
from .progress import Progress, count_pages
from .shell import Shell
from .sources import close_source, labelled, open_source, placed, resolve_credentials
from .terminal import isatty, table_width

# Names other modules and tests import from here, the console script's module.
__all__ = [
    "COMMANDS",
    "EXIT_AUTH",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_SERVICE",
    "EXIT_USAGE",
    "build_parser",
    "exit_code",
    "explain",
    "main",
    "open_source",
    "placed",
    "resolve_credentials",
    "run",
]


def _query_text(parts: Sequence[str], stdin: TextIO) -> str:
    if list(parts) == ["-"]:
        return stdin.read()
    return " ".join(parts)


def _emit(
    args: argparse.Namespace,
    source: Any,
    images: Iterable[Any],
    out: TextIO,
    *,
    one: bool = False,
    query: Any = None,
) -> int:
    writer = Writer(
        args.format,
        out,
        selected=args.columns,
        long=args.long,
        width=table_width(out, args.max_width, args.fit_width),
        one=one,
        noindent=args.noindent,
        quote=args.quote,
        keep_formulas=args.keep_formulas,
        print_empty=args.print_empty,
        places=_place_columns(query) if query is not None else (),
    )
    # A progress line only where it cannot mix with the output itself.
    enabled = isatty(sys.stderr) and (args.format == "table" or not isatty(out)) and not args.catalog
    with Progress(sys.stderr, enabled=enabled) as progress:
        if enabled:
            count_pages(source, progress.page)
        tracked = progress.track(labelled(images, getattr(args, "cloud_label", None)))
        if args.sort_columns:
            tracked = iter(sorted_images(tracked, args.sort_columns, args.sort_descending))
        writer.write(tracked, progress)
    return EXIT_OK


def cmd_query(args: argparse.Namespace, out: TextIO) -> int:
    text = _query_text(args.query, sys.stdin)
    params = dict(args.param)
    source = open_source(args)
    query = placed(text, args) if not args.catalog else text
    try:
        with _partial_answers() as failed:
            if args.one:
                image = source.one(query, **params)
                code = _emit(args, source, [image], out, one=True, query=query)
            else:
                code = _emit(args, source, source.query(query, **params), out, query=query)
        for warning in failed:
            print(f"imgql: error: {visible(str(warning), keep_lines=True)}", file=sys.stderr)
        return EXIT_SERVICE if failed else code
    finally:
        close_source(source)


@contextlib.contextmanager
def _partial_answers() -> Iterator[list[PartialAnswerWarning]]:
    """The places a partial answer went without (``--partial``), to report after the output."""
    failed: list[PartialAnswerWarning] = []
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", PartialAnswerWarning)
        yield failed
        failed.extend(w.message for w in seen if isinstance(w.message, PartialAnswerWarning))
    for other in seen:
        if not isinstance(other.message, PartialAnswerWarning):
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)


def _place_columns(query: Any) -> tuple[str, ...]:
    """The Region and Cloud columns, when more than one region or cloud can take part."""
    places, _ = split_places(parse(query) if isinstance(query, str) else query)
    clouds = len(places.clouds) > 1 if places.clouds is not None else False
    regions = places.every_region or (places.regions is not None and len(places.regions) > 1) or clouds
    return (("region",) if regions else ()) + (("cloud",) if clouds else ())


def cmd_search(args: argparse.Namespace, out: TextIO) -> int:
    allow = [a.strip() for a in args.allow.split(",") if a.strip()] if args.allow else None
    query = search_box(" ".join(args.text), allow=allow)
    if args.show_query:
        print(f"query: {query}", file=sys.stderr)
    for term, reason in query.ignored:
        print(f"imgql: warning: ignored {term!r}: {reason}", file=sys.stderr)
    source = open_source(args)
    run_query = query if args.catalog else placed(query, args)
    try:
        return _emit(args, source, source.query(run_query), out, query=run_query)
    finally:
        close_source(source)


def cmd_plan(args: argparse.Namespace, out: TextIO) -> int:
    text = _query_text(args.query, sys.stdin)
    params = dict(args.param)
    if args.catalog:
        if args.profile not in (None, "none"):
            print(
                f"note: --profile {args.profile} is ignored: a catalog is answered on the client, "
                "so its plan is the 'none' profile's (everything filtered, sorted and limited locally)",
                file=sys.stderr,
            )
        source = open_source(args)
        plan = source.plan(text, **params)
    else:
        # Planning needs no credentials and makes no request.
        plan = placed(parse(text), args).plan(args.profile or "glance", **params)
    out.write(plan.explain() + "\n")
    return EXIT_OK


def cmd_shell(args: argparse.Namespace, out: TextIO) -> int:
    shell = Shell(
        lambda profile: open_source(args, profile),
        profile=args.profile or "glance",
        out=out,
        fmt=args.format,
        columns=args.columns,
        long=args.long,
        sort_columns=args.sort_columns,
        sort_descending=args.sort_descending,
        max_width=args.max_width,
        fit_width=args.fit_width,
        writer_options={"noindent": args.noindent, "quote": args.quote, "print_empty": args.print_empty},
    )
    return shell.run()


def cmd_ansible_path(args: argparse.Namespace, out: TextIO) -> int:
    out.write(f"{collections_path()}\n")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "query": cmd_query,
    "plan": cmd_plan,
    "search": cmd_search,
    "check": run_check,
    "lock": cmd_lock,
    "shell": cmd_shell,
    "external": cmd_external,
    "ansible-path": cmd_ansible_path,
    "logout": cmd_logout,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (and exits with it when
    called as the ``imgql`` script)."""
    code = run(argv)
    if argv is None:
        sys.exit(code)
    return code


def run(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    parser = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    out = out if out is not None else sys.stdout
    debug = bool(getattr(args, "debug", False)) or "--debug" in arguments
    try:
        with warnings_in_plain_words():
            return COMMANDS[args.command](args, out)
    except KeyboardInterrupt:
        safe_flush(out)
        print("\nimgql: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`imgql query ... | head`): not an error.
        silence_stdout()
        return EXIT_OK
    except Error as exc:
        if debug:
            traceback.print_exc()
        safe_flush(out)
        # Server text may hold terminal escapes: shown, never obeyed.
        print(f"imgql: error: {visible(explain(exc, args), keep_lines=True)}", file=sys.stderr)
        return exit_code(exc)
    except Exception as exc:
        if debug:
            raise
        safe_flush(out)
        message = shortened(visible(str(exc)))
        print(f"imgql: internal error: {type(exc).__name__}: {message} (run with --debug for details)", file=sys.stderr)
        return EXIT_ERROR
