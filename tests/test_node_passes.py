"""Every pass over expressions x every node class: handled, or a declared default.

A node class no pass was taught about must fail where a pass meets it, with
an error naming the pass and the class, never be skipped in silence. The
stub node `Between` (defined only here) shows it for each pass.

``NEW_NODE_TOUCHES`` is the list of what a new node must touch;
docs/architecture.md quotes it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from imgql.lang import ast
from imgql.lang.ast import NODES, And, Compare, Exists, Node, Not, Param, Query, Span
from imgql.lang.check import _Typing, check
from imgql.lang.format import _Format, format_expr
from imgql.lang.params import _Bind, bind
from imgql.lang.visitor import Fold, Transformer, UnhandledNodeError, Visitor, children, rebuild
from imgql.plan.normalize import _PushNegations, _ResolveTimes, _Simplify, normalize
from imgql.run.predicate import _Compiler, compile_predicate

# What a new node must touch, in order: (step, file, what).
NEW_NODE_TOUCHES: tuple[tuple[str, str, str], ...] = (
    ("grammar", "grammar/imgql.lark", "the rule that reads it"),
    (
        "tree",
        "imgql/lang/ast.py",
        "the node class with its CHILDREN, VALUES and NAMES_FIELD; its name in Expr and NODES "
        "(and PREDICATES for a condition on one field)",
    ),
    ("parser", "imgql/lang/parser.py", "the callback that builds the node (syntax only)"),
    ("check", "imgql/lang/check.py", "visit_<Node> in the typing pass: its literals typed, what may not stand refused"),
    ("bind", "imgql/lang/params.py", "visit_<Node> when it holds values, else its name in DEFAULT_FOR"),
    ("format", "imgql/lang/format.py", "its canonical text (format_predicate, or visit_<Node>)"),
    ("normalize", "imgql/plan/normalize.py", "visit_<Node>, or its name in DEFAULT_FOR, in each rewrite"),
    ("plan", "imgql/plan/planner.py", "what the API can filter of it (the rest is left to the client)"),
    ("compiler", "imgql/run/predicate.py", "visit_<Node> in the compiler: its test on a record"),
)

# Every pass over expressions in the language, normalization and run layers.
PASSES: dict[str, type[Visitor[object] | Fold[object] | Transformer]] = {
    "check": _Typing,
    "format": _Format,
    "bind": _Bind,
    "normalize.resolve_times": _ResolveTimes,
    "normalize.push_negations": _PushNegations,
    "normalize.simplify": _Simplify,
    "compile_predicate": _Compiler,
}


@attrs.frozen(cache_hash=True)
class Between(Node):
    """`field between low and high`: a node no pass knows."""

    VALUES = ("low", "high")
    NAMES_FIELD = True

    field: str
    low: ast.Value
    high: ast.Value
    span: Span | None = attrs.field(default=None, eq=False, kw_only=True)


STUB = Between("size", Param("lo"), 10)


def touches_as_text() -> list[str]:
    """The list as docs/architecture.md writes it, one line a step."""
    return [f"  {number}. {step}: `{path}`: {what}" for number, (step, path, what) in enumerate(NEW_NODE_TOUCHES, 1)]


def test_architecture_quotes_the_list() -> None:
    text = Path(__file__).parent.parent.joinpath("docs", "architecture.md").read_text(encoding="utf-8")
    unwrapped = text.replace("\n     ", " ")
    for line in touches_as_text():
        assert line in unwrapped, line


def test_the_list_names_files_that_exist() -> None:
    root = Path(__file__).parent.parent
    for _step, path, _what in NEW_NODE_TOUCHES:
        assert (root / path).is_file(), path


@pytest.mark.parametrize("name", sorted(PASSES))
@pytest.mark.parametrize("node_class", NODES, ids=lambda c: c.__name__)
def test_every_pass_handles_every_node_or_names_its_default(name: str, node_class: type) -> None:
    pass_class = PASSES[name]
    # Declared in the pass itself, not inherited: each pass decides.
    assert "DEFAULT_FOR" in vars(pass_class), f"{name} names no DEFAULT_FOR of its own"
    assert pass_class.handles(node_class), f"{name} neither handles {node_class.__name__} nor names it"


@pytest.mark.parametrize("name", sorted(PASSES))
def test_defaults_are_not_also_handled(name: str) -> None:
    pass_class = PASSES[name]
    both = [c.__name__ for c in pass_class.DEFAULT_FOR if hasattr(pass_class, "visit_" + c.__name__)]
    assert not both, f"{name} both handles and defaults {both}"


def test_nodes_declare_what_they_hold() -> None:
    a, b = Compare("a", "=", "1"), Exists("b")
    assert children(And((a, b))) == (a, b)
    assert children(Not(a)) == (a,)
    assert children(a) == ()
    assert rebuild(Not(a), (b,)) == Not(b)
    assert rebuild(And((a, b)), (b, a)) == And((b, a))
    assert ast.values(ast.InList("x", ("1", Param("p")))) == ("1", Param("p"))
    assert ast.values(ast.Match("name", "like", "a*")) == ("a*",)
    assert ast.values(And((a,))) == ()
    assert ast.values(STUB) == (Param("lo"), 10)


def test_and_and_or_share_a_base_and_stay_apart() -> None:
    a = Compare("a", "=", "1")
    assert issubclass(ast.And, ast.Connective) and issubclass(ast.Or, ast.Connective)
    assert ast.And((a,)) != ast.Or((a,))
    assert len({ast.And((a,)), ast.Or((a,))}) == 2
    assert not isinstance(ast.Or((a,)), ast.And)


# -- the stub node: each pass fails by name ---------------------------------------


def _raises_naming(pass_class: type, call: object, *args: object) -> None:
    with pytest.raises(UnhandledNodeError) as info:
        call(*args)  # type: ignore[operator]
    assert pass_class.__qualname__ in str(info.value)
    assert "Between" in str(info.value)
    assert info.value.node_class is Between


@pytest.mark.parametrize(
    "where", [STUB, And((Compare("tag", "=", "x"), STUB)), Not(STUB)], ids=["alone", "in and", "negated"]
)
def test_stub_node_fails_by_name_in_each_pass(where: ast.Expr) -> None:
    _raises_naming(_Typing, check, Query(where=where))
    _raises_naming(_Format, format_expr, where)
    _raises_naming(_Compiler, compile_predicate, where)
    simplify_or_push = _PushNegations if isinstance(where, Not) else _Simplify
    _raises_naming(simplify_or_push, normalize, where)


def test_stub_node_fails_by_name_when_bound() -> None:
    query = Query(where=STUB)
    # The parameter the stub holds is found from its declared values, not skipped.
    assert query.params == frozenset({"lo"})
    assert query.fields == frozenset({"size"})
    _raises_naming(_Bind, bind, query, {"lo": 1})


def test_stub_node_with_a_time_fails_by_name_in_resolve_times() -> None:
    import datetime as dt

    stub = Between("created_at", ast.RelativeTime(Decimal(7), "d"), 10)
    now = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    _raises_naming(_ResolveTimes, normalize, stub, now)


def test_unhandled_node_error_is_a_programming_error() -> None:
    # Not an imgql.Error: no query text causes it, a pass that was not taught does.
    import imgql

    assert issubclass(UnhandledNodeError, TypeError)
    assert not issubclass(UnhandledNodeError, imgql.Error)


def test_a_match_operator_compiles_by_its_declared_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    # An operator of a known kind needs no code in the compiler ...
    monkeypatch.setitem(ast.MATCH_KINDS, "glob_alike", "glob")
    test = compile_predicate(ast.Match("name", "glob_alike", "ub*"))
    assert test({"name": "Ubuntu"}) and not test({"name": "debian"})
    # ... and one of no declared kind fails by name, never as another operator.
    with pytest.raises(UnhandledNodeError, match="'between'") as info:
        compile_predicate(ast.Match("name", "between", "ub"))
    assert _Compiler.__qualname__ in str(info.value)


def test_the_operator_table_is_the_grammars() -> None:
    from imgql.lang import grammar, operators

    symbols = {s for op in operators.OPERATORS for s in (op.written, *op.synonyms, *op.negations) if not s.isalpha()}
    assert symbols == set(grammar.operators())
    words = grammar.keyword_terminals()
    for op in operators.OPERATORS:
        if op.written.isalpha():
            assert words[op.terminal] == op.written, op
    # Every match operator the parser builds has a declared kind.
    assert set(ast.MATCH_KINDS) == {"like", "contains", "regex"}
