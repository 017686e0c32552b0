"""Word (DOCX): the document a council would have made by hand, in the city's own styles.

Like pandoc's ``--reference-doc``, the look comes from a reference document:
its styles, page setup and header (a logo) are kept, its body is replaced by
the report, and only the styles in :data:`REQUIRED_STYLES` are used. Without
one, civicrecord's default reference document is used;
``civicrecord reference-docx`` writes it for a city to restyle.

Registering this format is cheap: python-docx is loaded only when a report is
rendered. See docs/theming-docx.md.
"""

from __future__ import annotations

from civicrecord.model import Report
from civicrecord.plugins.hookspecs import hookimpl
from civicrecord.renderer import RenderContext, Renderer
from civicrecord.renderers.docx_styles import REQUIRED_STYLES, StyleUse

__all__ = ["REQUIRED_STYLES", "StyleUse", "reference_docx", "register_renderers", "render_docx"]

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_docx(report: Report, context: RenderContext) -> bytes:
    """The report as a .docx file, styled by ``context.reference_docx`` if given.

    A reference document lacking one of :data:`REQUIRED_STYLES`, or that is not
    a Word file, raises :class:`civicrecord.RenderError` saying which.
    """
    from civicrecord.renderers.docx_writer import render

    return render(report, context)


def reference_docx() -> bytes:
    """The default reference document: every required style, one sample paragraph each."""
    from civicrecord.renderers.docx_package import package_parts
    from civicrecord.renderers.docx_reference import REFERENCE_DATE, default_reference
    from civicrecord.renderers.docx_zip import deflated, zip_bytes

    parts = package_parts(default_reference())
    return zip_bytes([deflated(name, blob) for name, blob in parts.items()], REFERENCE_DATE)


@hookimpl
def register_renderers() -> list[Renderer]:
    return [
        Renderer(
            name="docx",
            extension="docx",
            media_type=MEDIA_TYPE,
            description="Word document, styled by a reference document (--reference-docx)",
            render=render_docx,
        )
    ]
