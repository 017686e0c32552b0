"""What a figure's values say: how much it changed, which way, how far to its target.

Change is computed, never typed: a report gives a figure's baseline, its dated
series and its target, and this module works out the rest, in one place, for
every renderer (HTML, DOCX, PDF, Markdown) and for Python users. Templates show
what :func:`figure_change` returns; they never subtract.

- The **start** is the baseline; without one, the first value of the series.
- The **current** value is the figure's value (the latest of its series).
- **Absolute** change is current minus start, in the figure's unit; for a
  percentage it is in percentage points (14.2 % to 9.8 % is -4.4 points,
  not -31 %), and no relative change is given.
- **Relative** change is the absolute change as a share of the start
  (-225 from 412 is -0.546); none when the start is zero.
- **Progress** is the share of the way from the start to the target: 0 at the
  start, 1 at the target, above 1 past it, below 0 when the figure moved away.
- The **verdict** says whether the figure moved the better way, given its
  :class:`~civicrecord.model.Direction`.

Numbers are subtracted as the decimals they were written as, so 9.8 - 14.2 is
-4.4, not -4.3999999999999995.
"""

from __future__ import annotations

import enum
import math
from decimal import Decimal

from attrs import frozen

from civicrecord.model import (
    Direction,
    Indicator,
    MeasureKind,
    PartialDate,
    Report,
    ThematicAxis,
)

__all__ = [
    "Change",
    "Point",
    "Verdict",
    "current_point",
    "figure_change",
    "figures_that_change",
    "has_change_data",
    "progress",
    "trajectory",
    "verdict",
]


class Verdict(enum.Enum):
    """Whether a change went the way the figure's direction calls better."""

    BETTER = "better"
    WORSE = "worse"
    UNCHANGED = "unchanged"
    #: The figure's direction is ``neither``, or the report does not give one.
    NOT_JUDGED = "not-judged"


@frozen
class Point:
    """A number at a date (the date may be unknown): a baseline, a target, a series value."""

    value: int | float
    date: PartialDate | None = None


@frozen
class Change:
    """What changed in one figure between its start and its current value."""

    start: Point
    current: Point
    target: Point | None
    absolute: int | float
    """Current minus start, in the figure's unit (percentage points for a percentage)."""
    relative: float | None
    """The absolute change as a share of the start; None for a percentage or a zero start."""
    in_points: bool
    """True for a percentage: ``absolute`` is in percentage points."""
    progress: float | None
    """Share of the way from start to target; None without a target or when they are equal."""
    direction: Direction | None
    verdict: Verdict

    @property
    def better(self) -> bool | None:
        """True if it moved the better way, False if the worse way, None if not judged."""
        if self.verdict is Verdict.BETTER:
            return True
        if self.verdict is Verdict.WORSE:
            return False
        return None

    @property
    def target_reached(self) -> bool:
        """Whether the current value is at or past the target, on the start's far side."""
        return self.progress is not None and self.progress >= 1


def has_change_data(indicator: Indicator) -> bool:
    """Whether the figure has a baseline, a target or a series: what a chart can show."""
    return bool(indicator.baseline or indicator.target or indicator.series)


def figures_that_change(report: Report) -> list[tuple[ThematicAxis, list[Indicator]]]:
    """Each axis with its figures that have a baseline, a target or a series, in reading
    order (the axis's own, then its actions'): what a "What changed" section lists."""
    found: list[tuple[ThematicAxis, list[Indicator]]] = []
    for axis, _action, indicator in report.indicators():
        if has_change_data(indicator):
            if not found or found[-1][0] is not axis:
                found.append((axis, []))
            found[-1][1].append(indicator)
    return found


def _number(value: object) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _difference(later: int | float, earlier: int | float) -> int | float:
    """``later - earlier`` as the decimals people wrote: 9.8 - 14.2 is -4.4."""
    if isinstance(later, int) and isinstance(earlier, int):
        return later - earlier
    return float(Decimal(repr(later)) - Decimal(repr(earlier)))


def current_point(indicator: Indicator) -> Point | None:
    """The figure's value and its date, or None for a statement.

    The date is the latest series value's; without a series, the date of the
    period the value covers (``per-year`` 2024, ``as-of`` 2024-01-01), if any.
    """
    value = _number(indicator.value)
    if value is None:
        return None
    if indicator.series:
        return Point(value, indicator.series[-1].date)
    period = indicator.period
    date = period.date if period is not None else None
    return Point(value, date)


def trajectory(indicator: Indicator) -> tuple[Point, ...]:
    """The figure's known values in date order: baseline, series (or the current value).

    The target is not part of it (it is a value to reach, not one seen); see
    :func:`figure_change` for it.
    """
    points: list[Point] = []
    baseline = indicator.baseline
    if baseline is not None and (value := _number(baseline.value)) is not None:
        points.append(Point(value, baseline.date))
    if indicator.series:
        # A series that repeats the baseline's date does not show it twice.
        points.extend(Point(o.value, o.date) for o in indicator.series
                      if not (points and o.date == points[0].date))
    elif (current := current_point(indicator)) is not None:
        points.append(current)
    return tuple(points)


def _start(indicator: Indicator) -> Point | None:
    baseline = indicator.baseline
    if baseline is not None:
        value = _number(baseline.value)
        return Point(value, baseline.date) if value is not None else None
    if len(indicator.series) >= 2:
        first = indicator.series[0]
        return Point(first.value, first.date)
    return None


def verdict(absolute: float, direction: Direction | None) -> Verdict:
    """Better, worse or unchanged for a change of ``absolute`` in a figure of ``direction``."""
    if absolute == 0:
        return Verdict.UNCHANGED
    if direction is Direction.HIGHER:
        return Verdict.BETTER if absolute > 0 else Verdict.WORSE
    if direction is Direction.LOWER:
        return Verdict.BETTER if absolute < 0 else Verdict.WORSE
    return Verdict.NOT_JUDGED


def progress(start: float, current: float, target: float) -> float | None:
    """The share of the way from ``start`` to ``target`` that ``current`` has come.

    0 at the start, 1 at the target; None when start and target are equal (there
    is no way to go).
    """
    way = _difference(target, start)
    if way == 0:
        return None
    share = float(_difference(current, start)) / float(way)
    return share if math.isfinite(share) else None


def figure_change(indicator: Indicator) -> Change | None:
    """What changed in the figure, or None when there is nothing to compare.

    A figure has a change when its value is a number and it has a start: a
    numeric baseline, or a series of at least two values.
    """
    current = current_point(indicator)
    start = _start(indicator)
    if current is None or start is None:
        return None
    absolute = _difference(current.value, start.value)
    in_points = indicator.kind is MeasureKind.PERCENTAGE
    relative = None
    if not in_points and start.value != 0:
        relative = float(absolute) / float(start.value)
        if not math.isfinite(relative):
            relative = None  # a start too close to zero for a ratio to mean anything
    target = None
    share = None
    if indicator.target is not None and (value := _number(indicator.target.value)) is not None:
        target = Point(value, indicator.target.date)
        share = progress(start.value, current.value, value)
    return Change(
        start=start,
        current=current,
        target=target,
        absolute=absolute,
        relative=relative,
        in_points=in_points,
        progress=share,
        direction=indicator.direction,
        verdict=verdict(absolute, indicator.direction),
    )
