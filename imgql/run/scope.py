"""What a listing shows a caller, as a condition compiled with the query's.

An offline catalog answers each request as Glance would list it: which
``os_hidden`` partitions, which visibilities, whose images and which
memberships. Written as source and compiled into the query's predicate, the
scope costs a few comparisons per record instead of a Python call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

__all__ = ["Members", "Scope"]

Members = Mapping[str, Mapping[str, str]]


@attrs.frozen
class Scope:
    """The records one listing shows: those whose ``os_hidden`` (read as a
    truth value) is in ``hidden`` and, when a ``project`` is known, that
    Glance lists to that project for a request with these scope parameters
    (a non-admin caller)."""

    hidden: frozenset[bool]
    project: str | None = None
    # The request's `visibility` parameter, None when it sends none.
    visibility: str | None = None
    member_status: str = "accepted"
    # Equal scopes over different members are only ever compared within one
    # catalog, whose members do not change.
    members: Members = attrs.field(factory=dict, eq=False, repr=False)

    def source(self, bind: Callable[[Any], str]) -> str:
        """The condition as a Python expression over ``img``, constants bound
        by ``bind`` (which returns the name it bound the value to); "" when it
        admits every record."""
        parts = []
        if self.hidden == frozenset((False,)):
            parts.append("(not img.get('os_hidden'))")
        elif self.hidden == frozenset((True,)):
            parts.append("(not not img.get('os_hidden'))")
        elif not self.hidden:
            return "False"
        if self.project is not None:
            parts.append(self._visible(bind))
        return " and ".join(parts)

    def _visible(self, bind: Callable[[Any], str]) -> str:
        wanted = self.visibility
        admitted = ["_sv == 'public'", f"img.get('owner') == {bind(self.project)}"]
        if wanted in ("community", "all"):
            admitted.append("_sv == 'community'")
        if self.members:
            admitted.append(f"{bind(self._member_check())}(img)")
        if wanted in (None, "all"):
            # The first test reads the visibility for the others.
            admitted[0] = "(_sv := img.get('visibility')) == 'public'"
            return "(" + " or ".join(admitted) + ")"
        return f"((_sv := img.get('visibility')) == {bind(wanted)} and (" + " or ".join(admitted) + "))"

    def _member_check(self) -> Callable[[Mapping[str, Any]], bool]:
        members, project, wanted = self.members, self.project or "", self.member_status
        nobody: Mapping[str, str] = {}

        def is_member(record: Mapping[str, Any]) -> bool:
            status = members.get(str(record.get("id")), nobody).get(project)
            return status is not None and wanted in ("all", status)

        return is_member

    def admits(self, record: Mapping[str, Any]) -> bool:
        """The same rule, checked in Python (for tests and one-off checks)."""
        if bool(record.get("os_hidden")) not in self.hidden:
            return False
        if self.project is None:
            return True
        wanted = self.visibility
        visibility = record.get("visibility")
        if wanted not in (None, "all") and visibility != wanted:
            return False
        if visibility == "public" or record.get("owner") == self.project:
            return True
        if visibility == "community" and wanted in ("community", "all"):
            return True
        return bool(self.members) and self._member_check()(record)
