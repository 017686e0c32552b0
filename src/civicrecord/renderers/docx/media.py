"""Pictures and charts in the document: new parts of the package, shown inline with alt text.

A render collects them in a :class:`Media` while it writes the body, then
:meth:`Media.add_to` puts the parts in the package with their relationships
and content types. :meth:`Media.picture` takes a picture of the report,
published by :func:`civicrecord.pictures.published` (re-encoded without its
metadata; a WebP, which Word cannot show, as PNG);
:meth:`Media.chart` takes a DrawingML chart, drawn by Word and LibreOffice as
vectors in the colours of the reference document's theme.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from attrs import define, field

from civicrecord.model import Picture
from civicrecord.renderers.docx.ooxml import NS, clean, element, maker, qn
from civicrecord.renderers.docx.package import add_part, xml_bytes

__all__ = ["EMU_PER_TWIP", "PICTURE_WIDTH", "Media"]

EMU_PER_TWIP = 635
#: Widest a report's picture is published, in pixels: a text column printed at 300 dpi.
PICTURE_WIDTH = 2000
_TWIPS_PER_PIXEL = 15  # at 96 dpi, the size a picture has in Word when it is not scaled
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
A, C, PIC, WP = maker("a"), maker("c"), maker("pic"), maker("wp")


@define
class Media:
    """The pictures and charts of one document, by part name: data, content type, relationship."""

    base_dir: Path | None = None
    """The report's folder, where its pictures are read."""
    parts: dict[str, tuple[bytes, str, str, str]] = field(factory=dict)

    def _part(self, name: str, data: bytes, content_type: str, kind: str) -> str:
        rel_id = f"rIdCivicrecord{len(self.parts) + 1}"
        self.parts[f"word/{name.format(len(self.parts) + 1)}"] = (data, content_type, kind, rel_id)
        return rel_id

    def picture(self, parent: Any, picture: Picture, width: int, height: int) -> None:
        """The report's ``picture`` inline in ``parent``, as large as fits in ``width`` by
        ``height`` twips but never enlarged past its size at 96 dpi."""
        from civicrecord.pictures import published

        shown = published(picture, self.base_dir, PICTURE_WIDTH, ("PNG", "JPEG"))
        content, media_type = shown.content, shown.media_type
        scale = min(width / shown.width, height / shown.height, _TWIPS_PER_PIXEL)
        width, height = (max(1, round(size * scale)) for size in (shown.width, shown.height))
        rel_id = self._part(f"media/civicrecord-{{}}.{media_type.rsplit('/', 1)[-1]}", content,
                            media_type, "image")
        drawn = PIC.pic(PIC.nvPicPr(PIC.cNvPr(id="0", name="picture"), PIC.cNvPicPr()),
                        PIC.blipFill(A.blip({qn("r:embed"): rel_id}), A.stretch(A.fillRect())),
                        PIC.spPr(A.xfrm(A.off(x="0", y="0"), A.ext(_size(width, height))),
                                 A.prstGeom(prst="rect")))
        self._inline(parent, picture.alt, width, height, NS["pic"], drawn)

    def chart(self, parent: Any, chart: Any, alt: str, width: int, height: int) -> None:
        """The DrawingML chart ``chart`` (a ``c:chartSpace``) inline in ``parent``."""
        rel_id = self._part("charts/civicrecord-chart{}.xml", xml_bytes(chart),
                            "application/vnd.openxmlformats-officedocument.drawingml.chart+xml",
                            "chart")
        self._inline(parent, alt, width, height, NS["c"], C.chart({qn("r:id"): rel_id}))

    def _inline(self, parent: Any, alt: str, width: int, height: int, uri: str,
                graphic: Any) -> None:
        number = str(len(self.parts))
        element(parent, "w:r/w:drawing").append(WP.inline(
            WP.extent(_size(width, height)),
            WP.docPr(id=number, name=f"civicrecord {number}", descr=clean(alt)),
            WP.cNvGraphicFramePr(), A.graphic(A.graphicData(graphic, uri=uri)),
            distT="0", distB="0", distL="0", distR="0"))

    def add_to(self, parts: MutableMapping[str, bytes], document: str) -> None:
        """Put every part in ``parts``, related to the part ``document``."""
        for part, (data, content_type, kind, rel_id) in self.parts.items():
            add_part(parts, document, part, data, content_type, _RELATIONSHIPS + kind, rel_id)


def _size(width: int, height: int) -> dict[str, str]:
    """DrawingML's size attributes of ``width`` by ``height`` twips."""
    return {"cx": str(width * EMU_PER_TWIP), "cy": str(height * EMU_PER_TWIP)}
