"""Finding the grammar file, ``imgql.lark``, the language's single source of truth.

Code imported from a checkout reads the repository's own ``grammar/imgql.lark``
beside ``imgql/`` (a checkout has no ``imgql/grammar`` package); an installed
imgql carries the file as the ``imgql.grammar`` package (``grammar/`` mapped in
by ``pyproject.toml``).
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
    # A checkout's own grammar first: an editable install maps imgql.grammar
    # to one checkout, and code imported from another must read its own.
    if _CHECKOUT_GRAMMAR.is_file():
        return _CHECKOUT_GRAMMAR.read_text(encoding="utf-8")
    try:
        packaged = resources.files("imgql.grammar").joinpath(GRAMMAR_FILE)
        text = packaged.read_text(encoding="utf-8")
        if text.strip():
            return text
        tried.append(f"{packaged} (empty)")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError, OSError) as exc:
        tried.append(f"the package imgql.grammar ({type(exc).__name__})")
    tried.append(str(_CHECKOUT_GRAMMAR))
    raise Error(
        "cannot find the query grammar (imgql.lark); looked in " + " and ".join(tried) + ". "
        "Reinstall imgql (pip install --force-reinstall imgql), or run from a full checkout "
        "that has grammar/imgql.lark beside imgql/."
    )
