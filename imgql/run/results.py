"""Images as rows: the columns people know from ``openstack image list``, and
a result list that shows itself as a table in IPython and Jupyter.

    >>> from imgql.display import ResultList
    >>> results = ResultList(catalog.query("images where tag = lts"))
    >>> results                      # a table in IPython, an HTML table in Jupyter
    >>> results.to_dicts()           # plain dicts, for json.dumps
    >>> results.to_dataframe()       # a pandas DataFrame (pandas is not a dependency)

Nothing here needs more than the standard library.
"""

from __future__ import annotations

import html
import importlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, overload

import attrs

from ..lang import fields as F

__all__ = [
    "DEFAULT_COLUMNS",
    "LONG_COLUMNS",
    "Column",
    "ResultList",
    "cell_text",
    "collect",
    "exact_value",
    "human_size",
    "plain_table",
    "resolve_column",
]


@attrs.frozen
class Column:
    """A column of a listing: its heading and the record key it shows."""

    header: str
    key: str


_KNOWN: tuple[Column, ...] = (
    Column("ID", "id"),
    Column("Name", "name"),
    Column("Status", "status"),
    Column("Size", "size"),
    Column("Created", "created_at"),
    Column("Updated", "updated_at"),
    Column("Visibility", "visibility"),
    Column("Disk Format", "disk_format"),
    Column("Container Format", "container_format"),
    Column("OS Distro", "os_distro"),
    Column("OS Version", "os_version"),
    Column("OS Type", "os_type"),
    Column("Architecture", "architecture"),
    Column("Tags", "tags"),
    Column("Project", "owner"),
    Column("Protected", "protected"),
    Column("Hidden", "os_hidden"),
    Column("Min RAM", "min_ram"),
    Column("Min Disk", "min_disk"),
    Column("Virtual Size", "virtual_size"),
    Column("Checksum", "checksum"),
)

_BY_KEY = {c.key: c for c in _KNOWN}

DEFAULT_COLUMNS: tuple[Column, ...] = tuple(_BY_KEY[k] for k in ("id", "name", "status", "size", "created_at"))
LONG_COLUMNS: tuple[Column, ...] = (
    *DEFAULT_COLUMNS,
    *(_BY_KEY[k] for k in ("visibility", "disk_format", "os_distro", "os_version", "tags", "owner", "protected")),
)

# Record keys whose values are byte counts, shown human-readable in tables.
_BYTE_KEYS = frozenset({"size", "virtual_size"})
_UNIT_SUFFIX = {"min_ram": " MiB", "min_disk": " GiB"}


def resolve_column(name: str) -> Column:
    """The column a person means by ``name``: a heading (``"Disk Format"``,
    case-insensitive), a field or alias (``created``, ``tag``, ``project``),
    or else a custom property shown under its own name."""
    wanted = name.strip()
    lowered = wanted.lower()
    for column in _KNOWN:
        if lowered in (column.header.lower(), column.header.lower().replace(" ", "_"), column.key):
            return column
    if lowered == "project":
        return _BY_KEY["owner"]
    if F.is_known(wanted) or F.is_known(lowered):
        key = F.lookup(wanted if F.is_known(wanted) else lowered).name
        return _BY_KEY.get(key, Column(key, key))
    return Column(wanted, wanted)


def human_size(size: int | float) -> str:
    """Bytes in the decimal units the query language uses by default, with one
    decimal: ``603.8 MB`` is what ``size > 600MB`` compares against (``KB MB GB``
    are powers of 1000 in a query, so the table speaks the same units)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if abs(value) < 1000 or unit == "PB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")  # pragma: no cover


def exact_value(record: Mapping[str, Any], key: str) -> Any:
    """The record's value as the API sent it (None when absent)."""
    return record.get(key)


def cell_text(record: Mapping[str, Any], key: str, *, human: bool = True, none: str = "") -> str:
    """A value as text for a table cell (``human``) or for csv/value output."""
    value = record.get(key)
    if value is None:
        return none
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)) and human:
        if key in _BYTE_KEYS:
            return human_size(value)
        if key in _UNIT_SUFFIX:
            return f"{value}{_UNIT_SUFFIX[key]}"
    if isinstance(value, (list, tuple)):
        return (", " if human else ",").join(str(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    text = str(value)
    if human:
        # Control characters would garble a terminal.
        text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text


def _record(item: Any) -> Mapping[str, Any]:
    raw = getattr(item, "raw", None)
    if isinstance(raw, Mapping):
        return raw
    if isinstance(item, Mapping):
        return item
    raise TypeError(f"expected an image or a mapping, not {type(item).__name__}")


def plain_table(records: Iterable[Mapping[str, Any]], columns: Sequence[Column], *, max_width: int = 60) -> str:
    """An ASCII table in the style of the OpenStack command line."""
    headers = [c.header for c in columns]
    rows = [[cell_text(r, c.key) for c in columns] for r in records]
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], min(len(cell), max_width))

    def fit(text: str, width: int) -> str:
        if len(text) > width:
            text = text[: width - 1] + "…"
        return text.ljust(width)

    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    lines = [rule, "| " + " | ".join(fit(h, w) for h, w in zip(headers, widths, strict=True)) + " |", rule]
    lines.extend("| " + " | ".join(fit(cell, w) for cell, w in zip(row, widths, strict=True)) + " |" for row in rows)
    lines.append(rule)
    return "\n".join(lines)


class ResultList(Sequence[Any]):
    """Query results held in memory, shown as a table by IPython and Jupyter.

    Built from any iterable of :class:`~imgql.Image` (or image dicts);
    ``columns`` are column names as ``imgql query -c`` takes them.
    """

    def __init__(self, images: Iterable[Any], columns: Sequence[str | Column] | None = None) -> None:
        self._items: tuple[Any, ...] = tuple(images)
        for item in self._items:
            _record(item)  # fail early on anything that is not an image
        if columns is None:
            self.columns: tuple[Column, ...] = DEFAULT_COLUMNS
        else:
            self.columns = tuple(c if isinstance(c, Column) else resolve_column(c) for c in columns)

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> ResultList: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return ResultList(self._items[index], self.columns)
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ResultList):
            return self._items == other._items
        if isinstance(other, (list, tuple)):
            return list(self._items) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def to_dicts(self, columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """The records as plain dicts: whole, or only the keys of ``columns``."""
        records = [_record(item) for item in self._items]
        if columns is None:
            return [dict(r) for r in records]
        keys = [resolve_column(c).key for c in columns]
        return [{k: r.get(k) for k in keys} for r in records]

    def to_dataframe(self, columns: Sequence[str] | None = None) -> Any:
        """A pandas DataFrame of the records (pandas is imported only here)."""
        try:
            pandas = importlib.import_module("pandas")
        except ImportError:
            raise ImportError(
                "ResultList.to_dataframe() needs pandas, which imgql does not install: pip install pandas"
            ) from None
        return pandas.DataFrame.from_records(self.to_dicts(columns))

    def table(self) -> str:
        return plain_table((_record(i) for i in self._items), self.columns)

    def __repr__(self) -> str:
        count = len(self._items)
        return f"<imgql.ResultList of {count} image{'' if count == 1 else 's'}>"

    def __str__(self) -> str:
        return self.table()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        if cycle:
            printer.text(repr(self))
            return
        count = len(self._items)
        printer.text(f"{count} image{'' if count == 1 else 's'}\n{self.table()}")

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c.header)}</th>" for c in self.columns)
        body = []
        for item in self._items:
            record = _record(item)
            cells = "".join(f"<td>{html.escape(cell_text(record, c.key))}</td>" for c in self.columns)
            body.append(f"<tr>{cells}</tr>")
        count = len(self._items)
        caption = f"{count} image{'' if count == 1 else 's'}"
        return (
            f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )


def collect(images: Iterable[Any], columns: Sequence[str | Column] | None = None) -> ResultList:
    """Run a lazy query to the end and keep its images as a :class:`ResultList`."""
    return ResultList(images, columns)
