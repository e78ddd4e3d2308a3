from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.glance.fixture import SeededGlance
    from tests.keystone.fixture import KeystoneCloud
    from tests.keystone.server import KeystoneServer


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "glance: runs against a real Glance server started by the test suite")
    config.addinivalue_line("markers", "keystone: runs against a real Keystone (and a Glance behind it)")
    config.addinivalue_line("markers", "slow: waits a minute or more (deselect with -m 'not slow')")


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


@pytest.fixture(scope="session")
def keystone() -> Iterator[KeystoneCloud]:
    """A Keystone with users, projects, an application credential and image endpoints in two
    regions, and the Glance behind them, for the whole session: see tests/keystone/fixture.py."""
    from tests.keystone.fixture import NotInstalled, ensure_installed, keystone_cloud

    try:
        ensure_installed()
    except NotInstalled as reason:
        pytest.skip(str(reason))
    except Exception as error:
        pytest.fail(f"installing Glance or Keystone failed (CI is set): {error}", pytrace=False)
    with keystone_cloud() as cloud:
        yield cloud


@pytest.fixture(scope="session")
def short_token_keystone(keystone: KeystoneCloud) -> Iterator[KeystoneServer]:
    """A second Keystone on the same database and keys whose tokens expire after a minute and a bit
    (``tests.keystone.fixture.SHORT_EXPIRATION``); Glance and the first Keystone accept its tokens."""
    from tests.keystone.fixture import short_token_keystone as serve_short_tokens

    with serve_short_tokens(keystone) as server:
        yield server
