"""Reading literals: sizes, datetimes, relative times, booleans, numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import imgql
from imgql.lang.ast import RelativeTime
from imgql.lang.fields import GIB, MIB
from imgql.lang.literals import (
    MAX_RELATIVE_DAYS,
    SIZE_UNITS,
    LiteralError,
    check_size,
    format_datetime,
    parse_boolean,
    parse_datetime,
    parse_number,
    parse_relative,
    parse_size,
    relative_from_timedelta,
    to_utc,
)

UTC = dt.timezone.utc


def test_decimal_units_are_powers_of_1000_and_binary_of_1024() -> None:
    assert [SIZE_UNITS[u] for u in ("kb", "mb", "gb", "tb")] == [1000, 1000**2, 1000**3, 1000**4]
    assert [SIZE_UNITS[u] for u in ("kib", "mib", "gib", "tib")] == [1024, 1024**2, 1024**3, 1024**4]
    assert [SIZE_UNITS[u] for u in ("k", "m", "g", "t")] == [1024, 1024**2, 1024**3, 1024**4]


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("5GB", 1, Decimal(5 * 1000**3)),
        ("5gb", 1, Decimal(5 * 1000**3)),
        ("5Gb", 1, Decimal(5 * 1000**3)),
        ("1.5GiB", 1, Decimal(1536 * 1024**2)),
        ("512MiB", 1, Decimal(512 * 1024**2)),
        ("2G", 1, Decimal(2 * 1024**3)),
        ("2g", 1, Decimal(2 * 1024**3)),
        ("100", 1, Decimal(100)),
        ("100B", 1, Decimal(100)),
        ("2GiB", MIB, Decimal(2048)),
        ("2048", MIB, Decimal(2048)),
        ("1GB", MIB, Decimal(1000**3) / MIB),
        ("1TiB", GIB, Decimal(1024)),
        ("20", GIB, Decimal(20)),
        ("1e3", 1, Decimal(1000)),
        (" 5 GB ", 1, Decimal(5 * 1000**3)),
    ],
)
def test_parse_size(text: str, unit: int, expected: Decimal) -> None:
    assert parse_size(text, unit) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("abc", "is not a size"),
        ("-5", "is not a size"),
        ("5QB", "unknown size unit 'QB'"),
        ("5 G B", "is not a size"),
        ("1e31", "too large"),
        ("1e400GB", "too large"),
        ("1e999999999999999999999", "too large or too small"),
        ("1e-999999999999999999999", "too large or too small"),
    ],
)
def test_parse_size_errors(text: str, words: str) -> None:
    with pytest.raises(LiteralError, match=words):
        parse_size(text)


def test_size_bound_applies_to_the_result_in_the_fields_unit() -> None:
    # 1e30 PiB of RAM is a 40-digit number of MiB.
    with pytest.raises(LiteralError, match="too large"):
        parse_size("1e30PiB", MIB)
    assert parse_size("1e30") == Decimal("1e30")


def test_check_size() -> None:
    assert check_size(0) == 0
    assert check_size(10**30) == 10**30
    with pytest.raises(LiteralError):
        check_size(-1)
    with pytest.raises(LiteralError):
        check_size(10**31)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-10-02", dt.datetime(2025, 10, 2, tzinfo=UTC)),
        ("2025-10-02T08:30:39Z", dt.datetime(2025, 10, 2, 8, 30, 39, tzinfo=UTC)),
        ("2025-10-02t08:30:39z", dt.datetime(2025, 10, 2, 8, 30, 39, tzinfo=UTC)),
        ("2025-10-02T08:30:39", dt.datetime(2025, 10, 2, 8, 30, 39, tzinfo=UTC)),
        ("2025-10-02 08:30", dt.datetime(2025, 10, 2, 8, 30, tzinfo=UTC)),
        ("2025-10-02T08:30:39.123456Z", dt.datetime(2025, 10, 2, 8, 30, 39, 123456, tzinfo=UTC)),
        ("2025-10-02T08:30:39+02:00", dt.datetime(2025, 10, 2, 6, 30, 39, tzinfo=UTC)),
        ("2025-10-02T08:30:39-05:30", dt.datetime(2025, 10, 2, 14, 0, 39, tzinfo=UTC)),
        ("2025-10-02T00:30:00+01:00", dt.datetime(2025, 10, 1, 23, 30, tzinfo=UTC)),
    ],
)
def test_parse_datetime(text: str, expected: dt.datetime) -> None:
    value = parse_datetime(text)
    assert value == expected
    assert value.tzinfo == UTC


@pytest.mark.parametrize("text", ["2025-13-01", "2025-02-30", "2025", "20251002", "yesterday", "2025-10-02X08:00", ""])
def test_parse_datetime_errors(text: str) -> None:
    with pytest.raises(LiteralError, match="is not a date or time"):
        parse_datetime(text)


def test_datetime_out_of_range_in_utc() -> None:
    with pytest.raises(LiteralError, match="out of range"):
        parse_datetime("0001-01-01T00:00:00+05:00")
    with pytest.raises(LiteralError, match="out of range"):
        parse_datetime("9999-12-31T23:59:59-05:00")


def test_to_utc() -> None:
    assert to_utc(dt.datetime(2025, 1, 1)) == dt.datetime(2025, 1, 1, tzinfo=UTC)
    minus = dt.timezone(dt.timedelta(hours=-3))
    assert to_utc(dt.datetime(2025, 1, 1, 22, tzinfo=minus)) == dt.datetime(2025, 1, 2, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.datetime(2025, 10, 2, tzinfo=UTC), "2025-10-02T00:00:00Z"),
        (dt.datetime(2025, 10, 2, 8, 30, 39, 5, tzinfo=UTC), "2025-10-02T08:30:39.000005Z"),
        (dt.datetime(2025, 10, 2, 8, tzinfo=dt.timezone(dt.timedelta(hours=2))), "2025-10-02T06:00:00Z"),
        (dt.datetime(2025, 10, 2, 8), "2025-10-02T08:00:00Z"),
    ],
)
def test_format_datetime(value: dt.datetime, text: str) -> None:
    assert format_datetime(value) == text
    assert parse_datetime(text) == value.replace(tzinfo=value.tzinfo or UTC)


def test_format_datetime_at_the_ends_of_the_calendar() -> None:
    edge = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    assert format_datetime(edge) == "0001-01-01T00:00:00+05:00"


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("7d ago", "7", "d"),
        ("7 d ago", "7", "d"),
        ("7 days ago", "7", "d"),
        ("1 day ago", "1", "d"),
        ("12h ago", "12", "h"),
        ("12 hours ago", "12", "h"),
        ("2 hrs ago", "2", "h"),
        ("2w ago", "2", "w"),
        ("3 weeks ago", "3", "w"),
        ("30m ago", "30", "m"),
        ("30 minutes ago", "30", "m"),
        ("45s ago", "45", "s"),
        ("45 seconds ago", "45", "s"),
        ("1.50d ago", "1.5", "d"),
        ("10d ago", "10", "d"),
        ("7D AGO", "7", "d"),
    ],
)
def test_parse_relative(text: str, amount: str, unit: str) -> None:
    assert parse_relative(text) == RelativeTime(Decimal(amount), unit)


def test_parse_relative_not_relative() -> None:
    assert parse_relative("2025-10-02") is None
    assert parse_relative("7d") is None


def test_parse_relative_errors() -> None:
    with pytest.raises(LiteralError, match="unknown time unit 'y'"):
        parse_relative("1y ago")
    with pytest.raises(LiteralError, match="too far in the past"):
        parse_relative(f"{MAX_RELATIVE_DAYS + 1}d ago")
    assert parse_relative(f"{MAX_RELATIVE_DAYS}d ago") == RelativeTime(Decimal(MAX_RELATIVE_DAYS), "d")


def test_relative_time_resolves_against_now() -> None:
    now = dt.datetime(2025, 10, 9, 12, tzinfo=UTC)
    assert RelativeTime(Decimal(7), "d").resolve(now) == dt.datetime(2025, 10, 2, 12, tzinfo=UTC)
    assert RelativeTime(Decimal("1.5"), "h").resolve(now) == dt.datetime(2025, 10, 9, 10, 30, tzinfo=UTC)
    assert RelativeTime(Decimal(2), "w").delta() == dt.timedelta(days=14)
    # The furthest relative time still resolves to a date.
    far = parse_relative(f"{MAX_RELATIVE_DAYS}d ago")
    assert far is not None and far.resolve(now).year > 1000


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (dt.timedelta(weeks=3), RelativeTime(Decimal(3), "w")),
        (dt.timedelta(days=3), RelativeTime(Decimal(3), "d")),
        (dt.timedelta(hours=25), RelativeTime(Decimal(25), "h")),
        (dt.timedelta(minutes=90), RelativeTime(Decimal(90), "m")),
        (dt.timedelta(seconds=61), RelativeTime(Decimal(61), "s")),
        (dt.timedelta(seconds=1, microseconds=5), RelativeTime(Decimal("1.000005"), "s")),
        (dt.timedelta(0), RelativeTime(Decimal(0), "w")),
    ],
)
def test_relative_from_timedelta(delta: dt.timedelta, expected: RelativeTime) -> None:
    value = relative_from_timedelta(delta)
    assert value == expected
    assert value.delta() == delta


@pytest.mark.parametrize(("text", "expected"), [("true", True), ("TRUE", True), ("False", False), (" false ", False)])
def test_parse_boolean(text: str, expected: bool) -> None:
    assert parse_boolean(text) is expected


@pytest.mark.parametrize("text", ["yes", "1", "t", ""])
def test_parse_boolean_errors(text: str) -> None:
    with pytest.raises(LiteralError, match="not a boolean"):
        parse_boolean(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10", Decimal(10)),
        ("9", Decimal(9)),
        ("-3", Decimal(-3)),
        ("1.5", Decimal("1.5")),
        (".5", Decimal("0.5")),
        ("1e3", Decimal(1000)),
        (" 42 ", None),
        ("9 ", None),
        ("22.04", Decimal("22.04")),
        ("abc", None),
        ("1.2.3", None),
        ("", None),
        ("nan", None),
        ("inf", None),
        ("1e400", None),
        ("5GB", None),
    ],
)
def test_parse_number(text: str, expected: Decimal | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2026-12-04T21:12:06.0000000Z", "2026-12-04T21:12:06+00:00"),
        ("2026-12-04T21:12:06.123456000Z", "2026-12-04T21:12:06.123456+00:00"),
        ("2026-12-04T21:12:06,5Z", "2026-12-04T21:12:06.500000+00:00"),
        ("2026-12-04T21:12", "2026-12-04T21:12:00+00:00"),
        ("2026-12-04T21:12:06+0200", "2026-12-04T19:12:06+00:00"),
        ("2026-12-04T21:12:06-02", "2026-12-04T23:12:06+00:00"),
    ],
)
def test_the_iso_8601_forms_read(text: str, instant: str) -> None:
    from imgql.lang.literals import parse_datetime

    assert parse_datetime(text).isoformat() == instant


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-12-04T21:12:06.0000001Z", "finer than a microsecond"),
        ("2026-12-04T21:12:06.123456789Z", "finer than a microsecond"),
        ("20261204", "with dashes"),
        ("20261204T211206Z", "with dashes"),
        ("2026-W49-5", "week dates"),
        ("2026-W49-5T10:00", "week dates"),
        ("2026-338", "ordinal dates"),
        ("2026-12-04T24:00:00", "00:00 of the next day"),
        ("2026-12-04T21", "not a date or time"),
        ("2026-12-04T21:12:60", "not a date or time"),
        ("\u0662\u0660\u0662\u0666-12-04", "not a date or time"),
    ],
)
def test_other_forms_are_refused_with_the_literals_position(text: str, words: str) -> None:
    query = f"images where created_at >= '{text}'"
    with pytest.raises(imgql.InvalidValueError, match=words) as caught:
        imgql.parse(query)
    assert caught.value.column == query.index("'") + 1


def test_a_sub_microsecond_time_is_refused_rather_than_rounded() -> None:
    # Rounded, `= 21:12:06.0000001` would match every image shown at 21:12:06.
    with pytest.raises(imgql.InvalidValueError, match="microsecond"):
        imgql.parse("images where created_at = '2026-12-04T21:12:06.0000001Z'")
    with pytest.raises(imgql.InvalidValueError, match="microsecond"):
        imgql.parse("images where created_at < $t").bind(t="2026-12-04T21:12:06.0000001Z")
    assert str(imgql.parse("images where created_at = '2026-12-04T21:12:06.5000000Z'")) == (
        "images where created_at = 2026-12-04T21:12:06.500000Z"
    )


@pytest.mark.parametrize(("text", "amount"), [(".5GiB", 512 * MIB), ("5.GB", 5 * 10**9), ("5.", 5), (".5e1KB", 5000)])
def test_a_size_takes_the_number_syntax_of_custom_properties(text: str, amount: int) -> None:
    assert parse_size(text) == amount


@pytest.mark.parametrize("text", ["\u0665GB", "\u0665", "\u00bd", ".", "5..", ".e3", "\uff15GB"])
def test_a_size_is_written_with_ascii_digits(text: str) -> None:
    with pytest.raises(LiteralError, match="not a size"):
        parse_size(text)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        (".5", "0.5"),
        ("5.", "5"),
        ("+7", "7"),
        ("010", "10"),
        ("1E3", "1000"),
        ("\u0665", None),
        ("0x10", None),
        ("1_0", None),
    ],
)
def test_what_reads_as_a_number_in_a_custom_property(text: str, number: str | None) -> None:
    got = parse_number(text)
    assert (None if got is None else got) == (None if number is None else Decimal(number))
