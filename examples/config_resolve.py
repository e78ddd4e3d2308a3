"""Resolve the image queries of a configuration file into image ids.

    python examples/config_resolve.py [examples/images.yaml] [--key 'servers.*.image']

Every query is run with exactly-one semantics; when some fail, every failure
is reported at once with its key path and its position inside the query.
Reads YAML (needs PyYAML), TOML or JSON by extension; runs against
examples/catalog.json, or a live cloud with --live (OS_* / clouds.yaml).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import imgql
from imgql.cli.queryfiles import ConfigQueryError, check_file, load_file, resolve

HERE = Path(__file__).parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", default=str(HERE / "images.yaml"))
    parser.add_argument("--key", action="append", help="dotted key path, * for any key (default: every query)")
    parser.add_argument("--live", action="store_true", help="resolve against a live cloud instead of the catalog")
    args = parser.parse_args(argv)

    # 1. Validate without any API call: positions are lines and columns of the file.
    diagnostics = check_file(args.file, args.key)
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)
    if diagnostics:
        return 2

    # 2. Resolve: every query must pick exactly one image.
    data, _text, _kind = load_file(args.file)
    source: Any = imgql.Client() if args.live else imgql.Catalog(HERE / "catalog.json")
    try:
        resolved = resolve(data, args.key, source)
    except ConfigQueryError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 3
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
    print(json.dumps(resolved, indent=2))

    # 3. The same, with a broken configuration: every problem is reported at once.
    broken = {"a": "images where os_distro = ubuntu", "b": "images where size < 5XB", "c": "images where name = nope"}
    try:
        resolve(broken, None, imgql.Catalog(HERE / "catalog.json"))
    except ConfigQueryError as exc:
        print(f"\nA broken configuration:\n{exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
