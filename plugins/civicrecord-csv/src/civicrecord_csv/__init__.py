"""civicrecord-csv: a report's figures as a tidy open-data table.

Registers two formats through civicrecord's ``register_renderers`` hook,
because a renderer produces one file:

- ``csv``: the table, ``<report id>.csv``;
- ``csv-schema``: its Frictionless Table Schema, ``<report id>.tableschema.json``.

``civicrecord render REPORT -f csv -f csv-schema`` writes both side by side.
"""

from __future__ import annotations

import civicrecord
from civicrecord.model import Report
from civicrecord.renderer import RenderContext, Renderer

__all__ = ["register_renderers", "render_csv", "render_table_schema"]
__version__ = "0.1.0"


def render_csv(report: Report, context: RenderContext) -> bytes:
    """One row per figure and date, breakdown part and budget; UTF-8, RFC 4180."""
    from civicrecord_csv.table import write_csv

    return write_csv(report)


def render_table_schema(report: Report, context: RenderContext) -> bytes:
    """The Frictionless Table Schema describing the ``csv`` format's columns."""
    from civicrecord_csv.table import write_table_schema

    return write_table_schema()


@civicrecord.hookimpl
def register_renderers() -> list[Renderer]:
    return [
        Renderer(
            name="csv",
            extension="csv",
            media_type="text/csv; charset=utf-8; header=present",
            description="Figures and budgets as a tidy open-data table, a row per figure and date",
            render=render_csv,
            options=(),  # takes none: any -O for it is an error
        ),
        Renderer(
            name="csv-schema",
            extension="tableschema.json",
            media_type="application/json",
            description="Frictionless Table Schema of the csv format, to publish beside it",
            render=render_table_schema,
            options=(),  # takes none: any -O for it is an error
        ),
    ]
