"""The errors a listing ends with, in plain words: what the Images API refused or got wrong."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import AuthenticationError, BadRequest, EndpointError, Forbidden, ServiceError
from ..untrusted import shortened, visible
from .credentials import display_endpoint
from .paging_effects import LISTING_PATH, Params, Reply, describe
from .server_text import server_message as plain_text
from .server_text import status_phrase

__all__ = ["bad_request", "cycle", "no_progress", "refusal", "server_message"]


def server_message(reply: Reply) -> str:
    """The human text of an error answer, in plain words (see :mod:`imgql.http.server_text`)."""
    return plain_text(reply.content, reply.status)


def refusal(reply: Reply, message: str, params: Params, refreshed: bool, redact: Callable[[str], str]) -> ServiceError:
    """The error for an answer that is neither a listing nor worth another try."""
    status = reply.status
    endpoint = reply.endpoint
    detail = f": {message}" if message else ""
    if status == 400:
        return bad_request(reply, message, params)
    if status == 401:
        again = " (a newly issued token was refused too)" if refreshed else ""
        return AuthenticationError(
            f"the Images API at {endpoint} refused the credentials (HTTP 401){detail}{again}; "
            "check the token and that it has not expired",
            status_code=status,
        )
    if status == 403:
        return Forbidden(
            f"the Images API at {endpoint} does not allow these credentials to list images (HTTP 403){detail}",
            status_code=status,
        )
    if status == 404:
        return EndpointError(
            f"no Images API v2 at {endpoint}: check the endpoint (GET {LISTING_PATH} answered HTTP 404)",
            status_code=status,
        )
    if 300 <= status < 400:
        location = reply.headers.get("location")
        where = f" to {visible(shortened(display_endpoint(redact(location))))}" if location else ""
        return EndpointError(
            f"the Images API at {endpoint} redirects{where} (HTTP {status}): use the endpoint it names",
            status_code=status,
        )
    return ServiceError(
        f"the Images API at {endpoint} answered HTTP {status} {status_phrase(status)}{detail}", status_code=status
    )


def bad_request(reply: Reply, message: str, params: Params) -> BadRequest:
    return BadRequest(
        f"the Images API at {reply.endpoint} refused the request: {message or 'HTTP 400 Bad Request'}\n"
        f"  request: GET {describe(params)}",
        status_code=reply.status,
        params=tuple(params),
    )


def cycle(endpoint: str, image_id: str) -> ServiceError:
    return ServiceError(
        f"the Images API at {endpoint} pages in a cycle: image {shortened(image_id, 60)}, already paged past, "
        "came again; the listing is stopped",
        status_code=200,
    )


def no_progress(endpoint: str) -> ServiceError:
    return ServiceError(
        f"the Images API at {endpoint} sent a page with no image not already returned, and says more "
        "follow; its paging is inconsistent for this request, the listing is stopped",
        status_code=200,
    )
