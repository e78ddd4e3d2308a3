"""The main commands run in this process (``main([...])``) against the offline example catalog, so
that the command line's own modules are measured by coverage; the subprocess tests elsewhere check
the installed ``imgql`` the same way a person runs it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from imgql.cli.commands import main
from tests.test_cli_first_use import EXAMPLE, ROOT

CONFIG = str(ROOT / "examples" / "images.yaml")


@pytest.fixture(autouse=True)
def no_cloud(monkeypatch: pytest.MonkeyPatch) -> None:
    """No credentials from the environment, and tables at a known width."""
    import os

    for name in [n for n in os.environ if n.startswith("OS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "100")


def imgql(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_query_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = imgql(
        capsys, "query", "--catalog", EXAMPLE, "images where tag = lts order by created_at desc limit 3"
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[1].split("|")[1:4] == [
        " ID                                   ",
        " Name                   ",
        " Status ",
    ]
    assert len(lines) == 7 and "Ubuntu-26.04-LTS-arm64" in lines[3]


def test_query_in_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    query = "images where os_distro = debian order by created_at desc limit 2"
    code, out, _ = imgql(capsys, "query", "--catalog", EXAMPLE, "-f", "json", query)
    records = json.loads(out)
    assert code == 0 and len(records) == 2 and {r["os_distro"] for r in records} == {"debian"}
    code, out, _ = imgql(capsys, "query", "--catalog", EXAMPLE, "-f", "yaml", "-c", "name", "-c", "size", query)
    assert code == 0 and out.startswith("- name: ") and "  size: " in out
    code, out, _ = imgql(capsys, "query", "--catalog", EXAMPLE, "-f", "csv", "-c", "id", "-c", "min_ram", query)
    assert code == 0 and out.splitlines()[0] == "ID,Min RAM" and len(out.splitlines()) == 3
    code, out, _ = imgql(capsys, "query", "--catalog", EXAMPLE, "-f", "value", "-c", "id", query)
    assert code == 0 and [r["id"] for r in records] == out.split()


def test_units_come_from_the_field_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = imgql(
        capsys, "query", "--catalog", EXAMPLE, "-c", "size", "-c", "min_ram", "-c", "min_disk",
        "images where size > 0 and min_ram > 0 and min_disk > 0 limit 1",
    )  # fmt: skip
    row = out.splitlines()[3]
    assert code == 0 and (" MB " in row or " GB " in row)
    assert " MiB " in row and " GiB " in row


def test_query_one_and_its_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = imgql(capsys, "query", "--catalog", EXAMPLE, "-f", "json", "--one", "images order by id limit 1")
    assert code == 0 and isinstance(json.loads(out), dict)
    code, _, err = imgql(capsys, "query", "--catalog", EXAMPLE, "--one", "images where tag = lts")
    assert code == 3 and err.startswith("imgql: error: ")
    code, _, err = imgql(capsys, "query", "--catalog", EXAMPLE, "-c", "nmae", "images")
    assert (code, err) == (2, "imgql: error: unknown column 'nmae'; did you mean 'name'?\n")
    code, _, err = imgql(capsys, "query", "--catalog", EXAMPLE, "images where")
    assert code == 2 and "after 'where'" in err


def test_a_narrow_table_leaves_columns_out_with_a_note(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = imgql(capsys, "query", "--catalog", EXAMPLE, "--max-width", "60", "images limit 3")
    assert code == 0 and "Status" not in out
    assert err.startswith("note: Status left out to fit 60 columns")
    code, out, _ = imgql(capsys, "query", "--catalog", EXAMPLE, "--max-width", "40", "--long", "images limit 1")
    assert code == 0 and out.startswith("ID ")  # one block per image


def test_sort_column_sorts_after_the_query(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = imgql(
        capsys, "query", "--catalog", EXAMPLE, "-f", "value", "-c", "size", "--sort-column", "size",
        "--sort-descending", "images where size > 0 limit 8",
    )  # fmt: skip
    sizes = [int(s) for s in out.split()]
    assert code == 0 and sizes == sorted(sizes, reverse=True) and len(sizes) == 8


def test_plan_with_the_places_the_options_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = imgql(capsys, "plan", "images where os_distro = ubuntu and size < 5GB")
    assert code == 0 and "GET /v2/images?os_distro=ubuntu" in out
    code, out, _ = imgql(capsys, "--all-regions", "plan", "images where tag = x or tag = y")
    assert code == 0 and out.startswith("query:   images where (tag = x or tag = y) and region = *\n")
    code, out, _ = imgql(
        capsys, "--os-cloud", "a", "--os-cloud", "b c", "plan", "images where a = 1 order by name limit 2"
    )
    assert code == 0 and out.startswith(
        "query:   images where a = 1 and cloud in (a, 'b c') order by name asc limit 2\n"
    )
    code, _, err = imgql(capsys, "--os-cloud", "*", "--os-cloud", "b", "plan", "images")
    assert (code, err) == (
        2,
        "imgql: error: name the clouds: `cloud in (a, b)`; * (every region) is for regions only\n",
    )
    code, out, err = imgql(capsys, "plan", "--catalog", EXAMPLE, "--profile", "glance", "images where tag = lts")
    assert code == 0 and "profile: none" in out and err.startswith("note: --profile glance is ignored")


def test_search(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = imgql(capsys, "search", "--catalog", EXAMPLE, "--show-query", "ubuntu tag:lts")
    assert code == 0 and err.startswith("query: images where ") and "Ubuntu" in out


def test_check_a_configuration_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = imgql(capsys, "check", CONFIG, "--key", "servers.*.image")
    assert (code, err) == (0, "3 queries OK in 1 file\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text("server:\n  image: images where nmae = x\n", encoding="utf-8")
    code, out, err = imgql(capsys, "check", str(broken))
    assert code == 2 and f"{broken}:2:23: " in out + err


def test_lock_then_check_the_lock(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "deploy.yaml"
    config.write_text(
        "web:\n  image: images where os_distro = debian and status = active order by created_at desc limit 1\n"
    )
    lock = str(tmp_path / "imgql.lock")
    code, _, err = imgql(capsys, "lock", "--catalog", EXAMPLE, "--lock", lock, str(config))
    assert code == 0, err
    assert Path(lock).exists()
    code, _, err = imgql(capsys, "lock", "--catalog", EXAMPLE, "--lock", lock, "--check", str(config))
    assert code == 0, err


def test_external_answers_with_flat_strings(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    request = {"query": "images where os_distro = $d order by created_at desc limit 1", "d": "debian"}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(request)))
    code, out, err = imgql(capsys, "external", "--catalog", EXAMPLE)
    answer = json.loads(out)
    assert code == 0, err
    assert all(isinstance(v, str) for v in answer.values()) and answer["property.os_distro"] == "debian"


def test_shell_reads_queries_from_a_pipe(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    lines = "images limit 2\n\\format json\nimages limit 1\n\\plan images where tag = x\nimages where\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    code, out, err = imgql(capsys, "shell", "--catalog", EXAMPLE)
    assert code == 2  # the last query's mistake
    assert "(2 images)" in err and "error: expected 'not', a field name or '(' after 'where'" in err
    assert out.count("| ID ") == 1 and '"id": ' in out and "filter: tag = x" in out


def test_usage_errors_and_the_small_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = imgql(capsys)
    assert code == 2 and err.startswith("usage: imgql")
    code, _, err = imgql(capsys, "bogus")
    assert code == 2 and "invalid choice: 'bogus'" in err
    code, out, _ = imgql(capsys, "--version")
    assert code == 0 and out.startswith("imgql ")
    code, out, err = imgql(capsys, "ansible-path")
    # From a wheel the collection is there only with the ansible extra installed.
    if code == 0:
        assert Path(out.strip(), "ansible_collections", "imgql", "openstack").is_dir()
    else:
        assert err.strip()
