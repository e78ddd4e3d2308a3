"""One page of a listing: sent, retried, re-authenticated, decoded.

:func:`fetch_page` is a part of the paging algorithm
(:func:`imgql.http.paging.listing` yields from it): it asks its driver to
send the page's request until a listing comes back, waiting before each
retry, and ends with the decoded page, with :class:`MarkerGone` when the
page's marker image was deleted meanwhile, or with the error that ends the
listing.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import attrs

from ..errors import ConnectionError, ServiceError, ServiceUnavailable
from ..records import Record
from ..untrusted import TooDeep, load_json
from .paging_effects import Effect, Fault, Params, Reauthenticate, Reply, Send, Wait
from .paging_errors import refusal, server_message
from .retry import RETRY_STATUSES, RetryPolicy, retry_after
from .server_text import status_phrase

__all__ = ["Listed", "MarkerGone", "fetch_page"]


@attrs.frozen
class Listed:
    """A page of the listing, decoded."""

    images: list[Record]
    has_next: bool
    endpoint: str


@attrs.frozen
class MarkerGone:
    """The server knows the page's marker no more (the image was deleted)."""

    message: str
    reply: Reply


def fetch_page(
    params: Params,
    marker: str | None,
    policy: RetryPolicy,
    can_refresh: bool,
    redact: Callable[[str], str],
) -> Generator[Effect, Any, Listed | MarkerGone]:
    """One page: the decoded body, or MarkerGone; retries, re-authentication and errors here."""
    attempt = 0
    refreshed = False
    while True:
        outcome = yield Send(params)
        if isinstance(outcome, Fault):
            wait = _after_fault(outcome, attempt, policy, redact)
        elif outcome.status == 200:
            body, problem = _decode(outcome.content)
            if body is not None:
                return Listed(body["images"], bool(body.get("next")), outcome.endpoint)
            wait = _after_invalid(outcome, problem, attempt, policy)
        elif outcome.status in RETRY_STATUSES:
            wait = _after_unavailable(outcome, attempt, policy, redact)
        elif outcome.status == 401 and can_refresh and not refreshed:
            refreshed = True
            yield Reauthenticate()
            continue
        else:
            return _refused(outcome, params, marker, refreshed, redact)
        yield wait
        attempt += 1


def _after_fault(fault: Fault, attempt: int, policy: RetryPolicy, redact: Callable[[str], str]) -> Wait:
    """The wait before trying again after ``fault``; a ConnectionError when no try is left."""
    if not fault.retryable or attempt >= policy.retries:
        tries = "" if not fault.retryable else f" (tried {attempt + 1} times)"
        raise ConnectionError(f"cannot reach the Images API at {fault.endpoint}: {redact(fault.reason)}{tries}")
    return Wait(policy.delay(attempt), fault.reason)


def _after_invalid(reply: Reply, problem: str, attempt: int, policy: RetryPolicy) -> Wait:
    """The wait before asking again for a page that could not be read."""
    if attempt >= policy.retries:
        raise ServiceError(
            f"the Images API at {reply.endpoint} sent an invalid listing ({problem}); tried {attempt + 1} times",
            status_code=200,
        )
    return Wait(policy.delay(attempt), f"invalid listing: {problem}")


def _after_unavailable(reply: Reply, attempt: int, policy: RetryPolicy, redact: Callable[[str], str]) -> Wait:
    """The wait after a 429 or a 5xx worth another try (honouring ``Retry-After``)."""
    status = reply.status
    if attempt >= policy.retries:
        message = redact(server_message(reply))
        raise ServiceUnavailable(
            f"the Images API at {reply.endpoint} is unavailable: HTTP {status} {status_phrase(status)}"
            f"{': ' + message if message else ''} (tried {attempt + 1} times)",
            status_code=status,
        )
    return Wait(policy.delay(attempt, retry_after(reply.headers)), f"HTTP {status}")


def _refused(
    reply: Reply, params: Params, marker: str | None, refreshed: bool, redact: Callable[[str], str]
) -> MarkerGone:
    """MarkerGone for a 400 about the page's marker; else the error that ends the listing."""
    message = redact(server_message(reply))
    if reply.status == 400 and marker is not None and ("no image found" in message.lower() or marker in message):
        return MarkerGone(message, reply)
    raise refusal(reply, message, params, refreshed, redact)


def _decode(content: bytes) -> tuple[dict[str, Any] | None, str]:
    """The listing body, or None and what is wrong with it."""
    try:
        body = load_json(content)
    except TooDeep as exc:
        return None, str(exc)
    except (ValueError, UnicodeDecodeError) as exc:
        return None, f"not JSON: {exc}" if content else "empty body"
    if not isinstance(body, dict):
        return None, f"expected a JSON object, got {type(body).__name__}"
    images = body.get("images")
    if not isinstance(images, list):
        return None, "no 'images' list"
    if not all(isinstance(image, dict) for image in images):
        return None, "an image that is not a JSON object"
    return body, ""
