"""A source over images held locally: a list of records or an exported JSON
catalog. Every plan runs entirely on the client."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CatalogError
from ..lang.ast import Query
from ..lang.parser import parse
from ..plan.plan import Plan
from ..plan.planner import plan as make_plan
from .answer import answer, exactly_one
from .image import Image

if TYPE_CHECKING:
    from .results import ResultList

Record = Mapping[str, Any]


class Catalog:
    """Images held locally, queried with the same language and plans as a
    live endpoint.

    What can be known offline is applied: hidden images are left out unless
    the query asks for them. Ownership and membership cannot be known, so
    images of every visibility are kept.
    """

    def __init__(self, images: Iterable[Record] | str | os.PathLike[str]) -> None:
        if isinstance(images, (str, os.PathLike)):
            self.records: tuple[Record, ...] = tuple(load_records(images))
        else:
            self.records = tuple(_records_of(images, "the images given"))

    def __len__(self) -> int:
        return len(self.records)

    def __repr__(self) -> str:
        return f"<imgql.Catalog of {len(self.records)} images>"

    def plan(self, query: str | Query, **params: Any) -> Plan:
        parsed = parse(query) if isinstance(query, str) else query
        return make_plan(parsed.bind(**params) if (params or parsed.params) else parsed, "none")

    def records_for(self, plan: Plan) -> Iterator[Record]:
        """The raw records answering ``plan``, in catalog order unless ordered."""
        if not plan.requests:
            return iter(())
        hidden = set(plan.hidden)
        # One stream through the same path a live client's answers take, so
        # that filtering, de-duplication, order and limit cannot differ.
        return answer(plan, [(r for r in self.records if bool(r.get("os_hidden")) in hidden)])

    def query(self, query: str | Query, **params: Any) -> Iterator[Image]:
        plan = self.plan(query, **params)
        return (Image.from_record(r) for r in self.records_for(plan))

    def collect(self, query: str | Query, **params: Any) -> ResultList:
        """Every image answering ``query``, as a list that renders as a table
        at a REPL or in a notebook (``.to_dicts()``, ``.to_dataframe()``)."""
        from .results import ResultList

        return ResultList(list(self.query(query, **params)))

    def one(self, query: str | Query, **params: Any) -> Image:
        text = query if isinstance(query, str) else str(query)
        result: Image = exactly_one(text, self.query(query, **params))
        return result


def load_records(path: str | os.PathLike[str]) -> list[Record]:
    """Image records from a JSON file: a ``GET /v2/images`` response, a list
    of such responses (pages), or a bare list of images."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"cannot read the catalog {os.fspath(path)!r}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(
            f"{os.fspath(path)} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    return list(_records_of(data, os.fspath(path)))


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
            yield item
        else:
            raise CatalogError(f"{origin}: every image must be a JSON object, found {type(item).__name__}")
