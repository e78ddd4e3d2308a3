"""Regular expressions for ``~`` and ``!~`` that match in time linear in the text.

The dialect is RE2's (the syntax of Go's ``regexp`` and of Terraform's
``name_regex``): no backreferences, no lookaround, and every match runs in
time proportional to the text, whatever the pattern. A query may come from a
configuration file or a web page someone else wrote, so a pattern must never
be able to hang it.

Every pattern is checked by RE2 when the query is read. Matching then takes
one of two engines, with the same answers:

- RE2 (``google-re2``) for any pattern with a repetition or an alternation:
  those are the patterns a backtracking engine can take exponential (or, on a
  long text, quadratic) time over.
- Python's ``re`` for the rest, the "plain" patterns: literals, ``.``,
  anchors ``^`` and ``\\A``, groups, simple character classes and the
  escapes ``\\d \\w \\b`` (not ``\\B``: Python never matches it in an
  empty text), in ASCII. Without a repetition or an alternation a
  backtracking engine tries each start position at most once per pattern
  character, which is linear in the text too, and Python's ``re`` is called
  without the per-call cost of the RE2 binding (about 15 times cheaper per
  record). ``re.ASCII`` gives ``\\d``, ``\\w`` and ``\\b`` RE2's meaning;
  any construct whose meaning differs between the two (``$``, ``\\s``,
  POSIX classes, ``\\p`` classes, non-ASCII text, flags other than ``i``,
  ``m``, ``s``, and ``(?i)`` together with ``\\d \\w \\b``) sends the
  pattern to RE2.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs
import re2  # type: ignore[import-untyped]  # google-re2 ships no type information

__all__ = ["RegexProblem", "compile_regex", "is_plain", "regex_problem", "required_prefixes"]

# A compiled pattern's search: a match object, or None.
Search = Callable[[str], object]


@attrs.frozen
class RegexProblem:
    """Why a pattern is refused, and where in the pattern (a character index)."""

    message: str
    index: int = 0


# Constructs a backtracking engine has and RE2 refuses, named in plain words.
_UNSUPPORTED = (
    (re.compile(r"\\[1-9]|\\g<|\(\?P="), "backreferences (\\1, (?P=name)) are not supported"),
    (re.compile(r"\(\?<?[=!]"), "lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not supported"),
    (re.compile(r"\(\?>"), "atomic groups ((?>...)) are not supported"),
    (re.compile(r"[*+?}][+]"), "possessive repetitions (a++, a*+) are not supported"),
    (re.compile(r"\\Z"), "\\Z is not supported: use \\z (end of text) or $"),
)

_DIALECT = "regular expressions use RE2 syntax, which matches in linear time"


def _options() -> re2.Options:
    options = re2.Options()
    # RE2 logs refused patterns to stderr by default; the refusal is ours to report.
    options.log_errors = False
    options.never_capture = True
    return options


_OPTIONS = _options()


def regex_problem(pattern: str) -> RegexProblem | None:
    """Why ``pattern`` cannot be used, or None when it compiles."""
    for found, message in _UNSUPPORTED:
        match = found.search(_without_escaped_backslashes(pattern))
        if match is not None:
            return RegexProblem(f"{message} ({_DIALECT})", match.start())
    try:
        re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        # RE2 names the offending piece after the colon: point at it.
        kind, _, piece = detail.partition(": ")
        index = pattern.find(piece) if piece else -1
        return RegexProblem(_PLAIN_WORDS.get(kind, detail), max(index, 0))
    except (UnicodeEncodeError, ValueError, TypeError) as exc:
        return RegexProblem(f"cannot be compiled: {exc}")
    return None


# RE2's terse messages for the commonest mistakes, in plain words.
_PLAIN_WORDS = {
    "missing )": "a group opened with '(' is not closed",
    "unexpected )": "')' closes no group",
    "missing ]": "a class opened with '[' is not closed",
    "no argument for repetition operator": "'*', '+' or '?' has nothing before it to repeat (write \\* for a star)",
    "trailing \\": "the pattern ends with a lone backslash",
}


def _without_escaped_backslashes(pattern: str) -> str:
    # `\\1` is a backslash then a 1, not a backreference: blank escaped
    # backslashes (keeping positions) before looking for constructs.
    return pattern.replace("\\\\", "  ")


def compile_regex(pattern: str) -> Search:
    """A search function for ``pattern`` (which :func:`regex_problem` accepted)."""
    if is_plain(pattern):
        return re.compile(pattern, re.ASCII if _CLASS_ESCAPE.search(pattern) else 0).search
    compiled = re2.compile(pattern, _OPTIONS)
    prefixes = required_prefixes(pattern)
    if prefixes:
        # Most texts are turned away by their first characters, at the cost
        # of a str method instead of a call into the RE2 binding.
        fallback = _searcher(compiled)

        def prefiltered(text: str) -> object:
            return fallback(text) if text.startswith(prefixes) else None

        return prefiltered
    return _searcher(compiled)


def _searcher(compiled: Any) -> Search:
    def search(text: str) -> object:
        try:
            return compiled.search(text)
        except UnicodeEncodeError:
            # A lone surrogate (from a JSON escape) cannot be encoded as UTF-8
            # for RE2; it matches as U+FFFD, as no pattern can name it.
            return compiled.search(_LONE_SURROGATE.sub("\ufffd", text))

    return search


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# What a plain pattern is made of: ASCII literals and escaped punctuation,
# `.`, `^`, `\A`, `\d \D \w \W \b \B`, groups, inline flags i/m/s, and
# character classes of literals, ranges and those escapes.
_PLAIN_ESCAPE = r"\\(?:[dDwWbA]|[^0-9A-Za-z\s])"
_PLAIN_CLASS = r"\[\^?\]?(?:" + _PLAIN_ESCAPE + r"|[^\]\[\\\x00-\x1f\x7f-\uffff])*\]"
_PLAIN = re.compile(
    r"(?:" + _PLAIN_ESCAPE + r"|" + _PLAIN_CLASS + r"|\(\?[ims]+\)|\(\?:|[()^.]|[ !\"#%&',\-/0-9:;<=>@A-Z_`a-z~])*\Z"
)


def is_plain(pattern: str) -> bool:
    """True when ``pattern`` has no repetition and no alternation, and means
    the same to Python's ``re`` (with ``re.ASCII``) as to RE2."""
    if not pattern.isascii() or "--" in pattern or "&&" in pattern or "||" in pattern or "~~" in pattern:
        return False
    if _CLASS_ESCAPE.search(pattern) and "(?" in pattern:
        # re.ASCII narrows `(?i)` to ASCII letters, where RE2 also folds the
        # Kelvin sign and the long s: keep the two from meeting.
        return False
    return _PLAIN.match(pattern) is not None


_CLASS_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\[dDwWbB]")


# Characters that stand for themselves in a pattern (outside a class).
_LITERAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-/:,@%&=<>'\"!#~`;")
_QUANTIFIERS = frozenset("*+?{")


def required_prefixes(pattern: str) -> tuple[str, ...]:
    """Texts one of which every match must start with, or () when the
    pattern does not say. Read only from patterns of the form
    ``^literal...`` or ``^(lit|lit|...)literal...``, case-sensitive, with no
    alternation outside that group: anything else gives ()."""
    if not pattern.startswith("^") or "(?" in pattern.replace("(?:", "") or not pattern.isascii():
        return ()
    if _has_top_level_bar(pattern):
        return ()
    rest = pattern[1:]
    alternatives = [""]
    if rest.startswith(("(", "(?:")):
        inner, rest = _literal_group(rest)
        if inner is None:
            return ()
        alternatives = inner
    head, rest = _literal_run(rest)
    prefixes = tuple(a + head for a in alternatives)
    return prefixes if all(prefixes) else ()


def _literal_run(text: str) -> tuple[str, str]:
    """The literal characters ``text`` starts with, and the rest; a character
    a quantifier applies to is not required, so it is left out."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in _LITERAL_CHARS:
            step, value = 1, char
        elif char == "\\" and i + 1 < len(text) and not text[i + 1].isalnum() and not text[i + 1].isspace():
            step, value = 2, text[i + 1]
        else:
            break
        if text[i + step : i + step + 1] in _QUANTIFIERS and text[i + step : i + step + 1]:
            break
        out.append(value)
        i += step
    return "".join(out), text[i:]


def _literal_group(text: str) -> tuple[list[str] | None, str]:
    """``(a|b|c)`` or ``(?:a|b)`` of plain literals, not repeated: its
    alternatives and the rest of the text; (None, text) for anything else."""
    start = 3 if text.startswith("(?:") else 1
    close = text.find(")", start)
    if close < 0 or (text[close + 1 : close + 2] in _QUANTIFIERS and text[close + 1 : close + 2]):
        return None, text
    alternatives = text[start:close].split("|")
    for alternative in alternatives:
        value, rest = _literal_run(alternative)
        if rest or not value or value != alternative.replace("\\", ""):
            return None, text
    return [_literal_run(a)[0] for a in alternatives], text[close + 1 :]


def _has_top_level_bar(pattern: str) -> bool:
    depth = 0
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            # A ']' right after '[' or '[^' is a member, not the end.
            if pattern[i + 1 : i + 2] == "^":
                i += 1
            if pattern[i + 1 : i + 2] == "]":
                i += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
        i += 1
    return False
