"""Small files that may come from anyone, read within bounds: curate's state files in a
dataset (its journal), dataset.yaml and schema files.

`read_bounded` reads a regular file of at most a given size, never blocking on a FIFO or
a device and, if asked, never following a symlink. `read_yaml_mapping` reads a YAML file
with the safe loader (libyaml when present), within limits that keep a
small hostile file from costing much: at most `MAX_YAML_BYTES` bytes, UTF-8, no aliases
(`*name`: a "billion laughs" file of 1 KB references one node from many places, and
whatever walks the result pays for every reference), and libyaml's own bound on nesting.
A file that breaks any of these, or is not YAML, or does not hold a mapping, is an
`InputError` (or the caller's error class) naming the file.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from curate.errors import CurateError, InputError

__all__ = ["MAX_YAML_BYTES", "read_bounded", "read_yaml_mapping"]

MAX_YAML_BYTES = 1 << 20  # 1 MiB: the schema's largest file is a few KB

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _NoAliasLoader(_Base):  # type: ignore[valid-type,misc]
    """The safe loader, refusing any node used twice (an alias, or a merge key `<<`)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases (*name) are not allowed", node.start_mark
            )
        return super().construct_object(node, deep)


def read_bounded(path: Path, limit: int, *, follow_symlinks: bool = True) -> bytes:
    """The bytes of the regular file at `path`; `OSError` for anything else (a FIFO, a
    device, a directory, a symlink when not followed) and for a file over `limit` bytes,
    read no further than that."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow_symlinks else os.O_NOFOLLOW)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise OSError(exc.errno, "it is a symlink") from None
        raise
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than the limit of {limit:,} bytes")
    return data


def read_yaml_mapping(
    path: Path, *, what: str = "", error: type[CurateError] = InputError
) -> dict[str, Any]:
    """The mapping that the YAML file at `path` holds; `what` names the file in
    messages (e.g. "schema file"), `error` is the class raised."""
    label = f"{what} {path}".strip()
    try:
        data = read_bounded(path, MAX_YAML_BYTES)
    except OSError as exc:
        raise error(f"cannot read {label}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{label} is not UTF-8 text (byte {exc.start})") from None
    try:
        content = yaml.load(text, Loader=_NoAliasLoader)  # a safe loader
    except yaml.YAMLError as exc:
        raise error(f"{label} is not valid YAML: {_reason(exc)}") from None
    except RecursionError:  # the pure-Python loader has no nesting bound of its own
        raise error(f"{label} is not valid YAML: nested too deeply") from None
    if not isinstance(content, dict):
        raise error(f"{label} must hold a mapping (key: value lines), not {_kind(content)}")
    if not all(isinstance(key, str) for key in content):
        raise error(f"{label}: every top-level key must be text")
    return content


def _reason(exc: yaml.YAMLError) -> str:
    """The problem and its line, on one line."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return " ".join(f"{exc.context or ''} {exc.problem or ''}".split()) + where
    return " ".join(str(exc).split())


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    return f"a single {type(value).__name__} value"
