"""Images as rows: the columns people know from ``openstack image list``, and
a result list that shows itself as a table in IPython and Jupyter.

    >>> from imgql.run.results import ResultList
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
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, overload

import attrs

from ..lang import fields as F

__all__ = [
    "DEFAULT_COLUMNS",
    "KNOWN_COLUMNS",
    "LONG_COLUMNS",
    "WHOLE_KEYS",
    "Column",
    "ResultList",
    "TableLayout",
    "block_text",
    "cell_text",
    "collect",
    "fit_table",
    "fit_widths",
    "human_size",
    "known_column",
    "plain_table",
    "resolve_column",
    "wrap_cell",
]


@attrs.frozen
class Column:
    """A column of a listing: its heading and the record key it shows."""

    header: str
    key: str


KNOWN_COLUMNS: tuple[Column, ...] = (
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
    # Where the image lives: not in the record; shown for queries over several regions or clouds.
    Column("Region", "region"),
    Column("Cloud", "cloud"),
)

_BY_KEY = {c.key: c for c in KNOWN_COLUMNS}

# The columns of `openstack image list`, and of its --long (then imgql's own).
DEFAULT_COLUMNS: tuple[Column, ...] = tuple(_BY_KEY[k] for k in ("id", "name", "status"))
LONG_COLUMNS: tuple[Column, ...] = tuple(
    _BY_KEY[k]
    for k in (
        "id",
        "name",
        "disk_format",
        "container_format",
        "size",
        "checksum",
        "status",
        "visibility",
        "protected",
        "owner",
        "tags",
        "os_distro",
        "os_version",
        "created_at",
    )
)

# Values a person copies into another command or compares by eye: never
# wrapped nor cut. Every other column (names, tags, custom properties) wraps.
WHOLE_KEYS = frozenset(
    {
        "id",
        "owner",
        "status",
        "size",
        "virtual_size",
        "created_at",
        "updated_at",
        "checksum",
        "disk_format",
        "container_format",
        "visibility",
        "protected",
        "os_hidden",
        "min_ram",
        "min_disk",
        "os_distro",
        "os_version",
        "os_type",
        "architecture",
        "os_hash_value",
    }
)
# A wrapping column is not made narrower than this (Name: the last to shrink).
_MIN_WRAP = 10
# The longest word kept whole in a wrapping column; a longer one is folded.
_MAX_WORD = 20
_NO_BREAK = "\u00a0"
_MIN_NAME = 16

# Byte counts (the field catalog's BYTES fields): counted in bytes they are
# shown human-readable in tables, counted in larger units with the unit's name.
_BYTE_FIELDS = {f.name: f for f in F.FIELDS if f.kind is F.Kind.BYTES}


def resolve_column(name: str) -> Column:
    """The column a person means by ``name``: a heading (``"Disk Format"``,
    case-insensitive), a field or alias (``created``, ``tag``, ``project``),
    or else a custom property shown under its own name."""
    wanted = name.strip()
    return known_column(wanted) or Column(wanted, wanted)


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


def cell_text(record: Mapping[str, Any], key: str, *, human: bool = True, none: str = "") -> str:
    """A value as text for a table cell (``human``) or for csv/value output."""
    value = record.get(key)
    if value is None:
        return none
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)) and human and key in _BYTE_FIELDS:
        field = _BYTE_FIELDS[key]
        return human_size(value) if field.unit == 1 else f"{value} {field.unit_name}"
    if isinstance(value, (list, tuple)):
        # A tag with a space must not wrap into what looks like two tags.
        text = ", ".join(str(v).replace(" ", _NO_BREAK) for v in value) if human else ",".join(str(v) for v in value)
    elif isinstance(value, Mapping):
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    else:
        text = str(value)
    if human:
        # Control characters would garble a terminal.
        text = "".join(ch if ch.isprintable() or ch == _NO_BREAK else "?" for ch in text)
    return text


def _record(item: Any) -> Mapping[str, Any]:
    raw = getattr(item, "raw", None)
    if isinstance(raw, Mapping):
        return raw
    if isinstance(item, Mapping):
        return item
    raise TypeError(f"expected an image or a mapping, not {type(item).__name__}")


def known_column(name: str) -> Column | None:
    """The column ``name`` names when it is a heading, a field or an alias;
    None for anything else (which may be a custom property)."""
    wanted = name.strip()
    lowered = wanted.lower()
    for column in KNOWN_COLUMNS:
        if lowered in (column.header.lower(), column.header.lower().replace(" ", "_"), column.key):
            return column
    if lowered == "project":
        return _BY_KEY["owner"]
    if F.is_known(wanted) or F.is_known(lowered):
        key = F.lookup(wanted if F.is_known(wanted) else lowered).name
        return _BY_KEY.get(key, Column(key, key))
    return None


def wrap_cell(text: str, width: int) -> list[str]:
    """A cell's lines at ``width``: broken at spaces and hyphens, long words
    folded. A no-break space (inside a tag, see :func:`cell_text`) is not a
    place to break; it is printed as a space."""
    if len(text) <= width or width < 1:
        return [text.replace(_NO_BREAK, " ")]
    lines = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=True)
    return [line.replace(_NO_BREAK, " ") for line in lines] or [""]


@attrs.frozen
class TableLayout:
    """How a table fits a width: its columns and their widths, or ``blocks``
    (one record per block) when they do not fit."""

    columns: tuple[Column, ...]
    widths: tuple[int, ...]
    blocks: bool = False

    @property
    def width(self) -> int:
        return sum(self.widths) + 3 * len(self.widths) + 1


def _header_words(header: str) -> int:
    return max((len(w) for w in header.split()), default=0)


def fit_table(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int | None) -> TableLayout:
    """Widths for a table of ``rows`` (cell texts) drawn within ``width``
    characters, borders included (None: no limit).

    Whole columns (:data:`WHOLE_KEYS`, ids first of all) keep every value on
    one line; only their headings may wrap. Other columns wrap, Name last and
    never below a readable width. When that is not enough, the table becomes
    one block per record.
    """
    widths = fit_widths(columns, rows, width)
    if widths is None:
        return TableLayout(tuple(columns), tuple(len(c.header) for c in columns), blocks=True)
    return TableLayout(tuple(columns), widths)


def fit_widths(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int | None) -> tuple[int, ...] | None:
    """The widths of ``columns`` that fit ``width`` (see :func:`fit_table`), or None when none do."""
    natural = [max([len(c.header), *(len(row[i]) for row in rows)]) for i, c in enumerate(columns)]
    if width is None:
        return tuple(natural)
    room = width - (3 * len(columns) + 1)
    widths = list(natural)
    # Shrink in order: whole columns' headings, other wrapping columns, Name.
    for stage in ("whole", "wrap", "name"):
        for i, column in enumerate(columns):
            excess = sum(widths) - room
            if excess <= 0:
                return tuple(widths)
            cells = max((len(row[i]) for row in rows), default=0)
            if column.key in WHOLE_KEYS:
                if stage != "whole":
                    continue
                floor = max(_header_words(column.header), cells)
            elif column.key == "name":
                if stage != "name":
                    continue
                floor = max(_header_words(column.header), min(natural[i], _MIN_NAME))
            else:
                if stage != "wrap":
                    continue
                # A word (a tag) is not broken when it fits a readable width.
                words = max((len(w) for row in rows for w in row[i].split(" ")), default=0)
                floor = max(_header_words(column.header), min(natural[i], max(_MIN_WRAP, min(words, _MAX_WORD))))
            widths[i] = max(floor, widths[i] - excess)
    return tuple(widths) if sum(widths) <= room else None


def plain_table(
    records: Iterable[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    width: int | None = None,
    layout: TableLayout | None = None,
) -> str:
    """An ASCII table in the style of the OpenStack command line, within
    ``width`` characters (None: as wide as the values)."""
    records = list(records)
    rows = [[cell_text(r, c.key) for c in columns] for r in records]
    layout = layout or fit_table(columns, rows, width)
    if layout.blocks:
        return block_text(records, layout.columns, width)
    index = [list(columns).index(c) for c in layout.columns]
    widths = layout.widths
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line_of(cells: Sequence[str]) -> list[str]:
        wrapped = [wrap_cell(cell, w) for cell, w in zip(cells, widths, strict=True)]
        height = max(len(w) for w in wrapped)
        pairs = list(zip(wrapped, widths, strict=True))
        lines = []
        for k in range(height):
            lines.append("| " + " | ".join((w[k] if k < len(w) else "").ljust(n) for w, n in pairs) + " |")
        return lines

    headers = [c.header for c in layout.columns]
    lines = [rule, *line_of(headers), rule]
    for row in rows:
        lines.extend(line_of([row[i] for i in index]))
    lines.append(rule)
    return "\n".join(lines)


def block_text(records: Iterable[Mapping[str, Any]], columns: Sequence[Column], width: int | None) -> str:
    """One block per record, a heading and a value per line, blocks separated
    by an empty line: what a table becomes when its columns cannot fit."""
    label = max((len(c.header) for c in columns), default=0) + 2
    room = max(20, (width or 4096) - label)
    blocks = []
    for record in records:
        lines = []
        for column in columns:
            text = cell_text(record, column.key)
            parts = [text] if column.key in WHOLE_KEYS else wrap_cell(text, room)
            lines.append((column.header.ljust(label) + parts[0]).rstrip())
            lines.extend(" " * label + part for part in parts[1:])
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


# How much of a ResultList a plain REPL shows.
_REPR_ROWS = 20
_REPR_WIDTH = 100


class ResultList(Sequence[Any]):
    """Query results held in memory, shown as a table by IPython and Jupyter.

    Built from any iterable of :class:`~imgql.Image` (or image dicts);
    ``columns`` are column names as ``imgql query -c`` takes them.
    """

    def __init__(self, images: Iterable[Any], columns: Sequence[str | Column] | None = None) -> None:
        self._items: tuple[Any, ...] = tuple(images)
        for item in self._items:
            _record(item)  # fail early on anything that is not an image
        # Columns given here are also what to_dicts() keeps by default.
        self._chosen = columns is not None
        if columns is None:
            self.columns: tuple[Column, ...] = DEFAULT_COLUMNS
        else:
            self.columns = tuple(c if isinstance(c, Column) else resolve_column(c) for c in columns)

    @classmethod
    def of_images(cls, images: Iterable[Any]) -> ResultList:
        """Results whose every item is already an :class:`~imgql.Image`
        (a source's own answer): nothing to check per item."""
        results = cls(())
        results._items = tuple(images)
        return results

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> ResultList: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return ResultList(self._items[index], self.columns if self._chosen else None)
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
        """The records as plain dicts: only the keys of ``columns`` (by default
        the columns the list was made with), or whole when no columns were given."""
        records = [_record(item) for item in self._items]
        if columns is None and not self._chosen:
            return [dict(r) for r in records]
        keys = [c.key for c in self.columns] if columns is None else [resolve_column(c).key for c in columns]
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

    def table(self, width: int | None = None) -> str:
        return plain_table((_record(i) for i in self._items), self.columns, width=width)

    def __repr__(self) -> str:
        # A plain REPL shows the table too (the first rows of a long list).
        count = len(self._items)
        head = f"{count} image{'' if count == 1 else 's'}"
        if not count:
            return head
        shown = self._items[:_REPR_ROWS]
        more = f"\n(and {count - len(shown)} more)" if count > len(shown) else ""
        return f"{head}\n{plain_table((_record(i) for i in shown), self.columns, width=_REPR_WIDTH)}{more}"

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
