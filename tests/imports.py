"""The imports of curate's modules, read from their source with `ast`: every form an
import can take (`import`, `from ... import`, relative, inside functions, under
TYPE_CHECKING) and modules named by a string (`importlib.import_module`, a map of lazy
names). The layering tests (test_architecture, test_internal_columns) read them here."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

__all__ = ["MODULES", "PACKAGE", "imports_in", "imports_of", "module_name"]

PACKAGE = Path(__file__).resolve().parent.parent / "curate"


def module_name(path: Path) -> str:
    """The dotted name of the module at `path` inside the package."""
    parts = ["curate", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_in(tree: ast.AST, package: str) -> Iterator[tuple[str, int, set[str]]]:
    """Each curate module the code in `tree` imports, as (module, line, names taken from
    it); `package` is the package the code is in (for relative imports). A name that is a
    submodule (`from curate.store import seal`) is that module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "curate":
                    yield alias.name, node.lineno, set()
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module.split(".")[0] != "curate":
                continue
            plain: set[str] = set()
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                if submodule in MODULES:
                    yield submodule, node.lineno, set()
                else:
                    plain.add(alias.name)
            if plain:
                yield module, node.lineno, plain
        elif isinstance(node, ast.Constant) and node.value != "curate" and node.value in MODULES:
            # A module named by a string (importlib.import_module, __import__, a map
            # of lazy names or of renderers) is imported all the same.
            yield node.value, node.lineno, set()


def imports_of(path: Path) -> Iterator[tuple[str, int, set[str]]]:
    """Each curate module the module at `path` imports (see `imports_in`)."""
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    yield from imports_in(ast.parse(path.read_text(encoding="utf-8")), package)
