from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.glance.fixture import SeededGlance


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "glance: runs against a real Glance server started by the test suite")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A test that uses the real server is marked, so `-m "not glance"` leaves
    # out every one of them, however it reaches the fixture.
    for item in items:
        if "glance" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.glance)


@pytest.fixture(scope="session")
def glance() -> Iterator[SeededGlance]:
    """A seeded Glance on 127.0.0.1 for the whole session: ``.url``, ``.seeded``,
    ``.headers(project, roles=...)``, ``.caller_headers``, ``.admin_headers(project)``, ``.client()``."""
    from tests.glance.fixture import NotInstalled, ensure_installed, seeded_glance

    try:
        ensure_installed()
    except NotInstalled as reason:
        pytest.skip(str(reason))
    except Exception as error:
        pytest.fail(f"installing Glance failed (CI is set): {error}", pytrace=False)
    with seeded_glance() as server:
        yield server
