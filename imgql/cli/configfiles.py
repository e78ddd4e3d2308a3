"""Reading configuration files (YAML, TOML, JSON) and what a problem at a
place in one looks like (``file:line:column``)."""

from __future__ import annotations

import importlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs

from ..errors import Error, FileError, ParameterError
from ..optional import optional_module
from ..untrusted import TooManyValues, load_yaml_documents
from .findqueries import Documents, find_queries

__all__ = ["Diagnostic", "count_queries", "file_kind", "load_file", "read_params", "yaml_module"]


@attrs.frozen
class Diagnostic:
    """A problem at a position in a file (1-based line and column)."""

    file: str
    line: int
    column: int
    message: str
    path: str = ""
    caret: str = ""
    error: Error | None = attrs.field(default=None, eq=False, repr=False)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: "
        what = f"{self.path}: {self.message}" if self.path else self.message
        return where + what + (f"\n{self.caret}" if self.caret else "")


def yaml_module() -> ModuleType:
    return optional_module("yaml", needed_for="reading YAML", extra="cli")


def _toml() -> ModuleType:
    for name in ("tomllib", "tomli"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise Error("reading TOML needs Python 3.11 or the tomli package")


def file_kind(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".toml":
        return "toml"
    if suffix == ".json":
        return "json"
    raise Error(f"{os.fspath(path)}: cannot tell the file's format from its name; use .yaml, .yml, .toml or .json")


def load_file(path: str | os.PathLike[str]) -> tuple[Any, str, str]:
    """The data of a YAML, TOML or JSON file, its text and its kind."""
    name = os.fspath(path)
    kind = file_kind(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise Error(f"cannot read {name}: {reason}") from None
    if kind == "json":
        try:
            return json.loads(text), text, kind
        except json.JSONDecodeError as exc:
            raise FileError(Diagnostic(name, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")) from None
    if kind == "toml":
        toml = _toml()
        try:
            return toml.loads(text), text, kind
        except toml.TOMLDecodeError as exc:
            message = str(exc)
            match = re.search(r"\(at line (\d+), column (\d+)\)", message)
            line, column = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message) if match else message
            raise FileError(Diagnostic(name, line, column, f"invalid TOML: {message}")) from None
    yaml = yaml_module()
    try:
        documents = load_yaml_documents(yaml, text)
    except TooManyValues as exc:
        raise FileError(Diagnostic(name, 1, 1, f"refused YAML: {exc}")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else 1
        raise FileError(Diagnostic(name, line, column, f"invalid YAML: {problem}")) from None
    if len(documents) > 1:
        return Documents(documents), text, kind
    return (documents[0] if documents else None), text, kind


def read_params(file: str | os.PathLike[str] | None, pairs: Iterable[tuple[str, str]] = ()) -> dict[str, Any]:
    """Bound parameters from a YAML, TOML or JSON file of ``name: value``, then
    from ``-p NAME=VALUE`` pairs (which win)."""
    params: dict[str, Any] = {}
    if file is not None:
        data, _text, _kind = load_file(file)
        if not isinstance(data, Mapping):
            raise ParameterError(f"{os.fspath(file)}: expected a mapping of parameter name -> value")
        for name, value in data.items():
            if not isinstance(value, (str, int, float, bool)):
                raise ParameterError(f"{os.fspath(file)}: ${name}: expected a text, number or boolean value")
            params[str(name).lstrip("$")] = value
    params.update(dict(pairs))
    return params


def count_queries(path: str | os.PathLike[str], keys: Iterable[str] | str | None = None) -> int:
    data, _text, _kind = load_file(path)
    return len(find_queries(data, keys)[0])
