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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import ModuleType
from typing import Any, TextIO

from ..errors import Error
from ..optional import optional_module
from ..run.results import DEFAULT_COLUMNS, LONG_COLUMNS, Column, cell_text, plain_table, resolve_column

FORMATS = ("table", "json", "yaml", "csv", "value")


def columns_for(names: Sequence[str] | None, long: bool) -> tuple[Column, ...]:
    if names:
        return tuple(resolve_column(n) for n in names)
    return LONG_COLUMNS if long else DEFAULT_COLUMNS


def _record(image: Any) -> Mapping[str, Any]:
    raw = getattr(image, "raw", image)
    return raw if isinstance(raw, Mapping) else {}


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
    ) -> None:
        if fmt not in FORMATS:
            raise Error(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
        self.fmt = fmt
        self.out = out
        self.columns = columns_for(selected, long)
        # json and yaml give whole records unless columns were chosen.
        self.object_columns: tuple[Column, ...] | None = tuple(self.columns) if selected else None
        self.use_rich = use_rich
        self.width = width
        self.count = 0
        self.progress: Progress | None = None

    def write(self, images: Iterable[Any], progress: Progress | None = None) -> int:
        """Write every image; returns how many. A KeyboardInterrupt is
        re-raised after what was already read has been written properly.
        ``progress`` is closed before a table is drawn."""
        self.progress = progress
        handler = getattr(self, f"_write_{self.fmt}")
        result: int = handler(iter(images))
        return result

    # Streaming formats ------------------------------------------------------

    def _write_json(self, images: Iterator[Any]) -> int:
        out = self.out
        out.write("[")
        try:
            for image in images:
                text = json.dumps(_object(_record(image), self.object_columns), indent=2, ensure_ascii=False)
                out.write(("," if self.count else "") + "\n  " + text.replace("\n", "\n  "))
                self.count += 1
                out.flush()
        finally:
            out.write("\n]\n" if self.count else "]\n")
            out.flush()
        return self.count

    def _write_yaml(self, images: Iterator[Any]) -> int:
        yaml = yaml_module()
        out = self.out
        try:
            for image in images:
                obj = _object(_record(image), self.object_columns)
                out.write(yaml.safe_dump([obj], sort_keys=False, allow_unicode=True, default_flow_style=False))
                self.count += 1
                out.flush()
        finally:
            if not self.count:
                out.write("[]\n")
            out.flush()
        return self.count

    def _write_csv(self, images: Iterator[Any]) -> int:
        writer = csv.writer(self.out, lineterminator="\n")
        writer.writerow([c.header for c in self.columns])
        for image in images:
            record = _record(image)
            writer.writerow([cell_text(record, c.key, human=False) for c in self.columns])
            self.count += 1
            self.out.flush()
        return self.count

    def _write_value(self, images: Iterator[Any]) -> int:
        for image in images:
            record = _record(image)
            line = " ".join(cell_text(record, c.key, human=False, none="None") for c in self.columns)
            self.out.write(line.replace("\n", " ") + "\n")
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
        self.out.write(self.table(records))
        self.out.flush()
        if interrupted:
            raise KeyboardInterrupt
        return self.count

    def table(self, records: Sequence[Mapping[str, Any]]) -> str:
        rich_table = self._rich_table(records) if self.use_rich else None
        if rich_table is not None:
            return rich_table
        return plain_table(records, self.columns) + "\n"

    def _rich_table(self, records: Sequence[Mapping[str, Any]]) -> str | None:
        try:
            from rich import box
            from rich.console import Console
            from rich.table import Table
        except ImportError:
            return None
        is_tty = _isatty(self.out)
        table = Table(box=box.ROUNDED if is_tty else box.ASCII2, header_style="bold" if is_tty else "", pad_edge=True)
        for column in self.columns:
            numeric = column.key in ("size", "virtual_size", "min_ram", "min_disk")
            table.add_column(
                column.header,
                no_wrap=column.key in ("id", "created_at", "updated_at", "status", "size"),
                overflow="fold",
                justify="right" if numeric else "left",
            )
        for record in records:
            table.add_row(*(cell_text(record, c.key) for c in self.columns), end_section=False)
        width = self.width or terminal_width(self.out)
        console = Console(
            file=self.out,
            width=width,
            force_terminal=is_tty,
            no_color=not is_tty or "NO_COLOR" in os.environ,
            highlight=False,
            soft_wrap=False,
        )
        with console.capture() as capture:
            console.print(table, markup=False)
        return capture.get()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


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
