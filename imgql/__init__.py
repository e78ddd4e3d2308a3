"""imgql: a query language for OpenStack images.

    >>> import imgql
    >>> q = imgql.parse("images where tag = lts and size < 5GB order by created_at desc limit 1")
    >>> str(q)
    'images where tag = lts and size < 5GB order by created_at desc limit 1'

Parsing and planning are pure and import no HTTP code; the clients load
httpx only when one is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .ast import Query
from .errors import (
    AuthenticationError,
    BadRequest,
    CatalogError,
    ConfigError,
    ConnectionError,
    EndpointError,
    Error,
    Forbidden,
    IncompleteQueryError,
    InvalidPatternError,
    InvalidValueError,
    MultipleFound,
    NotFound,
    ParameterError,
    PlanError,
    QueryError,
    QuerySyntaxError,
    ServiceError,
    ServiceUnavailable,
    TooComplexError,
    UnknownFieldError,
)
from .parser import parse

if TYPE_CHECKING:
    from .catalog import Catalog
    from .client import AsyncClient, Client
    from .image import Image
    from .plan import Plan
    from .search import search_box

__version__ = "0.1.0"

__all__ = [
    "AsyncClient",
    "AuthenticationError",
    "BadRequest",
    "Catalog",
    "CatalogError",
    "Client",
    "ConfigError",
    "ConnectionError",
    "EndpointError",
    "Error",
    "Forbidden",
    "Image",
    "IncompleteQueryError",
    "InvalidPatternError",
    "InvalidValueError",
    "MultipleFound",
    "NotFound",
    "ParameterError",
    "Plan",
    "PlanError",
    "Query",
    "QueryError",
    "QuerySyntaxError",
    "ServiceError",
    "ServiceUnavailable",
    "TooComplexError",
    "UnknownFieldError",
    "connect",
    "parse",
    "search_box",
]

# Loaded on first use, so that `import imgql; imgql.parse(...)` stays cheap.
_LAZY = {
    "Catalog": ".catalog",
    "Client": ".client",
    "AsyncClient": ".client",
    "connect": ".client",
    "Image": ".image",
    "Plan": ".plan",
    "search_box": ".search",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'imgql' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name, __name__), name)
    globals()[name] = value
    return value
