"""The command line's arguments: argparse definitions for ``imgql`` and its
commands, with the openstack CLI's global options accepted before or after
the command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ..plan.capabilities import PROFILES
from ..version import __version__
from .check_command import add_check_arguments
from .exits import EXIT_USAGE
from .lock import add_arguments as add_lock_arguments
from .logout import add_logout_arguments
from .output import FORMATS, QUOTING
from .sources import OS_OPTIONS, dest_of

__all__ = [
    "AUTH_TYPES",
    "EPILOG",
    "build_parser",
    "output_options",
    "param_pair",
    "positive_int",
    "source_options",
]

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


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # exits with 2, as argparse does, without the full usage
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


AUTH_TYPES = ("password", "v3password", "token", "v3token", "applicationcredential", "v3applicationcredential", "none")


class _Clouds(argparse.Action):
    """``--os-cloud`` given more than once: the query runs in each cloud
    (``cloud in (a, b)``); the first is the client's own."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        clouds = [*(getattr(namespace, "clouds", None) or ()), values]
        namespace.clouds = clouds
        namespace.cloud = clouds[0]


def source_options(under_command: bool = False) -> argparse.ArgumentParser:
    """Where images come from. The same options are accepted before the
    command (as `openstack --os-cloud x image list`) and after it; after it,
    they default to "not given" so that they do not undo the ones before."""

    def given(default: Any) -> Any:
        return argparse.SUPPRESS if under_command else default

    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("where images come from")
    _where_options(group, given)
    _login_options(group, given)
    _client_options(group, given)
    common.add_argument("--debug", action="store_true", default=given(False), help="show a traceback on errors")
    return common


def _where_options(group: argparse._ArgumentGroup, given: Callable[[Any], Any]) -> None:
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


def _login_options(group: argparse._ArgumentGroup, given: Callable[[Any], Any]) -> None:
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
        group.add_argument(option, metavar="VALUE", dest=dest_of(option), default=given(None), help=help_text)
    group.add_argument(
        "--insecure", action="store_true", default=given(False), help="do not verify the server's TLS certificate"
    )
    group.add_argument(
        "--os-cacert", metavar="FILE", dest="cacert", default=given(None), help="a CA bundle to verify the server with"
    )


def _client_options(group: argparse._ArgumentGroup, given: Callable[[Any], Any]) -> None:
    group.add_argument(
        "--profile",
        choices=tuple(PROFILES),
        default=given(None),
        help="what the API can filter (default: glance; a catalog plans everything on the client)",
    )
    group.add_argument(
        "--page-size", type=positive_int, metavar="N", default=given(None), help="images per page request"
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


def output_options() -> argparse.ArgumentParser:
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


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def param_pair(text: str) -> tuple[str, str]:
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


_OPERANDS = {"query": "QUERY...", "plan": "QUERY...", "search": "TEXT...", "check": "FILE...", "lock": "FILE..."}


class _Commands:
    """Adds the commands, each with the same usage line and the exit codes below its help."""

    def __init__(self, subparsers: argparse._SubParsersAction[Any]) -> None:
        self.subparsers = subparsers

    def add(
        self,
        name: str,
        help_text: str,
        parents: Sequence[argparse.ArgumentParser],
        examples: str = "",
        syntax: str = "",
    ) -> argparse.ArgumentParser:
        operand = _OPERANDS.get(name, "")
        parser: argparse.ArgumentParser = self.subparsers.add_parser(
            name,
            # The options are many (those of the openstack CLI): list them below, not here.
            usage=f"imgql [OPTIONS] {name} [OPTIONS] {operand}".rstrip(),
            help=help_text,
            description=help_text + (f"\n\nQUERY is {syntax}" if syntax else ""),
            parents=list(parents),
            epilog=examples + EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        return parser


def _param_option(target: argparse.ArgumentParser) -> None:
    target.add_argument(
        "-p",
        "--param",
        action="append",
        type=param_pair,
        default=[],
        metavar="NAME=VALUE",
        help="give $NAME in the query a value (repeatable); the value is never spliced into the text",
    )


def build_parser() -> argparse.ArgumentParser:
    output = output_options()
    under = source_options(under_command=True)
    parser = _Parser(
        prog="imgql",
        description="Ask an OpenStack Images API (Glance) for images with one line of text.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[source_options()],
    )
    parser.add_argument("--version", action="version", version=f"imgql {__version__}")
    commands = _Commands(parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser))
    _query_commands(commands, under, output)
    _file_commands(commands, under)
    _other_commands(commands, under, output)
    return parser


def _query_commands(commands: _Commands, under: argparse.ArgumentParser, output: argparse.ArgumentParser) -> None:
    query = commands.add("query", "run a query and print the images", [under, output], QUERY_EXAMPLES, QUERY_HELP)
    query.add_argument("query", nargs="+", metavar="QUERY", help="the query (see above)")
    query.add_argument("--one", action="store_true", help="exactly one image (an object with -f json), or exit 3")
    _param_option(query)

    plan = commands.add("plan", "print the plan of a query without running it", [under], PLAN_EXAMPLES, QUERY_HELP)
    plan.add_argument("query", nargs="+", metavar="QUERY", help="the query (see above)")
    _param_option(plan)

    search = commands.add("search", "run what a person would type into a search box", [under, output])
    search.add_argument("text", nargs="*", metavar="TEXT", help="words, phrases and field:value filters")
    search.add_argument("--allow", metavar="FIELDS", help="comma-separated fields that may be filtered on")
    search.add_argument("--show-query", action="store_true", help="print the query the search became, on stderr")


def _file_commands(commands: _Commands, under: argparse.ArgumentParser) -> None:
    check = commands.add("check", "validate the queries of configuration files (YAML, TOML, JSON)", [under])
    add_check_arguments(check)
    _param_option(check)
    lock = commands.add("lock", "pin the image each query of configuration files picks, and check the pins", [under])
    add_lock_arguments(lock)
    _param_option(lock)
    for target in (check, lock):
        target.add_argument("--params", dest="params_file", metavar="FILE", help="bound parameters from a file")


def _other_commands(commands: _Commands, under: argparse.ArgumentParser, output: argparse.ArgumentParser) -> None:
    commands.add("shell", "an interactive prompt", [under, output])
    external = commands.add(
        "external",
        "answer Terraform's external data source (JSON on stdin, the image on stdout)",
        [under],
        EXTERNAL_EXAMPLES,
    )
    external.add_argument(
        "--lock", metavar="LOCKFILE", help="answer with the image an `imgql lock` file pinned for the same query"
    )
    commands.add("ansible-path", "print the directory to put in ANSIBLE_COLLECTIONS_PATH for imgql.openstack", [])
    add_logout_arguments(commands.add("logout", "forget the Keystone token kept between commands", [under]))
