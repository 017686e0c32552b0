"""The figures of a report as one tidy table, and the Table Schema that describes it.

Tidy: one row per observation, that is per figure and date. A figure with a
series gives one row per dated value (oldest first; the last is its current
value); a figure without one gives one row. Then come one row per part of
each breakdown of the current value ("423 people, of whom 160 under 30" is two
rows, the second with ``dimension`` "age"), and one row per action's budget
(``record`` says which). Every row of a figure repeats what describes it:
direction, unit, baseline, target, note and source, so a row read alone says
what its number means. Change is not a column: it is computed from these
(``civicrecord.figure_change``). The columns are defined once, in
:data:`COLUMNS`; the CSV header and the Table Schema are both made from that
list, so they cannot disagree.

Spreadsheet formula injection: the table is written by civicrecord's one CSV
writer, :func:`civicrecord.csvfile.write_csv`, which gives a text cell that a
spreadsheet could run as a formula a leading apostrophe (``'``), exactly as
for the batch's ``key-figures.csv``; numbers are written from numbers, so a
negative value stays a number.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from attrs import frozen

from civicrecord.csvfile import FORMULA_PREFIXES, Cell, guard
from civicrecord.csvfile import write_csv as write_table
from civicrecord.model import (
    Action,
    BreakdownKind,
    Direction,
    Indicator,
    MeasureKind,
    PartialDate,
    PeriodKind,
    ReferencePoint,
    Report,
    Source,
    ThematicAxis,
)

__all__ = ["COLUMNS", "FORMULA_PREFIXES", "RECORDS", "guard", "rows", "table_schema",
           "write_csv", "write_table_schema"]

#: What a row records: a figure's value at a date, a part of a breakdown, a budget.
RECORDS = ("figure", "breakdown", "budget")


# Table Schema patterns are XML Schema regular expressions: anchored, no ^ or $.
_SLUG = r"[a-z0-9]+(-[a-z0-9]+)*"
_PARTIAL_DATE = r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"


@frozen
class Column:
    """One column: its name, Table Schema type, and what it holds."""

    name: str
    type: str
    title: str
    description: str
    constraints: Mapping[str, Any] = {}


def _enum(values: Any) -> dict[str, Any]:
    return {"enum": [member.value for member in values]}


COLUMNS: tuple[Column, ...] = (
    Column("report_id", "string", "Report", "Id of the report the figure comes from.",
           {"required": True, "pattern": _SLUG}),
    Column("neighbourhood_id", "string", "Neighbourhood id", "Id of the neighbourhood.",
           {"required": True, "pattern": _SLUG}),
    Column("neighbourhood", "string", "Neighbourhood", "Name of the neighbourhood.",
           {"required": True}),
    Column("city", "string", "City", "City the neighbourhood is in.", {"required": True}),
    Column("axis_id", "string", "Axis id", "Id of the thematic axis.",
           {"required": True, "pattern": _SLUG}),
    Column("axis", "string", "Axis", "Title of the thematic axis.", {"required": True}),
    Column("action_id", "string", "Action id",
           "Id of the action the figure belongs to; empty for a figure of the whole axis.",
           {"pattern": _SLUG}),
    Column("action", "string", "Action", "Title of the action; empty for an axis figure."),
    Column("record", "string", "Record",
           "figure: a figure's value at a date (a figure with a series has one row per "
           "date, the last being its current value); breakdown: a part of the figure's "
           "current value; budget: an action's budget.",
           {"required": True, "enum": list(RECORDS)}),
    Column("indicator_id", "string", "Indicator id",
           "Id of the figure, unique in the report; empty for a budget. Several rows share "
           "it: its dated values, then the parts of its breakdowns.", {"pattern": _SLUG}),
    Column("label", "string", "Label",
           "What the figure counts or says, as the words following the number in a "
           "sentence (\"personnes accompagnées par Déclic\"); empty for a budget."),
    Column("kind", "string", "Kind of measure",
           "count, money (unit is a currency), percentage, frequency or duration (unit is "
           "a time unit), or qualitative (the value is a statement, see value_text). A "
           "budget is money.",
           {"required": True, **_enum(MeasureKind)}),
    Column("direction", "string", "Better when",
           "Which way the figure is better: higher, lower or neither (IATI's ascending); "
           "empty when the report does not say.", _enum(Direction)),
    Column("date", "string", "Date",
           "The date the value is for: YYYY, YYYY-MM or YYYY-MM-DD; empty when the report "
           "does not say.", {"pattern": _PARTIAL_DATE}),
    Column("value", "number", "Value",
           "The number: the figure's value at this date, the breakdown part's, or the "
           "budget's amount. Empty for a qualitative figure. A percentage is written as "
           "a number of percent (12.5 for 12.5 %)."),
    Column("value_text", "string", "Value as text",
           "The value of a qualitative figure (\"rétabli\"); empty otherwise."),
    Column("unit", "string", "Unit",
           "What is counted (person, post), an ISO 4217 currency code for money, or a "
           "time unit (minute) for a frequency or duration."),
    Column("period", "string", "Period",
           "The time the value covers: per-year, per-month, per-week, over-the-term, "
           "as-of (see period_date) or one-off; empty when the report does not say.",
           _enum(PeriodKind)),
    Column("period_date", "string", "Period date",
           "For as-of figures, the date the value holds at: YYYY, YYYY-MM or YYYY-MM-DD.",
           {"pattern": _PARTIAL_DATE}),
    Column("baseline", "number", "Baseline",
           "The figure's starting value, in its unit; empty if none (or not a number, see "
           "baseline_text)."),
    Column("baseline_text", "string", "Baseline as text",
           "A baseline written as a statement; empty otherwise."),
    Column("baseline_date", "string", "Baseline date", "When the baseline was measured.",
           {"pattern": _PARTIAL_DATE}),
    Column("target", "number", "Target",
           "The value the city aims for, in the figure's unit; empty if none (or not a "
           "number, see target_text)."),
    Column("target_text", "string", "Target as text",
           "A target written as a statement; empty otherwise."),
    Column("target_date", "string", "Target date", "When the target is to be reached.",
           {"pattern": _PARTIAL_DATE}),
    Column("dimension", "string", "Breakdown dimension",
           "Empty for the figure's own value; for a breakdown part, what the breakdown "
           "splits along (\"âge\")."),
    Column("breakdown_kind", "string", "Breakdown kind",
           "part-of-total: the part is included in the figure's value, parts need not add "
           "up; complete-split: the parts add up to the value. Empty for the value row.",
           _enum(BreakdownKind)),
    Column("part", "string", "Breakdown part",
           "The part's label (\"de moins de 30 ans\"); empty for the value row."),
    Column("value_note", "string", "Note on this value",
           "What the report says about this dated value alone."),
    Column("note", "string", "Note", "What the report says about the figure."),
    Column("source", "string", "Source",
           "Who published the value: the dated value's own source, else the figure's."),
    Column("source_url", "string", "Source URL", "Where to check the value.",
           {"pattern": r"https?://\S+"}),
    Column("source_date", "string", "Source date",
           "When the source published it: YYYY, YYYY-MM or YYYY-MM-DD.",
           {"pattern": _PARTIAL_DATE}),
)


def _number(value: int | float) -> Cell:
    """Numbers stay numbers: the one CSV writer writes them, never guarded as text."""
    return value


def _date(date: PartialDate | None) -> str:
    return str(date) if date else ""


def _number_or_text(value: object) -> tuple[Cell, str]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number(value), ""
    return None, str(value)


def _reference(name: str, point: ReferencePoint | None) -> dict[str, Cell]:
    if point is None:
        return {name: "", f"{name}_text": "", f"{name}_date": ""}
    number, text = _number_or_text(point.value)
    return {name: number, f"{name}_text": text, f"{name}_date": _date(point.date)}


def _source(source: Source | None) -> dict[str, Cell]:
    return {
        "source": source.name if source else "",
        "source_url": (source.url or "") if source else "",
        "source_date": _date(source.date) if source else "",
    }


def _where(report: Report, axis: ThematicAxis, action: Action | None) -> dict[str, Cell]:
    return {
        "report_id": report.id,
        "neighbourhood_id": report.neighbourhood.id,
        "neighbourhood": report.neighbourhood.name,
        "city": report.neighbourhood.city,
        "axis_id": axis.id,
        "axis": axis.title,
        "action_id": action.id if action else "",
        "action": action.title if action else "",
    }


_EMPTY: dict[str, Cell] = {column.name: None for column in COLUMNS}


def _figure_rows(report: Report, axis: ThematicAxis, action: Action | None,
                 indicator: Indicator) -> Iterator[dict[str, Cell]]:
    period = indicator.period
    figure = {
        **_EMPTY,
        **_where(report, axis, action),
        "record": "figure",
        "indicator_id": indicator.id,
        "label": indicator.label,
        "kind": indicator.kind.value,
        "direction": indicator.direction.value if indicator.direction else "",
        "unit": indicator.unit or "",
        "period": period.kind.value if period else "",
        "period_date": _date(period.date) if period else "",
        **_reference("baseline", indicator.baseline),
        **_reference("target", indicator.target),
        "note": indicator.note or "",
        **_source(indicator.source),
    }
    current_date = _date(period.date) if period else ""
    for point in indicator.series:
        yield {**figure, "date": _date(point.date), "value": _number(point.value),
               "value_note": point.note or "", **_source(point.source or indicator.source)}
    if indicator.series:
        current_date = _date(indicator.series[-1].date)
    else:
        number, text = _number_or_text(indicator.value)
        yield {**figure, "date": current_date, "value": number, "value_text": text}
    for breakdown in indicator.breakdowns:
        for part in breakdown.parts:
            yield {**figure, "record": "breakdown", "date": current_date,
                   "value": _number(part.value), "dimension": breakdown.dimension,
                   "breakdown_kind": breakdown.kind.value, "part": part.label}


def rows(report: Report) -> Iterator[dict[str, Cell]]:
    """The table's rows, in reading order, as column name -> cell text (unguarded).

    Each axis's own figures, then each of its actions' figures and budget.
    """
    for axis in report.axes:
        for indicator in axis.indicators:
            yield from _figure_rows(report, axis, None, indicator)
        for action in axis.actions:
            for indicator in action.indicators:
                yield from _figure_rows(report, axis, action, indicator)
            budget = action.budget
            if budget is not None:
                period = budget.period
                yield {**_EMPTY, **_where(report, axis, action), "record": "budget",
                       "kind": MeasureKind.MONEY.value, "value": _number(budget.amount),
                       "unit": budget.currency, "period": period.kind.value if period else "",
                       "period_date": _date(period.date) if period else ""}


def write_csv(report: Report) -> bytes:
    """The table as UTF-8 CSV (no byte order mark) with a header row, per RFC 4180.

    Written by civicrecord's one CSV writer, :func:`civicrecord.csvfile.write_csv`,
    which guards every text cell against formulas the same way as the batch's
    ``key-figures.csv``.
    """
    return write_table([column.name for column in COLUMNS],
                       ([row[column.name] for column in COLUMNS] for row in rows(report)))


def table_schema() -> dict[str, Any]:
    """The Frictionless Table Schema (v1) of :func:`write_csv`'s table."""
    return {
        "fields": [
            {"name": c.name, "type": c.type, "title": c.title, "description": c.description,
             **({"constraints": dict(c.constraints)} if c.constraints else {})}
            for c in COLUMNS
        ],
        "missingValues": [""],
        "description": (
            "Figures of a civicrecord neighbourhood report, one row per figure and date, "
            "per breakdown part and per action budget (see record). Text cells that a "
            "spreadsheet could run as a formula (those starting with =, +, -, @ or their "
            "fullwidth forms, also after spaces, or with a tab, carriage return, line feed "
            "or NUL) begin with an apostrophe (') so that spreadsheets show them as text; "
            "remove it to get the report's text."
        ),
    }


def write_table_schema() -> bytes:
    """The Table Schema as indented UTF-8 JSON."""
    text = json.dumps(table_schema(), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")
