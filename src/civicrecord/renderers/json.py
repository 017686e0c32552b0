"""JSON: the canonical open-data form of a report.

Deterministic (same report, same bytes), UTF-8, keys in the model's order, with
a ``$schema`` and a ``format_version`` so readers know what they hold. Loading
it back gives the same report, and rendering that gives the same bytes.
"""

from __future__ import annotations

import json

from civicrecord.model import FORMAT_VERSION, Report
from civicrecord.plugins.hookspecs import hookimpl
from civicrecord.renderer import RenderContext, Renderer, RendererOption


def render_json(report: Report, context: RenderContext) -> bytes:
    """The report as indented UTF-8 JSON ending with a newline."""
    from civicrecord.convert import to_plain
    from civicrecord.schema import SCHEMA_ID  # the schema's builder is for this path alone

    document = {"$schema": SCHEMA_ID, "format_version": FORMAT_VERSION, **to_plain(report)}
    indent = context.option("indent", 2)
    text = json.dumps(document, ensure_ascii=False, indent=indent, allow_nan=False)
    return (text + "\n").encode("utf-8")


@hookimpl
def register_renderers() -> list[Renderer]:
    return [
        Renderer(
            name="json",
            extension="json",
            media_type="application/json",
            description="Canonical open-data JSON, valid against `civicrecord schema`",
            render=render_json,
            options=(RendererOption(name="indent", type="int", default=2,
                                    help="spaces per level of indentation"),),
        )
    ]
