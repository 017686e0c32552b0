"""Builds src/civicrecord/renderers/docx/reference.docx, the default reference document.

    .venv/bin/python tools/build_reference_docx.py          # rewrites reference.docx
    .venv/bin/python tools/build_reference_docx.py OUT.docx # writes it elsewhere

Like pandoc's reference.docx, the default look is a file a city can open,
restyle and hand back; this script is its source, reviewed as text. Run it
after changing a style here: a test fails while the shipped file differs
from what the script makes. python-docx's public API builds it; only the
styles the renderer uses (and those they are based on, or linked to) are
kept. The body shows one sample paragraph per style, which a render
replaces. The same script gives the same file.
"""

from __future__ import annotations

import datetime
import io
import sys
import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.shared import Mm, Pt, RGBColor, Twips
from lxml import etree  # type: ignore[import-untyped]

from civicrecord.renderers.docx import REQUIRED_STYLES
from civicrecord.renderers.docx.ooxml import NS, W, element, insert_in_order, qn
from civicrecord.renderers.docx.package import write_package

__all__ = ["REFERENCE", "build"]

REFERENCE = (Path(__file__).resolve().parent.parent / "src" / "civicrecord" / "renderers"
             / "docx" / "reference.docx")
ACCENT = "1D4E89"  # headings, key figures: a sober municipal blue
SECOND = "0B6E69"  # second-level headings and statuses: a deep teal
TEXT, MUTED = "262626", "5F6B7A"
TINT = "EAF1F9"  # the background of key figures and table bands
RULE = "C9D6E6"
FONT = "Arial"  # present in Word everywhere; LibreOffice substitutes Liberation Sans
#: When the reference was made, for its properties and ZIP entries.
DATE = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
TEXT_WIDTH = Mm(210 - 2 * 22)

# The schema's order of the children of w:rPr and w:pPr that styles set here.
_RPR = ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps",
        "w:strike", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs",
        "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl",
        "w:cs", "w:em", "w:lang")
_PPR = ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
        "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
        "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
        "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
        "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
        "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
        "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr")


def _properties(style: Any, name: str) -> Any:
    found = style.element.find(qn(name))
    if found is None:
        found = insert_in_order(style.element, element(None, name),
                                ("w:name", "w:aliases", "w:basedOn", "w:next", "w:link",
                                 "w:autoRedefine", "w:hidden", "w:uiPriority",
                                 "w:semiHidden", "w:unhideWhenUsed", "w:qFormat", "w:locked",
                                 "w:personal", "w:rsid", "w:pPr", "w:rPr", "w:tblPr"))
    return found


def _font(style: Any, size: float | None = None, *, bold: bool | None = None,
          color: str | None = None, italic: bool | None = None) -> None:
    for fonts in _properties(style, "w:rPr").findall(qn("w:rFonts")):  # the document's font
        fonts.getparent().remove(fonts)
    font = style.font
    font.size = Pt(size) if size is not None else font.size
    font.bold = bold if bold is not None else font.bold
    font.italic = italic if italic is not None else font.italic
    if color is not None:
        font.color.rgb = RGBColor.from_string(color)


def _spacing(style: Any, before: float | None = None, after: float | None = None) -> None:
    if before is not None:
        style.paragraph_format.space_before = Pt(before)
    if after is not None:
        style.paragraph_format.space_after = Pt(after)


def _border(style: Any, **sides: str) -> None:
    """The style's paragraph borders: ``side="width space colour"`` (eighths of a point)."""
    borders = insert_in_order(_properties(style, "w:pPr"), element(None, "w:pBdr"), _PPR)
    for side, spec in sides.items():
        size, space, color = spec.split()
        element(borders, f"w:{side}", val="single", sz=size, space=space, color=color)


def _tabs(style: Any, *stops: tuple[int, Any, Any]) -> None:
    style.paragraph_format.tab_stops.clear_all()
    for position, alignment, leader in stops:
        style.paragraph_format.tab_stops.add_tab_stop(Twips(position), alignment, leader)


def _paragraph_style(styles: Any, name: str, base: str, next_style: str | None = None,
                     *, quick: bool = True) -> Any:
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style, style.quick_style = styles[base], quick
    if next_style is not None:
        style.next_paragraph_style = styles[next_style]
    return style


def _document_defaults(document: Any) -> None:
    """One font, colour and size for everything, set once in the document defaults.

    Colour and size live here, not in Normal: a paragraph style would beat the
    table style's white header text, a document default does not.
    """
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    fonts = insert_in_order(run, element(None, "w:rFonts"), _RPR)
    for side in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{side}"), FONT)
    insert_in_order(run, element(None, "w:color", val=TEXT), _RPR)
    for name in ("w:sz", "w:szCs"):
        insert_in_order(run, element(None, name, val="21"), _RPR)
    spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
    spacing.set(qn("w:after"), "120")
    spacing.set(qn("w:line"), "269")


def _page(document: Any) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(22)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.header_distance = section.footer_distance = Mm(11)
    for part in (section.header, section.footer):  # where a render writes
        part.is_linked_to_previous = False


def _styles(document: Any) -> None:
    styles = document.styles
    _font(styles["Normal"])
    title, subtitle = styles["Title"], styles["Subtitle"]
    _font(title, 30, bold=True, color=ACCENT)
    _spacing(title, before=36, after=6)
    _border(title)
    title.paragraph_format.keep_with_next = True
    for numbering in _properties(subtitle, "w:pPr").findall(qn("w:numPr")):
        numbering.getparent().remove(numbering)
    _font(subtitle, 17, color=SECOND, italic=False)
    _spacing(subtitle, before=0, after=30)
    _border(subtitle, bottom=f"12 12 {ACCENT}")
    heading1, heading2 = styles["Heading 1"], styles["Heading 2"]
    _font(heading1, 20, bold=True, color=ACCENT)
    _spacing(heading1, before=0, after=14)
    heading1.paragraph_format.page_break_before = True
    _border(heading1, bottom=f"12 6 {ACCENT}")
    _font(heading2, 13, bold=True, color=SECOND)
    _spacing(heading2, before=16, after=6)
    _font(styles["TOC Heading"], 20, bold=True, color=ACCENT)
    _border(styles["TOC Heading"])
    _spacing(styles["List Bullet"], before=8, after=2)
    _spacing(styles["List Continue"], after=4)
    caption = styles["Caption"]
    _font(caption, 9, bold=False, color=MUTED)
    _spacing(caption, before=2, after=10)
    for name, alignment in (("Header", WD_ALIGN_PARAGRAPH.RIGHT),
                            ("Footer", WD_ALIGN_PARAGRAPH.CENTER)):
        _font(styles[name], 8.5, color=MUTED)
        styles[name].paragraph_format.alignment = alignment
        _tabs(styles[name], (TEXT_WIDTH.twips // 2, WD_TAB_ALIGNMENT.CENTER, WD_TAB_LEADER.SPACES),
              (TEXT_WIDTH.twips, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.SPACES))
    _border(styles["Header"], bottom=f"4 4 {RULE}")

    cover = _paragraph_style(styles, "Cover Details", "Normal")
    _font(cover, 11, color=MUTED)
    _spacing(cover, before=0, after=2)
    front = _paragraph_style(styles, "Front Heading", "Normal", "Normal")
    _font(front, 13, bold=True, color=ACCENT)
    _spacing(front, before=18, after=6)
    front.paragraph_format.keep_with_next = True
    toc = _paragraph_style(styles, "toc 1", "Normal", "Normal", quick=False)
    toc.style_id = "TOC1"  # Word's own name and id for its built-in style
    _font(toc, 11, bold=True, color=ACCENT)
    _spacing(toc, before=8, after=2)
    toc.paragraph_format.left_indent = Mm(0)
    _tabs(toc, (TEXT_WIDTH.twips, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS))
    details = _paragraph_style(styles, "Action Details", "List Continue")
    _font(details, 9, color=MUTED)
    _spacing(details, before=0, after=1)
    figure = _paragraph_style(styles, "Key Figure", "Normal", "Normal")
    _spacing(figure, before=8, after=8)
    figure.paragraph_format.left_indent, figure.paragraph_format.right_indent = Mm(6.5), Mm(4)
    figure.paragraph_format.keep_together = True
    # Borders the colour of the background pad the text inside the callout.
    _border(figure, top=f"4 5 {TINT}", left=f"36 10 {ACCENT}", bottom=f"4 5 {TINT}",
            right=f"4 8 {TINT}", between=f"4 5 {RULE}")
    insert_in_order(_properties(figure, "w:pPr"),
                    element(None, "w:shd", val="clear", color="auto", fill=TINT), _PPR)
    for name, size, color in (("Key Figure Number", 22, ACCENT), ("Action Status", 9, SECOND)):
        style = styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
        style.base_style = styles["Default Paragraph Font"]
        _font(style, size, bold=True, color=color)
    styles["Action Status"].font.small_caps = True
    styles.element.append(etree.fromstring(_TABLE_STYLE,
                                           etree.XMLParser(remove_blank_text=True)))


_TABLE_STYLE = f"""<w:style xmlns:w="{W}" w:type="table" w:customStyle="1"
  w:styleId="KeyFiguresTable"><w:name w:val="Key Figures Table"/>
  <w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/>
  <w:pPr><w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr>
  <w:tblPr><w:tblStyleRowBandSize w:val="1"/><w:tblBorders>
    <w:top w:val="single" w:sz="8" w:space="0" w:color="{ACCENT}"/>
    <w:bottom w:val="single" w:sz="8" w:space="0" w:color="{ACCENT}"/>
    <w:insideH w:val="single" w:sz="4" w:space="0" w:color="{RULE}"/></w:tblBorders>
    <w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>
      <w:bottom w:w="57" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/><w:color w:val="FFFFFF"/></w:rPr>
    <w:tblPr/><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{ACCENT}"/></w:tcPr>
  </w:tblStylePr>
  <w:tblStylePr w:type="band2Horz"><w:tblPr/>
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{TINT}"/></w:tcPr></w:tblStylePr>
</w:style>"""


def _keep_used_styles(document: Any) -> None:
    """Delete the template's styles no report uses: pandoc's reference keeps few too."""
    styles = list(document.styles)
    by_id = {style.style_id: style for style in styles}
    used = {use.name.lower() for use in REQUIRED_STYLES}
    keep = {style.style_id for style in styles if (style.name or "").lower() in used
            or style.element.get(qn("w:default")) == "1"}
    todo = list(keep)
    while todo:
        style = by_id[todo.pop()]
        for link in ("w:basedOn", "w:next", "w:link"):
            target = style.element.find(f"{qn(link)}[@{qn('w:val')}]")
            if target is not None and target.get(qn("w:val")) in by_id.keys() - keep:
                keep.add(target.get(qn("w:val")))
                todo.append(target.get(qn("w:val")))
    for style in styles:
        if style.style_id not in keep:
            style.delete()


def _samples(document: Any) -> None:
    """One paragraph per style, so people see what they restyle."""
    styles = {style.name.lower(): style for style in document.styles if style.name}
    for use in REQUIRED_STYLES:
        style = styles[use.name.lower()]
        if use.kind == "paragraph":
            document.add_paragraph(f"{use.name}: {use.use}", style)
        elif use.kind == "character":
            paragraph = document.add_paragraph(style=styles["normal"])
            paragraph.add_run(use.name, style)
            paragraph.add_run(f": {use.use}")
        else:
            table = document.add_table(rows=3, cols=2)
            table.style = style
            for row, texts in enumerate(((use.name, "Value"), ("Indicator", "1"),
                                         ("Indicator", "2"))):
                for column, text in enumerate(texts):
                    table.cell(row, column).paragraphs[0].add_run(text)


def build() -> bytes:
    """The default reference document's bytes; the same every time."""
    document = docx.Document()
    for rel_id, rel in list(document.part.package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):  # the template's, not the report's
            del document.part.package.rels[rel_id]
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):  # Word 2010's copy of the styles
            del document.part.rels[rel_id]
    _page(document)
    _document_defaults(document)
    _styles(document)
    _keep_used_styles(document)
    _samples(document)
    properties = document.core_properties
    properties.title = "civicrecord reference document"
    properties.author = properties.last_modified_by = "civicrecord"
    properties.comments = ("Change the styles of this document, then render with "
                           "--reference-docx; its body is replaced by the report.")
    properties.created = properties.modified = DATE
    properties.revision = 1
    saved = io.BytesIO()
    document.save(saved)
    with zipfile.ZipFile(saved) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    # The theme's fonts are the document's, so that charts (which take theirs) match the text.
    theme = etree.fromstring(parts["word/theme/theme1.xml"])
    for latin in theme.xpath("//a:majorFont/a:latin|//a:minorFont/a:latin", namespaces=NS):
        latin.set("typeface", FONT)
    parts["word/theme/theme1.xml"] = etree.tostring(theme, xml_declaration=True,
                                                    encoding="UTF-8", standalone=True)
    return write_package(parts, DATE)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else REFERENCE
    target.write_bytes(build())
    print(target)
