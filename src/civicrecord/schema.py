"""The JSON Schema (draft 2020-12) of report files, generated from the model.

Never edited by hand: it is derived from the attrs classes and the converter's
rules, so the schema, the loader and the JSON renderer cannot drift apart. It
describes the YAML a person writes and the JSON civicrecord writes.
"""

from __future__ import annotations

import enum
import inspect
import types
import typing
from typing import Any

import attrs

from civicrecord import model
from civicrecord.validation import MAX_ID_LENGTH, MAX_STRING_LENGTH, SLUG_PATTERN

__all__ = ["SCHEMA_ID", "axis_schema", "report_schema"]

SCHEMA_ID = f"https://civicrecord.example/schema/report-{model.FORMAT_VERSION}.schema.json"
_DIALECT = "https://json-schema.org/draft/2020-12/schema"

_PARTIAL_DATE = {
    "description": "A date known to the year, month or day: 2021, \"2021-05\" or "
    "\"2021-05-03\".",
    "anyOf": [
        {"type": "integer", "minimum": 1, "maximum": 9999},
        {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"},
    ],
}
_ID_FIELDS = {"id"}
#: Numbers with bounds the model enforces, by class and field.
_RANGES = {("Place", "latitude"): (-90, 90), ("Place", "longitude"): (-180, 180)}
#: Fields that come together or not at all (the model refuses one without the other).
_TOGETHER = {"Place": ("latitude", "longitude")}
_ID_LISTS = {"places", "partners", "programmes"}


def _slug() -> dict[str, Any]:
    return {"type": "string", "pattern": SLUG_PATTERN.pattern, "maxLength": MAX_ID_LENGTH}


def _doc(obj: Any) -> str:
    return inspect.cleandoc(obj.__doc__ or "").split("\n\n")[0].replace("\n", " ")


class _Builder:
    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def type_schema(self, tp: Any, field_name: str = "") -> dict[str, Any]:
        if tp is str:
            if field_name in _ID_FIELDS:
                return _slug()
            return {"type": "string", "maxLength": MAX_STRING_LENGTH}
        if tp is int:
            return {"type": "integer"}
        if tp is float:
            return {"type": "number"}
        if tp is model.PartialDate:
            return {"$ref": "#/$defs/PartialDate"}
        origin = typing.get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            args = typing.get_args(tp)
            non_null = [a for a in args if a is not type(None)]
            if set(non_null) == {int, float}:
                inner: dict[str, Any] = {"type": "number"}
            elif set(non_null) == {int, float, str}:
                inner = {"type": ["number", "string"]}
            elif len(non_null) == 1:
                inner = self.type_schema(non_null[0], field_name)
            else:  # pragma: no cover - the model has no other unions
                inner = {"anyOf": [self.type_schema(a, field_name) for a in non_null]}
            if len(non_null) < len(args):
                return {"anyOf": [inner, {"type": "null"}]}
            return inner
        if origin is tuple:
            item = typing.get_args(tp)[0]
            items = _slug() if field_name in _ID_LISTS and item is str else \
                self.type_schema(item)
            return {"type": "array", "items": items}
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            name = tp.__name__
            if name not in self.defs:
                self.defs[name] = {"description": _doc(tp),
                                   "enum": [member.value for member in tp]}
            return {"$ref": f"#/$defs/{name}"}
        if attrs.has(tp):
            self.attrs_class(tp)
            return {"$ref": f"#/$defs/{tp.__name__}"}
        raise TypeError(f"no schema for {tp!r}")  # pragma: no cover

    def attrs_class(self, cls: type, optional: frozenset[str] = frozenset()) -> dict[str, Any]:
        name = cls.__name__
        if name in self.defs:
            return dict(self.defs[name])
        self.defs[name] = {}  # placeholder against recursion
        hints = typing.get_type_hints(cls)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for attribute in attrs.fields(cls):
            properties[attribute.name] = self.type_schema(hints[attribute.name], attribute.name)
            if (name, attribute.name) in _RANGES:
                low, high = _RANGES[name, attribute.name]
                properties[attribute.name] = {"anyOf": [
                    {"type": "number", "minimum": low, "maximum": high}, {"type": "null"}]}
            if attribute.default is attrs.NOTHING and attribute.name not in optional:
                required.append(attribute.name)
        schema: dict[str, Any] = {
            "type": "object",
            "description": _doc(cls),
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
        if name in _TOGETHER:
            first, second = _TOGETHER[name]
            schema["dependentRequired"] = {first: [second], second: [first]}
        self.defs[name] = schema
        return schema


def report_schema() -> dict[str, Any]:
    """The schema of a report file, of the JSON civicrecord writes, and their $defs."""
    builder = _Builder()
    builder.defs["PartialDate"] = _PARTIAL_DATE
    root = builder.attrs_class(model.Report)
    builder.attrs_class(model.ThematicAxis)
    # A figure with a series may leave out its value: it is the series' latest.
    indicator = builder.defs["Indicator"]
    indicator["required"] = [name for name in indicator["required"] if name != "value"]
    indicator["anyOf"] = [{"required": ["value"]},
                          {"required": ["series"], "properties": {"series": {"minItems": 1}}}]
    root = dict(root)
    properties = {
        "$schema": {"type": "string", "description": "The schema this file follows."},
        "format_version": {"enum": list(model.FORMAT_VERSIONS),
                           "description": "Version of the data format."},
        **root["properties"],
    }
    properties["axes"] = {
        "type": "array",
        "description": "Thematic axes in reading order: written inline, or as the id of a "
        "file axes/<id>.yaml in the report folder.",
        "items": {"anyOf": [{"$ref": "#/$defs/ThematicAxis"}, _slug()]},
    }
    root["properties"] = properties
    return {
        "$schema": _DIALECT,
        "$id": SCHEMA_ID,
        "title": "civicrecord neighbourhood report",
        **root,
        "$defs": dict(sorted(builder.defs.items())),
    }


def axis_schema() -> dict[str, Any]:
    """The schema of one file in a report folder's ``axes/`` (its id may be omitted)."""
    full = report_schema()
    defs = full["$defs"]
    axis = dict(defs["ThematicAxis"])
    axis["required"] = [name for name in axis["required"] if name != "id"]
    return {
        "$schema": _DIALECT,
        "$id": SCHEMA_ID.replace("/report-", "/axis-"),
        "title": "civicrecord thematic axis (one file in axes/)",
        **axis,
        "$defs": defs,
    }
