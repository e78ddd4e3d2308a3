"""Canonical text: ``parse(str(q)) == q`` and ``str`` is a fixed point."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

import imgql
from imgql.lang.ast import And, Compare, Const, Exists, InList, Match, Not, Or, Param, Query, RelativeTime, SortKey
from imgql.lang.format import bare_or_quoted, format_expr, quote
from tests.strategies import SCALE, exprs, queries

CANONICAL = [
    # (written, canonical)
    ("images", "images"),
    ("ALL   IMAGES", "all images"),
    ("Images Where name == 'ubuntu'", "images where name = ubuntu"),
    ("images where Name = x", "images where name = x"),
    ("images where property.Name = x", "images where property.Name = x"),
    ("images where x<>1", "images where x != 1"),
    ("images where tags = lts", "images where tag = lts"),
    ("images where os_hidden = true", "images where hidden"),
    ("images where protected = TRUE", "images where protected"),
    ("images where not protected", "images where not protected"),
    ("images where protected = false", "images where protected = false"),
    ("images where created > 2025-10-02", "images where created_at > 2025-10-02T00:00:00Z"),
    ("images where created > 2025-10-02T08:30:39+02:00", "images where created_at > 2025-10-02T06:30:39Z"),
    ("images where updated_at < 2025-10-02T08:30:39.5Z", "images where updated_at < 2025-10-02T08:30:39.500000Z"),
    ("images where created_at > 7 days ago", "images where created_at > 7d ago"),
    ("images where created_at > 1.50 hours ago", "images where created_at > 1.5h ago"),
    ("images where created_at > 10d ago", "images where created_at > 10d ago"),
    ("images where size < 5000000000", "images where size < 5GB"),
    ("images where size < 5368709120", "images where size < 5GiB"),
    ("images where size < 1.5GiB", "images where size < 1536MiB"),
    ("images where size < 1000", "images where size < 1KB"),
    ("images where size < 1023", "images where size < 1023"),
    ("images where size > 0", "images where size > 0"),
    ("images where size > 2g", "images where size > 2GiB"),
    ("images where min_ram >= 2GiB", "images where min_ram >= 2048"),
    ("images where min_disk >= 1TiB", "images where min_disk >= 1024"),
    ("images where status = ACTIVE", "images where status = active"),
    ("images where x = 'abc'", "images where x = abc"),
    ('images where x = "abc"', "images where x = abc"),
    ("images where x = 'a b'", "images where x = 'a b'"),
    ('images where x = "it\'s"', "images where x = 'it\\'s'"),
    ("images where x = 'a\\\\b'", "images where x = 'a\\b'"),  # a backslash that reads back as itself is bare
    ("images where name ~ '^Ubuntu-24\\.04'", "images where name ~ '^Ubuntu-24\\.04'"),
    ("images where x = 'a\\\\n'", "images where x = 'a\\\\n'"),
    ("images where x = 'null'", "images where x = 'null'"),
    ("images where x = 'NULL'", "images where x = 'NULL'"),
    ("images where x = ''", "images where x = ''"),
    ("images where x = '$y'", "images where x = '$y'"),
    ("images where x = '--y'", "images where x = '--y'"),
    ("images where x = a--y", "images where x = a--y"),
    ("images where x = 'a,b'", "images where x = 'a,b'"),
    ("images where x = 'a:b'", "images where x = a:b"),
    ("images where x = 'é'", "images where x = é"),
    ("images where x = '\\u0001'", "images where x = '\\u0001'"),
    ("images where x = 'line\\nbreak\\ttab'", "images where x = 'line\\nbreak\\ttab'"),
    ("images where name = 7d ago", "images where name = '7d ago'"),
    ("images where x = null", "images where x missing"),
    ("images where x != null", "images where x exists"),
    ("images where x in (b, a, b,)", "images where x in (b, a)"),
    ("images where x not in ('a b')", "images where x not in ('a b')"),
    ("images where x not like 'a*'", "images where x not like 'a*'"),
    ("images where x like a*", "images where x like 'a*'"),
    # Patterns are always quoted.
    ("images where x contains abc", "images where x contains 'abc'"),
    ("images where x not contains abc", "images where x not contains 'abc'"),
    ("images where x ~ '^a'", "images where x ~ '^a'"),
    ("images where x !~ '^a'", "images where x !~ '^a'"),
    ("images where x = $p", "images where x = $p"),
    ("images where x in ($p, q)", "images where x in ($p, q)"),
    ("images where x like $p", "images where x like $p"),
    ("images where a = 1 or b = 2 and c = 3", "images where a = 1 or b = 2 and c = 3"),
    ("images where (a = 1 or b = 2) and c = 3", "images where (a = 1 or b = 2) and c = 3"),
    ("images where not (a = 1 or b = 2)", "images where not (a = 1 or b = 2)"),
    ("images where not (a = 1 and b = 2)", "images where not (a = 1 and b = 2)"),
    ("images where (not a = 1) and b = 2", "images where not a = 1 and b = 2"),
    ("images where ((a = 1))", "images where a = 1"),
    ("images where a = 1 and (b = 2 and c = 3)", "images where a = 1 and b = 2 and c = 3"),
    ("images where not not a = 1", "images where a = 1"),
    ("images order by name", "images order by name asc"),
    ("images order by created DESC, size", "images order by created_at desc, size asc"),
    ("images limit 007", "images limit 7"),
    (
        "images where member_status = PENDING and tag = x order by name desc limit 5",
        "images where member_status = pending and tag = x order by name desc limit 5",
    ),
    ("images where order = limit", "images where order = limit"),
    ("images -- comment\nwhere x = 1 -- another", "images where x = 1"),
]


@pytest.mark.parametrize(("written", "canonical"), CANONICAL)
def test_canonical_text(written: str, canonical: str) -> None:
    query = imgql.parse(written)
    assert str(query) == canonical
    assert imgql.parse(canonical) == query
    assert str(imgql.parse(canonical)) == canonical


ROUND_TRIP = [
    "images where tag = lts and os_distro = ubuntu and size < 5GB order by created_at desc limit 1",
    "all images where visibility = community or hidden",
    "images where member_status in (pending, rejected) and name like 'ubuntu-*'",
    "images where hw_disk_bus in (scsi, virtio) and os_version >= 22.04",
    "images where x ~ '(?i)^LTS-[0-9]+$' and y !~ '\\\\d'",
    "images where created_at > 2025-01-01 and created_at < 2025-02-01T12:00:00.000001-03:00",
    "images where name = '\\u00e9\\U0001F600\\\\\\'\"'",
    'images where name = "tab\\there"',
    "images where checksum = 'a\\qb'",
    "images where not (tag = a or tag = b) and not tag != c",
    "images where (a exists or b missing) and (c = 1 or d = 2) and not (e = 3 and f = 4)",
    "images where size in (1KB, 1KiB, 1000000, 1MiB) or virtual_size >= 1TB",
    "images where min_ram > 1.5GB or min_disk <= 0.5",
    "images where created > 7d ago and updated > 2.5 weeks ago",
    "images where protected and not hidden",
    "images where a.b-c_d = 'x y' and _e = f",
    "images where x in ($a, 'b c', $d)",
    "images order by os_version desc, name, x.y asc limit 0",
    "images where name = 1e400GB and size < 1e29",
    "images where in = in and like like like and exists exists",
    "images where x = '-- not a comment' and y = a--b",
    "images where x = 5 and ago = 1",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_round_trip(text: str) -> None:
    query = imgql.parse(text)
    canonical = str(query)
    assert imgql.parse(canonical) == query
    assert str(imgql.parse(canonical)) == canonical


def test_equal_queries_have_the_same_text() -> None:
    a = imgql.parse("images where size = 1024 and created > 2025-10-02T02:00:00+02:00")
    b = imgql.parse("IMAGES WHERE size == 1KiB AND created_at > '2025-10-02'")
    assert a == b
    assert str(a) == str(b)


def test_format_expr_minimal_parentheses() -> None:
    a, b, c = (Compare(n, "=", "1") for n in "abc")
    assert format_expr(Or((a, And((b, c))))) == "a = 1 or b = 1 and c = 1"
    assert format_expr(And((Or((a, b)), c))) == "(a = 1 or b = 1) and c = 1"
    assert format_expr(Not(And((a, b)))) == "not (a = 1 and b = 1)"
    assert format_expr(Not(a)) == "not a = 1"
    assert format_expr(And((Not(a), Not(Or((b, c)))))) == "not a = 1 and not (b = 1 or c = 1)"
    # Shapes the parser never builds still print unambiguously.
    assert format_expr(Or((Or((a, b)), c))) == "(a = 1 or b = 1) or c = 1"
    assert format_expr(Not(Not(a))) == "not not a = 1"
    assert format_expr(And((a, Const(True)))) == "a = 1 and true"


def test_format_of_built_nodes() -> None:
    query = Query(
        where=And(
            (
                Compare("tags", "=", "lts"),
                InList("os_hidden", (True, False)),
                Match("name", "like", "a'b*", negated=True),
                Exists("x", present=False),
                Compare("created_at", ">", RelativeTime(Decimal("0.25"), "h")),
                Compare("updated_at", "<", dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)),
                Compare("size", "=", Param("s")),
            )
        ),
        order_by=(SortKey("name", True),),
        limit=3,
        all_images=True,
    )
    assert str(query) == (
        "all images where tag = lts and hidden in (true, false) and name not like 'a\\'b*' and x missing"
        " and created_at > 0.25h ago and updated_at < 2025-01-01T00:00:00Z and size = $s"
        " order by name desc limit 3"
    )
    assert imgql.parse(str(query)) == query


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("abc", "abc"),
        ("ubuntu-22.04", "ubuntu-22.04"),
        ("a b", "'a b'"),
        ("", "''"),
        ("null", "'null'"),
        ("Null", "'Null'"),
        ("--x", "'--x'"),
        ("$x", "'$x'"),
        ("it's", "'it\\'s'"),
        ('say "x"', "'say \"x\"'"),
        ("back\\slash", "'back\\slash'"),
        ("\x00", "'\\u0000'"),
        ("\U000e0001", "'\\U000e0001'"),
        ("\r", "'\\r'"),
    ],
)
def test_bare_or_quoted(text: str, printed: str) -> None:
    assert bare_or_quoted(text) == printed


def test_quote_always_quotes() -> None:
    assert quote("abc") == "'abc'"


def test_repr_pretty() -> None:
    class Printer:
        text_out = ""

        def text(self, value: str) -> None:
            self.text_out += value

    printer = Printer()
    imgql.parse("images where x = 1")._repr_pretty_(printer, False)
    assert printer.text_out == "<imgql.Query images where x = 1>"


ROUND_TRIP_SETTINGS = settings(max_examples=120 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ROUND_TRIP_SETTINGS
@given(queries())
def test_generated_queries_round_trip(query: Query) -> None:
    text = str(query)
    back = imgql.parse(text)
    assert back == query
    assert str(back) == text
    assert hash(back) == hash(query)
    assert back.fields == query.fields


@settings(max_examples=30 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exprs())
def test_generated_expressions_round_trip(expr: object) -> None:
    query = Query(where=expr)  # type: ignore[arg-type]
    assert imgql.parse(str(query)) == query
