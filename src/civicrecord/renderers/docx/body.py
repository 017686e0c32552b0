"""The body of the Word document: the report as a WordprocessingML tree, laid out for print.

The document reads like a brochure a council would send to the printer: a
cover (its own section, without header or footer), the contents on a page
of their own, then the introduction, what changed (each axis's figures with
their change), the key figures with the status of the actions as a chart,
one chapter per numbered axis (the need, the actions with their status and
details, the outcome, its figures as callouts with their change and chart,
baseline, target, values over time and source), and last the partners and
programmes. The report's pictures stand where the web page shows them: the
logo and the cover picture on the cover, an axis's after its need, an
action's after its description. Every paragraph takes a style from
``REQUIRED_STYLES``; the only direct formatting keeps a table's rows, and a
picture and its caption, on one page. All text enters through :func:`ooxml.run`.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from civicrecord.change import figures_that_change, has_change_data
from civicrecord.model import (
    Action,
    ActionStatus,
    Indicator,
    MeasureKind,
    Picture,
    Report,
    ThematicAxis,
)
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
_STYLE = etree.XPath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS)
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
        sources = {self._source(indicator) for _, _, indicator in report.indicators()}
        #: The one source of every figure, said once under the key figures, not on each.
        self.shared_source = sources.pop() if len(sources) == 1 else None
        self.sizes = reference.sizes
        section = body[0]
        size, margins = section.find(qn("w:pgSz")), section.find(qn("w:pgMar"))
        try:  # the height between the margins, in twips
            self.height = int(size.get(qn("w:h"))) - int(margins.get(qn("w:top"))) - int(
                margins.get(qn("w:bottom")))
        except (AttributeError, TypeError, ValueError):
            self.height = 13000
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
        self._what_changed()
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

    def _pictures(self, pictures: Iterable[Picture], width: int = 0, height: int = 0) -> None:
        """Each picture inline on a line of its own, at most ``width`` by ``height`` twips
        (the text width and less than half the page), its alt text Word's description;
        its caption, then credit and licence, under it in ``Caption``."""
        for picture in pictures:
            p = paragraph(self.body, self.styles["Normal"])
            self.media.report_picture(p, picture, width or self.width or 8640,
                                      height or self.height * 9 // 20)
            credit = ", ".join(text for text in (picture.credit, picture.licence) if text)
            lines = [text for text in (picture.caption, credit) if text]
            if lines:
                element(p.find(qn("w:pPr")), "w:keepNext")
                caption = paragraph(self.body, self.styles["Caption"])
                run(caption, lines[0])
                _lines(caption, lines[1:])

    def _cover(self) -> None:
        report, presenter = self.report, self.presenter
        if report.logo is not None:  # above the title, a quarter of the width at most
            self._pictures([report.logo], (self.width or 8640) // 4, 1134)
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
        if report.cover is not None:  # what the page has left, a caption's lines kept
            used = sum(self._height(p) for p in self.body[1:])
            self._pictures([report.cover], height=max(1440, min(self.height * 3 // 5,
                                                                self.height - used - 1800)))

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
        Chapters open a page, so only a chapter longer than a page can shift
        them; a paragraph's lines are counted at the size its styles give.
        """
        height = self.height
        page, used, pages = 2, height, []
        for block in self.body[start:]:
            if _STYLE(block) == self.styles["Heading 1"]:
                page, used = page + 1, 0
                pages.append(page)
            tall = sum(260 * (1 + len("".join(row.itertext())) * 100 // max(self.width, 4000))
                       + 100 for row in block.findall(qn("w:tr"))) or self._height(block)
            if used + tall > height:
                page, used = page + 1, 0
            used += tall
        return pages

    def _height(self, p: Any) -> int:
        """A paragraph's height in twips: its lines, each as tall as its largest text, its
        pictures, and the space around it."""
        font, space = self.sizes.get(_STYLE(p), (220, 0))
        lines, tall = [[0, font]], space
        t, br, extent = qn("w:t"), qn("w:br"), qn("wp:extent")
        for node in p.iter(t, br, extent, qn("w:rStyle")):  # one walk, in document order
            if node.tag == t:
                lines[-1][0] += len(node.text or "")
            elif node.tag == br:
                lines.append([0, font])
            elif node.tag == extent:
                tall += int(node.get("cy")) // 635
            else:
                lines[-1][1] = max(lines[-1][1], self.sizes.get(node.get(qn("w:val")), (0, 0))[0])
        width = max(self.width or 8640, 4000)
        # A character is half as wide as the font is tall, a line 1.2 times as tall.
        return tall + sum((1 + chars * size // 2 // width) * size * 6 // 5
                          for chars, size in lines)

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

    def _what_changed(self) -> None:
        """As on the web page, near the top: each axis's figures that have a baseline, a
        target or values over time, each with its change."""
        changes = figures_that_change(self.report)
        if changes:
            self._chapter(self.presenter.label("what_changed"))
        numbers = {id(axis): number for number, axis in enumerate(self.report.axes, 1)}
        for axis, indicators in changes:
            self._paragraph("Front Heading", f"{numbers[id(axis)]}. {axis.title}")
            for indicator in indicators:
                self._paragraph("List Bullet", self.presenter.indicator_phrase(indicator))
                if change := self.presenter.change_sentence(indicator):
                    self._paragraph("List Continue", change)

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
            shares: tuple[float, ...] = COLUMN_SHARES
            if self.shared_source is not None:
                rows, shares = [row[:3] for row in rows], (0.6, 0.24, 0.16)
            self._table("Key Figures Table", rows, shares)
            if self.shared_source:
                self._labelled("Normal", presenter.label("source"), self.shared_source)
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
        space, plot = _chart_space()
        bars = element(plot, "c:barChart")
        _c(bars, barDir="bar", grouping="stacked", varyColors="0")
        for index, status in enumerate(statuses):
            values = [c[status] for c in counts]  # no label on a segment of nothing
            _series(bars, index, presenter.status(status), names, values,
                    {point for point, value in enumerate(values) if value})
        _c(bars, gapWidth="60", overlap="100")
        _axes(plot, bars, "l", "maxMin")  # axes by number, the first at the top
        alt = [f"{name}{self.colon}" + presenter.join(
            f"{presenter.number(c[status])} {presenter.status(status)}"
            for status in statuses if c[status]) for name, c in zip(names, counts, strict=True)]
        self.media.chart(paragraph(self.body, self.styles["Normal"]), space,
                         f"{title}. {'; '.join(alt)}.", self.width or 8640,
                         1400 + 420 * len(axes))

    def _change_chart(self, parent: Any, indicator: Indicator) -> None:
        """On a line of its own in ``parent``: the values over time as dots on a line, from
        the baseline (a square) to the target (a dashed line to a diamond); each value on
        its point, the dates under them.

        Shapes, not colours, tell them apart, as in the HTML chart; the legend names them.
        """
        from civicrecord.charts import chart_alt_text, chart_layout

        layout = chart_layout(indicator)
        if layout is None:
            return
        element(element(parent, "w:r"), "w:br")
        label, target = self.presenter.label, layout.target
        points = [*layout.observed, *([target] if target else [])]
        dates = [self.presenter.date(p.point.date) if p.point.date else "" for p in points]
        space, plot = _chart_space()
        lines = element(plot, "c:lineChart")
        _c(lines, grouping="standard", varyColors="0")
        observed, last = [placed.point.value for placed in layout.observed], len(points) - 1
        baseline = int(layout.observed[0].role == "baseline")
        # Name, values, points labelled, line, marker, a point's own marker.
        series: list[tuple[str, Sequence[float], set[int], str | None, str,
                           tuple[int, str] | None]] = [
            (label("series"), observed, set(range(baseline, len(observed))), None, "circle",
             (0, "none") if baseline else None)]
        if baseline:  # drawn over the line's first point
            series.append((label("baseline"), observed[:1], {0}, "a:noFill", "square", None))
        if target is not None:
            series.append((label("target"), [target.point.value] * len(points), {last},
                           "a:prstDash", "none", (last, "diamond")))
        for index, (name, values, labelled, line, symbol, point) in enumerate(series):
            decoration = [_marker(symbol), *([_marker(point[1], point[0])] if point else [])]
            if line:
                outline = element(element(None, "c:spPr"), "a:ln", w="19050")
                element(outline, line, **({"val": "dash"} if line == "a:prstDash" else {}))
                decoration.insert(0, outline.getparent())
            element(_series(lines, index, name, dates, values, labelled, decoration,
                            self._number_format(indicator, values)), "c:smooth", val="0")
        _c(lines, marker="1")
        _axes(plot, lines, "b", "minMax")
        self.media.chart(parent, space, chart_alt_text(indicator, self.presenter),
                         (self.width or 8640) * 4 // 5, 2600)

    def _number_format(self, indicator: Indicator, values: Sequence[float]) -> str:
        """A chart's number format writing values as the presenter does: "9.8%", "£7"."""
        digits = "#,##0" if all(float(v).is_integer() for v in values) else "#,##0.0##"
        before, _, after = self.presenter.value(indicator, 7).partition("7")
        before, after = (f'"{part}"' if part else "" for part in (
            before.replace('"', ""), after.replace('"', "")))
        return before + digits + after

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
        self._pictures(axis.pictures)
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
        self._pictures(action.pictures)
        details: list[tuple[str, str | list[str]]] = [
            (key, presenter.join(self.names[key][i] for i in ids if i in self.names[key]))
            for key, ids in (("places", action.places), ("partners", action.partners),
                             ("programmes", action.programmes))]
        details += [("dates", presenter.action_dates(action)), ("milestones", [
            f"{presenter.date(milestone.date)} – {milestone.title}"
            for milestone in action.milestones])]
        if action.budget is not None:
            amount = presenter.money(action.budget.amount, action.budget.currency)
            period = presenter.period(action.budget.period)
            details.append(("budget", f"{amount} {period}" if period else amount))
        self._details(details)
        for indicator in action.indicators:
            self._key_figure(indicator)

    def _key_figure(self, indicator: Indicator) -> None:
        """The figure big, then the sentence (the number not repeated when it leads), its
        change and its chart; then what it is measured against, its values and source."""
        presenter = self.presenter
        value = presenter.indicator_value(indicator)
        phrase = presenter.indicator_phrase(indicator)
        if phrase.startswith(value):
            phrase = phrase[len(value):].lstrip()
        p = paragraph(self.body, self.styles["Key Figure"])
        run(p, value, self.styles["Key Figure Number"])
        _lines(p, [phrase, *filter(None, [presenter.change_sentence(indicator)])])
        if has_change_data(indicator):
            self._change_chart(p, indicator)
        baseline, target, direction = indicator.baseline, indicator.target, indicator.direction
        self._details([
            ("baseline", presenter.reference(indicator, baseline) if baseline else ""),
            ("target", presenter.reference(indicator, target) if target else ""),
            ("direction", presenter.direction(direction) if direction else ""),
            ("series", [f"{presenter.date(point.date)}{self.colon}"
                        f"{presenter.value(indicator, point.value)}"
                        + (f" ({point.note})" if point.note else "")
                        + (f" – {point.source.name}" if point.source else "")
                        for point in indicator.series])])
        self._text(indicator.note or "", "Action Details", "List Bullet 2")
        if self.shared_source is None:
            self._details([("source", self._source(indicator))])

    def _details(self, details: Sequence[tuple[str, str | list[str]]]) -> None:
        """Each detail that has a value, its label in ``Strong``: a text, or lines under it."""
        for key, value in details:
            if value:
                p = self._labelled("Action Details", self.presenter.label(key),
                                   value if isinstance(value, str) else "")
                _lines(p, value if isinstance(value, list) else [])


def _lines(p: Any, texts: Iterable[str]) -> None:
    """Each text on a line of its own at the end of the paragraph ``p``."""
    for text in texts:
        element(element(p, "w:r"), "w:br")
        run(p, text)


def _chart_space() -> tuple[Any, Any]:
    """A chart's root and its plot area: no title, the legend under it, gaps for missing
    values, the text in the theme's body font as the document's (Word and LibreOffice
    differ otherwise)."""
    space = element(None, "c:chartSpace")
    chart = element(space, "c:chart")
    _c(chart, autoTitleDeleted="1")
    plot = element(chart, "c:plotArea")
    element(plot, "c:layout")
    _c(element(chart, "c:legend"), legendPos="b", overlay="0")
    _c(chart, plotVisOnly="1", dispBlanksAs="gap")
    text = element(space, "c:txPr")
    element(text, "a:bodyPr")
    element(text, "a:lstStyle")
    font = element(element(element(text, "a:p"), "a:pPr"), "a:defRPr", sz="900")
    element(font, "a:latin", typeface="+mn-lt")
    return space, plot


def _series(chart: Any, index: int, name: str, categories: Sequence[str],
            values: Sequence[float], labelled: set[int], decoration: Sequence[Any] = (),
            number_format: str | None = None) -> Any:
    """A series of ``chart``: its values by category, written on the points ``labelled``
    (above them, in ``number_format``, if given); ``decoration`` its lines and markers."""
    series = element(chart, "c:ser")
    _c(series, idx=str(index), order=str(index))
    element(element(series, "c:tx"), "c:v").text = clean(name)
    series.extend(decoration)
    labels = element(series, "c:dLbls")
    for point in sorted(set(range(len(categories))) - labelled):
        _c(element(labels, "c:dLbl"), idx=str(point), delete="1")
    if number_format:
        element(labels, "c:numFmt", formatCode=number_format, sourceLinked="0")
        _c(labels, dLblPos="t")
    _c(labels, showLegendKey="0", showVal="1", showCatName="0", showSerName="0",
       showPercent="0", showBubbleSize="0")
    for tag, kind, points in (("c:cat", "c:strLit", categories), ("c:val", "c:numLit", values)):
        data = element(element(series, tag), kind)
        element(data, "c:ptCount", val=str(len(categories)))
        for point, value in enumerate(points):
            element(element(data, "c:pt", idx=str(point)), "c:v").text = str(value)
    return series


def _marker(symbol: str, point: int | None = None) -> Any:
    """A series' marker, or with ``point`` that point's own (a ``c:dPt``)."""
    outer = element(None, "c:dPt") if point is not None else None
    if outer is not None:
        _c(outer, idx=str(point))
    marker = element(outer, "c:marker")
    _c(marker, symbol=symbol)
    if symbol != "none":
        _c(marker, size="7" if symbol == "circle" else "9")
    return marker if outer is None else outer


def _axes(plot: Any, chart: Any, position: str, order: str) -> None:
    """The category axis at ``position`` in ``order``; the value axis hidden, the values
    being written on the chart."""
    for axis_id in ("1", "2"):
        element(chart, "c:axId", val=axis_id)
    for tag, axis_id, crosses, hidden in (("c:catAx", "1", "2", "0"), ("c:valAx", "2", "1", "1")):
        axis = element(plot, tag)
        _c(axis, axId=axis_id)
        _c(element(axis, "c:scaling"), orientation=order if tag == "c:catAx" else "minMax")
        _c(axis, delete=hidden, axPos=position if tag == "c:catAx" else {"l": "b", "b": "l"}[
            position], crossAx=crosses)


def _c(parent: Any, **values: str) -> None:
    """Chart elements ``<c:name val="value"/>`` at the end of ``parent``, in this order."""
    for name, value in values.items():
        element(parent, f"c:{name}", val=value)


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
