"""Clients for a live Images API v2: :class:`Client` (sync) and :class:`AsyncClient`.

    client = imgql.Client("https://glance.example:9292", token)
    for image in client.query("images where tag = lts order by created_at desc"):
        ...
    image = client.one("images where os_distro = ubuntu order by created_at desc limit 1")

A query is planned (pure, no network), then each of the plan's requests is
paged by :func:`imgql.http.paging.listing`, and :func:`imgql.run.answer.answer`
turns the streams into the answer. Both clients are thin shells over
:class:`imgql.http.core.ClientCore`, which plans, builds and reads every
request, logs and keeps credentials; a shell only sends, sleeps and runs a
union's requests at once (threads in :mod:`imgql.http.sync_client`, tasks in
:mod:`imgql.http.async_client`). Both take the same settings
(:class:`imgql.http.options.ClientOptions`, or the same keyword arguments).

Results stream: the first image is yielded after the first page, at most one
page per request is held (unless the plan sorts on the client), and no request
is made once the limit is met or the caller stops iterating. A union plan's
first pages are fetched concurrently (a small thread pool, or tasks); later
pages are fetched when the merge needs them, so a union makes exactly the
requests a sequential run would, only sooner. When the client must sort, it
needs every match anyway, so each request's listing is fetched to the end
concurrently.

Tokens are sent as ``X-Auth-Token`` and never appear in an error, a repr or
a log record; requests are logged at DEBUG on the ``imgql`` logger without
headers.
"""

from __future__ import annotations

from .async_client import AsyncClient
from .options import ClientOptions
from .sync_client import Client, connect

__all__ = ["AsyncClient", "Client", "ClientOptions", "connect"]
