"""The regular-expression dialect of `~` and `!~`: RE2 syntax, linear time, and
two engines that always agree."""

from __future__ import annotations

import time

import pytest
import re2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import imgql
from imgql.lang.regex import compile_regex, is_plain, regex_problem, required_prefixes

ACCEPTED = [
    r"^ubuntu-[0-9]{2}\.04$",
    r"(?i)lts",
    r"\d+",
    r"(?P<name>a)b",
    r"[[:alpha:]]+",
    r"\pL",
    r"\z",
    r"a{2,5}",
    "",
]

REFUSED = [
    (r"(a)\1", "backreferences", 3),
    (r"(?P<x>a)(?P=x)", "backreferences", 8),
    (r"x(?=y)", "lookahead and lookbehind", 1),
    (r"(?<!x)y", "lookahead and lookbehind", 0),
    (r"(?>ab)", "atomic groups", 0),
    (r"a++", "possessive", 1),
    (r"ab\Z", r"use \z", 2),
    ("(", "is not closed", 0),
    ("a{1001}", "invalid repetition size", 1),
    ("[z-a]", "invalid character class range", 1),
]


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_re2_syntax_is_accepted(pattern: str) -> None:
    assert regex_problem(pattern) is None


@pytest.mark.parametrize(("pattern", "words", "index"), REFUSED)
def test_refusals_say_what_and_where(pattern: str, words: str, index: int) -> None:
    problem = regex_problem(pattern)
    assert problem is not None
    assert words in problem.message
    assert problem.index == index


def test_an_escaped_backslash_is_not_a_backreference() -> None:
    assert regex_problem(r"\\1") is None
    assert compile_regex(r"\\1")("a\\1") is not None


@pytest.mark.parametrize(
    ("pattern", "plain"),
    [
        (r"^ubuntu-2[24]\.04", True),
        (r"(?i)lts", True),
        (r"\dx", True),
        (r"a+", False),
        (r"a|b", False),
        (r"a?", False),
        (r"a{2}", False),
        (r"end$", False),
        (r"\s", False),
        (r"[[:alpha:]]", False),
        ("é", False),
        (r"(?i)\d", True),
        (r"a(?i)b", False),
        (r"(?i)a(?s)b", False),
    ],
)
def test_only_patterns_without_repetition_or_alternation_are_plain(pattern: str, plain: bool) -> None:
    assert is_plain(pattern) is plain


def test_a_lone_surrogate_in_a_record_does_not_break_a_match() -> None:
    search = compile_regex("a+b")
    assert search("\ud800aab") is not None
    assert search("\ud800") is None


# Patterns made of what a plain pattern may hold, and of what sends a
# pattern to RE2 (flags in the middle, repetitions), over texts that include
# the characters where Python's re and RE2 fold case differently: the dotted
# and dotless i, the sharp s (both cases), the final sigma, the Kelvin sign,
# the long s, and newlines.
_LITERAL_PIECES = ["a", "b", "i", "I", "k", "s", "K", "S", ".", "^", "-", "1", "[ab]", "[^a]", "[a-k]", "[^a-z]"]
_ESCAPE_PIECES = [r"\d", r"\w", r"\b", r"\B", r"\.", r"\-", r"\W", r"\D"]
_OTHER_PIECES = ["(?i)", "(?s)", "(?m)", "(?-i)", "$", "\\z", "+", "*?", "σ", "ß", "(?i:s)"]
_PIECES = st.sampled_from([*_LITERAL_PIECES, *_ESCAPE_PIECES])
_PLAIN = st.builds(
    lambda flags, pieces, group: flags + ("(" + "".join(pieces) + ")" if group else "".join(pieces)),
    st.sampled_from(["", "(?i)", "(?s)", "(?m)", "(?is)"]),
    st.lists(_PIECES, max_size=6),
    st.booleans(),
)
_ANY = st.builds("".join, st.lists(st.sampled_from([*_LITERAL_PIECES, *_ESCAPE_PIECES, *_OTHER_PIECES]), max_size=7))
_TEXT = st.text(alphabet="abiIkKsS1\n.-_ \u212a\u017f\u0660é\u0130\u0131ßẞςσΣ", max_size=12)


def _re2_finds(pattern: str, text: str) -> bool:
    options = re2.Options()
    options.log_errors = False
    return re2.compile(pattern, options).search(text) is not None


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_PLAIN, _TEXT)
def test_both_engines_agree_on_plain_patterns(pattern: str, text: str) -> None:
    if regex_problem(pattern) is not None:
        return
    assert (compile_regex(pattern)(text) is not None) is _re2_finds(pattern, text), (pattern, text)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ANY, _TEXT)
def test_every_accepted_pattern_matches_as_re2_does(pattern: str, text: str) -> None:
    if regex_problem(pattern) is not None:
        return
    assert (compile_regex(pattern)(text) is not None) is _re2_finds(pattern, text), (pattern, text)


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        ("(?i)istanbul", "\u0130stanbul", False),
        ("(?i)^idle", "\u0131dle", False),
        ("(?i)^[^a-z]", "\u0130stanbul", True),
        ("(?i)^[^a-z]", "\u0131dle", True),
        ("(?i)k", "\u212a", True),
        ("(?i)^s$", "\u017f", True),
        ("(?i)ss", "ß", False),
        ("(?i)σ", "ς", True),
        ("(?i)\\w", "\u212a", True),
        ("^a.b$", "a\nb", False),
        ("(?s)^a.b$", "a\nb", True),
    ],
)
def test_case_folding_is_re2s_on_any_text(pattern: str, text: str, found: bool) -> None:
    assert _re2_finds(pattern, text) is found
    assert (compile_regex(pattern)(text) is not None) is found


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        ("Ubuntu(?i)-22\\.04-X64", "Ubuntu-22.04-x64", True),
        ("Ubuntu(?i)-22\\.04-X64", "ubuntu-22.04-x64", False),
        ("^(?i)s", "S", True),
        ("ubuntu(?s).22", "ubuntu\n22", True),
        ("a(?i)b(?-i)c", "aBc", True),
        ("a(?i)b(?-i)c", "aBC", False),
    ],
)
def test_flags_in_the_middle_apply_to_the_rest_as_in_re2(pattern: str, text: str, found: bool) -> None:
    assert regex_problem(pattern) is None
    assert (compile_regex(pattern)(text) is not None) is found


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a|aa)+$", r"(a|a?)+$", r"(.*a){12}"])
def test_evil_patterns_stay_fast(pattern: str) -> None:
    # Not a timing assertion about speed, a bound on catastrophe: a
    # backtracking engine needs minutes here, RE2 a few microseconds.
    search = compile_regex(pattern)
    started = time.perf_counter()
    search("a" * 10_000 + "!")
    assert time.perf_counter() - started < 5.0


@pytest.mark.parametrize(
    ("query", "words", "column"),
    [
        ("images where name ~ '('", "is not closed", 22),
        (r"images where name ~ 'ab(a)\1'", "backreferences", 27),
        ("images where name ~ 'x(?=y)'", "lookahead", 23),
        ("images where name !~ '*.iso'", "nothing before it to repeat", 23),
    ],
)
def test_a_refused_pattern_is_an_error_at_its_place(query: str, words: str, column: int) -> None:
    with pytest.raises(imgql.InvalidPatternError) as caught:
        imgql.parse(query)
    assert words in caught.value.message
    assert caught.value.column == column


def test_a_bound_pattern_is_held_to_the_same_dialect() -> None:
    query = imgql.parse("images where name ~ $pattern")
    with pytest.raises(imgql.InvalidPatternError, match="backreferences"):
        query.bind(pattern=r"(a)\1")


def test_an_evil_pattern_over_a_long_name_answers_at_once() -> None:
    catalog = imgql.Catalog([{"id": "1", "name": "a" * 255 + "!", "os_hidden": False}])
    started = time.perf_counter()
    assert list(catalog.query("images where name ~ '(a+)+$'")) == []
    assert [i.id for i in catalog.query("images where name !~ '(a|aa)+$'")] == ["1"]
    assert time.perf_counter() - started < 5.0


@pytest.mark.parametrize(
    ("pattern", "prefixes"),
    [
        (r"^(ubuntu|debian)-[0-9]+", ("ubuntu-", "debian-")),
        (r"^(?:x|y)z+", ("x", "y")),
        (r"^ab*c", ("a",)),
        (r"^\.iso", (".iso",)),
        (r"^a|b", ()),
        (r"^(a|b)+x", ()),
        (r"(?i)^abc+", ()),
        (r"^(a|)x+", ()),
        (r"[ab]c+", ()),
    ],
)
def test_required_prefixes_are_read_only_where_certain(pattern: str, prefixes: tuple[str, ...]) -> None:
    assert required_prefixes(pattern) == prefixes


# Anchored patterns with a literal start, a group of literal alternatives and
# tails that send them to RE2: the prefilter must never change an answer.
_HEADS = st.sampled_from(["^", "^a", "^ab", r"^\.", "^(a|b)", "^(?:ab|b)", "^(a|ab)", "^a(b|c)", "^-"])
_TAILS = st.lists(
    st.sampled_from(["a", "b", "c", "*", "+", "?", "|", "[ab]", "(", ")", ".", "$", "{2}", r"\d"]), max_size=5
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_HEADS, _TAILS, st.text(alphabet="abc.-1\n", max_size=8))
def test_the_prefix_filter_never_changes_an_answer(head: str, tail: list[str], text: str) -> None:
    pattern = head + "".join(tail)
    if regex_problem(pattern) is not None:
        return
    options = re2.Options()
    options.log_errors = False
    expected = re2.compile(pattern, options).search(text) is not None
    assert (compile_regex(pattern)(text) is not None) is expected, (pattern, text, required_prefixes(pattern))


def _dialect_table() -> list[tuple[str, list[str], list[str]]]:
    """The rows of docs/language.md's dialect table: construct, the patterns
    it says are accepted, those it says are refused."""
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "language.md").read_text(encoding="utf-8")
    start = text.index("| construct | accepted | refused")
    rows = []
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in re2_free_split(line)]
        rows.append((cells[0], _patterns(cells[1]), _patterns(cells[2])))
    return rows


def re2_free_split(line: str) -> list[str]:
    # Cells are split at `|` not escaped as `\|` (a pipe inside a pattern).
    import re

    return [c.replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def _patterns(cell: str) -> list[str]:
    import re

    return re.findall(r"`([^`]+)`", cell)


_ROWS = _dialect_table()


@pytest.mark.parametrize(("construct", "accepted", "refused"), _ROWS, ids=[row[0] for row in _ROWS])
def test_the_dialect_table_is_what_re2_accepts(construct: str, accepted: list[str], refused: list[str]) -> None:
    options = re2.Options()
    options.log_errors = False
    options.never_capture = True
    assert accepted, f"{construct}: no example"
    for pattern in accepted:
        re2.compile(pattern, options)  # RE2 accepts it
        assert regex_problem(pattern) is None, pattern
        imgql.parse(f"images where name ~ {_quoted(pattern)}")
    for pattern in refused:
        with pytest.raises(re2.error):
            re2.compile(pattern, options)
        problem = regex_problem(pattern)
        assert problem is not None, pattern
        assert 0 <= problem.index < len(pattern), (pattern, problem)
        with pytest.raises(imgql.InvalidPatternError):
            imgql.parse(f"images where name ~ {_quoted(pattern)}")


def _quoted(pattern: str) -> str:
    return "'" + pattern.replace("\\", "\\\\").replace("'", "\\'") + "'"


def test_the_dialect_table_covers_what_the_issue_found() -> None:
    accepted = {p for _, yes, _ in _ROWS for p in yes}
    for pattern in (r"\x{20}+", r"\*+", "[(?=]", r"\Q(?=\E", "[(?>]", r"\101", r"\125buntu", "Ubuntu(?i)-lts"):
        assert pattern in accepted


# Every construct RE2 refuses that another engine has, with where it is said to be.
REFUSED_AT = [
    (r"[(?=](?=y)", "lookahead and lookbehind", 5),
    (r"\Q(?=\E(?=y)", "lookahead and lookbehind", 7),
    (r"[\1](a)\1", "backreferences", 1),
    (r"(?P<x>a)(?P=x)", "backreferences", 8),
    (r"x(?<=", "lookahead and lookbehind", 1),
    (r"ab(c(d)", "is not closed", 2),
    (r"(a))", "closes no group", 3),
    (r"a{2}+", "possessive", 1),
    (r"a**", "cannot be repeated", 1),
    (r"\g<1>", "not an escape", 0),
    (r"(?x)a", "not a group or flag", 0),
]


@pytest.mark.parametrize(("pattern", "words", "index"), REFUSED_AT)
def test_the_position_is_the_refused_construct(pattern: str, words: str, index: int) -> None:
    problem = regex_problem(pattern)
    assert problem is not None
    assert words in problem.message
    assert problem.index == index


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ANY, _TEXT, st.booleans())
def test_the_compiled_predicate_matches_as_re2_does(pattern: str, text: str, tagged: bool) -> None:
    # The predicate inlines the choice of engine; it must answer as RE2 too.
    from imgql.lang.ast import Match
    from imgql.run.predicate import compile_predicate

    if regex_problem(pattern) is not None:
        return
    field, record = ("tags", {"tags": ["x", text]}) if tagged else ("name", {"name": text})
    expected = _re2_finds(pattern, text) or (tagged and _re2_finds(pattern, "x"))
    assert compile_predicate(Match(field, "regex", pattern))(record) is expected, (pattern, text)


@pytest.mark.parametrize(
    ("pattern", "engines"),
    [
        (r"^ubuntu-2[24]\.04", "re on any text"),
        (r"\bx\d", "re on any text"),
        ("(?i)lts", "re on ASCII text"),
        ("(?is)a.b", "re on ASCII text"),
        ("a(?i)b", "RE2"),
        ("a+", "RE2"),
        (r"[\d-z]", "RE2"),  # plain to the eye, but Python's re refuses the range
    ],
)
def test_which_engine_answers(pattern: str, engines: str) -> None:
    from imgql.lang.regex import regex_engines

    chosen = regex_engines(pattern)
    if chosen.plain_search is None:
        assert engines == "RE2"
    else:
        assert engines == ("re on any text" if chosen.plain_on_any_text else "re on ASCII text")
