"""WordprocessingML fragments as text, and the one path by which report text enters them.

The body of a report is written as XML text rather than element by element:
building thousands of elements through python-docx (or lxml) and serialising
them was most of a render. Every piece of report text goes through
:func:`run` or :func:`internal_link`, which pass it through :func:`clean` and
:func:`escape`; text is only ever the content of ``w:t`` elements. A report
saying ``{ DDE "cmd" }`` or ``MERGEFIELD`` therefore shows those characters,
and ``<script>`` shows as ``&lt;script&gt;``: fields exist only where
:func:`field_begin` writes them from instructions written in this package.

Free of python-docx, so that a render whose reference is already prepared
does not touch it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = [
    "BREAK",
    "FIELD_END",
    "attribute",
    "bookmark_end",
    "bookmark_start",
    "clean",
    "escape",
    "field",
    "field_begin",
    "internal_link",
    "paragraph",
    "run",
    "table",
]

# XML 1.0 forbids these; lxml refuses them and Word reports the file as corrupt.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"[\t\n\r]+")
# Either of the above; most text has neither, and is returned as it is.
_TO_CLEAN = re.compile("[\x00-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """Text safe to place in a Word run: XML-illegal characters removed.

    Tabs and line breaks become spaces, since in a run they would be tab and
    break elements; paragraphs and lists come from
    :func:`civicrecord.text.blocks`, never from raw line breaks. Validation
    already rejects illegal characters; this is defence in depth.
    """
    if _TO_CLEAN.search(text) is None:
        return text
    return _LINE_BREAKS.sub(" ", _XML_ILLEGAL.sub("", text))


def escape(text: str) -> str:
    """``text`` as XML character data: ``&``, ``<`` and ``>`` as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attribute(value: str) -> str:
    """``value`` cleaned and escaped for a double-quoted XML attribute."""
    return escape(_XML_ILLEGAL.sub("", value)).replace('"', "&quot;").replace(
        "\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


def _t(text: str) -> str:
    """A ``w:t`` holding ``text`` (cleaned, not empty), keeping its outer spaces."""
    if text[0].isspace() or text[-1].isspace():
        return f'<w:t xml:space="preserve">{escape(text)}</w:t>'
    return f"<w:t>{escape(text)}</w:t>"


def run(text: str, style_id: str | None = None) -> str:
    """A run of cleaned ``text`` as literal characters, in a character style.

    ``style_id`` is already escaped with :func:`attribute`.
    """
    text = clean(text)
    properties = f'<w:rPr><w:rStyle w:val="{style_id}"/></w:rPr>' if style_id else ""
    return f"<w:r>{properties}{_t(text) if text else ''}</w:r>"


#: A line break inside a paragraph, as its own run.
BREAK = "<w:r><w:br/></w:r>"


def paragraph(style_id: str, content: str = "") -> str:
    """A paragraph in a paragraph style (``style_id`` already escaped) holding ``content``."""
    return f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>{content}</w:p>'


def bookmark_start(name: str, bookmark_id: int) -> str:
    """The start of a bookmark, the target of links and table of contents entries."""
    return f'<w:bookmarkStart w:id="{bookmark_id}" w:name="{attribute(name)}"/>'


def bookmark_end(bookmark_id: int) -> str:
    return f'<w:bookmarkEnd w:id="{bookmark_id}"/>'


def field_begin(instruction: str) -> str:
    """Open a complex field; Word and LibreOffice recompute it (``w:dirty``).

    ``instruction`` is written in this package, never taken from a report.
    """
    return ('<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {escape(instruction)} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')


#: Closes the complex field opened by :func:`field_begin`.
FIELD_END = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'


def field(instruction: str, shown: str) -> str:
    """A field such as ``PAGE``, showing ``shown`` until updated."""
    return f"{field_begin(instruction)}{run(shown)}{FIELD_END}"


def internal_link(text: str, bookmark: str) -> str:
    """``text`` as a link to a bookmark of this document."""
    return (f'<w:hyperlink w:anchor="{attribute(bookmark)}" w:history="1">'
            f"{run(text)}</w:hyperlink>")


def table(style_id: str, widths: Sequence[int], fixed: bool,
          rows: Sequence[Sequence[str]]) -> str:
    """A table whose first row is its header, repeated on each page; rows never split.

    ``widths`` are the columns' widths in twips; ``fixed`` keeps them rather
    than letting Word fit the columns to their text. Each cell is one
    paragraph in the table's own style holding a cell's text.
    """
    layout = '<w:tblLayout w:type="fixed"/>' if fixed else ""
    parts = [f'<w:tbl><w:tblPr><w:tblStyle w:val="{style_id}"/><w:tblW w:type="auto" w:w="0"/>'
             f'{layout}<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" '
             'w:lastRow="0" w:noHBand="0" w:noVBand="1" w:val="04A0"/></w:tblPr><w:tblGrid>']
    parts += [f'<w:gridCol w:w="{width}"/>' for width in widths]
    parts.append("</w:tblGrid>")
    cells = [f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr>' for width in widths]
    for index, texts in enumerate(rows):
        parts.append("<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" if index == 0
                     else "<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        for cell, text in zip(cells, texts, strict=True):
            parts.append(f"{cell}<w:p>{run(text)}</w:p></w:tc>" if text
                         else f"{cell}<w:p/></w:tc>")
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)
