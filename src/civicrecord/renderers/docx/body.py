"""The body of the Word document: the report as a WordprocessingML tree, laid out for print.

It reads like a brochure a council would send to the printer, in the order
docs/theming-docx.md gives: the cover and the contents in sections of their
own, without header or footer, then chapters that each open a page; the
pictures stand where the web page shows them. Every paragraph takes a style
from ``REQUIRED_STYLES``; the only direct formatting keeps a table's rows, and
a picture and its caption, on one page. All text enters through
:func:`ooxml.run`. Pictures and charts become new parts of the package, the
charts DrawingML, which Word and LibreOffice draw as vectors in the colours of
the reference's theme.
"""

from __future__ import annotations

import copy
import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from civicrecord.change import figures_that_change, has_change_data
from civicrecord.model import Action, Indicator, MeasureKind, Picture, Report, ThematicAxis
from civicrecord.presentation import STATUS_ORDER, Presenter
from civicrecord.renderers.docx.ooxml import NS, clean, element, field, maker, paragraph, qn, run
from civicrecord.renderers.docx.package import Prepared, add_parts, xml_bytes
from civicrecord.text import blocks

__all__ = ["write_parts"]

#: Shares of the text width taken by the key figures table's columns, without the source.
COLUMN_SHARES = (0.46, 0.2, 0.14, 0.2)
#: Widest a report's picture is published, in pixels: a text column printed at 300 dpi.
PICTURE_WIDTH = 2000
EMU_PER_TWIP = 635
_TWIPS_PER_PIXEL = 15  # at 96 dpi, the size a picture has in Word when it is not scaled
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
A, C, PIC, WP = maker("a"), maker("c"), maker("pic"), maker("wp")
_TITLE = "_CivicrecordTitle"


def write_parts(reference: Prepared, report: Report, presenter: Presenter,
                base_dir: Path | None) -> dict[str, bytes]:
    """Every part of ``reference`` with the report written in: its body, headers and
    footers, and its pictures (read in ``base_dir``) and charts as new parts."""
    root = etree.fromstring(reference.parts[reference.document])
    body = root.find(qn("w:body"))  # holding only its section properties
    writer = _Writer(body, report, reference, presenter, base_dir)
    writer.write()
    body.append(body[0])  # the section properties, moved back to the end, where Word wants them
    title = f"{report.title} – {report.subtitle}" if report.subtitle else report.title
    parts = {**reference.parts, reference.document: xml_bytes(root),
             **_furniture(reference, title, f"{presenter.label('page')} ")}
    add_parts(parts, reference.document, writer.media)
    return parts


class _Writer:
    """Writes one report; holds what the table of contents needs."""

    def __init__(self, body: Any, report: Report, reference: Prepared, presenter: Presenter,
                 base_dir: Path | None) -> None:
        self.body, self.report, self.presenter, self.base_dir = body, report, presenter, base_dir
        #: The pictures and charts: name, data, content type, relationship and its id.
        self.media: list[tuple[str, bytes, str, str, str]] = []
        self.styles, self.fixed = reference.styles, bool(reference.text_width)
        self.width, self.height = reference.text_width or 8640, reference.text_height or 13000
        self.colon = presenter.label("colon")
        sources = {self._source(indicator) for _, _, indicator in report.indicators()}
        #: The one source of every figure, said once under the key figures, not on each.
        self.shared_source = sources.pop() if len(sources) == 1 else None
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
        self.body[contents:contents] = self._contents()

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
        # After the notes' properties, first in the schema's order once the headers are gone.
        section.insert(len(section.xpath("w:footnotePr|w:endnotePr", namespaces=NS)),
                       element(None, "w:type", val="nextPage"))
        element(self.body, "w:p/w:pPr").append(section)

    def _text(self, text: str, paragraph_style: str = "Normal",
              bullet_style: str = "List Bullet") -> None:
        """Report text as paragraphs and bullet lists, never as markup."""
        for block in blocks(text):
            if block.kind == "bullets":
                for line in block.lines:
                    self._paragraph(bullet_style, line)
            else:
                self._paragraph(paragraph_style, block.text)

    def _pictures(self, pictures: Iterable[Picture], width: int = 0, height: int = 0) -> None:
        """Each picture on a line of its own, at most ``width`` by ``height`` twips (the text
        width, less than half the page) and never past its size at 96 dpi; its caption,
        then credit and licence, under it."""
        from civicrecord.pictures import published

        for picture in pictures:
            p = paragraph(self.body, self.styles["Normal"])
            shown = published(picture, self.base_dir, PICTURE_WIDTH, ("PNG", "JPEG"))
            scale = min((width or self.width) / shown.width,
                        (height or self.height * 9 // 20) / shown.height, _TWIPS_PER_PIXEL)
            size = [max(1, round(length * scale)) for length in (shown.width, shown.height)]
            kind = shown.media_type.rsplit("/", 1)[-1]
            rel_id = self._part(f"media/civicrecord-{{}}.{kind}", shown.content,
                                shown.media_type, "image")
            self._inline(p, picture.alt, size, NS["pic"], PIC.pic(
                PIC.nvPicPr(PIC.cNvPr(id="0", name="picture"), PIC.cNvPicPr()),
                PIC.blipFill(A.blip({qn("r:embed"): rel_id}), A.stretch(A.fillRect())),
                PIC.spPr(A.xfrm(A.off(x="0", y="0"), A.ext(_size(size))),
                         A.prstGeom(prst="rect"))))
            credit = ", ".join(text for text in (picture.credit, picture.licence) if text)
            lines = [text for text in (picture.caption, credit) if text]
            if lines:
                element(p.find(qn("w:pPr")), "w:keepNext")
                caption = paragraph(self.body, self.styles["Caption"])
                run(caption, lines[0])
                _lines(caption, lines[1:])

    def _chart(self, parent: Any, chart: Any, position: str, order: str, alt: str,
               size: Sequence[int]) -> None:
        """The DrawingML ``chart`` inline in ``parent``: no title, the legend under it, gaps
        for missing values, the text in the theme's body font as the document's (Word and
        LibreOffice differ otherwise); the category axis at ``position`` in ``order``, the
        value axis hidden, the values being written on the chart."""
        chart.extend([C.axId(val="1"), C.axId(val="2")])
        space = C.chartSpace(
            C.chart(C.autoTitleDeleted(val="1"), C.plotArea(chart, C.catAx(
                C.axId(val="1"), C.scaling(C.orientation(val=order)), C.delete(val="0"),
                C.axPos(val=position), C.crossAx(val="2")), C.valAx(
                C.axId(val="2"), C.scaling(C.orientation(val="minMax")), C.delete(val="1"),
                C.axPos(val={"l": "b", "b": "l"}[position]), C.crossAx(val="1"))),
                C.legend(C.legendPos(val="b"), C.overlay(val="0")), C.dispBlanksAs(val="gap")),
            C.txPr(A.bodyPr(), A.p(A.pPr(A.defRPr(A.latin(typeface="+mn-lt"), sz="900")))))
        etree.cleanup_namespaces(space, top_nsmap={"c": NS["c"], "a": NS["a"]})
        rel_id = self._part("charts/civicrecord-chart{}.xml", xml_bytes(space),
                            "application/vnd.openxmlformats-officedocument.drawingml.chart+xml",
                            "chart")
        self._inline(parent, alt, size, NS["c"], C.chart({qn("r:id"): rel_id}))

    def _part(self, name: str, data: bytes, content_type: str, kind: str) -> str:
        """A new part of the package, ``name`` numbered: its relationship's id."""
        rel_id = f"rIdCivicrecord{len(self.media) + 1}"
        self.media.append((f"word/{name.format(len(self.media) + 1)}", data, content_type,
                           _RELATIONSHIPS + kind, rel_id))
        return rel_id

    def _inline(self, parent: Any, alt: str, size: Sequence[int], uri: str,
                graphic: Any) -> None:
        number = str(len(self.media))
        element(parent, "w:r/w:drawing").append(WP.inline(
            WP.extent(_size(size)),
            WP.docPr(id=number, name=f"civicrecord {number}", descr=clean(alt)),
            WP.cNvGraphicFramePr(), A.graphic(A.graphicData(graphic, uri=uri)),
            distT="0", distB="0", distL="0", distR="0"))

    def _cover(self) -> None:
        report, presenter = self.report, self.presenter
        if report.logo is not None:  # above the title, a quarter of the width at most
            self._pictures([report.logo], self.width // 4, 1134)
        self._paragraph("Title", report.title)
        if report.subtitle:
            self._paragraph("Subtitle", report.subtitle)
        neighbourhood = report.neighbourhood
        place = neighbourhood.name
        if neighbourhood.city.casefold() not in place.casefold():
            place = f"{place}, {neighbourhood.city}"
        population = neighbourhood.population
        self._details([
            ("authority", report.authority.name), ("neighbourhood", place),
            ("reporting_period", presenter.reporting_period(report.period)),
            ("published", presenter.date(report.published) if report.published else ""),
            ("population", presenter.number(population) if population is not None else ""),
            ("priority_area_code", neighbourhood.priority_area_code or "")], "Cover Details")
        if report.cover is not None:  # half the page: room left for a long title
            self._pictures([report.cover], height=self.height // 2)

    def _introduction(self) -> None:
        introduction = self.report.introduction
        self._chapter(self.presenter.label("introduction"))
        self._text(self.report.neighbourhood.description)
        for key, text in (("situation", introduction.situation), ("aim", introduction.aim)):
            self._paragraph("Front Heading", self.presenter.label(key))
            self._text(text)

    def _contents(self) -> list[Any]:
        """Each chapter a link, then its page: a ``PAGEREF`` field LibreOffice computes as it
        lays the pages out, Word when it updates the fields (it asks on opening)."""
        entries = []
        for page, (text, bookmark) in enumerate(self.contents, 3):
            p = paragraph(None, self.styles["TOC 1"])
            link = element(p, "w:hyperlink", anchor=bookmark, history="1")
            run(link, text)
            element(link, "w:r/w:tab")
            field(link, f"PAGEREF {bookmark} \\h", str(page))
            entries.append(p)
        return entries

    def _what_changed(self) -> None:
        """As on the web page, near the top: each axis's figures that change."""
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
            self._details([("source", self.shared_source or "")], "Normal")
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
        if self.fixed:
            element(properties, "w:tblLayout", type="fixed")
        element(properties, "w:tblLook", val="04A0", firstRow="1", lastRow="0",
                firstColumn="1", lastColumn="0", noHBand="0", noVBand="1")
        widths = [str(int(self.width * share)) for share in shares]
        grid = element(table, "w:tblGrid")
        for width in widths:
            element(grid, "w:gridCol", w=width)
        for index, texts in enumerate(rows):
            row = element(table, "w:tr")
            properties = element(row, "w:trPr")
            if index == 0:
                element(properties, "w:tblHeader")
            element(properties, "w:cantSplit")
            for width, text in zip(widths, texts, strict=True):
                cell = element(row, "w:tc")
                element(cell, "w:tcPr/w:tcW", type="dxa", w=width)
                p = element(cell, "w:p")
                if index < len(rows) - 1:
                    element(p, "w:pPr/w:keepNext")
                if text:
                    run(p, text)

    def _status_chart(self) -> None:
        """Each axis's actions by status: stacked bars, their counts written on them."""
        presenter, axes = self.presenter, self.report.axes
        counts = [Counter(action.status for action in axis.actions) for axis in axes]
        statuses = [status for status in STATUS_ORDER if any(c[status] for c in counts)]
        if not statuses:
            return
        title = presenter.label("status_overview")
        self._paragraph("Front Heading", title)
        names = [clean(f"{number}. {axis.title}") for number, axis in enumerate(axes, 1)]
        bars = []
        for index, status in enumerate(statuses):
            values = [c[status] for c in counts]  # no label on a segment of nothing
            bars.append(_series(index, presenter.status(status), names, values,
                                {point for point, value in enumerate(values) if value}))
        alt = [f"{name}{self.colon}" + presenter.join(
            f"{presenter.number(c[status])} {presenter.status(status)}"
            for status in statuses if c[status]) for name, c in zip(names, counts, strict=True)]
        self._chart(paragraph(self.body, self.styles["Normal"]), C.barChart(
            C.barDir(val="bar"), C.grouping(val="stacked"), C.varyColors(val="0"), *bars,
            C.gapWidth(val="60"), C.overlap(val="100")), "l", "maxMin",  # the first at the top
            f"{title}. {'; '.join(alt)}.", (self.width, 1400 + 420 * len(axes)))
        total = sum(counts, Counter())  # under the chart, as the web page and the PDF say it
        self._details([("total", presenter.join(f"{presenter.number(total[status])} "
                                                f"{presenter.status(status)}"
                                                for status in statuses))], "Normal")

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
        element(parent, "w:r/w:br")
        label, target = self.presenter.label, layout.target
        points = [*layout.observed, *([target] if target else [])]
        dates = [self.presenter.date(p.point.date) if p.point.date else "" for p in points]
        observed = [placed.point.value for placed in layout.observed]
        last, baseline = len(points) - 1, layout.observed[0].role == "baseline"
        number_format = functools.partial(self._number_format, indicator)
        # The baseline's square is drawn over the line's first point, which shows none.
        lines = [_series(0, label("series"), dates, observed,
                         set(range(baseline, len(observed))), number_format(observed),
                         _marker("circle"))]
        if baseline:
            lines[0].find(qn("c:dLbls")).addprevious(C.dPt(C.idx(val="0"), _marker("none")))
            lines.append(_series(1, label("baseline"), dates, observed[:1], {0},
                                 number_format(observed[:1]), _line(A.noFill()),
                                 _marker("square")))
        if target is not None:
            values = [target.point.value] * len(points)
            lines.append(_series(len(lines), label("target"), dates, values, {last},
                                 number_format(values), _line(A.prstDash(val="dash")),
                                 _marker("none"), C.dPt(C.idx(val=str(last)),
                                                        _marker("diamond"))))
        for series in lines:
            series.append(C.smooth(val="0"))
        self._chart(parent, C.lineChart(C.grouping(val="standard"), C.varyColors(val="0"),
                                        *lines, C.marker(val="1")), "b", "minMax",
                    chart_alt_text(indicator, self.presenter), (self.width * 4 // 5, 2600))

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

    def _details(self, details: Sequence[tuple[str, str | list[str]]],
                 style: str = "Action Details") -> None:
        """Each detail that has a value, its label in ``Strong``: a text, or lines under it."""
        for key, value in details:
            if value:
                p = paragraph(self.body, self.styles[style])
                run(p, f"{self.presenter.label(key)}{self.colon}", self.styles["Strong"])
                if isinstance(value, str):
                    run(p, value)
                _lines(p, value if isinstance(value, list) else [])


def _lines(p: Any, texts: Iterable[str]) -> None:
    """Each text on a line of its own at the end of the paragraph ``p``."""
    for text in texts:
        element(p, "w:r/w:br")
        run(p, text)


def _series(index: int, name: str, categories: Sequence[str], values: Sequence[float],
            labelled: set[int], number_format: str = "", *decoration: Any) -> Any:
    """A chart's series: its values by category, written on the points ``labelled``
    (above them, in ``number_format``, if given); ``decoration`` its line and markers."""
    labels = C.dLbls(*(C.dLbl(C.idx(val=str(point)), C.delete(val="1"))
                       for point in range(len(categories)) if point not in labelled))
    if number_format:
        labels.extend([C.numFmt(formatCode=number_format, sourceLinked="0"), C.dLblPos(val="t")])
    labels.extend([C.showLegendKey(val="0"), C.showVal(val="1"), C.showCatName(val="0"),
                   C.showSerName(val="0"), C.showPercent(val="0"), C.showBubbleSize(val="0")])
    data = [[C.ptCount(val=str(len(categories))), *(C.pt(C.v(str(value)), idx=str(point))
                                                      for point, value in enumerate(points))]
            for points in (categories, values)]
    return C.ser(C.idx(val=str(index)), C.order(val=str(index)), C.tx(C.v(clean(name))),
                 *decoration, labels, C.cat(C.strLit(*data[0])), C.val(C.numLit(*data[1])))


def _marker(symbol: str) -> Any:
    size = [] if symbol == "none" else [C.size(val="7" if symbol == "circle" else "9")]
    return C.marker(C.symbol(val=symbol), *size)


def _line(kind: Any) -> Any:
    return C.spPr(A.ln(kind, w="19050"))


def _size(size: Sequence[int]) -> dict[str, str]:
    """DrawingML's size attributes of ``size``, width and height in twips."""
    return {"cx": str(size[0] * EMU_PER_TWIP), "cy": str(size[1] * EMU_PER_TWIP)}


def _furniture(reference: Prepared, header: str, footer: str) -> dict[str, bytes]:
    """The header parts with the title, the footer parts with ``footer`` and the page number.

    The title is marked by a hidden bookmark, so that a document rendered before,
    taken as the reference (last year's, restyled), gets this title in its place.
    """
    written = {}
    for names, text, page in ((reference.headers, header, False),
                              (reference.footers, footer, True)):
        for number, name in enumerate(names, 1):
            root = etree.fromstring(reference.parts[name])
            for old in root.xpath(f".//w:p[w:bookmarkStart[starts-with(@w:name, '{_TITLE}')]]",
                                  namespaces=NS):
                old.getparent().remove(old)
            lone = root.findall(qn("w:p"))
            if len(lone) == 1 and not lone[0].xpath("./w:r|./w:hyperlink|./w:fldSimple",
                                                    namespaces=NS):
                root.remove(lone[0])  # the empty paragraph Word saves in an empty header
            free = paragraph(root, reference.styles["Footer" if page else "Header"])
            if not page:  # an id apart from the contents' bookmarks, which count from 1
                element(free, "w:bookmarkStart", id=str(10**6 + number), name=f"{_TITLE}{number}")
            run(free, text)
            if page:
                field(free, "PAGE", "1")
            else:
                element(free, "w:bookmarkEnd", id=str(10**6 + number))
            written[name] = xml_bytes(root)
    return written
