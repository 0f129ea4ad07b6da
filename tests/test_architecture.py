"""The layering of `curate` (docs/architecture.md): data flows one way through the stages,
a lower layer never imports a higher one, and no import cycle exists at any level.

Imports are read from the source with `ast`, function-level and TYPE_CHECKING ones
included, and so are modules named by a string (`importlib.import_module`), so a lazy
import cannot hide a dependency that runs the wrong way."""

from __future__ import annotations

import ast
from collections import defaultdict

import pytest

from tests.imports import MODULES, PACKAGE, imports_of

# The units of the package, lowest first: each may import itself and the units before it.
LAYERS: tuple[str, ...] = (
    "errors",
    "markup",
    "schema",
    "disk",
    "codes",
    "report",
    "generate",
    "testing",
    "readers",
    "validation",
    "store",
    "release",
    "interchange",
    "cli",
    "__main__",
)
TOP_LEVEL_MODULES_AT_MOST = 6


def _unit(module: str) -> str:
    return module.split(".")[1] if "." in module else ""


def _parent(module: str) -> set[str]:
    """The package whose __init__ runs before `module` can (none for the root's)."""
    parent = module.rsplit(".", 1)[0]
    return {parent} if "." in module and parent != "curate" else set()


# The public API (curate/__init__.py) names its modules only for type checkers and
# imports them lazily, on first use: importing `curate` runs none of them, so its own
# edges are left out (otherwise every `from curate import __version__` closed a loop).
# Every other module depends on its package's __init__, which therefore imports none of
# the package's own modules (that would be a cycle).
GRAPH: dict[str, set[str]] = {
    name: set()
    if name == "curate"
    else ({i for i, _, _ in imports_of(path)} | _parent(name)) - {name}
    for name, path in MODULES.items()
}


def test_every_import_names_a_module_that_exists() -> None:
    missing = [
        f"{name} imports {imported}"
        for name, imported in ((n, i) for n, deps in GRAPH.items() for i in deps)
        if imported not in MODULES
    ]
    assert missing == []


def test_every_unit_of_the_package_has_a_layer() -> None:
    units = {_unit(name) for name in MODULES} - {""}
    assert units <= set(LAYERS), f"give these a layer in LAYERS: {sorted(units - set(LAYERS))}"


def test_a_lower_layer_never_imports_a_higher_one() -> None:
    rank = {unit: position for position, unit in enumerate(LAYERS)}
    upward = []
    for name, path in MODULES.items():
        unit = _unit(name)
        for imported, line, names in imports_of(path):
            if imported == "curate":
                # The public API: lazy, so any layer may read its version, nothing else.
                if unit and names != {"__version__"}:
                    upward.append(f"{name}:{line} imports {sorted(names)} from curate")
                continue
            if unit and rank[_unit(imported)] > rank[unit]:
                upward.append(f"{name}:{line} imports {imported}")
    assert upward == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _collapsed(depth: int) -> dict[str, set[str]]:
    """The import graph with every module named by its first `depth` parts (its
    package at that depth), a package's own __init__ left out."""

    def at(module: str) -> str:
        return ".".join(module.split(".")[:depth])

    graph: dict[str, set[str]] = defaultdict(set)
    for name, deps in GRAPH.items():
        if len(name.split(".")) <= depth - 1 or name == "curate":
            continue
        for imported in deps:
            deep_enough = imported != "curate" and len(imported.split(".")) >= depth
            if deep_enough and at(imported) != at(name):
                graph[at(name)].add(at(imported))
    return graph


def test_no_import_cycle_between_modules() -> None:
    assert _cycles(GRAPH) == []


@pytest.mark.parametrize("depth", [2, 3])
def test_no_import_cycle_between_packages(depth: int) -> None:
    assert _cycles(_collapsed(depth)) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_few_modules_remain_at_the_top_level() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= TOP_LEVEL_MODULES_AT_MOST, top


def test_every_subpackage_and_module_says_what_it_is_for() -> None:
    undocumented = [
        name
        for name, path in MODULES.items()
        if not (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").strip()
        or "TODO" in (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "")
    ]
    assert undocumented == []
