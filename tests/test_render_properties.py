"""Any valid report renders in every format, and each format holds every text, as text.

Reports come from :func:`strategies.reports`: any Unicode, including markup,
template and Word-field look-alikes. The HTML is parsed back (lxml) and the
DOCX reopened (python-docx); both must hold each text literally.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator

from hypothesis import given

import civicrecord
from civicrecord.model import Report
from civicrecord.presentation import UnsupportedLanguageWarning, presenter_for
from civicrecord.text import blocks
from strategies import reports


def squash(text: str) -> str:
    return " ".join(text.split())


def visible_texts(report: Report) -> Iterator[str]:
    """The texts every reader-facing format must show, as lines after paragraph splitting."""

    def lines(text: str) -> Iterator[str]:
        for block in blocks(text):
            for line in block.lines:
                if line.strip():
                    yield squash(line)

    yield squash(report.title)
    for axis in report.axes:
        yield squash(axis.title)
        yield from lines(axis.need)
        yield from lines(axis.outcome)
        for action in axis.actions:
            yield squash(action.title)
            yield from lines(action.description)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedLanguageWarning)
        presenter = presenter_for(report.language)
    for _, _, indicator in report.indicators():
        yield squash(presenter.indicator_phrase(indicator))


def _render_quietly(report: Report, name: str) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedLanguageWarning)
        return civicrecord.render(report, name)


@given(reports())
def test_any_valid_report_renders_in_every_format(report: Report) -> None:
    names = [renderer.name for renderer in civicrecord.formats()]
    assert {"json", "html", "docx"} <= set(names)
    for name in names:
        output = _render_quietly(report, name)
        assert isinstance(output, bytes) and output


@given(reports())
def test_html_holds_every_text_escaped(report: Report) -> None:
    import lxml.html

    page = _render_quietly(report, "html").decode("utf-8")
    tree = lxml.html.fromstring(page)
    assert tree.xpath("count(//script)") == 0
    assert not [e for e in tree.iter() if any(a.startswith("on") for a in e.attrib)]
    body = squash(tree.body.text_content())
    assert squash(tree.xpath("string(//h1)")) == squash(report.title)  # HTML reads CR as LF
    for text in visible_texts(report):
        assert text in body, text


@given(reports())
def test_docx_reopens_and_holds_every_text(report: Report) -> None:
    import docx

    document = docx.Document(io.BytesIO(_render_quietly(report, "docx")))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    whole = squash("\n".join(parts))
    headings = [squash(p.text) for p in document.paragraphs if p.style.name == "Heading 1"]
    # Each axis is a numbered chapter, "1. title", after the introduction and key figures.
    numbered = [f"{number}. {squash(axis.title)}" for number, axis in enumerate(report.axes, 1)]
    assert numbered == [heading for heading in headings if heading in set(numbered)]
    for text in visible_texts(report):
        assert text in whole, text
