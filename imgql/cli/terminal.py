"""The terminal the command line writes to: whether a stream is one, and the
width a table must fit (as the openstack CLI's ``--max-width`` and
``--fit-width`` decide it)."""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["isatty", "table_width", "terminal_width"]


def isatty(stream: Any) -> bool:
    """Whether ``stream`` is a terminal (False for anything without a file behind it)."""
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
    elif isatty(out):
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
        if isatty(stream):
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
    if stream is not None and isatty(stream):
        try:
            return os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            pass
    # Piped into a file or a pager: do not cut or wrap values.
    return 4096
