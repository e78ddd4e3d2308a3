"""When a line typed into ``imgql shell`` (or piped to it) runs, and when it
waits for more: the rules the prompt and ``imgql shell < file`` share."""

from __future__ import annotations

import re

from ..errors import Error, IncompleteQueryError
from ..lang.parser import parse

__all__ = ["BARE_COMMANDS", "is_complete", "parses", "starts_a_command"]

# Words that work alone on a line, as in other shells.
BARE_COMMANDS = {"help": "\\help", "?": "\\help", "exit": "\\quit", "quit": "\\quit"}


def is_complete(text: str) -> bool:
    """Whether Enter should run ``text`` rather than start a new line.

    A line continues only when it cannot be complete: the query stops
    before its end (``images where os_distro = ubuntu and``, an open ``(``
    or quote). Anything else runs, and a mistake is reported at once with
    its own message (``status = actve``, ``select * from images``). A query
    of several lines that parses also waits for ``;`` or an empty line, so
    that ``and ...`` and ``order by ...`` lines can still follow."""
    stripped = text.strip()
    if not stripped or stripped.startswith("\\") or stripped.endswith(";"):
        return True
    if stripped.lower() in BARE_COMMANDS:
        return True
    several = "\n" in text.lstrip()
    ended = several and not text.split("\n")[-1].strip()
    try:
        parse(stripped)
    except IncompleteQueryError:
        return ended
    except Error:
        return True  # no more text can mend it: say what is wrong now
    return ended or not several


_NEW_COMMAND = re.compile(r"\s*(\\|(all\s+)?images\b)", re.IGNORECASE)


def starts_a_command(line: str) -> bool:
    """Whether a line can only begin something new (a query, a meta-command),
    never continue the query above it."""
    return bool(_NEW_COMMAND.match(line)) or line.strip().lower() in BARE_COMMANDS


def parses(text: str) -> bool:
    """Whether ``text`` is a whole query already."""
    try:
        parse(text.strip())
    except Error:
        return False
    return True
