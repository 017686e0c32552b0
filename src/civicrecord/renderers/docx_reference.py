"""The default reference document: python-docx's template plus civicrecord's styles.

Built in code rather than shipped as a binary, so that every style is reviewed
as text and no one hand-maintains a .docx. ``civicrecord reference-docx``
writes it for a city to restyle in Word or LibreOffice; its body shows one
sample paragraph per style, which the renderer clears.

Only this module sets fonts, colours and spacing. Imported lazily: it loads
python-docx.
"""

from __future__ import annotations

import datetime
from typing import Any

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles import BabelFish
from docx.styles.style import StyleFactory

from civicrecord.renderers.docx_ooxml import add_run, drop_thumbnail, remove_children, set_child
from civicrecord.renderers.docx_styles import REQUIRED_STYLES

__all__ = ["REFERENCE_DATE", "default_reference"]

ACCENT = "1D4E89"  # headings, key figures: a sober municipal blue
SECOND = "0B6E69"  # second-level headings and statuses: a deep teal
TEXT = "262626"
MUTED = "5F6B7A"
TINT = "EAF1F9"  # the background of key figures and table bands
RULE = "C9D6E6"

FONT = "Arial"  # present in Word everywhere; LibreOffice substitutes Liberation Sans
#: When the default reference document was made, for its properties and ZIP entries.
REFERENCE_DATE = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
_PAGE_WIDTH, _PAGE_HEIGHT, _SIDE_MARGIN = Mm(210), Mm(297), Mm(22)
_TEXT_WIDTH_TWIPS = round((210 - 2 * 22) / 25.4 * 1440)


def default_reference(*, samples: bool = True) -> Document:
    """A new python-docx document holding every style in ``REQUIRED_STYLES``.

    ``samples=False`` leaves out the sample paragraphs, for the renderer, which
    clears the body anyway (they were almost half the time to build it).
    """
    document = docx.Document()
    drop_thumbnail(document)
    _page_setup(document)
    _defaults(document)
    styles = _Styles(document)
    _restyle_builtins(styles)
    _add_custom_styles(styles)
    if samples:
        _samples(document)
    properties = document.core_properties
    properties.title = "civicrecord reference document"
    properties.author = "civicrecord"
    properties.last_modified_by = "civicrecord"
    properties.comments = ("Change the styles of this document, then render with "
                           "--reference-docx; its body is replaced by the report.")
    properties.created = properties.modified = REFERENCE_DATE
    properties.revision = 1
    return document


def _page_setup(document: Document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = _PAGE_WIDTH, _PAGE_HEIGHT
    section.left_margin = section.right_margin = _SIDE_MARGIN
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.header_distance = section.footer_distance = Mm(11)
    # The first page is the cover: no header or page number on it.
    section.different_first_page_header_footer = True
    for part in (section.first_page_header, section.first_page_footer):
        part.is_linked_to_previous = False
        part.paragraphs[0].style = document.styles["Normal"]


def _defaults(document: Document) -> None:
    """One font for everything, set once in the document defaults."""
    styles = document.styles.element
    run_defaults = styles.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    assert run_defaults is not None
    fonts = run_defaults.find(qn("w:rFonts"))
    assert fonts is not None
    for attribute in list(fonts.attrib):
        del fonts.attrib[attribute]
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    # Colour and size live here, not in Normal: a paragraph style would beat the
    # table style's white header text, a document default does not.
    set_child(run_defaults, parse_xml(f'<w:color {nsdecls("w")} w:val="{TEXT}"/>'),
              _RPR_AFTER_COLOR)
    for tag in ("w:sz", "w:szCs"):
        size = run_defaults.find(qn(tag))
        assert size is not None
        size.set(qn("w:val"), "21")
    paragraph_defaults = styles.find(
        qn("w:docDefaults") + "/" + qn("w:pPrDefault") + "/" + qn("w:pPr"))
    assert paragraph_defaults is not None
    spacing = paragraph_defaults.find(qn("w:spacing"))
    assert spacing is not None
    spacing.set(qn("w:after"), "120")
    spacing.set(qn("w:line"), "269")


def _font(style: Any, size: float | None = None, *, bold: bool | None = None,
          color: str | None = None, italic: bool | None = None) -> None:
    # A theme font on the style would beat the document default: remove it.
    remove_children(style.element.get_or_add_rPr(), "w:rFonts")
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic
    if color is not None:
        style.font.color.rgb = RGBColor.from_string(color)


def _spacing(style: Any, before: float | None = None, after: float | None = None) -> None:
    paragraph = style.paragraph_format
    if before is not None:
        paragraph.space_before = Pt(before)
    if after is not None:
        paragraph.space_after = Pt(after)


def _border(style: Any, xml: str) -> None:
    """Replace the style's paragraph borders with ``xml`` (children of w:pBdr)."""
    properties = style.element.get_or_add_pPr()
    remove_children(properties, "w:pBdr")
    set_child(properties, parse_xml(f"<w:pBdr {nsdecls('w')}>{xml}</w:pBdr>"),
              _PPR_AFTER_BORDER)


def _shading(style: Any, fill: str) -> None:
    properties = style.element.get_or_add_pPr()
    remove_children(properties, "w:shd")
    set_child(properties, parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" '
                                    f'w:fill="{fill}"/>'), _PPR_AFTER_SHADING)


def _tabs(style: Any, xml: str) -> None:
    properties = style.element.get_or_add_pPr()
    remove_children(properties, "w:tabs")
    set_child(properties, parse_xml(f"<w:tabs {nsdecls('w')}>{xml}</w:tabs>"),
              _PPR_AFTER_TABS)


# Children of w:rPr that come after w:color (ECMA-376 order).
_RPR_AFTER_COLOR = ("w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs",
                    "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText",
                    "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
                    "w:specVanish", "w:oMath")
# Children of w:pPr that come after w:pBdr, w:shd and w:tabs (ECMA-376 order).
_PPR_TAIL = ("w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
             "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
             "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
             "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
             "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
             "w:sectPr", "w:pPrChange")
_PPR_AFTER_TABS = _PPR_TAIL
_PPR_AFTER_SHADING = ("w:tabs", *_PPR_TAIL)
_PPR_AFTER_BORDER = ("w:shd", *_PPR_AFTER_SHADING)


class _Styles:
    """The document's styles by name, found in a dict.

    python-docx searches the whole styles part (about 160 styles) for each
    lookup and before adding each style; that was a third of building the
    reference, which a fresh process rendering a report pays.
    """

    def __init__(self, document: Document) -> None:
        self.element = document.styles.element
        # The first style of a name wins, as in python-docx's own lookup.
        self._by_name = {style.name_val: style for style in reversed(self.element.style_lst)}

    def __getitem__(self, name: str) -> Any:
        return StyleFactory(self._by_name[BabelFish.ui2internal(name)])

    def add_style(self, name: str, style_type: WD_STYLE_TYPE) -> Any:
        internal = BabelFish.ui2internal(name)
        if internal in self._by_name:
            raise ValueError(f"the document already has a style {name!r}")
        element = self.element.add_style_of_type(internal, style_type, False)
        self._by_name[internal] = element
        return StyleFactory(element)


def _restyle_builtins(styles: _Styles) -> None:
    remove_children(styles["Normal"].element.get_or_add_rPr(), "w:rFonts")

    title = styles["Title"]
    _font(title, 30, bold=True, color=ACCENT)
    _spacing(title, before=36, after=6)
    _border(title, "")
    title.paragraph_format.keep_with_next = True

    subtitle = styles["Subtitle"]
    remove_children(subtitle.element.get_or_add_pPr(), "w:numPr")
    _font(subtitle, 17, color=SECOND, italic=False)
    _spacing(subtitle, before=0, after=30)
    _border(subtitle, f'<w:bottom w:val="single" w:sz="12" w:space="12" w:color="{ACCENT}"/>')

    heading1 = styles["Heading 1"]
    _font(heading1, 20, bold=True, color=ACCENT)
    _spacing(heading1, before=0, after=14)
    heading1.paragraph_format.page_break_before = True
    _border(heading1, f'<w:bottom w:val="single" w:sz="12" w:space="6" w:color="{ACCENT}"/>')

    heading2 = styles["Heading 2"]
    _font(heading2, 13, bold=True, color=SECOND)
    _spacing(heading2, before=16, after=6)

    toc_heading = styles["TOC Heading"]
    _font(toc_heading, 20, bold=True, color=ACCENT)
    _border(toc_heading, "")

    _spacing(styles["List Bullet"], before=8, after=2)
    _spacing(styles["List Continue"], after=4)

    for name, alignment in (("Header", WD_ALIGN_PARAGRAPH.RIGHT),
                            ("Footer", WD_ALIGN_PARAGRAPH.CENTER)):
        style = styles[name]
        _font(style, 8.5, color=MUTED)
        style.paragraph_format.alignment = alignment
        middle, right = _TEXT_WIDTH_TWIPS // 2, _TEXT_WIDTH_TWIPS
        _tabs(style, f'<w:tab w:val="center" w:pos="{middle}"/>'
                     f'<w:tab w:val="right" w:pos="{right}"/>')
    _border(styles["Header"], f'<w:bottom w:val="single" w:sz="4" w:space="4" w:color="{RULE}"/>')


def _add_paragraph_style(styles: _Styles, name: str, base: str, *,
                          next_style: str | None = None) -> Any:
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base]
    style.quick_style = True
    if next_style is not None:
        style.next_paragraph_style = styles[next_style]
    return style


def _add_custom_styles(styles: _Styles) -> None:
    cover = _add_paragraph_style(styles, "Cover Details", "Normal")
    _font(cover, 11, color=MUTED)
    _spacing(cover, before=0, after=2)

    front = _add_paragraph_style(styles, "Front Heading", "Normal", next_style="Normal")
    _font(front, 13, bold=True, color=ACCENT)
    _spacing(front, before=18, after=6)
    front.paragraph_format.keep_with_next = True

    for level, indent, before, bold in ((1, 0, 8, True), (2, 4.5, 0, False)):
        toc = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        toc.style_id = f"TOC{level}"  # Word's own id for its built-in style
        toc.base_style = styles["Normal"]
        toc.next_paragraph_style = styles["Normal"]
        _font(toc, 11 if level == 1 else 10, bold=bold, color=ACCENT if level == 1 else TEXT)
        _spacing(toc, before=before, after=2)
        toc.paragraph_format.left_indent = Mm(indent)
        _tabs(toc, f'<w:tab w:val="right" w:leader="dot" w:pos="{_TEXT_WIDTH_TWIPS}"/>')

    details = _add_paragraph_style(styles, "Action Details", "List Continue")
    _font(details, 9, color=MUTED)
    _spacing(details, before=0, after=1)

    figure = _add_paragraph_style(styles, "Key Figure", "Normal", next_style="Normal")
    _spacing(figure, before=8, after=8)
    figure.paragraph_format.left_indent = Mm(6.5)
    figure.paragraph_format.right_indent = Mm(4)
    figure.paragraph_format.keep_together = True
    # Borders the colour of the background pad the text inside the callout.
    _border(figure, f'<w:top w:val="single" w:sz="4" w:space="5" w:color="{TINT}"/>'
                    f'<w:left w:val="single" w:sz="36" w:space="10" w:color="{ACCENT}"/>'
                    f'<w:bottom w:val="single" w:sz="4" w:space="5" w:color="{TINT}"/>'
                    f'<w:right w:val="single" w:sz="4" w:space="8" w:color="{TINT}"/>'
                    f'<w:between w:val="single" w:sz="4" w:space="5" w:color="{RULE}"/>')
    _shading(figure, TINT)

    number = styles.add_style("Key Figure Number", WD_STYLE_TYPE.CHARACTER)
    number.base_style = styles["Default Paragraph Font"]
    _font(number, 22, bold=True, color=ACCENT)

    status = styles.add_style("Action Status", WD_STYLE_TYPE.CHARACTER)
    status.base_style = styles["Default Paragraph Font"]
    _font(status, 9, bold=True, color=SECOND)
    status.font.small_caps = True

    styles.element.append(parse_xml(_TABLE_STYLE))


_TABLE_STYLE = f"""
<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="KeyFiguresTable">
  <w:name w:val="Key Figures Table"/>
  <w:basedOn w:val="TableNormal"/>
  <w:uiPriority w:val="59"/>
  <w:pPr><w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr>
  <w:tblPr>
    <w:tblStyleRowBandSize w:val="1"/>
    <w:tblBorders>
      <w:top w:val="single" w:sz="8" w:space="0" w:color="{ACCENT}"/>
      <w:bottom w:val="single" w:sz="8" w:space="0" w:color="{ACCENT}"/>
      <w:insideH w:val="single" w:sz="4" w:space="0" w:color="{RULE}"/>
    </w:tblBorders>
    <w:tblCellMar>
      <w:top w:w="57" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>
      <w:bottom w:w="57" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>
    </w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow">
    <w:rPr><w:b/><w:bCs/><w:color w:val="FFFFFF"/></w:rPr>
    <w:tblPr/>
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{ACCENT}"/></w:tcPr>
  </w:tblStylePr>
  <w:tblStylePr w:type="band2Horz">
    <w:tblPr/>
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{TINT}"/></w:tcPr>
  </w:tblStylePr>
</w:style>
"""


def _samples(document: Document) -> None:
    """One paragraph per style, so people see what they restyle."""
    styles = {style.name.lower(): style for style in document.styles if style.name}
    for use in REQUIRED_STYLES:
        style = styles[use.name.lower()]
        if use.kind == "paragraph":
            paragraph = document.add_paragraph(style=style)
            add_run(paragraph, f"{use.name}: {use.use}")
        elif use.kind == "character":
            paragraph = document.add_paragraph(style=styles["normal"])
            add_run(paragraph, use.name, style)
            add_run(paragraph, f": {use.use}")
        else:
            table = document.add_table(rows=3, cols=2)
            table.style = style
            for row, texts in enumerate(((use.name, "Value"), ("Indicator", "1"),
                                         ("Indicator", "2"))):
                for column, text in enumerate(texts):
                    add_run(table.cell(row, column).paragraphs[0], text)
