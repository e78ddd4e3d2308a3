"""The test cloud's layout as data: regions, image endpoints and their loopback addresses, accounts, images. No I/O."""

from __future__ import annotations

from dataclasses import dataclass

REGION_ONE = "RegionOne"
REGION_TWO = "RegionTwo"
# A region with no image endpoint: choosing it must fail with a clear message.
REGION_EMPTY = "RegionThree"
REGIONS: tuple[str, ...] = (REGION_ONE, REGION_TWO, REGION_EMPTY)

OTHER_DOMAIN = "Other"


@dataclass(frozen=True)
class ImageEndpoint:
    """One catalog entry of the image service. Every entry has its own loopback
    address, so the address a request arrives at tells which entry a client chose."""

    region: str
    interface: str
    address: str
    # How the URL ends: real clouds register Glance with and without the version.
    suffix: str

    def url(self, port: int) -> str:
        return f"http://{self.address}:{port}{self.suffix}"


IMAGE_ENDPOINTS: tuple[ImageEndpoint, ...] = (
    ImageEndpoint(REGION_ONE, "public", "127.0.0.2", ""),
    ImageEndpoint(REGION_ONE, "internal", "127.0.0.3", "/v2"),
    ImageEndpoint(REGION_ONE, "admin", "127.0.0.4", "/v2/"),
    ImageEndpoint(REGION_TWO, "public", "127.0.0.5", "/v2/"),
    ImageEndpoint(REGION_TWO, "internal", "127.0.0.6", ""),
    ImageEndpoint(REGION_TWO, "admin", "127.0.0.7", "/v2"),
)


def endpoint(region: str, interface: str) -> ImageEndpoint:
    return next(e for e in IMAGE_ENDPOINTS if e.region == region and e.interface == interface)


@dataclass(frozen=True)
class Project:
    name: str
    domain: str = "Default"

    @property
    def key(self) -> str:
        """Unique across domains: ``demo`` and ``Other/demo``."""
        return self.name if self.domain == "Default" else f"{self.domain}/{self.name}"


DEMO = Project("demo")
OTHER = Project("other")
SERVICE = Project("service")
# The same project name in another domain: only the domain tells them apart.
OTHER_DEMO = Project("demo", OTHER_DOMAIN)
PROJECTS: tuple[Project, ...] = (DEMO, OTHER, SERVICE, OTHER_DEMO)


@dataclass(frozen=True)
class Account:
    """A user with one role on one project: what an OpenStack user has in their openrc."""

    username: str
    password: str
    project: Project
    role: str
    domain: str = "Default"


# Passwords are long and unusual, so a test can search any text for them.
ALICE = Account("alice", "alice-Secret-9f3b2c71", DEMO, "member")
BOB = Account("bob", "bob-Secret-4e8a1d06", OTHER, "reader")
CAROL = Account("carol", "carol-Secret-7c2e5b93", OTHER_DEMO, "member", domain=OTHER_DOMAIN)
# A role Glance's policy does not know: listing images is forbidden (403).
DAVE = Account("dave", "dave-Secret-1a6f0e48", DEMO, "observer")
GLANCE_SERVICE = Account("glance", "glance-Secret-5d9c3a27", SERVICE, "admin")
ACCOUNTS: tuple[Account, ...] = (ALICE, BOB, CAROL, DAVE, GLANCE_SERVICE)

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin-Secret-8b4d2f60"
ADMIN_PROJECT = "admin"

IMAGES_PER_PROJECT = 3


def image_names(project: Project) -> tuple[str, ...]:
    """The private images seeded in ``project``; a listing's names tell which project it was scoped to."""
    prefix = project.key.replace("/", "-").lower()
    return tuple(f"{prefix}-image-{i}" for i in range(1, IMAGES_PER_PROJECT + 1))


# A public image every project sees.
PUBLIC_IMAGE = "shared-public-image"
SEEDED_PROJECTS: tuple[Project, ...] = (DEMO, OTHER, OTHER_DEMO)
