"""Print the exact lowest versions pyproject.toml allows, one requirement a line.

Reads the runtime dependencies and the extras named on the command line, and
turns every `name>=X` into `name==X`. A requirement without a floor is an
error: a promise we do not test is not one we can keep.

An environment marker (`tomli>=2.0.1; python_version < '3.11'`) stays on its
line, so pip installs the pin only on the Pythons the marker names: the same
file serves every interpreter. The same name under two different markers gets
a line for each; should both markers hold on one Python and their floors
differ, pip refuses the file, so such a mistake fails CI instead of passing
unseen.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

FLOOR = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][^,;\s]*)[^;]*(?:;\s*(.*?))?\s*$")


def main(extras: list[str]) -> int:
    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    pinned: dict[tuple[str, str], str] = {}
    for requirement in requirements:
        match = FLOOR.match(requirement)
        if match is None:
            print(f"no lower bound in {requirement!r}", file=sys.stderr)
            return 1
        name, version, marker = match.group(1).lower(), match.group(2), match.group(3) or ""
        key = (name, " ".join(marker.split()))
        pinned[key] = max(pinned.get(key, version), version, key=_version_key)
    for (name, marker), version in sorted(pinned.items()):
        print(f"{name}=={version}" + (f"; {marker}" if marker else ""))
    return 0


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
