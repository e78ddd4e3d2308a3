"""Seed a running Glance with the catalog from :mod:`catalog`, then read back what an admin sees."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from .auth import ADMIN_ROLES, MEMBER_ROLES, auth_headers
from .catalog import CALLER, PROJECTS, ImageSpec, build_specs

Image = dict[str, Any]


@dataclass(frozen=True)
class SeededCatalog:
    """What an admin sees of every image, and the caller project's memberships.

    ``boundaries[k]`` is an instant (whole second, ``Z``) strictly after every
    image of batch k and strictly before every image of batch k+1.
    """

    images: tuple[Image, ...]
    memberships: Mapping[str, str]
    caller_project: str
    projects: tuple[str, ...]
    boundaries: tuple[str, ...]
    deleted_id: str
    seconds: float = field(default=0.0, compare=False)

    def by_id(self) -> dict[str, Image]:
        return {image["id"]: image for image in self.images}


def admin_headers(project: str) -> dict[str, str]:
    # Admin acting inside the owning project, so the owner is set by the server.
    return auth_headers(project, user=f"admin-{project}", roles=ADMIN_ROLES)


def seed(base_url: str, *, count: int = 300, batches: int = 3, seed: int = 20240611, workers: int = 1) -> SeededCatalog:
    # One writer: concurrent writes into Glance's SQLite database fail with
    # "database is locked" (a deferred transaction cannot upgrade its lock),
    # whatever the busy timeout.
    started = time.monotonic()
    specs = build_specs(count, batches=batches, seed=seed)
    with httpx.Client(base_url=base_url, timeout=60) as client, ThreadPoolExecutor(workers) as pool:
        boundaries: list[str] = []
        for batch in range(batches):
            if batch:
                boundary = _boundary_after(client, [s for s in specs if s.batch == batch - 1])
                boundaries.append(_format(boundary))
                # The next batch starts in a later second than the boundary, so the
                # boundary falls strictly between the batches both as an instant and
                # as the whole seconds the API shows.
                wake = boundary + dt.timedelta(seconds=1.05)
                time.sleep(max(1.1, (wake - dt.datetime.now(dt.timezone.utc)).total_seconds()))
            list(pool.map(lambda s: _create(client, s), [s for s in specs if s.batch == batch]))
        deleted_id = _create_deleted(client)
        catalog = read_catalog(client, boundaries=tuple(boundaries), deleted_id=deleted_id)
    return dataclasses.replace(catalog, seconds=time.monotonic() - started)


def read_catalog(client: httpx.Client, *, boundaries: tuple[str, ...] = (), deleted_id: str = "") -> SeededCatalog:
    """What an admin sees of a (seeded) Glance, with the caller's memberships."""
    images = tuple(list_all(client, admin_headers(CALLER), {"visibility": "all", "member_status": "all"}))
    return SeededCatalog(
        images=images,
        memberships=_caller_memberships(client, images),
        caller_project=CALLER,
        projects=PROJECTS,
        boundaries=boundaries,
        deleted_id=deleted_id,
    )


def _check(response: httpx.Response, what: str) -> httpx.Response:
    if response.status_code >= 300:
        raise RuntimeError(f"{what}: {response.status_code} {response.text[:500]}")
    return response


def _create(client: httpx.Client, spec: ImageSpec) -> None:
    headers = admin_headers(spec.owner)
    _check(client.post("/v2/images", json=spec.create_body(), headers=headers), f"create {spec.id}")
    if spec.size is not None:
        upload = {**headers, "Content-Type": "application/octet-stream"}
        _check(client.put(f"/v2/images/{spec.id}/file", content=spec.data(), headers=upload), f"upload {spec.id}")
    if spec.deactivate:
        _check(client.post(f"/v2/images/{spec.id}/actions/deactivate", headers=headers), f"deactivate {spec.id}")
    for member, status in spec.members:
        path = f"/v2/images/{spec.id}/members"
        _check(client.post(path, json={"member": member}, headers=headers), f"add member {spec.id}")
        if status != "pending":
            # Only the member itself may accept or reject.
            as_member = auth_headers(member, roles=MEMBER_ROLES)
            _check(client.put(f"{path}/{member}", json={"status": status}, headers=as_member), f"member {spec.id}")


def _boundary_after(client: httpx.Client, batch: list[ImageSpec]) -> dt.datetime:
    latest = max(
        _parse(_check(client.get(f"/v2/images/{s.id}", headers=admin_headers(s.owner)), "get").json()["created_at"])
        for s in batch
    )
    # created_at is shown truncated to the second (the database keeps microseconds).
    return latest + dt.timedelta(seconds=1)


def _create_deleted(client: httpx.Client) -> str:
    headers = admin_headers(CALLER)
    image = _check(client.post("/v2/images", json={"name": "deleted"}, headers=headers), "create").json()
    _check(client.delete(f"/v2/images/{image['id']}", headers=headers), "delete")
    return str(image["id"])


def list_all(
    client: httpx.Client, headers: Mapping[str, str], params: Mapping[str, str] | None = None, *, page: int = 1000
) -> Iterator[Image]:
    """Every image of a listing, hidden and not, paged by marker (never by ``next``).

    Without an explicit ``os_hidden`` both the hidden and non-hidden listings are read.
    """
    base = dict(params or {})
    hidden_values = [base.pop("os_hidden")] if "os_hidden" in base else ["false", "true"]
    for hidden in hidden_values:
        yield from list_pages(client, headers, [*base.items(), ("os_hidden", hidden)], page=page)


def list_pages(
    client: httpx.Client, headers: Mapping[str, str], params: list[tuple[str, str]], *, page: int = 1000
) -> Iterator[Image]:
    marker: str | None = None
    while True:
        query: list[tuple[str, str | int | float | bool | None]] = [*params, ("limit", str(page))]
        if marker:
            query.append(("marker", marker))
        body = _check(client.get("/v2/images", params=query, headers=headers), f"list {query}").json()
        yield from body["images"]
        if not body["images"] or "next" not in body:
            return
        marker = body["images"][-1]["id"]


def _caller_memberships(client: httpx.Client, images: tuple[Image, ...]) -> dict[str, str]:
    memberships: dict[str, str] = {}
    for image in images:
        if image["visibility"] != "shared":
            continue
        members = _check(
            client.get(f"/v2/images/{image['id']}/members", headers=admin_headers(image["owner"])), "members"
        ).json()["members"]
        for member in members:
            if member["member_id"] == CALLER:
                memberships[image["id"]] = member["status"]
    return memberships


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _format(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
