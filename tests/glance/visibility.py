"""Which images a non-admin caller's listing holds, computed from the admin's view."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .seed import SeededCatalog


def visible_to_caller(
    seeded: SeededCatalog,
    *,
    visibility: str | None = None,
    member_status: str | None = "accepted",
    hidden: bool | None = False,
) -> list[dict[str, Any]]:
    """The images of ``GET /v2/images`` for the caller project with these parameters.

    ``None`` means the parameter is not sent (member_status then defaults to
    accepted, os_hidden to false).
    """
    wanted_status = member_status or "accepted"
    caller = seeded.caller_project
    return [
        image
        for image in seeded.images
        if bool(image["os_hidden"]) == bool(hidden)
        and _in_scope(image, caller, seeded.memberships.get(image["id"]), visibility, wanted_status)
    ]


def _in_scope(
    image: dict[str, Any], caller: str, membership: str | None, visibility: str | None, member_status: str
) -> bool:
    own = image["owner"] == caller
    kind = image["visibility"]
    if visibility not in (None, "all") and kind != visibility:
        return False
    shared_with_me = kind == "shared" and membership is not None and member_status in ("all", membership)
    if kind == "public" or own or shared_with_me:
        return True
    # Other projects' community images only when asked for explicitly.
    return kind == "community" and visibility in ("community", "all")


def ids(images: Iterable[dict[str, Any]]) -> set[str]:
    return {image["id"] for image in images}
