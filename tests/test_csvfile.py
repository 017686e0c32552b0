"""The one CSV writer: RFC 4180 tables whose text a spreadsheet never runs as a formula."""

from __future__ import annotations

import csv
import io
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicrecord.csvfile import FORMULA_PREFIXES, FORMULA_SIGNS, guard, needs_guard, write_csv


def _read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), strict=True))


@pytest.mark.parametrize("text", [
    '=HYPERLINK("http://x","y")', "+33 %", "-20 % de voitures", "@SUM(A1)", "\tTab",
    "\rreturn", "\nline", "\0nul", "  =1+1", " \t-2", "\uff1dSUM(1)", "\uff20x"])
def test_text_a_spreadsheet_could_run_gets_an_apostrophe(text: str) -> None:
    assert needs_guard(text) and guard(text) == f"'{text}"


@pytest.mark.parametrize("text", ["Chambéry", "423 personnes", "a=b", "", " ", "'quoted", "x-y"])
def test_other_text_is_left_alone(text: str) -> None:
    assert guard(text) == text


@given(st.text(max_size=30))
def test_a_guarded_cell_never_starts_a_formula_and_gives_the_text_back(text: str) -> None:
    cell = guard(text)
    assert not cell.startswith(FORMULA_PREFIXES)
    assert not cell.lstrip().startswith(FORMULA_SIGNS)
    assert (cell[1:] if needs_guard(text) else cell) == text


_CELLS = st.one_of(st.text(max_size=20), st.integers(), st.none(),
                   st.floats(allow_nan=False, allow_infinity=False))


@given(st.lists(st.lists(_CELLS, min_size=2, max_size=2), max_size=5))
def test_any_table_reads_back_cell_for_cell(rows: list[list[object]]) -> None:
    data = write_csv(("a", "b"), rows)  # type: ignore[arg-type]
    assert data.endswith(b"\r\n") and not data.startswith(b"\xef\xbb\xbf")
    header, *read = _read(data)
    assert header == ["a", "b"] and len(read) == len(rows)
    for written, cells in zip(rows, read, strict=True):
        for value, cell in zip(written, cells, strict=True):
            if value is None:
                assert cell == ""
            elif isinstance(value, str):
                assert cell == guard(value)
            else:
                number = int(cell) if isinstance(value, int) else float(cell)
                assert number == value  # a number, never guarded, even when negative


def test_numbers_are_written_as_numbers() -> None:
    assert _read(write_csv(("n",), [[350000.0], [-5], [12.5], [0.1]]))[1:] == [
        ["350000"], ["-5"], ["12.5"], ["0.1"]]


@pytest.mark.parametrize("value", [math.nan, math.inf, True])
def test_what_is_not_a_finite_number_is_refused(value: float) -> None:
    with pytest.raises(ValueError, match="not a finite number"):
        write_csv(("n",), [[value]])


def test_a_row_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="a row of 1 cells in a table of 2 columns"):
        write_csv(("a", "b"), [["x"]])
