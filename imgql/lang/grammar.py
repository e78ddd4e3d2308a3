"""Finding the grammar file, ``imgql.lark``, the language's single source of truth.

An installed imgql carries it as the ``imgql.grammar`` package (``grammar/``
mapped in by ``pyproject.toml``). Code imported straight from a checkout (the
repository root on ``sys.path``) has no such package, so the repository's own
``grammar/imgql.lark`` next to ``imgql/`` is read instead.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from ..errors import Error

__all__ = ["GRAMMAR_FILE", "grammar_text"]

GRAMMAR_FILE = "imgql.lark"

_CHECKOUT_GRAMMAR = Path(__file__).resolve().parents[2] / "grammar" / GRAMMAR_FILE


@functools.lru_cache(maxsize=1)
def grammar_text() -> str:
    """The grammar's text; an :class:`imgql.Error` saying what to do when it cannot be found."""
    tried: list[str] = []
    try:
        packaged = resources.files("imgql.grammar").joinpath(GRAMMAR_FILE)
        text = packaged.read_text(encoding="utf-8")
        if text.strip():
            return text
        tried.append(f"{packaged} (empty)")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError, OSError) as exc:
        tried.append(f"the package imgql.grammar ({type(exc).__name__})")
    try:
        return _CHECKOUT_GRAMMAR.read_text(encoding="utf-8")
    except OSError as exc:
        tried.append(f"{_CHECKOUT_GRAMMAR} ({exc.strerror or exc})")
    raise Error(
        "cannot find the query grammar (imgql.lark); looked in " + " and ".join(tried) + ". "
        "Reinstall imgql (pip install --force-reinstall imgql), or run from a full checkout "
        "that has grammar/imgql.lark beside imgql/."
    )
