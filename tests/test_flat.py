"""An image as flat strings (imgql/run/flat.py) and the external protocol's input, as properties."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from imgql.cli.external import RESERVED, read_request
from imgql.run.flat import FLAT_FIELDS, PROPERTY_KEY, flat
from imgql.run.image import Image
from tests.strategies import image_records


@given(image_records(), st.sampled_from([None, "RegionOne"]))
def test_every_image_flattens_to_the_same_keys_all_strings(record: dict[str, object], region: str | None) -> None:
    image = Image(record, region=region)
    found = flat(image)
    assert list(found)[: len(FLAT_FIELDS)] == list(FLAT_FIELDS)
    assert all(isinstance(value, str) for value in found.values())
    assert {key.removeprefix(PROPERTY_KEY) for key in found if key.startswith(PROPERTY_KEY)} == set(image.properties)
    assert found["id"] == image.id and found["region"] == (region or "")
    assert json.loads(found["tags"]) == list(image.tags)
    for name in ("size", "min_ram", "min_disk"):
        value = record.get(name)
        assert found[name] == ("" if value is None else str(value))


_keys = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=8).filter(
    lambda key: key not in RESERVED and not key.startswith("$")
)


@given(st.dictionaries(_keys, st.text(max_size=10), max_size=5), st.text(min_size=1, max_size=30))
def test_every_key_but_query_and_per_is_a_parameter(params: dict[str, str], query: str) -> None:
    request = read_request(json.dumps({"query": "images " + query, **params}))
    assert dict(request.params) == params
    assert request.query == ("images " + query).strip()
    assert request.per is None
