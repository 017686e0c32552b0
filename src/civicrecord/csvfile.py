"""CSV tables that spreadsheets open as data, never as formulas: the one CSV writer.

Every CSV civicrecord writes goes through :func:`write_csv`: the batch's
``key-figures.csv`` and the ``civicrecord-csv`` plugin's table alike, so both
are guarded the same way.

Formula injection (OWASP "CSV Injection"): Excel, LibreOffice Calc and Google
Sheets run a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula,
and a tab, carriage return or line feed before one does not stop them. So a
text cell that begins with one of :data:`FORMULA_PREFIXES`, or whose first
character after leading whitespace is a formula sign, gets a leading
apostrophe (``'``), which spreadsheets show as text. The fullwidth forms of the
signs (``＝``, ``＋``, ``－``, ``＠``) count too: spreadsheets in East Asian
locales read them as the ASCII signs. Numbers are written from numbers, never
from text, so a negative value stays a number. Quoting follows RFC 4180.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence

__all__ = ["FORMULA_PREFIXES", "FORMULA_SIGNS", "Cell", "guard", "needs_guard", "number_text",
           "write_csv"]

#: Signs that start a formula, ASCII and fullwidth; also guarded after leading spaces.
FORMULA_SIGNS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: A text cell beginning with one of these gets a leading ``'``: the signs, and the
#: control characters OWASP (tab, carriage return) and ASVS 1.2.10 (NUL) list.
FORMULA_PREFIXES = (*FORMULA_SIGNS, "\t", "\r", "\n", "\0")

#: What a cell may hold: text (guarded), a number (written as one) or None (empty).
Cell = str | int | float | None


def needs_guard(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula."""
    return text.startswith(FORMULA_PREFIXES) or text.lstrip().startswith(FORMULA_SIGNS)


def guard(text: str) -> str:
    """Text that spreadsheets will show, never evaluate: ``'`` before a risky start."""
    return f"'{text}" if needs_guard(text) else text


def number_text(value: int | float) -> str:
    """A number as a CSV cell: ``350000`` (a whole float loses its ``.0``), ``-12.5``."""
    if isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number for a CSV cell")
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return guard(value)
    return number_text(value)


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """The table as UTF-8 CSV (no byte order mark), a header row and CRLF, per RFC 4180.

    Every text cell passes :func:`guard`; numbers are written by
    :func:`number_text`; None is an empty cell.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(_cell(name) for name in header)
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"a row of {len(row)} cells in a table of {len(header)} columns")
        writer.writerow(_cell(value) for value in row)
    return buffer.getvalue().encode("utf-8")
