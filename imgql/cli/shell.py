"""``imgql shell``: an interactive prompt for queries.

A line continues on the next only when it cannot be complete
(``images where os_distro = ubuntu and``); anything else runs when Enter is
pressed, and a mistake is reported at once with its own message. A query of
several lines runs at ``;``, at an empty line, or where a line starts the next
command.
``help``, ``exit`` and ``quit`` work without the backslash. Results longer than
the screen go through a pager (``$PAGER``, default ``less -FRX``). Without a
terminal (``printf 'images\n' | imgql shell``) queries are read line by line
by the same rules, with no prompt, and the exit code tells whether one failed.
History is kept in
``$XDG_STATE_HOME/imgql/history`` (``~/.local/state/imgql/history``).
Completion offers keywords, field names and known values: statuses,
visibilities, and the tags and os_distro values seen in results so far.

Meta-commands::

    \\plan QUERY                         the plan, without running it
    \\search TEXT                        run a search-box search
    \\format table|json|yaml|csv|value   the output format
    \\columns COL,COL,... | default | long
    \\profile glance|documented|none     what the API is assumed to filter
    \\help                               this text
    \\quit                               leave (Ctrl-D too)

The prompt needs prompt_toolkit (``pip install 'imgql[cli]'``); the command
handling (:meth:`Shell.handle`) does not.
"""

from __future__ import annotations

import io
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TextIO

from ..errors import Error
from ..lang import fields as F
from ..lang.parser import parse
from ..lang.searchbox import search_box
from ..run.results import known_column
from .columns import ColumnError, check_column_names, close_names, column_names, sorted_images
from .completion import KEYWORDS, PROFILES, TOKENS, completions
from .exits import exit_code
from .output import FORMATS, Writer
from .prompt import history_path, prompt_session
from .shell_input import BARE_COMMANDS, is_complete, parses, starts_a_command
from .terminal import isatty, table_width

__all__ = ["HELP", "KEYWORDS", "PROFILES", "TOKENS", "Shell", "history_path", "is_complete", "starts_a_command"]

_TOKENS = TOKENS  # its name here before completion.py held it


HELP = """\
Type a query and press Enter: it runs, or its mistake is shown.
  images where os_distro = ubuntu and tag = lts order by created_at desc limit 3
A line that stops before the query's end continues on the next; a query of
several lines runs at ';' or at an empty line:
  images where os_distro = ubuntu and
    tag = lts
    order by created_at desc limit 3;

  \\plan QUERY                         show the plan, without running the query
  \\search TEXT                        run a search-box search: ubuntu tag:lts
  \\format table|json|yaml|csv|value   choose the output format
  \\columns COL,COL,... | default | long
  \\profile glance|documented|none     what the API is assumed to filter
  \\pager on|off                       page results longer than the screen
  \\help (help)                        this text
  \\quit (quit, exit)                  leave (Ctrl-D too)
Tab completes fields, keywords and values seen so far.
"""

# Values remembered from results, for completion.
_SEEN_FIELDS = ("status", "visibility", "tags", "os_distro")
_MAX_SEEN = 500


class Shell:
    """The interactive prompt. ``open_source(profile)`` gives a Catalog or a
    Client; it is called on first use and again after ``\\profile``."""

    def __init__(
        self,
        open_source: Callable[[str], Any],
        *,
        profile: str = "glance",
        out: TextIO | None = None,
        err: TextIO | None = None,
        input: Any = None,  # noqa: A002 - the name prompt_toolkit uses
        output: Any = None,
        history: str | os.PathLike[str] | bool | None = True,
        fmt: str = "table",
        columns: Sequence[str] | None = None,
        long: bool = False,
        sort_columns: Sequence[str] = (),
        sort_descending: bool = False,
        max_width: int | None = None,
        fit_width: bool = False,
        writer_options: Mapping[str, Any] | None = None,
    ) -> None:
        """``fmt`` and the arguments after it are the query command's output
        options (``imgql shell -f value -c name``); ``writer_options`` are
        passed to :class:`~imgql.cli.output.Writer` (``noindent``, ``quote``,
        ``print_empty``)."""
        self.open_source = open_source
        self.profile = profile
        self.out = out if out is not None else sys.stdout
        self.err = err if err is not None else sys.stderr
        self.input = input
        self.output = output
        self.history = history
        if fmt not in FORMATS:
            raise Error(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
        self.fmt = fmt
        self.columns: list[str] | None = None
        self.long = long
        if columns:
            check_column_names(list(columns))
            self.columns = list(columns)
        self.sort_columns = tuple(sort_columns)
        if self.sort_columns:
            check_column_names(list(self.sort_columns))
        self.sort_descending = sort_descending
        self.max_width = max_width
        self.fit_width = fit_width
        self.writer_options = dict(writer_options or {})
        self.seen: dict[str, set[str]] = {name: set() for name in _SEEN_FIELDS}
        self.seen_keys: set[str] = set()
        self.pager = True
        self.failed: Error | None = None  # the first error, for the exit code without a terminal
        self._source: Any = None

    # -- the source ----------------------------------------------------------

    @property
    def source(self) -> Any:
        if self._source is None:
            self._source = self.open_source(self.profile)
        return self._source

    def close(self) -> None:
        if self._source is not None:
            close = getattr(self._source, "close", None)
            if callable(close):
                close()
            self._source = None

    # -- commands ------------------------------------------------------------

    def handle(self, text: str) -> bool:
        """Run one input (a query or a meta-command); False means leave."""
        head, newline, last = text.strip().rpartition("\n")
        if newline and head.strip() and starts_a_command(last) and parses(head):
            # A complete query, then a line that starts the next command.
            return self.handle(head) and self.handle(last)
        text = text.strip()
        while text.endswith(";"):
            text = text[:-1].rstrip()
        if not text:
            return True
        text = BARE_COMMANDS.get(text.lower(), text)
        try:
            if text.startswith("\\"):
                return self.meta(text)
            self.run_query(text)
        except KeyboardInterrupt:
            self.out.flush()
            self.err.write("interrupted\n")
        except Error as exc:
            self.out.flush()
            self.err.write(f"error: {exc}\n")
            if self.failed is None:
                self.failed = exc
        self.err.flush()
        return True

    def meta(self, text: str) -> bool:
        command, _, rest = text.partition(" ")
        if "\n" in command:
            command, _, more = command.partition("\n")
            rest = more + " " + rest
        rest = rest.strip()
        name = command.lower()
        if name in ("\\q", "\\quit", "\\exit"):
            return False
        if name in ("\\h", "\\help", "\\?"):
            self.out.write(HELP)
        elif name == "\\plan":
            self.show_plan(rest)
        elif name == "\\search":
            query = search_box(rest)
            self.err.write(f"query: {query}\n")
            for term, reason in query.ignored:
                self.err.write(f"ignored {term!r}: {reason}\n")
            self.run_query(query)
        elif name == "\\format":
            if rest not in FORMATS:
                raise Error(f"\\format takes one of: {', '.join(FORMATS)} (now: {self.fmt})")
            self.fmt = rest
        elif name == "\\profile":
            if rest not in PROFILES:
                raise Error(f"\\profile takes one of: {', '.join(PROFILES)} (now: {self.profile})")
            if rest != self.profile:
                self.close()
                self.profile = rest
        elif name == "\\columns":
            self.set_columns(rest)
        elif name == "\\pager":
            if rest not in ("on", "off"):
                raise Error(f"\\pager takes on or off (now: {'on' if self.pager else 'off'})")
            self.pager = rest == "on"
        else:
            raise Error(f"unknown command {command}; try \\help")
        self.out.flush()
        return True

    def set_columns(self, rest: str) -> None:
        if rest in ("", "default"):
            self.columns, self.long = None, False
        elif rest == "long":
            self.columns, self.long = None, True
        else:
            names = [c.strip() for c in re.split(r"[,\s]+", rest) if c.strip()]
            check_column_names(names)
            for name in names:
                # A property no image seen so far has is most likely a typo.
                if known_column(name) is None and self.seen_keys and name not in self.seen_keys:
                    close = close_names(name, self.seen_keys | set(column_names()))
                    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
                    raise ColumnError(
                        f"unknown column {name!r}: not a heading, a field, nor a property of any image seen{hint}"
                    )
            self.columns = names

    def show_plan(self, text: str) -> None:
        if not text:
            raise Error("\\plan needs a query: \\plan images where tag = lts")
        query = parse(text)
        try:
            source = self.source
        except Error:
            source = None  # no credentials: a plan needs none
        plan = source.plan(query) if source is not None else query.plan(self.profile)
        self.out.write(plan.explain() + "\n")

    def run_query(self, query: Any) -> None:
        paged = self.pager and self.fmt == "table" and isatty(self.out)
        target: TextIO = io.StringIO() if paged else self.out
        writer = Writer(
            self.fmt,
            target,
            selected=self.columns,
            long=self.long,
            width=table_width(self.out, self.max_width, self.fit_width),
            err=self.err,
            **self.writer_options,
        )
        images: Iterable[Any] = self._remember(self.source.query(query))
        if self.sort_columns:
            images = sorted_images(images, self.sort_columns, self.sort_descending)
        try:
            count = writer.write(images)
        finally:
            if paged:
                self._page(target.getvalue())  # type: ignore[attr-defined]
        if self.fmt == "table":
            self.err.write(f"({count} image{'' if count == 1 else 's'})\n")

    def _page(self, text: str) -> None:
        """Show ``text``, through the pager when it is taller than the screen."""
        try:
            height = os.get_terminal_size(self.out.fileno()).lines
        except (OSError, ValueError, AttributeError):
            height = 24
        command = os.environ.get("IMGQL_PAGER") or os.environ.get("PAGER") or "less -FRX"
        if text.count("\n") < height - 1 or not command.strip():
            self.out.write(text)
            self.out.flush()
            return
        self.out.flush()
        try:
            subprocess.run(shlex.split(command), input=text, text=True, check=False)
        except (OSError, ValueError):
            self.out.write(text)  # no pager to be found: print it all
            self.out.flush()

    def _remember(self, images: Iterable[Any]) -> Iterator[Any]:
        for image in images:
            record = getattr(image, "raw", image)
            if len(self.seen_keys) < _MAX_SEEN:
                self.seen_keys.update(str(k) for k in record)
            for name in _SEEN_FIELDS:
                value = record.get(name)
                values = value if isinstance(value, list) else [value]
                seen = self.seen[name]
                for item in values:
                    if isinstance(item, str) and item and len(seen) < _MAX_SEEN:
                        seen.add(item)
            yield image

    # -- completion ----------------------------------------------------------

    def completions(self, before: str) -> list[str]:
        """What may complete the word that ends ``before`` (the text up to the cursor)."""
        return completions(before, self.values_for)

    def values_for(self, name: str) -> set[str]:
        field = F.lookup(name)
        values = set(field.values) | set(field.known_values)
        values |= self.seen.get(field.name, set())
        return values

    # -- the prompt ----------------------------------------------------------

    def run(self) -> int:
        """The prompt, or without a terminal the queries of stdin read line by
        line; returns the exit code (non-zero when a query failed without a terminal)."""
        if self.input is None and not isatty(sys.stdin):
            return self.run_lines(sys.stdin)
        try:
            session = prompt_session(self.completions, self.history, self.input, self.output)
        except ImportError:
            self.err.write("imgql shell needs prompt_toolkit: pip install 'imgql[cli]'\n")
            return 1
        try:
            while True:
                try:
                    text = session.prompt()
                except KeyboardInterrupt:
                    continue  # Ctrl-C clears the line, as in other shells
                except EOFError:
                    break
                if not self.handle(text):
                    break
        finally:
            self.close()
        return 0

    def run_lines(self, lines: Iterable[str]) -> int:
        """Queries read from a file or a pipe, entered by the same rules as at
        the prompt; the exit code of the first error (0 when none failed)."""
        buffer: list[str] = []
        try:
            for line in lines:
                line = line.rstrip("\r\n")
                if buffer and starts_a_command(line) and parses("\n".join(buffer)):
                    # The query above was complete: it runs, and this line starts anew.
                    if not self.handle("\n".join(buffer)):
                        break
                    buffer = []
                buffer.append(line)
                text = "\n".join(buffer)
                if not text.strip():
                    buffer = []
                elif is_complete(text):
                    buffer = []
                    if not self.handle(text):
                        break
            else:
                if "\n".join(buffer).strip():
                    self.handle("\n".join(buffer))  # the end of input ends the last query
        finally:
            self.close()
        return 0 if self.failed is None else exit_code(self.failed)
