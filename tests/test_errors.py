"""Every error: its class, where it points (1-based line and column) and
what it says."""

from __future__ import annotations

import pytest

import imgql
from imgql.errors import QueryError, line_and_column


def error_of(text: str) -> QueryError:
    with pytest.raises(imgql.Error) as info:
        imgql.parse(text)
    error = info.value
    assert isinstance(error, QueryError)
    assert error.text == text
    return error


# (query, error class, line, column, words the message contains)
INCOMPLETE = imgql.IncompleteQueryError
SYNTAX_ERROR = imgql.QuerySyntaxError
VALUE = imgql.InvalidValueError
FIELD = imgql.UnknownFieldError
PATTERN = imgql.InvalidPatternError

SYNTAX = [
    ("", INCOMPLETE, 1, 1, "the query is empty"),
    ("  \n ", INCOMPLETE, 1, 1, "the query is empty"),
    ("select * from images", SYNTAX_ERROR, 1, 1, "a query starts with 'images' (or 'all images'), found 'select'"),
    ("image where x = 1", SYNTAX_ERROR, 1, 1, "a query starts with 'images'"),
    ("images where name =", INCOMPLETE, 1, 20, "expected a value after '=', found end of query"),
    ("images where name == ", INCOMPLETE, 1, 21, "expected a value after '==', found end of query"),
    ("images where", INCOMPLETE, 1, 13, "expected 'not', a field name or '(' after 'where', found end of query"),
    ("images where x = 1 and", INCOMPLETE, 1, 23, "after 'and', found end of query"),
    ("images where not", INCOMPLETE, 1, 17, "a field name or '(' after 'not'"),
    ("images where (x = 1", INCOMPLETE, 1, 20, "expected ')' after '1', found end of query"),
    ("images where x = 1)", SYNTAX_ERROR, 1, 19, "found ')'"),
    # An unclosed quote is incomplete (the shell reads the next line into it).
    ("images where name = 'abc", INCOMPLETE, 1, 21, "this quoted text is never closed"),
    ('images where name = "a\\"', INCOMPLETE, 1, 21, "this quoted text is never closed"),
    ("images where \x00", SYNTAX_ERROR, 1, 14, "a query cannot contain a NUL character"),
    ("\x00", SYNTAX_ERROR, 1, 1, "NUL"),
    ("images where x in ()", SYNTAX_ERROR, 1, 20, "expected a value after '(', found ')'"),
    ("images where x in 1", SYNTAX_ERROR, 1, 19, "expected '(' after 'in', found '1'"),
    ("images where x in (1,", INCOMPLETE, 1, 22, "expected a value or ')' after ','"),
    ("images where x not = 1", SYNTAX_ERROR, 1, 20, "expected 'in', 'like' or 'contains' after 'not', found '='"),
    ("images limit x", SYNTAX_ERROR, 1, 14, "expected a whole number after 'limit', found 'x'"),
    ("images limit -1", SYNTAX_ERROR, 1, 14, "expected a whole number after 'limit', found '-1'"),
    ("images limit", INCOMPLETE, 1, 13, "expected a whole number after 'limit', found end of query"),
    ("images where x = 1 limit 1 limit 2", SYNTAX_ERROR, 1, 28, "expected end of query after '1', found 'limit'"),
    ("images limit 1 order by name", SYNTAX_ERROR, 1, 16, "`order by` comes before `limit`"),
    ("images order", INCOMPLETE, 1, 13, "expected 'by' after 'order'"),
    ("images order by", INCOMPLETE, 1, 16, "expected a field name after 'by', found end of query"),
    ("images order by name,", INCOMPLETE, 1, 22, "expected a field name after ','"),
    ("images order by name up", SYNTAX_ERROR, 1, 22, "expected 'asc', 'desc', 'limit' or ',' after 'name', found 'up'"),
    ("images where x y", SYNTAX_ERROR, 1, 16, "expected an operator (=, !=, <"),
    ("images where x = 1 y", SYNTAX_ERROR, 1, 20, "'and'"),
    ("images where limit", SYNTAX_ERROR, 1, 14, "expected a condition, found the keyword 'limit'"),
    ("images where not = 1", SYNTAX_ERROR, 1, 18, "expected a field name or '(' after 'not', found '='"),
    ("images where x = $", SYNTAX_ERROR, 1, 18, "expected a value after '=', found '$'"),
    ("images where x = $1", SYNTAX_ERROR, 1, 18, "found '$1'"),
    ("images where x ~~ 1", SYNTAX_ERROR, 1, 17, "expected a value after '~', found '~'"),
    ("all", INCOMPLETE, 1, 4, "expected 'images' after 'all'"),
    ("images all", SYNTAX_ERROR, 1, 8, "expected 'where', 'order by' or 'limit' after 'images', found 'all'"),
    ("images where x = 'it''s'", SYNTAX_ERROR, 1, 22, "found \"'s'\""),
    ("images where size = 5 gigs", SYNTAX_ERROR, 1, 23, "'gigs' is not a size unit; sizes are written like 5GB"),
    ("images where size = 5 GB x", SYNTAX_ERROR, 1, 26, "found 'x'"),
    ("images where x = -- note\n", INCOMPLETE, 1, 25, "expected a value after '=', found end of query"),
]


@pytest.mark.parametrize(("text", "cls", "line", "column", "words"), SYNTAX)
def test_syntax_errors(text: str, cls: type[QueryError], line: int, column: int, words: str) -> None:
    error = error_of(text)
    assert type(error) is cls
    assert isinstance(error, imgql.QuerySyntaxError)
    assert (error.line, error.column) == (line, column)
    assert words in error.message


SEMANTIC = [
    # unknown units
    ("images where size = 5QB", VALUE, 21, "unknown size unit 'QB' in '5QB'"),
    ("images where min_ram > 2kg", VALUE, 24, "unknown size unit 'kg'"),
    ("images where created_at > 7 fortnights ago", VALUE, 27, "unknown time unit 'fortnights'"),
    # bad dates
    ("images where created_at > 2025-13-01", VALUE, 27, "'2025-13-01' is not a date or time"),
    ("images where created_at > 2025-02-30T00:00:00Z", VALUE, 27, "is not a date or time"),
    ("images where updated > yesterday", VALUE, 24, "'yesterday' is not a date or time"),
    ("images where created_at > 2025", VALUE, 27, "not a date or time"),
    ("images where created_at > 0001-01-01T00:00:00+05:00", VALUE, 27, "out of range"),
    ("images where created_at > 400000d ago", VALUE, 27, "too far in the past"),
    # wrong types
    ("images where protected = yes", VALUE, 26, "'yes' is not a boolean (write true or false)"),
    ("images where size = abc", VALUE, 21, "'abc' is not a size"),
    ("images where size > -1", VALUE, 21, "'-1' is not a size"),
    ("images where size like 'x*'", VALUE, 14, "size is a bytes field; like works on text fields"),
    ("images where created_at contains 2025", VALUE, 14, "created_at is a datetime field"),
    ("images where protected ~ 'x'", VALUE, 14, "protected is a boolean field"),
    ("images where tag < a", VALUE, 18, "tags can only be compared with = (has the tag) or != (lacks it)"),
    ("images where hidden < true", VALUE, 21, "compare it with = or !="),
    ("images where size = 1.5", VALUE, 21, "size is a whole number of bytes"),
    ("images where min_ram = 1GB", VALUE, 24, "min_ram is a whole number of MiB"),
    ("images where size in (1, 1.5)", VALUE, 26, "whole number"),
    ("images where size < 1e400GB", VALUE, 21, "too large to be a size"),
    ("images where size < 1e999999999999999999999", VALUE, 21, "to be a size"),
    ("images where min_ram = 1e30PiB", VALUE, 24, "too large"),
    # null where it cannot stand
    ("images where x < null", VALUE, 16, "null can only be compared with = or != (found <)"),
    ("images where x in (a, null)", VALUE, 23, "null cannot be in a list; use `missing` or `exists`"),
    ("images where x like null", VALUE, 21, "like needs text, not null"),
    # invalid regular expressions
    ("images where name ~ '('", PATTERN, 22, "invalid regular expression '('"),
    ("images where name !~ '[a-'", PATTERN, 23, "invalid regular expression"),
    ("images where name ~ '\\\\'", PATTERN, 21, "invalid regular expression"),
    # unknown enum values
    ("images where status = bogus", VALUE, 23, "'bogus' is not a status; expected one of: queued"),
    ("images where visibility = all", VALUE, 27, "expected one of: public, private, shared, community"),
    ("images where visibility in (public, everyone)", VALUE, 37, "'everyone' is not a visibility"),
    ("images where member_status = bogus", VALUE, 30, "expected one of: accepted, pending, rejected, all"),
    # fields where they cannot stand
    ("images where x", SYNTAX_ERROR, 14, "x alone is a condition only for true/false fields"),
    ("images where a = 1 or member_status = pending", FIELD, 23, "member_status narrows the whole listing"),
    ("images where not member_status = pending", FIELD, 18, "not inside `or` or `not`"),
    ("images where a = 1 and (b = 2 or member_status in (all))", FIELD, 34, "member_status"),
    ("images where member_status != pending", FIELD, 28, "member_status can only be compared with = or in"),
    ("images where member_status not in (all)", FIELD, 14, "member_status can only be compared"),
    ("images where member_status exists", FIELD, 14, "member_status is not a field of the image"),
    ("images where member_status like 'p*'", VALUE, 14, "like works on text fields"),
    ("images order by member_status", FIELD, 17, "cannot order by member_status: it is not a field of the image"),
    ("images order by tags", FIELD, 17, "cannot order by tags: tags values have no order"),
    ("images order by hidden", FIELD, 17, "cannot order by os_hidden: boolean values have no order"),
    ("images order by protected desc", FIELD, 17, "boolean values have no order"),
    # numbers too long to be a limit
    ("images limit 1234567890123456789", VALUE, 14, "limit 1234567890123456789 is too large"),
]


@pytest.mark.parametrize(("text", "cls", "column", "words"), SEMANTIC)
def test_semantic_errors(text: str, cls: type[QueryError], column: int, words: str) -> None:
    error = error_of(text)
    assert type(error) is cls
    assert isinstance(error, imgql.Error)
    assert (error.line, error.column) == (1, column)
    assert words in error.message


def test_syntax_errors_and_semantic_errors_are_distinct() -> None:
    assert not isinstance(error_of("images where size = 5QB"), imgql.QuerySyntaxError)
    assert issubclass(imgql.QuerySyntaxError, imgql.Error)
    assert issubclass(imgql.IncompleteQueryError, imgql.QuerySyntaxError)
    for cls in (imgql.InvalidValueError, imgql.InvalidPatternError, imgql.UnknownFieldError, imgql.TooComplexError):
        assert issubclass(cls, imgql.QueryError) and issubclass(cls, imgql.Error)


def test_message_shows_the_line_with_a_caret() -> None:
    error = error_of("images where name =")
    assert str(error) == (
        "expected a value after '=', found end of query (line 1, column 20)\n"
        "  images where name =\n"
        "                     ^"
    )


def test_caret_spans_the_offending_literal() -> None:
    error = error_of("images where size = 5QB and x = 1")
    assert str(error).splitlines()[1:] == [
        "  images where size = 5QB and x = 1",
        "                      ^^^",
    ]


def test_position_on_a_later_line() -> None:
    text = "images\nwhere os_distro = ubuntu\n  and size < 5QB\norder by name"
    error = error_of(text)
    assert (error.line, error.column) == (3, 14)
    assert str(error).splitlines()[1:] == ["    and size < 5QB", "               ^^^"]


def test_incomplete_query_points_after_the_last_word_not_at_a_blank_line() -> None:
    error = error_of("images where x = 1\n  and y =\n\n")
    assert (error.line, error.column) == (2, 10)
    assert "found end of query" in error.message


def test_caret_under_tabs_lines_up() -> None:
    error = error_of("images\twhere\tsize = 5QB")
    assert str(error).splitlines()[2] == "  " + " " * 6 + "\t" + " " * 5 + "\t" + " " * 7 + "^^^"


def test_control_characters_do_not_garble_the_caret_line() -> None:
    error = error_of("images where x = 1 \x1b[31m")
    shown = str(error).splitlines()[1]
    assert "\x1b" not in shown


def test_too_complex_error_has_a_position() -> None:
    text = "images where " + "(a = 1 or (b = 2 and " * 80 + "c = 3" + "))" * 80
    error = error_of(text)
    assert isinstance(error, imgql.TooComplexError)
    assert "nested more than 128 levels deep" in error.message
    assert error.line == 1 and error.column is not None and error.column > 1


def test_non_text_is_refused_with_an_error() -> None:
    for value in (None, b"images", 5, ["images"], {"a": 1}):
        with pytest.raises(imgql.QuerySyntaxError, match="a query is text"):
            imgql.parse(value)  # type: ignore[arg-type]


def test_errors_repeat_for_the_same_text() -> None:
    first = error_of("images where size = 5QB")
    second = error_of("images where size = 5QB")
    assert first is not second
    assert str(first) == str(second)


def test_located_gives_plain_data() -> None:
    error = error_of("images where status = bogus")
    assert error.located() == {"message": error.message, "line": 1, "column": 23}


def test_line_and_column() -> None:
    assert line_and_column("abc\ndef", 0) == (1, 1)
    assert line_and_column("abc\ndef", 4) == (2, 1)
    assert line_and_column("abc\ndef", 6) == (2, 3)
    assert line_and_column("abc", 99) == (1, 4)


def test_long_lines_are_shown_as_a_window_around_the_spot() -> None:
    text = "images where " + "x = 1 and " * 500 + "size = 5QB and " + "y = 2 and " * 500 + "z = 3"
    error = error_of(text)
    assert (error.line, error.column) == (1, 5021)
    shown, caret = str(error).splitlines()[1:]
    assert len(shown) < 110
    assert shown.startswith("  …") and shown.endswith("…")
    assert shown[caret.index("^") : caret.index("^") + 3] == "5QB"
    assert caret.strip() == "^^^"


def test_caret_width_counts_characters_of_the_text() -> None:
    error = error_of("images where \ud800 = 1")
    assert str(error).splitlines()[2] == "  " + " " * 13 + "^"
