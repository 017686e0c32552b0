"""The built-in DOCX renderer: Word structure, reference documents, safety, LibreOffice's view.

Documents are read back with python-docx and lxml. Tests marked ``libreoffice``
convert them to PDF with LibreOffice headless and read the PDF with pdftotext;
they skip without those tools, and fail under CI=true.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Inches, Pt, RGBColor
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from PIL import Image

import civicrecord
import docx_summary
from civicrecord import RenderError
from civicrecord.change import figures_that_change, has_change_data, trajectory
from civicrecord.cli import main
from civicrecord.model import (
    MeasureKind,
    Picture,
)
from civicrecord.presentation import STATUS_ORDER, UnsupportedLanguageWarning, presenter_for
from civicrecord.renderers.docx import REQUIRED_STYLES, reference_docx
from civicrecord.renderers.docx.ooxml import clean
from civicrecord.renderers.docx.package import FILE_LIMIT

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "hauts_de_chambery"
LARKFIELD = ROOT / "examples" / "larkfield"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}
DRAWING = {"wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
           "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
           "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}


def render(report: Any, **options: Any) -> bytes:
    return civicrecord.render(report, "docx", **options)


def part(content: bytes, name: str) -> Any:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return etree.fromstring(archive.read(name))


def parts_named(content: bytes, prefix: str) -> list[Any]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = [n for n in archive.namelist() if n.startswith(prefix) and n.endswith(".xml")]
        return [etree.fromstring(archive.read(name)) for name in names]


def styled(document: Any, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.lower() == style.lower()]


def axes(document: Any) -> list[str]:
    """The axes' titles, as their numbered chapters show them, without the number."""
    return [re.sub(r"^\d+\. ", "", text) for text in styled(document, "Heading 1")
            if re.match(r"\d+\. ", text)]


def chapters(report: Any) -> list[str]:
    """What the contents list, in order: every chapter, each opening a page."""
    label = presenter_for(report.language).label
    has_figures = any(True for _ in report.indicators())
    return [label("introduction"), *([label("what_changed")] if figures_that_change(report)
                                     else []),
            *([label("key_figures")] if has_figures else []),
            *(f"{number}. {axis.title}" for number, axis in enumerate(report.axes, 1)),
            *([label("partners")] if report.partners else []),
            *([label("programmes")] if report.programmes else [])]


def normalise(text: str) -> str:
    """One space for any run of spaces, no-break spaces and line breaks."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


@pytest.fixture(scope="module")
def example_docx(example_report: Any) -> bytes:
    return render(example_report)


@pytest.fixture(scope="module")
def document(example_docx: bytes) -> Any:
    return docx.Document(io.BytesIO(example_docx))


@pytest.fixture(scope="module")
def reference_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reference") / "reference.docx"
    path.write_bytes(reference_docx())
    return path


# -- structure ---------------------------------------------------------------------


def test_chapters_are_the_introduction_key_figures_numbered_axes_and_appendix(
        document: Any, example_report: Any) -> None:
    assert styled(document, "Heading 1") == chapters(example_report)
    assert chapters(example_report)[:4] == [
        "Introduction", "Les chiffres clés", "1. Une mairie de quartier au cœur de la vie locale",
        "2. Faire revenir la culture et les services publics dans le quartier"]
    assert axes(document) == [axis.title for axis in example_report.axes]


def test_each_axis_has_need_actions_and_outcome_headings(document: Any,
                                                         example_report: Any) -> None:
    presenter = presenter_for(example_report.language)
    sections = [presenter.label(key) for key in ("need", "actions", "outcome")]
    assert sections == ["Le besoin au départ", "Ce que nous avons décidé et fait",
                        "Ce que cela a changé"]
    outline = [(p.style.name, p.text) for p in document.paragraphs
               if p.style.name in ("Heading 1", "Heading 2")]
    expected = [("Heading 1", chapter) for chapter in chapters(example_report)[:2]]
    for number, axis in enumerate(example_report.axes, 1):
        expected += [("Heading 1", f"{number}. {axis.title}"),
                     *(("Heading 2", s) for s in sections)]
    expected += [("Heading 1", chapter) for chapter in chapters(example_report)[-2:]]
    assert outline == expected


def test_title_and_subtitle_open_the_document(document: Any, example_report: Any) -> None:
    assert document.paragraphs[0].style.name == "Title"
    assert document.paragraphs[0].text == example_report.title
    assert document.paragraphs[1].style.name == "Subtitle"
    assert document.paragraphs[1].text == example_report.subtitle


def test_actions_are_list_items_with_their_status_in_bold(document: Any,
                                                          example_report: Any) -> None:
    presenter = presenter_for(example_report.language)
    items = [p for p in document.paragraphs if p.style.name == "List Bullet"
             and any(r.style.name == "Action Status" for r in p.runs)]
    actions = [action for _, action in example_report.actions()]
    assert [p.text for p in items] == [f"{a.title} {presenter.status(a.status)}"
                                       for a in actions]
    status_style = document.styles["Action Status"]
    assert status_style.type == WD_STYLE_TYPE.CHARACTER and status_style.font.bold
    list_style = document.styles["List Bullet"].element
    assert list_style.xpath("./w:pPr/w:numPr/w:numId"), "List Bullet must be a numbered list"


def test_action_details_use_the_presenter(document: Any, example_report: Any) -> None:
    presenter = presenter_for(example_report.language)
    details = [normalise(p.text) for p in document.paragraphs if p.style.name == "Action Details"]
    action = next(a for _, a in example_report.actions() if len(a.places) > 1)
    places = presenter.join(example_report.place(place).name for place in action.places)
    assert normalise(f"{presenter.label('places')}{presenter.label('colon')}{places}") in details


def test_every_indicator_is_a_callout_with_its_phrase(document: Any,
                                                     example_report: Any) -> None:
    presenter = presenter_for(example_report.language)
    callouts = [p for p in document.paragraphs if p.style.name == "Key Figure"]
    indicators = [indicator for _, _, indicator in example_report.indicators()]
    assert len(callouts) == len(indicators) == 7
    for callout, indicator in zip(callouts, indicators, strict=True):
        value = presenter.indicator_value(indicator)
        phrase = presenter.indicator_phrase(indicator)
        # The number big, then the sentence, without repeating a number that leads it.
        assert callout.runs[0].text == value
        assert callout.runs[0].style.name == "Key Figure Number"
        shown = phrase if phrase.startswith(value) else f"{value} {phrase}"
        assert normalise(callout.text) == normalise(shown)
    style = document.styles["Key Figure"].element
    assert style.xpath("./w:pPr/w:shd/@w:fill") and style.xpath("./w:pPr/w:pBdr/w:left")


@pytest.fixture(scope="module")
def rich_report(example_report: Any) -> Any:
    """The example with what it lacks: a budget, milestones, dates, an axis figure..."""
    return docx_summary.reports(example_report)["rich"]


def test_budgets_dates_milestones_and_axis_figures(rich_report: Any) -> None:
    content = render(rich_report)
    document = docx.Document(io.BytesIO(content))
    details = [normalise(p.text) for p in document.paragraphs if p.style.name == "Action Details"]
    assert "Dates : 2021–juin 2023" in details
    assert "Budget : 120 000 € par an" in details
    assert "Étapes : 4 mars 2021 – Étude lancée juin 2022 – Projet arrêté" in details
    cover = [normalise(p.text) for p in document.paragraphs if p.style.name == "Cover Details"]
    assert cover == ["Publié par : Ville de Chambéry", "Quartier : Hauts de Chambéry",
                     "Période couverte : 2020–2026", "Publication : 14 mars 2026",
                     "Population : 9 800", "Code du quartier prioritaire : QN07304M"]
    # The axis's own figure closes the axis, after its outcome.
    paragraphs = [p for p in document.paragraphs if p.style.name in (
        "Heading 1", "Heading 2", "Key Figure")]
    second_axis = next(i for i, p in enumerate(paragraphs) if p.text.startswith("2. "))
    assert normalise(paragraphs[second_axis - 1].text) == (
        "1 200 habitants rencontrés au 31 décembre 2025, dont 300 de moins de 30 ans")
    row = document.tables[0].rows[1].cells
    assert [normalise(c.text) for c in row] == [
        "Habitants rencontrés, dont 300 de moins de 30 ans", "1 200",
        "au 31 décembre 2025", "Observatoire (février 2026)"]
    expected = datetime.datetime(2026, 3, 14, tzinfo=datetime.UTC)
    assert document.core_properties.created == expected
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 3, 14, 0, 0, 0)}


def test_key_figures_table_with_its_shared_source_under_it(document: Any,
                                                          example_report: Any) -> None:
    presenter = presenter_for(example_report.language)
    (table,) = document.tables
    assert table.style.name == "Key Figures Table"
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    # Every figure of the example comes from the city: one note, not a column.
    assert rows[0] == ["Indicateur", "Valeur", "Période"]
    indicators = [indicator for _, _, indicator in example_report.indicators()]
    assert {indicator.source.name for indicator in indicators} == {"Ville de Chambéry"}
    assert len(rows) == 1 + len(indicators)
    for row, indicator in zip(rows[1:], indicators, strict=True):
        assert presenter.indicator_value(indicator) in row[1]
        assert row[2] == presenter.indicator_period(indicator)
    money = next(row for row in rows if "€" in row[1])
    assert money[1:3] == ["350\u202f000\u00a0€", "par an"]
    after = document.paragraphs[[p._p for p in document.paragraphs].index(
        table._tbl.getnext())]
    assert normalise(after.text) == "Source : Ville de Chambéry"
    # The header row repeats; no row splits, and none is left alone on a page.
    trs = table._tbl.xpath("./w:tr")
    assert trs[0].xpath("./w:trPr/w:tblHeader")
    assert all(tr.xpath("./w:trPr/w:cantSplit") for tr in trs)
    keep = [bool(tr.xpath(".//w:p/w:pPr/w:keepNext")) for tr in trs]
    assert keep == [True] * (len(trs) - 1) + [False]


def test_table_of_contents_lists_every_chapter_with_its_page_as_a_field(
        example_docx: bytes, document: Any, example_report: Any) -> None:
    """Each page a PAGEREF field, which LibreOffice computes as it lays the pages out (see
    test_libreoffice_lays_the_document_out_for_print) and Word when it updates fields."""
    body = part(example_docx, "word/document.xml")
    instructions = [text.text.strip() for text in body.iter(f"{W}instrText")]
    bookmarks = body.xpath("//w:bookmarkStart/@w:name", namespaces=NS)
    assert instructions == [f"PAGEREF {name} \\h" for name in bookmarks]
    begins = body.xpath("//w:fldChar[@w:fldCharType='begin']", namespaces=NS)
    assert {begin.get(f"{W}dirty") for begin in begins} == {"true"}
    settings = part(example_docx, "word/settings.xml")
    assert settings.xpath("./w:updateFields/@w:val", namespaces=NS) == ["true"]
    # The entries are there before any update: the chapters, not the same three
    # sections under every axis; a tab (dot leaders), then the page.
    entries = [p.split("\t") for p in styled(document, "TOC 1")]
    assert [title for title, _ in entries] == chapters(example_report)
    pages = [int(page) for _, page in entries]
    assert pages[0] == 3 and pages == sorted(pages)  # after the cover and the contents
    links = body.xpath("//w:hyperlink/@w:anchor", namespaces=NS)
    assert links and links == bookmarks
    assert len(bookmarks) == len(chapters(example_report))


def test_cover_and_contents_are_sections_without_header_or_footer(
        example_docx: bytes, document: Any, example_report: Any) -> None:
    assert len(document.sections) == 3
    cover, contents, chapter = document.sections
    for section in (cover, contents):
        assert not section._sectPr.xpath("./w:headerReference|./w:footerReference")
        assert section.page_width == chapter.page_width
    texts = [normalise(p.text) for p in document.paragraphs]
    assert texts[:texts.index("Sommaire")] == [
        example_report.title, example_report.subtitle, "Publié par : Ville de Chambéry",
        "Quartier : Hauts de Chambéry", "Période couverte : 2020–2026", ""]
    header = " ".join(p.text for p in chapter.header.paragraphs)
    assert example_report.title in header and example_report.subtitle in header
    footer = chapter.footer._element
    instructions = [t.text.strip() for t in footer.iter(f"{W}instrText")]
    assert instructions == ["PAGE"]
    assert "Page" in "".join(t.text or "" for t in footer.iter(f"{W}t"))


def test_the_status_chart_is_a_chart_with_its_counts_in_alt_text(
        example_docx: bytes, example_report: Any) -> None:
    body = part(example_docx, "word/document.xml")
    (drawing,) = body.xpath("//w:drawing", namespaces=NS)
    alt = drawing.xpath(".//wp:docPr/@descr", namespaces=DRAWING)[0]
    assert alt.startswith("Avancement des actions par axe. 1. Une mairie de quartier")
    rel = drawing.xpath(".//c:chart/@r:id", namespaces=DRAWING)[0]
    rels = part(example_docx, "word/_rels/document.xml.rels")
    (target,) = [r.get("Target") for r in rels if r.get("Id") == rel]
    chart = part(example_docx, f"word/{target}")
    presenter = presenter_for(example_report.language)
    series = {s.xpath("./c:tx/c:v/text()", namespaces=DRAWING)[0]: [
        int(v) for v in s.xpath("./c:val//c:v/text()", namespaces=DRAWING)]
        for s in chart.xpath("//c:ser", namespaces=DRAWING)}
    for number, axis in enumerate(example_report.axes):
        for status in {action.status for action in axis.actions}:
            count = sum(action.status == status for action in axis.actions)
            assert series[presenter.status(status)][number] == count
            assert f"{presenter.number(count)} {presenter.status(status)}" in alt
    assert sum(map(sum, series.values())) == sum(1 for _ in example_report.actions())


def test_the_status_chart_is_followed_by_the_totals_the_web_page_shows(
        document: Any, example_report: Any) -> None:
    presenter = presenter_for(example_report.language)
    totals = Counter(action.status for _, action in example_report.actions())
    (line,) = [p.text for p in document.paragraphs if p.text.startswith("Total")]
    assert line == "Total\u00a0: " + presenter.join(
        f"{presenter.number(totals[status])} {presenter.status(status)}"
        for status in STATUS_ORDER if totals[status])


@pytest.fixture(scope="module")
def larkfield() -> Any:
    return civicrecord.load(LARKFIELD)


@pytest.fixture(scope="module")
def larkfield_docx(larkfield: Any) -> bytes:
    return render(larkfield, base_dir=LARKFIELD)  # its cover picture is read from its folder


def _charts(content: bytes) -> list[tuple[str, Any, Any]]:
    """Each chart of the body: its alt text, its chart part, and the paragraph holding it."""
    body = part(content, "word/document.xml")
    rels = {r.get("Id"): r.get("Target") for r in part(content, "word/_rels/document.xml.rels")}
    return [(drawing.xpath(".//wp:docPr/@descr", namespaces=DRAWING)[0],
             part(content, "word/" + rels[drawing.xpath(".//c:chart/@r:id",
                                                        namespaces=DRAWING)[0]]),
             drawing.xpath("ancestor::w:p", namespaces=NS)[0])
            for drawing in body.xpath("//w:drawing[.//c:chart]", namespaces={**NS, **DRAWING})]


def test_what_changed_comes_after_the_introduction_with_each_figures_change(
        larkfield_docx: bytes, larkfield: Any) -> None:
    presenter = presenter_for(larkfield.language)
    document = docx.Document(io.BytesIO(larkfield_docx))
    assert styled(document, "Heading 1")[:3] == ["Introduction", "What changed", "Key figures"]
    texts = [(p.style.name, normalise(p.text)) for p in document.paragraphs]
    start = texts.index(("Heading 1", "What changed"))
    end = texts.index(("Heading 1", "Key figures"))
    expected = []
    numbers = {axis.id: number for number, axis in enumerate(larkfield.axes, 1)}
    for axis, figures in figures_that_change(larkfield):
        expected.append(("Front Heading", f"{numbers[axis.id]}. {axis.title}"))
        for indicator in figures:
            expected.append(("List Bullet", normalise(presenter.indicator_phrase(indicator))))
            if change := presenter.change_sentence(indicator):
                expected.append(("List Continue", normalise(change)))
    assert texts[start + 1:end] == expected
    assert ("List Continue", "−225 (−55%) since 2019, the better way; 86% of the way to the "
            "target of 150 (2025)") in expected


def test_each_figure_with_a_change_has_its_chart_and_details(larkfield_docx: bytes,
                                                            larkfield: Any) -> None:
    from civicrecord.charts import chart_alt_text

    presenter = presenter_for(larkfield.language)
    document = docx.Document(io.BytesIO(larkfield_docx))
    charts = _charts(larkfield_docx)[1:]  # after the status chart
    figures = [i for _, _, i in larkfield.indicators() if has_change_data(i)]
    by_alt = {chart_alt_text(i, presenter): i for i in figures}
    assert sorted(alt for alt, _, _ in charts) == sorted(by_alt)
    for alt, chart, holder in charts:
        indicator = by_alt[alt]
        # In the callout, under its number, phrase and change.
        text = normalise("".join(t.text or "" for t in holder.iter(f"{W}t")))
        assert holder.xpath("./w:pPr/w:pStyle/@w:val", namespaces=NS) == ["KeyFigure"]
        assert normalise(presenter.change_sentence(indicator)) in text
        series = {s.xpath("./c:tx/c:v/text()", namespaces=DRAWING)[0]: [
            float(v) for v in s.xpath("./c:val//c:v/text()", namespaces=DRAWING)]
            for s in chart.xpath("//c:ser", namespaces=DRAWING)}
        # The line from the baseline through the dated values; the baseline its own series.
        assert series["Over time"] == [p.value for p in trajectory(indicator)]
        baseline, target = indicator.baseline, indicator.target
        if baseline is not None:
            assert series["Baseline"] == [baseline.value] == series["Over time"][:1]
        if target is not None:
            assert set(series["Target"]) == {target.value}
        codes = chart.xpath("//c:dLbls/c:numFmt/@formatCode", namespaces=DRAWING)
        if indicator.kind is MeasureKind.PERCENTAGE:
            assert codes and all(code.endswith('"%"') for code in codes)
    damp = next(i for i in figures if i.id == "damp-reports")
    details = [normalise(p.text) for p in document.paragraphs
               if p.style.name == "Action Details"]
    for line in ("Baseline: 412 (2019)", "Target: 150 (2025)", "Direction: lower is better",
                 "Source: Northbridge Borough Council housing team"):
        assert line in details
    over_time = next(line for line in details if line.startswith("Over time:"))
    assert over_time.startswith("Over time: 2019: 412 2021: 301 (Fewer visits")
    assert "2024: 187 – Northbridge Homes repairs log" in over_time
    assert damp.series[-1].source is not None
    assert "Baseline: every 60 minutes (2019)" in details


def test_actions_say_when_they_reached_their_status(larkfield_docx: bytes,
                                                    larkfield: Any) -> None:
    presenter = presenter_for(larkfield.language)
    document = docx.Document(io.BytesIO(larkfield_docx))
    details = [normalise(p.text) for p in document.paragraphs
               if p.style.name == "Action Details"]
    dates = [line for line in details if line.startswith("Dates: ")]
    assert dates == [normalise(f"Dates: {presenter.action_dates(action)}")
                     for _, action in larkfield.actions() if presenter.action_dates(action)]
    assert "Dates: done in September 2021" in dates and "Dates: planned for 2025" in dates
    assert "Budget: £4,200,000" in details


# -- pictures ------------------------------------------------------------------------


def _pictures(content: bytes) -> list[tuple[Any, Any, int]]:
    """Each picture as python-docx reads it: the shape, its image part, and the index
    of its paragraph among the body's paragraphs."""
    from docx.enum.shape import WD_INLINE_SHAPE

    document = docx.Document(io.BytesIO(content))
    paragraphs = [p._p for p in document.paragraphs]
    return [(shape, document.part.related_parts[
        shape._inline.graphic.graphicData.pic.blipFill.blip.embed],
             paragraphs.index(shape._inline.xpath("ancestor::w:p")[0]))
            for shape in document.inline_shapes if shape.type == WD_INLINE_SHAPE.PICTURE]


def test_the_cover_picture_is_on_the_cover_with_its_alt_text_and_caption(
        larkfield_docx: bytes, larkfield: Any) -> None:
    document = docx.Document(io.BytesIO(larkfield_docx))
    ((shape, image, index),) = _pictures(larkfield_docx)
    cover = larkfield.cover
    assert shape._inline.docPr.get("descr") == cover.alt
    assert image.content_type == "image/png" and image.blob.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(image.blob)) as pixels:
        assert pixels.size == (960, 600)  # narrower than the 2,000 pixels published at most
    section = document.sections[0]
    assert shape.width == section.page_width - section.left_margin - section.right_margin
    assert abs(shape.width / shape.height - 960 / 600) < 0.001
    # On the cover page, before the first section break, its caption and credit under it.
    paragraphs = document.paragraphs
    cover_ends = next(n for n, p in enumerate(paragraphs) if p._p.xpath("w:pPr/w:sectPr"))
    assert index < cover_ends
    assert paragraphs[index]._p.xpath("w:pPr/w:keepNext")  # never a page from its caption
    assert paragraphs[index + 1].style.name == "Caption"
    assert paragraphs[index + 1].text == f"{cover.caption}\n{cover.credit}, {cover.licence}"


@pytest.fixture(scope="module")
def pictured(larkfield: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, bytes]:
    """The English example with a logo, a tall WebP on its first axis and a large
    camera JPEG on that axis's first action."""
    folder = tmp_path_factory.mktemp("pictured")
    shutil.copytree(LARKFIELD / "pictures", folder / "pictures")
    Image.new("RGB", (120, 60), (29, 78, 137)).save(folder / "logo.png")
    Image.new("RGB", (400, 1200), (200, 80, 40)).save(folder / "tall.webp", "WEBP")
    Image.new("RGB", (3000, 2000), (20, 80, 140)).save(folder / "photo.jpg", "JPEG")
    axis = larkfield.axes[0]
    action = attrs.evolve(axis.actions[0], pictures=(
        Picture("photo.jpg", "Residents at the opening", credit="Photo: A. Writer"),))
    axis = attrs.evolve(axis, actions=(action, *axis.actions[1:]), pictures=(
        Picture("tall.webp", "The tower before works", caption="Heron Court in 2019"),))
    report = attrs.evolve(larkfield, logo=Picture("logo.png", "Northbridge Borough Council"),
                          axes=(axis, *larkfield.axes[1:]))
    return report, render(report, base_dir=folder)


def test_pictures_of_the_logo_an_axis_and_an_action_stand_where_the_web_page_has_them(
        pictured: tuple[Any, bytes]) -> None:
    report, content = pictured
    document = docx.Document(io.BytesIO(content))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    shown = {shape._inline.docPr.get("descr"): (shape, image, index)
             for shape, image, index in _pictures(content)}
    section = document.sections[-1]
    text_width = section.page_width - section.left_margin - section.right_margin
    text_height = section.page_height - section.top_margin - section.bottom_margin
    axis, action = report.axes[0], report.axes[0].actions[0]
    # The logo above the title, at its size at 96 dpi: a small picture is never enlarged.
    logo, logo_part, at = shown[report.logo.alt]
    assert paragraphs[at + 1] == ("Title", report.title)
    assert (logo.width, logo.height) == (120 * 15 * 635, 60 * 15 * 635)
    assert logo_part.blob.startswith(b"\x89PNG")
    # The axis's after its need, before its actions; a WebP, which Word cannot show, as
    # PNG; a tall one no taller than half the page.
    tall, tall_part, at = shown[axis.pictures[0].alt]
    need = paragraphs.index(("Heading 2", "The need at the start"))
    assert paragraphs[need - 1] == ("Heading 1", f"1. {axis.title}")
    assert need < at < paragraphs.index(("Heading 2", "What we decided and did"), need)
    assert paragraphs[at + 1] == ("Caption", "Heron Court in 2019")
    assert tall_part.content_type == "image/png" and tall_part.blob.startswith(b"\x89PNG")
    assert tall.height <= text_height // 2 and abs(tall.width * 3 - tall.height) < 635 * 3
    # The action's after its title and description, before its details; a JPEG stays
    # JPEG, 2,000 pixels wide at most, fit to the text width.
    photo, photo_part, at = shown[action.pictures[0].alt]
    bullet = next(n for n, (style, text) in enumerate(paragraphs)
                  if style == "List Bullet" and text.startswith(action.title))
    details = next(n for n, (style, _) in enumerate(paragraphs)
                   if n > bullet and style == "Action Details")
    assert bullet < at < details and paragraphs[at + 1] == ("Caption", "Photo: A. Writer")
    assert photo_part.content_type == "image/jpeg" and photo_part.blob[:3] == b"\xff\xd8\xff"
    with Image.open(io.BytesIO(photo_part.blob)) as pixels:
        assert pixels.size == (2000, 1333) and not pixels.info.get("exif")
    assert photo.width == text_width


def test_a_picture_that_cannot_be_read_is_a_render_error_naming_it(larkfield: Any,
                                                                   tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"larkfield-map\.png.*not found"):
        render(larkfield, base_dir=tmp_path)


def test_document_properties(document: Any, example_report: Any) -> None:
    properties = document.core_properties
    assert properties.title == "Hauts de Chambéry"
    assert properties.author == properties.last_modified_by == "Ville de Chambéry"
    assert "Hauts de Chambéry" in properties.subject and "2020–2026" in properties.subject
    assert "Cité éducative" in properties.keywords.split("; ")
    assert properties.language == "fr-FR"
    # No publication date: the period's end, never the time of rendering.
    expected = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    assert properties.created == properties.modified == expected
    assert properties.comments == "" and properties.last_printed is None


def test_proofing_language_is_the_reports(example_docx: bytes) -> None:
    styles = part(example_docx, "word/styles.xml")
    assert styles.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val",
                        namespaces=NS) == ["fr-FR"]
    assert set(styles.xpath("//w:lang/@w:val", namespaces=NS)) == {"fr-FR"}
    settings = part(example_docx, "word/settings.xml")
    assert settings.xpath("./w:themeFontLang/@w:val", namespaces=NS) == ["fr-FR"]
    assert not settings.xpath("./w:proofState", namespaces=NS)


def test_an_english_report_gets_english_labels_numbers_and_proofing(
        example_report: Any) -> None:
    content = render(attrs.evolve(example_report, language="en-GB"))
    document = docx.Document(io.BytesIO(content))
    assert styled(document, "Heading 2")[:3] == ["The need at the start",
                                                 "What we decided and did", "What it changed"]
    assert [c.text for c in document.tables[0].rows[0].cells] == [
        "Indicator", "Value", "Period"]
    values = [row.cells[1].text for row in document.tables[0].rows]
    assert "€350,000" in values
    assert document.core_properties.language == "en-GB"
    styles = part(content, "word/styles.xml")
    assert set(styles.xpath("//w:lang/@w:val", namespaces=NS)) == {"en-GB"}


def test_a_sparse_report_in_an_unsupported_language(example_report: Any) -> None:
    """No subtitle, no figures, an axis without actions: nothing is left dangling."""
    axis = attrs.evolve(example_report.axes[0], actions=(), indicators=())
    report = attrs.evolve(example_report, subtitle=None, axes=(axis,), language="de-DE")
    with pytest.warns(UnsupportedLanguageWarning):
        content = render(report)
    document = docx.Document(io.BytesIO(content))
    assert styled(document, "Subtitle") == [] and document.tables == []
    assert "Key figures" not in styled(document, "Front Heading")
    assert styled(document, "Heading 1") == [
        "Introduction", f"1. {axis.title}", "Partners", "Programmes"]
    assert "No actions" in styled(document, "Normal")
    assert document.core_properties.language == "de-DE"
    header = " ".join(p.text for p in document.sections[-1].header.paragraphs)
    assert header == example_report.title


def _same(new: list[Any], old: list[Any]) -> bool:
    """Whether an item of the document now says what ``old`` said before the print layout.

    Axes are numbered; the introduction, key figures, partners and programmes
    became chapters (Heading 1); the key figures' shared source left its column.
    """
    if new[0] == "table":
        return old[0] == "table" and new[1] == old[1] and new[2] in (
            old[2], [row[:3] for row in old[2]])
    styles = new[1].lower(), old[1].lower()  # as stored: "heading 1", "Title"
    text = re.sub(r"^\d+\. ", "", new[2]) if styles[0] == "heading 1" else new[2]
    return old[0] == "p" and text == old[2] and new[3] == old[3] and (
        styles[0] == styles[1] or styles == ("heading 1", "front heading"))


def test_the_document_says_all_it_said_before_in_the_same_order(example_report: Any) -> None:
    """Against the renderer this one replaced (tests/docx_before.json): same text, same
    styles, same order; only the layout for print added to it."""
    before = json.loads(docx_summary.FIXTURE.read_text(encoding="utf-8"))
    reports = docx_summary.reports(example_report)
    assert sorted(reports) == sorted(before)
    for name, report in reports.items():
        old, new = before[name], docx_summary.summary(render(report))
        assert new["properties"] == old["properties"], name
        assert new["furniture"] == {kind: paragraphs for kind, paragraphs
                                    in old["furniture"].items() if "first" not in kind}, name
        label = presenter_for(report.language).label
        remaining = iter(new["body"])
        for item in old["body"]:
            if item[0] == "p" and item[1].lower() in ("toc 1", "toc 2", "toc heading"):
                continue  # the contents: written again, tested on their own
            added = []
            for candidate in remaining:
                if _same(candidate, item):
                    break
                added.append(candidate)
            else:
                pytest.fail(f"{name}: {item} is missing or out of order")
            for extra in added:  # only what the print layout adds
                assert extra[1].lower() in ("toc 1", "toc heading", "") or extra[2] in (
                    label("introduction"), label("status_overview"), "") or extra[2].startswith(
                    (label("source"), label("total"))), (name, extra)


@pytest.mark.parametrize("example", [EXAMPLE, LARKFIELD], ids=lambda path: path.name)
def test_the_same_report_gives_the_same_bytes_in_two_processes(example: Path) -> None:
    """With its pictures too (the English example has a cover picture)."""
    code = ("import sys, civicrecord; sys.stdout.buffer.write(civicrecord.render("
            f"civicrecord.load({str(example)!r}), 'docx', base_dir={str(example)!r}))")
    outputs = [subprocess.run([sys.executable, "-c", code], capture_output=True, check=True,
                              timeout=120, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2")]
    assert outputs[0] == outputs[1] == render(civicrecord.load(example), base_dir=example)


def test_the_output_is_a_clean_package(example_docx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(example_docx)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names[0] == "[Content_Types].xml"  # Word reads the content types first
        assert len(set(names)) == len(names)
        assert not [n for n in names if "thumbnail" in n]
        assert {info.date_time for info in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_DEFLATED}
        types = etree.fromstring(archive.read("[Content_Types].xml"))
        ct = "{http://schemas.openxmlformats.org/package/2006/content-types}"
        overrides = {o.get("PartName").lstrip("/") for o in types.iter(f"{ct}Override")}
        defaults = {d.get("Extension") for d in types.iter(f"{ct}Default")}
        assert "word/document.xml" in overrides
        for name in names[1:]:
            assert name in overrides or name.rsplit(".", 1)[-1] in defaults, name
            etree.fromstring(archive.read(name))  # every part is well-formed XML


def test_python_docx_is_never_loaded_and_pillow_only_for_pictures(
        reference_path: Path) -> None:
    code = ("import sys, civicrecord; from civicrecord.plugins import load_plugins; "
            "assert 'docx' in load_plugins(entry_points=False).renderers(); "
            "loaded = lambda: sorted(m for m in sys.modules if m.split('.')[0] in "
            "('docx', 'lxml', 'PIL')); print(loaded()); "
            f"report = civicrecord.load({str(EXAMPLE)!r}); civicrecord.render(report, 'docx'); "
            f"civicrecord.render(report, 'docx', reference_docx={str(reference_path)!r}); "
            "print('docx' in sys.modules, 'PIL' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.split("\n")[:2] == ["[]", "False False"]


# -- reference documents -------------------------------------------------------------


def test_default_reference_has_every_required_style(reference_path: Path) -> None:
    document = docx.Document(str(reference_path))
    kinds = {"paragraph": WD_STYLE_TYPE.PARAGRAPH, "character": WD_STYLE_TYPE.CHARACTER,
             "table": WD_STYLE_TYPE.TABLE}
    names = {(s.name.lower(), s.type) for s in document.styles if s.name}
    for use in REQUIRED_STYLES:
        assert (use.name.lower(), kinds[use.kind]) in names, use.name
    # Each style has a sample paragraph for people restyling it.
    text = "\n".join(p.text for p in document.paragraphs)
    for use in REQUIRED_STYLES:
        if use.kind != "table":
            assert use.name in text
    section = document.sections[-1]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_the_shipped_reference_is_what_its_script_builds(tmp_path: Path) -> None:
    """Run ``tools/build_reference_docx.py`` after changing a style; it gives one file."""
    def parts(content: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    built = []
    for name in ("first.docx", "second.docx"):
        subprocess.run([sys.executable, str(ROOT / "tools" / "build_reference_docx.py"),
                        str(tmp_path / name)], check=True, capture_output=True, timeout=120)
        built.append((tmp_path / name).read_bytes())
    assert parts(built[0]) == parts(reference_docx()), "reference.docx is stale: rebuild it"
    assert built[0] == built[1]


def _restyled_reference(source: Path, target: Path) -> None:
    """A city's template: other heading font and colour, Letter paper, a header line."""
    document = docx.Document(str(source))
    heading = document.styles["Heading 1"]
    heading.font.name = "DejaVu Serif"
    heading.font.color.rgb = RGBColor(0xB0, 0x1E, 0x2D)
    heading.font.size = Pt(24)
    section = document.sections[-1]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    section.header.paragraphs[0].text = "VILLE DE TEST · Direction de la communication"
    document.save(str(target))


def test_a_reference_document_styles_the_output(reference_path: Path, tmp_path: Path,
                                                example_report: Any) -> None:
    city = tmp_path / "city.docx"
    _restyled_reference(reference_path, city)
    document = docx.Document(io.BytesIO(render(example_report, reference_docx=city)))
    heading = document.styles["Heading 1"]
    assert heading.font.name == "DejaVu Serif"
    assert heading.font.color.rgb == RGBColor(0xB0, 0x1E, 0x2D)
    assert heading.font.size == Pt(24)
    section = document.sections[-1]
    assert round(section.page_width.inches, 2) == 8.5
    header = [p.text for p in section.header.paragraphs]
    assert header[0] == "VILLE DE TEST · Direction de la communication"
    assert any(example_report.title in text for text in header[1:])
    # The reference's sample paragraphs are gone; the report replaced them.
    text = "\n".join(p.text for p in document.paragraphs)
    assert not [use.name for use in REQUIRED_STYLES if use.use in text]
    assert axes(document) == [axis.title for axis in example_report.axes]


def test_a_reference_made_before_captions_existed_still_renders_pictures(
        reference_path: Path, tmp_path: Path) -> None:
    import civicrecord

    document = docx.Document(str(reference_path))
    caption = next(s for s in document.styles if s.name == "Caption")
    caption.element.getparent().remove(caption.element)
    for paragraph in document.paragraphs:
        paragraph._p.getparent().remove(paragraph._p)
    for table in document.tables:
        table._tbl.getparent().remove(table._tbl)
    older = tmp_path / "older.docx"
    document.save(str(older))
    larkfield = Path(__file__).resolve().parent.parent / "examples" / "larkfield"
    report = civicrecord.load(larkfield)
    rendered = docx.Document(io.BytesIO(civicrecord.render(
        report, "docx", reference_docx=older, base_dir=larkfield)))
    texts = [(p.style.name, p.text) for p in rendered.paragraphs]
    assert report.cover is not None and report.cover.caption
    assert any(style == "Normal" and text.startswith(report.cover.caption)
               for style, text in texts)


@pytest.mark.parametrize(("name", "kind"), [("Key Figure", WD_STYLE_TYPE.PARAGRAPH),
                                            ("TOC 1", WD_STYLE_TYPE.PARAGRAPH),
                                            ("Action Status", WD_STYLE_TYPE.CHARACTER),
                                            ("Key Figures Table", WD_STYLE_TYPE.TABLE)])
def test_a_reference_lacking_a_style_is_refused_naming_it(
        reference_path: Path, tmp_path: Path, example_report: Any, name: str,
        kind: WD_STYLE_TYPE) -> None:
    document = docx.Document(str(reference_path))
    style = next(s for s in document.styles if s.name and s.name.lower() == name.lower())
    assert style.type == kind
    style.element.getparent().remove(style.element)
    for paragraph in document.paragraphs:  # its sample paragraph would dangle
        paragraph._p.getparent().remove(paragraph._p)
    for table in document.tables:
        table._tbl.getparent().remove(table._tbl)
    broken = tmp_path / "broken.docx"
    document.save(str(broken))
    with pytest.raises(RenderError, match=re.escape(repr(name))) as raised:
        render(example_report, reference_docx=broken)
    assert str(broken) in str(raised.value) and "reference-docx" in str(raised.value)


def test_a_reference_edited_between_renders_is_read_again(
        reference_path: Path, tmp_path: Path, example_report: Any) -> None:
    """References are prepared once and kept, by their content: never by their path."""
    city = tmp_path / "city.docx"
    city.write_bytes(reference_path.read_bytes())
    first = docx.Document(io.BytesIO(render(example_report, reference_docx=city)))
    assert first.styles["Heading 1"].font.name != "DejaVu Serif"
    _restyled_reference(reference_path, city)  # the city edits its reference in place
    second = docx.Document(io.BytesIO(render(example_report, reference_docx=city)))
    assert second.styles["Heading 1"].font.name == "DejaVu Serif"
    assert round(second.sections[-1].page_width.inches, 2) == 8.5
    # The same content under another name gives the same document.
    copy = tmp_path / "copy.docx"
    copy.write_bytes(city.read_bytes())
    assert render(example_report, reference_docx=copy) == \
        render(example_report, reference_docx=city)
    # A reference broken after a good one at the same path is refused, not served from memory.
    document = docx.Document(str(city))
    style = document.styles["Key Figure"].element
    style.getparent().remove(style)
    for paragraph in document.paragraphs:
        paragraph._p.getparent().remove(paragraph._p)
    document.save(str(city))
    with pytest.raises(RenderError, match="'Key Figure'"):
        render(example_report, reference_docx=city)


def test_one_reference_serves_each_language_with_its_own_proofing(
        reference_path: Path, example_report: Any) -> None:
    french = render(example_report, reference_docx=reference_path)
    english = render(attrs.evolve(example_report, language="en-GB"),
                     reference_docx=reference_path)
    assert render(example_report, reference_docx=reference_path) == french
    for content, language in ((french, "fr-FR"), (english, "en-GB")):
        styles = part(content, "word/styles.xml")
        assert set(styles.xpath("//w:lang/@w:val", namespaces=NS)) == {language}
        settings = part(content, "word/settings.xml")
        assert settings.xpath("./w:themeFontLang/@w:val", namespaces=NS) == [language]


def _with_prefix(content: bytes, prefix: str) -> bytes:
    """The same package with WordprocessingML under another prefix in body, headers, footers."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, \
            zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if re.fullmatch(r"word/(document|header\d+|footer\d+)\.xml", entry.filename):
                data = re.sub(rb"(</?| )w:", rb"\g<1>" + prefix.encode() + b":", data)
                data = data.replace(b"xmlns:w=", b"xmlns:" + prefix.encode() + b"=")
                assert b"<w:" not in data
            target.writestr(entry, data)
    return output.getvalue()


def test_a_reference_writing_another_prefix_still_works(
        reference_path: Path, tmp_path: Path, example_report: Any) -> None:
    other = tmp_path / "prefixed.docx"
    other.write_bytes(_with_prefix(reference_path.read_bytes(), "wx"))
    content = render(example_report, reference_docx=other)
    document = docx.Document(io.BytesIO(content))
    assert axes(document) == [axis.title for axis in example_report.axes]
    header = " ".join(p.text for p in document.sections[-1].header.paragraphs)
    assert example_report.title in header
    footer = document.sections[-1].footer._element
    assert [t.text.strip() for t in footer.iter(f"{W}instrText")] == ["PAGE"]


def test_a_reference_that_is_not_a_word_document_is_refused(tmp_path: Path,
                                                            example_report: Any) -> None:
    text = tmp_path / "notes.docx"
    text.write_text("not a zip")
    with pytest.raises(RenderError, match="is not a Word document"):
        render(example_report, reference_docx=text)
    with pytest.raises(RenderError, match="cannot read reference document"):
        render(example_report, reference_docx=tmp_path / "missing.docx")


def _fifo(folder: Path) -> Path:
    os.mkfifo(folder / "fifo.docx")
    return folder / "fifo.docx"


def _huge(folder: Path) -> Path:
    with open(folder / "huge.docx", "wb") as file:
        file.truncate(FILE_LIMIT + 1)  # sparse: no disk used
    return folder / "huge.docx"


def _bomb(folder: Path) -> Path:
    with zipfile.ZipFile(folder / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("word/zeros.xml", "w") as entry:
            for _ in range(130):
                entry.write(bytes(2 ** 20))
    return folder / "bomb.docx"


@pytest.mark.parametrize(("make", "says"), [
    (_fifo, "is not a regular file"), (lambda folder: Path("/dev/zero"), "is not a regular file"),
    (lambda folder: folder, "is not a regular file"), (_huge, "is larger than 32 MiB"),
    (_bomb, "unpacks to more than 128 MiB")])
def test_a_reference_that_is_no_regular_word_file_is_one_line_of_error(
        make: Any, says: str, tmp_path: Path, example_dir: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Checked before it is read: a FIFO would hang, /dev/zero fill the memory."""
    path = make(tmp_path)
    assert main(["render", str(example_dir), "-f", "docx", "-o", str(tmp_path / "out"),
                 "--reference-docx", str(path)]) == 1
    error = capsys.readouterr().err.strip()
    assert says in error and str(path) in error and "\n" not in error, error


def rewritten(source: Path, target: Path, edits: dict[str, Any]) -> Path:
    """A copy of the package ``source``: each part named in ``edits`` passed through its
    function, or left out where it maps to None."""
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(target, "w") as copy:
        for entry in package.infolist():
            edit = edits.get(entry.filename, lambda data: data)
            if edit is not None:
                copy.writestr(entry, edit(package.read(entry.filename)))
    return target


def test_a_dotx_template_works_as_a_reference(reference_path: Path, tmp_path: Path,
                                              example_report: Any) -> None:
    template = rewritten(reference_path, tmp_path / "city.dotx", {
        "[Content_Types].xml": lambda data: data.replace(b"document.main+xml",
                                                         b"template.main+xml")})
    document = docx.Document(io.BytesIO(render(example_report, reference_docx=template)))
    assert axes(document) == [axis.title for axis in example_report.axes]


def test_a_reference_without_header_footer_or_properties_gets_them(
        reference_path: Path, tmp_path: Path, example_report: Any) -> None:
    """A last section with no header or footer of its own (none, or linked to the section
    before it), odd and even pages set apart, and no file properties: the title and the
    page number still show on every page, and the properties are the report's."""
    bare = rewritten(reference_path, tmp_path / "bare.docx", {
        "docProps/core.xml": None,
        "word/document.xml": lambda data: re.sub(rb"<w:(header|footer)Reference [^>]*/>",
                                                 b"", data),
        "_rels/.rels": lambda data: re.sub(rb"<Relationship [^>]*core-properties[^>]*/>",
                                           b"", data),
        "word/settings.xml": lambda data: re.sub(rb"(<w:settings [^>]*>)",
                                                 rb"\1<w:evenAndOddHeaders/>", data)})
    content = render(example_report, reference_docx=bare)
    document = docx.Document(io.BytesIO(content))
    section = document.sections[-1]
    for header in (section.header, section.even_page_header):
        assert not header.is_linked_to_previous
        assert example_report.title in " ".join(p.text for p in header.paragraphs)
    for footer in (section.footer, section.even_page_footer):
        assert [t.text.strip() for t in footer._element.iter(f"{W}instrText")] == ["PAGE"]
    assert document.core_properties.title == example_report.title
    assert axes(document) == [axis.title for axis in example_report.axes]


def test_a_reference_without_settings_and_with_absolute_targets_works(
        reference_path: Path, tmp_path: Path, example_report: Any) -> None:
    """Word and LibreOffice always write settings; a hand-made package may not, and some
    tools name parts from the package's root ("/word/document.xml")."""
    bare = rewritten(reference_path, tmp_path / "bare.docx", {
        "word/settings.xml": None,
        "word/_rels/document.xml.rels": lambda data: re.sub(
            rb'<Relationship [^>]*/settings"[^>]*/>', b"", data),
        "_rels/.rels": lambda data: data.replace(b'Target="word/', b'Target="/word/')})
    content = render(example_report, reference_docx=bare)
    document = docx.Document(io.BytesIO(content))
    assert axes(document) == [axis.title for axis in example_report.axes]
    settings = document.settings.element
    assert settings.xpath("./w:updateFields/@w:val") == ["true"]
    assert settings.xpath("./w:themeFontLang/@w:val") == [example_report.language]


def test_the_document_ends_with_the_partners_and_programmes(example_report: Any) -> None:
    partner = civicrecord.Partner(id="p-url", name="Maison des associations",
                                  description="Prête ses salles.\n\n- le soir\n- le week-end",
                                  url="https://example.org/mda")
    report = attrs.evolve(example_report, partners=(*example_report.partners, partner))
    document = docx.Document(io.BytesIO(render(report)))
    texts = [p.text for p in document.paragraphs]
    presenter = presenter_for(report.language)
    headings = styled(document, "Heading 1")
    assert headings[-2:] == [presenter.label("partners"), presenter.label("programmes")]
    start = texts.index(presenter.label("partners"))
    appendix = texts[start:]
    for item in (*report.partners, *report.programmes):
        named = [t for t in appendix if t.startswith(item.name)]
        assert named, item.name
        if item.url:
            assert named[0] == f"{item.name} ({item.url})"
    assert "Prête ses salles." in styled(document, "List Continue")
    described = texts.index("Prête ses salles.")
    assert texts[described - 1:described + 3] == [
        f"{partner.name} ({partner.url})", "Prête ses salles.", "le soir", "le week-end"]
    assert "le soir" in styled(document, "List Bullet 2")
    assert normalise(report.neighbourhood.description.split("\n\n")[0]) in map(normalise, texts)


def test_no_partners_or_programmes_no_appendix(example_report: Any) -> None:
    report = attrs.evolve(example_report, partners=(), programmes=(), axes=tuple(
        attrs.evolve(axis, actions=tuple(attrs.evolve(action, partners=(), programmes=())
                                         for action in axis.actions))
        for axis in example_report.axes))
    document = docx.Document(io.BytesIO(render(report)))
    presenter = presenter_for(report.language)
    assert presenter.label("partners") not in styled(document, "Front Heading")
    assert presenter.label("programmes") not in styled(document, "Front Heading")


# -- text safety -----------------------------------------------------------------------

HOSTILE = ('<script>alert("x")</script> & "quotes" \'single\' { DDE "cmd" "/c calc" } '
           '{ INCLUDETEXT "c:\\\\secret" } MERGEFIELD name \x01\x0b\x1f\ufffe\uffff\ud800 end')
SHOWN = ('<script>alert("x")</script> & "quotes" \'single\' { DDE "cmd" "/c calc" } '
         '{ INCLUDETEXT "c:\\\\secret" } MERGEFIELD name  end')


def _hostile_report(report: Any) -> Any:
    axis = report.axes[0]
    figure = next(indicator for _, _, indicator in report.indicators())
    action = attrs.evolve(axis.actions[0], title=HOSTILE, description=f"{HOSTILE}\n\n- {HOSTILE}",
                          partners=("hostile",),
                          indicators=(attrs.evolve(figure, label=HOSTILE),))
    axis = attrs.evolve(axis, title=HOSTILE, need=HOSTILE, outcome=HOSTILE,
                        actions=(action, *axis.actions[2:]))
    partner = civicrecord.Partner(id="hostile", name=HOSTILE)
    return attrs.evolve(report, title=HOSTILE, subtitle=HOSTILE, axes=(axis, *report.axes[1:]),
                        authority=civicrecord.Authority(name=HOSTILE),
                        partners=(*report.partners, partner))


def test_hostile_text_shows_literally_and_never_becomes_a_field(example_report: Any) -> None:
    report = _hostile_report(example_report)
    status = presenter_for(report.language).status(report.axes[0].actions[0].status)
    content = render(report)
    document = docx.Document(io.BytesIO(content))
    assert document.paragraphs[0].text == SHOWN
    assert axes(document)[0] == SHOWN
    texts = [p.text for p in document.paragraphs]
    assert texts.count(SHOWN) >= 4  # title, subtitle, axis, need, outcome, description...
    assert f"{SHOWN} {status}" in texts
    assert any(SHOWN in text for text in styled(document, "Action Details"))
    assert any(SHOWN in cell.text for row in document.tables[0].rows for cell in row.cells)
    assert document.core_properties.title == SHOWN
    assert document.core_properties.author == SHOWN
    # Only the renderer's own fields: the contents' pages in the body, the page in the footer.
    body = part(content, "word/document.xml")
    bookmarks = body.xpath("//w:bookmarkStart/@w:name", namespaces=NS)
    assert [t.text.strip() for t in body.iter(f"{W}instrText")] == [
        f"PAGEREF {name} \\h" for name in bookmarks]
    assert not list(body.iter(f"{W}fldSimple"))
    furniture = parts_named(content, "word/header") + parts_named(content, "word/footer")
    fields = [t.text.strip() for p in furniture for t in p.iter(f"{W}instrText")]
    assert fields == ["PAGE"]
    assert not [f for p in furniture for f in p.iter(f"{W}fldSimple")]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        raw = archive.read("word/document.xml")
    assert b"<script>" not in raw and b"&lt;script&gt;" in raw


# What XML 1.0 forbids, plus the tabs and line breaks python-docx would turn into elements.
_NOT_IN_A_RUN = re.compile("[\x00-\x1f\ud800-\udfff\ufffe\uffff]")


@given(st.text(alphabet=st.characters(codec=None, categories=None)))
def test_clean_text_is_always_accepted_by_xml(text: str) -> None:
    element = etree.Element("t")
    element.text = clean(text)  # lxml raises ValueError on XML-illegal characters
    assert not _NOT_IN_A_RUN.search(clean(text))


@given(st.text().filter(lambda text: not _NOT_IN_A_RUN.search(text)))
def test_clean_keeps_every_other_character(text: str) -> None:
    assert clean(text) == text


@given(st.text(alphabet=st.characters(codec=None, categories=None)), st.booleans())
def test_a_run_holds_any_text_literally(text: str, styled_run: bool) -> None:
    """The text path of the body: any text is one run whose characters are the cleaned text."""
    from civicrecord.renderers.docx.ooxml import run

    style = 'Odd "style" & <id>' if styled_run else None
    paragraph = etree.Element(f"{W}p")
    run(paragraph, text, style)
    root = etree.fromstring(etree.tostring(paragraph))  # what a reader parses back
    (element,) = root
    assert element.tag == f"{W}r"
    assert "".join(element.itertext()) == clean(text)
    assert element.xpath("./w:rPr/w:rStyle/@w:val", namespaces=NS) == ([style] if style else [])
    assert [child.tag for child in element] == [f"{W}rPr"] * styled_run + [f"{W}t"] * bool(
        clean(text))


# -- the command line ------------------------------------------------------------------


def test_cli_writes_the_reference_and_refuses_to_overwrite(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str],
                                                           example_dir: Path) -> None:
    target = tmp_path / "reference.docx"
    assert main(["reference-docx", str(target)]) == 0
    assert target.read_bytes() == reference_docx()
    target.write_bytes(b"edited by the city")
    assert main(["reference-docx", str(target)]) == 1
    assert "--force" in capsys.readouterr().err
    assert target.read_bytes() == b"edited by the city"
    assert main(["reference-docx", str(target), "--force"]) == 0
    assert target.read_bytes() == reference_docx()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary file"
    output = tmp_path / "out"
    assert main(["render", str(example_dir), "-f", "docx", "-o", str(output),
                 "--reference-docx", str(target)]) == 0
    assert (output / "hauts-de-chambery-2020-2026.docx").is_file()


def test_the_reference_docx_command_comes_from_the_docx_plugin(
        capsys: pytest.CaptureFixture[str]) -> None:
    from civicrecord.plugins import load_plugins

    only_docx = load_plugins(entry_points=False, builtins=("civicrecord.renderers.docx",))
    assert list(only_docx.commands()) == ["reference-docx"]
    assert list(load_plugins(entry_points=False, builtins=()).commands()) == []
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "reference-docx" in capsys.readouterr().out


def test_cli_render_reports_a_bad_reference(tmp_path: Path, example_dir: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_text("nope")
    assert main(["render", str(example_dir), "-f", "docx", "-o", str(tmp_path / "out"),
                 "--reference-docx", str(bad)]) == 1
    assert "is not a Word document" in capsys.readouterr().err
    assert not (tmp_path / "out" / "hauts-de-chambery-2020-2026.docx").exists()


def test_theming_guide_documents_every_style() -> None:
    guide = (ROOT / "docs" / "theming-docx.md").read_text(encoding="utf-8")
    for use in REQUIRED_STYLES:
        assert f"`{use.name}`" in guide, use.name


# -- LibreOffice ---------------------------------------------------------------------


def _to_pdf(soffice: str, source: Path, outdir: Path) -> Path:
    profile = outdir / f"profile-{uuid.uuid4().hex}"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(outdir), str(source)],
                   check=True, capture_output=True, timeout=180,
                   env={**os.environ, "HOME": str(outdir)})
    pdf = outdir / f"{source.stem}.pdf"
    assert pdf.is_file(), f"LibreOffice wrote no PDF for {source}"
    return pdf


def _page_lines(pdftotext: str, pdf: Path, top: float, bottom: float) -> list[list[Any]]:
    """Each page's lines of body text (between the margins) as (bottom, text), top first."""
    html = subprocess.run([pdftotext, "-bbox", str(pdf), "-"], check=True, capture_output=True,
                          text=True, timeout=60).stdout
    pages = []
    for page in re.findall(r"<page .*?</page>", html, flags=re.DOTALL):
        lines: dict[float, list[str]] = {}
        for y_min, y_max, word in re.findall(
                r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', page):
            if top - 2 <= float(y_min) and float(y_max) <= bottom + 2:
                lines.setdefault(round(float(y_max)), []).append(word)
        pages.append([(y, " ".join(words)) for y, words in sorted(lines.items())])
    return pages


@pytest.mark.libreoffice
@pytest.mark.parametrize("example", [EXAMPLE, LARKFIELD], ids=lambda path: path.name)
def test_libreoffice_lays_the_document_out_for_print(
        example: Path, soffice_path: str, pdftotext_path: str, tmp_path: Path,
        build_dir: Path) -> None:
    """The cover alone on page 1, the contents on page 2 with each chapter's page, then
    chapters that open a page; no page less than a third full but the end of a section."""
    example_report = civicrecord.load(example)
    example_docx = render(example_report, base_dir=example)
    document = docx.Document(io.BytesIO(example_docx))
    source = tmp_path / f"{example_report.id}.docx"
    source.write_bytes(example_docx)
    pdf = _to_pdf(soffice_path, source, tmp_path)
    text = subprocess.run([pdftotext_path, str(pdf), "-"], check=True, capture_output=True,
                          text=True, timeout=60).stdout
    pages = [normalise(page) for page in text.split("\f")[:-1]]
    section = document.sections[-1]
    top, bottom = section.top_margin.pt, section.page_height.pt - section.bottom_margin.pt
    lines = _page_lines(pdftotext_path, pdf, top, bottom)
    presenter = presenter_for(example_report.language)
    # Page 1: the cover, no table (the table's header is not there), no header or footer.
    assert pages[0].startswith(normalise(example_report.title))
    assert presenter.label("indicator") not in pages[0] and "Page" not in pages[0]
    # The cover picture (the English example has one) is on it, with its caption.
    pdfimages = Path(pdftotext_path).with_name("pdfimages")
    images = subprocess.run([str(pdfimages), "-list", str(pdf)], check=True,
                            capture_output=True, text=True, timeout=60).stdout
    on_cover = [line for line in images.splitlines()[2:] if line.split()[0] == "1"]
    cover = example_report.cover
    assert len(on_cover) == (cover is not None), images
    if cover is not None:
        assert normalise(f"{cover.caption} {cover.credit}, {cover.licence}") in pages[0]
    # Page 2: the contents, every chapter with the page it opens.
    entries = dict(re.findall(r"^(.+?)\s*\.{3,}\s*(\d+)$", text.split("\f")[1], re.M))
    assert list(entries) == chapters(example_report)
    for chapter, page in entries.items():
        first = normalise(" ".join(line for _, line in lines[int(page) - 1]))
        assert first.startswith(normalise(chapter)), (chapter, page)
    # Every axis, figure and name is in the PDF.
    flat = normalise(text)
    for _, _, indicator in example_report.indicators():
        assert normalise(presenter.indicator_value(indicator)) in flat
        assert normalise(presenter.indicator_phrase(indicator)) in flat
        assert normalise(presenter.change_sentence(indicator)) in flat
    named = {place for _, action in example_report.actions() for place in action.places}
    for item in (*example_report.partners, *example_report.programmes,
                 *(p for p in example_report.neighbourhood.places if p.id in named)):
        assert normalise(item.name) in flat, item.name
    # Fullness: the ends of sections (the cover, the contents, the page before a
    # chapter, the last page) may be short; any other page is at least a third full.
    opens = {int(page) for page in entries.values()}
    for number, page in enumerate(lines, 1):
        if number in (1, 2, len(lines)) or number + 1 in opens:
            continue
        assert page and (page[-1][0] - top) / (bottom - top) >= 1 / 3, number
    # No heading is left alone at the foot of a page.
    headings = {normalise(p.text) for p in document.paragraphs
                if p.style.name in ("Heading 1", "Heading 2", "Front Heading")}
    for number, page in enumerate(lines[:-1], 1):
        assert normalise(page[-1][1]) not in headings, (number, page[-1][1])
    assert normalise(f"Page {len(pages)}") in pages[-1]
    # Saved for people (and the README) to look at.
    name = "docx" if example == EXAMPLE else f"docx-{example.name}"
    (build_dir / f"{name}.pdf").write_bytes(pdf.read_bytes())
    pdftoppm = Path(pdftotext_path).with_name("pdftoppm")
    subprocess.run([str(pdftoppm), "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(build_dir / f"{name}-page1")], check=True, timeout=60)
    assert (build_dir / f"{name}-page1.png").stat().st_size > 10_000


@pytest.mark.libreoffice
def test_a_reference_saved_by_libreoffice_still_works(
        reference_path: Path, example_report: Any, soffice_path: str, tmp_path: Path) -> None:
    """Cities edit the reference in LibreOffice as often as in Word."""
    profile = tmp_path / f"profile-{uuid.uuid4().hex}"
    outdir = tmp_path / "saved"
    subprocess.run([soffice_path, "--headless", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outdir),
                    str(reference_path)], check=True, capture_output=True, timeout=180,
                   env={**os.environ, "HOME": str(tmp_path)})
    saved = outdir / "reference.docx"
    document = docx.Document(io.BytesIO(render(example_report, reference_docx=saved)))
    assert axes(document) == [axis.title for axis in example_report.axes]
    assert len([p for p in document.paragraphs if p.style.name == "Key Figure"]) == 7


@pytest.mark.libreoffice
def test_libreoffice_shows_the_reference_styles(
        reference_path: Path, example_report: Any, soffice_path: str, pdftotext_path: str,
        tmp_path: Path) -> None:
    city = tmp_path / "city.docx"
    _restyled_reference(reference_path, city)
    source = tmp_path / "styled.docx"
    source.write_bytes(render(example_report, reference_docx=city))
    pdf = _to_pdf(soffice_path, source, tmp_path)
    pdffonts = Path(pdftotext_path).with_name("pdffonts")
    fonts = subprocess.run([str(pdffonts), str(pdf)], check=True, capture_output=True,
                           text=True, timeout=60).stdout
    assert "DejaVuSerif" in fonts, fonts  # the city's Heading 1 font
    text = subprocess.run([pdftotext_path, "-f", "3", "-l", "3", str(pdf), "-"], check=True,
                          capture_output=True, text=True, timeout=60).stdout
    assert "VILLE DE TEST · Direction de la communication" in text


@pytest.mark.libreoffice
def test_libreoffice_shows_each_picture_with_its_caption_in_its_place(
        pictured: tuple[Any, bytes], soffice_path: str, pdftotext_path: str,
        tmp_path: Path) -> None:
    report, content = pictured
    source = tmp_path / "pictured.docx"
    source.write_bytes(content)
    pdf = _to_pdf(soffice_path, source, tmp_path)
    pdfimages = Path(pdftotext_path).with_name("pdfimages")
    listed = subprocess.run([str(pdfimages), "-list", str(pdf)], check=True,
                            capture_output=True, text=True, timeout=60).stdout
    # In reading order: the logo, the map, the axis's, the action's (LibreOffice scales
    # the last to 300 dpi, the resolution it was published for).
    pages = [int(page) for page, _, kind, *_ in
             (line.split() for line in listed.splitlines()[2:]) if kind == "image"]
    assert len(pages) == 4 and pages[:2] == [1, 1], listed
    document = docx.Document(io.BytesIO(content))
    section = document.sections[-1]
    top, bottom = section.top_margin.pt, section.page_height.pt - section.bottom_margin.pt
    lines = _page_lines(pdftotext_path, pdf, top, bottom)
    texts = [normalise(" ".join(line for _, line in page)) for page in lines]
    first, second = (next(n for n, page in enumerate(lines, 1) if page and normalise(
        page[0][1]).startswith(normalise(f"{number}. {axis.title}")))
        for number, axis in ((1, report.axes[0]), (2, report.axes[1])))
    for page, caption in zip(pages[2:], ("Heron Court in 2019", "Photo: A. Writer"),
                             strict=True):
        assert first <= page < second, (caption, page, first, second)
        assert caption in texts[page - 1]  # its caption on its page
    # The pictures' height counts in the contents' page numbers.
    text = subprocess.run([pdftotext_path, "-f", "2", "-l", "2", str(pdf), "-"], check=True,
                          capture_output=True, text=True, timeout=60).stdout
    entries = dict(re.findall(r"^(.+?)\s*\.{3,}\s*(\d+)$", text, re.M))
    assert list(entries) == chapters(report)
    for chapter, page in entries.items():
        assert texts[int(page) - 1].startswith(normalise(chapter)), (chapter, page)


def test_a_document_rendered_before_as_the_reference_gets_the_new_title_once(
        example_report: Any, example_docx: bytes, tmp_path: Path) -> None:
    """Last year's Word file, restyled, as this year's reference: its title is replaced."""
    last_year = tmp_path / "last-year.docx"
    last_year.write_bytes(example_docx)
    this_year = attrs.evolve(example_report, title="Bilan 2026", subtitle=None)
    header = docx.Document(io.BytesIO(render(this_year, reference_docx=last_year))
                           ).sections[-1].header
    assert [p.text for p in header.paragraphs] == ["Bilan 2026"]
    again = tmp_path / "again.docx"
    again.write_bytes(render(this_year, reference_docx=last_year))
    header = docx.Document(io.BytesIO(render(example_report, reference_docx=again))
                           ).sections[-1].header
    assert [p.text for p in header.paragraphs] == [
        f"{example_report.title} – {example_report.subtitle}"]


def test_an_option_for_the_docx_format_is_refused_as_it_takes_none(
        example_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Its look comes from the reference document; a misspelt -O must not pass silently."""
    out = tmp_path / "out"
    assert main(["render", str(example_dir), "-f", "docx", "-o", str(out),
                 "-O", "docx.landscape=true"]) == 2
    assert "format 'docx' takes no options" in capsys.readouterr().err
    assert not out.exists()
    assert main(["render", str(example_dir), "-f", "html", "-f", "docx", "-o", str(out),
                 "-O", "theme.primary=#004488"]) == 0  # the page's option, for the page
