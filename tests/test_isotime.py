"""imgql.isotime: Glance's timestamps and a query's read the same on every Python."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imgql.isotime import as_isoformat, fromisoformat

UTC = dt.timezone.utc
# What isoformat() writes, the one form Python 3.10's reader takes.
WRITTEN = re.compile(r"\d{4}-\d{2}-\d{2}(.\d{2}(:\d{2}(:\d{2}(\.\d{6})?)?)?([+-]\d{2}:\d{2}(:\d{2}(\.\d{6})?)?)?)?")

CASES = [
    ("2025-10-02T08:30:39Z", dt.datetime(2025, 10, 2, 8, 30, 39, tzinfo=UTC)),
    ("2025-10-02 08:30:39.5Z", dt.datetime(2025, 10, 2, 8, 30, 39, 500000, tzinfo=UTC)),
    ("2025-10-02T08:30:39.123456789Z", dt.datetime(2025, 10, 2, 8, 30, 39, 123456, tzinfo=UTC)),
    ("2025-10-02T08:30:39,25+00:00", dt.datetime(2025, 10, 2, 8, 30, 39, 250000, tzinfo=UTC)),
    ("2025-10-02T08:30+0200", dt.datetime(2025, 10, 2, 6, 30, tzinfo=UTC)),
    ("2025-10-02T08-05", dt.datetime(2025, 10, 2, 13, tzinfo=UTC)),
    ("20251002T083039Z", dt.datetime(2025, 10, 2, 8, 30, 39, tzinfo=UTC)),
    ("2025-10-02T08:30:39", dt.datetime(2025, 10, 2, 8, 30, 39)),
    ("2025-10-02", dt.datetime(2025, 10, 2)),
]


@pytest.mark.parametrize(("text", "instant"), CASES)
def test_the_forms_glance_and_users_write(text: str, instant: dt.datetime) -> None:
    assert fromisoformat(text) == instant
    rewritten = as_isoformat(text)
    assert rewritten is not None and WRITTEN.fullmatch(rewritten), rewritten
    assert dt.datetime.fromisoformat(rewritten) == instant


# A lower-case z is not read (as by Python 3.11's reader); the query language
# upper-cases it first (imgql.lang.literals).
@pytest.mark.parametrize(
    "text", ["", "yesterday", "2025-10-02T08:30:39z", "2025-13-01T00:00:00Z", "2025-10-02T25:00Z", "2025-10"]
)
def test_what_is_not_a_time_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        fromisoformat(text)


@given(
    st.datetimes(
        min_value=dt.datetime(1000, 1, 1),
        timezones=st.sampled_from(
            [UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)), dt.timezone(-dt.timedelta(hours=8))]
        ),
    ),
    st.integers(min_value=1, max_value=9),
    st.booleans(),
)
def test_every_spelling_of_an_instant_reads_as_it(moment: dt.datetime, digits: int, basic: bool) -> None:
    fraction = f"{moment.microsecond:06d}{'0' * 3}"[:digits]
    offset = moment.strftime("%z")
    if offset == "+0000":
        offset = "Z"
    date, time = moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S")
    if basic:
        date, time = date.replace("-", ""), time.replace(":", "")
    text = f"{date}T{time}.{fraction}{offset}"
    expected = moment.replace(microsecond=int(fraction[:6].ljust(6, "0")))
    assert fromisoformat(text) == expected
    assert dt.datetime.fromisoformat(as_isoformat(text) or "") == expected
