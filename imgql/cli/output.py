"""Writing images for the command line: table, json, yaml, csv and value.

Tables hold every row before they are drawn (they are sized to the terminal,
with rich when it is installed, plain ASCII otherwise). The other formats
stream: each image is written as it arrives, and an interrupted listing still
leaves valid output behind (a JSON list is closed).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import ModuleType
from typing import Any, Literal, TextIO

from ..errors import Error
from ..optional import optional_module
from ..run.results import Column, cell_text, resolve_column
from ..untrusted import visible
from .columns import check_columns_present, columns_for
from .columns import record_of as _record
from .progress import Progress
from .table import draw_table

__all__ = ["FORMATS", "QUOTING", "Writer", "yaml_module"]

FORMATS = ("table", "json", "yaml", "csv", "value")
QUOTING: dict[str, Literal[0, 1, 2, 3]] = {
    "all": csv.QUOTE_ALL,
    "minimal": csv.QUOTE_MINIMAL,
    "none": csv.QUOTE_NONE,
    "nonnumeric": csv.QUOTE_NONNUMERIC,
}


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

    def table(self, records: Sequence[Mapping[str, Any]]) -> str:
        return draw_table(
            records, self.columns, self.out, self.err, width=self.width, may_drop=self.may_drop, use_rich=self.use_rich
        )


# What a spreadsheet reads as the start of a formula (tab and CR included, as OWASP lists them).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
