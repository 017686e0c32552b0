"""A reference document made ready to render into: read once, reused by every render.

python-docx reads and checks the reference (its required styles), clears its
body, and marks where each render writes: the body, the header's title and
the footer's page number. The package is then kept as serialised parts, most
of them already compressed; a render only writes the body, the file
properties and the header and footer, and takes the styles and settings for
its language from a small cache. Prepared references are cached by the
SHA-256 of their bytes, so a reference edited between two renders is read
again. Imported lazily: it loads python-docx.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from attrs import field, frozen
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu
from docx.text.paragraph import Paragraph
from lxml import etree  # type: ignore[import-untyped]

from civicrecord.renderer import RenderError
from civicrecord.renderers.docx_ooxml import (
    drop_thumbnail,
    set_language,
    set_style,
    set_update_fields,
)
from civicrecord.renderers.docx_styles import REQUIRED_STYLES
from civicrecord.renderers.docx_xml import attribute
from civicrecord.renderers.docx_zip import Entry, deflated

__all__ = ["BODY", "FOOTER", "HEADER", "LANGUAGE", "Prepared", "package_parts", "prepare",
           "prepared", "resolve_styles", "saved_parts"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_KINDS = {"paragraph": WD_STYLE_TYPE.PARAGRAPH, "character": WD_STYLE_TYPE.CHARACTER,
          "table": WD_STYLE_TYPE.TABLE}
#: Shares of the text width taken by the key figures table's columns.
COLUMN_SHARES = (0.46, 0.2, 0.14, 0.2)

# Where a render writes. Private-use characters, so no reference says them by chance.
_MARK = "\uf8ffcivicrecord-{}\uf8ff"
BODY, HEADER, FOOTER, LANGUAGE = "body", "header", "footer", "language"
_CACHE_SIZE = 8
_LANGUAGES = 8


@frozen
class Prepared:
    """A reference document as parts, with the places a render fills.

    ``order`` lists every part of the package in the order python-docx writes
    it, ``[Content_Types].xml`` first. A part in ``fills`` is kept as the
    bytes around the marks where a render writes: the body, the header's
    title, the footer's page number, or (styles and settings) the proofing
    language. The core properties are the report's alone; every other part
    is in ``unchanged``, compressed once.
    """

    styles: Mapping[str, str]
    column_widths: tuple[int, ...]
    fixed_columns: bool
    order: tuple[str, ...]
    unchanged: Mapping[str, Entry]
    pieces: Mapping[str, tuple[bytes, ...]]
    fills: Mapping[str, str]
    core_part: str
    _languages: dict[str, dict[str, Entry]] = field(factory=dict, eq=False)

    def filled(self, name: str, content: Sequence[bytes]) -> Iterator[bytes]:
        """Part ``name`` with ``content`` (in chunks) written at each of its marks."""
        pieces = self.pieces[name]
        yield pieces[0]
        for piece in pieces[1:]:
            yield from content
            yield piece

    def language_parts(self, language: str) -> dict[str, Entry]:
        """The styles and settings parts with ``language`` as the proofing language.

        Compressed once per language: the styles are most of the package.
        """
        parts = self._languages.get(language)
        if parts is None:
            value = attribute(language).encode()
            parts = {name: deflated(name, self.filled(name, (value,)))
                     for name, kind in self.fills.items() if kind == LANGUAGE}
            if len(self._languages) >= _LANGUAGES:
                self._languages.clear()
            self._languages[language] = parts
        return parts


def resolve_styles(document: Document, source: str) -> dict[str, Any]:
    """Every required style by name, or a RenderError naming each one missing.

    Names match regardless of case: Word stores "heading 1" and "toc 1" where
    it shows "Heading 1" and "TOC 1", and LibreOffice writes either.
    """
    found: dict[tuple[str, Any], Any] = {}
    for style in document.styles:
        if style.name:
            found.setdefault((style.name.lower(), style.type), style)
    styles: dict[str, Any] = {}
    missing: list[str] = []
    for use in REQUIRED_STYLES:
        style = found.get((use.name.lower(), _KINDS[use.kind]))
        if style is None:
            missing.append(f"{use.kind} style {use.name!r}")
        else:
            styles[use.name] = style
    if missing:
        raise RenderError(
            f"{source} lacks {len(missing)} required style(s): {', '.join(missing)}; "
            "add them, or start from `civicrecord reference-docx` which has them all "
            "(see docs/theming-docx.md)"
        )
    return styles


class _Collector:
    """Stands in for python-docx's ZIP writer: keeps each part's name and bytes, in order."""

    def __init__(self) -> None:
        self.parts: dict[str, bytes] = {}

    def write(self, pack_uri: Any, blob: bytes) -> None:
        self.parts[pack_uri.membername] = blob


def package_parts(document: Document) -> dict[str, bytes]:
    """Every part of the document's package as python-docx would save it, uncompressed.

    What ``document.save()`` writes, without compressing it into a ZIP that
    the renderer would only open again.
    """
    package = document.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    collector = _Collector()
    try:
        # python-docx's own (private) steps of Document.save(), each given the collector.
        PackageWriter._write_content_types_stream(collector, parts)  # type: ignore[no-untyped-call]
        PackageWriter._write_pkg_rels(collector, package.rels)  # type: ignore[no-untyped-call]
        PackageWriter._write_parts(collector, parts)  # type: ignore[arg-type]
    except (AttributeError, TypeError):
        return saved_parts(document)  # another python-docx: the public, slower way
    return collector.parts


def saved_parts(document: Document) -> dict[str, bytes]:
    """The parts of ``document.save()``'s ZIP, in its order: what package_parts gives."""
    import io
    import zipfile

    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as package:
        return {entry.filename: package.read(entry) for entry in package.infolist()}


def _mark(kind: str) -> str:
    return _MARK.format(kind)


def _marked_run(paragraph: Paragraph, kind: str) -> None:
    """A run holding the mark of what a render writes into this paragraph."""
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = _mark(kind)
    run.append(text)
    paragraph._p.append(run)


def _free_paragraph(part: Any, style: Any) -> Paragraph:
    """The header's lone empty paragraph, or a new one after the reference's content."""
    paragraphs = part.paragraphs
    if len(paragraphs) == 1 and not paragraphs[0]._p.xpath("./w:r|./w:hyperlink|./w:fldSimple"):
        return set_style(paragraphs[0], style)
    return set_style(part.add_paragraph(), style)


def _has_page_field(element: Any) -> bool:
    instructions = [text.text or "" for text in element.iter(qn("w:instrText"))]
    instructions += [field.get(qn("w:instr"), "") for field in element.iter(qn("w:fldSimple"))]
    return any(instruction.split()[:1] == ["PAGE"] for instruction in instructions)


def _column_widths(document: Document) -> tuple[tuple[int, ...], bool]:
    """The key figures table's columns in twips, sharing the reference's text width.

    Word would otherwise make columns equal; without a page width they are.
    """
    section = document.sections[-1]
    width = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
    if width > 0:
        return tuple(Emu(int(width * share)).twips for share in COLUMN_SHARES), True
    block = document._block_width  # what python-docx gives a table without widths
    return (Emu(block // len(COLUMN_SHARES)).twips,) * len(COLUMN_SHARES), False


def _bind_w_prefix(blob: bytes) -> bytes:
    """The part with ``w:`` bound to WordprocessingML on its root, as the marks assume.

    Word, LibreOffice and python-docx all write ``w:``; a part that uses
    another prefix is rewritten once, here.
    """
    root = etree.fromstring(blob)
    if root.nsmap.get("w") == W:
        return blob
    nsmap = {prefix: uri for prefix, uri in root.nsmap.items() if uri != W and prefix != "w"}
    rebound = etree.Element(root.tag, dict(root.attrib), nsmap={**nsmap, "w": W})
    rebound.text = root.text
    rebound.extend(list(root))
    etree.cleanup_namespaces(rebound)
    return bytes(etree.tostring(rebound, encoding="UTF-8", standalone=True))


def _split(blob: bytes, kind: str, name: str) -> tuple[bytes, ...]:
    mark = _mark(kind)
    if kind == BODY:
        mark = f"<!--{mark}-->"
    elif kind in (HEADER, FOOTER):
        mark = f"<w:r><w:t>{mark}</w:t></w:r>"
    pieces = tuple(blob.split(mark.encode()))
    if len(pieces) < 2:
        raise RenderError(f"could not prepare {name} of the reference document")
    return pieces


def prepare(document: Document, source: str) -> Prepared:
    """Make ``document`` (opened by python-docx) ready to render into; it is changed."""
    styles = resolve_styles(document, source)
    body = document.element.body
    section = body.sectPr
    for child in list(body):
        if child is not section:
            body.remove(child)
    body_mark = etree.Comment(_mark(BODY))
    if section is None:
        body.append(body_mark)
    else:
        section.addprevious(body_mark)
    drop_thumbnail(document)
    set_update_fields(document)
    fills = {document.part.partname.membername: BODY}
    last = document.sections[-1]
    headers, footers = [last.header], [last.footer]
    if document.settings.odd_and_even_pages_header_footer:
        headers.append(last.even_page_header)
        footers.append(last.even_page_footer)
    for header in headers:
        _marked_run(_free_paragraph(header, styles["Header"]), HEADER)
        fills[header.part.partname.membername] = HEADER
    for footer in footers:
        if not _has_page_field(footer._element):
            _marked_run(_free_paragraph(footer, styles["Footer"]), FOOTER)
            fills[footer.part.partname.membername] = FOOTER
    set_language(document.styles.element, document.settings.element, _mark(LANGUAGE))
    for part_type in (RELATIONSHIP_TYPE.STYLES, RELATIONSHIP_TYPE.SETTINGS):
        fills[document.part.part_related_by(part_type).partname.membername] = LANGUAGE
    document.core_properties  # noqa: B018 -- adds the part to a reference without one
    package = document.part.package
    core = next(rel.target_part for rel in package.rels.values()
                if rel.reltype == RELATIONSHIP_TYPE.CORE_PROPERTIES).partname.membername
    parts = package_parts(document)
    pieces = {name: _split(parts[name] if kind == LANGUAGE else _bind_w_prefix(parts[name]),
                           kind, name)
              for name, kind in fills.items()}
    widths, fixed = _column_widths(document)
    return Prepared(
        styles={name: attribute(style.style_id) for name, style in styles.items()},
        column_widths=widths, fixed_columns=fixed, order=tuple(parts),
        unchanged={name: deflated(name, blob) for name, blob in parts.items()
                   if name not in fills and name != core},
        pieces=pieces, fills=fills, core_part=core)


_cache: OrderedDict[str, Prepared] = OrderedDict()
_lock = threading.Lock()


def prepared(key: bytes | str, open_document: Callable[[], Document],
             source: str) -> Prepared:
    """The prepared reference for ``key`` (the reference's bytes, or a name for a built one).

    ``open_document()`` opens it with python-docx when it is not cached yet.
    The few most recently used references are kept.
    """
    digest = hashlib.sha256(key).hexdigest() if isinstance(key, bytes) else key
    with _lock:
        found = _cache.get(digest)
        if found is not None:
            _cache.move_to_end(digest)
            return found
    made = prepare(open_document(), source)
    with _lock:
        _cache[digest] = made
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return made
