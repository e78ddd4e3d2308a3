"""What a syntax error says: what the parser expected, what it found, and,
for mistakes people often make, the fix in plain words.

The hints are data: :data:`HINTS` (a pattern where the parse stopped, or
before it, and the words naming the fix) and :data:`VALUE_HINTS` (after
``field op value`` and a space, by the field's kind). The operators named
and recognised here come from :mod:`imgql.lang.operators`.
"""

from __future__ import annotations

import functools
import re

import attrs
import lark

from ..errors import IncompleteQueryError, QuerySyntaxError
from . import fields as F
from . import operators as O
from .format import quote
from .grammar import bare_word, keyword_names, keywords, shown_word
from .literals import SIZE_UNIT_NAMES

__all__ = ["HINTS", "VALUE_HINTS", "Hint", "ValueHint", "syntax_error"]


# What a person calls each terminal that is not a keyword, for "expected ..."
# messages; keywords are named by their words, taken from the grammar.
_DESCRIPTIONS = {
    "NULL": "a value",
    "COMPARE": f"a comparison ({', '.join(op.written for op in O.OPERATORS if op.terminal == 'COMPARE')})",
    "MATCH": " or ".join(f"'{op.written}'" for op in O.OPERATORS if op.terminal == "MATCH"),
    "FIELD": "a field name",
    "INT": "a whole number",
    "BARE": "a value",
    "RELTIME": "a value",
    "SPACED_SIZE": "a value",
    "STRING": "a value",
    "PARAM": "a value",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "$END": "end of query",
    "<END-OF-FILE>": "end of query",
}


@functools.lru_cache(maxsize=1)
def _terminal_words() -> dict[str, str]:
    # A keyword always written with another is named with it: 'order by'.
    words = {name: f"'{written}'" for name, written in keyword_names().items()}
    return {**words, **_DESCRIPTIONS}


# After a field name: every way to go on is an operator, named as one.
_OPERATOR_TERMINALS = O.terminals() | {"NOT"}
_OPERATORS = O.described()


def _describe_expected(expected: set[str]) -> str:
    words: list[str] = []
    table = _terminal_words()
    order = list(table)
    if "COMPARE" in expected:
        words.append(_OPERATORS)
        expected = expected - _OPERATOR_TERMINALS
    for name in sorted(expected, key=lambda n: order.index(n) if n in order else len(order)):
        word = table.get(name, name.lower())
        if word not in words:
            words.append(word)
    if len(words) > 6:
        words = [*words[:5], "…"]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _found(text: str, offset: int) -> tuple[str, int]:
    """What stands at ``offset``, for the message, and its length in the text."""
    rest = text[offset:]
    if not rest.strip():
        return "end of query", 0
    match = shown_word().match(rest)
    word = match.group(0) if match else rest[:1]
    length = len(word)
    if len(word) > 30:
        word = word[:27] + "..."
    return repr(word), length


_COMMENT_OR_STRING = re.compile(r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(?<![\w.:/+*?@%&\-])--[^\n]*", re.DOTALL)


_LAST_TOKEN = re.compile(f"({O.symbols_regex()}|[(,]|[\\w.:/+\\-*?@%&$]+|'[^']*'|\"[^\"]*\")\\Z")


def _previous_token(text: str, offset: int) -> str | None:
    # Comments are skipped: the word before a comment is what the reader means.
    before = _COMMENT_OR_STRING.sub(lambda m: m.group(1) or "", text[:offset]).rstrip()
    if not before:
        return None
    match = _LAST_TOKEN.search(before)
    return match.group(0) if match else None


def _end(text: str) -> int:
    """Where a query that stopped too early is reported: just after its last
    character, not on a blank line that follows it."""
    return len(text.rstrip())


def syntax_error(exc: lark.exceptions.UnexpectedInput, text: str) -> QuerySyntaxError:
    offset = exc.pos_in_stream if exc.pos_in_stream is not None else len(text)
    expected: set[str] = set()
    if isinstance(exc, lark.exceptions.UnexpectedToken):
        expected = set(exc.expected)
        token = exc.token
        if token.type == "$END":
            offset = _end(text)
    elif isinstance(exc, lark.exceptions.UnexpectedCharacters):
        expected = set(exc.allowed or ())
    elif isinstance(exc, lark.exceptions.UnexpectedEOF):
        expected = set(exc.expected)
        offset = _end(text)
    found, found_length = _found(text, offset)
    closer = _QUOTES.get(text[offset : offset + 1])
    if closer is not None and not re.match(
        f"{re.escape(text[offset])}(?:[^{re.escape(closer)}\\\\]|\\\\.)*{re.escape(closer)}", text[offset:], re.DOTALL
    ):
        # More text may still close it: the query is incomplete, not wrong.
        return IncompleteQueryError("this quoted text is never closed", text=text, offset=offset)
    if not text.strip():
        return IncompleteQueryError(
            "the query is empty; a query starts with 'images', e.g. images where tag = lts", text=text, offset=0
        )
    if "\0" in text[offset : offset + 1]:
        return QuerySyntaxError("a query cannot contain a NUL character", text=text, offset=offset)
    if _open_parentheses(text[:offset]) <= 0:
        # Never offer `)` with no `(` open, nor `,` outside a list or `order by`
        # (the parser's tables merge states that a person tells apart).
        expected.discard("RPAR")
        if not _ORDER_BY.search(_COMMENT_OR_STRING.sub("", text[:offset])):
            expected.discard("COMMA")
    if "ELSE" in expected:
        # Any finished query may go on with `else`; naming it everywhere would
        # hide what is missing. Where only `else` may come, the query is over.
        expected.discard("ELSE")
        expected = expected or {"$END"}
    if "FIELD" in expected:
        expected.discard("VERSION")  # `version(` is a way to write a sort key, named with the field
    want = _describe_expected(expected) if expected else "something else"
    previous = _previous_token(text, offset)
    after = f" after {previous!r}" if previous else ""
    cls = IncompleteQueryError if found == "end of query" else QuerySyntaxError
    hint = _hint(text, offset, previous, text[offset : offset + found_length]) if found_length else None
    if not previous and "IMAGES" in expected:
        message = f"a query starts with 'images' (or 'all images'), found {found}"
    else:
        message = f"expected {want}{after}, found {found}"
    if hint is not None:
        # A hint that is only likely comes after what the grammar expects.
        message = f"{message}; {hint[2:]}" if hint.startswith("+ ") else hint
        if text.startswith(("&&", "||"), offset):
            found_length = 2
    return cls(message, text=text, offset=offset, end_offset=offset + max(1, found_length))


# Opening quote -> closing quote; curly quotes pasted from documents quote too.
_QUOTES = {"'": "'", '"': '"', "\u2018": "\u2019", "\u201c": "\u201d"}


def _open_parentheses(before: str) -> int:
    """How many parentheses are open at the end of ``before`` (strings and
    comments aside)."""
    bare = _COMMENT_OR_STRING.sub("", before)
    return bare.count("(") - bare.count(")")


_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)

# `field op value` just before the spot: a value that went on past a space.
_VALUE_BEFORE = re.compile(
    f"(?P<name>[A-Za-z_][\\w.\\-]*)\\s*(?P<op>{O.value_operators_regex()})\\s*(?P<value>[\\w.:/+\\-*?@%&]+)[ \\t]+\\Z",
    re.IGNORECASE,
)
# Where an unquoted value that runs on would end: at a keyword that may follow it.
_VALUE_END = re.compile(r"[ \t]+(?:and|or|order|limit)\b|[ \t]*(?:\)|,|--|\n|\Z)", re.IGNORECASE)
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\Z")
_QUOTABLE = (F.Kind.STRING, F.Kind.ENUM, F.Kind.PROPERTY, F.Kind.TAGS)


@attrs.frozen
class Hint:
    """A mistake people often make, known by where the parse stopped: ``at``
    matches the text from there on, ``word`` is the word found there (lower
    case), ``before`` is searched in the text before it; each one given must
    hold. ``words`` names the fix; ``{previous}`` is the token before the
    spot, and the named groups of ``at`` and ``before`` fill the rest."""

    words: str
    at: re.Pattern[str] | None = None
    word: str | None = None
    before: re.Pattern[str] | None = None
    needs_previous: bool = False

    def read(self, text: str, offset: int, previous: str | None, word: str) -> str | None:
        """The words, filled in, when the hint applies here; else None."""
        found: dict[str, str] = {}
        if self.needs_previous and previous is None:
            return None
        if self.word is not None and word.lower() != self.word:
            return None
        for pattern, match in (
            (self.at, self.at and self.at.match(text, offset)),
            (self.before, self.before and self.before.search(text[:offset])),
        ):
            if pattern is None:
                continue
            if match is None:
                return None
            found.update(match.groupdict())
        return self.words.format(previous=previous, **found)


@attrs.frozen
class ValueHint:
    """After ``field op value`` and a space, where another word stands: a
    hint by the field's kind. ``number_then_word`` asks for a number before
    the space and a word of letters after it. ``words`` names the fix, with
    ``{name}``, ``{op}``, ``{word}``, ``{phrase}`` (the value as it runs on,
    quoted) and ``{units}`` (the size units)."""

    kinds: tuple[F.Kind, ...]
    words: str
    number_then_word: bool = False


# Tried in order; the first that applies is the hint. A hint starting with
# "+ " is only likely: it is added after what the grammar expects.
HINTS: tuple[Hint, ...] = (
    Hint("write `and` to join conditions, not &&", at=re.compile(r"&&")),
    Hint("write `or` to join conditions, not ||", at=re.compile(r"\|\|")),
    Hint(
        "there is no IS NOT NULL; write `{previous} exists`",
        at=re.compile(r"is\s+not\s+null\b", re.IGNORECASE),
        needs_previous=True,
    ),
    Hint(
        "there is no IS NULL; write `{previous} missing`",
        at=re.compile(r"is\s+null\b", re.IGNORECASE),
        needs_previous=True,
    ),
    Hint(
        "`order by` comes before `limit`: write ... order by ... limit {count}",
        word="order",
        before=re.compile(r"\blimit\s+(?P<count>[0-9]+)\s*\Z", re.IGNORECASE),
    ),
)

VALUE_HINTS: tuple[ValueHint, ...] = (
    ValueHint(
        (F.Kind.BYTES,),
        "{word!r} is not a size unit; sizes are written like 5GB, 512MiB or 1.5TiB (units: {units})",
        number_then_word=True,
    ),
    # `x = 1 y` may also be a missing `and`: the hint is added to the message.
    ValueHint(_QUOTABLE, "+ a value with spaces must be quoted: {name} {op} {phrase}"),
)


def _hint(text: str, offset: int, previous: str | None, word: str) -> str | None:
    """A message naming the fix, for mistakes people often make; None for others."""
    for hint in HINTS:
        words = hint.read(text, offset, previous, word)
        if words is not None:
            return words
    if word.lower() in keywords() or not bare_word().fullmatch(word):
        return None
    value = _VALUE_BEFORE.search(text[:offset])
    if value is None:
        return None
    name, op, first = value.group("name", "op", "value")
    kind = F.resolve(name).field.kind
    for row in VALUE_HINTS:
        if kind not in row.kinds or (row.number_then_word and not (_NUMBER.match(first) and word.isalpha())):
            continue
        end = _VALUE_END.search(text, offset)
        phrase = text[value.start("value") : end.start() if end else len(text)].strip()
        return row.words.format(name=name, op=op, word=word, phrase=quote(phrase), units=", ".join(SIZE_UNIT_NAMES))
    return None
