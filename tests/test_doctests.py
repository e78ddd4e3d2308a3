"""The examples in the docstrings run, and answer what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["imgql.lang.parser", "imgql.lang.searchbox", "imgql.plan.planner"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    # A module with no examples passes: nothing to fail.
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed"


def test_parse_and_search_box_have_examples() -> None:
    from imgql.lang.parser import parse
    from imgql.lang.searchbox import search_box

    for function in (parse, search_box):
        assert ">>>" in (function.__doc__ or ""), function.__name__
