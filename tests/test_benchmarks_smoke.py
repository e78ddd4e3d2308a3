"""The benchmark scripts run and produce tables (tiny sizes; nothing is timed or asserted about speed)."""

from __future__ import annotations

import pytest

from benchmarks import (
    bench_catalog,
    bench_filter,
    bench_memory,
    bench_parse,
    bench_regex,
    bench_searchbox,
    bench_startup,
)
from benchmarks._common import Table

pytest.importorskip("jmespath")


def _check(table: Table) -> None:
    assert table.rows
    text = table.render()
    assert text.startswith("## ")
    assert text.count("\n|") >= len(table.rows) + 1


def test_parse_table() -> None:
    pytest.importorskip("sqlglot")
    _check(bench_parse.run(quick=True, limit=2))


def test_filter_table() -> None:
    _check(bench_filter.run(quick=True, count=300))


def test_catalog_table() -> None:
    _check(bench_catalog.run(quick=True, count=300))


def test_memory_table() -> None:
    _check(bench_memory.run(quick=True, sizes=(200, 400)))


def test_startup_table() -> None:
    _check(bench_startup.run(quick=True, runs=1))


def test_regex_table() -> None:
    _check(bench_regex.run(quick=True))


def test_requests_minimum() -> None:
    # Table 3 needs a real Glance; its request arithmetic is checked here.
    from benchmarks.bench_requests import pages

    assert [pages(n) for n in (0, 1, 999, 1000, 1001, 5000)] == [1, 1, 1, 2, 2, 6]


def test_regions_table() -> None:
    from benchmarks import bench_regions

    _check(bench_regions.run(quick=True, count=30))


def test_searchbox_table() -> None:
    _check(bench_searchbox.run(quick=True))
