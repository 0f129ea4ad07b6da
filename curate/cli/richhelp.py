"""typer's help and error panels without rich's Markdown and traceback modules.

typer draws help and usage errors with `typer.rich_utils`, which imports
`rich.markdown` (markdown-it, pygments) and `rich.traceback` (rich.pretty, attrs) at its
top: about half of the start-up of `curate --help`. curate's help is rich markup, never
Markdown (`rich_markup_mode="rich"`), and typer's pretty tracebacks are off (the command
line reports errors itself), so neither is used. `install` arranges that when
`typer.rich_utils` is first imported, those two names stand for the real classes, which
are imported if anything ever calls them.
"""

from __future__ import annotations

import importlib.machinery
import sys
import types
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from importlib.abc import Loader  # importlib.abc itself costs more than this module

__all__ = ["install"]

_MODULE = "typer.rich_utils"


class _Markdown:
    """`rich.markdown.Markdown`, imported when one is made."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        from rich.markdown import Markdown

        return Markdown(*args, **kwargs)


class _Traceback:
    """`rich.traceback.Traceback`, imported when one is made."""

    @classmethod
    def from_exception(cls, *args: Any, **kwargs: Any) -> Any:
        from rich.traceback import Traceback

        return Traceback.from_exception(*args, **kwargs)


_STAND_INS = {"rich.markdown": ("Markdown", _Markdown), "rich.traceback": ("Traceback", _Traceback)}


class _Loader:
    """Runs `typer.rich_utils` with the stand-ins in place, and only then."""

    def __init__(self, loader: Loader) -> None:
        self._loader = loader

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename, ...: the file's
        return getattr(self._loader, name)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        placed = []
        for name, (attribute, stand_in) in _STAND_INS.items():
            if name not in sys.modules:
                stand_in_module = types.ModuleType(name, stand_in.__doc__)
                setattr(stand_in_module, attribute, stand_in)
                sys.modules[name] = stand_in_module
                placed.append(name)
        try:
            self._loader.exec_module(module)
        finally:
            for name in placed:
                del sys.modules[name]  # a later import gets the real module


class _Finder:
    """Finds `typer.rich_utils` as usual, to be run by `_Loader`."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _MODULE:
            return None
        sys.meta_path.remove(self)  # once
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = cast("Loader", _Loader(spec.loader))
        return spec


def install() -> None:
    """Make the first import of `typer.rich_utils` skip rich's Markdown and traceback
    modules (nothing to do if it is already imported)."""
    if _MODULE not in sys.modules and not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
