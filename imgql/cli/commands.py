"""The ``imgql`` command line.

    imgql query --catalog examples/catalog.json "images where tag = lts order by created_at desc limit 3"
    imgql plan "images where os_distro = ubuntu and size < 5GB"
    imgql check deploy.yaml --key 'servers.*.image'
    imgql search --catalog examples/catalog.json "ubuntu tag:lts size<5g"
    imgql shell

Every failure is reported as one message on stderr and a distinct exit code
(see ``imgql --help``); a traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

from ..errors import (
    AuthenticationError,
    ConfigError,
    Error,
    Forbidden,
    MultipleFound,
    NotFound,
    ParameterError,
    QueryError,
    ServiceError,
)
from ..version import __version__

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_AUTH = 4
EXIT_SERVICE = 5
EXIT_INTERRUPTED = 130

PROFILES = ("glance", "documented", "none")

EPILOG = """\
exit codes:
  0    success
  1    any other imgql error (unreadable catalog or file, ...)
  2    usage or query error: bad arguments, syntax error, unknown field, bad value
  3    not found or ambiguous: --one found no image or several; check found none or several
  4    authentication: credentials missing or refused (401), or not allowed (403)
  5    the Images API failed or could not be reached (after retries)
  130  interrupted (Ctrl-C); what was already printed is kept

credentials (without --catalog) come from --endpoint/--token, --os-cloud
(clouds.yaml), or the OS_* environment variables, as for the openstack CLI.
"""


def exit_code(exc: BaseException) -> int:
    """The exit code for an error (documented in ``imgql --help`` and docs/cli.md)."""
    from .queryfiles import ConfigQueryError, exit_code_for

    if isinstance(exc, ConfigQueryError):
        return exit_code_for(exc.problems)
    if isinstance(exc, (QueryError, ParameterError)):
        return EXIT_USAGE
    if isinstance(exc, (NotFound, MultipleFound)):
        return EXIT_NOT_FOUND
    if isinstance(exc, (AuthenticationError, Forbidden, ConfigError)):
        return EXIT_AUTH
    if isinstance(exc, ServiceError):
        return EXIT_SERVICE
    return EXIT_ERROR


# --------------------------------------------------------------------------- arguments


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # exits with 2, as argparse does, without the full usage
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _source_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("where images come from")
    group.add_argument("--catalog", metavar="FILE", help="an offline JSON catalog (a GET /v2/images response)")
    group.add_argument(
        "--os-cloud", "--cloud", metavar="NAME", dest="cloud", help="a cloud from clouds.yaml (default: OS_CLOUD)"
    )
    group.add_argument("--endpoint", metavar="URL", help="the Images API root (default: OS_IMAGE_URL or the catalog)")
    group.add_argument("--token", metavar="TOKEN", help="a token (default: OS_TOKEN, or one from Keystone)")
    group.add_argument("--insecure", action="store_true", help="do not verify the server's TLS certificate")
    group.add_argument("--os-cacert", metavar="FILE", dest="cacert", help="a CA bundle to verify the server with")
    group.add_argument(
        "--profile", choices=PROFILES, default="glance", help="what the API can filter (default: glance)"
    )
    group.add_argument("--page-size", type=_positive_int, metavar="N", help="images per page request")
    group.add_argument("--timeout", type=float, metavar="SECONDS", help="per-request timeout")
    common.add_argument("--debug", action="store_true", help="show a traceback on errors")
    return common


def _output_options() -> argparse.ArgumentParser:
    from .output import FORMATS

    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("output")
    group.add_argument("-f", "--format", choices=FORMATS, default="table", help="output format (default: table)")
    group.add_argument(
        "-c",
        "--column",
        action="append",
        dest="columns",
        metavar="COLUMN",
        help="a column to show (repeatable): a heading, a field or a custom property",
    )
    group.add_argument("--long", action="store_true", help="more columns")
    return common


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip().lstrip("$"), value


def build_parser() -> argparse.ArgumentParser:
    source = _source_options()
    output = _output_options()
    parser = _Parser(
        prog="imgql",
        description="Ask an OpenStack Images API (Glance) for images with one line of text.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"imgql {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str, parents: Sequence[argparse.ArgumentParser]) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            parents=list(parents),  # type: ignore[arg-type]
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    query = command("query", "run a query and print the images", [source, output])
    query.add_argument("query", nargs="+", metavar="QUERY", help="the query ('-' reads it from stdin)")
    query.add_argument("--one", action="store_true", help="exactly one image, or exit 3")
    query.add_argument(
        "-p", "--param", action="append", type=_param, default=[], metavar="NAME=VALUE", help="bind $NAME"
    )

    plan = command("plan", "print the plan of a query without running it", [source])
    plan.add_argument("query", nargs="+", metavar="QUERY")
    plan.add_argument("-p", "--param", action="append", type=_param, default=[], metavar="NAME=VALUE")

    search = command("search", "run what a person would type into a search box", [source, output])
    search.add_argument("text", nargs="*", metavar="TEXT", help="words, phrases and field:value filters")
    search.add_argument("--allow", metavar="FIELDS", help="comma-separated fields that may be filtered on")
    search.add_argument("--show-query", action="store_true", help="print the query the search became, on stderr")

    check = command("check", "validate the queries of configuration files (YAML, TOML, JSON)", [source])
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument(
        "-k", "--key", action="append", dest="keys", metavar="PATH", help="a dotted key path (* for any key)"
    )
    check.add_argument(
        "--resolve", action="store_true", help="also run each query (exactly one image) against the source"
    )

    command("shell", "an interactive prompt", [source])
    return parser


# --------------------------------------------------------------------------- sources


def open_source(args: argparse.Namespace, profile: str | None = None) -> Any:
    """A Catalog for --catalog, else a Client with the given credentials."""
    if args.catalog:
        from ..run.catalog import Catalog

        return Catalog(args.catalog)
    from ..http.client import Client

    options: dict[str, Any] = {"profile": profile or args.profile, "cloud": args.cloud}
    if args.page_size:
        options["page_size"] = args.page_size
    if args.insecure:
        options["verify"] = False
    elif args.cacert:
        options["verify"] = args.cacert
    if args.timeout is not None:
        options["timeout"] = args.timeout
    return Client(args.endpoint, args.token, **options)


def _close(source: Any) -> None:
    close = getattr(source, "close", None)
    if callable(close):
        close()


def _hook_pages(source: Any, on_page: Callable[[], None]) -> None:
    """Count page responses for the progress indicator, when the source is a
    Client over httpx (an offline catalog has no pages)."""
    http = getattr(source, "http", None)
    hooks = getattr(http, "event_hooks", None)
    if not isinstance(hooks, dict):
        return

    def response_hook(response: Any) -> None:
        path = getattr(getattr(response, "url", None), "path", "")
        if isinstance(path, str) and path.rstrip("/").endswith("/v2/images"):
            on_page()

    responses = list(hooks.get("response", []))
    responses.append(response_hook)
    hooks["response"] = responses
    http.event_hooks = hooks  # type: ignore[union-attr]


def _query_text(parts: Sequence[str], stdin: TextIO) -> str:
    if list(parts) == ["-"]:
        return stdin.read()
    return " ".join(parts)


# --------------------------------------------------------------------------- commands


def _emit(args: argparse.Namespace, source: Any, images: Iterable[Any], out: TextIO) -> int:
    from .output import Progress, Writer, _isatty

    writer = Writer(args.format, out, selected=args.columns, long=args.long)
    # A progress line only where it cannot mix with the output itself.
    enabled = _isatty(sys.stderr) and (args.format == "table" or not _isatty(out)) and not args.catalog
    with Progress(sys.stderr, enabled=enabled) as progress:
        if enabled:
            _hook_pages(source, progress.page)
        writer.write(progress.track(images), progress)
    return EXIT_OK


def cmd_query(args: argparse.Namespace, out: TextIO) -> int:
    text = _query_text(args.query, sys.stdin)
    params = dict(args.param)
    source = open_source(args)
    try:
        if args.one:
            image = source.one(text, **params)
            return _emit(args, source, [image], out)
        return _emit(args, source, source.query(text, **params), out)
    finally:
        _close(source)


def cmd_search(args: argparse.Namespace, out: TextIO) -> int:
    from ..lang.searchbox import search_box

    allow = [a.strip() for a in args.allow.split(",") if a.strip()] if args.allow else None
    query = search_box(" ".join(args.text), allow=allow)
    if args.show_query:
        print(f"query: {query}", file=sys.stderr)
    source = open_source(args)
    try:
        return _emit(args, source, source.query(query), out)
    finally:
        _close(source)


def cmd_plan(args: argparse.Namespace, out: TextIO) -> int:
    from ..lang.parser import parse

    text = _query_text(args.query, sys.stdin)
    params = dict(args.param)
    if args.catalog:
        source = open_source(args)
        plan = source.plan(text, **params)
    else:
        # Planning needs no credentials and makes no request.
        plan = parse(text).plan(args.profile, **params)
    out.write(plan.explain() + "\n")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from .queryfiles import check_file, count_queries

    source = open_source(args) if args.resolve else None
    failures = 0
    checked = 0
    code = EXIT_OK
    try:
        for path in args.files:
            diagnostics = check_file(path, args.keys, source)
            for diagnostic in diagnostics:
                out.write(f"{diagnostic}\n")
                # A query's own error decides; an unreadable file is "other" (1).
                found = exit_code(diagnostic.error) if diagnostic.error is not None else EXIT_ERROR
                if found != EXIT_ERROR or code == EXIT_OK:
                    code = max(code, found)
            failures += len(diagnostics)
            if not diagnostics:
                checked += count_queries(path, args.keys)
    finally:
        if source is not None:
            _close(source)
    if failures:
        print(f"{failures} problem{'' if failures == 1 else 's'} found", file=sys.stderr)
        return code
    files = len(args.files)
    print(
        f"{checked} quer{'y' if checked == 1 else 'ies'} OK in {files} file{'' if files == 1 else 's'}", file=sys.stderr
    )
    return EXIT_OK


def cmd_shell(args: argparse.Namespace, out: TextIO) -> int:
    from .shell import Shell

    shell = Shell(lambda profile: open_source(args, profile), profile=args.profile, out=out)
    return shell.run()


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "query": cmd_query,
    "plan": cmd_plan,
    "search": cmd_search,
    "check": cmd_check,
    "shell": cmd_shell,
}


# --------------------------------------------------------------------------- main


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
        return COMMANDS[args.command](args, out)
    except KeyboardInterrupt:
        _safe_flush(out)
        print("\nimgql: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`imgql query ... | head`): not an error.
        _silence_stdout()
        return EXIT_OK
    except Error as exc:
        if debug:
            import traceback

            traceback.print_exc()
        _safe_flush(out)
        print(f"imgql: error: {exc}", file=sys.stderr)
        return exit_code(exc)
    except Exception as exc:
        if debug:
            raise
        _safe_flush(out)
        print(f"imgql: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return EXIT_ERROR


def _safe_flush(stream: TextIO) -> None:
    with contextlib.suppress(OSError, ValueError):
        stream.flush()


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
