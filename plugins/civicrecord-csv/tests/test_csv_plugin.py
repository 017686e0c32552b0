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
from civicrecord.testing import check_renderer, make_report

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


@pytest.fixture(scope="module", params=["hauts_de_chambery", "larkfield"])
def any_example(request: pytest.FixtureRequest) -> Report:
    folder = REPO_EXAMPLE.parent / request.param
    if not folder.is_dir():
        folder = PACKAGED_EXAMPLE.parent / request.param
    return civicrecord.load(folder)


def test_one_row_per_figure_and_date_breakdown_part_and_budget(any_example: Report,
                                                               plugins: PluginSet) -> None:
    report = any_example
    _, table = read(render(report, plugins))
    expected = []
    for axis in report.axes:
        owned = [(None, i) for i in axis.indicators]
        for action in axis.actions:
            owned += [(action, i) for i in action.indicators]
            owned.append((action, None))
        for action, figure in owned:
            action_id = action.id if action else ""
            if figure is None:
                if action is not None and action.budget is not None:
                    expected.append(("budget", axis.id, action_id, "", "", ""))
                continue
            expected += [("figure", axis.id, action_id, figure.id, "", "")
                         ] * max(len(figure.series), 1)
            for breakdown in figure.breakdowns:
                expected += [("breakdown", axis.id, action_id, figure.id,
                              breakdown.dimension, part.label) for part in breakdown.parts]
    assert [(r["record"], r["axis_id"], r["action_id"], r["indicator_id"], r["dimension"],
             r["part"]) for r in table] == expected
    assert any(r["dimension"] for r in table), "the example has a breakdown"


def test_cells_hold_the_reports_values(any_example: Report, plugins: PluginSet) -> None:
    report = any_example
    _, table = read(render(report, plugins))
    figures = [r for r in table if r["record"] == "figure"]
    for axis, action, figure in report.indicators():
        rows = [r for r in figures if r["indicator_id"] == figure.id]
        for row in rows:
            assert (row["report_id"], row["neighbourhood"], row["city"]) == (
                report.id, report.neighbourhood.name, report.neighbourhood.city)
            assert (row["axis"], row["action"]) == (axis.title, action.title if action else "")
            assert (row["label"], row["kind"], row["unit"]) == (
                figure.label, figure.kind.value, figure.unit or "")
            assert row["period"] == (figure.period.kind.value if figure.period else "")
            assert row["direction"] == (figure.direction.value if figure.direction else "")
            assert row["note"] == (figure.note or "")
            for name in ("baseline", "target"):
                point = getattr(figure, name)
                assert row[name] == ("" if point is None else _plain(point.value))
                assert row[f"{name}_date"] == ("" if point is None or point.date is None
                                               else str(point.date))
        if figure.series:
            assert [(r["date"], float(r["value"]), r["value_note"]) for r in rows] == [
                (str(p.date), p.value, p.note or "") for p in figure.series]
            assert [r["source"] for r in rows] == [
                (p.source or figure.source).name if (p.source or figure.source) else ""
                for p in figure.series]
        else:
            (row,) = rows
            if isinstance(figure.value, str):
                assert row["value_text"] == figure.value
            else:
                assert float(row["value"]) == figure.value
            assert row["source"] == (figure.source.name if figure.source else "")
        parts = [r for r in table if r["record"] == "breakdown" and
                 r["indicator_id"] == figure.id]
        assert [(r["dimension"], r["part"], float(r["value"]), r["breakdown_kind"])
                for r in parts] == [(b.dimension, part.label, part.value, b.kind.value)
                                    for b in figure.breakdowns for part in b.parts]
    budgets = [(r["action_id"], float(r["value"]), r["unit"], r["period"])
               for r in table if r["record"] == "budget"]
    assert budgets == [(action.id, action.budget.amount, action.budget.currency,
                        action.budget.period.kind.value if action.budget.period else "")
                       for _, action in report.actions() if action.budget]


def _plain(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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
    other = make_report(base=report, id="another-report", axes=report.axes[:1])
    assert render(report, plugins, "csv-schema") == render(other, plugins, "csv-schema")


# --- formula injection and quoting --------------------------------------------------------


def hostile_report(report: Report) -> Report:
    """One axis, one action, three figures, every text a spreadsheet formula; still valid."""
    action = report.axes[0].actions[0]
    figure = action.indicators[0] if action.indicators else next(
        f for _a, _b, f in report.indicators())
    count, share, text = (f"axes[0].actions[0].indicators[{i}]" for i in range(3))
    return make_report({
        "axes": report.axes[:1],
        "axes[0].title": '=HYPERLINK("http://evil.example","x")',
        "axes[0].indicators": (),
        "axes[0].actions": (action,),
        "axes[0].actions[0].title": "+cmd",
        "axes[0].actions[0].indicators": (figure, figure, figure),
        f"{count}.kind": MeasureKind.COUNT,
        f"{count}.label": "-2+3+cmd|' /C calc'!A0",
        f"{count}.unit": "=1",
        f"{count}.value": 5,
        f"{count}.source": Source(name="@SUM(1+1)*cmd", url="https://example.org/a?b=1,2",
                                  date=PartialDate(2024, 5)),
        f"{count}.period": IndicatorPeriod(PeriodKind.AS_OF, PartialDate(2024, 5, 3)),
        f"{count}.breakdowns": (Breakdown("\tTab", BreakdownKind.COMPLETE_SPLIT, (
            BreakdownPart("\rcarriage", 2), BreakdownPart('He said "hi", then\nleft', 3))),),
        f"{share}.id": "part-des-menages",
        f"{share}.kind": MeasureKind.PERCENTAGE,
        f"{share}.label": "-1 point",
        f"{share}.value": -5.5,
        f"{share}.unit": None,
        f"{share}.breakdowns": (),
        f"{text}.id": "etat-du-square",
        f"{text}.kind": MeasureKind.QUALITATIVE,
        f"{text}.value": "=1+1",
        f"{text}.label": "état du square",
        f"{text}.unit": None,
        f"{text}.breakdowns": (),
    }, base=report)


def test_text_that_could_be_a_formula_gets_a_leading_apostrophe(report: Report,
                                                                 plugins: PluginSet) -> None:
    _, table = read(render(hostile_report(report), plugins))
    value_row, part1, part2, share, qualitative = table
    assert value_row["axis"] == '\'=HYPERLINK("http://evil.example","x")'
    assert value_row["action"] == "'+cmd"
    assert value_row["label"] == "'-2+3+cmd|' /C calc'!A0"
    assert value_row["source"] == "'@SUM(1+1)*cmd"
    assert value_row["unit"] == "'=1"
    assert (part1["dimension"], part1["part"]) == ("'\tTab", "'\rcarriage")
    assert part2["part"] == 'He said "hi", then\nleft'  # quoted, not guarded
    assert share["label"] == "'-1 point"
    assert qualitative["value_text"] == "'=1+1" and qualitative["value"] == ""
    # Numbers are numbers, negative or not; URLs and dates are not text to guard.
    assert [r["value"] for r in (value_row, part1, part2, share)] == ["5", "2", "3", "-5.5"]
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


@pytest.mark.parametrize("name", ["csv", "csv-schema"])
def test_the_formats_are_deterministic_and_written_whole(name: str) -> None:
    assert check_renderer(name, modules=["civicrecord_csv"]).startswith(
        b"report_id," if name == "csv" else b"{")
