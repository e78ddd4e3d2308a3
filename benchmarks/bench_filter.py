"""Table 2: client-side filtering throughput over many image records.

For each residual-predicate shape, the same records are filtered by

- ``imgql``: ``imgql.run.answer.plan_predicate(plan)``, i.e. ``evaluate.compile_predicate(normalize(where))``;
- ``lambda``: what a careful person writes by hand (null-safe, same answer);
- ``jmespath``: ``jmespath.compile("[?...]").search(records)`` (openstacksdk's filter language).

The goal is imgql >= 0.8x the lambda's throughput on every shape. Each
contender's answer is checked against the lambda's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Callable
from typing import Any

from ._common import Table, interleaved, say, versions
from .records import records

# What one writes by hand: Python 3.10's reader takes no "Z" (the records' times end in one).
_fromisoformat: Callable[[str], dt.datetime] = (
    dt.datetime.fromisoformat
    if sys.version_info >= (3, 11)
    else (lambda text: dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
)
_JUNE = dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)
_RHEL = re.compile(r"^(ubuntu|debian)-[0-9]+")
_FORMATS = frozenset(("qcow2", "raw", "vmdk"))
_DISTROS = frozenset(("ubuntu", "debian"))


def _size_below(image: dict[str, Any], bound: int) -> bool:
    size = image.get("size")
    return size is not None and size < bound


# (shape, imgql condition, hand-written lambda, jmespath filter or None)
SHAPES: tuple[tuple[str, str, Callable[[dict[str, Any]], bool], str | None], ...] = (
    (
        "one comparison",
        "status = active",
        lambda im: im.get("status") == "active",
        "[?status == 'active']",
    ),
    (
        "a and (b or c) and d",
        "status = active and (os_distro = ubuntu or os_distro = debian) and size < 5GB",
        lambda im: (
            im.get("status") == "active"
            and im.get("os_distro") in _DISTROS
            and (s := im.get("size")) is not None
            and s < 5_000_000_000
        ),
        "[?status == 'active' && (os_distro == 'ubuntu' || os_distro == 'debian') && size < `5000000000`]",
    ),
    (
        "like (prefix)",
        "name like 'ubuntu-*'",
        lambda im: (n := im.get("name")) is not None and n.casefold().startswith("ubuntu-"),
        "[?starts_with(name, 'ubuntu-')]",
    ),
    (
        "like (infix)",
        "name like '*-cuda-*'",
        lambda im: (n := im.get("name")) is not None and "-cuda-" in n.casefold(),
        "[?contains(name, '-cuda-')]",
    ),
    (
        "regex",
        "name ~ '^(ubuntu|debian)-[0-9]+'",
        lambda im: (n := im.get("name")) is not None and _RHEL.search(n) is not None,
        None,
    ),
    (
        "in",
        "disk_format in (qcow2, raw, vmdk)",
        lambda im: im.get("disk_format") in _FORMATS,
        "[?contains(['qcow2', 'raw', 'vmdk'], disk_format)]",
    ),
    (
        "custom properties",
        "hw_disk_bus = scsi and os_version = '22.04'",
        lambda im: im.get("hw_disk_bus") == "scsi" and im.get("os_version") == "22.04",
        "[?hw_disk_bus == 'scsi' && os_version == '22.04']",
    ),
    (
        "nulls",
        "size = null or checksum missing",
        lambda im: im.get("size") is None or im.get("checksum") is None,
        "[?size == null || checksum == null]",
    ),
    (
        "tag",
        "tag = lts",
        lambda im: "lts" in (im.get("tags") or ()),
        "[?contains(tags, 'lts')]",
    ),
    (
        "datetime",
        "created_at >= 2024-06-01",
        lambda im: (c := im.get("created_at")) is not None and _fromisoformat(c) >= _JUNE,
        None,
    ),
)


def run(*, quick: bool = False, count: int | None = None) -> Table:
    import jmespath

    import imgql
    from imgql.plan.normalize import normalize
    from imgql.run.predicate import compile_predicate

    count = count or (2_000 if quick else 200_000)
    repeat = 2 if quick else 5
    images = records(count)
    table = Table(
        f"2. Client-side filtering, {count:,} records (thousands of records per second; ratio = imgql / lambda)",
        ["shape", "matches", "imgql k/s", "lambda k/s", "jmespath k/s", "imgql / lambda", "jmespath / lambda"],
    )
    worst = ("", float("inf"))
    for shape, condition, by_hand, jmes in SHAPES:
        predicate = compile_predicate(normalize(imgql.parse(f"images where {condition}").where))
        expected = [im for im in images if by_hand(im)]
        got = list(filter(predicate, images))
        if got != expected:
            raise AssertionError(f"{shape}: imgql selects {len(got)} records, the lambda {len(expected)}")
        contenders: dict[str, Callable[[], object]] = {
            "imgql": lambda p=predicate: list(filter(p, images)),
            "lambda": lambda f=by_hand: list(filter(f, images)),
        }
        if jmes is not None:
            compiled = jmespath.compile(jmes)
            jm = compiled.search(images)
            if jm != expected:
                table.notes.append(f"{shape}: jmespath selects {len(jm)} records, the lambda {len(expected)}")
            contenders["jmespath"] = lambda c=compiled: c.search(images)
        t = interleaved(contenders, repeat=repeat, number=1)
        rate = {name: count / seconds / 1000 for name, seconds in t.items()}
        ratio = rate["imgql"] / rate["lambda"]
        if ratio < worst[1]:
            worst = (shape, ratio)
        table.add(
            shape,
            len(expected),
            rate["imgql"],
            rate["lambda"],
            rate.get("jmespath", float("nan")),
            ratio,
            rate["jmespath"] / rate["lambda"] if "jmespath" in rate else float("nan"),
        )
    table.notes.append(f"goal imgql >= 0.8x lambda on every shape: worst is {worst[0]!r} at {worst[1]:.2f}x")
    table.notes.append(
        f"min of {repeat} interleaved rounds, each filtering the whole list once; jmespath has no regular "
        f"expressions and orders only numbers, so regex and datetime have no jmespath column; "
        f"{versions('jmespath')}"
    )
    return table


def generated_source(condition: str) -> str:
    import imgql
    from imgql.plan.normalize import normalize
    from imgql.run.predicate import compile_predicate

    return compile_predicate(normalize(imgql.parse(f"images where {condition}").where)).__doc__ or ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--count", type=int)
    parser.add_argument("--source", action="store_true", help="print the generated predicate for each shape")
    args = parser.parse_args(argv)
    if args.source:
        for shape, condition, _, _ in SHAPES:
            print(f"# {shape}: {condition}\n{generated_source(condition)}")
        return 0
    say("table 2: filtering ...")
    print(run(quick=args.quick, count=args.count).render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
