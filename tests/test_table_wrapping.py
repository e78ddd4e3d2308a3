"""Tables on a terminal 80 columns wide: names wrap at spaces and hyphens as on a pipe, never
mid-word, and a tag with a space stays one tag (docs/cli.md, tables)."""

from __future__ import annotations

import os
import re
import select
import sys

import pytest

from tests.test_cli_first_use import EXAMPLE, ROOT, imgql_cli

QUERY = "images where name like '*CIS*' or name like 'k8s*' order by name limit 6"
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")


def in_a_terminal(*args: str, columns: int = 80) -> str:
    """``imgql ARGS`` with a pseudo-terminal of ``columns`` as stdout, as a person sees it."""
    import fcntl
    import pty
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:  # the child
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "COLUMNS", "LINES"))}
        environ.update({"TERM": "xterm", "NO_COLOR": "1"})
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "imgql.cli", *args], environ)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    seen = b""
    while True:
        ready, _w, _x = select.select([fd], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.waitpid(pid, 0)
    return ESCAPES.sub("", seen.decode("utf-8", "replace"))


def cells(table: str, column: int, key: int = 2) -> list[list[str]]:
    """Each row's pieces of one column; a row starts where the ``key`` column (the id) has a value."""
    rows: list[list[str]] = []
    for line in table.splitlines():
        parts = re.split(r"[│|]", line)
        if len(parts) < 4 or "ID" in parts[key + 1]:
            continue
        cell = parts[column + 1].strip()
        if parts[key + 1].strip():
            rows.append([cell] if cell else [])
        elif rows and cell:
            rows[-1].append(cell)
    return rows


def names(catalog_query: str) -> list[str]:
    result = imgql_cli("query", "--catalog", EXAMPLE, "-f", "value", "-c", "name", catalog_query)
    return result.stdout.splitlines()


@pytest.mark.parametrize("where", ["terminal", "pipe"])
def test_names_wrap_at_spaces_and_hyphens_never_mid_word(where: str) -> None:
    args = ("query", "--catalog", EXAMPLE, "-c", "name", "-c", "tags", "-c", "id", QUERY)
    table = in_a_terminal(*args) if where == "terminal" else imgql_cli(*args, columns=80).stdout
    assert all(len(line) <= 80 for line in table.splitlines()), table
    rows = cells(table, 0)
    assert ["".join(pieces) for pieces in rows] == names(QUERY)
    wrapped = [pieces for pieces in rows if len(pieces) > 1]
    assert wrapped, table  # the case is there: some names need two lines at 80 columns
    for pieces in wrapped:
        assert all(piece.endswith("-") for piece in pieces[:-1]), pieces


def test_a_tag_with_a_space_is_not_split() -> None:
    table = in_a_terminal("query", "--catalog", EXAMPLE, "-c", "name", "-c", "tags", "-c", "id", QUERY)
    tags = [" ".join(pieces) for pieces in cells(table, 1)]
    assert any("golden image" in row for row in tags), table
    for line in table.splitlines():
        assert not re.search(r"golden\s*[│|]", line), line  # never "golden" at a line's end
    assert "\u00a0" not in table
