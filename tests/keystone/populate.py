"""Fill a bootstrapped Keystone through its own API, then seed the Glance behind it with real tokens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx

from . import topology as t


class PopulateError(RuntimeError):
    pass


def _check(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code >= 300:
        raise PopulateError(f"{what}: {response.status_code} {response.text[:500]}")
    return response.json() if response.content else {}


def password_token(
    auth_url: str, username: str, password: str, project: t.Project, *, user_domain: str = "Default"
) -> str:
    """A project-scoped token, asked of Keystone as a client would."""
    return password_login(auth_url, username, password, project, user_domain=user_domain)[0]


def password_login(
    auth_url: str, username: str, password: str, project: t.Project, *, user_domain: str = "Default"
) -> tuple[str, dt.datetime]:
    """A project-scoped token and when it expires."""
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": username, "domain": {"name": user_domain}, "password": password}},
            },
            "scope": {"project": {"name": project.name, "domain": {"name": project.domain}}},
        }
    }
    response = httpx.post(f"{auth_url}/auth/tokens", json=body, timeout=30)
    expires_at = _check(response, f"token for {username}")["token"]["expires_at"]
    return response.headers["X-Subject-Token"], dt.datetime.fromisoformat(expires_at.replace("Z", "+00:00"))


def account_token(auth_url: str, account: t.Account) -> str:
    return account_login(auth_url, account)[0]


def account_login(auth_url: str, account: t.Account) -> tuple[str, dt.datetime]:
    return password_login(auth_url, account.username, account.password, account.project, user_domain=account.domain)


def admin_token(auth_url: str) -> str:
    return password_token(auth_url, t.ADMIN_USERNAME, t.ADMIN_PASSWORD, t.Project(t.ADMIN_PROJECT))


@dataclass(frozen=True)
class Population:
    domain_ids: dict[str, str]
    project_ids: dict[str, str]  # by Project.key
    user_ids: dict[str, str]  # by username
    app_credential_id: str
    app_credential_name: str
    app_credential_secret: str


class _Admin:
    """Keystone's admin API with a token of the bootstrap admin."""

    def __init__(self, auth_url: str) -> None:
        self.http = httpx.Client(base_url=auth_url, headers={"X-Auth-Token": admin_token(auth_url)}, timeout=30)

    def create(self, collection: str, kind: str, body: dict[str, Any]) -> str:
        created = _check(self.http.post(f"/{collection}", json={kind: body}), f"create {kind} {body.get('name')}")
        return str(created[kind]["id"])

    def find(self, collection: str, **filters: str) -> str:
        found = _check(self.http.get(f"/{collection}", params=filters), f"find {collection} {filters}")[collection]
        if len(found) != 1:
            raise PopulateError(f"expected one of {collection} with {filters}, found {len(found)}")
        return str(found[0]["id"])

    def grant(self, project_id: str, user_id: str, role_id: str) -> None:
        _check(self.http.put(f"/projects/{project_id}/users/{user_id}/roles/{role_id}"), "grant")


def populate(auth_url: str, glance_port: int) -> Population:
    """Domains, projects, users with roles, an application credential, and the image service's catalog."""
    admin = _Admin(auth_url)
    with admin.http:
        for region in t.REGIONS:
            if region != t.REGION_ONE:  # bootstrap made it
                admin.create("regions", "region", {"id": region})
        domains = {"Default": "default", t.OTHER_DOMAIN: admin.create("domains", "domain", {"name": t.OTHER_DOMAIN})}
        projects = {
            p.key: admin.create("projects", "project", {"name": p.name, "domain_id": domains[p.domain]})
            for p in t.PROJECTS
        }
        roles = {name: admin.find("roles", name=name) for name in ("admin", "member", "reader")}
        roles["observer"] = admin.create("roles", "role", {"name": "observer"})
        users = {}
        for account in t.ACCOUNTS:
            body = {"name": account.username, "password": account.password, "domain_id": domains[account.domain]}
            users[account.username] = admin.create("users", "user", body)
            admin.grant(projects[account.project.key], users[account.username], roles[account.role])
        # The admin seeds images inside each project, so Glance sets that project as the owner.
        admin_id = admin.find("users", name=t.ADMIN_USERNAME)
        for project in t.SEEDED_PROJECTS:
            admin.grant(projects[project.key], admin_id, roles["admin"])
        service = admin.create("services", "service", {"name": "glance", "type": "image"})
        for entry in t.IMAGE_ENDPOINTS:
            body = {
                "service_id": service,
                "region_id": entry.region,
                "interface": entry.interface,
                "url": entry.url(glance_port),
            }
            admin.create("endpoints", "endpoint", body)
    credential = _app_credential(auth_url, users[t.ALICE.username])
    return Population(
        domain_ids=domains,
        project_ids=projects,
        user_ids=users,
        app_credential_id=credential["id"],
        app_credential_name=credential["name"],
        app_credential_secret=credential["secret"],
    )


def _app_credential(auth_url: str, user_id: str) -> dict[str, str]:
    # Only the user may create their own application credential, scoped to the token's project.
    token = account_token(auth_url, t.ALICE)
    response = httpx.post(
        f"{auth_url}/users/{user_id}/application_credentials",
        json={"application_credential": {"name": "imgql-tests"}},
        headers={"X-Auth-Token": token},
        timeout=30,
    )
    return {k: str(v) for k, v in _check(response, "application credential")["application_credential"].items()}


def seed_images(auth_url: str, glance_url: str) -> dict[str, tuple[str, ...]]:
    """A few private images in each seeded project and one public image; returns names by project key."""
    seeded: dict[str, tuple[str, ...]] = {}
    with httpx.Client(base_url=glance_url, timeout=60) as glance:
        for project in t.SEEDED_PROJECTS:
            token = password_token(auth_url, t.ADMIN_USERNAME, t.ADMIN_PASSWORD, project)
            headers = {"X-Auth-Token": token}
            for name in t.image_names(project):
                _check(glance.post("/v2/images", json={"name": name, "visibility": "private"}, headers=headers), name)
            seeded[project.key] = t.image_names(project)
            if project == t.DEMO:
                body = {"name": t.PUBLIC_IMAGE, "visibility": "public"}
                _check(glance.post("/v2/images", json=body, headers=headers), t.PUBLIC_IMAGE)
    return seeded
