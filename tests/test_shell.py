"""``imgql shell`` through prompt_toolkit's pipe input: multi-line queries,
meta-commands, completion and history."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("prompt_toolkit")

from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

import imgql
from imgql.cli.shell import Shell, history_path, is_complete

IMAGES = [
    {"id": "u24", "name": "Ubuntu-24.04", "status": "active", "visibility": "public", "os_distro": "ubuntu",
     "tags": ["lts", "golden image"], "size": 10, "created_at": "2025-06-01T00:00:00Z"},
    {"id": "d12", "name": "Debian-12", "status": "queued", "visibility": "private", "os_distro": "debian",
     "tags": [], "size": None, "created_at": "2025-01-01T00:00:00Z"},
]  # fmt: skip


def run_shell(keys: str, **options: Any) -> tuple[Shell, str, str]:
    out, err = io.StringIO(), io.StringIO()
    profiles: list[str] = []

    def open_source(profile: str) -> imgql.Catalog:
        profiles.append(profile)
        return imgql.Catalog(IMAGES)

    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        shell = Shell(open_source, out=out, err=err, input=pipe, output=DummyOutput(), history=False, **options)
        assert shell.run() == 0
    shell.opened = profiles  # type: ignore[attr-defined]
    return shell, out.getvalue(), err.getvalue()


def test_a_query_that_parses_runs_on_enter() -> None:
    _shell, out, err = run_shell("images where os_distro = ubuntu\r\\quit\r")
    assert "Ubuntu-24.04" in out and "Debian-12" not in out
    assert "(1 image)" in err


def test_multi_line_queries_end_at_semicolon_or_empty_line() -> None:
    keys = "images where\rtag = lts;\rimages where\ros_distro = debian\r\r\\quit\r"
    _shell, out, err = run_shell(keys)
    assert out.count("Ubuntu-24.04") == 1 and out.count("Debian-12") == 1
    assert "error" not in err


def test_meta_commands() -> None:
    keys = (
        "\\format json\r"
        "\\columns id,tags\r"
        "images where status = active\r"
        "\\plan images where tag = lts\r"
        "\\profile documented\r"
        "\\format nope\r"
        "\\bogus\r"
        "images where ((\r\r"
        "\\help\r"
        "\x04"
    )
    shell, out, err = run_shell(keys)  # Ctrl-D (end of input) leaves too
    start = out.index("[")
    data, _end = json.JSONDecoder().raw_decode(out[start:])
    assert data == [{"id": "u24", "tags": ["lts", "golden image"]}]
    assert "query:   images where tag = lts" in out
    assert "\\profile glance|documented|none" in out  # \help
    assert shell.profile == "documented"
    assert "\\format takes one of" in err
    assert "unknown command \\bogus" in err
    assert "expected" in err and "^" in err  # the syntax error, with its caret


def test_completion_offers_keywords_fields_and_seen_values() -> None:
    shell, _out, _err = run_shell("images\r\\quit\r")
    assert "where" in shell.completions("images wh")
    assert shell.completions("images where os_dis") == ["os_distro"]
    assert "active" in shell.completions("images where status = ")
    assert "community" in shell.completions("images where visibility = ")
    assert set(shell.completions("images where os_distro = ")) == {"debian", "ubuntu"}
    assert "'golden image'" in shell.completions("images where tag in (lts, ")
    assert shell.completions("\\for") == ["\\format"]
    assert shell.completions("\\profile d") == ["documented"]


def test_is_complete() -> None:
    assert is_complete("images where tag = lts")
    assert not is_complete("images where")
    assert is_complete("images where\n")
    assert is_complete("images where ;")
    assert is_complete("\\plan")


def test_history_file_location(tmp_path: Path) -> None:
    assert history_path({"XDG_STATE_HOME": str(tmp_path)}) == tmp_path / "imgql" / "history"
    assert history_path({}).parts[-3:] == ("state", "imgql", "history")
    history = tmp_path / "hist"
    with create_pipe_input() as pipe:
        pipe.send_text("images where tag = lts\r\\quit\r")
        Shell(lambda p: imgql.Catalog(IMAGES), out=io.StringIO(), err=io.StringIO(), input=pipe,
              output=DummyOutput(), history=history).run()  # fmt: skip
    assert "images where tag = lts" in history.read_text()
