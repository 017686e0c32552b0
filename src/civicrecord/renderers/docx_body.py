"""The body of the Word document: the report as WordprocessingML text.

The document reads like one a council would make by hand: a cover with the
introduction, the key figures, a table of contents, then one chapter per
axis (the need, the actions with their status and details, the outcome) with
its figures set out as callouts, and last the partners and programmes. Every
paragraph takes a style from ``REQUIRED_STYLES`` and no direct formatting, so
a city restyles it all from its reference document. All text goes through
:mod:`docx_xml`'s one path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from civicrecord.model import (
    Action,
    Indicator,
    MeasureKind,
    Partner,
    Place,
    Programme,
    Report,
    ThematicAxis,
)
from civicrecord.presentation import Presenter
from civicrecord.renderers import docx_xml as x
from civicrecord.text import blocks

__all__ = ["TOC_INSTRUCTION", "body_xml"]

#: Levels 1-3 as hyperlinks, without page numbers in web view, keeping outline levels.
TOC_INSTRUCTION = r'TOC \o "1-3" \h \z \u'


def body_xml(report: Report, styles: Mapping[str, str], presenter: Presenter,
             column_widths: Sequence[int], fixed_columns: bool) -> list[str]:
    """The children of ``w:body`` before its section properties, as pieces of XML in order.

    ``styles`` maps each required style's name to its id in the reference
    document, escaped for an attribute; ``column_widths`` (twips) shape the
    key figures table.
    """
    writer = _Writer(report, styles, presenter, column_widths, fixed_columns)
    writer.write()
    return writer.parts


def _names(items: Sequence[Place | Partner | Programme]) -> dict[str, str]:
    return {item.id: item.name for item in reversed(items)}


class _Writer:
    """Writes one report; holds what the table of contents needs."""

    def __init__(self, report: Report, styles: Mapping[str, str], presenter: Presenter,
                 column_widths: Sequence[int], fixed_columns: bool) -> None:
        self.report = report
        self.styles = styles
        self.presenter = presenter
        self.column_widths = column_widths
        self.fixed_columns = fixed_columns
        self.colon = presenter.label("colon")
        self.parts: list[str] = []
        self.contents: list[tuple[int, str, str]] = []
        # Names by id, the first of an id winning as in Report.place(); looked up per action.
        self.names = {"places": _names(report.neighbourhood.places),
                      "partners": _names(report.partners),
                      "programmes": _names(report.programmes)}

    def write(self) -> None:
        self._cover()
        self._key_figures_table()
        self._paragraph("TOC Heading", self.presenter.label("contents"))
        contents = len(self.parts)
        self.parts.append("")  # the table of contents, once the headings are known
        for axis in self.report.axes:
            self._axis(axis)
        self._appendix()
        self.parts[contents] = self._contents()

    # -- building blocks --------------------------------------------------------

    def _paragraph(self, style: str, text: str = "") -> None:
        self.parts.append(x.paragraph(self.styles[style], x.run(text) if text else ""))

    def _heading(self, style: str, level: int, text: str) -> None:
        number = len(self.contents) + 1
        bookmark = f"_Toc{number:09d}"
        self.parts.append(x.paragraph(self.styles[style], x.bookmark_start(bookmark, number)
                                      + x.run(text) + x.bookmark_end(number)))
        self.contents.append((level, text, bookmark))

    def _labelled(self, label: str, value: str, *more: str) -> None:
        """One of an action's details (``Action Details``)."""
        self._labelled_in("Action Details", label, value, *more)

    def _labelled_in(self, style: str, label: str, value: str, *more: str) -> None:
        """A label in ``Strong``, then its value, then ``more`` runs (XML already written)."""
        content = x.run(f"{label}{self.colon}", self.styles["Strong"])
        if value:
            content += x.run(value)
        self.parts.append(x.paragraph(self.styles[style], content + "".join(more)))

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
            self._labelled_in("Cover Details", presenter.label(key), value)
        self._text(neighbourhood.description)
        self._paragraph("Front Heading", presenter.label("situation"))
        self._text(report.introduction.situation)
        self._paragraph("Front Heading", presenter.label("aim"))
        self._text(report.introduction.aim)

    def _contents(self) -> str:
        """The table of contents as Word would compute it, less the page numbers.

        LibreOffice does not recompute fields when converting, and Word only on
        request; pre-filled entries mean the table is never empty.
        """
        if not self.contents:
            return x.paragraph(self.styles["TOC 1"], x.field(TOC_INSTRUCTION, ""))
        entries = []
        last = len(self.contents) - 1
        for index, (level, text, bookmark) in enumerate(self.contents):
            content = x.internal_link(text, bookmark)
            if index == 0:
                content = x.field_begin(TOC_INSTRUCTION) + content
            if index == last:
                content += x.FIELD_END
            entries.append(x.paragraph(self.styles[f"TOC {level}"], content))
        return "".join(entries)

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
        self.parts.append(x.table(self.styles["Key Figures Table"], self.column_widths,
                                  self.fixed_columns, rows))

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
                content = x.run(item.name, self.styles["Strong"])
                if item.url:
                    content += x.run(f" ({item.url})")
                self.parts.append(x.paragraph(self.styles["Normal"], content))
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
        self.parts.append(x.paragraph(styles["List Bullet"], (
            x.run(action.title, styles["Strong"]) + x.run(" ")
            + x.run(presenter.status(action.status), styles["Action Status"]))))
        self._text(action.description, "List Continue", "List Bullet 2")
        for key, ids in (("places", action.places), ("partners", action.partners),
                         ("programmes", action.programmes)):
            known = self.names[key]
            values = [known[i] for i in ids if i in known]
            if values:
                self._labelled(presenter.label(key), presenter.join(values))
        dates = presenter.date_range(action.start, action.end)
        if dates:
            self._labelled(presenter.label("dates"), dates)
        if action.milestones:
            self._labelled(presenter.label("milestones"), "", *(
                x.BREAK + x.run(f"{presenter.date(milestone.date)} – {milestone.title}")
                for milestone in action.milestones))
        if action.budget is not None:
            budget = action.budget
            amount = presenter.money(budget.amount, budget.currency)
            period = presenter.period(budget.period)
            self._labelled(presenter.label("budget"), f"{amount} {period}" if period else amount)
        for indicator in action.indicators:
            self._key_figure(indicator)

    def _key_figure(self, indicator: Indicator) -> None:
        """The figure big, then the sentence; the number is not repeated when it leads."""
        value = self.presenter.indicator_value(indicator)
        phrase = self.presenter.indicator_phrase(indicator)
        if phrase.startswith(value):
            phrase = phrase[len(value):].lstrip()
        self.parts.append(x.paragraph(self.styles["Key Figure"], (
            x.run(value, self.styles["Key Figure Number"]) + x.BREAK + x.run(phrase))))
