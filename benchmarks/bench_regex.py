"""Table 6: regular expressions that cannot hang a query.

- Evil patterns (nested or overlapping repetition) over a name of ``n``
  letters ``a`` and a final ``!``: imgql's matcher at n = 30, 255 (Glance's
  longest name) and 10,000, against Python's ``re`` at n = 16, 18, 20 (beyond
  that ``re`` takes seconds, then minutes: it doubles with each letter or two).
- The everyday case: ``name ~ '^ubuntu-2[24]\\.04'`` over many names,
  imgql's matcher against a plain ``re.compile(...).search``.
"""

from __future__ import annotations

import re

from benchmarks._common import Table, interleaved, versions
from imgql.lang.regex import compile_regex

EVIL = (r"(a+)+$", r"(a|aa)+$", r"(a|a?)+$", r"(.*a){12}")
LENGTHS = (30, 255, 10_000)
RE_LENGTHS = (16, 18, 20)
EVERYDAY = r"^ubuntu-2[24]\.04"


def run(*, quick: bool = False) -> Table:
    table = Table(
        "6. Regular expressions",
        ["pattern", *(f"imgql n={n} (µs)" for n in LENGTHS), *(f"re n={n} (µs)" for n in RE_LENGTHS)],
    )
    re_lengths = RE_LENGTHS[:1] if quick else RE_LENGTHS
    for pattern in EVIL:
        ours = compile_regex(pattern)
        timed_ours = interleaved({str(n): _searching(ours, "a" * n + "!") for n in LENGTHS}, repeat=3 if quick else 5)
        python = re.compile(pattern).search
        timed_re = interleaved(
            {str(n): _searching(python, "a" * n + "!") for n in re_lengths}, repeat=1 if quick else 3, number=1
        )
        table.add(
            pattern,
            *(timed_ours[str(n)] * 1e6 for n in LENGTHS),
            *(timed_re[str(n)] * 1e6 if str(n) in timed_re else float("nan") for n in RE_LENGTHS),
        )
    count = 2_000 if quick else 200_000
    names = [f"ubuntu-{22 + 2 * (i % 3)}.04-{i}" if i % 3 else f"debian-{i}" for i in range(count)]
    ours = compile_regex(EVERYDAY)
    python = re.compile(EVERYDAY).search
    timed = interleaved(
        {
            "imgql": lambda: [n for n in names if ours(n) is not None],
            "re": lambda: [n for n in names if python(n) is not None],
        },
        repeat=3 if quick else 7,
        number=1,
    )
    table.notes.append(
        f"everyday pattern {EVERYDAY!r} over {count:,} names: imgql {timed['imgql'] * 1e3:.1f} ms, "
        f"re {timed['re'] * 1e3:.1f} ms, ratio {timed['re'] / timed['imgql']:.2f}x (above 1: imgql faster)"
    )
    table.notes.append(
        "imgql's column grows with n at most linearly; re's doubles every letter or two "
        "(n = 30 would take minutes). " + versions("google-re2")
    )
    return table


def _searching(search: object, text: str) -> object:
    def call() -> object:
        return search(text)  # type: ignore[operator]

    return call
