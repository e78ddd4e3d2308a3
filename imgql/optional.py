"""Importing the optional dependencies (PyYAML, TOML readers) with one message
saying which extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import Error

__all__ = ["optional_module"]


def optional_module(name: str, *, needed_for: str, extra: str, error: type[Error] = Error) -> ModuleType:
    """The module ``name``, or ``error`` naming the extra that brings it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise error(f"{needed_for} needs {_DISTRIBUTIONS.get(name, name)}: pip install 'imgql[{extra}]'") from None


_DISTRIBUTIONS = {"yaml": "PyYAML"}
