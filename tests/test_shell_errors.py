"""``imgql shell``: a line continues only when it cannot be complete; a mistake is reported at once
with its own message, and what follows still runs. In a pseudo-terminal, on a pipe, and with the
query command's output options (docs/cli.md, the shell)."""

from __future__ import annotations

import json

import pytest

from imgql.cli.shell import is_complete, starts_a_command
from tests.test_cli_first_use import EXAMPLE, Terminal, _plain, imgql_cli, table_ids

# Each is wrong in a way no further text can mend: Enter reports it.
MISTAKES = {
    "images where status = actve": "'actve' is not a status",
    "images where x y": "found 'y'",
    "images where name = Ubuntu 24.04 LTS": "a value with spaces must be quoted",
    "select * from images": "a query starts with 'images'",
    "clear": "a query starts with 'images'",
}


@pytest.mark.parametrize("line", MISTAKES)
def test_a_line_that_cannot_be_mended_is_complete(line: str) -> None:
    assert is_complete(line)


@pytest.mark.parametrize(
    "text",
    [
        "images where",
        "images where os_distro = ubuntu and",
        "images where (tag = lts",
        "images where name = 'Ubuntu",
        "images order",
        "images where os_distro = ubuntu and\n  tag = lts",  # several lines wait for `;` or an empty line
    ],
)
def test_a_line_continues_only_when_it_cannot_be_complete(text: str) -> None:
    assert not is_complete(text)


def test_what_starts_a_command() -> None:
    assert starts_a_command("images limit 1") and starts_a_command("  ALL images") and starts_a_command("\\format json")
    assert starts_a_command("quit")
    assert not starts_a_command("imagesque = 1") and not starts_a_command("and tag = lts")


def test_on_a_pipe_each_line_reports_its_own_error_and_later_queries_run() -> None:
    text = "".join(f"{line}\nimages where name = 'Debian-12-bookworm' limit 1\n" for line in MISTAKES)
    result = imgql_cli("shell", "--catalog", EXAMPLE, stdin=text)
    assert result.returncode == 2  # the first error's exit code
    for message in MISTAKES.values():
        assert message in result.stderr, result.stderr
    assert "found 'images'" not in result.stderr  # no line swallowed the next
    assert result.stderr.count("(1 image)") == len(MISTAKES)


def test_on_a_pipe_a_query_of_several_lines_ends_where_the_next_command_starts() -> None:
    text = "images where os_distro = ubuntu and\n  tag = lts\n\\format json\n"
    text += "images where name = 'Debian-12-bookworm' limit 1\n"
    result = imgql_cli("shell", "--catalog", EXAMPLE, "-c", "name", stdin=text)
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr
    assert json.loads(result.stdout[result.stdout.index("[") :]) == [{"name": "Debian-12-bookworm"}]


def test_in_a_terminal_enter_reports_the_mistake_and_the_next_command_is_its_own() -> None:
    terminal = Terminal("--catalog", EXAMPLE, columns=100, lines=40)
    terminal.read_until("imgql>")
    terminal.send("images where status = actve\r")
    terminal.read_until("is not a status")
    terminal.send("\\format json\r")
    terminal.send("images where name = 'Debian-12-bookworm'\r")
    seen = _plain(terminal.read_until('"name": "Debian-12-bookworm"'))
    assert "...>" not in seen
    assert "order by" not in seen  # no error about a query that swallowed \format
    terminal.send("select * from images\r")
    terminal.read_until("a query starts with 'images'")
    terminal.send("quit\r")
    assert terminal.wait() == 0


def test_the_shell_takes_the_query_commands_output_options() -> None:
    result = imgql_cli(
        "shell", "--catalog", EXAMPLE, "-f", "value", "-c", "name", "-c", "size", "--sort-column", "size",
        "--sort-descending", stdin="images where tag = lts limit 3\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    assert len(rows) == 3 and all(len(row) == 2 for row in rows)
    sizes = [int(size) for _name, size in rows]
    assert sizes == sorted(sizes, reverse=True)
    as_json = imgql_cli("shell", "--catalog", EXAMPLE, "-f", "json", "--noindent", "-c", "id", stdin="images limit 2\n")
    assert as_json.returncode == 0, as_json.stderr
    assert len(json.loads(as_json.stdout)) == 2
    bad = imgql_cli("shell", "--catalog", EXAMPLE, "-f", "nope", stdin="")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_the_shell_in_a_terminal_with_value_output() -> None:
    terminal = Terminal("--catalog", EXAMPLE, "-f", "value", "-c", "id")
    terminal.read_until("imgql>")
    terminal.send("images where tag = lts limit 2\r")
    terminal.send("quit\r")
    assert terminal.wait() == 0
    assert len(table_ids(terminal.seen)) == 2
    assert "+---" not in terminal.seen


def test_search_in_the_shell_says_what_it_ignored() -> None:
    result = imgql_cli("shell", "--catalog", EXAMPLE, "-f", "value", "-c", "name", stdin="\\search DEBIAN size<5xb\n")
    assert result.returncode == 0, result.stderr
    assert "query: images where name contains 'DEBIAN'" in result.stderr
    assert "ignored 'size<5xb': unknown size unit 'xb'" in result.stderr
    assert "Debian-12-bookworm" in result.stdout
