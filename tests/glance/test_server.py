from __future__ import annotations

import datetime as dt
from collections import Counter

import httpx
import pytest

from tests.glance.catalog import TRAP_NAMES
from tests.glance.fixture import SeededGlance
from tests.glance.seed import list_all
from tests.glance.visibility import ids, visible_to_caller

pytestmark = pytest.mark.glance


def test_catalog_shape(glance: SeededGlance) -> None:
    images = glance.seeded.images
    assert 250 <= len(images) <= 350
    assert len(ids(images)) == len(images)
    kinds = Counter(image["visibility"] for image in images)
    assert set(kinds) == {"public", "private", "shared", "community"}
    assert all(count >= 10 for count in kinds.values())
    assert {image["status"] for image in images} == {"queued", "active", "deactivated"}
    assert any(image["os_hidden"] for image in images)
    assert any(image["protected"] for image in images)
    assert set(glance.seeded.memberships.values()) == {"accepted", "pending", "rejected"}
    assert {image["owner"] for image in images} == set(glance.seeded.projects)
    assert set(TRAP_NAMES) <= {image["name"] for image in images}


def test_creation_times_span_batches(glance: SeededGlance) -> None:
    seconds = {image["created_at"] for image in glance.seeded.images}
    assert len(seconds) >= 3
    for boundary in glance.seeded.boundaries:
        # Every boundary splits the catalog into two non-empty parts.
        assert min(seconds) < boundary < max(seconds)
        assert boundary not in seconds
    dt.datetime.fromisoformat(glance.seeded.boundaries[0].replace("Z", "+00:00"))


def test_caller_default_listing(glance: SeededGlance) -> None:
    with httpx.Client(base_url=glance.url) as client:
        listed = list(list_all(client, glance.caller_headers, {"os_hidden": "false"}))
    assert ids(listed) == ids(visible_to_caller(glance.seeded))


def test_unauthenticated_is_401(glance: SeededGlance) -> None:
    assert httpx.get(f"{glance.url}/v2/images").status_code == 401
