"""The integrations stay optional: importing imgql loads none of ansible, keystoneauth1 or openstacksdk."""

from __future__ import annotations

import subprocess
import sys

import pytest

import imgql

PROBE = """
import sys
import imgql
imgql.parse("images where tag = lts").plan("glance").explain()
imgql.Client, imgql.AsyncClient, imgql.Catalog
import imgql.cli.commands, imgql.cli.external, imgql.cli.ansible_path, imgql.http.session_auth, imgql.run.flat
loaded = sorted({name.split(".")[0] for name in sys.modules} & {"ansible", "keystoneauth1", "openstack"})
print(",".join(loaded))
"""


def test_import_imgql_loads_no_optional_integration() -> None:
    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ""


class NotASession:
    pass


def test_a_session_must_be_a_keystoneauth_session() -> None:
    with pytest.raises(imgql.ConfigError, match="keystoneauth1 Session"):
        imgql.Client(session=NotASession())


def test_a_session_does_not_mix_with_a_token_or_a_cloud() -> None:
    keystoneauth = pytest.importorskip("keystoneauth1.session")
    from keystoneauth1 import noauth

    session = keystoneauth.Session(auth=noauth.NoAuth())
    with pytest.raises(imgql.ConfigError, match="not both"):
        imgql.Client(token="t0ken-value", session=session)
    with pytest.raises(imgql.ConfigError, match="not both"):
        imgql.Client(session=session, cloud="prod")
    with pytest.raises(imgql.ConfigError, match="no auth plugin"):
        imgql.Client(session=keystoneauth.Session())


def test_from_connection_wants_a_connection() -> None:
    with pytest.raises(imgql.ConfigError, match="openstacksdk Connection"):
        imgql.Client.from_connection(object())
