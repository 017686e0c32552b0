"""The body of the Word document: the report as a WordprocessingML tree, laid out for print.

The document reads like a brochure a council would send to the printer: a
cover (its own section, without header or footer), the contents on a page
of their own, then the introduction, the key figures with the status of the
actions as a chart, one chapter per numbered axis (the need, the actions
with their status and details, the outcome, its figures as callouts), and
last the partners and programmes. Every paragraph takes a style from
``REQUIRED_STYLES``; the only direct formatting keeps a table's rows on one
page. All text enters through :func:`ooxml.run`.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Sequence
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from civicrecord.model import Action, ActionStatus, Indicator, MeasureKind, Report, ThematicAxis
from civicrecord.presentation import Presenter
from civicrecord.renderers.docx.media import Media
from civicrecord.renderers.docx.ooxml import (
    NS,
    clean,
    element,
    field,
    insert_in_order,
    paragraph,
    qn,
    run,
)
from civicrecord.renderers.docx.package import Prepared, xml_bytes
from civicrecord.text import blocks

__all__ = ["TOC_INSTRUCTION", "write_body", "write_furniture"]

#: Level 1 headings as hyperlinks, without page numbers in web view, keeping outline levels.
TOC_INSTRUCTION = r'TOC \o "1-1" \h \z \u'
#: Shares of the text width taken by the key figures table's columns, without the source.
COLUMN_SHARES = (0.46, 0.2, 0.14, 0.2)
_STATUS_ORDER = (ActionStatus.DONE, ActionStatus.ONGOING, ActionStatus.IN_PROGRESS,
                 ActionStatus.PLANNED, ActionStatus.NOT_ASSESSED, ActionStatus.ABANDONED)


def write_body(body: Any, report: Report, reference: Prepared, presenter: Presenter,
               media: Media) -> None:
    """Append the report to ``body`` (a ``w:body`` holding only its section properties).

    Pictures and charts are collected in ``media``, for the package.
    """
    _Writer(body, report, reference, presenter, media).write()
    body.append(body[0])  # the section properties, moved back to the end, where Word wants them


class _Writer:
    """Writes one report; holds what the table of contents needs."""

    def __init__(self, body: Any, report: Report, reference: Prepared, presenter: Presenter,
                 media: Media) -> None:
        self.body, self.report, self.presenter, self.media = body, report, presenter, media
        self.styles, self.width = reference.styles, reference.text_width
        self.colon = presenter.label("colon")
        self.contents: list[tuple[str, str]] = []
        # Names by id, the first of an id winning as in Report.place(); looked up per action.
        self.names: dict[str, dict[str, str]] = {
            "places": {place.id: place.name for place in reversed(report.neighbourhood.places)},
            "partners": {partner.id: partner.name for partner in reversed(report.partners)},
            "programmes": {item.id: item.name for item in reversed(report.programmes)}}

    def write(self) -> None:
        self._cover()
        self._section_break()
        self._paragraph("TOC Heading", self.presenter.label("contents"))
        contents = len(self.body)
        self._section_break()
        self._introduction()
        self._key_figures()
        for number, axis in enumerate(self.report.axes, 1):
            self._axis(number, axis)
        self._appendix()
        self.body[contents:contents] = self._contents(self._first_pages(contents + 1))

    # -- building blocks --------------------------------------------------------

    def _paragraph(self, style: str, text: str) -> None:
        run(paragraph(self.body, self.styles[style]), text)

    def _chapter(self, text: str) -> None:
        """A ``Heading 1``, which opens a page and has its entry in the contents."""
        number = len(self.contents) + 1
        name = f"_Toc{number:09d}"
        p = paragraph(self.body, self.styles["Heading 1"])
        element(p, "w:bookmarkStart", id=str(number), name=name)
        run(p, text)
        element(p, "w:bookmarkEnd", id=str(number))
        self.contents.append((text, name))

    def _section_break(self) -> None:
        """End a section of the front matter: the reference's page setup, no header, and
        the next section on a new page whatever the reference's last section says."""
        section = copy.deepcopy(self.body[0])
        for child in section.xpath("w:headerReference|w:footerReference|w:titlePg|w:type",
                                   namespaces=NS):
            section.remove(child)
        insert_in_order(section, element(None, "w:type", val="nextPage"),
                        ("w:type", "w:pgSz", "w:pgMar", "w:paperSrc", "w:pgBorders",
                         "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt", "w:vAlign",
                         "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi",
                         "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange"))
        element(element(self.body, "w:p"), "w:pPr").append(section)

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

    def _introduction(self) -> None:
        introduction = self.report.introduction
        self._chapter(self.presenter.label("introduction"))
        self._text(self.report.neighbourhood.description)
        for key, text in (("situation", introduction.situation), ("aim", introduction.aim)):
            self._paragraph("Front Heading", self.presenter.label(key))
            self._text(text)

    def _first_pages(self, start: int) -> list[int]:
        """Each chapter's first page, estimated from the length of what precedes it.

        Word puts the right numbers when it updates the contents (it asks when
        the file is opened); LibreOffice shows these until *Tools › Update*.
        Chapters open a page, so only a chapter longer than a page can shift them.
        """
        section = self.body[0]
        size, margins = section.find(qn("w:pgSz")), section.find(qn("w:pgMar"))
        try:
            height = int(size.get(qn("w:h"))) - int(margins.get(qn("w:top"))) - int(
                margins.get(qn("w:bottom")))
        except (AttributeError, TypeError, ValueError):
            height = 13000
        page, used, pages = 2, height, []
        style = f"{qn('w:pPr')}/{qn('w:pStyle')}"
        for block in self.body[start:]:
            if block.find(style) is not None and block.find(style).get(
                    qn("w:val")) == self.styles["Heading 1"]:
                page, used = page + 1, 0
                pages.append(page)
            tall = sum(260 * (1 + len("".join(row.itertext())) * 100 // max(self.width, 4000))
                       + 100 for row in block.findall(qn("w:tr")) or [block]) + sum(
                int(extent.get("cy")) // 635 for extent in block.iter(qn("wp:extent")))
            if used + tall > height:
                page, used = page + 1, 0
            used += tall
        return pages

    def _contents(self, pages: Sequence[int]) -> list[Any]:
        """The table of contents as Word computes it: each entry a link, then its page.

        The page numbers are ``PAGEREF`` fields, shown as estimated (see
        :meth:`_first_pages`) until the fields are updated.
        """
        entries = []
        for index, (text, bookmark) in enumerate(self.contents):
            p = paragraph(None, self.styles["TOC 1"])
            if index == 0:
                field(p, TOC_INSTRUCTION, end=False)
            link = element(p, "w:hyperlink", anchor=bookmark, history="1")
            run(link, text)
            element(element(link, "w:r"), "w:tab")
            field(link, f"PAGEREF {bookmark} \\h", str(pages[index]))
            entries.append(p)
        if not entries:
            entries.append(paragraph(None, self.styles["TOC 1"]))
            field(entries[0], TOC_INSTRUCTION, end=False)
        element(element(entries[-1], "w:r"), "w:fldChar", fldCharType="end")
        return entries

    def _key_figures(self) -> None:
        """The summary table, its source under it when all rows share one, then the chart."""
        figures = [indicator for _, _, indicator in self.report.indicators()]
        presenter = self.presenter
        if figures:
            self._chapter(presenter.label("key_figures"))
            rows = [[presenter.label(key) for key in ("indicator", "value", "period", "source")]]
            rows += [[self._indicator_name(indicator), self._indicator_value(indicator),
                      presenter.indicator_period(indicator), self._source(indicator)]
                     for indicator in figures]
            sources = {row[3] for row in rows[1:]}
            shares: tuple[float, ...] = COLUMN_SHARES
            if len(sources) == 1:
                rows, shares = [row[:3] for row in rows], (0.6, 0.24, 0.16)
            self._table("Key Figures Table", rows, shares)
            if len(sources) == 1 and rows[1:] and (source := sources.pop()):
                self._labelled("Normal", presenter.label("source"), source)
        self._status_chart()

    def _table(self, style: str, rows: Sequence[Sequence[str]],
               shares: Sequence[float]) -> None:
        """A table whose header row repeats on each page, kept on one page if it fits.

        Rows never split, and each but the last keeps with the next: a page
        never holds one row alone. The columns share the reference's text
        width; without one, Word fits them to their text.
        """
        table = element(self.body, "w:tbl")
        properties = element(table, "w:tblPr")
        element(properties, "w:tblStyle", val=self.styles[style])
        element(properties, "w:tblW", type="auto", w="0")
        if self.width:
            element(properties, "w:tblLayout", type="fixed")
        element(properties, "w:tblLook", val="04A0", firstRow="1", lastRow="0",
                firstColumn="1", lastColumn="0", noHBand="0", noVBand="1")
        widths = [int((self.width or 8640) * share) for share in shares]
        grid = element(table, "w:tblGrid")
        for width in widths:
            element(grid, "w:gridCol", w=str(width))
        for index, texts in enumerate(rows):
            row = element(table, "w:tr")
            row_properties = element(row, "w:trPr")
            if index == 0:
                element(row_properties, "w:tblHeader")
            element(row_properties, "w:cantSplit")
            for width, text in zip(widths, texts, strict=True):
                cell = element(row, "w:tc")
                element(element(cell, "w:tcPr"), "w:tcW", type="dxa", w=str(width))
                p = element(cell, "w:p")
                if index < len(rows) - 1:
                    element(element(p, "w:pPr"), "w:keepNext")
                if text:
                    run(p, text)

    def _status_chart(self) -> None:
        """Each axis's actions by status, as stacked bars with their counts written on them."""
        presenter, axes = self.presenter, self.report.axes
        counts = [Counter(action.status for action in axis.actions) for axis in axes]
        statuses = [status for status in _STATUS_ORDER if any(c[status] for c in counts)]
        if not statuses:
            return
        title = presenter.label("status_overview")
        self._paragraph("Front Heading", title)
        names = [clean(f"{number}. {axis.title}") for number, axis in enumerate(axes, 1)]
        space = element(None, "c:chartSpace")
        chart = element(space, "c:chart")
        element(chart, "c:autoTitleDeleted", val="1")
        plot = element(chart, "c:plotArea")
        element(plot, "c:layout")
        bars = element(plot, "c:barChart")
        for tag, setting in (("barDir", "bar"), ("grouping", "stacked"), ("varyColors", "0")):
            element(bars, f"c:{tag}", val=setting)
        for index, status in enumerate(statuses):
            series = element(bars, "c:ser")
            element(series, "c:idx", val=str(index))
            element(series, "c:order", val=str(index))
            element(element(series, "c:tx"), "c:v").text = presenter.status(status)
            values = [c[status] for c in counts]
            labels = element(series, "c:dLbls")
            for point in (point for point, value in enumerate(values) if not value):
                label = element(labels, "c:dLbl")  # no label on a segment of nothing
                element(label, "c:idx", val=str(point))
                element(label, "c:delete", val="1")
            for tag in ("showLegendKey", "showVal", "showCatName", "showSerName", "showPercent",
                        "showBubbleSize"):
                element(labels, f"c:{tag}", val="1" if tag == "showVal" else "0")
            for tag, kind, points in (("c:cat", "c:strLit", names),
                                      ("c:val", "c:numLit", list(map(str, values)))):
                data = element(element(series, tag), kind)
                element(data, "c:ptCount", val=str(len(points)))
                for point, text in enumerate(points):
                    element(element(data, "c:pt", idx=str(point)), "c:v").text = text
        element(bars, "c:gapWidth", val="60")
        element(bars, "c:overlap", val="100")
        for axis_id in ("1", "2"):
            element(bars, "c:axId", val=axis_id)
        # Axes by number, the first at the top; the counts are on the bars, not on a scale.
        for tag, axis_id, crosses, order, hidden in (("c:catAx", "1", "2", "maxMin", "0"),
                                                     ("c:valAx", "2", "1", "minMax", "1")):
            axis = element(plot, tag)
            element(axis, "c:axId", val=axis_id)
            element(element(axis, "c:scaling"), "c:orientation", val=order)
            element(axis, "c:delete", val=hidden)
            element(axis, "c:axPos", val="l" if tag == "c:catAx" else "b")
            element(axis, "c:crossAx", val=crosses)
        legend = element(chart, "c:legend")
        element(legend, "c:legendPos", val="b")
        element(legend, "c:overlay", val="0")
        element(chart, "c:plotVisOnly", val="1")
        # The text in the theme's body font, as the document's is; Word and LibreOffice differ.
        text = element(space, "c:txPr")
        element(text, "a:bodyPr")
        element(text, "a:lstStyle")
        font = element(element(element(text, "a:p"), "a:pPr"), "a:defRPr", sz="900")
        element(font, "a:latin", typeface="+mn-lt")
        alt = [f"{name}{self.colon}" + presenter.join(
            f"{presenter.number(c[status])} {presenter.status(status)}"
            for status in statuses if c[status]) for name, c in zip(names, counts, strict=True)]
        self.media.chart(paragraph(self.body, self.styles["Normal"]), space,
                         f"{title}. {'; '.join(alt)}.", self.width or 8640,
                         1400 + 420 * len(axes))

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
            self._chapter(self.presenter.label(key))
            for item in items:
                p = paragraph(self.body, self.styles["Normal"])
                run(p, item.name, self.styles["Strong"])
                if item.url:
                    run(p, f" ({item.url})")
                if item.description:
                    self._text(item.description, "List Continue", "List Bullet 2")

    # -- the axes ---------------------------------------------------------------

    def _axis(self, number: int, axis: ThematicAxis) -> None:
        label = self.presenter.label
        self._chapter(f"{number}. {axis.title}")
        self._paragraph("Heading 2", label("need"))
        self._text(axis.need)
        self._paragraph("Heading 2", label("actions"))
        if not axis.actions:
            self._paragraph("Normal", label("no_actions"))
        for action in axis.actions:
            self._action(action)
        self._paragraph("Heading 2", label("outcome"))
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
