"""Table 7: the offline path end to end, against a hand-written comprehension.

A user filters local records through ``imgql.Catalog(records).query(text)``
(or ``.collect(text)``): parse (cached), plan, the compiled predicate with the
catalog's scope folded in, the answer pipeline and an ``Image`` per match.
The reference is what a careful person writes by hand over the same dicts,
``[r for r in records if hand(r)]``, with the same conditions and the
default scope (no hidden image). The goal is >= 0.9x the comprehension for
both calls on every shape. Every contender's answer is checked against it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from ._common import Table, interleaved, say, versions
from .records import records


def _tag_size_or(r: dict[str, Any]) -> bool:
    return (
        "lts" in (r.get("tags") or ())
        and (s := r.get("size")) is not None
        and s < 5_000_000_000
        and (r.get("os_distro") == "ubuntu" or r.get("name") == "fedora")
        and not r["os_hidden"]
    )


def _name_glob(r: dict[str, Any]) -> bool:
    return (n := r.get("name")) is not None and n.casefold().startswith("ubuntu-22.04-") and not r["os_hidden"]


def _version_range(r: dict[str, Any]) -> bool:
    # Custom properties compare as numbers when both sides read as numbers.
    v = r.get("os_version")
    if v is None or r["os_hidden"]:
        return False
    try:
        number = float(v)
    except ValueError:
        return "12" <= v < "23"
    return 12 <= number < 23


# (shape, imgql query, hand-written test, jmespath filter or None)
SHAPES: tuple[tuple[str, str, Callable[[dict[str, Any]], bool], str | None], ...] = (
    (
        "tag + size + OR",
        "images where tag = lts and size < 5GB and (os_distro = ubuntu or name = fedora)",
        _tag_size_or,
        "[?contains(tags, 'lts') && size != null && size < `5000000000` "
        "&& (os_distro == 'ubuntu' || name == 'fedora') && !os_hidden]",
    ),
    ("name glob", "images where name like 'ubuntu-22.04-*'", _name_glob, None),
    ("custom-property range", "images where os_version >= 12 and os_version < 23", _version_range, None),
)


def run(*, quick: bool = False, count: int | None = None) -> Table:
    import jmespath

    import imgql
    from imgql.run.answer import plan_predicate

    count = count or (2_000 if quick else 200_000)
    repeat = 2 if quick else 9
    data = records(count)
    catalog = imgql.Catalog(data)
    table = Table(
        f"7. The offline path end to end, {count:,} records (ms per query; ratio = comprehension time / imgql time)",
        [
            "shape",
            "matches",
            "comprehension",
            "predicate only",
            "Catalog.query",
            "Catalog.collect",
            "jmespath",
            "query / comprehension",
            "collect / comprehension",
            "jmespath / comprehension",
        ],
    )
    worst = ("", float("inf"))
    for shape, text, by_hand, jmes in SHAPES:
        expected = [r for r in data if by_hand(r)]
        got = [image.raw for image in catalog.query(text)]
        # The catalog answers in the cloud's default order (newest first, then
        # id); the comprehension keeps the file's: the same records either way.
        if sorted(r["id"] for r in got) != sorted(r["id"] for r in expected):
            raise AssertionError(f"{shape}: Catalog.query gives {len(got)} records, the comprehension {len(expected)}")
        predicate = plan_predicate(catalog.plan(text))
        contenders: dict[str, Callable[[], object]] = {
            "comprehension": lambda f=by_hand: [r for r in data if f(r)],
            "predicate": lambda p=predicate: list(filter(p, data)),
            "query": lambda t=text: list(catalog.query(t)),
            "collect": lambda t=text: catalog.collect(t),
        }
        if jmes is not None:
            compiled = jmespath.compile(jmes)
            if compiled.search(data) != expected:
                table.notes.append(f"{shape}: jmespath's answer differs from the comprehension's")
            contenders["jmespath"] = lambda c=compiled: c.search(data)
        t = interleaved(contenders, repeat=repeat, number=1)
        ms = {name: seconds * 1000 for name, seconds in t.items()}
        ratios = {name: t["comprehension"] / t[name] for name in t}
        for name in ("query", "collect"):
            if ratios[name] < worst[1]:
                worst = (f"{shape}, Catalog.{name}", ratios[name])
        table.add(
            shape,
            len(expected),
            ms["comprehension"],
            ms["predicate"],
            ms["query"],
            ms["collect"],
            ms.get("jmespath", float("nan")),
            ratios["query"],
            ratios["collect"],
            ratios.get("jmespath", float("nan")),
        )
    table.notes.append(
        f"goal >= 0.9x the comprehension through query and collect: worst is {worst[0]} at {worst[1]:.2f}x"
    )
    table.notes.append(
        f"min of {repeat} interleaved rounds; `predicate only` is `list(filter(plan_predicate(plan), records))` "
        f"without the scope; {versions('jmespath')}"
    )
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--count", type=int)
    args = parser.parse_args(argv)
    say("table 7: the offline path ...")
    print(run(quick=args.quick, count=args.count).render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
