"""What a server sends is shown on a terminal, never obeyed, and a spreadsheet
never runs it: escapes made visible, CSV formulas neutralised. Through the
installed command line."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from imgql.untrusted import shortened, visible

ESC = "\x1b"
HOSTILE = [
    {
        "id": "00000000-0000-0000-0000-000000000001",
        "name": "=HYPERLINK(\"http://example.invalid\",\"click\")",
        "status": "active",
        "tags": ["\x1b[31mRED\x1b[0m", "plain"],
        "os_distro": "\x1b]0;pwned\x07",
        "created_at": "2025-01-01T00:00:00Z",
    },
    {
        "id": "00000000-0000-0000-0000-000000000002",
        "name": "@SUM(1+1)*cmd|' /C calc'!A0",
        "status": "active",
        "tags": [],
        "os_distro": "\x9b2J",
        "created_at": "2025-01-02T00:00:00Z",
    },
]


def imgql(*args: str) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).parent / "imgql"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    environ.update({"COLUMNS": "200", "PYTHONIOENCODING": "utf-8"})
    return subprocess.run([str(command), *args], capture_output=True, text=True, env=environ, timeout=60)


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("hostile") / "catalog.json"
    path.write_text(json.dumps({"images": HOSTILE}), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("fmt", ["table", "value", "csv"])
def test_terminal_escapes_are_shown_not_sent(catalog: str, fmt: str) -> None:
    result = imgql("query", "--catalog", catalog, "-f", fmt, "-c", "name", "-c", "tags", "-c", "os_distro", "images")
    assert result.returncode == 0, result.stderr
    assert ESC not in result.stdout and "\x07" not in result.stdout and "\x9b" not in result.stdout
    if fmt != "table":
        assert "\\x1b[31mRED" in result.stdout and "\\x9b2J" in result.stdout


def test_csv_formulas_are_neutralised_unless_kept(catalog: str) -> None:
    for quote in ("minimal", "all"):
        result = imgql("query", "--catalog", catalog, "-f", "csv", "--quote", quote, "-c", "name", "images")
        assert result.returncode == 0, result.stderr
        names = [row[0] for row in csv.reader(io.StringIO(result.stdout))][1:]
        assert sorted(names) == sorted("'" + image["name"] for image in HOSTILE)
    kept = imgql("query", "--catalog", catalog, "-f", "csv", "--keep-formulas", "-c", "name", "images")
    names = [row[0] for row in csv.reader(io.StringIO(kept.stdout))][1:]
    assert sorted(names) == sorted(image["name"] for image in HOSTILE)


@pytest.fixture
def hostile_glance() -> Iterator[str]:
    """A Glance that refuses every listing with a message full of escapes; stops by itself."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            body = json.dumps({"error": {"message": "denied\x1b[2J\x1b]0;pwned\x07"}}).encode()
            self.send_response(403)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_servers_message_is_shown_not_obeyed(hostile_glance: str) -> None:
    result = imgql("query", "--os-endpoint", hostile_glance, "--os-token", "t0ken-for-the-test", "images")
    assert result.returncode != 0
    assert ESC not in result.stderr and "\x07" not in result.stderr
    assert "denied\\x1b[2J" in result.stderr


def test_visible_and_shortened() -> None:
    assert visible("a\x1b[0mb\x9bc\x7f\td\n") == "a\\x1b[0mb\\x9bc\\x7f\\td\\n"
    assert visible("line\n\ttab\r", keep_lines=True) == "line\n\ttab\\r"
    assert visible("Straße ☃") == "Straße ☃"
    assert shortened("x" * 1000, 10) == "xxxxxxxxxx... (990 more characters)"
