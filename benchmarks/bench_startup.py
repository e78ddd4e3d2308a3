"""Table 4: start-up time in fresh interpreters.

Each command runs in a new process, many times, the commands taking turns
(interleaved); the table shows the minimum and the median wall time. Goals:
parsing does not import httpx, the grammar is not rebuilt at every start
(Lark's ``cache=True`` hits), and importing imgql plus the first parse adds at
most 30 ms to importing lark and attrs alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ._common import ROOT, Table, say

PY = sys.executable
QUERY = "images where tag = a"

_BUILD = (
    "import lark, imgql.lang.parser as p; from imgql.lang.grammar import grammar_text; "
    "lark.Lark(grammar_text(), parser='lalr', lexer='contextual', "
    f"transformer=p._Builder(), cache=False, maybe_placeholders=True).parse({QUERY!r})"
)

COMMANDS: dict[str, list[str]] = {
    "python -c pass": [PY, "-c", "pass"],
    "import lark, attrs": [PY, "-c", "import lark, attrs"],
    "import jmespath; compile": [PY, "-c", "import jmespath; jmespath.compile(\"[?contains(tags, 'a')]\")"],
    "import imgql": [PY, "-c", "import imgql"],
    "import imgql; parse": [PY, "-c", f"import imgql; imgql.parse({QUERY!r})"],
    "parse, grammar rebuilt (cache=False)": [PY, "-c", _BUILD],
    "imgql plan (CLI)": [str(Path(PY).with_name("imgql")), "plan", QUERY],
}

_PROBE = f"""
import json, sys, time
started = time.perf_counter()
import imgql
imported = time.perf_counter()
imgql.parse({QUERY!r})
parsed = time.perf_counter()
import imgql.lang.parser as p
from imgql.lang.grammar import grammar_text
import lark
t0 = time.perf_counter()
lark.Lark(grammar_text(), parser='lalr', lexer='contextual',
          transformer=p._Builder(), cache=True, maybe_placeholders=True)
t1 = time.perf_counter()
lark.Lark(grammar_text(), parser='lalr', lexer='contextual',
          transformer=p._Builder(), cache=False, maybe_placeholders=True)
t2 = time.perf_counter()
print(json.dumps({{
    "httpx_after_parse": "httpx" in sys.modules,
    "import_ms": (imported - started) * 1e3,
    "first_parse_ms": (parsed - imported) * 1e3,
    "lark_cached_ms": (t1 - t0) * 1e3,
    "lark_build_ms": (t2 - t1) * 1e3,
}}))
"""


def _time(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def probe() -> dict[str, object]:
    out = subprocess.run([PY, "-c", _PROBE], check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return dict(json.loads(out))


def run(*, quick: bool = False, runs: int | None = None) -> Table:
    runs = runs or (2 if quick else 25)
    commands = dict(COMMANDS)
    if not Path(commands["imgql plan (CLI)"][0]).exists():
        del commands["imgql plan (CLI)"]
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():  # warm the file cache and Lark's grammar cache
        _time(cmd)
    for _ in range(runs):
        for name, cmd in commands.items():
            samples[name].append(_time(cmd))
    base = min(samples["import lark, attrs"])
    table = Table(
        f"4. Start-up, fresh interpreter ({runs} runs each, interleaved; ms)",
        ["command", "min", "median", "min - (import lark, attrs)"],
    )
    for name, values in samples.items():
        table.add(name, min(values) * 1e3, statistics.median(values) * 1e3, (min(values) - base) * 1e3)
    facts = probe()
    added = (min(samples["import imgql; parse"]) - base) * 1e3
    table.notes.append(
        f"goal import imgql + first parse <= import lark, attrs + 30 ms: {'met' if added <= 30 else 'missed'} "
        f"({added:.1f} ms added)"
    )
    table.notes.append(f"httpx imported by parsing: {facts['httpx_after_parse']} (goal: False)")
    table.notes.append(
        f"in-process: Lark object from the cache {facts['lark_cached_ms']:.1f} ms, built from the grammar "
        f"{facts['lark_build_ms']:.1f} ms; in one run: import imgql {facts['import_ms']:.1f} ms, "
        f"first parse {facts['first_parse_ms']:.1f} ms"
    )
    cache_dir = Path(os.environ.get("TMPDIR", "/tmp"))
    files = sorted(cache_dir.glob(".lark_cache_*"))
    table.notes.append(f"Lark cache files in {cache_dir}: {len(files)} (cache=True writes one per grammar and options)")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int)
    args = parser.parse_args(argv)
    say("table 4: start-up ...")
    print(run(quick=args.quick, runs=args.runs).render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
