"""A source over images held locally: a list of records or an exported JSON
catalog. Every plan runs entirely on the client.

Told whose view it is (``project``, or the catalog file's own ``"project"``),
a catalog applies the scope a real Glance applies to that project's listing:
public images, the project's own images of every visibility, images shared
with it whose membership is accepted (``member_status`` chooses another
status), other projects' community images only when the query widens the
visibility, and hidden images only when asked for. Memberships come from the
file's ``"members"`` mapping (image id to the ``GET /v2/images/{id}/members``
list). Without a project, ownership and membership cannot be known: every
image of every visibility is kept and ``member_status`` narrows nothing."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CatalogError, PlanError
from ..lang.ast import Query
from ..lang.parser import parse
from ..plan.plan import Plan
from ..plan.planner import plan as make_plan
from ..records import Record
from ..untrusted import TooDeep, load_json
from .answer import answer, exactly_one
from .fallbacks import first_answering, tier_plans
from .image import Image
from .predicate import CompiledPredicate, compile_predicate
from .scope import Members, Scope
from .shape import shape_problem
from .sorting import sort_key_function

if TYPE_CHECKING:
    from .results import ResultList

__all__ = ["Catalog", "load_catalog"]


# How many compiled (predicate, scope) checks a catalog keeps.
_CHECKS_KEPT = 64


class Catalog:
    """Images held locally, queried with the same language and plans as a
    live endpoint.

    ``project`` is the project whose view to answer from (default: the
    catalog file's ``"project"``); ``members`` maps an image id to its
    members, ``{project: status}`` or Glance's list of ``{"member_id",
    "status"}`` (default: the file's ``"members"``). Without a project,
    hidden images are still left out unless asked for, but every visibility
    is kept (see the module's documentation).
    """

    def __init__(
        self,
        images: Iterable[Record] | str | os.PathLike[str],
        *,
        project: str | None = None,
        members: Mapping[str, Any] | None = None,
    ) -> None:
        file_project: str | None = None
        file_members: Mapping[str, Any] = {}
        if isinstance(images, (str, os.PathLike)):
            records, file_project, file_members = load_catalog(images)
            self.records: tuple[Record, ...] = tuple(records)
            origin = os.fspath(images)
        else:
            self.records = tuple(_records_of(images, "the images given"))
            origin = "the members given"
        self.project: str | None = project or file_project
        self.members: Members = _members_of(members if members is not None else file_members, origin)
        # Known once, at load: without repeated ids no stream can repeat an
        # image, and the answer needs no per-record de-duplication.
        self._distinct = _ids_distinct(self.records)
        self._checks: dict[tuple[Any, ...], CompiledPredicate] = {}

    def __len__(self) -> int:
        return len(self.records)

    def __repr__(self) -> str:
        view = f" seen by project {self.project}" if self.project else ""
        return f"<imgql.Catalog of {len(self.records)} images{view}>"

    def plan(self, query: str | Query, **params: Any) -> Plan:
        parsed = parse(query) if isinstance(query, str) else query
        plan = make_plan(parsed.bind(**params) if (params or parsed.params) else parsed, "none")
        if plan.places.named:
            # A file has no regions: answering as if it were each named one would be a guess.
            raise PlanError(
                "an offline catalog is one endpoint with no region or cloud: "
                "query a live cloud to name regions or clouds, or drop the region and cloud conditions"
            )
        return plan

    def records_for(self, plan: Plan) -> Iterator[Record]:
        """The raw records answering ``plan``, in the API's default order
        (newest first, then id) unless ordered."""
        if plan.fallbacks:
            return first_answering(tier_plans(plan), self.records_for)
        if not plan.requests:
            return iter(())
        if self.project is None:
            # One stream through the same path a live client's answers take, so
            # that filtering, de-duplication, order and limit cannot differ.
            scopes = [Scope(frozenset(plan.hidden))]
        else:
            # One stream per request, each scoped as Glance scopes that request.
            scopes = [self._scope(dict(request.params)) for request in plan.requests]
        checks = [self._check(plan, scope) for scope in scopes]
        return answer(plan, [self._listing] * len(scopes), checks=checks, distinct=self._distinct)

    @functools.cached_property
    def _listing(self) -> tuple[Record, ...]:
        """The records in the API's default order, newest ``created_at``
        first, then ``id``, both descending: what a live listing without
        ``order by`` answers, whatever order the file holds them in. Sorted
        once, at the first query."""
        created, image_id = sort_key_function("created_at"), sort_key_function("id")
        return tuple(sorted(self.records, key=lambda r: (created(r), image_id(r)), reverse=True))

    def _scope(self, params: Mapping[str, str]) -> Scope:
        """What Glance lists to the project for a request with these scope
        parameters (a non-admin caller)."""
        return Scope(
            frozenset((params.get("os_hidden") == "true",)),
            project=self.project,
            visibility=params.get("visibility"),
            member_status=params.get("member_status", "accepted"),
            members=self.members,
        )

    def _check(self, plan: Plan, scope: Scope) -> CompiledPredicate:
        """The plan's predicate and the scope, compiled into one function."""
        # The planner resolved relative times with plan.now: the predicate holds
        # only absolute ones, so a later plan of the same query reuses the check.
        key = (plan.predicate, scope)
        check = self._checks.get(key)
        if check is None:
            if len(self._checks) >= _CHECKS_KEPT:
                self._checks.clear()
            check = self._checks[key] = compile_predicate(plan.predicate, now=plan.now, guard=scope)
        return check

    def query(self, query: str | Query, **params: Any) -> Iterator[Image]:
        plan = self.plan(query, **params)
        return map(Image.from_record, self.records_for(plan))

    def collect(self, query: str | Query, **params: Any) -> ResultList:
        """Every image answering ``query``, as a list that renders as a table
        at a REPL or in a notebook (``.to_dicts()``, ``.to_dataframe()``)."""
        from .results import ResultList

        return ResultList.of_images(self.query(query, **params))

    def one(self, query: str | Query, **params: Any) -> Image:
        text = query if isinstance(query, str) else str(query)
        result: Image = exactly_one(text, self.query(query, **params), params)
        return result


def load_catalog(path: str | os.PathLike[str]) -> tuple[list[Record], str | None, Mapping[str, Any]]:
    """The records of a catalog file, whose view it is (``"project"``) and the
    images' members (``"members"``), when the file says so."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"cannot read the catalog {os.fspath(path)!r}: {exc.strerror or exc}") from None
    try:
        data = load_json(text)
    except TooDeep as exc:
        raise CatalogError(f"{os.fspath(path)}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise CatalogError(
            f"{os.fspath(path)} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    records = list(_records_of(data, os.fspath(path)))
    if not isinstance(data, Mapping):
        return records, None, {}
    project = data.get("project")
    if project is not None and not isinstance(project, str):
        raise CatalogError(f"{os.fspath(path)}: 'project' must be a project id (a string)")
    members = data.get("members") or {}
    return records, project, members


def _ids_distinct(records: tuple[Record, ...]) -> bool:
    """Whether no two records share an id (records without one never clash)."""
    ids = [r.get("id") for r in records]
    try:
        distinct = set(ids)
    except TypeError:  # an unhashable id: let the answer's de-duplication say what it does
        return False
    return len(distinct) + max(ids.count(None) - 1, 0) == len(ids)


def _members_of(data: Any, origin: str) -> dict[str, dict[str, str]]:
    """``{image id: {project: status}}`` from either accepted form."""
    if not isinstance(data, Mapping):
        raise CatalogError(f"{origin}: 'members' must map image ids to their members")
    members: dict[str, dict[str, str]] = {}
    for image_id, entries in data.items():
        if isinstance(entries, Mapping) and "members" in entries:
            entries = entries["members"]
        if isinstance(entries, Mapping):
            members[str(image_id)] = {str(k): str(v) for k, v in entries.items()}
        elif isinstance(entries, list) and all(isinstance(e, Mapping) and "member_id" in e for e in entries):
            members[str(image_id)] = {str(e["member_id"]): str(e.get("status", "pending")) for e in entries}
        else:
            raise CatalogError(
                f"{origin}: the members of image {image_id} must be a list of {{member_id, status}} objects"
            )
    return members


def _image_id(record: Record) -> str:
    image_id = record.get("id")
    return repr(image_id)[:60] if image_id is not None else "without an id"


def _records_of(data: Any, origin: str) -> Iterator[Record]:
    if isinstance(data, Mapping):
        if "images" not in data:
            raise CatalogError(f"{origin}: expected a list of images or an object with an 'images' list")
        yield from _records_of(data["images"], origin)
        return
    if not isinstance(data, Iterable) or isinstance(data, (str, bytes)):
        raise CatalogError(f"{origin}: expected a list of images")
    for item in data:
        if isinstance(item, Mapping) and "images" in item and "id" not in item:
            yield from _records_of(item["images"], origin)
        elif isinstance(item, Mapping):
            problem = shape_problem(item)
            if problem is not None:
                raise CatalogError(f"{origin}: image {_image_id(item)}: {problem}")
            yield item
        else:
            raise CatalogError(f"{origin}: every image must be a JSON object, found {type(item).__name__}")
