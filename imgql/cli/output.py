"""Writing images for the command line: table, json, yaml, csv and value.

Tables hold every row before they are drawn (they are sized to the terminal,
with rich when it is installed, plain ASCII otherwise). The other formats
stream: each image is written as it arrives, and an interrupted listing still
leaves valid output behind (a JSON list is closed).
"""

from __future__ import annotations

import csv
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import ModuleType
from typing import Any, Literal, TextIO

from ..errors import Error
from ..optional import optional_module
from ..run.results import (
    DEFAULT_COLUMNS,
    LONG_COLUMNS,
    Column,
    TableLayout,
    block_text,
    cell_text,
    close_names,
    column_names,
    fit_table,
    known_column,
    plain_table,
    resolve_column,
    wrap_cell,
)
from ..untrusted import visible

__all__ = [
    "FORMATS",
    "QUOTING",
    "ColumnError",
    "Progress",
    "Writer",
    "check_column_names",
    "columns_for",
    "sorted_images",
    "table_width",
    "terminal_width",
]

FORMATS = ("table", "json", "yaml", "csv", "value")
QUOTING: dict[str, Literal[0, 1, 2, 3]] = {
    "all": csv.QUOTE_ALL,
    "minimal": csv.QUOTE_MINIMAL,
    "none": csv.QUOTE_NONE,
    "nonnumeric": csv.QUOTE_NONNUMERIC,
}


class ColumnError(Error):
    """A column that names nothing: not a heading, a field, nor a property of
    any image listed (a usage error, exit code 2)."""


def _did_you_mean(found: Sequence[str]) -> str:
    return f"; did you mean {' or '.join(repr(f) for f in found)}?" if found else ""


def check_column_names(names: Sequence[str]) -> None:
    """Refuse a column name that is a typo of a known one (``-c nmae``)."""
    for name in names:
        if not name.strip():
            raise ColumnError("an empty column name")
        if known_column(name) is None:
            close = close_names(name, column_names())
            if close:
                raise ColumnError(f"unknown column {name!r}{_did_you_mean(close)}")


def check_columns_present(columns: Sequence[Column], records: Sequence[Mapping[str, Any]]) -> None:
    """A custom-property column that no listed image has is most likely a typo."""
    if not records:
        return
    for column in columns:
        if known_column(column.key) is not None or any(column.key in r for r in records):
            continue
        keys = {str(k) for r in records for k in r}
        raise ColumnError(
            f"unknown column {column.key!r}: not a heading, a field, nor a property of any image listed"
            + _did_you_mean(close_names(column.key, keys | set(column_names())))
        )


def columns_for(names: Sequence[str] | None, long: bool) -> tuple[Column, ...]:
    if names:
        check_column_names(names)
        return tuple(resolve_column(n) for n in names)
    return LONG_COLUMNS if long else DEFAULT_COLUMNS


def _sort_value(value: Any) -> tuple[int, Any]:
    # Missing values last; numbers before text so that mixed columns still sort.
    if value is None:
        return (2, "")
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        return (0, value)
    return (1, str(value).lower() if not isinstance(value, (list, tuple)) else ",".join(map(str, value)))


def _sort_key(key: str) -> Callable[[Any], tuple[int, Any]]:
    return lambda image: _sort_value(_record(image).get(key))


def sorted_images(images: Iterable[Any], names: Sequence[str], descending: bool = False) -> list[Any]:
    """The images ordered by the given columns, as the openstack CLI's
    ``--sort-column`` does it: on the client, after the query."""
    check_column_names(names)
    keys = [resolve_column(n).key for n in names]
    items = list(images)
    for key in reversed(keys):
        present = [i for i in items if _record(i).get(key) is not None]
        missing = [i for i in items if _record(i).get(key) is None]
        present.sort(key=_sort_key(key), reverse=descending)
        # As `order by`: nulls first ascending, last descending (docs/language.md).
        items = present + missing if descending else missing + present
    return items


def _record(image: Any) -> Mapping[str, Any]:
    raw = getattr(image, "raw", image)
    return raw if isinstance(raw, Mapping) else {}


def _placed(image: Any, places: Sequence[str]) -> Mapping[str, Any]:
    """The image's record with where it lives added (``region``, ``cloud``)."""
    record = _record(image)
    where = {name: getattr(image, name, None) for name in places}
    return {**record, **{name: value for name, value in where.items() if value is not None or name not in record}}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _object(record: Mapping[str, Any], columns: Sequence[Column] | None) -> dict[str, Any]:
    if columns is None:
        return {str(k): _jsonable(v) for k, v in record.items()}
    return {c.key: _jsonable(record.get(c.key)) for c in columns}


def yaml_module() -> ModuleType:
    return optional_module("yaml", needed_for="YAML output", extra="cli")


class Writer:
    """Writes images in one format to ``out``; ``selected`` are the -c columns."""

    def __init__(
        self,
        fmt: str,
        out: TextIO,
        *,
        selected: Sequence[str] | None = None,
        long: bool = False,
        use_rich: bool = True,
        width: int | None = None,
        err: TextIO | None = None,
        one: bool = False,
        noindent: bool = False,
        quote: str = "minimal",
        keep_formulas: bool = False,
        print_empty: bool = False,
        places: Sequence[str] = (),
    ) -> None:
        if fmt not in FORMATS:
            raise Error(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
        if quote not in QUOTING:
            raise Error(f"unknown quoting {quote!r}; choose one of: {', '.join(QUOTING)}")
        self.fmt = fmt
        self.out = out
        self.err = err if err is not None else sys.stderr
        self.columns = columns_for(selected, long)
        # Where each image lives ("region", "cloud"), shown when the query ran
        # in several places: a column after the first, and a key of each object.
        self.places = tuple(places)
        keys = {column.key for column in self.columns}
        shown = tuple(resolve_column(name) for name in self.places if name not in keys)
        if shown:
            # Chosen columns too: rows from two regions must not look the same.
            self.columns = (*self.columns[:1], *shown, *self.columns[1:])
        # Where an image lives is an attribute of the Image, not a key of its
        # record: added wherever it is shown, with one place or several.
        self.attached = tuple(
            name for name in ("region", "cloud") if name in self.places or any(c.key == name for c in self.columns)
        )
        # Columns the person asked for are never left out silently: a table
        # that cannot hold them becomes one block per image instead.
        self.may_drop = not selected and not long
        # json and yaml give whole records unless columns were chosen.
        self.object_columns: tuple[Column, ...] | None = tuple(self.columns) if selected else None
        self.use_rich = use_rich
        self.width = width
        self.one = one
        self.noindent = noindent
        self.quote = quote
        self.keep_formulas = keep_formulas
        self.print_empty = print_empty
        self.count = 0
        self.progress: Progress | None = None

    def write(self, images: Iterable[Any], progress: Progress | None = None) -> int:
        """Write every image; returns how many. A KeyboardInterrupt is
        re-raised after what was already read has been written properly.
        ``progress`` is closed before a table is drawn."""
        self.progress = progress
        handler = getattr(self, f"_write_{self.fmt}")
        if self.attached:
            images = (_placed(image, self.attached) for image in images)
        result: int = handler(iter(images))
        return result

    # Streaming formats ------------------------------------------------------

    def _write_json(self, images: Iterator[Any]) -> int:
        out = self.out
        indent = None if self.noindent else 2
        if self.one:
            # --one answers with the image itself, not a list of one.
            for image in images:
                out.write(json.dumps(_object(_record(image), self.object_columns), indent=indent, ensure_ascii=False))
                out.write("\n")
                self.count += 1
            out.flush()
            return self.count
        out.write("[")
        try:
            for image in images:
                text = json.dumps(_object(_record(image), self.object_columns), indent=indent, ensure_ascii=False)
                if self.noindent:
                    out.write((", " if self.count else "") + text)
                else:
                    out.write(("," if self.count else "") + "\n  " + text.replace("\n", "\n  "))
                self.count += 1
                out.flush()
        finally:
            out.write("\n]\n" if self.count and not self.noindent else "]\n")
            out.flush()
        return self.count

    def _write_yaml(self, images: Iterator[Any]) -> int:
        yaml = yaml_module()
        out = self.out
        try:
            for image in images:
                obj = _object(_record(image), self.object_columns)
                document = obj if self.one else [obj]
                out.write(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False))
                self.count += 1
                out.flush()
        finally:
            if not self.count:
                out.write("[]\n")
            out.flush()
        return self.count

    def _write_csv(self, images: Iterator[Any]) -> int:
        quoting = QUOTING[self.quote]
        writer = csv.writer(self.out, lineterminator="\n", quoting=quoting, escapechar="\\")
        writer.writerow([c.header for c in self.columns])
        for image in images:
            record = _record(image)
            writer.writerow([self._csv_cell(record, c.key, quoting, self.keep_formulas) for c in self.columns])
            self.count += 1
            self.out.flush()
        return self.count

    @staticmethod
    def _csv_cell(record: Mapping[str, Any], key: str, quoting: int, keep_formulas: bool = False) -> Any:
        value = record.get(key)
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        # Numbers stay numbers, so that --quote nonnumeric leaves them bare.
        if quoting == csv.QUOTE_NONNUMERIC and number:
            return value
        text = visible(cell_text(record, key, human=False), keep_lines=True)
        if not keep_formulas and not number and text[:1] in _FORMULA_STARTS:
            # A spreadsheet would run `=HYPERLINK(...)`; a leading quote makes it text.
            return "'" + text
        return text

    def _write_value(self, images: Iterator[Any]) -> int:
        for image in images:
            record = _record(image)
            line = " ".join(cell_text(record, c.key, human=False, none="None") for c in self.columns)
            self.out.write(visible(line.replace("\n", " ")) + "\n")
            self.count += 1
            self.out.flush()
        return self.count

    # Tables -----------------------------------------------------------------

    def _write_table(self, images: Iterator[Any]) -> int:
        records: list[Mapping[str, Any]] = []
        interrupted = False
        try:
            for image in images:
                records.append(_record(image))
        except KeyboardInterrupt:
            interrupted = True
        self.count = len(records)
        if self.progress is not None:
            self.progress.close()
        check_columns_present(self.columns, records)
        # As `openstack image list`: an empty listing prints nothing.
        if records or self.print_empty:
            self.out.write(self.table(records))
        self.out.flush()
        if interrupted:
            raise KeyboardInterrupt
        return self.count

    def layout(self, records: Sequence[Mapping[str, Any]]) -> TableLayout:
        rows = [[cell_text(r, c.key) for c in self.columns] for r in records]
        layout = fit_table(self.columns, rows, self.width, may_drop=self.may_drop)
        if layout.dropped:
            names = ", ".join(c.header for c in layout.dropped)
            self.err.write(
                f"note: {names} left out to fit {self.width} columns; "
                "show them with -c COLUMN, --long, -f yaml or --max-width 0\n"
            )
            self.err.flush()
        return layout

    def table(self, records: Sequence[Mapping[str, Any]]) -> str:
        layout = self.layout(records)
        if layout.blocks:
            return block_text(records, layout.columns, self.width) + "\n"
        rich_table = self._rich_table(records, layout) if self.use_rich else None
        if rich_table is not None:
            return rich_table
        return plain_table(records, self.columns, layout=layout) + "\n"

    def _rich_table(self, records: Sequence[Mapping[str, Any]], layout: TableLayout) -> str | None:
        try:
            from rich import box
            from rich.console import Console
            from rich.table import Table
        except ImportError:
            return None
        is_tty = _isatty(self.out)
        table = Table(box=box.ROUNDED if is_tty else box.ASCII2, header_style="bold" if is_tty else "", pad_edge=True)
        for column, width in zip(layout.columns, layout.widths, strict=True):
            numeric = column.key in ("size", "virtual_size", "min_ram", "min_disk")
            # Widths come from fit_table: rich only draws them.
            table.add_column(column.header, width=width, overflow="fold", justify="right" if numeric else "left")
        for record in records:
            # Wrapped here as the plain table wraps (at spaces and hyphens):
            # rich's own fold would cut a name mid-word.
            cells = (cell_text(record, c.key) for c in layout.columns)
            table.add_row(
                *("\n".join(wrap_cell(cell, width)) for cell, width in zip(cells, layout.widths, strict=True)),
                end_section=False,
            )
        console = Console(
            file=self.out,
            width=max(layout.width, 1),
            force_terminal=is_tty,
            no_color=not is_tty or "NO_COLOR" in os.environ,
            highlight=False,
            soft_wrap=False,
        )
        with console.capture() as capture:
            console.print(table, markup=False)
        return capture.get()


# What a spreadsheet reads as the start of a formula (tab and CR included, as OWASP lists them).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def table_width(out: Any, max_width: int | None = None, fit_width: bool = False) -> int | None:
    """The width a table must fit (None: no limit), as the openstack CLI's
    ``--max-width`` (0 turns fitting off) and ``--fit-width`` decide it."""
    if max_width is not None and max_width <= 0:
        return None
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        width: int | None = int(columns)
    elif _isatty(out):
        width = terminal_width(out)
    elif fit_width or max_width:
        width = _any_terminal_width()
    else:
        width = None  # piped into a file or a pager: do not cut or wrap values
    if max_width:
        width = min(width, max_width) if width else max_width
    return width


def _any_terminal_width() -> int:
    for stream in (sys.stderr, sys.stdin):
        if _isatty(stream):
            try:
                return os.get_terminal_size(stream.fileno()).columns
            except (OSError, ValueError, AttributeError):
                continue
    return 80


def terminal_width(stream: Any = None) -> int:
    """The width to draw tables at: the terminal's, COLUMNS, or wide when piped."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if stream is not None and _isatty(stream):
        try:
            return os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            pass
    # Piped into a file or a pager: do not cut or wrap values.
    return 4096


# --------------------------------------------------------------------------- progress


class Progress:
    """Pages and images so far, on stderr, only when stderr is a terminal.

    ``page()`` may be called from worker threads (concurrent requests)."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None, label: str = "listing") -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _isatty(self.stream) if enabled is None else enabled
        self.label = label
        self.pages = 0
        self.images = 0
        self._lock = threading.Lock()
        self._last = 0.0
        self._shown = False
        self._status: Any = None

    def __enter__(self) -> Progress:
        if self.enabled:
            try:
                from rich.console import Console

                console = Console(file=self.stream, stderr=True)
                self._status = console.status(self._text(), spinner="dots")
                self._status.start()
            except ImportError:
                self._status = None
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _text(self) -> str:
        pages = f"{self.pages} page{'' if self.pages == 1 else 's'}, " if self.pages else ""
        return f"{self.label}: {pages}{self.images} image{'' if self.images == 1 else 's'} so far"

    def page(self) -> None:
        with self._lock:
            self.pages += 1
        self._show()

    def image(self) -> None:
        self.images += 1
        self._show()

    def _show(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        if self._status is not None:
            self._status.update(self._text())
        else:
            self.stream.write("\r\x1b[2K" + self._text())
            self.stream.flush()
            self._shown = True

    def close(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
        elif self._shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._shown = False

    def track(self, images: Iterable[Any]) -> Iterator[Any]:
        for image in images:
            self.image()
            yield image
