"""The domain model: partial dates, and the report's ways of walking its contents."""

from __future__ import annotations

import calendar
import datetime
import re

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicrecord.model import ActionStatus, PartialDate, Report
from strategies import partial_dates, reports

# --- PartialDate.parse -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021", PartialDate(2021)),
        ("2021-05", PartialDate(2021, 5)),
        ("2021-05-03", PartialDate(2021, 5, 3)),
        ("2024-02-29", PartialDate(2024, 2, 29)),
        ("0001", PartialDate(1)),
        ("9999-12-31", PartialDate(9999, 12, 31)),
    ],
)
def test_parse_reads_a_year_a_month_or_a_day(text: str, expected: PartialDate) -> None:
    assert PartialDate.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    ["21", "2021-5", "2021-05-3", "2021/05/03", "05-2021", "2021-05-03T10:00", "",
     " 2021", "2021\n", "٢٠٢١", "2021-", "twenty"],
)
def test_parse_refuses_anything_but_the_three_forms(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"):
        PartialDate.parse(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "day 30 does not exist in 2026-02 (it has 28 days)"),
        ("2023-02-29", "day 29 does not exist in 2023-02 (it has 28 days)"),
        ("2021-04-31", "day 31 does not exist in 2021-04 (it has 30 days)"),
        ("2021-00-10", "month 0 does not exist"),
        ("2021-13", "month 13 does not exist (1-12)"),
        ("2021-05-00", "day 0 does not exist in 2021-05"),
        ("0000", "year 0 is out of range 1-9999"),
    ],
)
def test_parse_refuses_dates_that_cannot_exist(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        PartialDate.parse(text)


def test_check_refuses_a_day_without_a_month() -> None:
    with pytest.raises(ValueError, match="a day needs a month"):
        PartialDate(2021, None, 5).check()


@given(st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)))
def test_every_calendar_day_parses_to_itself(day: datetime.date) -> None:
    assert PartialDate.parse(day.isoformat()) == PartialDate(day.year, day.month, day.day)


@given(partial_dates(1, 9999))
def test_str_and_parse_are_inverse(date: PartialDate) -> None:
    assert PartialDate.parse(str(date)) == date


def test_str_pads_to_the_written_form() -> None:
    assert str(PartialDate(987, 3, 4)) == "0987-03-04"
    assert str(PartialDate(2021, 5)) == "2021-05"
    assert str(PartialDate(2021)) == "2021"


# --- precision, earliest, latest, order -------------------------------------


def test_precision_names_the_smallest_known_unit() -> None:
    assert PartialDate(2021).precision == "year"
    assert PartialDate(2021, 5).precision == "month"
    assert PartialDate(2021, 5, 3).precision == "day"


@pytest.mark.parametrize(
    ("date", "earliest", "latest"),
    [
        (PartialDate(2021), (2021, 1, 1), (2021, 12, 31)),
        (PartialDate(2024, 2), (2024, 2, 1), (2024, 2, 29)),
        (PartialDate(2023, 2), (2023, 2, 1), (2023, 2, 28)),
        (PartialDate(2021, 5, 3), (2021, 5, 3), (2021, 5, 3)),
    ],
)
def test_earliest_and_latest_bound_the_days_a_date_may_mean(
    date: PartialDate, earliest: tuple[int, int, int], latest: tuple[int, int, int]
) -> None:
    assert date.earliest() == earliest
    assert date.latest() == latest


@given(partial_dates(1, 9999))
def test_earliest_and_latest_are_real_days_in_order(date: PartialDate) -> None:
    first, last = datetime.date(*date.earliest()), datetime.date(*date.latest())
    assert first <= last
    assert first.year == last.year == date.year
    if date.precision == "day":
        assert first == last
    elif date.precision == "month":
        assert (last - first).days + 1 == calendar.monthrange(date.year, first.month)[1]
    else:
        assert (first.month, first.day, last.month, last.day) == (1, 1, 12, 31)


@given(st.lists(partial_dates(1, 9999), min_size=2, max_size=8))
def test_dates_of_any_precision_sort_as_their_text(dates: list[PartialDate]) -> None:
    assert [str(d) for d in sorted(dates)] == sorted(str(d) for d in dates)


def test_a_date_sorts_before_a_more_precise_one_that_it_contains() -> None:
    assert PartialDate(2021) < PartialDate(2021, 1) < PartialDate(2021, 1, 1)
    assert PartialDate(2021, 12, 31) < PartialDate(2022)


def test_partial_dates_are_frozen_and_hashable() -> None:
    date = PartialDate(2021, 5)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        date.year = 2022  # type: ignore[misc]
    assert len({PartialDate(2021, 5), date, PartialDate(2021)}) == 2


# --- Report ------------------------------------------------------------------


def test_status_vocabulary_tells_not_assessed_from_no_progress() -> None:
    assert {status.value for status in ActionStatus} == {
        "planned", "in-progress", "done", "ongoing", "abandoned", "not-assessed",
    }


@given(reports())
def test_actions_and_indicators_walk_the_report_in_reading_order(report: Report) -> None:
    assert [action for _, action in report.actions()] == [
        action for axis in report.axes for action in axis.actions
    ]
    walked = list(report.indicators())
    expected = []
    for axis in report.axes:
        expected += [(axis, None, indicator) for indicator in axis.indicators]
        for action in axis.actions:
            expected += [(axis, action, indicator) for indicator in action.indicators]
    assert walked == expected


@given(reports())
def test_lookups_find_every_listed_entry_and_nothing_else(report: Report) -> None:
    for place in report.neighbourhood.places:
        assert report.place(place.id) is place
    for partner in report.partners:
        assert report.partner(partner.id) is partner
    for programme in report.programmes:
        assert report.programme(programme.id) is programme
    assert report.place("no-such-id") is None
    assert report.partner("no-such-id") is None
    assert report.programme("no-such-id") is None


def test_the_model_imports_nothing_of_ours() -> None:
    import ast
    from pathlib import Path

    import civicrecord.model as model

    tree = ast.parse(Path(model.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
    assert not {name for name in imported if name.startswith("civicrecord")}
