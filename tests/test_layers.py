"""The package's layers import one way: each from itself and the layers below.

errors, version, optional  <  lang  <  plan  <  run  <  http  <  cli  <  the facade (imgql/__init__.py)

Read with Python's ``ast`` from the source files, so an import hidden in a
function body counts as much as one at the top. The only imports allowed to go
up are the documented facade delegations of ``imgql.lang.ast.Query`` (its
``plan()`` method hands the query to the planner, as an expression printing
itself hands off to a later stage), listed in ``ALLOWED_UPWARD``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "imgql"

# Lower rank = lower layer. Modules at the package root other than the facade
# form the base that every layer may use.
LAYERS = {"base": 0, "lang": 1, "plan": 2, "run": 3, "http": 4, "cli": 5, "facade": 6}

# (importing module, imported module): imports that go up on purpose.
ALLOWED_UPWARD = {
    ("imgql.lang.ast", "imgql.plan.planner"),
    # For the annotation of Query.plan() only (under TYPE_CHECKING).
    ("imgql.lang.ast", "imgql.plan.plan"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts == ["imgql"]:
        return "facade"
    if len(parts) >= 2 and parts[1] in LAYERS:
        return parts[1]
    return "base"


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Every imgql module ``path`` imports, absolute, with its line."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names if alias.name.startswith("imgql"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if not target.startswith("imgql"):
                continue
            # `from . import x` may name a module: count the most specific one.
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                is_module = (PACKAGE.parent / Path(*candidate.split("."))).with_suffix(".py").exists() or (
                    PACKAGE.parent / Path(*candidate.split("."))
                ).is_dir()
                found.append((candidate if is_module else target, node.lineno))
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_is_in_a_known_layer() -> None:
    folders = {p.parent.name for p in MODULES if p.parent != PACKAGE}
    assert folders <= set(LAYERS) | {"grammar"}, folders - set(LAYERS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_go_down_only(path: Path) -> None:
    importer = module_name(path)
    own = LAYERS[layer_of(importer)]
    upward = [
        f"line {line}: {imported} ({layer_of(imported)})"
        for imported, line in imports_of(path)
        if LAYERS[layer_of(imported)] > own and (importer, imported) not in ALLOWED_UPWARD
    ]
    assert not upward, f"{importer} ({layer_of(importer)}) imports from a higher layer: {upward}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_every_module_declares_its_public_names(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    targets = [
        target
        for node in tree.body
        for target in (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
    ]
    declared = any(isinstance(target, ast.Name) and target.id == "__all__" for target in targets)
    if path.name == "__main__.py":
        pytest.skip("a script, not a module to import from")
    assert declared, f"{module_name(path)} has no __all__"


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    # The check itself must fail on what it is meant to catch.
    probe = PACKAGE / "lang" / "ast.py"
    found = dict(imports_of(probe))
    assert "imgql.plan.planner" in found
