"""The grammar file, ``imgql.lark``, the language's single source of truth,
and what other code needs to know of it (keywords, operators, the shape of a
bare word), read from the terminals of the Lark parser built from it.

Code imported from a checkout reads the repository's own ``grammar/imgql.lark``
beside ``imgql/`` (a checkout has no ``imgql/grammar`` package); an installed
imgql carries the file as the ``imgql.grammar`` package (``grammar/`` mapped in
by ``pyproject.toml``).
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path
from typing import Any

import lark

from ..errors import Error

__all__ = [
    "GRAMMAR_FILE",
    "bare_word",
    "build",
    "grammar_text",
    "keyword_names",
    "keyword_terminals",
    "keywords",
    "operators",
    "phrases",
    "punctuation",
    "query_tokens",
    "shown_word",
    "time_suffix",
]

GRAMMAR_FILE = "imgql.lark"

_CHECKOUT_GRAMMAR = Path(__file__).resolve().parents[2] / "grammar" / GRAMMAR_FILE


@functools.lru_cache(maxsize=1)
def grammar_text() -> str:
    """The grammar's text; an :class:`imgql.Error` saying what to do when it cannot be found."""
    tried: list[str] = []
    # A checkout's own grammar first: an editable install maps imgql.grammar
    # to one checkout, and code imported from another must read its own.
    if _CHECKOUT_GRAMMAR.is_file():
        return _CHECKOUT_GRAMMAR.read_text(encoding="utf-8")
    try:
        packaged = resources.files("imgql.grammar").joinpath(GRAMMAR_FILE)
        text = packaged.read_text(encoding="utf-8")
        if text.strip():
            return text
        tried.append(f"{packaged} (empty)")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError, OSError) as exc:
        tried.append(f"the package imgql.grammar ({type(exc).__name__})")
    tried.append(str(_CHECKOUT_GRAMMAR))
    raise Error(
        "cannot find the query grammar (imgql.lark); looked in " + " and ".join(tried) + ". "
        "Reinstall imgql (pip install --force-reinstall imgql), or run from a full checkout "
        "that has grammar/imgql.lark beside imgql/."
    )


# Parsers built so far: the terminals are read from the first, so that
# asking about them costs nothing once the query parser exists.
_BUILT: list[lark.Lark] = []


def build(transformer: Any = None) -> lark.Lark:
    """A LALR parser of the grammar with its contextual lexer; ``transformer``
    (a Lark transformer) builds the result as the parser reduces."""
    parser = lark.Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        transformer=transformer,
        cache=True,
        maybe_placeholders=True,
    )
    _BUILT.append(parser)
    return parser


@functools.lru_cache(maxsize=1)
def _terminals() -> dict[str, Any]:
    parser = _BUILT[0] if _BUILT else build()
    return {terminal.name: terminal for terminal in parser.terminals}


def _regex(name: str) -> str:
    # Lark writes a terminal's flags into its regular expression: (?i:...).
    text: str = _terminals()[name].pattern.to_regexp()
    return text


@functools.lru_cache(maxsize=1)
def keyword_terminals() -> dict[str, str]:
    """Terminal name -> keyword (lower case), in the grammar's order: the
    terminals that are one case-insensitive word."""
    out: dict[str, str] = {}
    for name, terminal in _terminals().items():
        pattern = terminal.pattern
        if isinstance(pattern, lark.lexer.PatternStr) and pattern.value.isalpha():
            out[name] = pattern.value.lower()
    return out


def keywords() -> frozenset[str]:
    """Every keyword of the language."""
    return frozenset(keyword_terminals().values())


@functools.lru_cache(maxsize=1)
def _neighbours() -> tuple[list[str], dict[str, str]]:
    """The keyword pairs the grammar writes (``order by``, ``not in``), and
    for each keyword always written beside the same other keyword, the pair
    it belongs to (ORDER and BY -> ``order by``)."""
    words = keyword_terminals()
    pairs: list[str] = []
    # For each keyword, the keywords beside it at each place it stands.
    beside: dict[str, list[set[tuple[str, str]]]] = {name: [] for name in words}
    parser = _BUILT[0] if _BUILT else build()
    for rule in parser.rules:
        names = [symbol.name for symbol in rule.expansion]
        for index, name in enumerate(names):
            if name not in words:
                continue
            before = names[index - 1] if index else ""
            after = names[index + 1] if index + 1 < len(names) else ""
            marks = set()
            if before in words:
                marks.add((before, name))
            if after in words:
                marks.add((name, after))
                pair = f"{words[name]} {words[after]}"
                if pair not in pairs:
                    pairs.append(pair)
            beside[name].append(marks)
    # `bound`: a keyword always written beside the same other one. A first
    # word is named by its pair (ORDER: `order by`); a second by itself, since
    # a person who wrote the first is expected to write it next (BY: `by`).
    bound: dict[str, str] = {}
    for name, places in beside.items():
        always = set.intersection(*places) if places else set()
        if always:
            first, second = min(always)
            bound[name] = f"{words[first]} {words[second]}" if first == name else words[name]
    return pairs, bound


def keyword_names() -> dict[str, str]:
    """Terminal name -> how a person writes it: the word, or the pair it
    always begins (ORDER -> ``order by``)."""
    _, bound = _neighbours()
    return {name: bound.get(name, word) for name, word in keyword_terminals().items()}


@functools.lru_cache(maxsize=1)
def phrases() -> tuple[str, ...]:
    """Keywords as a person types them: the pairs the grammar writes together
    (``all images``, ``order by``, ``not in``), the words that stand alone
    (a word always written beside the same keyword is offered only as the
    pair), and the word ending a relative time (``ago``)."""
    pairs, bound = _neighbours()
    alone = [word for name, word in keyword_terminals().items() if name not in bound]  # not `order`, `by`
    return (*pairs, *alone, time_suffix())


@functools.lru_cache(maxsize=1)
def time_suffix() -> str:
    """The word that ends a relative time (``7d ago``): the last word of the
    RELTIME terminal, outside any class or group."""
    found = re.search(r"([a-z]+)\(\?!\[\\w\]\)\Z", str(_terminals()["RELTIME"].pattern.value))
    return found.group(1) if found else "ago"


@functools.lru_cache(maxsize=1)
def operators() -> tuple[str, ...]:
    """The comparison and match operators, longest first (as a lexer tries them)."""
    found: list[str] = []
    for name in ("COMPARE", "MATCH"):
        body = str(_terminals()[name].pattern.value)
        if body.startswith("(?:") and body.endswith(")"):
            body = body[3:-1]
        found.extend(re.sub(r"\\(.)", r"\1", alternative) for alternative in body.split("|"))
    return tuple(sorted(dict.fromkeys(found), key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def punctuation() -> tuple[str, ...]:
    """The punctuation terminals: parentheses and the comma."""
    return tuple(
        str(t.pattern.value)
        for t in _terminals().values()
        if isinstance(t.pattern, lark.lexer.PatternStr) and not str(t.pattern.value).isalpha()
    )


@functools.lru_cache(maxsize=1)
def bare_word() -> re.Pattern[str]:
    """The BARE terminal: text that may stand unquoted as a value."""
    return re.compile(_regex("BARE"))


def _open_strings() -> str:
    # A quoted string whose closing quote may be missing yet (as typed).
    return "|".join(f"{q}(?:[^{q}\\\\]|\\\\.)*{q}?" for q in ("'", '"'))


@functools.lru_cache(maxsize=1)
def shown_word() -> re.Pattern[str]:
    """What an error message shows as the thing found: a quoted string (even
    unclosed), a bare word or parameter, or else one character."""
    sigil = re.escape(str(_terminals()["PARAM"].pattern.value)[1:2])
    return re.compile(f"{_open_strings()}|(?:{_regex('BARE')}|{sigil})+|\\S", re.DOTALL)


@functools.lru_cache(maxsize=1)
def query_tokens() -> re.Pattern[str]:
    """Splits text into the tokens a person sees (for completion): strings
    (even unclosed), operators, punctuation, and runs of anything else."""
    ops = "|".join(re.escape(op) for op in operators())
    singles = "".join(sorted({op[0] for op in operators() if len(op) == 1} | set(punctuation())))
    special = re.escape(singles)
    return re.compile(f"{_open_strings()}|{ops}|[{special}]|[^\\s{special}'\"]+")
