"""The capability tables hold every fact about a target: each rule's form
names its encoder, each range rule its largest stored value."""

from __future__ import annotations

import attrs
import httpx
import pytest

import imgql
from imgql.plan.capabilities import ENCODERS, GLANCE, PROFILES, STORED_MAX, Form, Profile, Rule, profile_names
from imgql.plan.planner import plan

from . import api_model
from .fakeglance import FakeGlance, make_image


def test_profile_names_are_the_tables_in_order() -> None:
    assert profile_names() == ("glance", "documented", "none") == tuple(PROFILES)


def test_every_form_has_an_encoder() -> None:
    assert set(ENCODERS) == set(Form)
    assert all(rule.encoder is ENCODERS[rule.form] for p in PROFILES.values() for rule in p.rules.values())


@pytest.mark.parametrize("name", profile_names())
def test_every_range_rule_has_its_largest_stored_value(name: str) -> None:
    for field, rule in PROFILES[name].rules.items():
        if rule.form is Form.RANGE:
            assert rule.stored_max is not None and rule.min_param and rule.max_param, field
            assert STORED_MAX[field] == rule.stored_max


def test_a_range_rule_without_its_largest_stored_value_cannot_be_made() -> None:
    # As docs/planning.md's worked example would add it, without the maximum:
    # `virtual_size_min=9223372036854775808` would answer HTTP 500.
    with pytest.raises(ValueError, match="stored_max"):
        Rule("virtual_size", Form.RANGE, frozenset({"<", ">"}), "virtual_size_min", "virtual_size_max")
    with pytest.raises(ValueError, match="stored_max"):
        Rule("virtual_size", Form.RANGE, frozenset({"<"}), stored_max=2**63 - 1)


def test_a_new_range_rule_clamps_its_bounds() -> None:
    rule = Rule(
        "virtual_size", Form.RANGE, frozenset({"=", "<", ">"}), "virtual_size_min", "virtual_size_max", 2**63 - 1
    )
    profile: Profile = attrs.evolve(GLANCE, name="virtual", rules={**GLANCE.rules, "virtual_size": rule})
    above = plan(imgql.parse("images where virtual_size > 10000PB"), profile).requests[0]
    assert above.params == (("virtual_size_min", str(2**63 - 1)),) and not above.fully_pushed
    below = plan(imgql.parse("images where virtual_size < 10000PB"), profile).requests[0]
    assert below.params == (("virtual_size_max", str(2**63 - 1)),) and below.fully_pushed


@pytest.mark.parametrize(
    ("query", "sent", "exact"),
    [
        ("images where size > 10000PB", [("size_min", str(2**63 - 1))], False),
        ("images where size <= 10000PB", [("size_max", str(2**63 - 1))], True),
        (
            "images where min_ram = 3000000000",
            [("min_ram_min", str(2**31 - 1)), ("min_ram_max", str(2**31 - 1))],
            False,
        ),
        ("images where min_disk < 5000000000", [("min_disk_max", str(2**31 - 1))], True),
    ],
)
def test_bounds_above_the_largest_stored_value_are_clamped(
    query: str, sent: list[tuple[str, str]], exact: bool
) -> None:
    request = plan(imgql.parse(query)).requests[0]
    assert list(request.params) == sent
    assert request.fully_pushed is exact


# What each form's parameters must be to the server (tests/api_model.py).
_READS_AS = {
    Form.PLAIN: {"column", "listing", "operator"},  # a plain value has no colon to read as an operator
    Form.OPERATOR: {"operator"},
    Form.REPEATED: {"listing"},
    Form.RANGE: {"range"},
    Form.TIME: {"time"},
    Form.BOOLEAN: {"boolean"},
}


@pytest.mark.parametrize("name", profile_names())
def test_every_parameter_a_profile_sends_is_one_the_model_knows(name: str) -> None:
    # The model reads an unknown name as a custom property, as Glance does: a
    # rule whose parameter the model does not know would be tested against
    # the wrong meaning, so each must read as what its form says.
    profile = PROFILES[name]
    for field, rule in profile.rules.items():
        params = (rule.min_param, rule.max_param) if rule.form is Form.RANGE else (rule.param,)
        for param in params:
            assert api_model.reads_as(param) in _READS_AS[rule.form], (field, param)
            if rule.form is Form.RANGE:
                assert param[:-4] in api_model.COLUMNS
    for field in profile.property_fields:
        assert api_model.reads_as(field) in ("column", "custom property"), field


def test_the_fake_server_reads_an_unknown_parameter_as_a_custom_property() -> None:
    fake = FakeGlance([make_image(1, hw_disk_bus="scsi", virtual_size=10), make_image(2, virtual_size=99)])
    with httpx.Client(transport=fake.transport(), base_url="http://glance.test") as http:
        names = [i["name"] for i in http.get("/v2/images", params={"hw_disk_bus": "scsi"}).json()["images"]]
        assert names == ["image-001"]
        ranged = http.get("/v2/images", params={"virtual_size_max": "50"}).json()["images"]
        assert [i["name"] for i in ranged] == ["image-001"]
        assert http.get("/v2/images", params={"build_min": "3"}).status_code == 500
        assert http.get("/v2/images", params={"build_min": "x"}).status_code == 400
