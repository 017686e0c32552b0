"""Write a report as CommonMark that reads well as plain text.

Report text is plain text, never markup. Every piece of it goes through
:func:`inline`, which backslash-escapes what CommonMark, GitHub Flavored
Markdown and pandoc's extensions would read as markup anywhere in a line:
emphasis, links, images, raw HTML, entities, code, strike-through,
sub/superscripts, ``$math$``, ``:emoji:``, citations and the bare URLs and
e-mail addresses GFM would turn into links. Where the text stands adds its own
rules: :func:`block_start` where it begins a paragraph or a list item (no list,
quote, heading, break, line block or definition), :func:`heading_text` in a
heading (no closing ``#``), :func:`cell` in a table (no ``|``).

Only what would be read as markup is escaped, so the file reads as the text
("17.2%", "R&D", "snake_case", "x < 5", "#1" mid-line are left alone).
An escape is decided by the text's own characters, never by what the writer
puts beside it: a character whose meaning depends on what follows is escaped
when it ends the text, so pieces written side by side stay literal.
CommonMark lets any ASCII punctuation be escaped, so an escape is always read
as the literal character. Blocks are separated by blank lines: no text line is
ever followed by a line that could underline it as a heading.

The layout: the title, the report's facts, the introduction, what changed,
the actions by status for each axis (a pipe table), one ``##`` section per axis
(need, actions, outcome, figures), the key figures as a pipe table, then
partners and programmes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import attrs

from civicrecord.model import (
    Action,
    ActionStatus,
    Indicator,
    MeasureKind,
    Picture,
    ReferencePoint,
    Report,
    Source,
    ThematicAxis,
)
from civicrecord.pictures import published
from civicrecord.presentation import STATUS_ORDER, Presenter, map_url, presenter_for
from civicrecord.text import blocks, link_target

__all__ = ["PICTURE_WIDTH", "block_start", "cell", "heading_text", "inline", "write_report"]

#: Widest a picture is published, in pixels: twice a 704-pixel text column, as in HTML.
PICTURE_WIDTH = 1408

# Characters that may start or end inline markup anywhere in a line. "_" between two
# letters or digits opens and closes nothing (CommonMark's flanking rule, GFM's and
# pandoc's intraword underscores); "<" opens a tag or an autolink only before a letter,
# "/", "!" or "?"; "&" starts an entity only as "&name;" or "&#123;". The end of the
# text ("$") counts as "could be anything": the writer may put ";" or a letter there.
_INLINE_SPECIAL = re.compile(r"[\\`*{}\[\]~^$@]|(?<![^\W_])_|_(?![^\W_])"
                             r"|<(?=[A-Za-z/!?]|$)|&(?=#?[A-Za-z0-9]*(?:;|$))")
# ":word:" is an emoji shortcode for GFM and pandoc; "@" starts a pandoc citation or
# makes an e-mail address a link; "https://..." and "www." become links in GFM.
_EMOJI = re.compile(r":(?=[A-Za-z0-9_+-]+(?::|$))")
_AUTOLINK = re.compile(r"(?i)(?<=\bhttps)(?=://)|(?<=\bhttp)(?=://)|(?<=\bftp)(?=://)"
                       r"|(?<=\bwww)(?=\.)")
# What begins a block, when it stands first: a bullet ("- ", "+ ", a "---" break), an
# ordered list marker ("1. " "2)" "a. " "(iv) ", pandoc's fancy lists) before a space
# or the end, a heading or pandoc example list ("#"), a quote, a pandoc line block
# ("| ") or definition (": "). inline() has escaped "*", "`", "~" and a tag's "<".
_BLOCK_MARKER = re.compile(r"^(?=[-+](?:[-+ ]|$)|[#>]|[|:](?: |$))")
_ORDERED_MARKER = re.compile(r"^(\(?(?:\d{1,9}|[A-Za-z]|[ivxlcdm]+|[IVXLCDM]+))(?=[.)](?: |$))")
# A heading's closing sequence: "#"s at its end after a space, or the whole heading.
_CLOSING_HASHES = re.compile(r"(^| )(?=#+$)")
# Line breaks and runs of ordinary spaces; no-break spaces ("350\u202f000\u00a0€",
# "2021\u00a0:") are the presentation's typography and stay.
_SPACES = re.compile(r"[ \t\r\n\f\v\x85\u2028\u2029]+")


def inline(text: str) -> str:
    """Text as it must be written inside a line for it to show literally."""
    text = _SPACES.sub(" ", text).strip(" ")
    text = _INLINE_SPECIAL.sub(lambda match: "\\" + match.group(), text)
    text = _EMOJI.sub(r"\\:", text)
    return _AUTOLINK.sub(r"\\", text)


def _block(markdown: str) -> str:
    """Inline Markdown made safe to begin a paragraph or a list item."""
    return _ORDERED_MARKER.sub(r"\1\\", _BLOCK_MARKER.sub(r"\\", markdown))


def block_start(text: str) -> str:
    """Escaped text that also begins a block: no list, quote, heading, break or definition."""
    return _block(inline(text))


def heading_text(text: str) -> str:
    """Escaped text for after ``## ``: a heading's "#"s at its end would close it."""
    return _CLOSING_HASHES.sub(r"\1\\", inline(text), count=1)


def cell(text: str) -> str:
    """Escaped text for a pipe table's cell, where "|" would end it."""
    return inline(text).replace("|", "\\|")


def _url(url: str | None) -> str | None:
    """A link destination, or None for an address a report may not link to.

    The rule is :func:`civicrecord.text.link_target`'s, as in every format
    (http(s) and mailto; no ``javascript:``, no files); what would end a
    ``<...>`` destination is percent-encoded.
    """
    target = link_target(url)
    if target is None:
        return None
    for char, code in (("\\", "%5C"), ("<", "%3C"), (">", "%3E")):
        target = target.replace(char, code)
    return target


def _link(name: str, url: str | None) -> str:
    target = _url(url)
    return f"[{inline(name)}](<{target}>)" if target else inline(name)


class _Writer:
    def __init__(self, report: Report, language: str, base_dir: Path | None = None) -> None:
        self.report = report
        self.base_dir = base_dir
        self.picture_uris: list[str] = []
        self.say: Presenter = presenter_for(language)
        self.colon = "\u00a0: " if self.say.labels_language == "fr" else ": "
        self.parts: list[str] = []

    # -- building blocks ------------------------------------------------------------

    def label(self, key: str) -> str:
        return self.say.label(key)

    def heading(self, level: int, text: str) -> None:
        self.parts.append(f"{'#' * level} {heading_text(text)}")

    def text(self, text: str | None) -> None:
        """Report text: paragraphs and bullet lists, escaped."""
        for block in blocks(text or ""):
            if block.kind == "bullets":
                self.parts.append("\n".join(f"- {block_start(line)}" for line in block.lines))
            else:
                self.parts.append(block_start(block.text))

    def items(self, items: Iterable[str]) -> None:
        """A bullet list of lines already written as Markdown."""
        lines = [f"- {item}" for item in items]
        if lines:
            self.parts.append("\n".join(lines))

    def pictures(self, pictures: Iterable[Picture]) -> None:
        """Each picture as an image with its alt text, then its caption and credit.

        The picture itself is a ``data:`` URI (re-encoded without metadata), in a
        reference definition at the end of the file, so the text stays readable.
        """
        for picture in pictures:
            shown = published(picture, self.base_dir, PICTURE_WIDTH)
            self.picture_uris.append(shown.data_uri)
            label = f"picture-{len(self.picture_uris)}"
            self.parts.append(f"![{inline(picture.alt)}][{label}]")
            credit = ", ".join(inline(text) for text in (picture.credit, picture.licence) if text)
            caption = f"*{inline(picture.caption)}*" if picture.caption else ""
            if credit:  # _block: alone, "(a) City" would be a pandoc list marker
                credit = f"({credit})" if caption else _block(f"({credit})")
            if caption or credit:
                self.parts.append(" ".join(part for part in (caption, credit) if part))

    def fact(self, key: str, value: str) -> str:
        """"**Label :** value"; ``value`` is already Markdown."""
        return f"**{inline(self.label(key))}**{self.colon.rstrip()} {value}"

    def source(self, source: Source | None) -> str:
        if source is None:
            return ""
        date = f", {inline(self.say.date(source.date))}" if source.date else ""
        return (f" ({inline(self.label('source'))}{self.colon.rstrip()} "
                f"{_link(source.name, source.url)}{date})")

    def reference(self, indicator: Indicator, key: str, point: ReferencePoint | None) -> str:
        if point is None:
            return ""
        value = self.say.reference(indicator, point)
        return f"; {inline(self.label(key).lower())} {inline(value)}"

    def figure(self, indicator: Indicator) -> str:
        """One figure as a list item: its phrase, what changed, baseline, target, direction,
        values over time, note and source."""
        say = self.say
        line = block_start(say.indicator_phrase(indicator))
        change = say.change_sentence(indicator)
        if change:
            line += f" – **{inline(change)}**"
        line += self.reference(indicator, "baseline", indicator.baseline)
        line += self.reference(indicator, "target", indicator.target)
        if indicator.direction is not None:
            line += (f"; {inline(self.label('direction').lower())}{inline(self.colon.rstrip())} "
                     f"{inline(say.direction(indicator.direction))}")
        if indicator.note:
            line += f". {inline(indicator.note)}"
        line += self.source(indicator.source)
        if indicator.series:
            points = []
            for point in indicator.series:
                text = (f"{inline(say.date(point.date))}{inline(self.colon.rstrip())} "
                        f"{inline(say.value(indicator, point.value))}")
                if point.note:
                    text += f" ({inline(point.note)})"
                points.append(text + self.source(point.source))
            line += "\n" + "\n".join(f"  - {point}" for point in points)
        return line

    # -- the report ---------------------------------------------------------------------

    def write(self) -> str:
        report = self.report
        self.heading(1, report.title)
        if report.subtitle:
            self.parts.append(f"*{inline(report.subtitle)}*")
        self.pictures(p for p in (report.logo, report.cover) if p is not None)
        self.front_matter()
        self.text(report.neighbourhood.description)
        self.heading(2, self.label("introduction"))
        self.heading(3, self.label("situation"))
        self.text(report.introduction.situation)
        self.heading(3, self.label("aim"))
        self.text(report.introduction.aim)
        self.what_changed()
        self.status_overview()
        for axis in report.axes:
            self.axis(axis)
        self.key_figures()
        self.directory()
        self.parts.extend(f"[picture-{n}]: <{uri}>"
                          for n, uri in enumerate(self.picture_uris, start=1))
        return "\n\n".join(part for part in self.parts if part) + "\n"

    def what_changed(self) -> None:
        """Near the top: each axis's figures with a baseline, target or series, and their
        change in words."""
        from civicrecord.change import figures_that_change

        sections = figures_that_change(self.report)
        if not sections:
            return
        self.heading(2, self.label("what_changed"))
        for axis, figures in sections:
            self.heading(3, axis.title)
            items = []
            for indicator in figures:
                text = block_start(self.say.indicator_phrase(indicator))
                change = self.say.change_sentence(indicator)
                items.append(f"{text} – **{inline(change)}**" if change else text)
            self.items(items)

    def front_matter(self) -> None:
        report, say = self.report, self.say
        place = report.neighbourhood
        facts = [
            self.fact("authority", _link(report.authority.name, report.authority.url)),
            self.fact("neighbourhood", inline(f"{place.name}, {place.city}")),
            self.fact("reporting_period", inline(say.reporting_period(report.period))),
        ]
        if report.published:
            facts.append(self.fact("published", inline(say.date(report.published))))
        if place.population is not None:
            facts.append(self.fact("population", inline(say.number(place.population))))
        if place.priority_area_code:
            facts.append(self.fact("priority_area_code", inline(place.priority_area_code)))
        self.items(facts)

    def axis(self, axis: ThematicAxis) -> None:
        self.heading(2, axis.title)
        self.heading(3, self.label("need"))
        self.text(axis.need)
        self.pictures(axis.pictures)
        self.heading(3, self.label("actions"))
        if not axis.actions:
            self.parts.append(inline(self.label("no_actions")))
        for action in axis.actions:
            self.action(action)
        self.heading(3, self.label("outcome"))
        self.text(axis.outcome)
        if axis.indicators:
            self.heading(3, self.label("figures"))
            self.items(self.figure(indicator) for indicator in axis.indicators)

    def action(self, action: Action) -> None:
        report, say = self.report, self.say
        self.heading(4, action.title)
        facts = [self.fact("status", inline(say.status(action.status)))]
        dates = say.action_dates(action)
        if dates:
            facts.append(self.fact("dates", inline(dates)))
        # A place with coordinates links to a map, as on the web page.
        places = [_link(p.name, map_url(p)) for p in map(report.place, action.places) if p]
        if places:
            facts.append(self.fact("places", say.join(places)))
        for key, names in (
            ("partners", [p.name for p in map(report.partner, action.partners) if p]),
            ("programmes", [p.name for p in map(report.programme, action.programmes) if p]),
        ):
            if names:
                facts.append(self.fact(key, inline(say.join(names))))
        if action.budget:
            budget = say.money(action.budget.amount, action.budget.currency)
            if action.budget.period:
                period = attrs.evolve(_BUDGET_FIGURE, period=action.budget.period)
                budget = f"{budget} {say.indicator_period(period)}".rstrip()
            facts.append(self.fact("budget", inline(budget)))
        self.items(facts)
        self.text(action.description)
        self.pictures(action.pictures)
        if action.milestones:
            self.parts.append(f"**{inline(self.label('milestones'))}**")
            self.items(f"{inline(say.date(m.date))}{inline(self.colon.rstrip())} "
                       f"{inline(m.title)}" for m in action.milestones)
        if action.indicators:
            self.parts.append(f"**{inline(self.label('figures'))}**")
            self.items(self.figure(indicator) for indicator in action.indicators)

    def key_figures(self) -> None:
        rows = list(self._figure_rows())
        if not rows:
            return
        self.heading(2, self.label("key_figures"))
        header = [self.label(key) for key in ("axis", "indicator", "value", "period", "source")]
        self.table(header, rows)

    def table(self, header: list[str], rows: Iterable[list[str]],
              numbers: int = 0) -> None:
        """A pipe table of plain texts; its last ``numbers`` columns aligned right."""
        rule = ["---"] * (len(header) - numbers) + ["--:"] * numbers
        lines = [_row(header), "| " + " | ".join(rule) + " |", *map(_row, rows)]
        self.parts.append("\n".join(lines))

    def status_overview(self) -> None:
        """Each numbered axis's actions by status, as the HTML page's chart counts them:
        a column per status that occurs, in STATUS_ORDER, a total column and row."""
        say, axes = self.say, self.report.axes
        counts = [Counter(action.status for action in axis.actions) for axis in axes]
        totals: Counter[ActionStatus] = Counter()
        for count in counts:
            totals.update(count)
        statuses = [status for status in STATUS_ORDER if totals[status]]
        if not statuses:
            return
        self.heading(2, self.label("status_overview"))
        header = [self.label("axis"), *map(say.status, statuses), self.label("total")]
        rows = [[f"{number}. {axis.title}", *(say.number(count[s]) for s in statuses),
                 say.number(count.total())]
                for number, (axis, count) in enumerate(zip(axes, counts, strict=True), 1)]
        rows.append([self.label("total"), *(say.number(totals[s]) for s in statuses),
                     say.number(totals.total())])
        self.table(header, rows, numbers=len(statuses) + 1)

    def _figure_rows(self) -> Iterator[list[str]]:
        say = self.say
        for axis, _action, indicator in self.report.indicators():
            label = indicator.label[:1].upper() + indicator.label[1:]
            breakdowns = "".join(f", {say.breakdown(b)}" for b in indicator.breakdowns)
            value = say.indicator_value(indicator)
            if indicator.kind is MeasureKind.FREQUENCY and not isinstance(indicator.value, str):
                value = say.frequency(indicator.value, indicator.unit)
            yield [axis.title, label + breakdowns, value, say.indicator_period(indicator),
                   indicator.source.name if indicator.source else ""]

    def directory(self) -> None:
        for key, entries in (("partners", self.report.partners),
                             ("programmes", self.report.programmes)):
            if not entries:
                continue
            self.heading(2, self.label(key))
            self.items(_block(_link(entry.name, entry.url))
                       + (f"{self.colon.rstrip()} {inline(entry.description)}"
                          if entry.description else "")
                       for entry in entries)


# A figure with no value of its own, to say a budget's period like a figure's.
_BUDGET_FIGURE = Indicator(id="budget", label="", kind=MeasureKind.MONEY, value=0)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(map(cell, cells)) + " |"


def write_report(report: Report, language: str | None = None,
                 base_dir: Path | None = None) -> str:
    """The report as CommonMark text, in its own language unless told otherwise.

    ``base_dir`` is the report's folder, where its pictures are read.
    """
    return _Writer(report, language or report.language, base_dir).write()
