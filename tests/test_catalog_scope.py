"""The catalog's scope compiled into the predicate, and its de-duplication
known at load, answer exactly as a per-record check and a per-stream
de-duplication do (the rules as they were written before)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import imgql
from imgql.errors import ParameterError
from imgql.lang.ast import Query
from imgql.plan.plan import Plan
from imgql.run.answer import answer
from imgql.run.image import Image
from imgql.run.predicate import sort_key_function
from imgql.run.scope import Scope

from .strategies import _PROJECTS, image_records, queries


def _visible(record: Mapping[str, Any], params: Mapping[str, str], project: str, members: Any) -> bool:
    wanted = params.get("visibility")
    visibility = record.get("visibility")
    if wanted not in (None, "all") and visibility != wanted:
        return False
    if visibility == "public" or record.get("owner") == project:
        return True
    if visibility == "community" and wanted in ("community", "all"):
        return True
    status = members.get(str(record.get("id")), {}).get(project)
    return status is not None and params.get("member_status", "accepted") in ("all", status)


def reference(catalog: imgql.Catalog, plan: Plan) -> Iterator[Mapping[str, Any]]:
    """The answer with the scope checked per record in Python and every
    stream de-duplicated, as the catalog answered before."""
    if not plan.requests:
        return iter(())
    # In the API's default order: newest first, then id, both descending.
    created, image_id = sort_key_function("created_at"), sort_key_function("id")
    records = sorted(catalog.records, key=lambda r: (created(r), image_id(r)), reverse=True)
    if catalog.project is None:
        hidden = set(plan.hidden)
        return answer(plan, [(r for r in records if bool(r.get("os_hidden")) in hidden)])
    streams = []
    for request in plan.requests:
        params = dict(request.params)
        hidden_wanted = params.get("os_hidden") == "true"
        streams.append(
            [
                r
                for r in records
                if bool(r.get("os_hidden")) == hidden_wanted and _visible(r, params, catalog.project, catalog.members)
            ]
        )
    return answer(plan, streams)


_MEMBER_STATUSES = st.sampled_from(["accepted", "pending", "rejected"])


@st.composite
def catalogs(draw: st.DrawFn) -> imgql.Catalog:
    records = draw(st.lists(image_records(), max_size=12))
    if records and draw(st.booleans()):
        # Repeated ids: the catalog must then de-duplicate per stream.
        records.append(dict(draw(st.sampled_from(records)), name="again"))
    project = draw(st.sampled_from([None, *_PROJECTS]))
    members = {
        str(r["id"]): draw(st.dictionaries(st.sampled_from(_PROJECTS), _MEMBER_STATUSES, max_size=2))
        for r in records
        if draw(st.booleans())
    }
    return imgql.Catalog(records, project=project, members=members)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs(), queries(max_leaves=6))
def test_same_answers_as_a_per_record_scope(catalog: imgql.Catalog, query: Query) -> None:
    try:
        plan = catalog.plan(query)
        expected = [r["id"] for r in reference(catalog, plan)]
    except ParameterError:
        assume(False)
    assert [r["id"] for r in catalog.records_for(plan)] == expected


@given(catalogs(), st.sampled_from([None, "public", "private", "shared", "community", "all"]), st.data())
@settings(max_examples=200, deadline=None)
def test_compiled_scope_is_the_python_rule(catalog: imgql.Catalog, visibility: str | None, data: Any) -> None:
    from imgql.run.predicate import compile_predicate

    scope = Scope(
        data.draw(st.sampled_from([frozenset((False,)), frozenset((True,)), frozenset((False, True))])),
        project=catalog.project,
        visibility=visibility,
        member_status=data.draw(st.sampled_from(["accepted", "pending", "all"])),
        members=catalog.members,
    )
    compiled = compile_predicate(None, guard=scope)
    for record in catalog.records:
        assert compiled(record) == scope.admits(record)


def test_repeated_ids_are_still_answered_once() -> None:
    records = [{"id": "a", "name": "x"}, {"id": "b", "name": "y"}, {"id": "a", "name": "x again"}]
    assert [i.name for i in imgql.Catalog(records).query("images")] == ["y", "x"]
    distinct = imgql.Catalog(records[:2])
    assert [i.name for i in distinct.query("images")] == ["y", "x"]


def test_records_without_ids_are_all_kept() -> None:
    records = [{"name": "x"}, {"name": "y"}, {"id": "a", "name": "z"}]
    assert [i.name for i in imgql.Catalog(records).query("images")] == ["z", "x", "y"]


def test_image_wraps_without_copying() -> None:
    record = {"id": "a", "name": "x", "size": 3}
    image = Image.from_record(record)
    assert image.raw is record
    assert image == Image(record) and hash(image) == hash(Image(dict(record)))
    assert image != Image({"id": "b"})
    with pytest.raises(AttributeError):
        image.raw = {}  # type: ignore[misc]


def test_collect_holds_the_query_answer() -> None:
    from imgql.run.results import ResultList

    records = [{"id": "a", "name": "x"}, {"id": "b", "name": "y", "os_hidden": True}]
    catalog = imgql.Catalog(records)
    results = catalog.collect("images")
    assert isinstance(results, ResultList)
    assert list(results) == list(catalog.query("images")) and [i.name for i in results] == ["x"]
    assert results.to_dicts() == ResultList(list(catalog.query("images"))).to_dicts()


def test_a_query_asked_again_reuses_its_compiled_check() -> None:
    catalog = imgql.Catalog([{"id": "a", "name": "x", "created_at": "2025-01-01T00:00:00Z"}])
    for _ in range(3):
        assert [i.name for i in catalog.query("images where name = x")] == ["x"]
    assert len(catalog._checks) == 1
