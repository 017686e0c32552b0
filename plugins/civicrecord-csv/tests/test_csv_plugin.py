"""civicrecord-csv: the tidy table, its Table Schema, and the formula-injection guard.

The CSV is read back with Python's csv module (an RFC 4180 reader) and every
cell is checked against the Table Schema the plugin publishes, with the rules
of the Frictionless Table Schema specification (types, missing values,
required, enum, pattern).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import Any

import attrs
import civicrecord_csv
import pytest
from civicrecord_csv.table import FORMULA_PREFIXES, guard
from hypothesis import given, settings
from hypothesis import strategies as st

import civicrecord
from civicrecord.csvfile import FORMULA_SIGNS, needs_guard
from civicrecord.model import (
    Breakdown,
    BreakdownKind,
    BreakdownPart,
    IndicatorPeriod,
    MeasureKind,
    PartialDate,
    PeriodKind,
    Report,
    Source,
)
from civicrecord.plugins import PluginSet, load_plugins

REPO_EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "hauts_de_chambery"
PACKAGED_EXAMPLE = Path(str(files("civicrecord") / "examples" / "hauts_de_chambery"))
EXAMPLE = REPO_EXAMPLE if REPO_EXAMPLE.is_dir() else PACKAGED_EXAMPLE

# From the Table Schema specification (v1).
TABLE_SCHEMA_TYPES = {"string", "number", "integer", "boolean", "object", "array", "date",
                      "time", "datetime", "year", "yearmonth", "duration", "geopoint",
                      "geojson", "any"}
CONSTRAINTS = {"required", "unique", "minLength", "maxLength", "minimum", "maximum",
               "pattern", "enum"}
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|NaN|INF|-INF")


@pytest.fixture(scope="module")
def plugins() -> PluginSet:
    return load_plugins([civicrecord_csv], entry_points=False)


@pytest.fixture(scope="module")
def report() -> Report:
    return civicrecord.load(EXAMPLE)


def render(report: Report, plugins: PluginSet, name: str = "csv") -> bytes:
    return civicrecord.render(report, name, plugins=plugins)


def read(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""), strict=True)
    table = list(reader)
    assert reader.fieldnames is not None
    return list(reader.fieldnames), table


def schema(plugins: PluginSet, report: Report) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(render(report, plugins, "csv-schema"))
    return loaded


def check_cell(field: dict[str, Any], cell: str, missing: list[str]) -> None:
    """A cell against its field, as a Table Schema validator reads it."""
    constraints = field.get("constraints", {})
    if cell in missing:
        assert not constraints.get("required"), (field["name"], "required")
        return
    if field["type"] == "number":
        assert NUMBER.fullmatch(cell), (field["name"], cell)
        assert math.isfinite(float(cell))
    if "enum" in constraints:
        assert cell in constraints["enum"], (field["name"], cell)
    if "pattern" in constraints:
        assert re.fullmatch(constraints["pattern"], cell), (field["name"], cell)


# --- the plugin as installed ---------------------------------------------------------------


def test_both_formats_come_through_the_entry_point() -> None:
    [entry] = [ep for ep in metadata.entry_points(group="civicrecord") if ep.name == "csv"]
    assert entry.value == "civicrecord_csv"
    found = load_plugins(entry_points=True)
    for name, extension in (("csv", "csv"), ("csv-schema", "tableschema.json")):
        assert found.plugin_of(name).distribution == "civicrecord-csv"
        assert found.renderer(name).extension == extension


# --- the table -----------------------------------------------------------------------------


def test_one_row_per_figure_and_per_breakdown_part(report: Report, plugins: PluginSet) -> None:
    _, table = read(render(report, plugins))
    expected = []
    for axis, action, figure in report.indicators():
        expected.append((axis.id, action.id if action else "", figure.id, "", ""))
        for breakdown in figure.breakdowns:
            expected += [(axis.id, action.id if action else "", figure.id,
                          breakdown.dimension, part.label) for part in breakdown.parts]
    assert [(r["axis_id"], r["action_id"], r["indicator_id"], r["dimension"], r["part"])
            for r in table] == expected
    assert any(r["dimension"] for r in table), "the example has a breakdown"


def test_cells_hold_the_reports_values(report: Report, plugins: PluginSet) -> None:
    _, table = read(render(report, plugins))
    by_id = {(r["indicator_id"], r["part"]): r for r in table}
    for axis, action, figure in report.indicators():
        row = by_id[(figure.id, "")]
        assert (row["report_id"], row["neighbourhood"], row["city"]) == (
            report.id, report.neighbourhood.name, report.neighbourhood.city)
        assert (row["axis"], row["action"]) == (axis.title, action.title if action else "")
        assert (row["label"], row["kind"], row["unit"]) == (
            figure.label, figure.kind.value, figure.unit or "")
        assert float(row["value"]) == figure.value
        assert row["source"] == (figure.source.name if figure.source else "")
        assert row["period"] == (figure.period.kind.value if figure.period else "")
        for breakdown in figure.breakdowns:
            for part in breakdown.parts:
                part_row = by_id[(figure.id, part.label)]
                assert float(part_row["value"]) == part.value
                assert part_row["breakdown_kind"] == breakdown.kind.value


def test_file_is_utf8_with_header_and_crlf_as_rfc_4180_says(report: Report,
                                                           plugins: PluginSet) -> None:
    data = render(report, plugins)
    assert data.startswith(b"report_id,neighbourhood_id,")  # no byte order mark
    assert data.endswith(b"\r\n") and data.count(b"\r\n") == data.count(b"\n")
    assert "Chambéry".encode() in data
    assert data == render(report, plugins)  # deterministic


# --- the Table Schema -----------------------------------------------------------------------


def test_table_schema_is_well_formed(report: Report, plugins: PluginSet) -> None:
    described = schema(plugins, report)
    assert set(described) <= {"fields", "missingValues", "primaryKey", "foreignKeys",
                              "description"}
    assert isinstance(described["missingValues"], list)
    assert all(isinstance(value, str) for value in described["missingValues"])
    names = [field["name"] for field in described["fields"]]
    assert len(names) == len(set(names))
    for field in described["fields"]:
        assert isinstance(field["name"], str) and field["name"]
        assert field["type"] in TABLE_SCHEMA_TYPES
        assert field["title"] and field["description"]
        assert set(field.get("constraints", {})) <= CONSTRAINTS
        pattern = field.get("constraints", {}).get("pattern")
        if pattern:
            assert not pattern.startswith("^") and not pattern.endswith("$"), \
                "Table Schema patterns are XML Schema regexes: implicitly anchored"
            re.compile(pattern)


def test_table_schema_describes_the_header_and_every_cell(report: Report,
                                                          plugins: PluginSet) -> None:
    header, table = read(render(report, plugins))
    described = schema(plugins, report)
    assert [field["name"] for field in described["fields"]] == header
    for column in ("report_id", "neighbourhood", "axis", "action", "indicator_id", "label",
                   "value", "unit", "period", "dimension", "source"):
        assert column in header
    fields = {field["name"]: field for field in described["fields"]}
    assert fields["value"]["type"] == "number"
    for row in table:
        for name, cell in row.items():
            check_cell(fields[name], cell, described["missingValues"])


def test_table_schema_does_not_depend_on_the_report(report: Report, plugins: PluginSet) -> None:
    other = attrs.evolve(report, id="another-report", axes=report.axes[:1])
    assert render(report, plugins, "csv-schema") == render(other, plugins, "csv-schema")


# --- formula injection and quoting --------------------------------------------------------


def hostile_report(report: Report) -> Report:
    axis = report.axes[0]
    action = axis.actions[0]
    figure = attrs.evolve(
        action.indicators[0] if action.indicators else next(
            f for _a, _b, f in report.indicators()),
        label="-2+3+cmd|' /C calc'!A0", unit="=1", value=-5.5,
        source=Source(name="@SUM(1+1)*cmd", url="https://example.org/a?b=1,2",
                      date=PartialDate(2024, 5)),
        period=IndicatorPeriod(PeriodKind.AS_OF, PartialDate(2024, 5, 3)),
        breakdowns=(Breakdown("\tTab", BreakdownKind.COMPLETE_SPLIT,
                              (BreakdownPart("\rcarriage", -2), BreakdownPart(
                                  'He said "hi", then\nleft', -3.5))),))
    qualitative = attrs.evolve(figure, id="etat-du-square", kind=MeasureKind.QUALITATIVE,
                               value="=1+1", label="état du square", breakdowns=())
    action = attrs.evolve(action, title="+cmd", indicators=(figure, qualitative))
    axis = attrs.evolve(axis, title='=HYPERLINK("http://evil.example","x")',
                        actions=(action,), indicators=())
    return attrs.evolve(report, axes=(axis,))


def test_text_that_could_be_a_formula_gets_a_leading_apostrophe(report: Report,
                                                                 plugins: PluginSet) -> None:
    _, table = read(render(hostile_report(report), plugins))
    value_row, part1, part2, qualitative = table
    assert value_row["axis"] == '\'=HYPERLINK("http://evil.example","x")'
    assert value_row["action"] == "'+cmd"
    assert value_row["label"] == "'-2+3+cmd|' /C calc'!A0"
    assert value_row["source"] == "'@SUM(1+1)*cmd"
    assert value_row["unit"] == "'=1"
    assert (part1["dimension"], part1["part"]) == ("'\tTab", "'\rcarriage")
    assert part2["part"] == 'He said "hi", then\nleft'  # quoted, not guarded
    assert qualitative["value_text"] == "'=1+1" and qualitative["value"] == ""
    # Numbers are numbers, negative or not; URLs and dates are not text to guard.
    assert [r["value"] for r in (value_row, part1, part2)] == ["-5.5", "-2", "-3.5"]
    assert value_row["source_url"] == "https://example.org/a?b=1,2"
    assert (value_row["period"], value_row["period_date"]) == ("as-of", "2024-05-03")
    assert value_row["source_date"] == "2024-05"


def test_the_plugin_and_the_batch_share_one_guard() -> None:
    import civicrecord.csvfile

    assert guard is civicrecord.csvfile.guard
    assert FORMULA_PREFIXES is civicrecord.csvfile.FORMULA_PREFIXES


def test_every_text_cell_is_safe_in_a_spreadsheet(report: Report, plugins: PluginSet) -> None:
    _, table = read(render(hostile_report(report), plugins))
    numeric = {"value"}
    for row in table:
        for name, cell in row.items():
            if name not in numeric:
                assert not cell.startswith(FORMULA_PREFIXES), (name, cell)


def test_quotes_commas_and_newlines_are_quoted_per_rfc_4180(report: Report,
                                                           plugins: PluginSet) -> None:
    data = render(hostile_report(report), plugins)
    assert b'"He said ""hi"", then\nleft"' in data
    assert b'"https://example.org/a?b=1,2"' in data


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_any_label_reads_back_exactly_after_removing_the_guard(label: str) -> None:
    cell = guard(label)
    assert not cell.startswith(FORMULA_PREFIXES)
    assert not cell.lstrip().startswith(FORMULA_SIGNS)
    assert (cell[1:] if needs_guard(label) else cell) == label
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerow([cell, "x"])
    assert next(csv.reader(io.StringIO(buffer.getvalue(), newline=""))) == [cell, "x"]


def test_a_whole_hostile_table_satisfies_its_schema(report: Report, plugins: PluginSet) -> None:
    _, table = read(render(hostile_report(report), plugins))
    described = schema(plugins, report)
    fields = {field["name"]: field for field in described["fields"]}
    for row in table:
        for name, cell in row.items():
            check_cell(fields[name], cell, described["missingValues"])
