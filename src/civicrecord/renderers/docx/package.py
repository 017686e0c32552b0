"""The .docx package: a reference document read and checked, and a report written into it.

Every reference (the shipped one, or a city's as Word or LibreOffice saved it, or a
.dotx template) is read with :mod:`zipfile` and lxml alone, as pandoc does: no
library walks the package at render time. What a city's may lack, a header or
footer of the last section's own or the file properties, is added as a small
part. The package is written with :mod:`zipfile`, every entry dated with the
document's date, so the same report gives the same bytes.
"""

from __future__ import annotations

import datetime
import functools
import io
import os
import posixpath
import stat
import zipfile
import zlib
from collections.abc import Iterable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from attrs import frozen
from lxml import etree  # type: ignore[import-untyped]

from civicrecord.renderer import RenderError
from civicrecord.renderers.docx import REQUIRED_STYLES
from civicrecord.renderers.docx.ooxml import NS, W, clean, element, insert_in_order, qn

__all__ = ["FILE_LIMIT", "Prepared", "add_parts", "core_properties", "prepared", "read_reference",
           "write_package", "xml_bytes"]

#: The largest reference document read, and the most its parts may hold unpacked.
FILE_LIMIT = 32 * 1024 * 1024
_UNPACKED_LIMIT = 128 * 1024 * 1024
#: The most parts, and the largest XML part read: Word's own are far fewer and smaller,
#: and more only makes a reading slow (a hostile file, or a whole report's text).
_PART_LIMIT = 10_000
_XML_LIMIT = 8 * 1024 * 1024
# An XML part's DTD is never read, nor its entities expanded: OOXML forbids a DOCTYPE, so a
# part declaring one is refused; libxml2's limits on depth and text (no huge_tree) stay on.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_DOCTYPE = "declares a DOCTYPE, which Word documents never do"
_ROOTS = {"header": "w:hdr", "footer": "w:ftr", "settings": "w:settings"}
_TYPES = "[Content_Types].xml"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships/"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_TEMPLATE = b"wordprocessingml.template.main+xml"
_DOCUMENT = b"wordprocessingml.document.main+xml"
_START = "start from `civicrecord reference-docx reference.docx`"
# The schema's order of the children of w:settings from w:updateFields, of w:rPr from w:lang.
_SETTINGS = ("w:updateFields", "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr",
             "w:compat", "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
             "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
             "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions",
             "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary", "w:shapeDefaults",
             "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator")
_AFTER_LANG = ("w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")
#: Required styles added after cities made their references, and the style used in their place.
_ADDED_LATER = {"Caption": "Normal"}


@frozen
class Prepared:
    """A reference document ready to render into; never changed by a render.

    ``parts`` holds every part, the body already empty; ``headers`` and
    ``footers`` name the parts a render writes the title and page number in.
    """

    parts: Mapping[str, bytes]
    document: str
    core_part: str
    headers: tuple[str, ...]
    footers: tuple[str, ...]
    styles: Mapping[str, str]  # required style name -> its id in this document
    text_width: int  # twips between the margins; 0 when the reference does not say
    text_height: int


def read_reference(path: Path) -> bytes:
    """The bytes of a city's reference document: a regular file, not too large."""
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):
            raise RenderError(f"reference document {path} is not a regular file (a folder, a "
                              "device or a pipe); name a .docx file")
        with open(path, "rb") as file:
            content = file.read(FILE_LIMIT + 1) if status.st_size <= FILE_LIMIT else b""
    except OSError as error:
        raise RenderError(f"cannot read reference document {path}: {error.strerror}") from None
    if status.st_size > FILE_LIMIT or len(content) > FILE_LIMIT:
        raise RenderError(f"reference document {path} is larger than "
                          f"{FILE_LIMIT // 2 ** 20} MiB; a Word reference document is "
                          "far smaller: remove its pictures")
    return content


def _not_word(source: str, why: object) -> RenderError:
    return RenderError(f"{source} is not a Word document (.docx or .dotx): {why}; {_START}")


def _unpacked(content: bytes, source: str) -> dict[str, bytes]:
    """Every part of the package, refusing archives that unpack to too much, and entry
    names a package cannot have: they would be copied into the document written."""
    if content.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE compound file
        raise RenderError(f"{source} is a Word 97-2003 document (.doc) or a password-protected "
                          "one: open it, remove any password and save it as a Word "
                          "Document (.docx)")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = [entry for entry in archive.infolist() if not entry.is_dir()]
            if (len(entries) > _PART_LIMIT
                    or sum(entry.file_size for entry in entries) > _UNPACKED_LIMIT):
                raise RenderError(f"{source} holds more than {_PART_LIMIT:,} parts or unpacks "
                                  f"to more than {_UNPACKED_LIMIT // 2 ** 20} MiB; {_START}")
            names: set[str] = set()
            for name in (entry.filename for entry in entries):
                if "\\" in name or {"", ".", ".."} & set(name.split("/")):
                    raise _not_word(source, f"entry {name!r} names a place outside the package")
                if name.lower() in names:  # part names ignore case
                    raise _not_word(source, f"it holds two entries named {name!r}")
                names.add(name.lower())
            parts = {entry.filename: archive.read(entry) for entry in entries}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
            RuntimeError, NotImplementedError, zlib.error) as error:  # encrypted, unsupported
        raise _not_word(source, error) from None
    for name, data in parts.items():  # those never parsed too: Word would refuse the document
        if name.endswith((".xml", ".rels")) and b"<!DOCTYPE" in data:
            raise _not_word(source, f"part {name} {_DOCTYPE}")
    return parts


def _xml(parts: Mapping[str, bytes], name: str, source: str, root: str) -> Any:
    """The part ``name``, whose root element must be ``root``, or a RenderError saying why not."""
    if name not in parts:
        raise _not_word(source, f"its {root} part {name} is missing" if name
                        else f"it has no {root} part")
    if len(parts[name]) > _XML_LIMIT:
        raise _not_word(source, f"part {name} is larger than {_XML_LIMIT // 2 ** 20} MiB: "
                        "empty its body, a reference needs its styles, not its text")
    try:
        tree = etree.fromstring(parts[name], _PARSER)
    except etree.XMLSyntaxError as error:
        raise _not_word(source, f"part {name}: {error}") from None
    if tree.getroottree().docinfo.doctype:
        raise _not_word(source, f"part {name} {_DOCTYPE}")
    if tree.tag.startswith("{http://purl.oclc.org/ooxml/"):  # Word's "Strict Open XML"
        raise RenderError(f"{source} is a Strict Open XML document: open it and save it as a "
                          "Word Document (.docx)")
    if tree.tag != qn(root):
        raise _not_word(source, f"part {name} is {tree.tag}, not {root} ({qn(root)})")
    return tree


def _relations(parts: Mapping[str, bytes], part: str, source: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type's last word, target part name)."""
    folder, name = posixpath.split(part)
    rels = _xml(parts, posixpath.join(folder, "_rels", f"{name}.rels"), source,
                "rel:Relationships")
    return {rel.get("Id"): (rel.get("Type", "").rsplit("/", 1)[-1], posixpath.normpath(
                posixpath.join(folder, rel.get("Target", ""))).lstrip("/"))  # "/word/..." too
            for rel in rels.iter(qn("rel:Relationship")) if rel.get("TargetMode") != "External"}


def _style_ids(styles: Any, source: str) -> dict[str, str]:
    """Every required style's id, or a RenderError naming each one missing.

    Names match regardless of case: Word stores "heading 1" and "toc 1" where
    it shows "Heading 1" and "TOC 1", and LibreOffice writes either.
    """
    found = {(name.lower(), style.get(qn("w:type"), "paragraph")): style.get(qn("w:styleId"), "")
             for style in reversed(styles.findall(qn("w:style")))  # the first of a name wins
             for name in style.xpath("w:name/@w:val", namespaces=NS)[:1]}
    ids = {use.name: found.get((use.name.lower(), use.kind)) for use in REQUIRED_STYLES}
    for name, fallback in _ADDED_LATER.items():
        # A city's reference made before the style existed still renders.
        ids[name] = ids.get(name) or ids.get(fallback)
    missing = [f"{use.kind} style {use.name!r}" for use in REQUIRED_STYLES if not ids[use.name]]
    if missing:
        raise RenderError(
            f"{source} lacks {len(missing)} required style(s): {', '.join(missing)}; add them, "
            "or start from `civicrecord reference-docx` which has them all "
            "(see docs/theming-docx.md)")
    return {name: value for name, value in ids.items() if value}


def _between_margins(section: Any, length: str, *margins: str) -> int:
    """The page's ``length`` ("w", "h") less its ``margins``, in twips; 0 if it does not say,
    or says more than Word's largest page, 22 inches."""
    try:
        between = int(section.find(qn("w:pgSz")).get(qn(f"w:{length}"))) - sum(
            int(section.find(qn("w:pgMar")).get(qn(f"w:{side}"))) for side in margins)
        return between if 0 < between <= 31680 else 0
    except (AttributeError, TypeError, ValueError):
        return 0


def _has_page_field(part: Any) -> bool:
    instructions = [text.text or "" for text in part.iter(qn("w:instrText"))]
    instructions += [simple.get(qn("w:instr"), "") for simple in part.iter(qn("w:fldSimple"))]
    return any(instruction.split()[:1] == ["PAGE"] for instruction in instructions)


@functools.lru_cache(maxsize=8)
def prepared(content: bytes, source: str, language: str) -> Prepared:
    """The reference document ``content`` ready to render a report in ``language`` into,
    every style's and the document's proofing language; kept by content and language
    (see "Caches" in docs/performance.md)."""
    parts = _unpacked(content, source)
    if parts.get("mimetype", b"").startswith(b"application/vnd.oasis.opendocument"):
        raise RenderError(f"{source} is an OpenDocument file: save it as Word 2007-365 (.docx) "
                          "in LibreOffice")
    _xml(parts, _TYPES, source, "ct:Types")  # checked now: a render adds its pictures to it
    parts[_TYPES] = parts[_TYPES].replace(_TEMPLATE, _DOCUMENT)  # a .dotx: the .docx it makes
    package = {kind: target for kind, target in _relations(parts, "", source).values()}
    document = package.get("officeDocument", "")
    core = package.get("core-properties", "docProps/core.xml")
    if "core-properties" not in package:  # a render writes it
        add_parts(parts, "", [(core, b"", "application/vnd.openxmlformats-package.core-"
                               "properties+xml", f"{_PACKAGE}metadata/core-properties",
                               "rIdCivicrecordCore")])
    root = _xml(parts, document, source, "w:document")
    related = _relations(parts, document, source)
    by_kind = {kind: target for kind, target in related.values()}
    styles_part = by_kind.get("styles", "")
    settings_part = by_kind.get("settings") or _word_part(parts, document, "settings", "")
    styles = _xml(parts, styles_part, source, "w:styles")
    settings = _xml(parts, settings_part, source, "w:settings")
    body = root.find(qn("w:body"))
    if body is None:
        raise _not_word(source, f"part {document} has no body")
    section = body[-1] if len(body) and body[-1].tag == qn("w:sectPr") else \
        element(body, "w:sectPr")
    body[:] = [section]
    pages = ("default", "even") if settings.find(qn("w:evenAndOddHeaders")) is not None \
        else ("default",)
    furniture: dict[str, list[str]] = {"header": [], "footer": []}
    for kind, names in furniture.items():
        for page in pages:
            found = section.xpath(f"w:{kind}Reference[@w:type='{page}']", namespaces=NS)
            if found and found[0].get(qn("r:id")) in related:
                names.append(related[found[0].get(qn("r:id"))][1])
                _xml(parts, names[-1], source, _ROOTS[kind])  # checked now: a render writes it
            else:  # none, linked to the section before, or dangling: a part of its own
                section[:] = [child for child in section if child not in found]
                names.append(_word_part(parts, document, kind, page))
                section.insert(0, element(None, f"w:{kind}Reference", type=page,
                                          r_id=f"rIdCivicrecord{kind}{page}"))
    insert_in_order(settings, element(None, "w:updateFields", val="true"), _SETTINGS)
    if settings.find(qn("w:themeFontLang")) is None:
        insert_in_order(settings, element(None, "w:themeFontLang"), _SETTINGS)
    for proofed in settings.findall(qn("w:proofState")):  # would stop Word checking the text
        settings.remove(proofed)
    parent = styles
    for name in ("w:docDefaults", "w:rPrDefault", "w:rPr"):  # each comes first in its parent
        if parent.find(qn(name)) is None:
            parent.insert(0, element(None, name))
        parent = parent.find(qn(name))
    if parent.find(qn("w:lang")) is None:
        insert_in_order(parent, element(None, "w:lang"), _AFTER_LANG)
    for lang in (*styles.iter(qn("w:lang")), settings.find(qn("w:themeFontLang"))):
        lang.set(qn("w:val"), clean(language))
    parts.update({document: xml_bytes(root), styles_part: xml_bytes(styles),
                  settings_part: xml_bytes(settings)})
    return Prepared(parts=parts, document=document, core_part=core,
                    headers=tuple(furniture["header"]),
                    footers=tuple(name for name in furniture["footer"]
                                  if not _has_page_field(_xml(parts, name, source, "w:ftr"))),
                    styles=_style_ids(styles, source),
                    text_width=_between_margins(section, "w", "left", "right"),
                    text_height=_between_margins(section, "h", "top", "bottom"))


def _word_part(parts: dict[str, bytes], document: str, kind: str, page: str) -> str:
    """A new, empty part of ``kind`` ("header", "footer", "settings") of ``document``;
    its name (``word/civicrecord-{kind}{page}.xml``) and its id (``rIdCivicrecord{kind}{page}``)
    say what it is."""
    name = f"word/civicrecord-{kind}{page}.xml"
    root = etree.Element(qn(_ROOTS[kind]), nsmap={"w": W})
    add_parts(parts, document, [(name, xml_bytes(root), f"{_WORD}{kind}+xml", _OFFICE + kind,
                                 f"rIdCivicrecord{kind}{page}")])
    return name


def add_parts(parts: MutableMapping[str, bytes], owner: str,
              added: Iterable[tuple[str, bytes, str, str, str]]) -> None:
    """Put each part (name, bytes, content type, relationship type, relationship id) of
    ``added`` in ``parts`` with its content type, related to the part ``owner`` ("" for
    the package)."""
    folder, base = posixpath.split(owner)
    rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
    rels, types = etree.fromstring(parts[rels_name]), etree.fromstring(parts[_TYPES])
    for name, data, content_type, kind, rel_id in added:
        # One of the same id or name (a report rendered before, used as the reference) goes.
        for old in [*rels.findall(f"rel:Relationship[@Id='{rel_id}']", NS),
                    *types.findall(f"ct:Override[@PartName='/{name}']", NS)]:
            old.getparent().remove(old)
        parts[name] = data
        etree.SubElement(rels, qn("rel:Relationship"), Id=rel_id, Type=kind,
                         Target=posixpath.relpath(name, folder or "."))
        etree.SubElement(types, qn("ct:Override"), PartName=f"/{name}", ContentType=content_type)
    parts.update({rels_name: xml_bytes(rels), _TYPES: xml_bytes(types)})


def xml_bytes(root: Any) -> bytes:
    """A part's bytes, as Word writes them."""
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def core_properties(properties: Mapping[str, str], when: datetime.datetime) -> bytes:
    """The file properties (``dc:title`` -> text), dated ``when``; each at most 255 characters."""
    root = etree.Element(qn("cp:coreProperties"), nsmap={
        prefix: NS[prefix] for prefix in ("cp", "dc", "dcterms", "xsi")})
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    for name, value in {**properties, "dcterms:created": stamp, "dcterms:modified": stamp}.items():
        child = etree.SubElement(root, qn(name))
        value = clean(value)
        child.text = value if len(value) <= 255 else value[:254] + "…"
        if name.startswith("dcterms:"):
            child.set(qn("xsi:type"), "dcterms:W3CDTF")
    return xml_bytes(root)


def write_package(parts: Mapping[str, bytes], when: datetime.datetime) -> bytes:
    """The ZIP of ``parts``, content types first, every entry dated ``when`` at midnight."""
    date = (min(max(when.year, 1980), 2107), when.month, when.day, 0, 0, 0)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as package:
        for name in sorted(parts, key=lambda name: name != "[Content_Types].xml"):
            entry = zipfile.ZipInfo(name, date)
            entry.compress_type, entry.create_system = zipfile.ZIP_DEFLATED, 0
            entry.external_attr = 0o600 << 16
            package.writestr(entry, parts[name])
    return output.getvalue()
