"""civicrecord-pdf: a print-ready PDF brochure of a neighbourhood report.

Registers the ``pdf`` format through civicrecord's ``register_renderers``
hook. The brochure is the HTML format's page, obtained through civicrecord's
public API (``civicrecord.render(report, "html", ...)``), with a little print
CSS of its own (a cover, a table of contents with page numbers), laid out by
WeasyPrint. WeasyPrint is imported only when a PDF is rendered.
"""

from __future__ import annotations

import civicrecord
from civicrecord.model import Report
from civicrecord.renderer import RenderContext, Renderer, RendererOption

__all__ = ["register_renderers", "render_pdf"]
__version__ = "0.1.0"


def render_pdf(report: Report, context: RenderContext) -> bytes:
    """The report as an A4 PDF with a cover, contents, page numbers and embedded fonts."""
    from civicrecord_pdf.brochure import write_pdf

    return write_pdf(report, context)


@civicrecord.hookimpl
def register_renderers() -> list[Renderer]:
    return [
        Renderer(
            name="pdf",
            extension="pdf",
            media_type="application/pdf",
            description="A print-ready A4 brochure: cover, contents with page numbers (WeasyPrint)",
            render=render_pdf,
            # The brochure is the HTML page: it takes the HTML format's theme.
            options=(
                RendererOption(name="theme.primary", help="main colour, such as #005a9c"),
                RendererOption(name="theme.accent", help="second colour, such as #e07b00"),
                RendererOption(name="theme.logo", help="an image file inside the report folder"),
            ),
        )
    ]
