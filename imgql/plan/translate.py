"""One conjunct + profile -> the parameters that send it, or why it stays on the client.

The profile's rule for the conjunct's field names the encoder that writes it
(encoding.py); a field without a rule is a custom property when the profile
sends those (docs/planning.md, section 8), else it is filtered on the client.
"""

from __future__ import annotations

from ..lang import fields as F
from ..lang.ast import And, Compare, Const, Exists, Expr, InList, Match, Not, Or
from .capabilities import NOT_PROPERTY_PARAMS, RANGE_SUFFIXES, RESERVED_PARAMS, Profile
from .encoding import Translation, encode_property

__all__ = ["translate"]


def translate(expr: Expr, prof: Profile) -> Translation:
    """The parameters one conjunct is sent as (written by its rule's
    encoder), or why it stays on the client."""
    if isinstance(expr, Or):
        return "the API cannot express a disjunction in one request"
    if isinstance(expr, And):
        return "a nested conjunction"
    if isinstance(expr, Not):
        return "the API cannot negate a filter"
    if isinstance(expr, Const):
        return "constant"
    if isinstance(expr, Match):
        return f"the API has no {'pattern' if expr.op != 'contains' else 'substring'} matching"
    if isinstance(expr, Exists):
        return f"the API cannot filter on whether {expr.field} is set"
    assert isinstance(expr, (Compare, InList))
    rule = prof.rules.get(expr.field)
    if rule is None:
        return _unruled(expr, prof)
    if isinstance(expr, InList):
        encoder = rule.encoder
        if expr.negated:
            return f"the API has no 'not in' for {expr.field}"
        if encoder.values is None or encoder.values_op not in rule.ops:
            return f"the API has no list (in:) filter for {expr.field}"
        return encoder.values(rule, expr.field, expr.values)
    if expr.op not in rule.ops:
        return f"the API has no {expr.op} for {expr.field}"
    return rule.encoder.compare(rule, expr.op, expr.value)


def _unruled(expr: Compare | InList, prof: Profile) -> Translation:
    """A condition on a field the profile has no rule for: a custom property
    when the profile sends those, else a reason."""
    field = F.lookup(expr.field)
    if expr.field in F.BOOKKEEPING_KEYS:
        # Measured: Glance reads `stores=fs` as a custom-property filter
        # and answers an empty list; these keys are computed, not stored.
        return f"{expr.field} is computed by the server for each record, which cannot filter by it"
    if _is_property_filter(expr.field, field, prof):
        return encode_property(expr)
    if field.kind is F.Kind.PROPERTY or field.name in ("os_distro", "os_type"):
        return f"the {prof.name} profile sends no filters on custom properties"
    return f"the {prof.name} profile has no parameter for {expr.field}"


def _is_property_filter(name: str, field: F.Field, prof: Profile) -> bool:
    if not prof.custom_properties:
        return False
    if name in prof.property_fields:
        return True
    return (
        field.kind is F.Kind.PROPERTY
        and name not in RESERVED_PARAMS
        and name not in NOT_PROPERTY_PARAMS
        and not name.endswith(RANGE_SUFFIXES)
        # Glance tests filter names against its model's attributes, private
        # ones included: such a property would be read as something else.
        and not name.startswith("_")
    )
