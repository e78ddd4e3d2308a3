"""What a REPL and a terminal show: readable reprs of plans and result lists, bound values in
NotFound, --sort-column ordering nulls as `order by` does, help lines within 80 columns."""

from __future__ import annotations

import pytest

import imgql
from imgql.cli.shell import HELP
from imgql.run.results import ResultList
from tests.test_cli_first_use import EXAMPLE, imgql_cli

CATALOG = imgql.Catalog(EXAMPLE)


def test_a_plan_reads_at_a_plain_prompt() -> None:
    plan = imgql.parse("images where tag = lts").plan()
    assert repr(plan) == "<imgql.Plan images where tag = lts [glance]: GET /v2/images?tag=lts>"


def test_a_result_list_is_a_table_at_a_plain_prompt() -> None:
    results = ResultList(CATALOG.query("images where tag = lts limit 3"), columns=["name", "size"])
    text = repr(results)
    assert text.startswith("3 images\n+")
    assert "| Name" in text and "| Size" in text and "Ubuntu-24.04-LTS-x64" in text
    many = CATALOG.collect("images")
    assert f"(and {len(many) - 20} more)" in repr(many)
    assert repr(ResultList([])) == "0 images"


def test_to_dicts_keeps_the_columns_the_list_was_made_with() -> None:
    results = ResultList(CATALOG.query("images limit 2"), columns=["name", "size"])
    assert [set(d) for d in results.to_dicts()] == [{"name", "size"}] * 2
    assert [set(d) for d in results.to_dicts(columns=["id"])] == [{"id"}] * 2
    assert "visibility" in CATALOG.collect("images limit 1").to_dicts()[0]


def test_not_found_shows_the_bound_values() -> None:
    with pytest.raises(imgql.NotFound) as caught:
        CATALOG.one("images where name = $n and tag = $t", n="no-such-image", t="lts")
    assert (
        str(caught.value)
        == "no image matches: images where name = $n and tag = $t (with $n = 'no-such-image', $t = 'lts')"
    )


@pytest.mark.parametrize("descending", [False, True])
def test_sort_column_puts_nulls_where_order_by_does(descending: bool) -> None:
    order = "desc" if descending else "asc"
    expected = [image.id for image in CATALOG.query(f"images order by size {order}, id asc")]
    flags = ["--sort-descending"] if descending else []
    result = imgql_cli(
        "query", "--catalog", EXAMPLE, "-f", "value", "-c", "id", "--sort-column", "size", *flags,
        "images order by id asc",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected


@pytest.mark.parametrize(
    "command",
    [[], ["query"], ["plan"], ["search"], ["check"], ["shell"], ["lock"], ["external"], ["ansible-path"]],
)
def test_help_fits_80_columns(command: list[str]) -> None:
    result = imgql_cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_the_shells_help_fits_80_columns() -> None:
    assert max(len(line) for line in HELP.splitlines()) <= 80
