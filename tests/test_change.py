"""Change is computed from a figure's baseline, series and target, the same for everyone."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import civicrecord
from civicrecord.change import Verdict, figure_change, progress, trajectory, verdict
from civicrecord.model import (
    Direction,
    Indicator,
    IndicatorPeriod,
    MeasureKind,
    Observation,
    PartialDate,
    PeriodKind,
    ReferencePoint,
)

numbers = st.integers(-10**6, 10**6) | st.floats(-1e6, 1e6, allow_nan=False).map(
    lambda x: round(x, 3))


def figure(value: float, baseline: float | None = None, target: float | None = None,
           direction: Direction | None = None,
           kind: MeasureKind = MeasureKind.COUNT) -> Indicator:
    return Indicator(
        id="f", label="damp reports", kind=kind, value=value, direction=direction,
        baseline=ReferencePoint(baseline, PartialDate(2019)) if baseline is not None else None,
        target=ReferencePoint(target, PartialDate(2026)) if target is not None else None,
    )


def test_the_change_api_is_public() -> None:
    for name in ("Change", "Direction", "Observation", "Point", "Verdict", "figure_change"):
        assert name in civicrecord.__all__
        assert getattr(civicrecord, name) is not None


def test_damp_reports_fell_the_better_way() -> None:
    damp = Indicator(
        id="damp", label="damp reports", kind=MeasureKind.COUNT, value=187,
        period=IndicatorPeriod(PeriodKind.PER_YEAR), direction=Direction.LOWER,
        series=(Observation(PartialDate(2019), 412), Observation(PartialDate(2021), 301),
                Observation(PartialDate(2024), 187)),
    )
    change = figure_change(damp)
    assert change is not None
    assert (change.start.value, change.start.date) == (412, PartialDate(2019))
    assert (change.current.value, change.current.date) == (187, PartialDate(2024))
    assert change.absolute == -225
    assert change.relative == pytest.approx(-225 / 412)
    assert change.verdict is Verdict.BETTER and change.better is True
    assert change.progress is None and change.target is None
    assert [p.value for p in trajectory(damp)] == [412, 301, 187]


def test_a_percentage_changes_in_points_and_progresses_to_its_target() -> None:
    rate = figure(9.8, baseline=14.2, target=8, direction=Direction.LOWER,
                  kind=MeasureKind.PERCENTAGE)
    change = figure_change(rate)
    assert change is not None
    assert change.absolute == -4.4  # the decimals written, not -4.3999999999999995
    assert change.in_points and change.relative is None
    assert change.progress == pytest.approx(4.4 / 6.2)
    assert not change.target_reached


def test_no_change_without_a_start_or_a_number() -> None:
    assert figure_change(figure(5)) is None
    assert figure_change(figure(5, target=10)) is None
    statement = Indicator(id="s", label="x", kind=MeasureKind.QUALITATIVE, value="restored",
                          baseline=ReferencePoint(1))
    assert figure_change(statement) is None


def test_a_zero_start_has_no_relative_change() -> None:
    change = figure_change(figure(4, baseline=0, direction=Direction.HIGHER))
    assert change is not None and change.relative is None and change.absolute == 4


@given(start=numbers, target=numbers)
def test_progress_is_zero_at_the_start_and_one_at_the_target(start: float,
                                                             target: float) -> None:
    assume(start != target)
    assert progress(start, start, target) == 0
    assert progress(start, target, target) == pytest.approx(1)


@given(start=numbers)
def test_no_progress_where_start_and_target_are_equal(start: float) -> None:
    assert progress(start, start + 1, start) is None


@given(start=numbers, current=numbers, target=numbers)
def test_progress_is_the_share_of_the_way(start: float, current: float, target: float) -> None:
    assume(abs(target - start) > 1e-6)
    share = progress(start, current, target)
    assert share is not None
    assert math.isclose(start + share * (target - start), current, rel_tol=1e-6, abs_tol=1e-6)


@given(start=numbers, current=numbers)
def test_directions_are_symmetric(start: float, current: float) -> None:
    """Higher-is-better read upside down is lower-is-better; neither never judges."""
    up = figure_change(figure(current, baseline=start, direction=Direction.HIGHER))
    down = figure_change(figure(current, baseline=start, direction=Direction.LOWER))
    mirrored = figure_change(figure(-current, baseline=-start, direction=Direction.LOWER))
    neither = figure_change(figure(current, baseline=start, direction=Direction.NEITHER))
    assert up and down and mirrored and neither
    assert up.verdict == mirrored.verdict
    if start == current:
        assert {up.verdict, down.verdict, neither.verdict} == {Verdict.UNCHANGED}
    else:
        assert up.better is (not down.better)
        assert neither.verdict is Verdict.NOT_JUDGED


@given(absolute=numbers)
def test_no_direction_never_judges_a_change(absolute: float) -> None:
    assert verdict(absolute, None) in (Verdict.NOT_JUDGED, Verdict.UNCHANGED)


@given(start=numbers, current=numbers)
def test_absolute_change_is_current_minus_start(start: float, current: float) -> None:
    change = figure_change(figure(current, baseline=start))
    assert change is not None
    assert change.absolute == pytest.approx(current - start, abs=1e-9)
    assert (change.absolute > 0) == (current > start)
