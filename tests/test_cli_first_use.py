"""First use of the command line: tables that fit the terminal, typos caught,
errors that say how to fix them, a shell that behaves, and the options of
`openstack image list`. Every case drives ``imgql`` as a subprocess, or the
shell through a pseudo-terminal, at a fixed terminal width."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "examples" / "catalog.json")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
WEB = "3f1c9b2e7d4a4c8e9b06e2d5a7f18c42"  # the example catalog's own view
COMMUNITY = "e9a04b3c6d2f4817b5c8a9e1f3d27b05"  # publishes community images

LONG_NAME = "Ubuntu-22.04-LTS-CIS-hardened-with-extra-tooling-for-build-agents"
IMAGES = [
    {
        "id": "0b0e9c2a-1111-4f1e-9d0c-000000000001",
        "name": LONG_NAME,
        "status": "active",
        "visibility": "public",
        "size": 603_800_000,
        "tags": ["lts"],
        "created_at": "2025-06-01T10:00:00Z",
        "os_hidden": False,
    },
    {
        "id": "0b0e9c2a-1111-4f1e-9d0c-000000000002",
        "name": "Debian-12",
        "status": "active",
        "visibility": "public",
        "size": 400_000_000,
        "tags": ["lts"],
        "created_at": "2025-01-01T10:00:00Z",
        "os_hidden": False,
    },
]


def imgql_cli(
    *args: str, columns: int = 80, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    environ.update({"COLUMNS": str(columns), "PYTHONIOENCODING": "utf-8", "HOME": str(ROOT / "tests")})
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "imgql.cli", *args],
        capture_output=True,
        text=True,
        env=environ,
        input=stdin,
        timeout=60,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("catalog") / "catalog.json"
    path.write_text(json.dumps({"images": IMAGES}), encoding="utf-8")
    return str(path)


def table_ids(text: str) -> list[str]:
    return UUID.findall(text)


def name_cells(text: str) -> str:
    """The Name column's pieces, joined (a wrapped name reads back whole)."""
    lines = [line for line in text.splitlines() if line.startswith("|")][1:]
    return "".join(line.split("|")[2].strip() for line in lines)


# --------------------------------------------------------------------------- tables that fit


@pytest.mark.parametrize("width", [80, 120, 200])
def test_default_table_fits_keeps_ids_whole_and_names_readable(width: int) -> None:
    result = imgql_cli("query", "--catalog", EXAMPLE, "images where tag = lts limit 2", columns=width)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(len(line) <= width for line in lines)
    assert len(table_ids(result.stdout)) == 2  # whole ids, never cut
    header = lines[1]
    assert [h.strip() for h in header.strip("|").split("|")] == ["ID", "Name", "Status"]
    assert "Ubuntu-26.04-LTS-arm64" in result.stdout  # the name on one line: there is room
    assert "activ " not in result.stdout


@pytest.mark.parametrize("width", [80, 120])
def test_a_long_name_wraps_instead_of_vanishing(catalog: str, width: int) -> None:
    result = imgql_cli("query", "--catalog", catalog, "images", columns=width)
    assert result.returncode == 0, result.stderr
    assert all(len(line) <= width for line in result.stdout.splitlines())
    assert [i[-1] for i in table_ids(result.stdout)] == ["1", "2"]
    assert LONG_NAME in name_cells(result.stdout)  # every piece is there, in order


def test_columns_that_do_not_fit_are_left_out_with_a_note(catalog: str) -> None:
    result = imgql_cli("query", "--catalog", catalog, "images", columns=60)
    assert result.returncode == 0, result.stderr
    assert "Status" not in result.stdout
    assert len(table_ids(result.stdout)) == 2
    assert "Status left out to fit 60 columns" in result.stderr
    assert "-c COLUMN" in result.stderr and "--long" in result.stderr and "-f yaml" in result.stderr


@pytest.mark.parametrize("width", [120, 200])
def test_long_becomes_one_block_per_image_rather_than_squeezed(width: int) -> None:
    result = imgql_cli("query", "--catalog", EXAMPLE, "--long", "images where tag = lts limit 2", columns=width)
    assert result.returncode == 0, result.stderr
    assert all(len(line) <= width for line in result.stdout.splitlines())
    assert len(table_ids(result.stdout)) == 2
    blocks = result.stdout.strip().split("\n\n")
    assert len(blocks) == 2
    for heading in ("Disk Format", "Container Format", "Checksum", "Visibility", "Protected", "Project", "Tags"):
        assert heading in blocks[0]
    assert re.search(r"^Name +Ubuntu-26\.04-LTS-arm64$", blocks[0], re.MULTILINE)


def test_long_is_a_table_when_it_fits() -> None:
    result = imgql_cli("query", "--catalog", EXAMPLE, "--long", "images where tag = lts limit 2", columns=400)
    assert result.stdout.startswith("+--")
    assert "Container Format" in result.stdout.splitlines()[1]


def test_max_width_and_fit_width() -> None:
    query = ("query", "--catalog", EXAMPLE, "images where tag = lts limit 2")
    capped = imgql_cli(*query, "--max-width", "60", columns=200)
    assert all(len(line) <= 60 for line in capped.stdout.splitlines())
    unlimited = imgql_cli(*query, "-c", "id", "-c", "name", "-c", "checksum", "--max-width", "0", columns=40)
    assert unlimited.stdout.startswith("+--") and len(unlimited.stdout.splitlines()[0]) > 40


def test_sizes_are_in_the_languages_decimal_units() -> None:
    result = imgql_cli(
        "query", "--catalog", EXAMPLE, "-c", "name", "-c", "size", "images where size > 600MB limit 5", columns=120
    )
    assert result.returncode == 0, result.stderr
    sizes = re.findall(r"(\d+\.\d) (MB|GB|MiB|GiB)", result.stdout)
    assert sizes and all(unit in ("MB", "GB") for _v, unit in sizes)
    assert all(float(v) > 600 or unit == "GB" for v, unit in sizes)


# --------------------------------------------------------------------------- empty results, --one


def test_empty_results_print_nothing_in_a_table_and_valid_empty_documents() -> None:
    nothing = ("query", "--catalog", EXAMPLE, "images where name = nothing-like-this")
    table = imgql_cli(*nothing)
    assert table.returncode == 0 and table.stdout == ""
    headed = imgql_cli(*nothing, "--print-empty")
    assert "ID" in headed.stdout and "Name" in headed.stdout
    assert imgql_cli(*nothing, "-f", "json").stdout == "[]\n"
    assert imgql_cli(*nothing, "-f", "value").stdout == ""
    assert imgql_cli(*nothing, "-f", "csv").stdout == "ID,Name,Status\n"


def test_one_with_json_is_an_object() -> None:
    result = imgql_cli("query", "--catalog", EXAMPLE, "-f", "json", "--one", "images where tag = lts limit 1")
    assert result.returncode == 0, result.stderr
    image = json.loads(result.stdout)
    assert isinstance(image, dict) and UUID.fullmatch(image["id"])


def test_noindent_quote_and_sort_columns(catalog: str) -> None:
    compact = imgql_cli("query", "--catalog", catalog, "-f", "json", "--noindent", "-c", "name", "images")
    assert compact.stdout.count("\n") == 1
    assert json.loads(compact.stdout) == [{"name": LONG_NAME}, {"name": "Debian-12"}]
    quoted = imgql_cli("query", "--catalog", catalog, "-f", "csv", "--quote", "nonnumeric", "-c", "size", "images")
    assert quoted.stdout.splitlines() == ['"Size"', "603800000", "400000000"]
    ascending = imgql_cli("query", "--catalog", catalog, "-f", "value", "-c", "name", "--sort-column", "size", "images")
    assert ascending.stdout.splitlines() == ["Debian-12", LONG_NAME]
    descending = imgql_cli(
        "query", "--catalog", catalog, "-f", "value", "-c", "name", "--sort-column", "name", "--sort-descending",
        "images",
    )  # fmt: skip
    assert descending.stdout.splitlines() == [LONG_NAME, "Debian-12"]


# --------------------------------------------------------------------------- typos


def test_a_mistyped_column_is_an_error_with_a_suggestion() -> None:
    result = imgql_cli("query", "--catalog", EXAMPLE, "-c", "nmae", "images limit 1")
    assert result.returncode == 2
    assert "unknown column 'nmae'" in result.stderr and "did you mean 'name'" in result.stderr
    assert result.stdout == ""


def test_a_near_miss_field_is_one_plain_warning_on_stderr() -> None:
    result = imgql_cli("query", "--catalog", EXAMPLE, "images where nmae = x")
    assert result.returncode == 0
    assert result.stderr.count("imgql: warning: unknown field 'nmae'") == 1
    assert "did you mean 'name'" in result.stderr
    assert ".py:" not in result.stderr  # not Python's format, with a source file and line


def test_check_refuses_a_near_miss_field(tmp_path: Path) -> None:
    config = tmp_path / "servers.yaml"
    config.write_text('web: "images where nmae = ubuntu"\n', encoding="utf-8")
    result = imgql_cli("check", str(config))
    assert result.returncode != 0
    assert "did you mean 'name'" in result.stdout
    assert "1 problem" in result.stderr


def test_a_column_no_image_has_is_an_error_in_a_table() -> None:
    result = imgql_cli("query", "--catalog", EXAMPLE, "-c", "id", "-c", "nope", "images limit 3")
    assert result.returncode == 2
    assert "unknown column 'nope'" in result.stderr
    assert imgql_cli("query", "--catalog", EXAMPLE, "-c", "hw_disk_bus", "images limit 3").returncode == 0


def test_check_key_that_matches_nothing_is_an_error() -> None:
    result = imgql_cli("check", "examples/images.yaml", "--key", "server.*.image")
    assert result.returncode == 2
    assert "no value at key path server.*.image" in result.stdout
    assert "did you mean servers.*.image" in result.stdout
    assert imgql_cli("check", "examples/images.yaml", "--key", "servers.*.image").returncode == 0


# --------------------------------------------------------------------------- plan and help


def test_plan_of_a_catalog_says_the_profile_does_not_apply() -> None:
    result = imgql_cli("plan", "--catalog", EXAMPLE, "--profile", "glance", "images where name ~ 'x' limit 1")
    assert result.returncode == 0
    assert "profile: none" in result.stdout
    assert "--profile glance is ignored: a catalog is answered on the client" in result.stderr
    assert "1 image matches" in result.stdout and "1 images" not in result.stdout


def test_help_explains_the_query_and_its_options() -> None:
    query_help = imgql_cli("query", "--help", columns=100).stdout
    assert "images [where CONDITION] [order by" in query_help
    assert "examples:" in query_help and "imgql query 'images where tag = lts" in query_help
    plan_help = imgql_cli("plan", "--help", columns=100).stdout
    assert "images [where CONDITION]" in plan_help
    assert "give $NAME in the query a value" in plan_help


# --------------------------------------------------------------------------- openstack habits


def test_global_options_go_before_or_after_the_command() -> None:
    before = imgql_cli("--catalog", EXAMPLE, "query", "images where tag = lts limit 1")
    assert before.returncode == 0, before.stderr
    cloud = imgql_cli("--os-cloud", "nosuchcloud", "query", "images")
    assert cloud.returncode == 4
    assert "invalid choice" not in cloud.stderr and "nosuchcloud" in cloud.stderr
    after = imgql_cli("query", "--os-cloud", "nosuchcloud", "images")
    assert after.returncode == 4 and "nosuchcloud" in after.stderr


class _Glance(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        _Glance.seen.append(dict(self.headers))
        if self.headers.get("X-Auth-Token") or self.server.anonymous:  # type: ignore[attr-defined]
            status, body = 200, json.dumps({"images": IMAGES}).encode()
            kind = "application/json"
        else:
            status = 401
            body = b"<html><body><h1>401 Unauthorized</h1>This server could not verify...<br /><br /></body></html>"
            kind = "text/html"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def _serve(anonymous: bool) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Glance)
    httpd.anonymous = anonymous  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def glance() -> Iterator[str]:
    yield from _serve(anonymous=False)


@pytest.fixture(scope="module")
def open_glance() -> Iterator[str]:
    yield from _serve(anonymous=True)


def test_a_401_without_a_token_names_the_option(glance: str) -> None:
    result = imgql_cli("query", "--endpoint", glance, "images")
    assert result.returncode == 4
    assert "wants a token (HTTP 401) and none was given" in result.stderr
    assert "--os-token" in result.stderr
    assert "<br" not in result.stderr and "<html" not in result.stderr


def test_os_token_with_os_endpoint(glance: str) -> None:
    result = imgql_cli("--os-token", "t0ken", "--os-endpoint", glance, "query", "-f", "value", "-c", "name", "images")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [LONG_NAME, "Debian-12"]
    assert "t0ken" not in result.stderr


def test_auth_type_none_is_a_glance_without_keystone(open_glance: str) -> None:
    result = imgql_cli(
        "query", "--os-auth-type", "none", "--os-endpoint", open_glance, "-f", "value", "-c", "id", "images",
        env={"OS_TOKEN": "from-the-environment"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.split()) == 2
    assert all("from-the-environment" not in str(h.values()) for h in _Glance.seen[-1:])
    missing = imgql_cli("query", "--os-auth-type", "none", "images")
    assert missing.returncode == 4 and "--os-endpoint" in missing.stderr


def test_keystone_options_become_the_settings_openstack_reads() -> None:
    from imgql.cli.commands import build_parser, resolve_credentials
    from imgql.http.keystone import KeystoneAuth

    args = build_parser().parse_args(
        [
            "--os-auth-url", "https://keystone.example:5000/v3", "--os-username", "u", "--os-password", "p",
            "--os-project-name", "demo", "--os-user-domain-name", "Default", "--os-project-domain-name", "Default",
            "--os-region-name", "RegionTwo", "--os-interface", "internal", "query", "images",
        ]
    )  # fmt: skip
    auth, verify = resolve_credentials(args, environ={"OS_CLOUD": "ignored-as-options-win"})
    assert isinstance(auth, KeystoneAuth)
    assert verify is True
    assert "RegionTwo" in repr(vars(auth)) or "RegionTwo" in str(getattr(auth, "region", ""))


# --------------------------------------------------------------------------- offline equals live


def test_example_catalog_answers_from_its_projects_view() -> None:
    import imgql

    catalog = imgql.Catalog(EXAMPLE)
    assert catalog.project == WEB
    records = {r["id"]: r for r in catalog.records}
    members = catalog.members
    for query, status in [("images", "accepted"), ("images where member_status = pending", "pending")]:
        for image in catalog.query(query):
            record = records[image.id]
            assert (
                record["visibility"] == "public"
                or record["owner"] == WEB
                or members.get(image.id, {}).get(WEB) == status
            ), (query, record["name"])
    owners = {i.raw["owner"] for i in catalog.query("images where os_distro = ubuntu")}
    assert COMMUNITY not in owners  # another project's community images are left out
    widened = {i.raw["owner"] for i in catalog.query("images where visibility = community and os_distro = ubuntu")}
    assert COMMUNITY in widened


def test_catalog_project_option() -> None:
    query = ("query", "--catalog", EXAMPLE, "-f", "value", "-c", "owner", "images where visibility = private")
    own = imgql_cli(*query)
    assert set(own.stdout.split()) == {WEB}
    other = imgql_cli(*query, "--os-project-id", "c27d4e91f0b84a6d8e3a5f12b9c0d674")
    assert set(other.stdout.split()) == {"c27d4e91f0b84a6d8e3a5f12b9c0d674"}


def test_readme_quick_start_from_the_repository() -> None:
    result = imgql_cli(
        "query", "--catalog", "examples/catalog.json",
        "images where os_distro = ubuntu and tag = lts order by created_at desc limit 3", columns=100,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(table_ids(result.stdout)) == 3
    owners = imgql_cli(
        "query", "--catalog", "examples/catalog.json", "-f", "value", "-c", "owner",
        "images where os_distro = ubuntu and tag = lts order by created_at desc limit 3",
    )  # fmt: skip
    assert COMMUNITY not in owners.stdout  # as a live listing: no other project's community image


# --------------------------------------------------------------------------- the shell without a terminal


def test_piped_shell_reads_lines_without_control_sequences() -> None:
    result = imgql_cli("shell", "--catalog", EXAMPLE, stdin="images where tag = lts limit 1\n")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout + result.stderr
    assert "Warning" not in result.stderr
    assert len(table_ids(result.stdout)) == 1


def test_piped_shell_exits_non_zero_on_an_error_on_the_last_line() -> None:
    result = imgql_cli("shell", "--catalog", EXAMPLE, stdin="images limit 1\nimages where (\n")
    assert result.returncode == 2
    assert "error:" in result.stderr and "^" in result.stderr


def test_piped_shell_takes_the_documented_multi_line_query() -> None:
    text = "images where os_distro = ubuntu and\n  tag = lts\n  order by created_at desc limit 3;\nquit\nimages\n"
    result = imgql_cli("shell", "--catalog", EXAMPLE, stdin=text)
    assert result.returncode == 0, result.stderr
    assert len(table_ids(result.stdout)) == 3  # quit left before `images` ran
    assert "(3 images)" in result.stderr


# --------------------------------------------------------------------------- the shell in a terminal


# The child takes the pseudo-terminal as its controlling terminal, as a shell
# in a real one has it (Ctrl-C is a key at the prompt but a signal while a
# query runs). subprocess has no option for that, so these few lines do it
# before the shell starts; forking the test process itself (pty.fork) is what
# Python 3.13 warns may deadlock when the process has threads, as here.
_TAKE_TERMINAL = (
    "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execv(sys.executable, [sys.executable, '-m', 'imgql.cli', 'shell', *sys.argv[1:]])"
)


class Terminal:
    """``imgql shell`` in a pseudo-terminal of a fixed size."""

    def __init__(self, *args: str, columns: int = 80, lines: int = 24, env: dict[str, str] | None = None) -> None:
        import fcntl
        import pty
        import struct
        import termios

        self.fd, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "COLUMNS", "LINES"))}
        environ.update({"TERM": "xterm", "XDG_STATE_HOME": "/tmp/imgql-test-state", "NO_COLOR": "1"})
        environ["PROMPT_TOOLKIT_NO_CPR"] = "1"  # a pseudo-terminal answers no cursor-position request
        environ.update(env or {})
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _TAKE_TERMINAL, *args],
                stdin=child,
                stdout=child,
                stderr=child,
                env=environ,
                cwd=ROOT,
                start_new_session=True,
            )
        finally:
            os.close(child)  # else the end of the shell never reads as the end of the terminal
        weakref.finalize(self, _end_terminal, self.process, self.fd)
        self.seen = ""

    def read_until(self, text: str, timeout: float = 20) -> str:
        import select

        end = time.monotonic() + timeout
        while text not in self.seen:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"did not see {text!r} in {self.seen[-2000:]!r}")
            ready, _w, _x = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.seen += chunk.decode("utf-8", "replace")
        return self.seen

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def wait(self, timeout: float = 20) -> int:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with contextlib.suppress(AssertionError):
                self.read_until("\x00", timeout=0.2)
            status = self.process.poll()
            if status is not None:
                return status
        self.process.kill()
        self.process.wait()
        raise AssertionError("the shell did not exit")


def _end_terminal(process: subprocess.Popen[bytes], fd: int) -> None:
    """Stop a shell a failed test left running, and close its terminal."""
    if process.poll() is None:
        process.kill()
        process.wait()
    with contextlib.suppress(OSError):
        os.close(fd)


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]|\r", "", text)


def test_shell_help_and_quit_without_backslash() -> None:
    terminal = Terminal("--catalog", EXAMPLE)
    terminal.read_until("imgql>")
    terminal.send("help\r")
    terminal.read_until("Tab completes fields")
    terminal.send("quit\r")
    assert terminal.wait() == 0
    terminal = Terminal("--catalog", EXAMPLE)
    terminal.read_until("imgql>")
    terminal.send("exit\r")
    assert terminal.wait() == 0


def test_shell_takes_the_documented_multi_line_query() -> None:
    terminal = Terminal("--catalog", EXAMPLE, columns=100, lines=40)
    terminal.read_until("imgql>")
    terminal.send("images where os_distro = ubuntu and\r")
    terminal.read_until("...>")
    terminal.send("tag = lts\r")
    terminal.send("order by created_at desc limit 3;\r")
    seen = _plain(terminal.read_until("(3 images)"))
    assert len(table_ids(seen)) == 3
    terminal.read_until("imgql>", timeout=5)
    terminal.send("quit\r")
    assert terminal.wait() == 0


def test_shell_pages_results_longer_than_the_screen(tmp_path: Path) -> None:
    pager = tmp_path / "pager.sh"
    pager.write_text("#!/bin/sh\necho PAGER-STARTED\ncat\n")
    pager.chmod(0o755)
    terminal = Terminal("--catalog", EXAMPLE, columns=100, lines=20, env={"PAGER": str(pager)})
    terminal.read_until("imgql>")
    terminal.send("images where os_distro = ubuntu\r")
    seen = terminal.read_until("images)")
    assert "PAGER-STARTED" in seen
    short = len(terminal.seen)
    terminal.send("images where tag = lts limit 2\r")
    terminal.read_until("(2 images)")
    assert "PAGER-STARTED" not in terminal.seen[short:]
    terminal.send("quit\r")
    assert terminal.wait() == 0


def test_shell_tab_after_where_offers_field_names() -> None:
    terminal = Terminal("--catalog", EXAMPLE, columns=120, lines=30)
    terminal.read_until("imgql>")
    terminal.send("images where os_d\t")
    terminal.read_until("istro")
    terminal.send("\x03")  # clear the line
    terminal.send("images where \t")
    seen = _plain(terminal.read_until("container_format"))
    menu = seen[seen.rindex("images where") :]
    assert "order by" not in menu and "limit" not in menu
    terminal.send("\x03quit\r")
    assert terminal.wait() == 0


def test_shell_refuses_a_column_no_image_has() -> None:
    terminal = Terminal("--catalog", EXAMPLE, columns=100, lines=40)
    terminal.read_until("imgql>")
    terminal.send("images limit 1\r")
    terminal.read_until("(1 image)")
    terminal.send("\\columns nope\r")
    seen = terminal.read_until("unknown column 'nope'")
    assert "error:" in seen
    terminal.send("\\columns nmae\r")
    terminal.read_until("did you mean 'name'")
    terminal.send("quit\r")
    assert terminal.wait() == 0
