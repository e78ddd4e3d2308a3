"""The documents say only what is so: every file path they name exists, and every ``imgql``
command in a code block is one the command line takes (and, with ``--catalog``, runs and prints
what the document shows after it)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from imgql.cli.commands import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])

# A path named in backquotes: under a folder of the repository, or a file at its root.
PATH = re.compile(r"`((?:imgql|tests|docs|examples|benchmarks|grammar|\.ci)/[\w./*-]*[\w*]|[\w-]+\.(?:md|toml|py))`")
# Paths of what is gone, named as history ("once had", "then imgql/parser.py").
HISTORY = re.compile(r"\bonce\b|\(then `")
# Names of files that are not the repository's own (the user's configuration, a package's module).
NOT_OURS = {"clouds.yaml", "secure.yaml", "clouds-public.yaml", "deploy.yaml"}
# Made when the benchmarks first run, not kept in the repository.
GENERATED = {"benchmarks/.glance-data"}
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def named_paths() -> list[tuple[str, int, str]]:
    found = []
    for document in DOCUMENTS:
        for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), 1):
            if HISTORY.search(line):
                continue
            for match in PATH.finditer(line):
                found.append((document.name, number, match.group(1)))
    return found


def _exists(path: str, document: str) -> bool:
    if path in GENERATED:
        return True
    if "*" in path:
        return any(ROOT.glob(path))
    if "/" not in path:
        # A bare file name: anywhere in the package, the tests or at the root.
        return path in NOT_OURS or any(ROOT.glob(f"{path}")) or any(ROOT.glob(f"**/{path}"))
    return (ROOT / path).exists()


def test_every_path_a_document_names_exists() -> None:
    missing = [f"{doc}:{line}: {path}" for doc, line, path in named_paths() if not _exists(path, doc)]
    assert not missing, "documents name files the repository does not have:\n" + "\n".join(missing)


def commands() -> list[tuple[str, list[str], list[str]]]:
    """Each ``imgql`` command of a code block, with the lines shown after it (its output)."""
    found = []
    for document in DOCUMENTS:
        for block in FENCE.findall(document.read_text(encoding="utf-8")):
            lines = block.splitlines()
            for i, line in enumerate(lines):
                text = line.strip().removeprefix("$ ").removeprefix(".venv/bin/")
                if not text.startswith("imgql ") or "..." in text:
                    continue
                words = shlex.split(text.split(" | ")[0], comments=True)
                output = []
                for after in lines[i + 1 :]:
                    if after.strip().startswith(("imgql ", "$ ", "#")) or not after.strip():
                        break
                    output.append(after)
                found.append((f"{document.name}: {text[:70]}", words[1:], output))
    return found


COMMANDS = commands()


def test_documents_show_commands() -> None:
    assert len(COMMANDS) >= 8


@pytest.mark.parametrize(("where", "argv", "output"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_command_a_document_shows_is_taken_and_runs(where: str, argv: list[str], output: list[str]) -> None:
    build_parser().parse_args(argv)  # exits 2 on an option or command the command line does not take
    if "--catalog" not in argv:
        return  # needs a cloud: taking its options is what can be checked here
    result = subprocess.run(
        [sys.executable, "-m", "imgql.cli", *argv],
        capture_output=True, text=True, cwd=ROOT, timeout=60, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    shown = "\n".join(output)
    for line in output:
        # A line the document shows after the command is in what it prints (stdout or stderr).
        assert line.strip() in result.stdout + result.stderr, f"{where}: {line!r} not printed\n{shown}"
