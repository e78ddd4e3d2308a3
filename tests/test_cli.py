"""The ``imgql`` command line, driven as a subprocess (as a person runs it)
and in-process for the exit code of every error class."""

from __future__ import annotations

import csv
import http.server
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import imgql
from imgql.cli import commands as cli

IMAGES = [
    {
        "id": "11111111-0000-0000-0000-000000000001",
        "name": "Ubuntu-24.04-LTS",
        "status": "active",
        "visibility": "public",
        "size": 700_000_000,
        "os_distro": "ubuntu",
        "os_version": "24.04",
        "tags": ["lts", "cloud-init"],
        "created_at": "2025-06-01T10:00:00Z",
        "updated_at": "2025-06-01T10:05:00Z",
        "hw_disk_bus": "virtio",
        "os_hidden": False,
    },
    {
        "id": "11111111-0000-0000-0000-000000000002",
        "name": "Ubuntu-22.04-LTS",
        "status": "active",
        "visibility": "public",
        "size": 650_000_000,
        "os_distro": "ubuntu",
        "os_version": "22.04",
        "tags": ["lts"],
        "created_at": "2024-04-01T10:00:00Z",
        "updated_at": "2024-04-01T10:05:00Z",
        "os_hidden": False,
    },
    {
        "id": "11111111-0000-0000-0000-000000000003",
        "name": 'Debian 12, "bookworm"',
        "status": "queued",
        "visibility": "private",
        "size": None,
        "os_distro": "debian",
        "tags": [],
        "created_at": "2025-01-01T00:00:00Z",
        "updated_at": "2025-01-01T00:00:00Z",
        "os_hidden": False,
    },
]

LTS = "images where os_distro = ubuntu and tag = lts order by created_at desc limit 3"


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("catalog") / "catalog.json"
    path.write_text(json.dumps({"images": IMAGES}), encoding="utf-8")
    return str(path)


def imgql_cli(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    environ.update({"COLUMNS": "200", "PYTHONIOENCODING": "utf-8"})
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "imgql.cli", *args],
        capture_output=True,
        text=True,
        env=environ,
        input=stdin,
        timeout=60,
    )


def assert_clean_error(result: subprocess.CompletedProcess[str], code: int) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("imgql")


# --------------------------------------------------------------------------- output formats


def test_readme_command_table(catalog: str) -> None:
    result = imgql_cli("query", "--catalog", catalog, LTS)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if "ID" in line)
    for heading in ("ID", "Name", "Status"):  # as `openstack image list`
        assert heading in header
    body = result.stdout
    assert body.index("Ubuntu-24.04-LTS") < body.index("Ubuntu-22.04-LTS")
    sized = imgql_cli("query", "--catalog", catalog, "-c", "name", "-c", "size", LTS)
    assert "700.0 MB" in sized.stdout  # decimal units, as the language's MB
    assert "Debian" not in body


def test_json_is_a_list_of_whole_records(catalog: str) -> None:
    result = imgql_cli("query", "--catalog", catalog, "-f", "json", LTS)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [d["id"] for d in data] == [IMAGES[0]["id"], IMAGES[1]["id"]]
    assert data[0]["size"] == 700_000_000
    assert data[0]["hw_disk_bus"] == "virtio"


def test_json_with_columns_has_only_those_keys(catalog: str) -> None:
    result = imgql_cli(
        "query", "--catalog", catalog, "-f", "json", "-c", "ID", "-c", "size", "-c", "hw_disk_bus", "images"
    )
    data = json.loads(result.stdout)
    assert len(data) == 3
    assert all(set(d) == {"id", "size", "hw_disk_bus"} for d in data)
    assert {d["size"] for d in data} == {700_000_000, 650_000_000, None}


def test_json_of_nothing_is_an_empty_list(catalog: str) -> None:
    result = imgql_cli("query", "--catalog", catalog, "-f", "json", "images where name = nothing")
    assert result.returncode == 0
    assert json.loads(result.stdout) == []


def test_csv_and_value(catalog: str) -> None:
    result = imgql_cli("query", "--catalog", catalog, "-f", "csv", "--long", "images order by name")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    # The columns of `openstack image list --long`, then imgql's own.
    assert rows[0][:11] == [
        "ID",
        "Name",
        "Disk Format",
        "Container Format",
        "Size",
        "Checksum",
        "Status",
        "Visibility",
        "Protected",
        "Project",
        "Tags",
    ]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name['Debian 12, "bookworm"'][4] == ""
    assert by_name["Ubuntu-24.04-LTS"][4] == "700000000"
    assert by_name["Ubuntu-24.04-LTS"][rows[0].index("Tags")] == "lts,cloud-init"

    result = imgql_cli("query", "--catalog", catalog, "-f", "value", "-c", "id", "-c", "os_version", LTS)
    assert result.stdout.splitlines() == [f"{IMAGES[0]['id']} 24.04", f"{IMAGES[1]['id']} 22.04"]


def test_yaml(catalog: str) -> None:
    yaml = pytest.importorskip("yaml")
    result = imgql_cli("query", "--catalog", catalog, "-f", "yaml", "-c", "name", "-c", "created", LTS)
    assert yaml.safe_load(result.stdout) == [
        {"name": "Ubuntu-24.04-LTS", "created_at": "2025-06-01T10:00:00Z"},
        {"name": "Ubuntu-22.04-LTS", "created_at": "2024-04-01T10:00:00Z"},
    ]


def test_one(catalog: str) -> None:
    result = imgql_cli(
        "query", "--catalog", catalog, "--one", "-f", "value", "-c", "id", "images where os_distro = debian"
    )
    assert result.returncode == 0
    assert result.stdout.strip() == IMAGES[2]["id"]


def test_bound_parameters_and_stdin(catalog: str) -> None:
    result = imgql_cli(
        "query",
        "--catalog",
        catalog,
        "-f",
        "value",
        "-c",
        "name",
        "-p",
        "v=22.04",
        "-",
        stdin="images where os_version = $v",
    )
    assert result.stdout.strip() == "Ubuntu-22.04-LTS"


def test_search_command(catalog: str) -> None:
    result = imgql_cli(
        "search", "--catalog", catalog, "--show-query", "-f", "value", "-c", "name", "--", "ubuntu", "-tag:cloud-init"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Ubuntu-22.04-LTS"
    assert "query: images where name contains 'ubuntu' and not tag like 'cloud-init'" in result.stderr


def test_search_says_what_it_ignored(catalog: str) -> None:
    result = imgql_cli("search", "--catalog", catalog, "-f", "value", "-c", "name", "--", "UBUNTU", "size<5xb", "--")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Ubuntu-24.04-LTS", "Ubuntu-22.04-LTS"]
    assert "imgql: warning: ignored 'size<5xb': unknown size unit 'xb'" in result.stderr
    assert "imgql: warning: ignored '--': a dash with nothing after it" in result.stderr


def test_search_with_a_misspelt_allow_is_a_usage_error(catalog: str) -> None:
    result = imgql_cli("search", "--catalog", catalog, "--allow", "name,visibilty", "x")
    assert_clean_error(result, 2)
    assert "did you mean 'visibility'" in result.stderr


# --------------------------------------------------------------------------- plan


def test_plan_needs_no_credentials() -> None:
    result = imgql_cli("plan", "images where os_distro = ubuntu and size < 5GB order by created_at desc limit 1")
    assert result.returncode == 0, result.stderr
    assert "GET /v2/images?" in result.stdout
    assert "profile: glance" in result.stdout
    documented = imgql_cli("plan", "--profile", "none", "images where os_distro = ubuntu")
    assert "profile: none" in documented.stdout


# --------------------------------------------------------------------------- errors and exit codes


def test_syntax_error_has_a_caret_and_exit_2(catalog: str) -> None:
    result = imgql_cli("query", "--catalog", catalog, "images where size > 5XB")
    assert_clean_error(result, 2)
    assert "unknown size unit" in result.stderr
    lines = result.stderr.splitlines()
    caret_line = next(line for line in lines if line.strip().startswith("^"))
    query_line = lines[lines.index(caret_line) - 1]
    assert query_line[caret_line.index("^") :].startswith("5XB")
    assert result.stdout == ""


def test_usage_error_exit_2() -> None:
    result = imgql_cli("query", "--format", "xml", "images")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_not_found_and_ambiguous_exit_3(catalog: str) -> None:
    assert_clean_error(imgql_cli("query", "--catalog", catalog, "--one", "images where name = nope"), 3)
    result = imgql_cli("query", "--catalog", catalog, "--one", "images where tag = lts")
    assert_clean_error(result, 3)
    assert "2 images match" in result.stderr


def test_missing_credentials_exit_4() -> None:
    result = imgql_cli("query", "images", env={"HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent"})
    assert_clean_error(result, 4)
    assert "credentials" in result.stderr


def test_unreadable_catalog_exit_1(tmp_path: Path) -> None:
    result = imgql_cli("query", "--catalog", str(tmp_path / "missing.json"), "images")
    assert_clean_error(result, 1)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 401 if self.headers.get("X-Auth-Token") == "bad" else 404
        body = json.dumps({"message": "nope"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_live_endpoint_errors(server: str) -> None:
    refused = imgql_cli("query", "--endpoint", server, "--token", "bad", "images")
    assert_clean_error(refused, 4)
    assert "bad" not in refused.stderr.replace("imgql", "")  # the token never shows
    wrong_endpoint = imgql_cli("query", "--endpoint", server, "--token", "good", "images")
    assert_clean_error(wrong_endpoint, 5)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (imgql.QuerySyntaxError("x"), 2),
        (imgql.InvalidValueError("x"), 2),
        (imgql.ParameterError("x"), 2),
        (imgql.NotFound("x"), 3),
        (imgql.MultipleFound("x"), 3),
        (imgql.AuthenticationError("x"), 4),
        (imgql.Forbidden("x"), 4),
        (imgql.ConfigError("x"), 4),
        (imgql.ServiceError("x"), 5),
        (imgql.ServiceUnavailable("x"), 5),
        (imgql.ConnectionError("x"), 5),
        (imgql.EndpointError("x"), 5),
        (imgql.BadRequest("x"), 5),
        (imgql.CatalogError("x"), 1),
        (imgql.Error("x"), 1),
    ],
)
def test_exit_code_of_every_error_class(error: imgql.Error, code: int, monkeypatch: pytest.MonkeyPatch) -> None:
    class Failing:
        def query(self, text: str, **params: Any) -> Any:
            raise error

    monkeypatch.setattr(cli, "open_source", lambda args, profile=None: Failing())
    assert cli.exit_code(error) == code
    assert cli.run(["query", "images"], out=io.StringIO()) == code


def test_interrupt_keeps_output_and_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def images() -> Iterator[Any]:
        yield imgql.Image.from_record(IMAGES[0])
        raise KeyboardInterrupt

    class Interrupted:
        def query(self, text: str, **params: Any) -> Any:
            return images()

    monkeypatch.setattr(cli, "open_source", lambda args, profile=None: Interrupted())
    out = io.StringIO()
    assert cli.run(["query", "-f", "json", "images"], out=out) == 130
    assert [d["id"] for d in json.loads(out.getvalue())] == [IMAGES[0]["id"]]  # still valid JSON
    out = io.StringIO()
    assert cli.run(["query", "images"], out=out) == 130
    assert IMAGES[0]["id"] in out.getvalue()
    assert "interrupted" in capsys.readouterr().err


def test_unexpected_errors_have_no_traceback_without_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Broken:
        def query(self, text: str, **params: Any) -> Any:
            raise RuntimeError("boom")

    monkeypatch.setattr(cli, "open_source", lambda args, profile=None: Broken())
    assert cli.run(["query", "images"], out=io.StringIO()) == 1
    err = capsys.readouterr().err
    assert "boom" in err and "Traceback" not in err
    with pytest.raises(RuntimeError):
        cli.run(["query", "--debug", "images"], out=io.StringIO())


def test_help_documents_exit_codes() -> None:
    result = imgql_cli("--help")
    assert result.returncode == 0
    for line in (
        "2    usage or query error",
        "3    not found or ambiguous",
        "4    authentication",
        "5    the Images API",
    ):
        assert line in result.stdout


def test_plan_text_agrees_with_itself_for_a_client_sort() -> None:
    result = imgql_cli("plan", "images where tag = lts order by os_version desc limit 2")
    assert result.returncode == 0, result.stderr
    assert "every match is fetched and sorted on the client" in result.stdout
    assert "(nulls last)" in result.stdout  # descending: nulls last, as docs/language.md says
    assert "paging stops" not in result.stdout  # every match is fetched: paging cannot stop early
    assert "limit: 2, applied on the client after sorting" in result.stdout
    ascending = imgql_cli("plan", "images where tag = lts order by os_version limit 2")
    assert "(nulls first)" in ascending.stdout


def test_plan_shows_a_pattern_as_typed() -> None:
    result = imgql_cli("plan", r"images where name ~ '^Ubuntu-24\.04'")
    assert result.returncode == 0, result.stderr
    assert r"query:   images where name ~ '^Ubuntu-24\.04'" in result.stdout
    assert "\\\\" not in result.stdout
