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
    LikePatternWarning,
    MultipleFound,
    NotFound,
    ParameterError,
    PartialAnswerWarning,
    PlanError,
    QueryError,
    QuerySyntaxError,
    QueryWarning,
    RegionError,
    SearchBoxError,
    ServiceError,
    ServiceUnavailable,
    TooComplexError,
    UnknownFieldError,
    UnknownFieldWarning,
)
from .lang.ast import Query
from .lang.parser import parse
from .version import __version__

if TYPE_CHECKING:
    from .http.client import AsyncClient, Client
    from .lang.searchbox import search_box
    from .plan.plan import Plan
    from .run.catalog import Catalog
    from .run.image import Image


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
    "LikePatternWarning",
    "MultipleFound",
    "NotFound",
    "ParameterError",
    "PartialAnswerWarning",
    "Plan",
    "PlanError",
    "Query",
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
    "__version__",
    "connect",
    "parse",
    "search_box",
]

# Loaded on first use, so that `import imgql; imgql.parse(...)` stays cheap.
_LAZY = {
    "Catalog": ".run.catalog",
    "Client": ".http.client",
    "AsyncClient": ".http.client",
    "connect": ".http.client",
    "Image": ".run.image",
    "Plan": ".plan.plan",
    "search_box": ".lang.searchbox",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'imgql' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name, __name__), name)
    globals()[name] = value
    return value
