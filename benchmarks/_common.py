"""Timing, tables and machine facts shared by the benchmark scripts.

Timings are the minimum over several repetitions, and the contenders of one
table are timed in turn within each repetition (interleaved), so that a burst
of load from other processes hits all of them alike. Ratios are only ever
taken between numbers measured in the same process and run.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Table:
    title: str
    header: Sequence[str]
    rows: list[Sequence[object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *row: object) -> None:
        self.rows.append(row)

    def render(self) -> str:
        cells = [[str(c) for c in self.header]] + [[_cell(c) for c in row] for row in self.rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(self.header))]
        lines = [f"## {self.title}", ""]
        for n, row in enumerate(cells):
            lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
            if n == 0:
                lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        if self.notes:
            lines.append("")
            lines.extend(f"- {note}" for note in self.notes)
        return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        if abs(value) >= 100:
            return f"{value:.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    return str(value)


def interleaved(
    contenders: dict[str, Callable[[], object]], *, repeat: int = 7, number: int | None = None, budget: float = 0.02
) -> dict[str, float]:
    """Seconds per call of each contender: the minimum over ``repeat`` rounds,
    each round timing every contender once, in turn, over ``number`` calls
    (chosen so a round of the slowest takes about ``budget`` seconds)."""
    if number is None:
        slowest = 0.0
        for fn in contenders.values():
            started = time.perf_counter()
            fn()
            slowest = max(slowest, time.perf_counter() - started)
        number = max(1, int(budget / max(slowest, 1e-7)))
    best = dict.fromkeys(contenders, float("inf"))
    clock = time.perf_counter
    for _ in range(repeat):
        for name, fn in contenders.items():
            started = clock()
            for _ in range(number):
                fn()
            elapsed = (clock() - started) / number
            if elapsed < best[name]:
                best[name] = elapsed
    return best


def geomean(values: Sequence[float]) -> float:
    return statistics.geometric_mean(values) if values else float("nan")


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs (nproc), {model}, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.release()}"
    )


def versions(*names: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
