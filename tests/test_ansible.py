"""The Ansible collection imgql.openstack, run by the real ansible-playbook (ansible-core from PyPI).

Each test runs one small playbook on localhost (``-i localhost, -c local``)
with ``ANSIBLE_COLLECTIONS_PATH`` set from ``imgql ansible-path``, as
docs/ansible.md tells users to; the playbook writes what its lookups returned
to a JSON file, and the test compares that with imgql's own answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import imgql

BIN = Path(sys.executable).parent


def collections_path() -> str:
    run = subprocess.run([str(BIN / "imgql"), "ansible-path"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    path = run.stdout.strip()
    assert (Path(path) / "ansible_collections" / "imgql" / "openstack" / "plugins" / "lookup" / "image.py").is_file()
    return path


def jinja(expression: str) -> str:
    return "{{ " + expression + " }}"


def playbook(
    tmp_path: Path, facts: Mapping[str, str], env: Mapping[str, str], variables: Mapping[str, Any]
) -> dict[str, Any]:
    """Run a playbook with ``variables`` that sets ``facts`` (name -> Jinja expression),
    then a lookup that must fail (with the options in the variable ``where``);
    returns the facts' values and the failure's message."""
    pytest.importorskip("ansible")
    out = tmp_path / "out.json"
    everything = "{" + "".join(f"'{name}': {name}, " for name in facts) + "'failure': failed.msg, 'lock': lock.msg}"
    tasks = [
        {"ansible.builtin.set_fact": {name: jinja(expression) for name, expression in facts.items()}},
        {
            "ansible.builtin.set_fact": {"bad": "{{ lookup('imgql.openstack.image', 'images where name = $n', "
            "params={'n': 'no such image'}, **where) }}"},
            "ignore_errors": True,
            "register": "failed",
        },
        {
            "ansible.builtin.set_fact": {"locked": jinja("lookup('imgql.openstack.image', 'images', lock='x.lock')")},
            "ignore_errors": True,
            "register": "lock",
        },
        {
            "ansible.builtin.copy": {
                "content": jinja(everything + " | to_json"),
                "dest": str(out),
            }
        },
    ]
    play = [{"hosts": "localhost", "gather_facts": False, "vars": dict(variables), "tasks": tasks}]
    (tmp_path / "play.yml").write_text(json.dumps(play))
    settings = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OS_", "ANSIBLE_"))},
        "HOME": str(tmp_path),
        "ANSIBLE_HOME": str(tmp_path / ".ansible"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / ".ansible-tmp"),
        "ANSIBLE_COLLECTIONS_PATH": collections_path(),
        "ANSIBLE_NOCOLOR": "1",
        **env,
    }
    run = subprocess.run(
        [
            str(BIN / "ansible-playbook"),
            "-i",
            "localhost,",
            "-c",
            "local",
            "-e",
            f"ansible_python_interpreter={sys.executable}",
            "play.yml",
        ],
        cwd=tmp_path,
        env=settings,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    return dict(json.loads(out.read_text()))


def test_lookups_against_the_real_glance(glance: Any, tmp_path: Path) -> None:
    from tests.glance.identity_proxy import identity_proxy

    newest = "images where visibility in (public, private) order by created_at desc limit 1"
    every = "images where visibility in (public, private) order by name, id"
    facts = {
        "newest": f"lookup('imgql.openstack.image', {newest!r})",
        "every": f"query('imgql.openstack.image', {every!r}, one=false)",
        "named": "lookup('imgql.openstack.image', 'images where id = $id', params={'id': newest_id}, field='name')",
    }
    with imgql.Client(glance.url, http=glance.client()) as client:
        expected = client.one(newest)
        expected_every = [image.id for image in client.query(every)]
    variables = {"where": {}, "newest_id": expected.id}
    with identity_proxy(glance.url, glance.caller_headers) as front:
        found = playbook(tmp_path, facts, {"OS_AUTH_TYPE": "none", "OS_IMAGE_URL": front}, variables)
    assert found["newest"] == expected.id
    assert found["every"] == expected_every and len(expected_every) > 1
    assert found["named"] == (expected.name or "")
    assert "imgql: no image matches" in found["failure"]
    assert "x.lock" in found["lock"]


def test_ansible_path_holds_the_collection() -> None:
    path = Path(collections_path())
    collection = path / "ansible_collections" / "imgql" / "openstack"
    assert (collection / "galaxy.yml").read_text().startswith("namespace: imgql\nname: openstack\n")


@pytest.mark.keystone
def test_lookups_with_a_cloud_of_clouds_yaml(keystone: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.keystone import topology as t

    files = keystone.write_clouds(tmp_path / "config", {"mycloud": {"auth": keystone.cloud_auth(t.ALICE)}})
    query = "images where name = $name"
    facts = {
        "here": f"lookup('imgql.openstack.image', {query!r}, params={{'name': {t.PUBLIC_IMAGE!r}}}, "
        f"cloud='mycloud', region={t.REGION_TWO!r})",
        "regions": f"lookup('imgql.openstack.image', {query!r}, params={{'name': {t.PUBLIC_IMAGE!r}}}, "
        "cloud='mycloud', per='region')",
    }
    found = playbook(tmp_path, facts, files, {"where": {"cloud": "mycloud"}})
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", files["OS_CLIENT_CONFIG_FILE"])
    with imgql.Client(cloud="mycloud", region=t.REGION_TWO) as client:
        expected = client.one(query, name=t.PUBLIC_IMAGE)
        per_region = client.one(query, per="region", name=t.PUBLIC_IMAGE)
    assert found["here"] == expected.id
    assert found["regions"] == {region: image.id for region, image in per_region.items()}
    assert set(found["regions"]) == {t.REGION_ONE, t.REGION_TWO}
    assert "imgql: no image matches" in found["failure"]
    assert t.ALICE.password not in json.dumps(found)
