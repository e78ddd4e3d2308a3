"""Table 9: the search box, linear in what a visitor types.

``imgql.search_box`` over texts of 2,500 to 20,000 characters (its limit) of
three shapes: distinct words, one word repeated (the case a list scan of
terms made quadratic), and filters with lists (``tag:a,b``). Time per
character should stay flat as the text grows.
"""

from __future__ import annotations

from benchmarks._common import Table, interleaved
from imgql.lang.searchbox import MAX_LENGTH, search_box

LENGTHS = (2_500, 5_000, 10_000, MAX_LENGTH)
SHAPES = {
    "distinct words": lambda n: " ".join(f"w{i}" for i in range(n))[:n],
    "one word repeated": lambda n: ("ubuntu " * n)[:n],
    "tag:a,b filters": lambda n: " ".join(f"tag:a{i},b{i}" for i in range(n))[:n],
}


def run(*, quick: bool = False) -> Table:
    lengths = LENGTHS[:2] if quick else LENGTHS
    table = Table("9. The search box", ["text", *(f"n={n:,} (ms)" for n in lengths), "µs per char, last"])
    for shape, make in SHAPES.items():
        texts = {str(n): make(n) for n in lengths}
        timed = interleaved(
            {key: (lambda text=text: search_box(text)) for key, text in texts.items()},
            repeat=2 if quick else 5,
            number=1,
        )
        last = lengths[-1]
        table.add(shape, *(timed[str(n)] * 1e3 for n in lengths), timed[str(last)] / last * 1e6)
    table.notes.append(
        f"linear: the last column stays flat as n grows; texts over {MAX_LENGTH:,} characters raise SearchBoxError"
    )
    return table
