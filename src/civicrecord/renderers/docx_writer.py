"""Writes a report into a Word document whose styles come from a reference document.

The document reads like one a council would make by hand: a cover with the
introduction, a table of contents, the key figures, then one chapter per
axis (the need, the actions with their status and details, the outcome) with
its figures set out as callouts. Every paragraph takes a style from
``REQUIRED_STYLES`` and no direct formatting, so a city restyles it all from
its reference document. Imported lazily: it loads python-docx.
"""

from __future__ import annotations

import datetime
import functools
import io
import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu
from docx.text.paragraph import Paragraph

from civicrecord.model import (
    Action,
    Indicator,
    MeasureKind,
    Report,
    ThematicAxis,
)
from civicrecord.presentation import Presenter, presenter_for
from civicrecord.renderer import RenderContext, RenderError
from civicrecord.renderers.docx_ooxml import (
    add_bookmark,
    add_field,
    add_internal_link,
    add_run,
    clean,
    drop_thumbnail,
    field_begin,
    field_end,
    reproducible_zip,
    set_language,
    set_style,
    set_update_fields,
)
from civicrecord.renderers.docx_styles import REQUIRED_STYLES
from civicrecord.text import blocks

__all__ = ["render", "resolve_styles"]

#: Levels 1-3 as hyperlinks, without page numbers in web view, keeping outline levels.
TOC_INSTRUCTION = r'TOC \o "1-3" \h \z \u'
_KINDS = {"paragraph": WD_STYLE_TYPE.PARAGRAPH, "character": WD_STYLE_TYPE.CHARACTER,
          "table": WD_STYLE_TYPE.TABLE}
# Core properties hold at most 255 characters each.
_PROPERTY_LIMIT = 255


def render(report: Report, context: RenderContext) -> bytes:
    """The report as the bytes of a .docx file; the same report gives the same bytes."""
    if context.reference_docx is not None:
        document = open_reference(context.reference_docx)
        source = f"reference document {context.reference_docx}"
    else:
        document = docx.Document(io.BytesIO(_default_reference_bytes()))
        source = "the default reference document"
    styles = resolve_styles(document, source)
    presenter = presenter_for(report.language)
    when = document_date(report)
    _clear_body(document)
    drop_thumbnail(document)
    set_language(document, report.language)
    _set_properties(document, report, presenter, when)
    _Writer(document, report, styles, presenter).write()
    buffer = io.BytesIO()
    document.save(buffer)
    return reproducible_zip(buffer.getvalue(), when)


@functools.cache
def _default_reference_bytes() -> bytes:
    """The default reference document, built once per process and reopened per render.

    Building it (styles, samples) took about half of a render of the worked example.
    """
    from civicrecord.renderers.docx_reference import default_reference

    buffer = io.BytesIO()
    default_reference(samples=False).save(buffer)
    return buffer.getvalue()


def document_date(report: Report) -> datetime.datetime:
    """When the document was made, as the report says: published, else the period's end."""
    date = report.published or report.period.end
    year, month, day = date.earliest()
    return datetime.datetime(year, month, day, tzinfo=datetime.UTC)


def open_reference(path: Path) -> Document:
    """Open a reference .docx (or a .dotx template) or explain why it cannot be used."""
    try:
        content = Path(path).read_bytes()
    except OSError as error:
        raise RenderError(f"cannot read reference document {path}: {error.strerror}") from None
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


def _clear_body(document: Document) -> None:
    """Remove the reference's content, keeping its last section's page setup and headers."""
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _limit(text: str) -> str:
    text = clean(text)
    return text if len(text) <= _PROPERTY_LIMIT else text[:_PROPERTY_LIMIT - 1] + "…"


def _set_properties(document: Document, report: Report, presenter: Presenter,
                    when: datetime.datetime) -> None:
    """File properties from the report; nothing of the reference's author or dates remains."""
    properties = document.core_properties
    neighbourhood = report.neighbourhood
    period = presenter.reporting_period(report.period)
    properties.title = _limit(report.title)
    about = f"{neighbourhood.name}, {neighbourhood.city}, {period}"
    properties.subject = _limit(f"{report.subtitle} – {about}" if report.subtitle else about)
    properties.author = properties.last_modified_by = _limit(report.authority.name)
    keywords: list[str] = []
    for word in (neighbourhood.name, neighbourhood.city, period,
                 *(programme.name for programme in report.programmes)):
        word = clean(word)
        if word and word not in keywords and len("; ".join([*keywords, word])) <= 255:
            keywords.append(word)
    properties.keywords = "; ".join(keywords)
    properties.comments = ""
    properties.category = ""
    properties.content_status = ""
    properties.identifier = _limit(report.id)
    properties.version = ""
    properties.created = properties.modified = when
    properties.revision = 1
    properties._element._remove_lastPrinted()


class _Writer:
    """Writes one report into one document; holds what the table of contents needs."""

    def __init__(self, document: Document, report: Report, styles: dict[str, Any],
                 presenter: Presenter) -> None:
        self.document = document
        self.report = report
        self.styles = styles
        self.presenter = presenter
        self.colon = presenter.label("colon")
        self.contents: list[tuple[int, str, str]] = []
        self._section = document.element.body.sectPr  # new paragraphs go before it

    def write(self) -> None:
        self._cover()
        self._key_figures_table()
        contents = self._contents_placeholder()
        for axis in self.report.axes:
            self._axis(axis)
        self._fill_contents(contents)
        self._page_furniture()
        set_update_fields(self.document)

    # -- building blocks --------------------------------------------------------

    def _paragraph(self, style: str, text: str = "") -> Paragraph:
        paragraph = set_style(self._new_paragraph(), self.styles[style])
        if text:
            add_run(paragraph, text)
        return paragraph

    def _new_paragraph(self) -> Paragraph:
        """An empty paragraph at the end of the body, before its section properties.

        What ``document.add_paragraph()`` does, less its search for ``w:sectPr``
        through every paragraph already written, which made long reports quadratic.
        """
        paragraph = OxmlElement("w:p")
        if self._section is None:
            self.document.element.body.append(paragraph)
        else:
            self._section.addprevious(paragraph)
        return Paragraph(paragraph, self.document._body)

    def _heading(self, style: str, level: int, text: str) -> Paragraph:
        paragraph = self._paragraph(style, text)
        number = len(self.contents) + 1
        bookmark = f"_Toc{number:09d}"
        add_bookmark(paragraph, bookmark, number)
        self.contents.append((level, text, bookmark))
        return paragraph

    def _labelled(self, style: str, label: str, value: str) -> Paragraph:
        paragraph = self._paragraph(style)
        add_run(paragraph, f"{label}{self.colon}", self.styles["Strong"])
        if value:
            add_run(paragraph, value)
        return paragraph

    def _text(self, text: str, paragraph_style: str = "Normal",
              bullet_style: str = "List Bullet") -> None:
        """Report text as paragraphs and bullet lists, never as markup."""
        for block in blocks(text):
            if block.kind == "bullets":
                for line in block.lines:
                    self._paragraph(bullet_style, line)
            else:
                self._paragraph(paragraph_style, block.text)

    # -- the front matter -------------------------------------------------------

    def _cover(self) -> None:
        report, presenter = self.report, self.presenter
        self._paragraph("Title", report.title)
        if report.subtitle:
            self._paragraph("Subtitle", report.subtitle)
        neighbourhood = report.neighbourhood
        place = neighbourhood.name
        if neighbourhood.city.casefold() not in place.casefold():
            place = f"{place}, {neighbourhood.city}"
        details = [
            ("authority", report.authority.name),
            ("neighbourhood", place),
            ("reporting_period", presenter.reporting_period(report.period)),
        ]
        if report.published:
            details.append(("published", presenter.date(report.published)))
        if neighbourhood.population is not None:
            details.append(("population", presenter.number(neighbourhood.population)))
        if neighbourhood.priority_area_code:
            details.append(("priority_area_code", neighbourhood.priority_area_code))
        for key, value in details:
            self._labelled("Cover Details", presenter.label(key), value)
        self._paragraph("Front Heading", presenter.label("situation"))
        self._text(report.introduction.situation)
        self._paragraph("Front Heading", presenter.label("aim"))
        self._text(report.introduction.aim)

    def _contents_placeholder(self) -> Paragraph:
        self._paragraph("TOC Heading", self.presenter.label("contents"))
        return self._paragraph("TOC 1")

    def _fill_contents(self, placeholder: Paragraph) -> None:
        """The table of contents as Word would compute it, less the page numbers.

        LibreOffice does not recompute fields when converting, and Word only on
        request; pre-filled entries mean the table is never empty.
        """
        if not self.contents:
            add_field(placeholder, TOC_INSTRUCTION, "")
            return
        for index, (level, text, bookmark) in enumerate(self.contents):
            entry = set_style(placeholder.insert_paragraph_before(),
                              self.styles[f"TOC {level}"])
            if index == 0:
                field_begin(entry, TOC_INSTRUCTION)
            add_internal_link(entry, text, bookmark)
            if index == len(self.contents) - 1:
                field_end(entry)
        placeholder._p.getparent().remove(placeholder._p)

    def _key_figures_table(self) -> None:
        figures = [indicator for _, _, indicator in self.report.indicators()]
        if not figures:
            return
        presenter = self.presenter
        self._paragraph("Front Heading", presenter.label("key_figures"))
        columns = ("indicator", "value", "period", "source")
        table = self.document.add_table(rows=1 + len(figures), cols=len(columns))
        table.style = self.styles["Key Figures Table"]
        _repeat_as_header(table.rows[0])
        self._column_widths(table, (0.46, 0.2, 0.14, 0.2))
        for cell, key in zip(table.rows[0].cells, columns, strict=True):
            add_run(cell.paragraphs[0], presenter.label(key))
        for row in table.rows:
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for row, indicator in zip(table.rows[1:], figures, strict=True):
            texts = (self._indicator_name(indicator), self._indicator_value(indicator),
                     presenter.indicator_period(indicator), self._source(indicator))
            for cell, text in zip(row.cells, texts, strict=True):
                if text:
                    add_run(cell.paragraphs[0], text)

    def _column_widths(self, table: Any, shares: tuple[float, ...]) -> None:
        """Share the reference's text width; Word would otherwise make columns equal."""
        section = self.document.sections[-1]
        width = (section.page_width or 0) - (section.left_margin or 0) - \
            (section.right_margin or 0)
        if width <= 0:
            return
        table.autofit = False
        for column, share in zip(table.columns, shares, strict=True):
            column.width = Emu(int(width * share))
            for cell in column.cells:
                cell.width = Emu(int(width * share))

    def _indicator_name(self, indicator: Indicator) -> str:
        label = indicator.label.strip()
        text = label[:1].upper() + label[1:]
        for breakdown in indicator.breakdowns:
            text = f"{text}, {self.presenter.breakdown(breakdown)}"
        return text

    def _indicator_value(self, indicator: Indicator) -> str:
        if indicator.kind is MeasureKind.FREQUENCY and not isinstance(indicator.value, str):
            return self.presenter.frequency(indicator.value, indicator.unit)
        return self.presenter.indicator_value(indicator)

    def _source(self, indicator: Indicator) -> str:
        source = indicator.source
        if source is None:
            return ""
        if source.date is not None:
            return f"{source.name} ({self.presenter.date(source.date)})"
        return source.name

    # -- the axes ---------------------------------------------------------------

    def _axis(self, axis: ThematicAxis) -> None:
        label = self.presenter.label
        self._heading("Heading 1", 1, axis.title)
        self._heading("Heading 2", 2, label("need"))
        self._text(axis.need)
        self._heading("Heading 2", 2, label("actions"))
        if not axis.actions:
            self._paragraph("Normal", label("no_actions"))
        for action in axis.actions:
            self._action(action)
        self._heading("Heading 2", 2, label("outcome"))
        self._text(axis.outcome)
        for indicator in axis.indicators:
            self._key_figure(indicator)

    def _action(self, action: Action) -> None:
        report, presenter = self.report, self.presenter
        item = self._paragraph("List Bullet")
        add_run(item, action.title, self.styles["Strong"])
        add_run(item, " ")
        add_run(item, presenter.status(action.status), self.styles["Action Status"])
        self._text(action.description, "List Continue", "List Bullet 2")
        names = {
            "places": [p.name for p in map(report.place, action.places) if p],
            "partners": [p.name for p in map(report.partner, action.partners) if p],
            "programmes": [p.name for p in map(report.programme, action.programmes) if p],
        }
        for key, values in names.items():
            if values:
                self._labelled("Action Details", presenter.label(key), presenter.join(values))
        dates = presenter.date_range(action.start, action.end)
        if dates:
            self._labelled("Action Details", presenter.label("dates"), dates)
        if action.milestones:
            paragraph = self._labelled("Action Details", presenter.label("milestones"), "")
            for milestone in action.milestones:
                add_run(paragraph, "").add_break()
                add_run(paragraph, f"{presenter.date(milestone.date)} – {milestone.title}")
        if action.budget is not None:
            budget = action.budget
            amount = presenter.money(budget.amount, budget.currency)
            period = presenter.period(budget.period)
            self._labelled("Action Details", presenter.label("budget"),
                           f"{amount} {period}" if period else amount)
        for indicator in action.indicators:
            self._key_figure(indicator)

    def _key_figure(self, indicator: Indicator) -> None:
        """The figure big, then the sentence; the number is not repeated when it leads."""
        value = self.presenter.indicator_value(indicator)
        phrase = self.presenter.indicator_phrase(indicator)
        paragraph = self._paragraph("Key Figure")
        add_run(paragraph, value, self.styles["Key Figure Number"])
        add_run(paragraph, "").add_break()
        if phrase.startswith(value):
            phrase = phrase[len(value):].lstrip()
        add_run(paragraph, phrase)

    # -- header and footer ------------------------------------------------------

    def _page_furniture(self) -> None:
        """The title in the header and the page number in the footer, after the reference's own.

        A cover page (different first page) keeps its own header and footer; a
        footer that already shows the page number is left as it is.
        """
        section = self.document.sections[-1]
        headers, footers = [section.header], [section.footer]
        if self.document.settings.odd_and_even_pages_header_footer:
            headers.append(section.even_page_header)
            footers.append(section.even_page_footer)
        title = self.report.title
        if self.report.subtitle:
            title = f"{title} – {self.report.subtitle}"
        for header in headers:
            add_run(_free_paragraph(header, self.styles["Header"]), title)
        for footer in footers:
            if _has_page_field(footer._element):
                continue
            paragraph = _free_paragraph(footer, self.styles["Footer"])
            add_run(paragraph, f"{self.presenter.label('page')} ")
            add_field(paragraph, "PAGE", "1")


def _repeat_as_header(row: Any) -> None:
    """Repeat the row at the top of each page, and mark it as the header for screen readers."""
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:tblHeader"))


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
