"""Every error imgql raises is an :class:`Error`.

Errors about query text carry where in the text they happened (``line`` and
``column`` are 1-based, ``offset`` is 0-based) and render the offending line
with a caret under the spot, so a person can fix the query without counting
characters.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from .untrusted import shortened

__all__ = [
    "AuthenticationError",
    "BadRequest",
    "CatalogError",
    "ConfigError",
    "ConfigQueryError",
    "ConnectionError",
    "EndpointError",
    "Error",
    "FileError",
    "Forbidden",
    "IncompleteQueryError",
    "InvalidPatternError",
    "InvalidValueError",
    "LikePatternWarning",
    "MultipleFound",
    "NotFound",
    "ParameterError",
    "PartialAnswerWarning",
    "PlanError",
    "QueryError",
    "QuerySyntaxError",
    "QueryWarning",
    "RegionError",
    "SearchBoxError",
    "ServiceError",
    "ServiceUnavailable",
    "TooComplexError",
    "UnknownFieldError",
    "UnknownFieldWarning",
    "line_and_column",
]


# The longest message an error carries; what is past it is cut, and counted.
MAX_MESSAGE = 2000


class Error(Exception):
    """Base class of every error raised by imgql."""

    def __init__(self, message: str) -> None:
        # Whatever a message quotes (a query of a megabyte, a catalog of
        # thousands of endpoints), the message stays readable.
        message = shortened(message, MAX_MESSAGE)
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# The widest part of a query line shown under an error message.
_WINDOW = 100


class QueryError(Error):
    """A problem with the text of a query, at a known position."""

    def __init__(
        self,
        message: str,
        *,
        text: str = "",
        offset: int | None = None,
        line: int | None = None,
        column: int | None = None,
        end_offset: int | None = None,
    ) -> None:
        super().__init__(message)
        self.text = text
        if offset is not None and (line is None or column is None):
            line, column = line_and_column(text, offset)
        self.offset = offset
        self.end_offset = end_offset
        self.line = line
        self.column = column

    def __str__(self) -> str:
        if self.line is None or self.column is None:
            return self.message
        return f"{self.message} (line {self.line}, column {self.column})\n{self.caret()}"

    def caret(self) -> str:
        """The offending line of the query with a caret under the spot."""
        if self.line is None or self.column is None:
            return ""
        lines = self.text.split("\n")
        source_line = lines[self.line - 1] if 0 < self.line <= len(lines) else ""
        # Control characters would shift the caret or garble a terminal.
        shown = "".join(ch if ch.isprintable() or ch == "\t" else "?" for ch in source_line)
        width = 1
        if self.end_offset is not None and self.offset is not None:
            width = max(1, min(self.end_offset - self.offset, len(shown) - self.column + 1))
        # A long line (a generated query of thousands of conditions) is shown
        # as a window around the spot, so that the message stays readable.
        start, column = 0, self.column - 1
        if len(shown) > _WINDOW:
            start = max(0, min(column - _WINDOW // 2, len(shown) - _WINDOW))
            end = start + _WINDOW
            shown = ("…" if start else "") + shown[start:end] + ("…" if end < len(shown) else "")
            column = column - start + (1 if start else 0)
            width = max(1, min(width, len(shown) - column))
        pad = "".join("\t" if ch == "\t" else " " for ch in shown[:column])
        return f"  {shown}\n  {pad}{'^' * width}"

    def located(self) -> dict[str, Any]:
        """Position data as a plain dict (for JSON error reports)."""
        return {"message": self.message, "line": self.line, "column": self.column}


class QuerySyntaxError(QueryError):
    """The query text does not follow the grammar."""


class IncompleteQueryError(QuerySyntaxError):
    """The query text stopped before the query was complete."""


class InvalidValueError(QueryError):
    """A literal that does not fit its field: wrong type, unit, date or enum value."""


class UnknownFieldError(QueryError):
    """A field name that is not allowed where it was used."""


class InvalidPatternError(QueryError):
    """A regular expression that does not compile."""


class TooComplexError(QueryError):
    """A query nested deeper than imgql accepts."""


class QueryWarning(UserWarning):
    """Query text that is allowed but probably not what was meant. ``problem``
    is the :class:`QueryError` it becomes under ``imgql.parse(text, strict=True)``,
    with its position."""

    def __init__(self, problem: QueryError) -> None:
        super().__init__(str(problem))
        self.problem = problem


class UnknownFieldWarning(QueryWarning):
    """A field name close to a known one (``nmae``): read as a custom
    property, though a typo is likelier; an :class:`UnknownFieldError` when strict."""


class LikePatternWarning(QueryWarning):
    """A ``like`` pattern with SQL's ``%``: ``like`` uses ``*`` and ``?``;
    an :class:`InvalidPatternError` when strict."""


class SearchBoxError(Error, ValueError):
    """:func:`imgql.search_box` was given what it cannot read: text that is
    not a ``str`` or is longer than its limit, or a wrong ``allow`` or
    ``default_field`` (an unknown or misspelt field name)."""


class ParameterError(Error):
    """A bound parameter is missing, unused or of an unsupported type."""


class PlanError(Error):
    """A query that cannot be planned for the chosen profile."""


class NotFound(Error):
    """``one()`` found no image."""


class MultipleFound(Error):
    """``one()`` found more than one image."""


class CatalogError(Error):
    """A local catalog file that cannot be read."""


class ConfigError(Error):
    """Credentials or configuration that cannot be resolved."""


class ServiceError(Error):
    """The Images API answered with an error."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class BadRequest(ServiceError):
    """HTTP 400: the server refused the request's parameters (``.params``)."""

    def __init__(
        self, message: str, *, status_code: int | None = 400, params: tuple[tuple[str, str], ...] = ()
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.params = params


class AuthenticationError(ServiceError):
    """HTTP 401, or Keystone refused the credentials."""


class Forbidden(ServiceError):
    """HTTP 403: policy does not allow the request."""


class EndpointError(ServiceError):
    """HTTP 404 on the listing: the endpoint is not an Images API v2 root."""


class ServiceUnavailable(ServiceError):
    """The server kept failing after every retry."""


class ConnectionError(ServiceError, builtins.ConnectionError):  # noqa: A001 - the name users expect under imgql.
    """The server could not be reached, or the connection broke.

    Also a subclass of the built-in ConnectionError, so that code written
    with either name in scope (``from imgql import *`` shadows it) catches it.
    """


class RegionError(Error):
    """A query over several regions or clouds failed at one or more of them;
    ``failures`` pairs each place (``imgql.plan.locations.Location``) with
    the error it gave. Ask for partial answers (``partial=True``) to get the
    other places' images instead."""

    def __init__(self, failures: Sequence[tuple[Any, Error]]) -> None:
        self.failures: tuple[tuple[Any, Error], ...] = tuple(failures)
        lines = [f"the query failed in {place}: {error.message}" for place, error in self.failures]
        super().__init__("\n".join(lines))


class PartialAnswerWarning(UserWarning):
    """A query over several regions or clouds, run with ``partial=True``,
    answered without one of them: ``place`` says which, ``error`` why."""

    def __init__(self, place: Any, error: Error) -> None:
        super().__init__(f"no answer from {place}: {error.message}")
        self.place = place
        self.error = error


class ConfigQueryError(Error):
    """Some queries of a configuration could not be resolved; ``problems``
    lists every one of them (``imgql.cli.queryfiles.Problem``), in document order."""

    def __init__(self, problems: Sequence[Any]) -> None:
        self.problems: tuple[Any, ...] = tuple(problems)
        count = len(self.problems)
        head = f"{count} quer{'y' if count == 1 else 'ies'} in the configuration failed"
        body = "\n".join("\n".join("  " + line for line in str(p).split("\n")) for p in self.problems)
        super().__init__(head + ":\n" + body)


class FileError(Error):
    """A configuration file that cannot be read or parsed; ``diagnostic``
    (``imgql.cli.queryfiles.Diagnostic``) says where."""

    def __init__(self, diagnostic: Any) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a 0-based offset into ``text``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column
