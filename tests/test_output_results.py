"""Result lists for notebooks (``to_dataframe``) and cell texts whose units come from the field
catalog (docs/cli.md, output)."""

from __future__ import annotations

import sys

import pytest

import imgql
from imgql.lang import fields as F
from imgql.run.results import ResultList, cell_text
from tests.test_cli_first_use import EXAMPLE

CATALOG = imgql.Catalog(EXAMPLE)


def test_to_dataframe_has_a_row_per_image_and_the_chosen_columns() -> None:
    pytest.importorskip("pandas")
    results = ResultList(CATALOG.query("images order by id limit 4"), columns=["id", "name", "size"])
    frame = results.to_dataframe()
    assert list(frame.columns) == ["id", "name", "size"]
    assert list(frame["id"]) == [image.id for image in results]
    assert list(results.to_dataframe(columns=["name"]).columns) == ["name"]
    whole = CATALOG.collect("images limit 2").to_dataframe()
    assert len(whole) == 2 and {"id", "visibility", "tags"} <= set(whole.columns)


def test_to_dataframe_without_pandas_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # an import of pandas now fails
    with pytest.raises(ImportError, match="needs pandas, which imgql does not install: pip install pandas"):
        CATALOG.collect("images limit 1").to_dataframe()


def test_byte_counts_are_shown_in_their_fields_units() -> None:
    record = {"size": 603_800_000, "virtual_size": 2_000, "min_ram": 512, "min_disk": 20, "ram": 512}
    assert cell_text(record, "size") == "603.8 MB"
    assert cell_text(record, "virtual_size") == "2.0 KB"
    assert cell_text(record, "min_ram") == "512 MiB"
    assert cell_text(record, "min_disk") == "20 GiB"
    assert cell_text(record, "ram") == "512"  # a custom property has no unit
    assert cell_text(record, "min_ram", human=False) == "512"
    # The units named are the catalog's own.
    assert F.lookup("min_ram").unit_name == "MiB" and F.lookup("min_disk").unit_name == "GiB"
