"""Raw WordprocessingML for the documents python-docx holds: reference documents.

python-docx covers styles, sections and headers; the proofing language,
the request to update fields and the order of schema children need raw XML,
kept here so that the reference and its preparation read as descriptions.
The report's own text is written as text by :mod:`docx_xml`; the few runs
added here (sample paragraphs of the default reference) also go through
:func:`clean`. Imported lazily: it loads python-docx.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from civicrecord.renderers.docx_xml import clean

__all__ = [
    "add_run",
    "clean",
    "drop_thumbnail",
    "remove_children",
    "set_child",
    "set_language",
    "set_style",
    "set_update_fields",
]


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


def set_language(styles: Any, settings: Any, language: str) -> None:
    """Make ``language`` the proofing language of every style, and the document's.

    Set in the run defaults of ``styles`` (the ``w:styles`` root), replaced in
    any style of a reference document that names another language, and in the
    theme font language of ``settings`` (the ``w:settings`` root). The file
    properties' language is written with the other properties.
    """
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
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is None:
        theme_lang = OxmlElement("w:themeFontLang")
        set_child(settings, theme_lang, _AFTER_THEME_FONT_LANG)
    theme_lang.set(qn("w:val"), language)
    # "Already proofread" would stop Word checking the new text.
    remove_children(settings, "w:proofState")
