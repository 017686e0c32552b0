"""The one cattrs converter between plain data and the model, and its strict rules.

Strict because people type these files by hand: ``3`` is not the text "3", a
string is not a list of characters, ``true`` is not a number, an unknown key is
a typo to report. Errors come back as problems with field paths.
"""

from __future__ import annotations

import enum
import types
import typing
from typing import Any

import attrs
import cattrs
from cattrs.errors import ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn
from cattrs.v import transform_error

from civicrecord.model import Indicator, PartialDate, Report
from civicrecord.problems import Problem, Severity, closest, format_path, parse_path

__all__ = ["converter", "structure_problems", "to_plain"]


class _TypeMismatch(TypeError):
    def __init__(self, expected: str, value: Any, hint: str | None = None) -> None:
        super().__init__(f"expected {expected}, got {_describe(value)}")
        self.hint = hint


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text ({shown!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        hint = "put the value in quotes" if isinstance(value, bool | int | float) else None
        raise _TypeMismatch("text", value, hint)
    return value


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _TypeMismatch("a whole number", value, "write digits only, without quotes")
    return value


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _TypeMismatch("a number", value, "write digits only, without quotes")
    return float(value)


def _structure_number(value: Any, _: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _TypeMismatch("a number", value, "write digits only, without quotes")
    return value


def _structure_value(value: Any, _: Any) -> int | float | str:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _TypeMismatch("a number or a text", value)
    return value


def _structure_partial_date(value: Any, _: type) -> PartialDate:
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:04d}" if value >= 0 else str(value)  # a year: 987 is 0987
    if not isinstance(value, str):
        raise _TypeMismatch("a date (YYYY, YYYY-MM or YYYY-MM-DD)", value)
    return PartialDate.parse(value.strip())


def _is_number_union(tp: Any) -> bool:
    return _union_args(tp) == {int, float}


def _is_value_union(tp: Any) -> bool:
    return _union_args(tp) == {int, float, str}


def _union_args(tp: Any) -> set[Any] | None:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return set(typing.get_args(tp))
    return None


def _is_tuple(tp: Any) -> bool:
    return typing.get_origin(tp) is tuple


def _is_enum(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, enum.Enum)


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook_func(_is_number_union, _structure_number)
    conv.register_structure_hook_func(_is_value_union, _structure_value)
    conv.register_structure_hook(PartialDate, _structure_partial_date)
    conv.register_unstructure_hook(PartialDate, str)

    def structure_enum(value: Any, tp: type[enum.Enum]) -> enum.Enum:
        if isinstance(value, str):
            try:
                return tp(value)
            except ValueError:
                pass
        allowed = [member.value for member in tp]
        close = closest(value, allowed) if isinstance(value, str) else None
        hint = f"did you mean {close!r}?" if close else None
        raise _TypeMismatch("one of: " + ", ".join(allowed), value, hint) from None

    conv.register_structure_hook_func(_is_enum, structure_enum)

    def structure_tuple_factory(tp: Any) -> Any:
        (item_type, _ellipsis) = typing.get_args(tp)
        hooks: list[Any] = []  # the item hook, found on first use (the model nests)

        def structure_tuple(value: Any, _: Any) -> tuple[Any, ...]:
            if not isinstance(value, list | tuple):
                raise _TypeMismatch("a list", value, "write one '- item' per line")
            if not hooks:
                hooks.append(conv.get_structure_hook(item_type))
            structure_item = hooks[0]
            items, errors = [], []
            for index, item in enumerate(value):
                try:
                    items.append(structure_item(item, item_type))
                except Exception as error:  # noqa: BLE001 - every item's error is collected
                    error.__notes__ = [*getattr(error, "__notes__", []),
                                       cattrs.IterableValidationNote(f"@ index {index}", index,
                                                                     item_type)]
                    errors.append(error)
            if errors:
                raise IterableValidationError(f"while structuring {tp!r}", errors, tp)
            return tuple(items)

        return structure_tuple

    conv.register_structure_hook_factory(_is_tuple, structure_tuple_factory)

    def structure_class_factory(cls: type) -> Any:
        inner: Any = make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True,
                                       _cattrs_detailed_validation=True)

        def structure_class(value: Any, tp: type) -> Any:
            if not isinstance(value, dict):
                raise _TypeMismatch("a mapping of fields (" + ", ".join(field_names(cls))
                                    + ")", value, "indent the fields under this key")
            if cls is Indicator:
                value = _current_from_series(value)
            return inner(value, tp)

        return structure_class

    conv.register_structure_hook_factory(attrs.has, structure_class_factory)
    return conv


def _current_from_series(data: dict[str, Any]) -> dict[str, Any]:
    """A figure written with a series and no ``value``: its value is the latest point's.

    The series is written oldest first (validation checks it), so the latest
    point is the last one. Anything malformed is left for the structure hooks
    to report.
    """
    series = data.get("series")
    if "value" in data or not isinstance(series, list) or not series:
        return data
    last = series[-1]
    if not isinstance(last, dict) or "value" not in last:
        return data
    return {**data, "value": last["value"]}


converter: cattrs.Converter = _make_converter()
"""The single converter: plain data <-> :class:`civicrecord.model.Report`."""


def to_plain(report: Report) -> dict[str, Any]:
    """The report as plain data (dicts, lists, text, numbers), key order of the model."""
    plain: dict[str, Any] = converter.unstructure(report)
    return plain


def structure_problems(data: Any) -> tuple[Report | None, list[Problem]]:
    """Build a report from plain data, or say everything that stands in the way."""
    if not isinstance(data, dict):
        return None, [Problem(Severity.ERROR, "", f"expected a mapping of report fields, got "
                              f"{_describe(data)}", "start the file with 'id:', 'title:'...")]
    try:
        return converter.structure(data, Report), []
    except Exception as error:  # noqa: BLE001 - cattrs wraps whatever the hooks raised
        # transform_error walks cattrs' nested errors to their paths; each error is
        # kept by its number here, to be said in full below.
        errors: list[BaseException] = []

        def remember(exc: BaseException, _: type | None) -> str:
            errors.append(exc)
            return str(len(errors) - 1)

        problems = []
        for line in transform_error(error, "$", remember):
            number, _, path = line.partition(" @ ")
            problems += _problems(path.removeprefix("$").removeprefix("."),
                                  errors[int(number)])
        return None, problems


def _problems(where: str, error: BaseException) -> list[Problem]:
    if isinstance(error, ForbiddenExtraKeysError):
        allowed = [a.name for a in attrs.fields(error.cl)]
        problems = []
        for key in sorted(error.extra_fields):
            close = closest(key, allowed)
            hint = f"did you mean {close!r}?" if close else "allowed: " + ", ".join(allowed)
            problems.append(Problem(Severity.ERROR, _join(where, key), f"unknown key {key!r}",
                                    hint))
        return problems
    if isinstance(error, KeyError):
        missing = error.args[0] if error.args else "?"
        if isinstance(missing, str) and where.rpartition(".")[2] != missing:
            where = _join(where, missing)
        return [Problem(Severity.ERROR, where, "required field is missing",
                        f"add '{missing}:' here")]
    if isinstance(error, _TypeMismatch):
        return [Problem(Severity.ERROR, where, str(error), error.hint)]
    message = str(error)
    if isinstance(error, TypeError) and "argument" in message:
        message = "expected a mapping of fields here"
    elif not isinstance(error, ValueError | TypeError):
        message = f"{type(error).__name__}: {error}"
    return [Problem(Severity.ERROR, where, message)]


def _join(path: str, key: str) -> str:
    return format_path((*parse_path(path), key))


def field_names(cls: type) -> tuple[str, ...]:
    """The keys a mapping for ``cls`` may hold (for hints and the schema)."""
    return tuple(a.name for a in attrs.fields(cls))

