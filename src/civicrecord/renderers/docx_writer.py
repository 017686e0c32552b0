"""Writes a report into a Word document whose styles come from a reference document.

A render takes the reference prepared once (:mod:`docx_package`: python-docx
reads and checks it), writes the body as text (:mod:`docx_body`), the file
properties, the header's title and the footer's page number, and assembles
the ZIP in one pass from parts mostly compressed already
(:mod:`docx_zip`). python-docx builds no element of the report. Imported
lazily: it loads python-docx.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import docx
from docx.document import Document
from docx.opc.exceptions import PackageNotFoundError

from civicrecord.model import Report
from civicrecord.presentation import Presenter, presenter_for
from civicrecord.renderer import RenderContext, RenderError
from civicrecord.renderers.docx_body import TOC_INSTRUCTION, body_xml
from civicrecord.renderers.docx_package import (
    BODY,
    FOOTER,
    HEADER,
    Prepared,
    prepared,
    resolve_styles,
)
from civicrecord.renderers.docx_xml import clean, escape, field, run
from civicrecord.renderers.docx_zip import deflated, zip_bytes

__all__ = ["TOC_INSTRUCTION", "core_properties", "document_date", "open_reference", "render",
           "resolve_styles"]

# Core properties hold at most 255 characters each.
_PROPERTY_LIMIT = 255
_DEFAULT = "default reference document"
# Pieces of body XML encoded together: large enough for zlib, small enough not to copy a body.
_CHUNK = 4096


def _encoded(pieces: list[str]) -> bytes:
    return "".join(pieces).encode()


def render(report: Report, context: RenderContext) -> bytes:
    """The report as the bytes of a .docx file; the same report gives the same bytes."""
    reference = _prepared_reference(context.reference_docx)
    presenter = presenter_for(report.language)
    when = document_date(report)
    body = body_xml(report, reference.styles, presenter, reference.column_widths,
                    reference.fixed_columns)
    title = report.title
    if report.subtitle:
        title = f"{title} – {report.subtitle}"
    written = {
        BODY: [_encoded(body[start:start + _CHUNK]) for start in range(0, len(body), _CHUNK)],
        HEADER: [run(title).encode()],
        FOOTER: [(run(f"{presenter.label('page')} ") + field("PAGE", "1")).encode()],
    }
    made = reference.language_parts(report.language)
    core = core_properties(report, presenter, when)
    entries = []
    for name in reference.order:
        entry = reference.unchanged.get(name) or made.get(name)
        if entry is None:
            content = core if name == reference.core_part else \
                reference.filled(name, written[reference.fills[name]])
            entry = deflated(name, content)
        entries.append(entry)
    return zip_bytes(entries, when)


def _prepared_reference(path: Path | None) -> Prepared:
    if path is None:
        return prepared(_DEFAULT, _default_reference, "the default reference document")
    content = _read_reference(path)
    return prepared(content, lambda: open_reference(path, content),
                    f"reference document {path}")


def _default_reference() -> Document:
    from civicrecord.renderers.docx_reference import default_reference

    return default_reference(samples=False)


def document_date(report: Report) -> datetime.datetime:
    """When the document was made, as the report says: published, else the period's end."""
    date = report.published or report.period.end
    year, month, day = date.earliest()
    return datetime.datetime(year, month, day, tzinfo=datetime.UTC)


def _read_reference(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise RenderError(f"cannot read reference document {path}: {error.strerror}") from None


def open_reference(path: Path, content: bytes | None = None) -> Document:
    """Open a reference .docx (or a .dotx template) or explain why it cannot be used."""
    if content is None:
        content = _read_reference(path)
    try:
        return docx.Document(io.BytesIO(_as_document(content)))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise RenderError(
            f"reference document {path} is not a Word document (.docx or .dotx): {error}; "
            "start from `civicrecord reference-docx reference.docx`"
        ) from None


_TEMPLATE_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_DOCUMENT_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _as_document(content: bytes) -> bytes:
    """A .dotx template is a .docx with another content type; open it as one."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            types = archive.read("[Content_Types].xml")
            if _TEMPLATE_TYPE not in types:
                return content
            output = io.BytesIO()
            with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
                for entry in archive.infolist():
                    data = archive.read(entry.filename)
                    if entry.filename == "[Content_Types].xml":
                        data = data.replace(_TEMPLATE_TYPE, _DOCUMENT_TYPE)
                    target.writestr(entry, data)
            return output.getvalue()
    except (zipfile.BadZipFile, KeyError):
        return content  # python-docx gives the error


def _limit(text: str) -> str:
    text = clean(text)
    return text if len(text) <= _PROPERTY_LIMIT else text[:_PROPERTY_LIMIT - 1] + "…"


_CORE_START = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">')


def core_properties(report: Report, presenter: Presenter, when: datetime.datetime) -> bytes:
    """The file properties from the report; nothing of the reference's author or dates remains.

    Written whole, as python-docx would write them; the reference's last
    printed date, comments, category and version are left empty.
    """
    neighbourhood = report.neighbourhood
    period = presenter.reporting_period(report.period)
    about = f"{neighbourhood.name}, {neighbourhood.city}, {period}"
    keywords: list[str] = []
    for word in (neighbourhood.name, neighbourhood.city, period,
                 *(programme.name for programme in report.programmes)):
        word = clean(word)
        if word and word not in keywords and len("; ".join([*keywords, word])) <= 255:
            keywords.append(word)
    author = escape(_limit(report.authority.name))
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"{_CORE_START}<dc:title>{escape(_limit(report.title))}</dc:title>"
        "<dc:subject>"
        f"{escape(_limit(f'{report.subtitle} – {about}' if report.subtitle else about))}"
        f"</dc:subject><dc:creator>{author}</dc:creator>"
        f"<cp:keywords>{escape('; '.join(keywords))}</cp:keywords>"
        f"<dc:description></dc:description><cp:lastModifiedBy>{author}</cp:lastModifiedBy>"
        "<cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        f"<cp:category></cp:category><dc:language>{escape(clean(report.language))}</dc:language>"
        f"<cp:contentStatus></cp:contentStatus>"
        f"<dc:identifier>{escape(_limit(report.id))}</dc:identifier>"
        "<cp:version></cp:version></cp:coreProperties>"
    ).encode()
