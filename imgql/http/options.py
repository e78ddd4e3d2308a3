"""How a client behaves, as one value: :class:`ClientOptions`.

Both clients take the same settings; they are checked here, once, whether
they come as keyword arguments (``Client(endpoint, token, timeout=5)``) or as
a ready value (``Client(endpoint, token, options=ClientOptions(timeout=5))``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import httpx

from ..errors import ConfigError
from ..plan.capabilities import Profile, get_profile
from .bounded import DEFAULT_MAX_RESPONSE_BYTES
from .credentials import Auth
from .long_lists import DEFAULT_MAX_URL_LENGTH
from .retry import DEFAULT_RETRIES, RetryPolicy

__all__ = ["DEFAULT_CONCURRENCY", "DEFAULT_TIMEOUT", "UNSET", "ClientOptions", "Timeout"]

DEFAULT_TIMEOUT = 30.0
# How many requests of a union run at once.
DEFAULT_CONCURRENCY = 4


class _Unset(enum.Enum):
    UNSET = "unset"


# "Not given": a client we make gets DEFAULT_TIMEOUT, a caller's client keeps its own.
UNSET = _Unset.UNSET

Timeout = float | httpx.Timeout | None


def _whole(least: int, name: str) -> Any:
    def check(_: object, __: object, value: object) -> None:
        # bool is an int to Python, not to a person writing concurrency=True.
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise ConfigError(f"{name} must be a whole number of at least {least}, not {value!r}")

    return check


def _optional_whole(least: int, name: str) -> Any:
    check = _whole(least, name)

    def optional(instance: object, attribute: object, value: object) -> None:
        if value is not None:
            check(instance, attribute, value)

    return optional


def _optional_callable(name: str) -> Any:
    def check(_: object, __: object, value: object) -> None:
        if value is not None and not callable(value):
            raise ConfigError(f"{name} must be a function or None, not {type(value).__name__}")

    return check


def _optional_seconds(name: str) -> Any:
    def check(_: object, __: object, value: object) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ConfigError(f"{name} must be a number of seconds above 0, or None, not {value!r}")

    return check


@attrs.frozen
class ClientOptions:
    """The settings of a :class:`~imgql.Client` or :class:`~imgql.AsyncClient`.

    ``profile``: what the server is assumed to understand (``glance``,
    ``documented``, ``none``). ``page_size``: the largest page asked for
    (default: the profile's, or the query's limit when one request answers
    it). ``cloud``, ``region``, ``interface``: where credentials and the image
    endpoint come from (clouds.yaml, the Keystone catalog). ``auth``: an
    :class:`~imgql.http.credentials.Auth` instead of endpoint, token and
    cloud. ``verify``: True, False or a CA bundle path, winning over
    ``OS_INSECURE``, ``OS_CACERT`` and the cloud's clouds.yaml settings
    (default None: those decide; True without them). ``timeout``: seconds
    per request (default 30, or the given httpx client's own). ``retries``:
    how many times a failed page is tried again. ``concurrency``: how many
    requests of a union run at once. ``user_agent``: your application's
    product token (``myapp/1.2``), sent before imgql's own in ``User-Agent``
    (default: the given httpx client's, unless it is httpx's default).
    ``timeout`` is also each request's total time: connect, wait and read
    together, however slowly a server trickles (an ``httpx.Timeout``: the
    largest of its phases). ``query_timeout``: the seconds a whole query may
    take, every request, retry and wait included (default None: no limit);
    past it the query fails with :class:`imgql.ConnectionError`.
    ``max_response_bytes``: the largest answer read (default 64 MiB, far
    above a page of 1,000 images); a larger one is a ServiceError.
    ``max_url_length``: the longest request URL sent (default 7,000
    characters, under the 8 KiB common front ends accept); a request with a
    longer ``in:`` list is sent as several, with the same answer.
    ``partial``: a query over several regions or clouds answers from the
    places that answered, with an :class:`imgql.PartialAnswerWarning` for
    each that failed, instead of raising :class:`imgql.RegionError`.
    ``on_page``: a function called once for each page of images received
    from ``GET /v2/images`` (at every region and cloud of a query, in every
    request of a union and every fallback), with the number of image records
    on that page, before they are filtered; what it raises ends the query
    (an :class:`imgql.Error` at one place of several is that place's
    failure). For a progress display: ``on_page=lambda n: bar.update(n)``. With the
    asynchronous client it is called from the event loop, with the
    synchronous one from the thread that fetched the page.
    """

    profile: Profile = attrs.field(default=get_profile("glance"), converter=get_profile)
    page_size: int | None = attrs.field(default=None, validator=_optional_whole(1, "page_size"))
    cloud: str | None = None
    region: str | None = None
    interface: str | None = None
    auth: Auth | None = attrs.field(default=None, repr=False)
    verify: bool | str | None = None
    timeout: Timeout | _Unset = UNSET
    retries: int = attrs.field(default=DEFAULT_RETRIES, validator=_whole(0, "retries"))
    concurrency: int = attrs.field(default=DEFAULT_CONCURRENCY, validator=_whole(1, "concurrency"))
    user_agent: str | None = None
    # A query over several regions or clouds answers without the places that
    # fail (a PartialAnswerWarning each) instead of failing with RegionError.
    partial: bool = False
    # The time a whole query may take (every request, retry and wait), in seconds.
    query_timeout: float | None = attrs.field(default=None, validator=_optional_seconds("query_timeout"))
    # The longest request URL (path and query) sent; a longer request's
    # longest in: list is split over several requests.
    max_url_length: int = attrs.field(default=DEFAULT_MAX_URL_LENGTH, validator=_whole(256, "max_url_length"))
    # The largest answer read from the Images API or Keystone, in bytes.
    max_response_bytes: int = attrs.field(
        default=DEFAULT_MAX_RESPONSE_BYTES, validator=_whole(1024, "max_response_bytes")
    )
    # Told the number of image records of each listing page received.
    on_page: Callable[[int], None] | None = attrs.field(
        default=None, repr=False, validator=_optional_callable("on_page")
    )

    @classmethod
    def build(cls, options: ClientOptions | None, settings: Mapping[str, Any]) -> ClientOptions:
        """``options`` (or the defaults) with the keyword ``settings`` laid over it."""
        names = {field.name for field in attrs.fields(cls)}
        unknown = sorted(set(settings) - names)
        if unknown:
            # A misspelt setting is a programming mistake, as for any keyword argument.
            raise TypeError(f"unknown client setting(s): {', '.join(unknown)}; known: {', '.join(sorted(names))}")
        base = options if options is not None else cls()
        return attrs.evolve(base, **settings) if settings else base

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(retries=self.retries)
