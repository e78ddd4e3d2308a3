"""The prompt of ``imgql shell`` (prompt_toolkit, imported only when it is
shown) and where its history is kept."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .completion import WORD
from .shell_input import is_complete

__all__ = ["history_path", "prompt_session"]


def history_path(environ: dict[str, str] | None = None) -> Path:
    """Where the shell keeps its history."""
    env = os.environ if environ is None else environ
    state = env.get("XDG_STATE_HOME", "").strip()
    base = Path(state) if state and os.path.isabs(state) else Path.home() / ".local" / "state"
    return base / "imgql" / "history"


def prompt_session(
    complete: Callable[[str], list[str]],
    history: str | os.PathLike[str] | bool | None,
    input: Any = None,  # noqa: A002 - the name prompt_toolkit uses
    output: Any = None,
) -> Any:
    """The prompt_toolkit session of ``imgql shell``: Enter runs a complete
    query, Tab offers ``complete(text before the cursor)``; ``history`` is a
    file, True for :func:`history_path`, or False to keep none."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import Completer, Completion
    from prompt_toolkit.key_binding import KeyBindings

    class _Completer(Completer):
        def get_completions(self, document: Any, complete_event: Any) -> Iterator[Completion]:
            before = document.text_before_cursor
            word_match = WORD.search(before)
            word = word_match.group(0) if word_match else ""
            if before.lstrip().startswith("\\") and " " not in before.lstrip():
                word = before.lstrip()
            elif before.lstrip().startswith("\\"):
                word = before.rsplit(" ", 1)[-1]
            for candidate in complete(before):
                yield Completion(candidate, start_position=-len(word))

    bindings = KeyBindings()

    @bindings.add("enter")
    def _enter(event: Any) -> None:
        buffer = event.current_buffer
        if is_complete(buffer.text):
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n")

    options: dict[str, Any] = {}
    if input is not None:
        options["input"] = input
    if output is not None:
        options["output"] = output
    return PromptSession(
        "imgql> ",
        multiline=True,
        prompt_continuation="  ...> ",
        key_bindings=bindings,
        completer=_Completer(),
        complete_while_typing=False,
        history=_history(history),
        **options,
    )


def _history(history: str | os.PathLike[str] | bool | None) -> Any:
    """The prompt's history: in a file, or in memory when there is none (or it cannot be made)."""
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    if history is False or history is None:
        return InMemoryHistory()
    path = history_path() if history is True else Path(history)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return FileHistory(str(path))
    except OSError:
        return InMemoryHistory()
