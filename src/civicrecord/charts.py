"""A figure's change chart, baseline -> values over time -> target, as inline SVG text.

One module draws the chart for every renderer that shows one (HTML inline, the
DOCX and PDF renderers as a picture), so a figure looks the same everywhere.

Why SVG written with :mod:`xml.etree.ElementTree` rather than a chart library:
the chart is a handful of shapes (a line, its points, a dashed target line and
a few labels), and a library (matplotlib, plotly, pygal) would cost tens of
megabytes and most of a second to import, for pictures that must also be
deterministic, script-free and readable without colour. ElementTree is in the
standard library, and it escapes every text and attribute in one place, so a
figure's label can never become markup. This module is imported only by a
render that draws a chart; ``import civicrecord`` and ``validate`` never load it.

What the picture says never rests on colour alone: observed values are filled
dots joined by a solid line, the baseline a hollow dot, the target a dashed
line ending in a diamond, each labelled in words. The ``<title>`` of the SVG is
:func:`chart_alt_text`, the same text a renderer gives as the picture's
alternative.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from attrs import frozen

from civicrecord.change import Point, figure_change, has_change_data, trajectory
from civicrecord.model import Indicator, PartialDate
from civicrecord.presentation import Presenter

__all__ = [
    "CHART_HEIGHT",
    "CHART_WIDTH",
    "ChartLayout",
    "PlacedPoint",
    "change_chart_svg",
    "chart_alt_text",
    "chart_layout",
]

#: The chart's size in SVG user units (CSS pixels at 100 %); it scales to its box.
CHART_WIDTH = 320
CHART_HEIGHT = 150
_LEFT, _RIGHT, _TOP, _BOTTOM = 16.0, 16.0, 26.0, 30.0
_SVG = "http://www.w3.org/2000/svg"
#: Default paint, for readers of the SVG without the page's CSS (WeasyPrint, Word).
_INK = "#1f2933"
_LINE = "#00558c"
_TARGET = "#5b4a9e"


@frozen
class PlacedPoint:
    """A value placed on the chart: ``x`` and ``y`` in SVG user units."""

    point: Point
    x: float
    y: float
    role: str
    """``baseline``, ``value`` or ``target``."""


@frozen
class ChartLayout:
    """Where each value of a figure's chart goes; renderers that draw their own use it."""

    width: float
    height: float
    observed: tuple[PlacedPoint, ...]
    """The baseline (if any) and the values over time, oldest first."""
    target: PlacedPoint | None


def _when(date: PartialDate | None) -> float | None:
    """A date as a fractional year, for the horizontal axis."""
    if date is None:
        return None
    year, month, day = date.earliest()
    if date.month is None:
        return float(year)
    return year + (month - 1) / 12 + ((day - 1) / 365 if date.day else 0)


def chart_layout(indicator: Indicator, width: float = CHART_WIDTH,
                 height: float = CHART_HEIGHT) -> ChartLayout | None:
    """The positions of the figure's baseline, values and target; None if nothing to draw."""
    if not has_change_data(indicator):
        return None
    observed = list(trajectory(indicator))
    change = figure_change(indicator)
    target = change.target if change is not None else None
    if target is None and indicator.target is not None:
        value = indicator.target.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            target = Point(value, indicator.target.date)
    if not observed:
        return None
    points = [*observed, *([target] if target is not None else [])]
    known = [when for p in points if (when := _when(p.date)) is not None]
    if len(set(known)) >= 2:
        first, last = min(known), max(known)
        step = (last - first) / max(len(points) - 1, 1)
        xs = []
        for index, p in enumerate(points):
            when = _when(p.date)
            if when is None:  # a baseline before everything, a target after
                when = first - step if index == 0 else last + step
            xs.append(when)
    else:
        xs = [float(index) for index in range(len(points))]
    low_x, high_x = min(xs), max(xs)
    span_x = (high_x - low_x) or 1.0
    values = [float(p.value) for p in points]
    low_y, high_y = min(values), max(values)
    pad = (high_y - low_y) * 0.08 or max(abs(high_y) * 0.1, 1.0)
    low_y, high_y = low_y - pad, high_y + pad

    def place(index: int, role: str) -> PlacedPoint:
        x = _LEFT + (xs[index] - low_x) / span_x * (width - _LEFT - _RIGHT)
        if len(points) == 1:
            x = width / 2
        y = _TOP + (high_y - values[index]) / (high_y - low_y) * (height - _TOP - _BOTTOM)
        return PlacedPoint(points[index], round(x, 2), round(y, 2), role)

    has_baseline = indicator.baseline is not None and observed[0].date == (
        indicator.baseline.date) and observed[0].value == indicator.baseline.value
    placed = tuple(place(i, "baseline" if i == 0 and has_baseline else "value")
                   for i in range(len(observed)))
    placed_target = place(len(points) - 1, "target") if target is not None else None
    return ChartLayout(width, height, placed, placed_target)


def chart_alt_text(indicator: Indicator, presenter: Presenter) -> str:
    """The chart in words, in the report's language: every value it shows and the change.

    "Damp reports a year: baseline 412 (2019), 301 (2021), 187 (2024). −225
    (−55 %) since 2019, the better way."
    """
    layout = chart_layout(indicator)
    parts: list[str] = []
    for placed in (layout.observed if layout else ()):
        text = _value_text(indicator, presenter, placed.point)
        parts.append(presenter.pattern("baseline-value", value=text)
                     if placed.role == "baseline" else text)
    if layout is not None and layout.target is not None:
        parts.append(presenter.pattern("target-value",
                                       value=_value_text(indicator, presenter,
                                                         layout.target.point)))
    label = " ".join(indicator.label.split())  # one line: the alternative is read out
    label = label[:1].upper() + label[1:]
    values = ", ".join(parts)
    change = presenter.change_sentence(indicator)
    if change:
        return presenter.pattern("chart-alt-change", label=label, values=values, change=change)
    return presenter.pattern("chart-alt", label=label, values=values)


def _value_text(indicator: Indicator, presenter: Presenter, point: Point) -> str:
    text = presenter.value(indicator, point.value)
    if point.date is not None:
        text = f"{text} ({presenter.date(point.date)})"
    return text


def _element(parent: ElementTree.Element, tag: str, **attributes: object) -> ElementTree.Element:
    return ElementTree.SubElement(parent, tag, {
        name.rstrip("_").replace("_", "-"): _attribute(value)
        for name, value in attributes.items()})


def _attribute(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def change_chart_svg(indicator: Indicator, presenter: Presenter, *,
                     chart_id: str | None = None) -> str:
    """The figure's change chart as one ``<svg>`` element, or "" if it has nothing to draw.

    No script, no external file, no style sheet needed: shapes carry their own
    paint (a page's CSS may override it through the ``cr-chart__*`` classes).
    ``chart_id`` makes the ids inside unique on a page; it defaults to
    ``chart-<figure id>``.
    """
    layout = chart_layout(indicator)
    if layout is None:
        return ""
    ident = chart_id or f"chart-{indicator.id}"
    svg = ElementTree.Element("svg", {
        "xmlns": _SVG,
        "class": "cr-chart",
        "viewBox": f"0 0 {CHART_WIDTH} {CHART_HEIGHT}",
        "width": str(CHART_WIDTH),
        "height": str(CHART_HEIGHT),
        "role": "img",
        "aria-labelledby": f"{ident}-title",
        "font-family": "sans-serif",
        "font-size": "11",
    })
    title = _element(svg, "title", id=f"{ident}-title")
    title.text = chart_alt_text(indicator, presenter)
    floor = CHART_HEIGHT - _BOTTOM + 6
    _element(svg, "line", class_="cr-chart__axis", x1=_LEFT - 8, y1=floor,
             x2=CHART_WIDTH - _RIGHT + 8, y2=floor, stroke="#8a959e", stroke_width=1)
    target = layout.target
    if target is not None:
        _element(svg, "line", class_="cr-chart__target", x1=_LEFT - 8, y1=target.y,
                 x2=CHART_WIDTH - _RIGHT + 8, y2=target.y, stroke=_TARGET, stroke_width=1.5,
                 stroke_dasharray="5 4")
        size = 5.5
        _element(svg, "path", class_="cr-chart__target-mark",
                 d=f"M{target.x:g} {target.y - size:g}l{size:g} {size:g}l{-size:g} {size:g}"
                   f"l{-size:g} {-size:g}z", fill="#ffffff", stroke=_TARGET, stroke_width=2)
    observed = layout.observed
    if len(observed) >= 2:
        _element(svg, "polyline", class_="cr-chart__line",
                 points=" ".join(f"{p.x:g},{p.y:g}" for p in observed),
                 fill="none", stroke=_LINE, stroke_width=2.5, stroke_linejoin="round")
    for placed in observed:
        hollow = placed.role == "baseline"
        _element(svg, "circle", class_=f"cr-chart__point cr-chart__point--{placed.role}",
                 cx=placed.x, cy=placed.y, r=4.5 if hollow else 4,
                 fill="#ffffff" if hollow else _LINE, stroke=_LINE, stroke_width=2)
    labelled = [observed[0], observed[-1]] if len(observed) > 1 else [observed[0]]
    if target is not None:
        labelled.append(target)
    for placed in labelled:
        anchor = _anchor(placed.x)
        value = _element(svg, "text", class_="cr-chart__value", x=placed.x, y=placed.y - 9,
                         text_anchor=anchor, fill=_INK, font_weight="bold")
        value.text = presenter.value(indicator, placed.point.value)
        if placed.point.date is not None:
            date = _element(svg, "text", class_="cr-chart__date", x=placed.x,
                            y=CHART_HEIGHT - 10, text_anchor=anchor, fill=_INK)
            date.text = presenter.date(placed.point.date)
    return ElementTree.tostring(svg, encoding="unicode", short_empty_elements=True)


def _anchor(x: float) -> str:
    """Labels near an edge grow inwards, so none is cut off."""
    if x < CHART_WIDTH * 0.2:
        return "start"
    if x > CHART_WIDTH * 0.8:
        return "end"
    return "middle"
