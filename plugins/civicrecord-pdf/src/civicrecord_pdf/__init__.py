"""civicrecord-pdf: a print-ready PDF brochure of a neighbourhood report, made with Typst.

Registers the ``pdf`` format through civicrecord's ``register_renderers``
hook. The report goes to a Typst template as JSON data (every phrase written
in the report's language by civicrecord's presenter) and the ``typst`` wheel
lays it out: a cover, contents with page numbers, the introduction and key
figures, an opening page per axis, partners and programmes. The PDF is tagged
(PDF/UA-1), embeds its fonts (shipped by a package, never the machine's) and
has the same bytes for the same input. Typst is imported only when a PDF is
rendered.
"""

from __future__ import annotations

import civicrecord
from civicrecord.model import Report
from civicrecord.renderer import RenderContext, Renderer
from civicrecord.theme import THEME_RENDERER_OPTIONS

__all__ = ["register_renderers", "render_pdf"]
__version__ = "0.1.0"


def render_pdf(report: Report, context: RenderContext) -> bytes:
    """The report as a tagged A4 brochure: cover, contents with page numbers, axes."""
    from civicrecord_pdf.brochure import write_pdf

    return write_pdf(report, context)


@civicrecord.hookimpl
def register_renderers() -> list[Renderer]:
    return [
        Renderer(
            name="pdf",
            extension="pdf",
            media_type="application/pdf",
            description="A print-ready, tagged A4 brochure: cover, contents, an opening page "
                        "per axis (Typst)",
            render=render_pdf,
            # The brochure takes the HTML format's theme options, checked the same way.
            options=THEME_RENDERER_OPTIONS,
        )
    ]
