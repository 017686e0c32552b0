"""The body of the Word document: the report as a WordprocessingML tree.

The document reads like one a council would make by hand: a cover with the
introduction, the key figures, a table of contents, then one chapter per
axis (the need, the actions with their status and details, the outcome) with
its figures set out as callouts, and last the partners and programmes. Every
paragraph takes a style from ``REQUIRED_STYLES`` and no direct formatting, so
a city restyles it all from its reference document. All text enters through
:func:`ooxml.run`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from civicrecord.model import Action, Indicator, MeasureKind, Report, ThematicAxis
from civicrecord.presentation import Presenter
from civicrecord.renderers.docx.ooxml import NS, element, field, paragraph, qn, run
from civicrecord.renderers.docx.package import Prepared, xml_bytes
from civicrecord.text import blocks

__all__ = ["TOC_INSTRUCTION", "write_body", "write_furniture"]

#: Levels 1-3 as hyperlinks, without page numbers in web view, keeping outline levels.
TOC_INSTRUCTION = r'TOC \o "1-3" \h \z \u'


def write_body(body: Any, report: Report, styles: Mapping[str, str], presenter: Presenter,
               column_widths: Sequence[int], fixed_columns: bool) -> None:
    """Append the report to ``body`` (a ``w:body``), before its section properties.

    ``styles`` maps each required style's name to its id in the reference
    document; ``column_widths`` (twips) shape the key figures table.
    """
    section = body[-1]
    _Writer(body, report, styles, presenter, column_widths, fixed_columns).write()
    body.append(section)  # moved back to the end, where Word expects it


class _Writer:
    """Writes one report; holds what the table of contents needs."""

    def __init__(self, body: Any, report: Report, styles: Mapping[str, str],
                 presenter: Presenter, column_widths: Sequence[int], fixed: bool) -> None:
        self.body, self.report, self.styles, self.presenter = body, report, styles, presenter
        self.column_widths, self.fixed_columns = column_widths, fixed
        self.colon = presenter.label("colon")
        self.contents: list[tuple[int, str, str]] = []
        # Names by id, the first of an id winning as in Report.place(); looked up per action.
        self.names: dict[str, dict[str, str]] = {
            "places": {place.id: place.name for place in reversed(report.neighbourhood.places)},
            "partners": {partner.id: partner.name for partner in reversed(report.partners)},
            "programmes": {item.id: item.name for item in reversed(report.programmes)}}

    def write(self) -> None:
        self._cover()
        self._key_figures_table()
        self._paragraph("TOC Heading", self.presenter.label("contents"))
        contents = len(self.body)
        for axis in self.report.axes:
            self._axis(axis)
        self._appendix()
        self.body[contents:contents] = self._contents()

    # -- building blocks --------------------------------------------------------

    def _paragraph(self, style: str, text: str) -> None:
        run(paragraph(self.body, self.styles[style]), text)

    def _heading(self, style: str, level: int, text: str) -> None:
        number = len(self.contents) + 1
        name = f"_Toc{number:09d}"
        p = paragraph(self.body, self.styles[style])
        element(p, "w:bookmarkStart", id=str(number), name=name)
        run(p, text)
        element(p, "w:bookmarkEnd", id=str(number))
        self.contents.append((level, text, name))

    def _labelled(self, style: str, label: str, value: str) -> Any:
        """A label in ``Strong``, then its value."""
        p = paragraph(self.body, self.styles[style])
        run(p, f"{label}{self.colon}", self.styles["Strong"])
        if value:
            run(p, value)
        return p

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
        details = [("authority", report.authority.name), ("neighbourhood", place),
                   ("reporting_period", presenter.reporting_period(report.period))]
        if report.published:
            details.append(("published", presenter.date(report.published)))
        if neighbourhood.population is not None:
            details.append(("population", presenter.number(neighbourhood.population)))
        if neighbourhood.priority_area_code:
            details.append(("priority_area_code", neighbourhood.priority_area_code))
        for key, value in details:
            self._labelled("Cover Details", presenter.label(key), value)
        self._text(neighbourhood.description)
        for key, text in (("situation", report.introduction.situation),
                          ("aim", report.introduction.aim)):
            self._paragraph("Front Heading", presenter.label(key))
            self._text(text)

    def _contents(self) -> list[Any]:
        """The table of contents as Word would compute it, less the page numbers.

        LibreOffice does not recompute fields when converting, and Word only on
        request; pre-filled entries mean the table is never empty.
        """
        if not self.contents:
            p = paragraph(None, self.styles["TOC 1"])
            field(p, TOC_INSTRUCTION)
            return [p]
        entries = []
        for index, (level, text, bookmark) in enumerate(self.contents):
            p = paragraph(None, self.styles[f"TOC {level}"])
            if index == 0:
                field(p, TOC_INSTRUCTION, end=False)
            run(element(p, "w:hyperlink", anchor=bookmark, history="1"), text)
            if index == len(self.contents) - 1:
                element(element(p, "w:r"), "w:fldChar", fldCharType="end")
            entries.append(p)
        return entries

    def _key_figures_table(self) -> None:
        figures = [indicator for _, _, indicator in self.report.indicators()]
        if not figures:
            return
        presenter = self.presenter
        self._paragraph("Front Heading", presenter.label("key_figures"))
        rows = [[presenter.label(key) for key in ("indicator", "value", "period", "source")]]
        rows += [[self._indicator_name(indicator), self._indicator_value(indicator),
                  presenter.indicator_period(indicator), self._source(indicator)]
                 for indicator in figures]
        self._table("Key Figures Table", rows)

    def _table(self, style: str, rows: Sequence[Sequence[str]]) -> None:
        """A table whose first row is its header, repeated on each page; rows never split.

        ``fixed_columns`` keeps the columns' widths rather than letting Word fit
        them to their text. Each cell is one paragraph holding a cell's text.
        """
        table = element(self.body, "w:tbl")
        properties = element(table, "w:tblPr")
        element(properties, "w:tblStyle", val=self.styles[style])
        element(properties, "w:tblW", type="auto", w="0")
        if self.fixed_columns:
            element(properties, "w:tblLayout", type="fixed")
        element(properties, "w:tblLook", val="04A0", firstRow="1", lastRow="0",
                firstColumn="1", lastColumn="0", noHBand="0", noVBand="1")
        grid = element(table, "w:tblGrid")
        for width in self.column_widths:
            element(grid, "w:gridCol", w=str(width))
        for index, texts in enumerate(rows):
            row = element(table, "w:tr")
            row_properties = element(row, "w:trPr")
            if index == 0:
                element(row_properties, "w:tblHeader")
            element(row_properties, "w:cantSplit")
            for width, text in zip(self.column_widths, texts, strict=True):
                cell = element(row, "w:tc")
                element(element(cell, "w:tcPr"), "w:tcW", type="dxa", w=str(width))
                p = element(cell, "w:p")
                if text:
                    run(p, text)

    def _indicator_name(self, indicator: Indicator) -> str:
        label = indicator.label.strip()
        return ", ".join([label[:1].upper() + label[1:], *map(self.presenter.breakdown,
                                                               indicator.breakdowns)])

    def _indicator_value(self, indicator: Indicator) -> str:
        if indicator.kind is MeasureKind.FREQUENCY and not isinstance(indicator.value, str):
            return self.presenter.frequency(indicator.value, indicator.unit)
        return self.presenter.indicator_value(indicator)

    def _source(self, indicator: Indicator) -> str:
        source = indicator.source
        if source is None or source.date is None:
            return source.name if source else ""
        return f"{source.name} ({self.presenter.date(source.date)})"

    # -- the back matter --------------------------------------------------------

    def _appendix(self) -> None:
        """Who the city worked with and the schemes it used, which actions name.

        Addresses are written out, not linked: the document is also printed.
        """
        for key, items in (("partners", self.report.partners),
                           ("programmes", self.report.programmes)):
            if not items:
                continue
            self._paragraph("Front Heading", self.presenter.label(key))
            for item in items:
                p = paragraph(self.body, self.styles["Normal"])
                run(p, item.name, self.styles["Strong"])
                if item.url:
                    run(p, f" ({item.url})")
                if item.description:
                    self._text(item.description, "List Continue", "List Bullet 2")

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
        presenter, styles = self.presenter, self.styles
        p = paragraph(self.body, styles["List Bullet"])
        run(p, action.title, styles["Strong"])
        run(p, " ")
        run(p, presenter.status(action.status), styles["Action Status"])
        self._text(action.description, "List Continue", "List Bullet 2")
        for key, ids in (("places", action.places), ("partners", action.partners),
                         ("programmes", action.programmes)):
            known = self.names[key]
            values = [known[i] for i in ids if i in known]
            if values:
                self._labelled("Action Details", presenter.label(key), presenter.join(values))
        dates = presenter.date_range(action.start, action.end)
        if dates:
            self._labelled("Action Details", presenter.label("dates"), dates)
        if action.milestones:
            p = self._labelled("Action Details", presenter.label("milestones"), "")
            for milestone in action.milestones:
                element(element(p, "w:r"), "w:br")
                run(p, f"{presenter.date(milestone.date)} – {milestone.title}")
        if action.budget is not None:
            amount = presenter.money(action.budget.amount, action.budget.currency)
            period = presenter.period(action.budget.period)
            self._labelled("Action Details", presenter.label("budget"),
                           f"{amount} {period}" if period else amount)
        for indicator in action.indicators:
            self._key_figure(indicator)

    def _key_figure(self, indicator: Indicator) -> None:
        """The figure big, then the sentence; the number is not repeated when it leads."""
        value = self.presenter.indicator_value(indicator)
        phrase = self.presenter.indicator_phrase(indicator)
        if phrase.startswith(value):
            phrase = phrase[len(value):].lstrip()
        p = paragraph(self.body, self.styles["Key Figure"])
        run(p, value, self.styles["Key Figure Number"])
        element(element(p, "w:r"), "w:br")
        run(p, phrase)


def write_furniture(reference: Prepared, header: str, footer: str) -> dict[str, bytes]:
    """The header parts with the title, the footer parts with ``footer`` and the page number."""
    written = {}
    for names, text, page in ((reference.headers, header, False),
                              (reference.footers, footer, True)):
        for name in names:
            root = etree.fromstring(reference.parts[name])
            lone = root.findall(qn("w:p"))
            if len(lone) == 1 and not lone[0].xpath("./w:r|./w:hyperlink|./w:fldSimple",
                                                    namespaces=NS):
                root.remove(lone[0])  # the empty paragraph of a new header
            free = paragraph(root, reference.styles["Footer" if page else "Header"])
            run(free, text)
            if page:
                field(free, "PAGE", "1")
            written[name] = xml_bytes(root)
    return written
