"""A report -> the YAML files of a report folder, commented for the people who finish it.

The layout is the loader's (``report.yaml`` listing the axes by id, one
``axes/<id>.yaml`` per axis) and the one ``civicrecord new`` writes: the
first line names the JSON Schema for editors, comments say what each part is
for, years are written as numbers and other dates as quoted text. Writing
then loading gives the same report (a property test holds the writer to it).

The layout and comments are ours; every value is written by PyYAML's own
emitter, which knows when a text must be quoted or escaped (``no``, ``1e3``,
``: ``, a leading ``-``, control characters). Texts of several lines are
literal blocks (``|``), so paragraphs read as they will print; long texts of
one line are folded blocks (``>``), wrapped as the worked example is.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import yaml

from civicrecord.model import PartialDate, Report
from civicrecord.validation import SLUG_PATTERN

__all__ = ["MODELINE", "report_files"]

#: The first line of every file: yaml-language-server checks and completes against it.
MODELINE = "# yaml-language-server: $schema="

#: Comments above the fields of report.yaml, by key.
_REPORT_COMMENTS: dict[str, tuple[str, ...]] = {
    "id": ("Ids: lowercase ASCII letters, digits and single hyphens.",),
    "language": ("The language the texts are written in (BCP 47 tag).",),
    "authority": ("Who issues the report.",),
    "period": ("The years the report accounts for, both included. A date is a year (2020),",
               'a month ("2020-07") or a day ("2020-07-03"): quote months and days.'),
    "neighbourhood": ("--- The neighbourhood and the places the report names ---",
                      "Actions refer to places by id. kind: building, street, sector,",
                      "public-space, school or other. latitude and longitude (degrees) put",
                      "a place on a map; give both or neither."),
    "introduction": ("The starting situation and the aim the city set itself.",),
    "partners": ("Organisations the city worked with; actions refer to them by id.",),
    "programmes": ("Named schemes and programmes; actions refer to them by id.",),
    "axes": ("The axes in reading order; each id is a file axes/<id>.yaml.",),
}
#: Comments above the fields of an axis file, by key.
_AXIS_COMMENTS: dict[str, tuple[str, ...]] = {
    "need": ('"The need at the start".',),
    "actions": ('"What we decided and did": one action per thing done.',
                "status: planned, in-progress, done, ongoing, abandoned or not-assessed."),
    "outcome": ('"What it changed".',),
}


#: Texts longer than this, on one line, are folded blocks (``>``) wrapped at _WIDTH.
_FOLD_AFTER = 60
_WIDTH = 80


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe emitter, with long texts as blocks: folded, or literal for several lines."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # The emitter falls back to a quoted style where a block cannot hold the text.
    style = "|" if "\n" in text else ">" if len(text) > _FOLD_AFTER else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


class _Flow(list[Any]):
    """A list of ids, written on one line: ``places: [les-combes, le-piochet]``."""


def _represent_flow(dumper: yaml.SafeDumper, items: _Flow) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=True)


_Dumper.add_representer(_Flow, _represent_flow)


def report_files(report: Report, *, schema_folder: str = "schema",
                 header: tuple[str, ...] = ()) -> dict[str, str]:
    """The files of a report folder by relative path: ``report.yaml``, ``axes/<id>.yaml``.

    ``header`` lines become a comment at the top of ``report.yaml`` (where the
    report came from, what is left to do). The files name the JSON Schemas in
    ``schema_folder`` (``civicrecord new`` writes them there). Raises
    ValueError when an axis id is not a slug: it would not be a safe file name.
    """
    for axis in report.axes:
        if not SLUG_PATTERN.fullmatch(axis.id):
            raise ValueError(f"axis id {axis.id!r} is not a slug, so not a file name")
    plain = _plain(report)
    axes = plain.pop("axes")
    plain["axes"] = [axis["id"] for axis in axes]
    lines = [f"{MODELINE}{schema_folder}/report.schema.json", "#"]
    lines += [f"# {line}".rstrip() for line in header]
    if header:
        lines.append("#")
    lines += _mapping(plain, 0, _REPORT_COMMENTS)
    files = {"report.yaml": _text(lines)}
    for axis in axes:
        axis_lines = [f"{MODELINE}../{schema_folder}/axis.schema.json", "#",
                      "# One thematic axis: the need at the start, what the city decided and",
                      "# did, and what it changed."]
        axis_lines += _mapping(axis, 0, _AXIS_COMMENTS)
        files[f"axes/{axis['id']}.yaml"] = _text(axis_lines)
    return files


def _text(lines: list[str]) -> str:
    return "\n".join(lines).rstrip("\n") + "\n"


def _plain(value: Any) -> Any:
    """Model -> plain data for people: no empty fields, years as numbers, ids on one line."""
    if isinstance(value, PartialDate):
        return value.year if value.month is None else str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if attrs.has(type(value)):
        data: dict[str, Any] = {}
        for field in attrs.fields(type(value)):
            item = getattr(value, field.name)
            if (item is None or item == ()) and field.default is not attrs.NOTHING:
                continue  # left out, as people leave out what they do not use
            data[field.name] = _plain(item)
        return data
    if isinstance(value, tuple):
        items = [_plain(item) for item in value]
        if all(isinstance(item, str) for item in items):
            return _Flow(items)
        return items
    return value


def _mapping(data: Mapping[str, Any], indent: int,
             comments: Mapping[str, tuple[str, ...]]) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key, value in data.items():
        if key in comments:
            if lines or indent == 0:
                lines.append("")
            lines += [f"{pad}# {comment}" for comment in comments[key]]
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            lines += _mapping(value, indent + 2, {})
        elif isinstance(value, list) and not isinstance(value, _Flow) \
                and value and all(isinstance(item, dict) for item in value):
            lines.append(f"{pad}{key}:")
            for item in value:
                lines += _item(item, indent + 2)
        else:
            lines += [f"{pad}{line}" if line else "" for line in _leaf(key, value)]
    return lines


def _item(data: Mapping[str, Any], indent: int) -> Iterator[str]:
    """One mapping in a list: its first line starts with ``- ``."""
    lines = _mapping(data, indent + 2, {})
    first = lines[0]
    yield first[:indent] + "- " + first[indent + 2:]
    yield from lines[1:]


def _leaf(key: str, value: Any) -> list[str]:
    """``key: value`` as PyYAML writes it, on one line or more (indented under the key)."""
    text = yaml.dump({key: value}, Dumper=_Dumper, allow_unicode=True, width=_WIDTH,
                     sort_keys=False, default_flow_style=False)
    return text.removesuffix("\n").split("\n")
