"""Table 1: parse + plan per query, uncached, against jmespath and sqlglot.

For each query of :mod:`benchmarks.queries`:

- ``lark``: the ``Lark`` object's own ``parse`` (Lark's LALR parser and contextual lexer
  driving the ``_Builder`` callbacks): the syntax alone, untyped;
- ``parse``: imgql's parse as it is, uncached (``imgql.lang.parser._parse.__wrapped__``): Lark's
  parse, then the check pass that types the literals;
- ``plan``: ``imgql.plan.planner.plan(query, "glance")`` (normalize + pushdown);
- ``cached``: ``imgql.parse`` when the text was parsed before (the lru_cache hit);
- ``jmespath``: ``jmespath.parser.Parser().parse`` of the equivalent expression with its cache emptied first;
- ``sqlglot``: ``sqlglot.parse_one`` of the equivalent SQL.

The goal is ``parse + plan <= jmespath`` (ratio <= 1.0).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import pstats
from collections.abc import Callable

from ._common import Table, geomean, interleaved, say, versions
from .queries import QUERIES


def _contenders(text: str, jmes: str, sql: str) -> dict[str, Callable[[], object]]:
    import jmespath.parser
    import sqlglot

    import imgql
    from imgql.lang import parser
    from imgql.plan import planner
    from imgql.plan.normalize import normalize

    uncached = parser._parse.__wrapped__  # type: ignore[attr-defined]
    lark_obj = parser._lark()
    query = imgql.parse(text)
    jparser = jmespath.parser.Parser()
    jcache = jmespath.parser.Parser._CACHE

    def jmespath_parse() -> object:
        jcache.clear()
        return jparser.parse(jmes)

    plan = planner.plan
    now = dt.datetime.now(dt.timezone.utc)
    return {
        # Lark's own driver with the same transformer: the syntax alone.
        "lark": lambda: lark_obj.parse(text),
        "parse": lambda: uncached(text),
        "plan": lambda: plan(query, "glance"),
        # The normalization plan() starts with (plan/normalize.py): its share of a plan.
        "normalize": lambda: normalize(query.where, now),
        "cached": lambda: imgql.parse(text),
        "jmespath": jmespath_parse,
        "sqlglot": lambda: sqlglot.parse_one(sql),
    }


def run(*, quick: bool = False, limit: int | None = None) -> Table:
    queries = QUERIES[: (limit or (3 if quick else len(QUERIES)))]
    repeat = 2 if quick else 9
    budget = 0.002 if quick else 0.02
    table = Table(
        "1. Parse + plan per query, uncached (µs per query; ratio = imgql / jmespath parse alone)",
        [
            "#",
            "chars",
            "lark parse",
            "parse",
            "plan",
            "normalize",
            "cached parse",
            "jmespath",
            "sqlglot",
            "lark+plan / jmespath",
            "parse+plan / jmespath",
            "parse / jmespath",
            "sqlglot / jmespath",
            "plan / parse",
        ],
    )
    ratios: dict[str, list[float]] = {
        "lark+plan": [],
        "parse+plan": [],
        "parse": [],
        "sqlglot": [],
        "parse/lark": [],
        "plan/parse": [],
    }
    for number, (text, jmes, sql) in enumerate(queries, 1):
        t = interleaved(_contenders(text, jmes, sql), repeat=repeat, budget=budget)
        us = {k: v * 1e6 for k, v in t.items()}
        r_lark = (us["lark"] + us["plan"]) / us["jmespath"]
        r_parse = (us["parse"] + us["plan"]) / us["jmespath"]
        ratios["lark+plan"].append(r_lark)
        ratios["parse+plan"].append(r_parse)
        ratios["parse"].append(us["parse"] / us["jmespath"])
        ratios["sqlglot"].append(us["sqlglot"] / us["jmespath"])
        ratios["parse/lark"].append(us["parse"] / us["lark"])
        ratios["plan/parse"].append(us["plan"] / us["parse"])
        table.add(
            number,
            len(text),
            us["lark"],
            us["parse"],
            us["plan"],
            us["normalize"],
            us["cached"],
            us["jmespath"],
            us["sqlglot"],
            r_lark,
            r_parse,
            us["parse"] / us["jmespath"],
            us["sqlglot"] / us["jmespath"],
            us["plan"] / us["parse"],
        )
    table.add(
        "geomean",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        geomean(ratios["lark+plan"]),
        geomean(ratios["parse+plan"]),
        geomean(ratios["parse"]),
        geomean(ratios["sqlglot"]),
        geomean(ratios["plan/parse"]),
    )
    worst = max(range(len(queries)), key=lambda i: ratios["parse+plan"][i])
    table.notes.append(
        f"parse / lark parse (the check pass's share): geomean {geomean(ratios['parse/lark']):.2f} "
        f"(min {min(ratios['parse/lark']):.2f}, max {max(ratios['parse/lark']):.2f})"
    )
    table.notes.append(
        f"goal parse+plan <= jmespath: met on {sum(r <= 1.0 for r in ratios['parse+plan'])}/{len(queries)} queries; "
        f"worst #{worst + 1} at {ratios['parse+plan'][worst]:.2f}"
    )
    slowest = max(range(len(queries)), key=lambda i: ratios["plan/parse"][i])
    table.notes.append(
        f"goal plan <= 0.5x parse: met on {sum(r <= 0.5 for r in ratios['plan/parse'])}/{len(queries)} queries; "
        f"worst #{slowest + 1} at {ratios['plan/parse'][slowest]:.2f}; `normalize` is the part of `plan` "
        "spent in plan/normalize.py"
    )
    table.notes.append(
        f"min of {repeat} interleaved rounds; {versions('lark', 'jmespath', 'sqlglot')}; "
        "queries in benchmarks/queries.py"
    )
    return table


def profile(text: str, what: str = "parse", calls: int = 3000, top: int = 18) -> str:
    """cProfile of one stage (``lark``, ``parse`` or ``plan``) on one query."""
    fns = _contenders(text, "images", "SELECT 1")
    fn = fns[what]
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        fn()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", choices=["lark", "parse", "plan"])
    args = parser.parse_args(argv)
    if args.profile:
        print(profile(QUERIES[19][0], args.profile))
        return 0
    say("table 1: parse + plan ...")
    print(run(quick=args.quick).render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
