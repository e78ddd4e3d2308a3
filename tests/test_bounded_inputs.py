"""Hostile files and huge inputs: YAML aliases expanded within a limit, messages of
bounded length, a web page that shows visitors no internal detail."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import imgql
from imgql.errors import MAX_MESSAGE
from imgql.http.service_catalog import EndpointChoice, select_endpoint
from imgql.untrusted import TooManyValues, load_yaml
from tests.hostile_server import within

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_yaml_aliases_expand_within_a_limit() -> None:
    yaml = pytest.importorskip("yaml")
    with pytest.raises(TooManyValues, match="more than 100,000 values"):
        within(20, lambda: load_yaml(yaml, LAUGHS))
    with pytest.raises(TooManyValues, match="refers to a value that holds it"):
        load_yaml(yaml, "x: &a [*a]\n")
    # A few aliases, as a real file has them, are fine.
    assert load_yaml(yaml, "base: &b {tag: lts}\none: *b\ntwo: *b\n") == {
        "base": {"tag": "lts"},
        "one": {"tag": "lts"},
        "two": {"tag": "lts"},
    }


@pytest.mark.parametrize("text", [LAUGHS, "x: &a [*a]\n"])
def test_imgql_check_refuses_a_yaml_bomb(tmp_path: Path, text: str) -> None:
    pytest.importorskip("yaml")
    path = tmp_path / "queries.yaml"
    path.write_text(text)
    command = Path(sys.executable).parent / "imgql"
    result = subprocess.run([str(command), "check", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "refused YAML" in result.stdout + result.stderr
    assert "internal error" not in result.stderr


def test_a_clouds_yaml_bomb_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("yaml")
    path = tmp_path / "clouds.yaml"
    path.write_text("clouds:\n  prod: {auth: {auth_url: 'http://127.0.0.1:1/v3'}}\n" + LAUGHS)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    with pytest.raises(imgql.ConfigError, match="is refused"):
        within(20, lambda: imgql.Client(cloud="prod"))


def test_messages_are_bounded() -> None:
    with pytest.raises(imgql.QuerySyntaxError) as raised:
        imgql.parse("images where name = a b c " + "( " * 500_000)
    assert len(raised.value.message) <= MAX_MESSAGE + 40
    assert len(str(raised.value)) < MAX_MESSAGE + 400
    catalog: list[dict[str, Any]] = [
        {"type": "image", "endpoints": [{"interface": "admin", "region_id": f"R{n}", "url": "http://x"}]}
        for n in range(5000)
    ]
    with pytest.raises(imgql.ConfigError) as config:
        select_endpoint(catalog, EndpointChoice("public", None, None), "http://keystone")
    assert len(str(config.value)) < 1500
    assert "more services" in str(config.value)


def _load_example() -> Any:
    path = Path(__file__).resolve().parents[1] / "examples" / "search_server.py"
    spec = importlib.util.spec_from_file_location("search_server_example", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_search_page_shows_visitors_a_generic_message(caplog: pytest.LogCaptureFixture) -> None:
    class Down:
        def query(self, query: Any) -> Any:
            raise imgql.ConnectionError("cannot reach the Images API at http://10.0.0.7:9292 (internal)")

    server = ThreadingHTTPServer(("127.0.0.1", 0), _load_example().make_handler(Down()))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/api/search?q=ubuntu"
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(url, timeout=30)
        status, body = failed.value.code, failed.value.read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert status == 502
    assert "10.0.0.7" not in body and "not available" in body
    assert "10.0.0.7" in caplog.text  # the detail is logged
