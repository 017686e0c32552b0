"""WordprocessingML elements as lxml trees, and the one path by which text enters them.

Every piece of report text becomes the text of a ``w:t`` element through
:func:`run`, after :func:`clean`: lxml escapes it, and nothing else writes
markup. A report saying ``{ DDE "cmd" }`` or ``<script>`` shows those
characters; fields exist only where :func:`field` writes instructions
written in this package.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from lxml import etree  # type: ignore[import-untyped]
from lxml.builder import ElementMaker  # type: ignore[import-untyped]

__all__ = ["NS", "W", "clean", "element", "field", "insert_in_order", "maker", "paragraph", "qn",
           "run"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "xml": "http://www.w3.org/XML/1998/namespace",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "sl": "http://schemas.openxmlformats.org/schemaLibrary/2006/main",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}

# XML 1.0 forbids these; tabs and line breaks would be tab and break elements in a run:
# paragraphs and lists come from civicrecord.text.blocks, never from raw line breaks.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"[\t\n\r]+")
_TO_CLEAN = re.compile("[\x00-\x1f\ud800-\udfff\ufffe\uffff]")  # either of the above


def qn(name: str) -> str:
    """``"w:p"`` as lxml names it, ``{namespace}p``."""
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def clean(text: str) -> str:
    """Text safe in a run: XML-illegal characters removed, tabs and line breaks as spaces.

    Validation already rejects illegal characters; this is defence in depth,
    and the only place they are handled.
    """
    if _TO_CLEAN.search(text) is None:  # nearly all text: one scan, not two substitutions
        return text
    return _LINE_BREAKS.sub(" ", _XML_ILLEGAL.sub("", text))


@functools.cache  # one per path written; see "Caches" in docs/performance.md
def _tags(path: str) -> tuple[str, ...]:
    return tuple(qn(name) for name in path.split("/"))


def _attribute(key: str) -> str:
    """``xml_space`` as ``xml:space``, any other name in ``w:``."""
    return qn(key.replace("_", ":", 1) if "_" in key else f"w:{key}")


def element(parent: Any, path: str, /, **attributes: str) -> Any:
    """The new WordprocessingML elements of ``path`` (``"w:r/w:br"``), each a child of the
    one before, the first of ``parent`` (or of none); the last, returned, has ``attributes``."""
    for tag in _tags(path):
        parent = etree.Element(tag) if parent is None else etree.SubElement(parent, tag)
    for key, value in attributes.items():  # set one by one: quicker in lxml than a dict
        parent.set(_attribute(key), value)
    return parent


def maker(prefix: str) -> Any:
    """lxml's builder of DrawingML trees in the namespace ``prefix``: ``maker("c").idx(val="0")``;
    a string child becomes the element's text, which lxml escapes."""
    return ElementMaker(namespace=NS[prefix], nsmap={prefix: NS[prefix]})


def paragraph(parent: Any, style_id: str) -> Any:
    """A new paragraph of ``parent`` in a paragraph style, with no direct formatting."""
    p = element(parent, "w:p")
    element(p, "w:pPr/w:pStyle", val=style_id)
    return p


def run(parent: Any, text: str, style_id: str | None = None) -> Any:
    """A run of cleaned ``text`` as literal characters, in a character style if given."""
    r = element(parent, "w:r")
    if style_id:
        element(r, "w:rPr/w:rStyle", val=style_id)
    text = clean(text)
    if text:
        t = element(r, "w:t")
        t.text = text
        if text[0].isspace() or text[-1].isspace():
            t.set(qn("xml:space"), "preserve")
    return r


def field(parent: Any, instruction: str, shown: str) -> None:
    """A complex field Word and LibreOffice recompute (``w:dirty``), showing ``shown``.

    ``instruction`` is written in this package, never taken from a report.
    """
    element(parent, "w:r/w:fldChar", fldCharType="begin", dirty="true")
    element(parent, "w:r/w:instrText", xml_space="preserve").text = f" {instruction} "
    element(parent, "w:r/w:fldChar", fldCharType="separate")
    run(parent, shown)
    element(parent, "w:r/w:fldChar", fldCharType="end")


def insert_in_order(parent: Any, child: Any, order: Sequence[str]) -> Any:
    """Put ``child`` in ``parent`` where the schema's sequence ``order`` says; return it.

    Word rejects children out of order where LibreOffice accepts them. A child
    of the same name is replaced.
    """
    for existing in parent.findall(child.tag):
        parent.remove(existing)
    names = [qn(name) for name in order]
    after = set(names[names.index(child.tag) + 1:])
    for existing in parent:
        if existing.tag in after:
            existing.addprevious(child)
            return child
    parent.append(child)
    return child
