"""Version order: the version a text holds, as a value that sorts the way people count.

``version_key("Ubuntu-22.04.10-LTS")`` reads the first run of numbers joined
by dots (``22.04.10``) and an optional pre-release suffix right after it, and
returns a key that compares numerically, part by part: ``9 < 10``,
``22.04.9 < 22.04.10``, ``10 == 10.0``. A pre-release comes before its
release, alpha before beta before release candidate: ``2.0a1 < 2.0b2 < 2.0rc1 < 2.0``.
This is the order of PEP 440 (``packaging.version``) for the versions that
have these parts. A text with no digits has no version (None), which sorts
as a missing value does.
"""

from __future__ import annotations

import re

__all__ = ["PHASES", "version_key"]

# Pre-release spellings, by their place before the release itself (3).
PHASES = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}

_VERSION = re.compile(
    r"(?<![0-9])([0-9]+(?:\.[0-9]+)*)"
    r"(?:[-_.~]?(preview|alpha|beta|pre|rc|a|b|c)[-_.]?([0-9]*)(?![a-z]))?",
    re.IGNORECASE,
)
_FINAL = 3

VersionKey = tuple[tuple[int, ...], int, int]


def version_key(text: str | None) -> VersionKey | None:
    """The sort key of the first version in ``text``, or None when it holds none."""
    if not text:
        return None
    found = _VERSION.search(text)
    if found is None:
        return None
    parts = [int(part) for part in found.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()  # 10.0 is 10, as in PEP 440
    if parts == [0]:
        parts = []
    phase = found.group(2)
    if phase is None:
        return (tuple(parts), _FINAL, 0)
    return (tuple(parts), PHASES[phase.lower()], int(found.group(3) or 0))
