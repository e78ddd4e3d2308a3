"""Mistakes a new user makes in query text: caught, with messages that say
how to fix them, or accepted where the intent is unambiguous."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

import imgql
from imgql.lang.check import check
from imgql.lang.parser import parse_unchecked


def error_of(text: str) -> imgql.QueryError:
    with pytest.raises(imgql.QueryError) as info:
        imgql.parse(text)
    return info.value


# -- field names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("images where nmae = ubuntu", "name"),
        ("images where os_ditro = ubuntu", "os_distro"),
        ("images where archtecture = x86_64", "architecture"),
        ("images where hw_disk_buss = scsi", "hw_disk_bus"),
        ("images order by craeted_at", "created_at"),
    ],
)
def test_a_near_miss_of_a_known_field_warns_and_is_an_error_when_strict(text: str, meant: str) -> None:
    with pytest.warns(imgql.UnknownFieldWarning, match=f"did you mean '{meant}'") as caught:
        query = imgql.parse(text)
    warning = caught[0].message
    assert isinstance(warning, imgql.QueryWarning)
    assert isinstance(warning.problem, imgql.UnknownFieldError)
    assert meant not in query.fields  # read as the custom property, as written
    with pytest.raises(imgql.UnknownFieldError, match=f"did you mean '{meant}'") as info:
        imgql.parse(text, strict=True)
    written = text.split()[3] if "order" in text else text.split()[2]
    assert info.value.column == text.index(written) + 1
    assert info.value.end_offset == text.index(written) + len(written)


def test_the_check_pass_returns_warnings_too() -> None:
    text = "images where nmae = x and os_ditro = y"
    checked = check(parse_unchecked(text), text)
    assert checked.ok
    assert [w.column for w in checked.warnings] == [14, 27]
    assert all(isinstance(w, imgql.UnknownFieldError) for w in checked.warnings)


def test_known_names_in_any_case_and_meant_custom_properties_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert str(imgql.parse("IMAGES WHERE OS_DISTRO = ubuntu")) == "images where os_distro = ubuntu"
        query = imgql.parse("IMAGES ORDER BY NAME LIMIT 3")
        assert query.order_by[0].field == "name"
        assert str(query) == "images order by name asc limit 3"
        assert imgql.parse("images where os_version = 24.04 and hw_firmware_type = uefi").fields == {
            "os_version",
            "hw_firmware_type",
        }
        assert imgql.parse("images where my_custom_key = 1").fields == {"my_custom_key"}
        # The prefix says a custom property is meant: no warning, even strict.
        query = imgql.parse("images where property.nmae = x", strict=True)
        assert query.fields == {"nmae"}
        assert str(query) == "images where property.nmae = x"
        assert imgql.parse(str(query), strict=True) == query


def test_sort_of_a_known_field_in_upper_case_is_sorted() -> None:
    catalog = imgql.Catalog([{"id": str(i), "name": name} for i, name in enumerate("cab")])
    names = [image["name"] for image in catalog.query("IMAGES ORDER BY NAME LIMIT 3")]
    assert names == ["a", "b", "c"]


# -- values ------------------------------------------------------------------------


def test_a_space_before_the_unit_is_accepted() -> None:
    assert imgql.parse("images where size < 5 GB") == imgql.parse("images where size < 5GB")
    assert imgql.parse("images where min_ram >= 1.5 GiB") == imgql.parse("images where min_ram >= 1536")
    assert str(imgql.parse("images where size < 5 gb and tag = x")) == "images where size < 5GB and tag = x"


def test_an_unknown_unit_names_the_units() -> None:
    error = error_of("images where size < 5 gigs")
    assert type(error) is imgql.QuerySyntaxError
    assert "'gigs' is not a size unit" in error.message
    assert "GB" in error.message and "GiB" in error.message
    assert ")" not in error.message.split(";")[0]
    assert error.column == 23


def test_a_spaced_value_for_text_must_be_quoted() -> None:
    error = error_of("images where name = Ubuntu 24.04 LTS")
    assert "a value with spaces must be quoted: name = 'Ubuntu 24.04 LTS'" in error.message
    assert error.column == 28
    error = error_of("images where name = 5 GB")
    assert "a value with spaces must be quoted: '5 GB'" in error.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("images where x = 1 y", "')'"),
        ("images where x y", "')'"),
    ],
)
def test_a_closing_parenthesis_is_offered_only_when_one_is_open(text: str, words: str) -> None:
    assert words not in error_of(text).message
    assert "','" not in error_of(text).message  # nor a comma outside a list
    assert "')'" in error_of(text.replace("where ", "where (")).message


# -- SQL habits --------------------------------------------------------------------


def test_is_null_points_to_missing_and_exists() -> None:
    assert "write `name missing`" in error_of("images where name IS NULL").message
    assert "write `name exists`" in error_of("images where name is not null").message


@pytest.mark.parametrize(("op", "word"), [("&&", "and"), ("||", "or")])
def test_c_operators_point_to_words(op: str, word: str) -> None:
    error = error_of(f"images where a = 1 {op} b = 2")
    assert f"write `{word}`" in error.message
    assert error.column == 20 and error.end_offset == 21


def test_order_by_after_limit_says_the_order() -> None:
    error = error_of("images limit 5 order by name")
    assert "`order by` comes before `limit`" in error.message
    assert error.column == 16


def test_percent_in_a_like_pattern_warns() -> None:
    with pytest.warns(imgql.LikePatternWarning, match=r"like uses \* .* did you mean '\*ubuntu\*'"):
        imgql.parse("images where name LIKE '%ubuntu%'")
    with pytest.raises(imgql.InvalidPatternError, match="not SQL's %"):
        imgql.parse("images where name like '%ubuntu%'", strict=True)
    assert issubclass(imgql.LikePatternWarning, imgql.QueryWarning)
    assert issubclass(imgql.UnknownFieldWarning, imgql.QueryWarning)


def test_curly_quotes_quote() -> None:
    assert imgql.parse("images where name = \u2018Ubuntu 24.04\u2019") == imgql.parse(
        "images where name = 'Ubuntu 24.04'"
    )
    assert (
        imgql.parse("images where name = \u201cUbuntu 24.04\u201d").where
        == imgql.parse("images where name = 'Ubuntu 24.04'").where
    )
    error = error_of("images where name = \u201cUbuntu")
    assert "never closed" in error.message and error.column == 21


def test_the_cli_shows_the_fix() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "imgql.cli", "plan", "images where name IS NULL"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "write `name missing`" in result.stderr
