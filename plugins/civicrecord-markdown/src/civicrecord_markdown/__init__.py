"""civicrecord-markdown: a neighbourhood report as CommonMark.

Registers the ``markdown`` format through civicrecord's ``register_renderers``
hook. The writer lives in :mod:`civicrecord_markdown.writer`, imported only
when a report is rendered.
"""

from __future__ import annotations

import civicrecord
from civicrecord.model import Report
from civicrecord.renderer import RenderContext, Renderer

__all__ = ["register_renderers", "render_markdown"]
__version__ = "0.1.0"


def render_markdown(report: Report, context: RenderContext) -> bytes:
    """The whole report as UTF-8 CommonMark (with GFM pipe tables)."""
    from civicrecord_markdown.writer import write_report

    return write_report(report, context.language, context.base_dir).encode("utf-8")


@civicrecord.hookimpl
def register_renderers() -> list[Renderer]:
    return [
        Renderer(
            name="markdown",
            extension="md",
            media_type="text/markdown; charset=utf-8; variant=CommonMark",
            description="The full report as CommonMark, readable as is, convertible by pandoc",
            render=render_markdown,
            options=(),  # takes none: any -O for it is an error
        )
    ]
