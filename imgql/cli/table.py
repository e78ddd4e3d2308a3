"""Tables on a terminal: the columns fitted to its width (columns left out
from the right, with a note, when the person chose none), drawn by rich when
it is installed and as plain ASCII otherwise."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from ..lang import fields as F
from ..run.results import Column, TableLayout, block_text, cell_text, fit_table, fit_widths, plain_table, wrap_cell
from .terminal import isatty

__all__ = ["draw_table", "fit_dropping"]

# Byte counts (the field catalog's BYTES fields) are right-aligned, as numbers.
_BYTE_COUNTS = frozenset(f.name for f in F.FIELDS if f.kind is F.Kind.BYTES)


def fit_dropping(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int | None
) -> tuple[TableLayout, tuple[Column, ...]]:
    """The layout of :func:`~imgql.run.results.fit_table`, with columns other
    than ID and Name left out from the right until the rest fit; and the
    columns left out."""
    kept = list(columns)
    dropped: list[Column] = []
    while True:
        widths = fit_widths(kept, [[row[columns.index(c)] for c in kept] for row in rows], width)
        if widths is not None:
            return TableLayout(tuple(kept), widths), tuple(dropped)
        removable = [c for c in kept if c.key not in ("id", "name")]
        if not removable:
            # Not even ID and Name fit: one block per record, every column in it.
            return TableLayout(tuple(columns), tuple(len(c.header) for c in columns), blocks=True), ()
        dropped.insert(0, removable[-1])
        kept.remove(removable[-1])


def draw_table(
    records: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    out: TextIO,
    err: TextIO,
    *,
    width: int | None,
    may_drop: bool,
    use_rich: bool = True,
) -> str:
    """The text of a table of ``records`` for ``out``, fitted to ``width``;
    a note on ``err`` names the columns left out (``may_drop``)."""
    rows = [[cell_text(r, c.key) for c in columns] for r in records]
    if may_drop:
        layout, dropped = fit_dropping(columns, rows, width)
    else:
        layout, dropped = fit_table(columns, rows, width), ()
    if dropped:
        names = ", ".join(c.header for c in dropped)
        err.write(
            f"note: {names} left out to fit {width} columns; "
            "show them with -c COLUMN, --long, -f yaml or --max-width 0\n"
        )
        err.flush()
    if layout.blocks:
        return block_text(records, layout.columns, width) + "\n"
    rich_table = _rich_table(records, layout, out) if use_rich else None
    if rich_table is not None:
        return rich_table
    return plain_table(records, columns, layout=layout) + "\n"


def _rich_table(records: Sequence[Mapping[str, Any]], layout: TableLayout, out: TextIO) -> str | None:
    """The table drawn by rich (None when rich is not installed): rounded on a terminal, ASCII elsewhere."""
    try:
        from rich import box
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        return None
    is_tty = isatty(out)
    table = Table(box=box.ROUNDED if is_tty else box.ASCII2, header_style="bold" if is_tty else "", pad_edge=True)
    for column, width in zip(layout.columns, layout.widths, strict=True):
        numeric = column.key in _BYTE_COUNTS
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
        file=out,
        width=max(layout.width, 1),
        force_terminal=is_tty,
        no_color=not is_tty or "NO_COLOR" in os.environ,
        highlight=False,
        soft_wrap=False,
    )
    with console.capture() as capture:
        console.print(table, markup=False)
    return capture.get()
