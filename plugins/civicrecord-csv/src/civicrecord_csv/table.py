"""The figures of a report as one tidy table, and the Table Schema that describes it.

Tidy: one row per observation. Each figure (indicator) gives a row for its
value, then one row per part of each of its breakdowns ("423 people, of whom
160 under 30" is two rows, the second with ``dimension`` "age"). The columns
are defined once, in :data:`COLUMNS`; the CSV header and the Table Schema are
both made from that list, so they cannot disagree.

Spreadsheet formula injection: the file is written by civicrecord's one CSV
writer, :func:`civicrecord.csvfile.write_csv`, which gives a text cell that a
spreadsheet could run as a formula (``=``, ``+``, ``-``, ``@``...) a leading
apostrophe (``'``), as it does for the batch's ``key-figures.csv``. Numbers are
written from numbers, so a negative value stays a number.
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
    Indicator,
    MeasureKind,
    PartialDate,
    PeriodKind,
    Report,
    ThematicAxis,
)

__all__ = ["COLUMNS", "FORMULA_PREFIXES", "guard", "rows", "table_schema", "write_csv",
           "write_table_schema"]

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
    Column("indicator_id", "string", "Indicator id",
           "Id of the figure, unique in the report. Several rows share it: the value, "
           "then the parts of its breakdowns.", {"required": True, "pattern": _SLUG}),
    Column("label", "string", "Label",
           "What the figure counts or says, as the words following the number in a "
           "sentence (\"personnes accompagnées par Déclic\").", {"required": True}),
    Column("kind", "string", "Kind of measure",
           "count, money (unit is a currency), percentage, frequency or duration (unit is "
           "a time unit), or qualitative (the value is a statement, see value_text).",
           {"required": True, **_enum(MeasureKind)}),
    Column("value", "number", "Value",
           "The number: the figure's value, or the breakdown part's. Empty for a "
           "qualitative figure."),
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
    Column("dimension", "string", "Breakdown dimension",
           "Empty for the figure's own value; for a breakdown part, what the breakdown "
           "splits along (\"âge\")."),
    Column("breakdown_kind", "string", "Breakdown kind",
           "part-of-total: the part is included in the figure's value, parts need not add "
           "up; complete-split: the parts add up to the value. Empty for the value row.",
           _enum(BreakdownKind)),
    Column("part", "string", "Breakdown part",
           "The part's label (\"de moins de 30 ans\"); empty for the value row."),
    Column("source", "string", "Source", "Who published the figure."),
    Column("source_url", "string", "Source URL", "Where to check the figure.",
           {"pattern": r"https?://\S+"}),
    Column("source_date", "string", "Source date",
           "When the source published it: YYYY, YYYY-MM or YYYY-MM-DD.",
           {"pattern": _PARTIAL_DATE}),
)


def _date(date: PartialDate | None) -> str:
    return str(date) if date else ""


def _figure_row(report: Report, axis: ThematicAxis, action: Action | None,
                indicator: Indicator) -> dict[str, Cell]:
    value = indicator.value
    numeric = not isinstance(value, str)
    source = indicator.source
    period = indicator.period
    return {
        "report_id": report.id,
        "neighbourhood_id": report.neighbourhood.id,
        "neighbourhood": report.neighbourhood.name,
        "city": report.neighbourhood.city,
        "axis_id": axis.id,
        "axis": axis.title,
        "action_id": action.id if action else "",
        "action": action.title if action else "",
        "indicator_id": indicator.id,
        "label": indicator.label,
        "kind": indicator.kind.value,
        "value": None if isinstance(value, str) else value,
        "value_text": "" if numeric else str(value),
        "unit": indicator.unit or "",
        "period": period.kind.value if period else "",
        "period_date": _date(period.date) if period else "",
        "dimension": "",
        "breakdown_kind": "",
        "part": "",
        "source": source.name if source else "",
        "source_url": source.url or "" if source else "",
        "source_date": _date(source.date) if source else "",
    }


def rows(report: Report) -> Iterator[dict[str, Cell]]:
    """The table's rows, in reading order, as column name -> cell.

    Text is as in the report (unguarded), a number is a number, None is empty.
    """
    for axis, action, indicator in report.indicators():
        row = _figure_row(report, axis, action, indicator)
        yield row
        for breakdown in indicator.breakdowns:
            for part in breakdown.parts:
                yield {**row, "value": part.value, "value_text": "",
                       "dimension": breakdown.dimension, "breakdown_kind": breakdown.kind.value,
                       "part": part.label}


def write_csv(report: Report) -> bytes:
    """The table as UTF-8 CSV (no byte order mark) with a header row, per RFC 4180."""
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
            "Figures of a civicrecord neighbourhood report, one row per figure and per "
            "breakdown part. Text cells that a spreadsheet could run as a formula (those "
            "starting with =, +, -, @ or their fullwidth forms, also after spaces, or with "
            "a tab, carriage return, line feed or NUL) begin with an apostrophe (') so that "
            "spreadsheets show them as text; remove it to get the report's text."
        ),
    }


def write_table_schema() -> bytes:
    """The Table Schema as indented UTF-8 JSON."""
    text = json.dumps(table_schema(), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")
