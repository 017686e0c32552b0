"""civicrecord-pdf: the brochure read back with poppler-utils.

pdftotext gives the text (every axis, action and figure, in reading order, and
the page each axis starts on), pdfinfo the page size and count, pdffonts the
fonts (all embedded), pdfimages the pictures (none fetched from outside).
"""

from __future__ import annotations

import gc
import logging
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import Any

import civicrecord_pdf
import pytest
from civicrecord_pdf.brochure import PRINT_CSS, print_html

import civicrecord
from civicrecord.model import Report
from civicrecord.plugins import PluginSet, load_plugins
from civicrecord.presentation import presenter_for
from civicrecord.renderer import RenderContext, RenderError

REPO_EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "hauts_de_chambery"
PACKAGED_EXAMPLE = Path(str(files("civicrecord") / "examples" / "hauts_de_chambery"))
EXAMPLE = REPO_EXAMPLE if REPO_EXAMPLE.is_dir() else PACKAGED_EXAMPLE
# A 1x1 PNG, to check that the PDF never reads pictures from disk.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cf000000030101005c2d"
                    "b7a40000000049454e44ae426082")


def poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found:
        return found
    message = f"{tool} not found: install the Debian package 'poppler-utils'"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{message} (CI=true: a missing tool is a failure, not a skip)")
    pytest.skip(message)


def run(*command: str | Path) -> str:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True,
                          check=True, timeout=120).stdout


def normal(text: str) -> str:
    """Words as a reader sees them: ligatures split, spaces of every kind alike."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture(scope="module")
def plugins() -> PluginSet:
    return load_plugins([civicrecord_pdf], entry_points=False)


@pytest.fixture(scope="module")
def report() -> Report:
    return civicrecord.load(EXAMPLE)


@pytest.fixture(scope="module")
def pdf(report: Report, plugins: PluginSet, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return civicrecord.write(report, "pdf", tmp_path_factory.mktemp("pdf"), plugins=plugins,
                             base_dir=EXAMPLE)


def page_text(pdf: Path, page: int) -> str:
    return normal(run(poppler("pdftotext"), "-f", str(page), "-l", str(page), pdf, "-"))


def page_count(pdf: Path) -> int:
    info = run(poppler("pdfinfo"), pdf)
    match = re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE)
    assert match is not None
    return int(match[1])


# --- the plugin as installed ------------------------------------------------------------


def test_the_plugin_is_found_through_its_entry_point() -> None:
    [entry] = [ep for ep in metadata.entry_points(group="civicrecord") if ep.name == "pdf"]
    assert entry.value == "civicrecord_pdf"
    found = load_plugins(entry_points=True)
    assert found.plugin_of("pdf").distribution == "civicrecord-pdf"
    assert found.renderer("pdf").media_type == "application/pdf"


def test_importing_the_plugin_does_not_import_weasyprint() -> None:
    probe = "import sys, civicrecord_pdf; print('weasyprint' in sys.modules)"
    assert run(sys.executable, "-c", probe).strip() == "False"


# --- the HTML page, reused ----------------------------------------------------------------


def test_the_page_is_the_html_formats_with_the_print_css_added(report: Report) -> None:
    html = civicrecord.render(report, "html", base_dir=EXAMPLE).decode("utf-8")
    context = RenderContext(language=report.language, base_dir=EXAMPLE)
    page = print_html(report, context)
    style = f'<style id="civicrecord-pdf">\n{PRINT_CSS}</style>\n'
    assert page.count(style) == 1
    assert page.replace(style, "") == html
    assert page.index(style) < page.index("</head>") < page.index(style) + len(style) + 1


def test_theme_options_reach_the_html_page(report: Report) -> None:
    context = RenderContext(language=report.language, options={"theme": {"primary": "#8a1538"}})
    assert "#8a1538" in print_html(report, context)
    with pytest.raises(RenderError, match="theme"):
        print_html(report, RenderContext(language=report.language,
                                         options={"theme": {"colour": "red"}}))


def test_a_template_without_head_end_is_a_render_error(report: Report, plugins: PluginSet,
                                                       tmp_path: Path) -> None:
    (tmp_path / "report.html.j2").write_text("<html><body>{{ report.title }}</body></html>",
                                             "utf-8")
    with pytest.raises(RenderError, match="no </head>"):
        civicrecord.render(report, "pdf", plugins=plugins, template_dir=tmp_path)


# --- the PDF ---------------------------------------------------------------------------------


def test_a4_pages_with_the_reports_title(pdf: Path, report: Report) -> None:
    assert pdf.read_bytes().startswith(b"%PDF-")
    info = run(poppler("pdfinfo"), pdf)
    assert re.search(r"^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)$", info, re.MULTILINE)
    title = re.search(r"^Title:\s+(.*)$", info, re.MULTILINE)
    assert title is not None and title[1].startswith(report.title)
    assert page_count(pdf) >= len(report.axes) + 3  # cover, contents, then a page per axis


def test_every_font_is_embedded(pdf: Path) -> None:
    lines = run(poppler("pdffonts"), pdf).splitlines()[2:]
    assert lines, "the PDF uses no font?"
    for line in lines:
        # name, type..., then the emb/sub/uni columns: "yes yes yes <object> <gen>"
        columns = line.split()
        assert columns[-5] == "yes", f"font not embedded: {line}"
        assert columns[-3] == "yes", f"no ToUnicode map, text not extractable: {line}"


def test_every_axis_action_and_figure_is_in_the_text_in_reading_order(
        pdf: Path, report: Report) -> None:
    text = normal(run(poppler("pdftotext"), pdf, "-"))
    say = presenter_for(report.language)
    position = 0
    for axis in report.axes:
        # The axis heading, in order: search after the previous axis (the contents and
        # the key figures name the axes earlier).
        found = text.find(normal(axis.title), position)
        assert found >= 0, axis.title
        position = found
        for action in axis.actions:
            assert normal(action.title) in text[position:], action.title
    for _axis, _action, figure in report.indicators():
        assert normal(say.indicator_phrase(figure)) in text, figure.id


def test_the_cover_then_the_contents_with_each_axiss_real_page(pdf: Path,
                                                               report: Report) -> None:
    cover = page_text(pdf, 1)
    assert normal(report.title) in cover and "Page 1" not in cover
    if report.subtitle:
        assert normal(report.subtitle) in cover
    contents = page_text(pdf, 2)
    say = presenter_for(report.language)
    assert contents.startswith(normal(say.label("contents")).upper()) or \
        normal(say.label("contents")) in contents
    pages = page_count(pdf)
    for number, axis in enumerate(report.axes, start=1):
        # Leaders may touch the title or not, depending on the font's metrics.
        entry = re.search(re.escape(normal(axis.title)) + r"[. ]*?(\d+)(?: |$)", contents)
        assert entry is not None, f"no page number for {axis.title!r} in {contents!r}"
        page = int(entry[1])
        assert 2 < page <= pages
        assert normal(axis.title) in page_text(pdf, page), (axis.title, page)
        assert f"{number}" in contents


def test_pages_after_the_cover_are_numbered(pdf: Path) -> None:
    for page in range(2, page_count(pdf) + 1):
        assert f"Page {page}" in page_text(pdf, page), page


def test_no_picture_is_read_from_disk_or_network(report: Report, plugins: PluginSet,
                                                 tmp_path: Path) -> None:
    picture = tmp_path / "secret.png"
    picture.write_bytes(PNG)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.html.j2").write_text(
        '{% extends "civicrecord/report.html.j2" %}{% block introduction %}'
        f'<img src="{picture.as_uri()}" alt="local"><img src="https://example.org/x.png"'
        ' alt="remote">{{ super() }}{% endblock %}', "utf-8")
    html = civicrecord.render(report, "html", template_dir=templates).decode("utf-8")
    assert picture.as_uri() in html  # the override is in effect
    written = tmp_path / "out.pdf"
    written.write_bytes(civicrecord.render(report, "pdf", plugins=plugins,
                                           template_dir=templates))
    images = run(poppler("pdfimages"), "-list", written).splitlines()[2:]
    assert images == []


# --- the layout WeasyPrint is given ----------------------------------------------------------


@pytest.fixture(scope="module")
def laid_out(report: Report) -> tuple[Any, list[logging.LogRecord]]:
    """The print page laid out by WeasyPrint, and what WeasyPrint logged doing it."""
    import weasyprint  # type: ignore[import-untyped]

    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger, handler = logging.getLogger("weasyprint"), Collect(logging.WARNING)
    logger.addHandler(handler)
    try:
        page = print_html(report, RenderContext(language=report.language, base_dir=EXAMPLE))
        document = weasyprint.HTML(string=page).render()
    finally:
        logger.removeHandler(handler)
    return document, records


def test_no_grid_or_flex_box_reaches_weasyprint(laid_out: tuple[Any, list[logging.LogRecord]]
                                                ) -> None:
    # WeasyPrint lays a grid or flex container out again for every page it spans,
    # measuring each item each time: with the theme's grids, 1,000 actions took 499 s.
    from weasyprint.formatting_structure.boxes import (  # type: ignore[import-untyped]
        FlexContainerBox,
        GridContainerBox,
    )

    document, _ = laid_out
    slow = {(box.element_tag, box.element.get("class")) for page in document.pages
            for box in page._page_box.descendants()
            if isinstance(box, FlexContainerBox | GridContainerBox)}
    assert slow == set(), "give these display: block (or inline, table) in print.css"


def test_the_status_chart_bars_are_laid_out(laid_out: tuple[Any, list[logging.LogRecord]],
                                            report: Report) -> None:
    # The bars carry fill attributes, which WeasyPrint paints: one bar per axis with
    # actions reaches the pages, as in the browser.
    document, _ = laid_out
    bars = [box for page in document.pages for box in page._page_box.descendants()
            if box.element is not None and box.element.get("class") == "chart-row__bar"]
    assert len(bars) == sum(1 for axis in report.axes if axis.actions)


def test_weasyprint_resolves_every_font_size(laid_out: tuple[Any, list[logging.LogRecord]]
                                             ) -> None:
    # A clamp() that WeasyPrint cannot resolve costs a recursion to Python's limit,
    # and the text falls back to its parent's size.
    _, records = laid_out
    assert [r.getMessage() for r in records if "math function" in r.getMessage()] == []


# --- the process, left as it was found --------------------------------------------------------


def test_rendering_leaves_the_garbage_collector_as_it_found_it(pdf: Path, report: Report,
                                                              plugins: PluginSet) -> None:
    # The `pdf` fixture rendered with the collector on: it is on again.
    assert gc.isenabled()
    gc.disable()
    try:
        civicrecord.render(report, "pdf", plugins=plugins, base_dir=EXAMPLE)
        assert not gc.isenabled()
    finally:
        gc.enable()
