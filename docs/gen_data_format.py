"""Write docs/data-format.md from the model, the JSON Schema and the worked example.

Every field of every class a report is made of gets a row: its type, whether it
is required (as the schema says), and an example value, taken from the worked
example when it uses the field. Run it after changing the model:

    python docs/gen_data_format.py           # rewrite docs/data-format.md
    python docs/gen_data_format.py --check   # exit 1 if the page is out of date

tests/test_docs.py runs the check, so the page cannot drift from the code.
"""

from __future__ import annotations

import enum
import inspect
import re
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import yaml

from civicrecord import model
from civicrecord.schema import report_schema
from civicrecord.validation import MAX_ID_LENGTH, SLUG_PATTERN

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "data-format.md"
EXAMPLE = ROOT / "examples" / "hauts_de_chambery"

#: Examples for the fields the worked example leaves out, as YAML values.
EXTRA_EXAMPLES: dict[tuple[str, str], Any] = {
    ("Report", "published"): "2026-03",
    ("Authority", "url"): "https://www.example.org",
    ("Neighbourhood", "population"): 12500,
    ("Neighbourhood", "priority_area_code"): "QN07301M",
    ("Place", "latitude"): 45.5751,
    ("Place", "longitude"): 5.9309,
    ("Partner", "url"): "https://www.example.org/partner",
    ("Programme", "url"): "https://www.example.org/programme",
    ("ThematicAxis", "indicators"): "see Indicator",
    ("Action", "start"): 2021,
    ("Action", "end"): "2024-06",
    ("Action", "budget"): "see Budget",
    ("Budget", "amount"): 350000,
    ("Budget", "currency"): "EUR",
    ("Budget", "period"): "see IndicatorPeriod",
    ("Indicator", "baseline"): "see ReferencePoint",
    ("Indicator", "target"): "see ReferencePoint",
    ("Indicator", "note"): "Figure for the school year 2024-2025.",
    ("Indicator", "direction"): "lower",
    ("Indicator", "series"): "see Observation",
    ("Observation", "date"): 2024,
    ("Observation", "value"): 187,
    ("Observation", "note"): "New reporting form from March.",
    ("Observation", "source"): "see Source",
    ("Action", "date"): "2021-09",
    ("Action", "status_date"): "2022-05",
    ("IndicatorPeriod", "date"): "2024-01",
    ("ReferencePoint", "value"): 120,
    ("ReferencePoint", "date"): 2020,
    ("Source", "url"): "https://www.example.org/open-data",
    ("Source", "date"): "2025-09",
    ("Report", "cover"): "see Picture",
    ("Report", "logo"): "see Picture",
    ("ThematicAxis", "pictures"): "see Picture",
    ("Action", "pictures"): "see Picture",
    ("Picture", "path"): "pictures/estate-map.png",
    ("Picture", "alt"): "Map of the estate: three housing blocks around a park",
    ("Picture", "caption"): "The estate in 2025",
    ("Picture", "credit"): "City of Eastbrook, planning department",
    ("Picture", "licence"): "CC BY 4.0",
}

_ID_LISTS = {"places": "Place", "partners": "Partner", "programmes": "Programme"}
_SKIPPED = {model.PartialDate}  # a value written as text, documented under "Dates"


def _classes() -> list[type]:
    """The model's classes in the order a reader meets them, from Report down."""
    found: list[type] = []

    def visit(tp: Any) -> None:
        for inner in _inner_types(tp):
            if attrs.has(inner) and inner not in _SKIPPED and inner not in found:
                found.append(inner)
                hints = typing.get_type_hints(inner)
                for attribute in attrs.fields(inner):
                    visit(hints[attribute.name])

    visit(model.Report)
    return found


def _enums() -> list[type[enum.Enum]]:
    found: list[type[enum.Enum]] = []
    for cls in _classes():
        hints = typing.get_type_hints(cls)
        for attribute in attrs.fields(cls):
            for inner in _inner_types(hints[attribute.name]):
                if isinstance(inner, type) and issubclass(inner, enum.Enum) \
                        and inner not in found:
                    found.append(inner)
    return found


def _inner_types(tp: Any) -> Iterator[Any]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType, tuple):
        for arg in typing.get_args(tp):
            if arg is not Ellipsis and arg is not type(None):
                yield from _inner_types(arg)
    else:
        yield tp


def _link(cls: type) -> str:
    return f"[{cls.__name__}](#{cls.__name__.lower()})"


def _type_text(tp: Any, field_name: str) -> str:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = {a for a in typing.get_args(tp) if a is not type(None)}
        if args == {int, float}:
            return "number"
        if args == {int, float, str}:
            return "number or text"
        (only,) = args
        return _type_text(only, field_name)
    if origin is tuple:
        item = typing.get_args(tp)[0]
        if field_name in _ID_LISTS and item is str:
            return f"list of [ids](#ids) of {_ID_LISTS[field_name]}"
        return f"list of {_type_text(item, '')}"
    if tp is str:
        return "[id](#ids)" if field_name == "id" else "text"
    if tp is int:
        return "whole number"
    if tp is float:
        return "number"
    if tp is model.PartialDate:
        return "[date](#dates)"
    if isinstance(tp, type) and (attrs.has(tp) or issubclass(tp, enum.Enum)):
        return _link(tp)
    raise TypeError(f"no description for type {tp!r}")


def _example_values() -> dict[tuple[str, str], Any]:
    """The first value the worked example gives each field, if it gives one."""
    import civicrecord

    seen: dict[tuple[str, str], Any] = {}

    def walk(obj: Any) -> None:
        if isinstance(obj, tuple):
            for item in obj:
                walk(item)
        elif attrs.has(type(obj)) and type(obj) not in _SKIPPED:
            for attribute in attrs.fields(type(obj)):
                value = getattr(obj, attribute.name)
                key = (type(obj).__name__, attribute.name)
                if value is not None and value != () and key not in seen:
                    seen[key] = value
                walk(value)

    walk(civicrecord.load(EXAMPLE))
    return seen


def _example_text(value: Any) -> str:
    if isinstance(value, tuple):
        if value and all(isinstance(item, str) for item in value):
            return _example_text(list(value))
        value = f"see {type(value[0]).__name__}"
    if isinstance(value, str) and value.startswith("see "):
        return f"see [{value[4:]}](#{value[4:].lower()})"
    if attrs.has(type(value)) and type(value) not in _SKIPPED:
        return f"see {_link(type(value))}"
    if isinstance(value, enum.Enum):
        value = value.value
    elif isinstance(value, model.PartialDate):
        value = str(value) if value.month else value.year
    if isinstance(value, str):
        value = " ".join(value.split())
        if len(value) > 60:
            value = value[:57].rstrip() + "…"
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True,
                          width=10_000).strip()
    text = text.removesuffix("\n...").removesuffix("...").strip()
    return f"`{text}`".replace("|", "\\|")


def _doc(obj: Any) -> str:
    return inspect.cleandoc(obj.__doc__ or "")


def _rst_to_markdown(text: str) -> str:
    text = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`")


def _member_notes(cls: type[enum.Enum]) -> dict[str, str]:
    """The ``#:`` comments after enum members, which say what each value means."""
    notes = {}
    for line in inspect.getsource(cls).splitlines():
        match = re.match(r'\s+\w+\s*=\s*"([^"]+)"\s*#:\s*(.+)$', line)
        if match:
            notes[match.group(1)] = match.group(2).strip()
    return notes


def render() -> str:
    """The whole page, as Markdown."""
    schema_defs = report_schema()["$defs"]
    root_properties = report_schema()["properties"]
    examples = {**EXTRA_EXAMPLES, **_example_values()}
    out = [
        "<!-- Generated by docs/gen_data_format.py from the model and the JSON Schema: "
        "do not edit by hand. -->",
        "",
        "# Data format reference",
        "",
        "Every field a report can hold: its type, whether it is required, and an example "
        "(from the worked example `examples/hauts_de_chambery` where it uses the field). "
        "This page is generated from civicrecord's model and JSON Schema, so it always "
        "matches what `civicrecord validate` accepts. `civicrecord schema` prints the "
        "same rules as a JSON Schema for editors and other tools.",
        "",
        "## Files",
        "",
        "A report is a folder holding `report.yaml` (or `report.yml`, `report.toml`, "
        "`report.json`) and, usually, one file per thematic axis in `axes/`. In "
        "`report.yaml`, `axes` lists the axes in reading order: each entry is either an "
        "axis written inline or the id of a file `axes/<id>.yaml`. In an axis file, `id` "
        "may be left out: it is the file's name. A report can also be a single YAML, TOML "
        "or JSON file with every axis inline.",
        "",
        "Two keys may sit at the top of `report.yaml` besides the report's fields:",
        "",
        "| Key | Meaning |",
        "| --- | --- |",
        f"| `$schema` | {root_properties['$schema']['description']} |",
        f"| `format_version` | {root_properties['format_version']['description']} "
        + " or ".join(f"`\"{v}\"`" for v in root_properties["format_version"]["enum"])
        + f"; civicrecord writes `\"{model.FORMAT_VERSION}\"`. |",
        "",
        "## Conventions",
        "",
        "### Ids",
        "",
        f"An id is a slug of at most {MAX_ID_LENGTH} characters: lowercase ASCII letters, "
        "digits and single hyphens (`^" + SLUG_PATTERN.pattern.strip("^$") + "$`), such as "
        "`ouverture-de-declic`. Ids end up in file names, web addresses and links. Within "
        "one report, each kind of id is unique: two actions never share an id, even in "
        "different axes. The report's id names its output files (`<id>.html`).",
        "",
        "### Dates",
        "",
        " ".join(_rst_to_markdown(_doc(model.PartialDate)).split()),
        "",
        "civicrecord reads `2021-05` and `2021-05-03` quoted or not; quote them anyway "
        "(`\"2021-05\"`) so that other YAML tools do not read them as numbers or "
        "timestamps. Never invent a month or a day the source does not give.",
        "",
        "### Texts",
        "",
        "Texts are plain text, never markup: a blank line separates paragraphs and a line "
        "starting with `- ` is a bullet point. In YAML, write a long text as a literal "
        "block, `|-`, which keeps those line breaks; a folded block, `>-`, joins every "
        "line, blank ones included, into one paragraph. Text containing the word `TODO` "
        "is reported as a placeholder still to fill in.",
        "",
        "## Objects",
        "",
    ]
    for cls in _classes():
        name = cls.__name__
        defs = schema_defs[name]
        hints = typing.get_type_hints(cls)
        out += [f"### {name}", "", _rst_to_markdown(_doc(cls)), ""]
        if name == "ThematicAxis":
            out += ["In a file of `axes/`, `id` may be left out: it is the file's name.", ""]
        out += ["| Field | Type | Required | Example |", "| --- | --- | --- | --- |"]
        for attribute in attrs.fields(cls):
            field_name = attribute.name
            required = "yes" if field_name in defs["required"] else "no"
            if (name, field_name) == ("Indicator", "value"):
                required = "no: give it, or a `series` (whose latest value it then is)"
            if attribute.default not in (attrs.NOTHING, None, ()):
                default = attribute.default
                shown = default.value if isinstance(default, enum.Enum) else default
                required += f" (default `{shown}`)"
            type_text = _type_text(hints[field_name], field_name)
            if name == "Report" and field_name == "axes":
                type_text += ", or [ids](#ids) of files in `axes/`"
            key = (name, field_name)
            if key not in examples:
                raise LookupError(f"no example for {name}.{field_name}: the worked example "
                                  "does not use it; add one to EXTRA_EXAMPLES in "
                                  "docs/gen_data_format.py")
            out.append(f"| `{field_name}` | {type_text} | {required} | "
                       f"{_example_text(examples[key])} |")
        out.append("")
    out += ["## Values", "", "Fields that take one of a fixed list of words.", ""]
    for enum_cls in _enums():
        notes = _member_notes(enum_cls)
        out += [f"### {enum_cls.__name__}", "", _rst_to_markdown(_doc(enum_cls)), ""]
        if notes:
            out += ["| Value | Meaning |", "| --- | --- |"]
            out += [f"| `{member.value}` | {_rst_to_markdown(notes.get(member.value, ''))} |"
                    for member in enum_cls]
        else:
            out.append("One of " + ", ".join(f"`{member.value}`" for member in enum_cls) + ".")
        out.append("")
    out += MIGRATION
    return "\n".join(out)


MIGRATION = [
    "## Format versions",
    "",
    "### From version 1 to version 2",
    "",
    "Every version-1 file is a valid version-2 file and renders the same facts: nothing "
    "needs to change. civicrecord reads both and writes `format_version: \"2\"` in its "
    "JSON. What version 2 adds, to say what changed:",
    "",
    "- `Indicator.direction` (`higher`, `lower` or `neither`): which way is better, as "
    "the IATI results standard's `ascending`. Where a figure has a `baseline`, a "
    "`target` or a `series` and no direction, `civicrecord validate` warns (so "
    "`--strict` fails) until you add one.",
    "- `Indicator.series`: the figure's dated values, oldest first, each with an "
    "optional `note` and `source`. The figure's `value` is the latest of them; leave "
    "`value` out, or keep it equal to the last value of the series.",
    "- `Action.date`, for a one-off action, instead of `start` equal to `end`; and "
    "`Action.status_date`, when the action reached its status (\"done in September "
    "2021\", \"abandoned in May 2022\", \"planned for 2025\"). A one-off action written "
    "with `end` alone (version 1's only way) now reads \"done in\" or \"abandoned in\" "
    "rather than \"until\" when the action is done or abandoned.",
    "- A planned action's dates after the report's period are expected, and no longer "
    "a warning.",
    "",
    "Change itself is never written in a file: the absolute and relative change, the "
    "progress to the target and whether it was the better way are computed by "
    "`civicrecord.figure_change` and said in words by every format written for reading "
    "(HTML, DOCX, PDF, Markdown). The JSON and CSV formats, data for other programs, "
    "carry what it is computed from: the baseline, the series, the target and the "
    "direction.",
    "",
    "To move a file to version 2: change `format_version: '1'` to `'2'` (or leave it), "
    "add `direction` to each figure with a baseline or target, and move the values you "
    "kept in a `note` (\"412 in 2019\") into a `series`.",
    "",
]


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
        if current != text:
            print(f"{PAGE} is out of date: run python docs/gen_data_format.py",
                  file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(PAGE)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
