"""The WordprocessingML the DOCX renderer writes by hand, and its one path for text.

python-docx covers paragraphs, runs, tables and styles; fields, bookmarks,
internal links, the proofing language and reproducible ZIP files need raw
XML, kept here so the writer reads as a description of the document.

Every piece of text enters the document through :func:`add_run`, which passes
it through :func:`clean`. Text is only ever the content of ``w:t`` elements:
a report saying ``{ DDE "cmd" }`` or ``MERGEFIELD`` shows those characters,
because fields exist only where :func:`add_field` builds them from
instructions written in this package. Imported lazily: it loads python-docx.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any

from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docx.text.run import Run

__all__ = [
    "add_bookmark",
    "add_field",
    "add_internal_link",
    "add_run",
    "clean",
    "drop_thumbnail",
    "field_begin",
    "field_end",
    "remove_children",
    "reproducible_zip",
    "set_child",
    "set_language",
    "set_style",
    "set_update_fields",
]

# XML 1.0 forbids these; lxml refuses them and Word reports the file as corrupt.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"[\t\n\r]+")


def clean(text: str) -> str:
    """Text safe to place in a Word run: XML-illegal characters removed.

    Tabs and line breaks become spaces, since python-docx would turn them into
    tab and break elements; paragraphs and lists come from
    :func:`civicrecord.text.blocks`, never from raw line breaks. Validation
    already rejects illegal characters; this is defence in depth.
    """
    return _LINE_BREAKS.sub(" ", _XML_ILLEGAL.sub("", text))


def add_run(paragraph: Paragraph, text: str, style: Any = None) -> Run:
    """Append cleaned ``text`` to ``paragraph`` as literal characters, in a character style."""
    # Built with lxml directly: python-docx's generic element API (child ordering,
    # a state machine per character) was most of a DOCX render's time.
    r = OxmlElement("w:r")
    if style is not None:
        properties = OxmlElement("w:rPr")
        properties.append(OxmlElement("w:rStyle", {qn("w:val"): style.style_id}))
        r.append(properties)
    text = clean(text)
    if text:
        t = OxmlElement("w:t")
        t.text = text
        if len(text.strip()) < len(text):
            t.set(qn("xml:space"), "preserve")
        r.append(t)
    paragraph._p.append(r)
    return Run(r, paragraph)


def set_style(paragraph: Paragraph, style: Any) -> Paragraph:
    """Give ``paragraph`` a paragraph style already checked to exist."""
    p = paragraph._p
    if p.pPr is None:  # a new paragraph: the same XML as python-docx's, built directly
        properties = OxmlElement("w:pPr")
        properties.append(OxmlElement("w:pStyle", {qn("w:val"): style.style_id}))
        p.insert(0, properties)
    else:
        p.style = style.style_id
    return paragraph


def drop_thumbnail(document: Document) -> None:
    """Remove the preview picture, which would show the template rather than the report."""
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            del package.rels[rel_id]


def remove_children(element: Any, *tags: str) -> None:
    """Remove every child of ``element`` with one of these tags (``"w:shd"``)."""
    for tag in tags:
        for child in element.findall(qn(tag)):
            element.remove(child)


def set_child(parent: Any, child: Any, successors: Sequence[str]) -> None:
    """Insert ``child`` before the first of its ``successors``, as the schema orders them.

    Word rejects out-of-order children that LibreOffice accepts; the order
    matters.
    """
    for existing in parent.findall(child.tag):
        parent.remove(existing)
    for existing in parent:
        if existing.tag in {qn(tag) for tag in successors}:
            existing.addprevious(child)
            return
    parent.append(child)


def _run_with(paragraph_element: Any, child: Any) -> Any:
    run = OxmlElement("w:r")
    run.append(child)
    paragraph_element.append(run)
    return run


def field_begin(paragraph: Paragraph, instruction: str) -> None:
    """Open a complex field; Word and LibreOffice recompute it (``w:dirty``)."""
    begin = OxmlElement("w:fldChar", {qn("w:fldCharType"): "begin", qn("w:dirty"): "true"})
    _run_with(paragraph._p, begin)
    text = OxmlElement("w:instrText", {qn("xml:space"): "preserve"})
    text.text = f" {instruction} "
    _run_with(paragraph._p, text)
    _run_with(paragraph._p, OxmlElement("w:fldChar", {qn("w:fldCharType"): "separate"}))


def field_end(paragraph: Paragraph) -> None:
    """Close the complex field opened by :func:`field_begin`."""
    _run_with(paragraph._p, OxmlElement("w:fldChar", {qn("w:fldCharType"): "end"}))


def add_field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A field such as ``PAGE`` in one paragraph, showing ``shown`` until updated."""
    field_begin(paragraph, instruction)
    add_run(paragraph, shown)
    field_end(paragraph)


def add_bookmark(paragraph: Paragraph, name: str, bookmark_id: int) -> None:
    """Wrap the paragraph's content in a bookmark, the target of links and TOC entries."""
    start = OxmlElement("w:bookmarkStart", {qn("w:id"): str(bookmark_id), qn("w:name"): name})
    properties = paragraph._p.pPr
    if properties is not None:
        properties.addnext(start)
    else:
        paragraph._p.insert(0, start)
    paragraph._p.append(OxmlElement("w:bookmarkEnd", {qn("w:id"): str(bookmark_id)}))


def add_internal_link(paragraph: Paragraph, text: str, bookmark: str) -> None:
    """Append ``text`` as a link to a bookmark of this document."""
    link = OxmlElement("w:hyperlink", {qn("w:anchor"): bookmark, qn("w:history"): "1"})
    paragraph._p.append(link)
    run = OxmlElement("w:r")
    link.append(run)
    Run(run, paragraph).text = clean(text)


# Children of w:settings that follow w:updateFields and w:themeFontLang.
_AFTER_UPDATE_FIELDS = ("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat",
                        "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
                        "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
                        "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions",
                        "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
                        "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol",
                        "w:listSeparator")
_AFTER_THEME_FONT_LANG = _AFTER_UPDATE_FIELDS[_AFTER_UPDATE_FIELDS.index("w:themeFontLang") + 1:]
# Children of w:rPr that follow w:lang.
_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")


def set_update_fields(document: Document) -> None:
    """Ask Word to update fields (the table of contents) when the file is opened."""
    settings = document.settings.element
    set_child(settings, OxmlElement("w:updateFields", {qn("w:val"): "true"}),
              _AFTER_UPDATE_FIELDS)


def set_language(document: Document, language: str) -> None:
    """Make ``language`` the proofing language of every style, and the document's.

    Set in the run defaults, replaced in any style of a reference document
    that names another language, and in the theme font language.
    """
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        set_child(properties, lang, _AFTER_LANG)
    lang.set(qn("w:val"), language)
    for other in styles.iter(qn("w:lang")):
        if other.get(qn("w:val")) is not None:
            other.set(qn("w:val"), language)
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is None:
        theme_lang = OxmlElement("w:themeFontLang")
        set_child(settings, theme_lang, _AFTER_THEME_FONT_LANG)
    theme_lang.set(qn("w:val"), language)
    # "Already proofread" would stop Word checking the new text.
    remove_children(settings, "w:proofState")
    document.core_properties.language = language


def reproducible_zip(content: bytes, when: datetime.date) -> bytes:
    """The same ZIP with every entry dated ``when``, so equal documents are equal bytes.

    python-docx stamps each entry with the current time; nothing else in the
    file depends on when it was written.
    """
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, \
            zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, source.read(entry.filename))
    return output.getvalue()
