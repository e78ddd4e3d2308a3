"""What Tab offers in ``imgql shell``: keywords, field names, meta-commands
and their arguments, and the values known for the field being compared."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..lang import fields as F
from ..lang.format import bare_or_quoted
from ..lang.grammar import phrases, query_tokens
from ..plan.capabilities import PROFILES as _PROFILE_TABLE
from .output import FORMATS

__all__ = ["KEYWORDS", "META_COMMANDS", "PROFILES", "TOKENS", "WORD", "completions"]

# The profile names, in the capability table's order.
PROFILES = tuple(_PROFILE_TABLE)

# Keywords and their usual pairs (`order by`, `not in`), read from the grammar.
KEYWORDS = phrases()

META_COMMANDS = ("\\plan", "\\search", "\\format", "\\columns", "\\profile", "\\pager", "\\help", "\\quit")

WORD = re.compile(r"[\w.\-:*/+@%&']*\Z")
TOKENS = query_tokens()
_VALUE_CONTEXT = ("=", "==", "!=", "<>", "<", "<=", ">", ">=", "(", ",", "like", "contains", "~")


def completions(before: str, values_for: Callable[[str], set[str]]) -> list[str]:
    """What may complete the word that ends ``before`` (the text up to the
    cursor); ``values_for(field)`` are the values known for a field."""
    word_match = WORD.search(before)
    word = word_match.group(0) if word_match else ""
    head = before[: len(before) - len(word)]
    stripped = head.lstrip()
    if stripped.startswith("\\") or (not stripped and word.startswith("\\")) or before.lstrip().startswith("\\"):
        return _meta_completions(before, values_for)
    if not word and before.startswith("\\"):
        return list(META_COMMANDS)
    tokens = TOKENS.findall(head)
    lowered = word.lower().lstrip("'")
    candidates: list[str]
    names = sorted({f.name for f in F.FIELDS} | {"tag", "created", "updated", "hidden", "os_version"})
    if not tokens:
        candidates = ["images", "all images"]
    elif tokens[-1].lower() in ("where", "and", "or", "not"):
        # A condition starts here: a field name (or `not`), never a keyword.
        candidates = [*names, *(["not"] if tokens[-1].lower() != "not" else [])]
    elif tokens[-1].lower() in _VALUE_CONTEXT:
        field = _field_before(tokens)
        if field is None:
            return []
        candidates = [bare_or_quoted(v) for v in sorted(values_for(field))]
    else:
        candidates = [*KEYWORDS, *names]
    return [c for c in candidates if c.lower().lstrip("'").startswith(lowered)]


def _meta_completions(before: str, values_for: Callable[[str], set[str]]) -> list[str]:
    text = before.lstrip()
    if " " not in text:
        return [c for c in META_COMMANDS if c.startswith(text.lower())]
    command, _, arg = text.partition(" ")
    options: tuple[str, ...] = ()
    if command == "\\format":
        options = FORMATS
    elif command == "\\profile":
        options = PROFILES
    elif command == "\\columns":
        options = ("default", "long")
    elif command == "\\pager":
        options = ("on", "off")
    elif command == "\\plan":
        return completions(arg, values_for)
    return [o for o in options if o.startswith(arg.strip())]


def _field_before(tokens: list[str]) -> str | None:
    """The field a value being typed belongs to: `status = `, `tag in (a, `."""
    operators = ("=", "==", "!=", "<>", "<", "<=", ">", ">=", "like", "contains", "~", "!~")
    depth = 0
    for j in range(len(tokens) - 1, -1, -1):
        token = tokens[j].lower()
        if token == ")":
            depth += 1
        elif token == "(":
            if depth:
                depth -= 1
                continue
            k = j - 1
            if k < 0 or tokens[k].lower() != "in":
                return None
            k -= 1
            if k >= 0 and tokens[k].lower() == "not":
                k -= 1
            return tokens[k] if k >= 0 else None
        elif depth == 0 and token in operators:
            k = j - 1
            if k >= 0 and tokens[k].lower() == "not":
                k -= 1
            return tokens[k] if k >= 0 else None
        elif depth == 0 and token in ("and", "or", "where"):
            return None
    return None
