"""Identity headers that the header-trusting pipeline turns into a request context."""

from __future__ import annotations

from collections.abc import Iterable

# Keystone would imply reader from member; with bare headers it must be sent.
MEMBER_ROLES: tuple[str, ...] = ("reader", "member")
ADMIN_ROLES: tuple[str, ...] = ("admin", "reader", "member")


def auth_headers(project: str, *, user: str | None = None, roles: Iterable[str] = MEMBER_ROLES) -> dict[str, str]:
    return {
        "X-Identity-Status": "Confirmed",
        "X-Project-Id": project,
        "X-User-Id": user or f"user-{project}",
        "X-Roles": ",".join(roles),
    }
