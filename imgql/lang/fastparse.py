"""A lean driver for the Lark parser built from ``grammar/imgql.lark``.

The grammar stays the single source of truth: this module takes everything
from the ``Lark`` object that :func:`imgql.parser._lark` builds (its LALR
parse table, the rule callbacks Lark made from the transformer, and the
per-state lexers of its contextual lexer, with their compiled terminal
alternations) and only replaces the machinery that moves tokens between them:
one loop that lexes a token for the current parser state, then shifts or
reduces, with no generator, no per-token objects besides the ``Token`` itself
and no attribute lookups in the loop.

It produces the same ``Query`` as ``Lark.parse`` because it makes the same
calls in the same order: each token is lexed in the state reached after the
previous shift (what the contextual lexer does), reductions call Lark's own
callbacks with the same children, and keyword retyping goes through Lark's own
"unless" scanners. Anything it does not handle itself (a character no terminal
accepts here, a token the table has no action for, an exception from a
callback) is handed back by raising :class:`Fallback`, and the caller parses
the text again with ``Lark.parse``, whose errors are the ones users see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import lark
from lark.lexer import Token, UnlessCallback
from lark.parse_tree_builder import ChildFilterLALR_NoPlaceholders, ExpandSingleChild
from lark.parsers.lalr_analysis import Shift
from lark.visitors import _vargs_inline, _VArgsWrapper

__all__ = ["Fallback", "FastParser", "parse"]

_new_str = str.__new__

# A word's retyping (FIELD -> keyword) is remembered; past this many distinct
# words the memo starts over, so odd input cannot grow it without bound.
_MEMO_LIMIT = 4096


class Fallback(Exception):
    """The fast path stopped; parse the text with ``Lark.parse`` instead."""


class _StateLexer:
    """What the contextual lexer does in one group of parser states."""

    __slots__ = ("ignore", "match", "newline", "retype")

    def __init__(self, basic: Any) -> None:
        scanner = basic.scanner  # builds the alternation, and basic.callback with it
        if len(scanner._mres) != 1:  # pragma: no cover - only past 100 terminals
            raise ValueError("a state's terminals do not fit one regular expression")
        self.match: Callable[..., Any] = scanner._mres[0].match
        self.ignore: frozenset[str] = frozenset(basic.ignore_types)
        self.newline: frozenset[str] = frozenset(basic.newline_types)
        # type -> (memo of word -> new type or None, Lark's scanner of keywords)
        self.retype: dict[str, tuple[dict[str, str | None], Any]] = {}
        for type_, callback in basic.callback.items():
            if not isinstance(callback, UnlessCallback):  # pragma: no cover - imgql has no user lexer callbacks
                raise ValueError(f"unsupported lexer callback for {type_}")
            self.retype[type_] = ({}, callback.scanner)


class FastParser:
    """Parses text with the tables and callbacks of an LALR ``Lark`` object."""

    def __init__(self, lark_obj: lark.Lark) -> None:
        options = lark_obj.options
        if options.parser != "lalr" or options.lexer != "contextual" or options.postlex is not None:
            raise ValueError("FastParser drives an LALR parser with the contextual lexer and no postlexer")
        frontend = lark_obj.parser
        inner = frontend.parser.parser  # lark.parsers.lalr_parser._Parser
        table = inner.parse_table
        callbacks = inner.callbacks
        (start,) = options.start
        self.start_state: int = table.start_states[start]
        self.end_state: int = table.end_states[start]

        # Actions as plain ints: n >= 0 shifts to state n, n < 0 reduces by rule ~n.
        rules: list[Any] = []
        rule_index: dict[Any, int] = {}
        self.actions: dict[int, dict[str, int]] = {}
        for state, row in table.states.items():
            encoded: dict[str, int] = {}
            for symbol, (action, arg) in row.items():
                if action is Shift:
                    encoded[symbol] = arg
                else:
                    if arg not in rule_index:
                        rule_index[arg] = len(rules)
                        rules.append(arg)
                    encoded[symbol] = ~rule_index[arg]
            self.actions[state] = encoded
        self.rule_size = tuple(len(rule.expansion) for rule in rules)
        self.rule_origin = tuple(rule.origin.name for rule in rules)
        self.rule_callback = tuple(callbacks[rule] for rule in rules)
        self.rule_passthrough = tuple(_passthrough(rule, callbacks[rule]) for rule in rules)
        direct = [_direct_call(rule, callbacks[rule]) for rule in rules]
        self.rule_method = tuple(d[0] if d else None for d in direct)
        self.rule_keep = tuple(d[1] if d else () for d in direct)
        # Callbacks on terminals (a transformer method named after one), applied on shift.
        self.token_callbacks: dict[str, Callable[[Token], Any]] = {
            name: cb for name, cb in callbacks.items() if isinstance(name, str)
        }

        # Per-state lexers are made on first use, as Lark does: compiling every
        # state's alternation up front would cost start-up time.
        self._basic_lexers: dict[int, Any] = frontend.lexer.lexers
        self._by_identity: dict[int, _StateLexer] = {}
        self.lexers: dict[int, _StateLexer] = {}

    def _lexer_for(self, state: int) -> _StateLexer:
        basic = self._basic_lexers[state]
        lexer = self._by_identity.get(id(basic))
        if lexer is None:
            lexer = self._by_identity[id(basic)] = _StateLexer(basic)
        self.lexers[state] = lexer
        return lexer

    def parse(self, text: str) -> Any:
        """The callbacks' result for ``text``; raises :class:`Fallback` when
        Lark itself should parse it (to raise its error, or a callback's)."""
        try:
            return self._parse(text)
        except Fallback:
            raise
        except Exception as exc:
            raise Fallback from exc

    def _parse(self, text: str) -> Any:
        actions = self.actions
        lexers = self.lexers
        rule_size = self.rule_size
        rule_origin = self.rule_origin
        rule_callback = self.rule_callback
        rule_passthrough = self.rule_passthrough
        rule_method = self.rule_method
        rule_keep = self.rule_keep
        token_callbacks = self.token_callbacks
        end_state = self.end_state
        new_token = _new_str

        state = self.start_state
        state_stack = [state]
        value_stack: list[Any] = []
        pos = 0
        end = len(text)
        line = 1
        line_start = 0
        while pos < end:
            lexer = lexers.get(state)
            if lexer is None:
                lexer = self._lexer_for(state)
            m = lexer.match(text, pos)
            if m is None:
                raise Fallback
            type_ = m.lastgroup
            value = m.group()
            start_pos = pos
            start_line = line
            column = start_pos - line_start + 1
            pos = m.end()
            if type_ in lexer.newline:
                newlines = value.count("\n")
                if newlines:
                    line += newlines
                    line_start = start_pos + value.rindex("\n") + 1
            if type_ in lexer.ignore:
                continue
            retype = lexer.retype.get(type_)
            if retype is not None:
                memo, scanner = retype
                try:
                    keyword = memo[value]
                except KeyError:
                    if len(memo) >= _MEMO_LIMIT:
                        memo.clear()
                    keyword = memo[value] = scanner.fullmatch(value)
                if keyword is not None:
                    type_ = keyword
            token = new_token(Token, value)
            token.type = type_
            token.start_pos = start_pos
            token.value = value
            token.line = start_line
            token.column = column
            token.end_line = line
            token.end_column = pos - line_start + 1
            token.end_pos = pos

            row = actions[state]
            while True:
                action = row.get(type_)
                if action is None:
                    raise Fallback
                if action >= 0:
                    state = action
                    state_stack.append(state)
                    value_stack.append(token if type_ not in token_callbacks else token_callbacks[type_](token))
                    break
                rule = ~action
                size = rule_size[rule]
                keep = rule_passthrough[rule]
                if keep is not None:
                    # A `?rule` left with one child is that child: no call.
                    if size > 1:
                        result = value_stack[keep - size]
                        del state_stack[1 - size :]
                        del value_stack[1 - size :]
                        value_stack[-1] = result
                    state_stack.pop()
                    state = actions[state_stack[-1]][rule_origin[rule]]
                    state_stack.append(state)
                    row = actions[state]
                    continue
                method = rule_method[rule]
                if method is not None:
                    # The transformer's method with the children Lark would keep.
                    result = method(*[value_stack[i] for i in rule_keep[rule]])
                    del state_stack[-size:]
                    del value_stack[-size:]
                elif size:
                    children = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                    result = rule_callback[rule](children)
                else:
                    result = rule_callback[rule]([])
                state = actions[state_stack[-1]][rule_origin[rule]]
                state_stack.append(state)
                value_stack.append(result)
                row = actions[state]

        row = actions[state]
        while True:
            action = row.get("$END")
            if action is None or action >= 0:
                raise Fallback
            rule = ~action
            size = rule_size[rule]
            if size:
                children = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
            else:
                children = []
            result = rule_callback[rule](children)
            state = actions[state_stack[-1]][rule_origin[rule]]
            state_stack.append(state)
            value_stack.append(result)
            if state == end_state:
                return result
            row = actions[state]


def _passthrough(rule: Any, callback: Any) -> int | None:
    """For a rule whose callback returns one of its children unchanged (a
    ``?rule`` that keeps a single child, such as ``"(" expr ")"``), the
    index of that child; None for every other rule."""
    if isinstance(callback, ExpandSingleChild) and len(rule.expansion) == 1:
        return 0
    if (
        isinstance(callback, ChildFilterLALR_NoPlaceholders)
        and isinstance(callback.node_builder, ExpandSingleChild)
        and len(callback.to_include) == 1
    ):
        index, expand = callback.to_include[0]
        if not expand:
            return int(index)
    return None


def _direct_call(rule: Any, callback: Any) -> tuple[Callable[..., Any], tuple[int, ...]] | None:
    """The transformer method behind a rule's Lark callback and the positions
    (from the end of the value stack) of the children it receives, when the
    callback only filters anonymous tokens and spreads the rest as arguments
    (``v_args(inline=True)``); None when it does anything else."""
    size = len(rule.expansion)
    keep: list[int] = list(range(size))
    inner = callback
    if isinstance(inner, ChildFilterLALR_NoPlaceholders):
        if any(expand for _, expand in inner.to_include):
            return None
        keep = [index for index, _ in inner.to_include]
        inner = inner.node_builder
    if isinstance(inner, ExpandSingleChild):
        if len(keep) == 1 or size == 0:
            return None  # a passthrough, or a call on no children: left to Lark's callback
        inner = inner.node_builder
    wrapped = getattr(inner, "__wrapped__", None)
    if not isinstance(wrapped, _VArgsWrapper) or wrapped.visit_wrapper is not _vargs_inline:
        return None
    if not keep:
        return None
    return wrapped.base_func, tuple(index - size for index in keep)


# One driver per Lark object (imgql builds one); the object is kept alongside
# so its id cannot be reused by another while the driver exists.
_DRIVERS: dict[int, tuple[lark.Lark, FastParser | None]] = {}


def parse(text: str, lark_obj: lark.Lark) -> Any:
    """``lark_obj.parse(text)``, faster: the fast driver when it can parse the
    text, else Lark itself (which raises Lark's errors, or a callback's)."""
    entry = _DRIVERS.get(id(lark_obj))
    if entry is None or entry[0] is not lark_obj:
        try:
            driver: FastParser | None = FastParser(lark_obj)
        except Exception:
            driver = None
        entry = _DRIVERS[id(lark_obj)] = (lark_obj, driver)
    driver = entry[1]
    if driver is not None:
        try:
            return driver.parse(text)
        except Fallback:
            pass
    return lark_obj.parse(text)
