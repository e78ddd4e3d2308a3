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
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TextIO

from ..errors import (
    AuthenticationError,
    ConfigError,
    Error,
    Forbidden,
    MultipleFound,
    NotFound,
    ParameterError,
    PartialAnswerWarning,
    QueryError,
    QueryWarning,
    RegionError,
    SearchBoxError,
    ServiceError,
)
from ..untrusted import shortened, visible
from ..version import __version__

__all__ = [
    "EXIT_AUTH",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_SERVICE",
    "EXIT_USAGE",
    "build_parser",
    "exit_code",
    "main",
    "open_source",
    "resolve_credentials",
    "run",
]

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
  2    usage or query error: bad arguments, syntax, unknown field, bad value
  3    not found or ambiguous: --one or check found no image, or several
  4    authentication: credentials missing or refused (401), not allowed (403)
  5    the Images API failed or could not be reached (after retries)
  10   lock --check: the lock is out of date (an entry changed, gone, new,
       or removed)
  130  interrupted (Ctrl-C); what was already printed is kept

credentials (without --catalog) come from the openstack CLI's options, given
before or after the command (--os-cloud NAME, --os-auth-url URL with a user,
--os-token TOKEN with --os-endpoint URL, --os-auth-type none with
--os-endpoint), then from clouds.yaml (OS_CLOUD) and the OS_* variables; beside
a cloud, options and OS_* variables replace its values, as for openstack.
"""


def exit_code(exc: BaseException) -> int:
    """The exit code for an error (documented in ``imgql --help`` and docs/cli.md)."""
    from .output import ColumnError
    from .queryfiles import ConfigQueryError, exit_code_for

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


# --------------------------------------------------------------------------- arguments


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # exits with 2, as argparse does, without the full usage
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


# The openstack CLI's global options, read as it reads them: the option names
# the environment variable each one stands for.
OS_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("--os-auth-url", "OS_AUTH_URL", "the Keystone URL (https://keystone.example:5000/v3)"),
    ("--os-username", "OS_USERNAME", "user name"),
    ("--os-user-id", "OS_USER_ID", "user id"),
    ("--os-password", "OS_PASSWORD", "password"),
    ("--os-project-name", "OS_PROJECT_NAME", "project to log in to"),
    ("--os-user-domain-name", "OS_USER_DOMAIN_NAME", "domain of the user"),
    ("--os-user-domain-id", "OS_USER_DOMAIN_ID", "domain id of the user"),
    ("--os-project-domain-name", "OS_PROJECT_DOMAIN_NAME", "domain of the project"),
    ("--os-project-domain-id", "OS_PROJECT_DOMAIN_ID", "domain id of the project"),
    ("--os-domain-name", "OS_DOMAIN_NAME", "a domain to scope to"),
    ("--os-domain-id", "OS_DOMAIN_ID", "a domain id to scope to"),
    ("--os-application-credential-id", "OS_APPLICATION_CREDENTIAL_ID", "application credential id"),
    ("--os-application-credential-name", "OS_APPLICATION_CREDENTIAL_NAME", "application credential name"),
    ("--os-application-credential-secret", "OS_APPLICATION_CREDENTIAL_SECRET", "application credential secret"),
)
AUTH_TYPES = ("password", "v3password", "token", "v3token", "applicationcredential", "v3applicationcredential", "none")


def _dest(option: str) -> str:
    return option.lstrip("-").replace("-", "_")


class _Clouds(argparse.Action):
    """``--os-cloud`` given more than once: the query runs in each cloud
    (``cloud in (a, b)``); the first is the client's own."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        clouds = [*(getattr(namespace, "clouds", None) or ()), values]
        namespace.clouds = clouds
        namespace.cloud = clouds[0]


def _source_options(under_command: bool = False) -> argparse.ArgumentParser:
    """Where images come from. The same options are accepted before the
    command (as `openstack --os-cloud x image list`) and after it; after it,
    they default to "not given" so that they do not undo the ones before."""

    def given(default: Any) -> Any:
        return argparse.SUPPRESS if under_command else default

    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("where images come from")
    group.add_argument(
        "--catalog", metavar="FILE", default=given(None), help="an offline JSON catalog (a GET /v2/images response)"
    )
    group.add_argument(
        "--os-cloud",
        "--cloud",
        metavar="NAME",
        dest="cloud",
        action=_Clouds,
        default=given(None),
        help="a cloud from clouds.yaml; give it again to query several clouds at once",
    )
    group.add_argument(
        "--all-regions",
        action="store_true",
        default=given(False),
        help="run the query in every region with an image endpoint (as `region = *` in the query)",
    )
    group.add_argument(
        "--partial",
        action="store_true",
        default=given(False),
        help="with several regions or clouds: print what the others answered when one fails (exit 5)",
    )
    group.add_argument(
        "--os-region-name", "--region", metavar="REGION", dest="region", default=given(None), help="the region"
    )
    group.add_argument(
        "--os-interface",
        "--interface",
        metavar="INTERFACE",
        dest="interface",
        default=given(None),
        help="the endpoint interface: public, internal or admin",
    )
    group.add_argument(
        "--os-endpoint",
        "--endpoint",
        "--os-image-url",
        metavar="URL",
        dest="endpoint",
        default=given(None),
        help="the Images API root (default: OS_IMAGE_URL, or the Keystone catalog)",
    )
    group.add_argument(
        "--os-token", "--token", metavar="TOKEN", dest="token", default=given(None), help="a token (default: OS_TOKEN)"
    )
    group.add_argument(
        "--os-auth-type",
        metavar="TYPE",
        dest="auth_type",
        default=given(None),
        help=f"how to log in: {', '.join(AUTH_TYPES)} (none: a Glance without Keystone, with --os-endpoint)",
    )
    group.add_argument(
        "--os-project-id",
        metavar="ID",
        dest="project_id",
        default=given(None),
        help="the project to log in to; with --catalog, whose view of the catalog to answer from",
    )
    for option, _variable, help_text in OS_OPTIONS:
        group.add_argument(option, metavar="VALUE", dest=_dest(option), default=given(None), help=help_text)
    group.add_argument(
        "--insecure", action="store_true", default=given(False), help="do not verify the server's TLS certificate"
    )
    group.add_argument(
        "--os-cacert", metavar="FILE", dest="cacert", default=given(None), help="a CA bundle to verify the server with"
    )
    group.add_argument(
        "--profile",
        choices=PROFILES,
        default=given(None),
        help="what the API can filter (default: glance; a catalog plans everything on the client)",
    )
    group.add_argument(
        "--page-size", type=_positive_int, metavar="N", default=given(None), help="images per page request"
    )
    group.add_argument("--timeout", type=float, metavar="SECONDS", default=given(None), help="per-request timeout")
    group.add_argument(
        "--os-auth-cache",
        action=argparse.BooleanOptionalAction,
        dest="auth_cache",
        default=given(None),
        help="keep the Keystone token between commands, in a file only you can read (default: OS_AUTH_CACHE, "
        "or cache: {auth: true} in clouds.yaml); imgql logout forgets it",
    )
    common.add_argument("--debug", action="store_true", default=given(False), help="show a traceback on errors")
    return common


def _output_options() -> argparse.ArgumentParser:
    from .output import FORMATS, QUOTING

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
    group.add_argument("--long", action="store_true", help="the columns of `openstack image list --long`, and more")
    group.add_argument(
        "--sort-column",
        action="append",
        dest="sort_columns",
        default=[],
        metavar="COLUMN",
        help="sort the output by this column (repeatable), after the query; `order by` sorts before limit",
    )
    order = group.add_mutually_exclusive_group()
    order.add_argument(
        "--sort-ascending", action="store_false", dest="sort_descending", default=False, help="sort ascending (default)"
    )
    order.add_argument("--sort-descending", action="store_true", dest="sort_descending", help="sort descending")
    group.add_argument("--noindent", action="store_true", help="json: one line, no indentation")
    group.add_argument("--quote", choices=tuple(QUOTING), default="minimal", help="csv quoting (default: minimal)")
    group.add_argument(
        "--keep-formulas",
        action="store_true",
        help="csv: write cells starting with = + - @ as they are (default: a leading ' makes them text)",
    )
    group.add_argument(
        "--max-width",
        type=int,
        metavar="N",
        help="table: at most N characters wide (0: never fit, never wrap)",
    )
    group.add_argument("--fit-width", action="store_true", help="table: fit the terminal even when piped")
    group.add_argument("--print-empty", action="store_true", help="table: print the headings when nothing matches")
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


QUERY_HELP = """\
a query (several words are joined; '-' reads it from stdin):
  images [where CONDITION] [order by FIELD [asc|desc], ...] [limit N]
  all images ...   (every visibility, hidden and not, every membership status)
see docs/language.md for fields, operators, units and dates
(GB = 10^9 bytes, GiB = 2^30)"""

QUERY_EXAMPLES = """\
examples:
  imgql query 'images where tag = lts and size < 5GB order by created_at desc'
  imgql query --catalog examples/catalog.json -f json --one \\
      'images where os_distro = debian limit 1'
  imgql query -p distro=ubuntu 'images where os_distro = $distro'
  imgql --os-cloud mycloud query -c id -c name -f value \\
      'images where name like "ubuntu*"'

"""

PLAN_EXAMPLES = """\
examples:
  imgql plan 'images where os_distro = ubuntu and size < 5GB'
  imgql plan --profile documented -p tag=lts 'images where tag = $tag'

A plan needs no credentials and sends nothing. With --catalog everything is
done on the client (profile none), whatever --profile says.

"""


EXTERNAL_EXAMPLES = """\
The input is one JSON object of strings: "query" is the query, "per" may be
"region", every other key gives a $parameter. The output is one JSON object
of strings (id, name, created_at, checksum, size, ..., property.NAME; see
docs/terraform.md).

examples:
  echo '{"query": "images where os_distro = $d limit 1", "d": "ubuntu"}' \\
    | imgql external --os-cloud prod

"""


def build_parser() -> argparse.ArgumentParser:
    output = _output_options()
    under = _source_options(under_command=True)
    parser = _Parser(
        prog="imgql",
        description="Ask an OpenStack Images API (Glance) for images with one line of text.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_source_options()],
    )
    parser.add_argument("--version", action="version", version=f"imgql {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(
        name: str, help_text: str, parents: Sequence[argparse.ArgumentParser], examples: str = "", syntax: str = ""
    ) -> argparse.ArgumentParser:
        operands = {"query": "QUERY...", "plan": "QUERY...", "search": "TEXT...", "check": "FILE...", "lock": "FILE..."}
        operand = operands.get(name, "")
        return commands.add_parser(
            name,
            # The options are many (those of the openstack CLI): list them below, not here.
            usage=f"imgql [OPTIONS] {name} [OPTIONS] {operand}".rstrip(),
            help=help_text,
            description=help_text + (f"\n\nQUERY is {syntax}" if syntax else ""),
            parents=list(parents),  # type: ignore[arg-type]
            epilog=examples + EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    def param_option(target: argparse.ArgumentParser) -> None:
        target.add_argument(
            "-p",
            "--param",
            action="append",
            type=_param,
            default=[],
            metavar="NAME=VALUE",
            help="give $NAME in the query a value (repeatable); the value is never spliced into the text",
        )

    query = command("query", "run a query and print the images", [under, output], QUERY_EXAMPLES, QUERY_HELP)
    query.add_argument("query", nargs="+", metavar="QUERY", help="the query (see above)")
    query.add_argument("--one", action="store_true", help="exactly one image (an object with -f json), or exit 3")
    param_option(query)

    plan = command("plan", "print the plan of a query without running it", [under], PLAN_EXAMPLES, QUERY_HELP)
    plan.add_argument("query", nargs="+", metavar="QUERY", help="the query (see above)")
    param_option(plan)

    search = command("search", "run what a person would type into a search box", [under, output])
    search.add_argument("text", nargs="*", metavar="TEXT", help="words, phrases and field:value filters")
    search.add_argument("--allow", metavar="FIELDS", help="comma-separated fields that may be filtered on")
    search.add_argument("--show-query", action="store_true", help="print the query the search became, on stderr")

    check = command("check", "validate the queries of configuration files (YAML, TOML, JSON)", [under])
    from .check_command import add_check_arguments
    from .lock import add_arguments as add_lock_arguments

    add_check_arguments(check)
    param_option(check)
    lock = command("lock", "pin the image each query of configuration files picks, and check the pins", [under])
    add_lock_arguments(lock)
    param_option(lock)
    for target in (check, lock):
        target.add_argument("--params", dest="params_file", metavar="FILE", help="bound parameters from a file")

    command("shell", "an interactive prompt", [under, output])

    external = command(
        "external",
        "answer Terraform's external data source (JSON on stdin, the image on stdout)",
        [under],
        EXTERNAL_EXAMPLES,
    )
    external.add_argument(
        "--lock", metavar="LOCKFILE", help="answer with the image an `imgql lock` file pinned for the same query"
    )
    command("ansible-path", "print the directory to put in ANSIBLE_COLLECTIONS_PATH for imgql.openstack", [])

    from .logout import add_logout_arguments

    add_logout_arguments(command("logout", "forget the Keystone token kept between commands", [under]))
    return parser


# --------------------------------------------------------------------------- sources


def open_source(args: argparse.Namespace, profile: str | None = None) -> Any:
    """A Catalog for --catalog, else a Client with the given credentials."""
    if args.catalog:
        from ..run.catalog import Catalog

        return Catalog(args.catalog, project=args.project_id)
    from ..http.client import Client
    from ..http.credentials import StaticAuth

    auth, verify = resolve_credentials(args)
    args.cloud_label = _cloud_of(args)
    if isinstance(auth, StaticAuth) and not auth.token:
        # Remembered to explain a 401: the server wants a token and none was given.
        args.anonymous_endpoint = auth.endpoint
    options: dict[str, Any] = {"profile": profile or args.profile or "glance", "auth": auth, "verify": verify}
    if args.page_size:
        options["page_size"] = args.page_size
    if args.insecure:
        options["verify"] = False
    elif args.cacert:
        options["verify"] = args.cacert
    if args.timeout is not None:
        options["timeout"] = args.timeout
    if getattr(args, "partial", False):
        options["partial"] = True
    return Client(**options)


def placed(query: Any, args: argparse.Namespace) -> Any:
    """The query with the places the options name (``--all-regions``,
    ``--os-cloud`` given several times) joined to it as conditions, so that
    the options and the query syntax make the same plan."""
    import attrs

    from ..lang.ast import And, Compare, InList, Query
    from ..lang.check import checked
    from ..lang.parser import parse
    from ..plan.locations import EVERY_REGION

    parsed: Query = parse(query) if isinstance(query, str) else query
    if parsed.fallbacks:
        tiers = [placed(tier, args) for tier in parsed.tiers]
        return attrs.evolve(tiers[0], fallbacks=tuple(tiers[1:]))
    extra: list[Any] = []
    if getattr(args, "all_regions", False):
        extra.append(Compare("region", "=", EVERY_REGION))
    clouds = getattr(args, "clouds", None) or []
    if len(clouds) > 1:
        extra.append(InList("cloud", tuple(dict.fromkeys(clouds))))
    if not extra:
        return parsed
    where = parsed.where
    parts = [] if where is None else list(where.operands) if isinstance(where, And) else [where]
    joined = [*parts, *extra]
    # The same rules as conditions written in the query (`--os-cloud '*'` is refused as `cloud in (*)` is).
    return checked(attrs.evolve(parsed, where=joined[0] if len(joined) == 1 else And(tuple(joined))))


def resolve_credentials(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> tuple[Any, Any]:
    """The Auth and TLS setting the options give, read as the openstack CLI
    reads them: an option wins over its OS_* variable."""
    from ..http.credentials import StaticAuth
    from ..http.resolve import resolve_auth

    env = dict(os.environ if environ is None else environ)
    for option, variable, _help in OS_OPTIONS:
        value = getattr(args, _dest(option), None)
        if value:
            env[variable] = value
    if args.project_id:
        env["OS_PROJECT_ID"] = args.project_id
    if args.auth_type:
        env["OS_AUTH_TYPE"] = args.auth_type
    if getattr(args, "auth_cache", None) is not None:
        env["OS_AUTH_CACHE"] = "true" if args.auth_cache else "false"
    if args.os_auth_url and not args.cloud:
        env.pop("OS_CLOUD", None)  # options on the command line beat a cloud from the environment
    if (args.auth_type or "").strip().lower() == "none":
        endpoint = args.endpoint or env.get("OS_IMAGE_URL") or env.get("OS_ENDPOINT")
        if not endpoint:
            raise ConfigError("--os-auth-type none needs the Images API endpoint: pass --os-endpoint URL")
        env.pop("OS_TOKEN", None)
        env.pop("OS_AUTH_TOKEN", None)
        return StaticAuth(endpoint, None), (False if args.insecure else (args.cacert or True))
    # Beside a cloud, every option and OS_* variable replaces the cloud's own
    # value, as in the openstack CLI (whose options default to the variables).
    token = args.token
    if not token and (args.cloud or env.get("OS_CLOUD", "").strip()):
        token = env.get("OS_TOKEN", "").strip() or env.get("OS_AUTH_TOKEN", "").strip() or None
    return resolve_auth(
        args.endpoint,
        token,
        cloud=args.cloud,
        environ=env,
        region=args.region,
        interface=args.interface,
        environment_wins=True,
    )


def _cloud_of(args: argparse.Namespace) -> str | None:
    """The cloud the client's own credentials came from, to label its images
    with (the client is made from those credentials, so it does not know)."""
    if args.endpoint or args.token:
        return None
    cloud: str | None = args.cloud or os.environ.get("OS_CLOUD", "").strip() or None
    if not args.cloud and (args.os_auth_url or os.environ.get("OS_TOKEN", "").strip()):
        return None  # the command line's own login, or a token, beat OS_CLOUD
    return cloud


def _labelled(images: Iterable[Any], cloud: str | None) -> Iterator[Any]:
    from ..run.image import Image

    for image in images:
        if cloud is not None and isinstance(image, Image) and image.cloud is None:
            image = Image.from_record(image.raw, image.region, cloud)
        yield image


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


def _emit(
    args: argparse.Namespace,
    source: Any,
    images: Iterable[Any],
    out: TextIO,
    *,
    one: bool = False,
    query: Any = None,
) -> int:
    from .output import Progress, Writer, _isatty, sorted_images, table_width

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
    enabled = _isatty(sys.stderr) and (args.format == "table" or not _isatty(out)) and not args.catalog
    with Progress(sys.stderr, enabled=enabled) as progress:
        if enabled:
            _hook_pages(source, progress.page)
        tracked = progress.track(_labelled(images, getattr(args, "cloud_label", None)))
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
        _close(source)


@contextlib.contextmanager
def _partial_answers() -> Iterator[list[PartialAnswerWarning]]:
    """The places a partial answer went without (``--partial``), to report after the output."""
    import warnings

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
    from ..lang.parser import parse
    from ..plan.locations import split_places

    places, _ = split_places(parse(query) if isinstance(query, str) else query)
    clouds = len(places.clouds) > 1 if places.clouds is not None else False
    regions = places.every_region or (places.regions is not None and len(places.regions) > 1) or clouds
    return (("region",) if regions else ()) + (("cloud",) if clouds else ())


def cmd_search(args: argparse.Namespace, out: TextIO) -> int:
    from ..lang.searchbox import search_box

    allow = [a.strip() for a in args.allow.split(",") if a.strip()] if args.allow else None
    query = search_box(" ".join(args.text), allow=allow)
    if args.show_query:
        print(f"query: {query}", file=sys.stderr)
    for term, reason in query.ignored:
        print(f"imgql: warning: ignored {term!r}: {reason}", file=sys.stderr)
    source = open_source(args)
    if not args.catalog:
        query = placed(query, args)
    try:
        return _emit(args, source, source.query(query), out, query=query)
    finally:
        _close(source)


def cmd_plan(args: argparse.Namespace, out: TextIO) -> int:
    from ..lang.parser import parse

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


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from .check_command import run_check

    return run_check(args, out)


def cmd_lock(args: argparse.Namespace, out: TextIO) -> int:
    from .lock import cmd_lock as run_lock

    return run_lock(args, out)


def cmd_shell(args: argparse.Namespace, out: TextIO) -> int:
    from .shell import Shell

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


def cmd_external(args: argparse.Namespace, out: TextIO) -> int:
    from .external import cmd_external as external

    return external(args, out)


def cmd_ansible_path(args: argparse.Namespace, out: TextIO) -> int:
    from .ansible_path import collections_path

    out.write(f"{collections_path()}\n")
    return EXIT_OK


def cmd_logout(args: argparse.Namespace, out: TextIO) -> int:
    from .logout import cmd_logout as logout

    return logout(args, out)


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "query": cmd_query,
    "plan": cmd_plan,
    "search": cmd_search,
    "check": cmd_check,
    "lock": cmd_lock,
    "shell": cmd_shell,
    "external": cmd_external,
    "ansible-path": cmd_ansible_path,
    "logout": cmd_logout,
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
        with _warnings_in_plain_words():
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
        # Server text may hold terminal escapes: shown, never obeyed.
        print(f"imgql: error: {visible(explain(exc, args), keep_lines=True)}", file=sys.stderr)
        return exit_code(exc)
    except Exception as exc:
        if debug:
            raise
        _safe_flush(out)
        message = shortened(visible(str(exc)))
        print(f"imgql: internal error: {type(exc).__name__}: {message} (run with --debug for details)", file=sys.stderr)
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
def _warnings_in_plain_words() -> Iterator[None]:
    """Query warnings (a near-miss field name, a `%` in a like pattern) on
    stderr as `imgql: warning: ...`, each once however many layers parse the
    same text, instead of Python's format with a source file and line."""
    import warnings

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


def _safe_flush(stream: TextIO) -> None:
    with contextlib.suppress(OSError, ValueError):
        stream.flush()


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
