"""A walk through imgql as you would use it at a Python prompt.

    python examples/repl_walkthrough.py

Every step works offline against examples/catalog.json; swap the Catalog for
``imgql.Client()`` (credentials from OS_* or clouds.yaml) to ask a live cloud
the same questions.
"""

from __future__ import annotations

from pathlib import Path

import imgql
from imgql.run.results import ResultList

CATALOG = Path(__file__).with_name("catalog.json")


def main() -> None:
    # 1. A query is a value: parsed once, printed as canonical text.
    query = imgql.parse("images where os_distro = ubuntu and tag = lts order by created_at desc limit 3")
    print(repr(str(query)))

    # 2. The plan says what a live Glance would be asked, and what stays on the client.
    print(query.plan("glance").explain())
    print()

    # 3. The same query over an offline catalog.
    catalog = imgql.Catalog(CATALOG)
    results = ResultList(catalog.query(query))
    print(results)  # a table; in IPython or Jupyter just evaluate `results`
    print()

    # 4. Images are mappings with typed attributes; custom properties by key.
    newest = results[0]
    print(newest)
    print(newest.created_at, newest.tags, newest.get("architecture"))
    print()

    # 5. Exactly one image, for configuration; errors say how many matched.
    try:
        catalog.one("images where os_distro = ubuntu")
    except imgql.MultipleFound as exc:
        print(f"MultipleFound: {exc}")
    print()

    # 6. What a person types into a search box, read safely.
    search = imgql.search_box("ubuntu 24.04 tag:lts size<2g -minimal")
    print(f"understood as: {search}")
    print(ResultList(catalog.query(search), columns=["name", "size", "tags"]))
    # Fields the application did not allow are only words: scope cannot be widened.
    print(f"understood as: {imgql.search_box('visibility:community owner:me')}")
    print()

    # 7. Errors point at the spot and say how to fix it. (`5 GB`, with a
    # space, is read as 5GB; `gigs` is no unit.)
    for text in ("images where size > 5 gigs", "images where name = Ubuntu 24.04 LTS"):
        try:
            imgql.parse(text)
        except imgql.QueryError as exc:
            print(exc)
    # A near miss of a known field is a warning, and an error when strict.
    try:
        imgql.parse("images where os_ditro = ubuntu", strict=True)
    except imgql.UnknownFieldError as exc:
        print(exc)


if __name__ == "__main__":
    main()
