"""Regular expressions for ``~`` and ``!~`` that match in time linear in the text.

The dialect is RE2's (the syntax of Go's ``regexp`` and of Terraform's
``name_regex``): no backreferences, no lookaround, and every match runs in
time proportional to the text, whatever the pattern. A query may come from a
configuration file or a web page someone else wrote, so a pattern must never
be able to hang it.

Every pattern is checked by RE2 when the query is read, and RE2 alone
decides what is refused: this module only says why in plain words and where.
Matching then takes one of two engines, with the same answers:

- RE2 (``google-re2``) for any pattern with a repetition or an
  alternation: those are the patterns a backtracking engine can take
  exponential (or, on a long text, quadratic) time over.
- Python's ``re`` for the rest, the "plain" patterns: literals, ``.``,
  anchors ``^`` and ``\\A``, groups, simple character classes and the
  escapes ``\\d \\w \\b`` (not ``\\B``: Python never matches it in an empty
  text), in ASCII, with flags ``i``, ``m``, ``s`` only at the very start
  (Python refuses them anywhere else). Without a repetition or an
  alternation a backtracking engine tries each start position at most once
  per pattern character, which is linear in the text too, and Python's
  ``re`` is called without the per-call cost of the RE2 binding (about 15
  times cheaper per record). ``re.ASCII`` gives ``\\d``, ``\\w`` and ``\\b``
  RE2's meaning. Case folding is where the two differ: Python folds ``İ``
  and ``ı`` to ``i``, and under ``re.ASCII`` not the Kelvin sign or the
  long s to ``k`` and ``s``, as RE2 does. So a plain pattern with ``(?i)``
  runs on ``re`` for ASCII text only, and any other text goes to RE2.
  Constructs whose meaning differs on any text (``$``, ``\\s``, POSIX
  classes, ``\\p`` classes, other flags, flags after the start) send the
  pattern to RE2.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs
import re2  # type: ignore[import-untyped]  # google-re2 ships no type information

__all__ = [
    "Engines",
    "RegexProblem",
    "compile_regex",
    "is_plain",
    "regex_engines",
    "regex_problem",
    "required_prefixes",
]

# A compiled pattern's search: a match object, or None.
Search = Callable[[str], object]


@attrs.frozen
class RegexProblem:
    """Why a pattern is refused, and where in the pattern (a character index)."""

    message: str
    index: int = 0


_DIALECT = "regular expressions use RE2 syntax, which matches in linear time"


def _options() -> re2.Options:
    options = re2.Options()
    # RE2 logs refused patterns to stderr by default; the refusal is ours to report.
    options.log_errors = False
    options.never_capture = True
    return options


_OPTIONS = _options()


def regex_problem(pattern: str) -> RegexProblem | None:
    """Why ``pattern`` cannot be used, or None when it compiles.

    RE2 alone decides what is refused, so that the dialect is exactly its
    own; what is added here is the plain words and the position."""
    try:
        re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        # RE2 names the offending piece after the colon: point at it.
        kind, _, piece = detail.partition(": ")
        index = _where(pattern, kind, piece)
        return RegexProblem(_in_plain_words(kind, pattern[index:] if piece else piece, detail), index)
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

_BACKREFERENCES = "backreferences (\\1, (?P=name)) are not supported"
_LOOKAROUND = "lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not supported"


def _in_plain_words(kind: str, rest: str, detail: str) -> str:
    """RE2's message ``kind: piece`` as a sentence naming the construct
    (``rest`` is the pattern from the piece on); the constructs other
    engines have and RE2 refuses say so, with the dialect."""
    piece = detail.partition(": ")[2]
    if kind == "invalid escape sequence":
        if piece[1:2] in "123456789" and piece[1:2]:
            return f"{_BACKREFERENCES} ({_DIALECT})"
        if piece == "\\Z":
            return f"\\Z is not supported: use \\z (end of text) or $ ({_DIALECT})"
        return f"{piece} is not an escape RE2 knows (write \\\\ for a backslash) ({_DIALECT})"
    if kind in ("invalid perl operator", "invalid named capture group"):
        if piece.startswith(("(?=", "(?!", "(?<=", "(?<!")):
            return f"{_LOOKAROUND} ({_DIALECT})"
        if piece.startswith("(?>"):
            return f"atomic groups ((?>...)) are not supported ({_DIALECT})"
        if rest.startswith("(?P="):
            return f"{_BACKREFERENCES} ({_DIALECT})"
        if kind == "invalid perl operator":
            return (
                f"{piece!r} is not a group or flag RE2 knows: groups are (...), (?:...), (?P<name>...), "
                f"flags (?i) (?m) (?s) (?U) and (?flags:...) ({_DIALECT})"
            )
    if kind == "bad repetition operator":
        if piece.endswith("+"):
            return f"possessive repetitions (a++, a*+) are not supported ({_DIALECT})"
        return f"a repetition cannot be repeated again ({piece}): group it first, as in (a*)* ({_DIALECT})"
    return _PLAIN_WORDS.get(kind, detail)


def _where(pattern: str, kind: str, piece: str) -> int:
    """The index in ``pattern`` of what RE2 refused: the first place the
    piece it names stands as a construct (not inside a class or a \\Q...\\E
    quote, unless it is an escape, which a class may hold too)."""
    marks, unclosed, unopened = _read_structure(pattern)
    if kind == "missing )" and unclosed is not None:
        return unclosed
    if kind == "unexpected )" and unopened is not None:
        return unopened
    allowed = "nc" if piece.startswith("\\") or kind == "invalid character class range" else "n"
    start = pattern.find(piece) if piece else -1
    while start >= 0:
        # RE2 names `(?P=name)` by its first three characters, which a
        # named group `(?P<name>` begins with too.
        if marks[start] in allowed and not (piece == "(?P" and pattern.startswith("(?P<", start)):
            return start
        start = pattern.find(piece, start + 1)
    return max(pattern.find(piece) if piece else 0, 0)


def _read_structure(pattern: str) -> tuple[str, int | None, int | None]:
    """For each index, ``n`` where a construct starts outside a class, ``c``
    where one starts inside a class and ``.`` elsewhere (inside an escape or
    a \\Q...\\E quote); and the last '(' left open, the first ')' that closes
    nothing."""
    marks = ["."] * len(pattern)
    opened: list[int] = []
    unopened: int | None = None
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        marks[i] = "c" if in_class else "n"
        if char == "\\":
            if not in_class and pattern.startswith("\\Q", i):
                end = pattern.find("\\E", i + 2)
                i = len(pattern) if end < 0 else end + 2
                continue
            i += _escape_length(pattern, i)
        elif in_class:
            if pattern.startswith("[:", i) and pattern.find(":]", i + 2) > 0:
                i = pattern.find(":]", i + 2) + 2
                continue
            in_class = char != "]"
            i += 1
        elif char == "[":
            in_class = True
            i += 1
            # A ']' right after '[' or '[^' is a member, not the end.
            i += pattern[i : i + 1] == "^"
            i += pattern[i : i + 1] == "]"
        else:
            if char == "(":
                opened.append(i)
            elif char == ")":
                if opened:
                    opened.pop()
                elif unopened is None:
                    unopened = i
            i += 1
    return "".join(marks), opened[-1] if opened else None, unopened


def _escape_length(pattern: str, i: int) -> int:
    """How many characters the escape at ``i`` spans: ``\\x{...}`` and
    ``\\p{...}`` to their brace, any other two."""
    if pattern[i + 1 : i + 3] in ("x{", "p{", "P{"):
        end = pattern.find("}", i + 3)
        return (end - i + 1) if end > 0 else 2
    return 2


@attrs.frozen
class Engines:
    """How a pattern is matched: ``search`` answers for any text, and
    ``plain_search``, when there is one, gives the same answers for less
    (Python's ``re``): on any text when ``plain_on_any_text``, else on ASCII
    text only, other text going to ``search``."""

    search: Search
    plain_search: Search | None = None
    plain_on_any_text: bool = False


def regex_engines(pattern: str) -> Engines:
    """The engines for ``pattern`` (which :func:`regex_problem` accepted)."""
    compiled = re2.compile(pattern, _OPTIONS)
    prefixes = required_prefixes(pattern)
    search = _searcher(compiled)
    if prefixes:
        # Most texts are turned away by their first characters, at the cost
        # of a str method instead of a call into the RE2 binding.
        fallback = search

        def prefiltered(text: str) -> object:
            return fallback(text) if text.startswith(prefixes) else None

        search = prefiltered
    plain = _plain_search(pattern)
    # Case folding is the one meaning the two engines give non-ASCII text
    # differently; without `i` Python's re may answer for every text.
    return Engines(search, plain, plain is not None and "i" not in _leading_flags(pattern))


def _leading_flags(pattern: str) -> str:
    found = re.match(r"\(\?([a-zA-Z]+)\)", pattern)
    return found.group(1) if found else ""


def compile_regex(pattern: str) -> Search:
    """A search function for ``pattern`` (which :func:`regex_problem` accepted)."""
    engines = regex_engines(pattern)
    fast, search = engines.plain_search, engines.search
    if fast is None:
        return search
    if engines.plain_on_any_text:
        return fast

    def either(text: str) -> object:
        return fast(text) if text.isascii() else search(text)

    return either


def _plain_search(pattern: str) -> Search | None:
    """Python's ``re`` search for a plain pattern. ``re.ASCII`` gives
    ``\\d \\w \\b`` RE2's meaning on any text, and ``(?i)`` RE2's meaning on
    ASCII text only: on other text Python folds letters RE2 does not (``İ``
    and ``ı`` to ``i``) and, with ``re.ASCII``, does not fold the Kelvin sign
    and the long s, which RE2 does. None for any other pattern, or one ``re``
    reads otherwise."""
    if not is_plain(pattern):
        return None
    try:
        return re.compile(pattern, re.ASCII).search
    except re.error:
        return None


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
# `.`, `^`, `\A`, `\d \D \w \W \b`, groups, inline flags i/m/s at the very
# start (Python refuses them anywhere else), and character classes of
# literals, ranges and those escapes.
_PLAIN_ESCAPE = r"\\(?:[dDwWbA]|[^0-9A-Za-z\s])"
_PLAIN_CLASS = r"\[\^?\]?(?:" + _PLAIN_ESCAPE + r"|[^\]\[\\\x00-\x1f\x7f-\uffff])*\]"
_PLAIN_FLAGS = r"(?:\(\?[ims]+\))?"
_PLAIN = re.compile(
    _PLAIN_FLAGS + r"(?:" + _PLAIN_ESCAPE + r"|" + _PLAIN_CLASS + r"|\(\?:|[()^.]|[ !\"#%&',\-/0-9:;<=>@A-Z_`a-z~])*\Z"
)


def is_plain(pattern: str) -> bool:
    """True when ``pattern`` has no repetition and no alternation, and means
    the same to Python's ``re`` (with ``re.ASCII``) as to RE2 on ASCII text."""
    if not pattern.isascii() or "--" in pattern or "&&" in pattern or "||" in pattern or "~~" in pattern:
        return False
    return _PLAIN.match(pattern) is not None


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
