"""Run the benchmark tables and print them.

    python benchmarks/run.py                 # all nine tables (table 3 starts Glance on the kept data)
    python benchmarks/run.py --quick         # tiny sizes, a few seconds
    python benchmarks/run.py --tables 1,2    # some tables only
    python benchmarks/run.py --glance-url http://127.0.0.1:9393   # table 3 against a running Glance

Every ratio in a table is measured in the same process and run. Table 3
skips with a message when Glance is not installed (python -m tests.glance install).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"

from benchmarks import (
    bench_catalog,
    bench_filter,
    bench_memory,
    bench_parse,
    bench_regex,
    bench_regions,
    bench_requests,
    bench_searchbox,
    bench_startup,
)
from benchmarks._common import machine, say


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run imgql's benchmark tables.")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks that everything runs")
    parser.add_argument("--tables", default="1,2,3,4,5,6,7,8,9", help="comma-separated table numbers (default: all)")
    parser.add_argument("--glance-url", help="table 3: a running Glance (seeded on demand)")
    parser.add_argument("--images", type=int, default=5000, help="table 3: images the Glance must hold")
    args = parser.parse_args(argv)
    wanted = {int(t) for t in args.tables.split(",") if t.strip()}
    print(f"# imgql benchmarks{' (quick)' if args.quick else ''}\n\nmachine: {machine()}\n")
    started = time.monotonic()
    if 1 in wanted:
        say("table 1: parse + plan ...")
        print(bench_parse.run(quick=args.quick).render(), "\n", flush=True)
    if 2 in wanted:
        say("table 2: filtering ...")
        print(bench_filter.run(quick=args.quick).render(), "\n", flush=True)
    if 3 in wanted:
        with bench_requests.glance_url(args.glance_url, 50 if args.quick else args.images) as url:
            if url is None:
                print(
                    "## 3. Requests against Glance\n\nskipped: Glance is not installed "
                    "(python -m tests.glance install)\n"
                )
            else:
                say("table 3: requests against Glance ...")
                print(bench_requests.run(url=url, quick=args.quick).render(), "\n", flush=True)
    if 4 in wanted:
        say("table 4: start-up ...")
        print(bench_startup.run(quick=args.quick).render(), "\n", flush=True)
    if 5 in wanted:
        say("table 5: memory ...")
        print(bench_memory.run(quick=args.quick).render(), "\n", flush=True)
    if 6 in wanted:
        say("table 6: regular expressions ...")
        print(bench_regex.run(quick=args.quick).render(), "\n", flush=True)
    if 7 in wanted:
        say("table 7: the offline path ...")
        print(bench_catalog.run(quick=args.quick).render(), "\n", flush=True)
    if 8 in wanted:
        say("table 8: two regions in one query ...")
        print(bench_regions.run(quick=args.quick).render(), "\n", flush=True)
    if 9 in wanted:
        say("table 9: the search box ...")
        print(bench_searchbox.run(quick=args.quick).render(), "\n", flush=True)
    say(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
