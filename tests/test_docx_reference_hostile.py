"""A city's reference document is untrusted: downloaded, emailed, saved by any tool.

Every reference here is made in the test from the shipped one. Each is either
refused with one line naming the file and what is wrong (exit code 1, the
output already there untouched, nothing else written), or gives a correct
document. Tests marked ``libreoffice`` make references as LibreOffice saves
them and read the result as LibreOffice prints it.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt
from lxml import etree

import civicrecord
from civicrecord import RenderError
from civicrecord.cli import main
from civicrecord.presentation import presenter_for
from civicrecord.renderers.docx import REQUIRED_STYLES, reference_docx
from hostile_summary import Tally

ROOT = Path(__file__).resolve().parent.parent
LARKFIELD = ROOT / "examples" / "larkfield"
NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}
DOCUMENT, STYLES, HEADER = "word/document.xml", "word/styles.xml", "word/header1.xml"
RELS = "word/_rels/document.xml.rels"
PACKAGE = {"rel": "http://schemas.openxmlformats.org/package/2006/relationships",
           "ct": "http://schemas.openxmlformats.org/package/2006/content-types"}
SPREADSHEET = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def shipped() -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(reference_docx())) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


def package(entries: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", method) as archive:
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return output.getvalue()


def edited(name: str, old: bytes, new: bytes) -> bytes:
    """The shipped reference with the first ``old`` of part ``name`` made ``new``."""
    entries = shipped()
    data = dict(entries)[name]
    assert old in data, f"{name} has no {old!r}: the shipped reference changed"
    return package([(entry, data.replace(old, new, 1) if entry == name else content)
                    for entry, content in entries])


def with_entries(*added: tuple[str, bytes]) -> bytes:
    return package([*shipped(), *added])


def doctype(name: str, declaration: bytes, old: bytes, new: bytes) -> bytes:
    data = dict(shipped())[name].replace(b"?>", b"?>" + declaration, 1)
    return edited(name, dict(shipped())[name], data.replace(old, new, 1))


def billion_laughs() -> bytes:
    """Nine entities of ten of the one before: a billion "lol" in a style's name."""
    entities = b"".join(b'<!ENTITY l%d "%s">' % (level + 1, b"&l%d;" % level * 10)
                        for level in range(9))
    return doctype(STYLES, b'<!DOCTYPE w:styles [<!ENTITY l0 "lol">' + entities + b"]>",
                   b'w:val="Normal"', b'w:val="&l9;"')


def an_entity() -> bytes:
    """A style's name from an entity, harmless but for its DOCTYPE."""
    return doctype(STYLES, b'<!DOCTYPE w:styles [<!ENTITY e "Normal">]>',
                   b'<w:name w:val="Normal"/>', b"<w:name>&e;</w:name>")


def styles_named_otherwise() -> bytes:
    """:func:`an_entity` in a styles part whose name does not end in .xml."""
    with zipfile.ZipFile(io.BytesIO(an_entity())) as archive:
        entries = [(name, archive.read(name)) for name in archive.namelist()]
    return package([("word/styles.bin" if name == STYLES else name,
                     data.replace(b'Target="styles.xml"', b'Target="styles.bin"'))
                    for name, data in entries])


def external_entity() -> bytes:
    return doctype(HEADER, b'<!DOCTYPE w:hdr [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
                   b"<w:p>", b"<w:p><w:r><w:t>&x;</w:t></w:r>")


def flagged(method: int | None = None) -> bytes:
    """The shipped reference stored with every entry marked encrypted, or compressed by
    ``method``, which zipfile cannot undo."""
    data = bytearray(package(shipped(), zipfile.ZIP_STORED))
    for signature, flags, compression in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        for found in re.finditer(re.escape(signature), bytes(data)):
            if method is None:
                data[found.start() + flags] |= 1
            else:
                data[found.start() + compression:found.start() + compression + 2] = \
                    method.to_bytes(2, "little")
    return bytes(data)


def corrupt() -> bytes:
    data = bytearray(package(shipped()))
    start = data.index(DOCUMENT.encode()) + len(DOCUMENT) + 4
    data[start:start + 200] = bytes(byte ^ 0x55 for byte in data[start:start + 200])
    return bytes(data)


def spreadsheet() -> bytes:
    """An .xlsx renamed .docx: a valid package whose main part is a workbook."""
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>')
    return package([("[Content_Types].xml", dict(shipped())["[Content_Types].xml"]),
                    ("_rels/.rels", rels.encode()),
                    ("xl/workbook.xml", f'<workbook xmlns="{SPREADSHEET}"/>'.encode())])


def strict() -> bytes:
    """Word's "Strict Open XML Document": the same package in other namespaces."""
    return package([(name, data.replace(NS["w"].encode(),
                                        b"http://purl.oclc.org/ooxml/wordprocessingml/main"))
                    for name, data in shipped()])


REFUSED: list[tuple[str, Callable[[], bytes], str]] = [
    ("billion laughs", billion_laughs, "part word/styles.xml declares a DOCTYPE"),
    ("a DOCTYPE in a part never read", lambda: doctype(
        "word/numbering.xml", b"<!DOCTYPE w:numbering>", b"", b""),
     "part word/numbering.xml declares a DOCTYPE"),
    ("an entity in styles named otherwise", styles_named_otherwise,
     "part word/styles.bin declares a DOCTYPE"),
    ("an entity", an_entity,
     "part word/styles.xml declares a DOCTYPE, which Word documents never do"),
    ("external entity", external_entity, "part word/header1.xml declares a DOCTYPE"),
    ("header outside the package", lambda: edited(RELS, b'Target="header1.xml"',
                                                  b'Target="../../x.xml"'),
     "its w:hdr part ../x.xml is missing"),
    ("header is a picture", lambda: edited(RELS, b'Target="header1.xml"',
                                           b'Target="media/image1.png"'),
     "its w:hdr part word/media/image1.png is missing"),
    ("header is the document", lambda: edited(RELS, b'Target="header1.xml"',
                                              b'Target="document.xml"'),
     f"part word/document.xml is {{{NS['w']}}}document, not w:hdr"),
    ("footer is a header", lambda: edited(RELS, b'Target="footer1.xml"',
                                          b'Target="header1.xml"'), "not w:ftr"),
    ("header not XML", lambda: edited(HEADER, dict(shipped())[HEADER], b"\x89PNG\r\n\x1a\n"),
     "part word/header1.xml: Start tag expected"),
    ("settings are the document", lambda: edited(RELS, b'Target="settings.xml"',
                                                 b'Target="document.xml"'), "not w:settings"),
    ("styles are the document", lambda: edited(RELS, b'Target="styles.xml"',
                                               b'Target="document.xml"'), "not w:styles"),
    ("relationship without target", lambda: edited(RELS, b' Target="styles.xml"', b""),
     "its w:styles part word is missing"),
    ("relationship without type", lambda: edited(
        RELS, b' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'styles"', b""), "it has no w:styles part"),
    ("no main document", lambda: edited("_rels/.rels", b'relationships/officeDocument"',
                                                 b'relationships/other"'),
     "it has no w:document part"),
    ("spreadsheet renamed", spreadsheet, f"part xl/workbook.xml is {{{SPREADSHEET}}}workbook"),
    ("strict open xml", strict, "is a Strict Open XML document: open it and save it as a Word"),
    ("entry going up", lambda: with_entries(("word/../../evil.txt", b"x")),
     "entry 'word/../../evil.txt' names a place outside the package"),
    ("absolute entry", lambda: with_entries(("/tmp/evil.txt", b"x")), "outside the package"),
    ("windows entry", lambda: with_entries(("..\\evil.txt", b"x")), "outside the package"),
    ("duplicate entries", lambda: package([(DOCUMENT, b"<x/>"), *shipped()]),
     "it holds two entries named 'word/document.xml'"),
    ("same name in another case", lambda: with_entries(("Word/Styles.xml", b"<x/>")),
     "two entries named 'Word/Styles.xml'"),
    ("encrypted entries", flagged, "is encrypted, password required"),
    ("unknown compression", lambda: flagged(99), "compression method is not supported"),
    ("corrupt data", corrupt, "while decompressing data"),
    ("word 97 or password-protected", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088),
     "is a Word 97-2003 document (.doc) or a password-protected one: open it, remove any"),
    ("opendocument renamed", lambda: package([
        ("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>")]),
     "is an OpenDocument file: save it as Word 2007-365 (.docx)"),
    ("many parts", lambda: package([(f"p{number}", b"") for number in range(10_001)],
                                   zipfile.ZIP_STORED), "holds more than 10,000 parts"),
    ("a whole report's text", lambda: edited(DOCUMENT, b"<w:body>",
                                             b"<w:body>" + b"<w:p/>" * 1_500_000),
     "part word/document.xml is larger than 8 MiB: empty its body"),
]


@pytest.mark.filterwarnings("ignore:Duplicate name")  # the duplicate entries, on purpose
@pytest.mark.parametrize(("make", "says"), [case[1:] for case in REFUSED],
                         ids=[case[0] for case in REFUSED])
def test_a_hostile_reference_is_one_line_of_error_and_the_output_is_kept(
        make: Callable[[], bytes], says: str, tmp_path: Path, example_dir: Path,
        capsys: pytest.CaptureFixture[str], hostile_tally: Tally) -> None:
    with hostile_tally.trying("hostile reference documents"):
        reference = tmp_path / "city.docx"
        reference.write_bytes(make())
        output = tmp_path / "out"
        output.mkdir()
        earlier = output / "hauts-de-chambery-2020-2026.docx"
        earlier.write_bytes(b"last week's report")
        assert main(["render", str(example_dir), "-f", "docx", "-o", str(output),
                     "--reference-docx", str(reference)]) == 1
        error = capsys.readouterr().err.strip()
        assert f"reference document {reference}" in error and says in error, error
        assert "\n" not in error and "Traceback" not in error
        assert earlier.read_bytes() == b"last week's report"
        assert list(output.iterdir()) == [earlier]


def _rendered(report: Any, reference: bytes, tmp_path: Path, **options: Any) -> Any:
    path = tmp_path / "city.docx"
    path.write_bytes(reference)
    return docx.Document(io.BytesIO(civicrecord.render(report, "docx", reference_docx=path,
                                                       **options)))


def test_a_header_reference_to_no_part_gets_a_part_of_its_own(
        example_report: Any, tmp_path: Path) -> None:
    """Word refuses a document whose section names a relationship that does not exist."""
    reference = edited(DOCUMENT, b'<w:headerReference w:type="default" r:id="rId4"/>',
                       b'<w:headerReference w:type="default" r:id="rIdGone"/>')
    document = _rendered(example_report, reference, tmp_path)
    section = document.sections[-1]._sectPr
    ids = section.xpath("./w:headerReference[@w:type='default']/@r:id")
    assert len(ids) == 1 and ids[0] in document.part.rels
    assert example_report.title in " ".join(p.text for p in document.sections[-1].header.
                                            paragraphs)


@pytest.mark.parametrize("size", [b"99999999999999999999999", b"40000", b"21cm", b"-5"])
def test_a_page_no_word_could_print_gives_pictures_of_the_default_width(
        size: bytes, tmp_path: Path) -> None:
    """A chart or picture as wide as the page says would be wider than Word allows."""
    larkfield = civicrecord.load(LARKFIELD)
    page = re.search(rb'<w:pgSz w:w="\d+"', dict(shipped())[DOCUMENT])
    assert page is not None
    reference = edited(DOCUMENT, page.group(), b'<w:pgSz w:w="' + size + b'"')
    document = _rendered(larkfield, reference, tmp_path, base_dir=LARKFIELD)
    widths = [int(width) for width in document.element.xpath("//wp:extent/@cx")]
    assert widths and max(widths) <= 8640 * 635  # the default text width, in EMU


# -- as LibreOffice saves and prints them ----------------------------------------------


def _soffice(soffice: str, source: Path, target: str, tmp_path: Path) -> Path:
    """``source`` converted by LibreOffice to ``target`` ("dotx", "pdf"...), in a folder of
    its own; its path."""
    outdir = tmp_path / f"{target.split(':')[0]}-{uuid.uuid4().hex}"
    profile = tmp_path / f"profile-{uuid.uuid4().hex}"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", target, "--outdir", str(outdir), str(source)],
                   check=True, capture_output=True, timeout=180,
                   env={**os.environ, "HOME": str(tmp_path)})
    converted = list(outdir.iterdir())
    assert len(converted) == 1, f"LibreOffice wrote {converted} for {source}"
    return converted[0]


def _restyled(tmp_path: Path) -> Path:
    """The shipped reference with a Title of 41 points and a Heading 1 of 23."""
    document = docx.Document(io.BytesIO(reference_docx()))
    document.styles["Title"].font.size = Pt(41)
    document.styles["Heading 1"].font.size = Pt(23)
    path = tmp_path / "city.docx"
    document.save(str(path))
    return path


def _from_scratch(soffice: str, tmp_path: Path) -> Path:
    """A blank LibreOffice document given the required styles it lacks, no header or footer."""
    blank = tmp_path / "blank.txt"
    blank.write_text("")
    saved = _soffice(soffice, blank, "docx:MS Word 2007 XML", tmp_path)
    document = docx.Document(str(saved))
    names = {style.name.lower() for style in document.styles}
    kinds = {"paragraph": WD_STYLE_TYPE.PARAGRAPH, "character": WD_STYLE_TYPE.CHARACTER,
             "table": WD_STYLE_TYPE.TABLE}
    for use in REQUIRED_STYLES:
        if use.name.lower() not in names:
            document.styles.add_style(use.name, kinds[use.kind])
    document.styles["Title"].font.size = Pt(41)
    document.styles["Heading 1"].font.size = Pt(23)
    path = tmp_path / "scratch.docx"
    document.save(str(path))
    with zipfile.ZipFile(path) as archive:
        assert not [name for name in archive.namelist() if "header" in name or "footer" in name]
    return path


@pytest.mark.libreoffice
@pytest.mark.parametrize("made", ["docx", "dotx", "scratch"])
@pytest.mark.parametrize("example", ["hauts_de_chambery", "larkfield"])
def test_references_libreoffice_saved_style_the_report_with_title_and_page_numbers(
        made: str, example: str, soffice_path: str, pdftotext_path: str,
        tmp_path: Path) -> None:
    """Saved as Word, as a Word template, or made from a blank document: the styles are
    the reference's, and LibreOffice prints the title at the top of every page after the
    contents and "Page N" at the bottom."""
    if made == "scratch":
        reference = _from_scratch(soffice_path, tmp_path)
    else:
        target = "docx:MS Word 2007 XML" if made == "docx" else "dotx"
        reference = _soffice(soffice_path, _restyled(tmp_path), target, tmp_path)
    report = civicrecord.load(ROOT / "examples" / example)
    source = tmp_path / "report.docx"
    source.write_bytes(civicrecord.render(report, "docx", reference_docx=reference,
                                          base_dir=ROOT / "examples" / example))
    styles = {style.name.lower(): style for style in docx.Document(str(source)).styles}
    assert (styles["title"].font.size, styles["heading 1"].font.size) == (Pt(41), Pt(23))
    pdf = _soffice(soffice_path, source, "pdf", tmp_path)
    text = subprocess.run([pdftotext_path, "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True, timeout=60).stdout
    pages = [page.strip().splitlines() for page in text.split("\f") if page.strip()][2:]
    assert len(pages) >= 3
    label = presenter_for(report.language).label("page")
    for number, lines in enumerate(pages, 3):
        assert report.title in lines[0], (number, lines[0])
        assert lines[-1].split() == [label, str(number)], (number, lines[-1])


@pytest.mark.libreoffice
def test_a_reference_saved_as_opendocument_and_back_names_the_style_it_lost(
        example_report: Any, soffice_path: str, tmp_path: Path) -> None:
    """OpenDocument has no table styles: LibreOffice drops "Key Figures Table" on the way."""
    odt = _soffice(soffice_path, _restyled(tmp_path), "odt", tmp_path)
    back = _soffice(soffice_path, odt, "docx:MS Word 2007 XML", tmp_path)
    with pytest.raises(RenderError) as raised:
        civicrecord.render(example_report, "docx", reference_docx=back)
    assert str(back) in str(raised.value)
    assert "lacks 1 required style(s): table style 'Key Figures Table'" in str(raised.value)



def test_a_report_rendered_before_serves_as_the_reference(tmp_path: Path) -> None:
    """A city restyles last year's report and hands it back: its pictures and charts had
    the ids and names this render gives its own, which Word refuses twice in a package."""
    larkfield = civicrecord.load(LARKFIELD)
    reference = tmp_path / "last-year.docx"
    reference.write_bytes(civicrecord.render(larkfield, "docx", base_dir=LARKFIELD))
    content = civicrecord.render(larkfield, "docx", reference_docx=reference, base_dir=LARKFIELD)
    with zipfile.ZipFile(io.BytesIO(content)) as written:
        for name, path in [("word/_rels/document.xml.rels", "//rel:Relationship/@Id"),
                           ("_rels/.rels", "//rel:Relationship/@Id"),
                           ("[Content_Types].xml", "//ct:Override/@PartName")]:
            values = etree.fromstring(written.read(name)).xpath(path, namespaces=PACKAGE)
            assert len(values) == len(set(values)), name
    assert len(docx.Document(io.BytesIO(content)).inline_shapes) == \
        len(docx.Document(str(reference)).inline_shapes)
