"""One condition -> the query parameters that express it (the Glance encoding).

Each :class:`~imgql.plan.capabilities.Form` of parameter has one
:class:`Encoder`, named by the capability tables (``capabilities.ENCODERS``):
``compare`` writes one comparison, ``values`` an ``in`` list. An encoder
returns the parameters with whether they are exact and whether the parameter
may be repeated, or the reason the condition stays on the client (worded by
``explain()``). Custom properties, which are not rules, are encoded by
:func:`encode_property`. docs/planning.md, sections 6 to 8, gives the facts
behind each encoding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from ..errors import ParameterError
from ..lang.ast import Compare, InList, Param, Value
from ..lang.literals import format_datetime

if TYPE_CHECKING:
    from .capabilities import Rule

__all__ = [
    "Encoder",
    "Translation",
    "containing_range",
    "containing_time_range",
    "encode_boolean",
    "encode_operator",
    "encode_plain",
    "encode_property",
    "encode_range",
    "encode_tag",
    "encode_time",
    "in_list",
    "parameter_text",
]

# (parameters, exact, repeatable) or the reason the condition stays on the client.
Translation = tuple[list[tuple[str, str]], bool, bool] | str

_SECOND = dt.timedelta(seconds=1)
# A bound moved past this second would leave the calendar.
_LAST_SECOND = dt.datetime.max.replace(microsecond=0, tzinfo=dt.timezone.utc) - _SECOND


@attrs.frozen
class Encoder:
    """How one form of parameter writes a condition: ``compare(rule, op,
    value)`` for one comparison, ``values(rule, field, values)`` for an ``in``
    list, which the rule must answer with the operator ``values_op`` (None:
    the form has no list filter)."""

    compare: Callable[[Rule, str, Value], Translation]
    values: Callable[[Rule, str, tuple[Value, ...]], Translation] | None = None
    values_op: str = "in"


def parameter_text(value: Value) -> str:
    """A literal as a parameter's text: booleans in lower case, times in UTC with ``Z``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Param):  # pragma: no cover - bound before planning
        raise ParameterError(f"${value.name} is not bound")
    if isinstance(value, dt.datetime):
        return format_datetime(value.astimezone(dt.timezone.utc))
    return str(value)


def encode_boolean(rule: Rule, op: str, value: Value) -> Translation:
    """``protected=true|false``; ``!=`` is the other value (never null)."""
    return [(rule.param, "true" if (value == (op == "=")) else "false")], True, False


def encode_tag(rule: Rule, op: str, value: Value) -> Translation:
    """``tag=a``, repeatable: every tag sent must be present."""
    text = parameter_text(value)
    if text != text.strip():
        # Glance strips each tag parameter, so ` lts` would find `lts`.
        return "the API strips spaces around a tag, so this tag cannot be sent"
    return [(rule.param, text)], True, True


def encode_plain(rule: Rule, op: str, value: Value) -> Translation:
    """``field=value``, as it is; a colon would be read as an operator."""
    text = parameter_text(value)
    if ":" in text:
        return "the API would read the ':' in this value as an operator"
    return [(rule.param, text)], True, False


def encode_operator(rule: Rule, op: str, value: Value) -> Translation:
    """``field=value``, or ``field=eq:value`` when the value has a colon."""
    text = parameter_text(value)
    return [(rule.param, f"eq:{text}" if ":" in text else text)], True, False


def in_list(rule: Rule, field: str, values: tuple[Value, ...]) -> Translation:
    """``field=in:"a","b"``: every item double-quoted."""
    texts = [parameter_text(v) for v in values]
    if any('"' in t or t.endswith("\\") for t in texts):
        # Glance keeps escapes inside quoted list items as written, so such
        # a value cannot be matched exactly in a list.
        return "a value with a double quote or a trailing backslash cannot be sent in an in: list"
    return [(rule.param, "in:" + ",".join(f'"{t}"' for t in texts))], True, False


def encode_range(rule: Rule, op: str, value: Value) -> Translation:
    """Inclusive whole bounds, clamped to what the server can compare: a bound
    beyond the largest stored value (``Rule.stored_max``) would fail the
    request (HTTP 500), so it is sent as that largest value. An upper bound
    clamped so selects every stored value, exactly; a lower bound clamped so
    selects at most the images at the largest value, which the client then
    rejects."""
    assert isinstance(value, int) and rule.stored_max is not None
    largest = rule.stored_max
    low, high = {
        "=": (value, value),
        "<": (None, value - 1),
        "<=": (None, value),
        ">": (value + 1, None),
        ">=": (value, None),
    }[op]
    if high is not None and high < 0:
        return f"no {rule.param} is below zero"
    params: list[tuple[str, str]] = []
    if low is not None:
        params.append((rule.min_param, str(min(low, largest))))
    if high is not None:
        params.append((rule.max_param, str(min(high, largest))))
    return params, low is None or low <= largest, False


def containing_range(rule: Rule, field: str, values: tuple[Value, ...]) -> Translation:
    """The range from the least to the greatest of ``values``, which contains
    every one of them: the API has no list filter on an ordered field, and
    the client keeps only the values listed (a union of exact ranges may
    replace it, see ``planner._try_union``)."""
    numbers = [v for v in values if isinstance(v, int)]
    lower = encode_range(rule, ">=", min(numbers))
    upper = encode_range(rule, "<=", max(numbers))
    if isinstance(lower, str):  # pragma: no cover - a lower bound is never refused
        return lower
    if isinstance(upper, str):  # every value below zero: the lower bound alone
        return lower[0], False, False
    return [*lower[0], *upper[0]], False, False


def encode_time(rule: Rule, op: str, value: Value) -> Translation:
    """Times are shown in whole seconds but may be stored with a fraction, so
    a bound on what the client sees is moved to a whole second the server can
    compare exactly: shown > 08:30:39 means stored >= 08:30:40."""
    assert isinstance(value, dt.datetime)
    moment = value.astimezone(dt.timezone.utc)
    floor = moment.replace(microsecond=0)
    if floor >= _LAST_SECOND:
        return "a bound at the end of year 9999 is checked on the client"
    ceil = floor if moment == floor else floor + _SECOND
    sent = {">": f"gte:{format_datetime(floor + _SECOND)}", ">=": f"gte:{format_datetime(ceil)}"}
    sent |= {"<": f"lt:{format_datetime(ceil)}", "<=": f"lt:{format_datetime(floor + _SECOND)}"}
    if op in sent:
        return [(rule.param, sent[op])], True, False
    # `=`: one bound goes to the server, the other is checked on the client.
    if moment != floor:
        return "no time shown in whole seconds equals a time with a fraction"
    return [(rule.param, f"gte:{format_datetime(floor)}")], False, False


def containing_time_range(rule: Rule, field: str, values: tuple[Value, ...]) -> Translation:
    """The lower bound of a list of times (one bound per request); the client
    keeps only the times listed."""
    found = encode_time(rule, ">=", min(v for v in values if isinstance(v, dt.datetime)))
    return found if isinstance(found, str) else (found[0], False, False)


def encode_property(expr: Compare | InList) -> Translation:
    """A custom property (``os_distro=ubuntu``): exact string equality only."""
    if isinstance(expr, InList):
        return f"the API has no list filter for {expr.field}"
    if expr.op != "=":
        return f"the API has no {expr.op} for {expr.field} (custom properties filter by equality only)"
    return [(expr.field, parameter_text(expr.value))], True, False
