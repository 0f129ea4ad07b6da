"""Command-line values converted without pydantic, for the parameter types curate uses.

Typer converts every value of the command line (defaults included) through a pydantic
`TypeAdapter` built per parameter on first use: importing pydantic and building the
adapters was most of the start-up of `curate validate` (about 0.4 s, more than reading a
small file). `FastCommand` and `FastGroup` give each parameter of the types curate's
commands declare (bool, str, int with bounds, Path, an Enum, a list of one of them) a
conversion of its own that returns what typer's would. A value it is not sure of, or
refuses, goes to typer's own conversion, so that every error message is typer's; a
parameter of any other type keeps typer's conversion.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

import typer
from typer._click import Context, Parameter
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer._param_types import coerce_cli_choice, coerce_cli_path
from typer.core import TyperCommand, TyperGroup, _TyperParameter
from typer.models import ParameterInfo

__all__ = ["FastCommand", "FastGroup", "use_fast_coercion"]

Convert = Callable[[Any, Context, _TyperParameter], Any]

# The integers written plainly, which pydantic and `int` read alike (pydantic also
# reads " 5", "+5", "1_000" and "5.0": those go to typer's own conversion).
_PLAIN_INTEGER = re.compile(r"(?:0|-?[1-9][0-9]{0,17})\Z")


class _NotSureError(Exception):
    """The value is one for typer's own conversion."""


def _boolean(value: Any, ctx: Context, param: _TyperParameter) -> Any:
    if type(value) is not bool:
        raise _NotSureError
    return value


def _text(value: Any, ctx: Context, param: _TyperParameter) -> Any:
    if type(value) is not str:
        raise _NotSureError
    return value


def _integer(info: ParameterInfo) -> Convert | None:
    if info.clamp:
        return None
    low, high = info.min, info.max

    def convert(value: Any, ctx: Context, param: _TyperParameter) -> Any:
        if type(value) is int:
            number = value
        elif type(value) is str and _PLAIN_INTEGER.match(value):
            number = int(value)
        else:
            raise _NotSureError
        if (low is not None and number < low) or (high is not None and number > high):
            raise _NotSureError  # typer says which bound
        return number

    return convert


def _path(info: ParameterInfo) -> Convert:
    def convert(value: Any, ctx: Context, param: _TyperParameter) -> Any:
        if type(value) is str:
            value = Path(value)  # what pydantic makes of any str
        elif not isinstance(value, Path):
            raise _NotSureError
        return coerce_cli_path(value, info, path_type=Path, param=param, ctx=ctx)

    return convert


def _choice(choices: Sequence[Any], info: ParameterInfo) -> Convert:
    def convert(value: Any, ctx: Context, param: _TyperParameter) -> Any:
        return coerce_cli_choice(
            value, choices=choices, case_sensitive=info.case_sensitive, ctx=ctx
        )

    return convert


def _leaf(annotation: Any, info: ParameterInfo) -> Convert | None:
    """The conversion of one value, in the order of typer's own (its `build_leaf_adapter`)."""
    if info.parser is not None or info.path_type is not None:
        return None
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _choice(list(annotation), info)
    if annotation is int:
        return _integer(info)
    if annotation is bool:
        return _boolean
    if annotation is str:
        return _text
    if annotation is Path:
        return _path(info)
    return None


def _convert(descriptor: TypeDescriptor) -> Convert | None:
    """The conversion of a parameter's value (a list's, item by item), if curate has one."""
    if descriptor.file_annotation is not None:
        return None
    annotation, info = descriptor.annotation, descriptor.parameter_info
    origin: Any = get_origin(annotation)
    if origin is not list:
        return _leaf(annotation, info)
    (item,) = get_args(annotation)
    one = _leaf(item, info)
    if one is None:
        return None

    def convert(value: Any, ctx: Context, param: _TyperParameter) -> Any:
        values = value if isinstance(value, (list, tuple)) else [value]
        return [one(item, ctx, param) for item in values]

    return convert


@dataclass(frozen=True)
class _FastParam(RuntimeParam):
    """A parameter's conversion, with typer's own for what it is not sure of."""

    convert: Convert
    descriptor: TypeDescriptor

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        try:
            return self.convert(value, ctx, param)
        except Exception:  # not sure, or refused: typer converts it, or says why not
            typers = build_runtime_param(self.descriptor)
            return typers._coerce_value(value, param=param, ctx=ctx)


def _install(params: list[Parameter]) -> None:
    for param in params:
        if not isinstance(param, _TyperParameter) or param._runtime_param is not None:
            continue
        descriptor = param.type_descriptor
        convert = _convert(descriptor)
        if convert is not None:
            param._runtime_param = _FastParam(
                parameter_info=descriptor.parameter_info,
                annotation=descriptor.annotation,
                convert=convert,
                descriptor=descriptor,
            )


class FastCommand(TyperCommand):
    """A command whose parameters convert their values without pydantic."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        _install(self.get_params(ctx))
        return super().parse_args(ctx, args)


class FastGroup(TyperGroup):
    """A group whose own parameters (--help and typer's completion options included)
    convert their values without pydantic."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        _install(self.get_params(ctx))
        return super().parse_args(ctx, args)


def use_fast_coercion(app: typer.Typer) -> None:
    """Make every command and group of `app` (one declared without a class of its own)
    a `FastCommand` or `FastGroup`."""
    if app.info.cls is None or not isinstance(app.info.cls, type):
        app.info.cls = FastGroup
    for command in app.registered_commands:
        if command.cls in (None, TyperCommand):
            command.cls = FastCommand
    for group in app.registered_groups:
        if group.typer_instance is not None:
            use_fast_coercion(group.typer_instance)
