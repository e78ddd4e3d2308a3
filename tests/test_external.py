"""``imgql external`` driven as Terraform's external data source drives a program.

Terraform runs the program (the installed ``imgql`` command) with the
arguments of ``program``, writes the ``query`` argument to its stdin as one
JSON object of strings, and reads one JSON object of strings from its stdout
when it exits 0; otherwise it shows stderr as the error. Each documented case
of that protocol has its test here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import imgql
from imgql.run.flat import FLAT_FIELDS

REPO = Path(__file__).resolve().parents[1]
CATALOG = str(REPO / "examples" / "catalog.json")
IMGQL = str(Path(sys.executable).with_name("imgql"))
NEWEST_UBUNTU = "images where os_distro = $distro and size >= $min order by created_at desc limit 1"
REQUIRED = ("id", "name", "created_at", "checksum", "size", "min_ram", "min_disk", "region", "cloud")


def external(stdin: str | bytes, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The program as Terraform runs it: its arguments, the JSON on stdin, nothing else."""
    data = stdin.decode() if isinstance(stdin, bytes) else stdin
    return subprocess.run(
        [IMGQL, "external", *args], input=data, capture_output=True, text=True, timeout=60, env=env, cwd=REPO
    )


def answer_of(run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert isinstance(result, dict)
    assert all(isinstance(value, str) for value in result.values()), "every value must be a string"
    return result


def assert_failed(run: subprocess.CompletedProcess[str], code: int | None = None, *needles: str) -> str:
    """The protocol's failure: non-zero exit, nothing on stdout, one line on stderr."""
    assert run.returncode != 0
    if code is not None:
        assert run.returncode == code, run.stderr
    assert run.stdout == ""
    line = run.stderr.strip()
    assert line and "\n" not in line, f"stderr must be one line: {run.stderr!r}"
    assert "Traceback" not in line
    for needle in needles:
        assert needle in line
    return line


def test_the_answer_is_one_flat_object_of_strings_matching_the_library() -> None:
    request = {"query": NEWEST_UBUNTU, "distro": "ubuntu", "min": "500MB"}
    result = answer_of(external(json.dumps(request), "--catalog", CATALOG))
    expected = imgql.Catalog(CATALOG).one(NEWEST_UBUNTU, distro="ubuntu", min="500MB")
    assert result["id"] == expected.id and result["name"] == expected.name
    assert set(REQUIRED) <= set(result) and list(result)[: len(FLAT_FIELDS)] == list(FLAT_FIELDS)
    assert result["size"] == str(expected.size) and result["min_disk"] == str(expected.min_disk)
    assert result["property.os_distro"] == "ubuntu"
    assert json.loads(result["tags"]) == list(expected.tags)
    # Unknown to this catalog: empty strings, not missing keys.
    assert result["region"] == result["cloud"] == ""


def test_a_missing_value_is_an_empty_string() -> None:
    request = {"query": "images where name = 'Debian-12-bookworm' and size missing"}
    result = answer_of(external(json.dumps(request), "--catalog", CATALOG))
    assert result["size"] == "" and result["name"] == "Debian-12-bookworm"


@pytest.mark.parametrize("stdin", ["", "{}", "  \n"], ids=["no bytes", "empty object", "blank"])
def test_empty_input_asks_for_a_query(stdin: str) -> None:
    assert_failed(external(stdin, "--catalog", CATALOG), 2, 'no "query"')


@pytest.mark.parametrize(("value", "kind"), [(5, "a number"), (True, "a boolean"), (None, "null"), (["a"], "a list")])
def test_values_must_be_strings(value: object, kind: str) -> None:
    request = {"query": "images where os_distro = $distro limit 1", "distro": value}
    assert_failed(external(json.dumps(request), "--catalog", CATALOG), 2, '"distro"', kind)


def test_an_unknown_key_is_an_error_naming_it() -> None:
    request = {"query": "images where os_distro = ubuntu limit 1", "distr": "ubuntu"}
    assert_failed(external(json.dumps(request), "--catalog", CATALOG), 2, "$distr")


def test_input_that_is_not_a_json_object() -> None:
    assert_failed(external("query=images", "--catalog", CATALOG), 2, "not JSON")
    assert_failed(external('["images"]', "--catalog", CATALOG), 2, "a list")


def test_none_found() -> None:
    request = {"query": "images where os_distro = $d", "d": "plan9"}
    assert_failed(external(json.dumps(request), "--catalog", CATALOG), 3, "no image")


def test_several_found_is_one_line_with_the_hint() -> None:
    request = {"query": "images where os_distro = ubuntu"}
    line = assert_failed(external(json.dumps(request), "--catalog", CATALOG), 3, "images match", "order by")
    assert "Ubuntu-24.04-LTS-x64" in line


def test_a_query_error_keeps_its_position() -> None:
    line = assert_failed(external(json.dumps({"query": "images where size <"}), "--catalog", CATALOG), 2)
    assert "column" in line or "line 1" in line


def test_per_region_needs_a_cloud() -> None:
    request = {"query": "images where os_distro = ubuntu limit 1", "per": "region"}
    assert_failed(external(json.dumps(request), "--catalog", CATALOG), None, "needs a cloud")
    assert_failed(external(json.dumps({**request, "per": "cloud"}), "--catalog", CATALOG), 2, 'per must be "region"')


def test_a_failure_to_log_in_shows_no_secret(tmp_path: Path) -> None:
    password = "s3cret-Password-that-must-not-show"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    args = ("--os-auth-url", "http://127.0.0.1:9/v3", "--os-username", "u", "--os-password", password)
    args += ("--os-project-name", "p", "--os-user-domain-name", "Default", "--os-project-domain-name", "Default")
    line = assert_failed(external(json.dumps({"query": "images limit 1"}), *args, env=env))
    assert password not in line


def test_against_the_real_glance(glance: Any) -> None:
    from tests.glance.identity_proxy import identity_proxy

    query = "images where visibility in (public, private) order by created_at desc limit 1"
    with identity_proxy(glance.url, glance.caller_headers) as front:
        result = answer_of(external(json.dumps({"query": query}), "--os-auth-type", "none", "--os-endpoint", front))
    with imgql.Client(glance.url, http=glance.client()) as client:
        expected = client.one(query)
    assert result["id"] == expected.id and result["created_at"] == expected.raw["created_at"]
    assert result["name"] == (expected.name or "")


@pytest.mark.keystone
def test_per_region_gives_each_regions_id(keystone: Any, tmp_path: Path) -> None:
    from imgql.http.keystone import KeystoneAuth
    from tests.keystone import topology as t

    env = {**keystone.clean_env(tmp_path), **keystone.password_vars(t.ALICE)}
    request = {"query": "images where name = $name", "name": t.PUBLIC_IMAGE, "per": "region"}
    result = answer_of(external(json.dumps(request), "--os-region-name", t.REGION_TWO, env=env))
    account = t.ALICE
    auth = KeystoneAuth(
        keystone.auth_url,
        username=account.username,
        password=account.password,
        user_domain_name=account.domain,
        project_name=account.project.name,
        project_domain_name=account.project.domain,
    )
    with imgql.Client(auth=auth) as client:
        expected = client.one("images where name = $name", per="region", name=t.PUBLIC_IMAGE)
    assert {key: value for key, value in result.items() if key.startswith("id.")} == {
        f"id.{region}": image.id for region, image in expected.items()
    }
    assert set(expected) == {t.REGION_ONE, t.REGION_TWO}
    assert result["region"] == t.REGION_TWO and result["id"] == expected[t.REGION_TWO].id
    assert account.password not in json.dumps(result)


def test_a_lock_keeps_the_answer_until_it_is_upgraded(tmp_path: Path) -> None:
    """`--lock` answers with the image `imgql lock` pinned for the same query
    (its canonical text, parameters bound), not with whatever the query finds now."""
    catalog = json.loads((REPO / "examples" / "catalog.json").read_text())
    text = "images where os_distro = $d order by created_at desc limit 1"
    (tmp_path / "deploy.yaml").write_text('image: "images where os_distro = ubuntu order by created_at desc limit 1"\n')
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))
    lock = subprocess.run(
        [IMGQL, "lock", "--catalog", "catalog.json", "deploy.yaml"], capture_output=True, text=True, cwd=tmp_path
    )
    assert lock.returncode == 0, lock.stderr
    pinned = json.loads((tmp_path / "imgql.lock").read_text())["files"]["deploy.yaml"]["image"]["images"][0]["id"]
    # A newer Ubuntu appears: the query alone now names it; the lock still names the pinned one.
    newest = dict(next(i for i in catalog["images"] if i["id"] == pinned))
    newest.update(id="00000000-0000-4000-8000-000000000001", created_at="2099-01-01T00:00:00Z", name="Ubuntu-new")
    catalog["images"].append(newest)
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))
    request = json.dumps({"query": text, "d": "ubuntu"})
    args = ("--catalog", str(tmp_path / "catalog.json"))
    assert answer_of(external(request, *args))["id"] == newest["id"]
    assert answer_of(external(request, *args, "--lock", str(tmp_path / "imgql.lock")))["id"] == pinned
    missing = external(
        json.dumps({"query": "images where os_distro = debian limit 1"}), *args, "--lock", str(tmp_path / "imgql.lock")
    )
    assert missing.returncode != 0 and missing.stdout == ""
    assert "holds no entry for the query" in missing.stderr and len(missing.stderr.splitlines()) == 1
