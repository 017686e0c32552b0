"""The rules that find problems in a report.

A rule never stops at the first problem: people fix a report in one sitting
when they see everything wrong with it at once. Rules here work on the model
and on plain data; they know nothing of files. The loader adds each problem's
place in the source file from its field path.
"""

from __future__ import annotations

import math
import re
import typing
import unicodedata
from collections.abc import Iterator
from typing import Any

from attrs import evolve, has, resolve_types
from attrs import fields as attrs_fields

from civicrecord.model import (
    Action,
    ActionStatus,
    BreakdownKind,
    Direction,
    Indicator,
    MeasureKind,
    PartialDate,
    PeriodKind,
    Report,
)
from civicrecord.problems import Location, PathKey, Problem, Severity, closest, format_path
from civicrecord.text import ILLEGAL_CHARACTERS, illegal_characters, link_target

__all__ = [
    "MAX_NUMBER",
    "MAX_STRING_LENGTH",
    "PLACEHOLDER_MARKER",
    "SLUG_PATTERN",
    "check_plain_data",
    "check_report",
    "number_problem",
    "slugify",
]

#: Ids are slugs: they end up in file names, URLs and HTML anchors.
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Longest text accepted in one field, in characters (about 30 printed pages).
MAX_STRING_LENGTH = 100_000
#: Longest id accepted, in characters.
MAX_ID_LENGTH = 80
#: Marks text still to be written (``civicrecord new --blank`` fills fields with it).
PLACEHOLDER_MARKER = "TODO"
_PLACEHOLDER = re.compile(rf"\b{PLACEHOLDER_MARKER}\b")

#: Largest magnitude of a number in a report. Every number a report holds is
#: written exactly by every format (Babel's decimal arithmetic, Word, a
#: spreadsheet's float): 15 significant digits is what a double keeps, and
#: no city counts or spends a quadrillion of anything.
MAX_NUMBER = 10**15

#: Time units a frequency or duration may use (CLDR duration units).
TIME_UNITS = ("second", "minute", "hour", "day", "week", "month", "year")


def _error(path: PathKey, message: str, hint: str | None = None) -> Problem:
    return Problem(Severity.ERROR, format_path(path), message, hint)


def _warning(path: PathKey, message: str, hint: str | None = None) -> Problem:
    return Problem(Severity.WARNING, format_path(path), message, hint)


# --- Checks on plain data, before the model exists ---------------------------

_INVISIBLE = {
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\u2060": "word joiner",
    "\ufeff": "zero-width no-break space (BOM)",
}
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
# Every character the checks of _check_string look for, in one class: most texts
# hold none, and one regex search is far cheaper than a Python loop per character.
_SUSPECT = re.compile(ILLEGAL_CHARACTERS.pattern[:-1] + "".join(_INVISIBLE)
                      + "".join(sorted(_BIDI)) + "]")


def check_plain_data(data: Any, path: PathKey = ()) -> list[Problem]:
    """Character-level rules on every string, whatever the field."""
    problems: list[Problem] = []
    _check_leaf(path, data, problems)
    suspect, limit, marker = _SUSPECT.search, MAX_STRING_LENGTH, PLACEHOLDER_MARKER
    stack: list[tuple[PathKey, Any]] = [(path, data)] if isinstance(data, dict | list) else []
    while stack:
        where, container = stack.pop()
        items = container.items() if isinstance(container, dict) else enumerate(container)
        for key, value in items:
            if isinstance(value, str):
                # Most texts pass a few quick tests; only the rest get a path and the
                # full checks. Every suspect character is unprintable (Cc, Cf, Cs, Cn).
                if len(value) > limit or marker in value or (
                        not value.isprintable() and suspect(value) is not None):
                    problems.extend(_check_string((*where, key), value))
            elif isinstance(value, dict | list):
                stack.append(((*where, key), value))
            elif isinstance(value, float | int) and not isinstance(value, bool):
                _check_leaf((*where, key), value, problems)
    problems.sort(key=lambda p: p.path)
    return problems


def _check_leaf(where: PathKey, value: Any, problems: list[Problem]) -> None:
    if isinstance(value, str):
        problems.extend(_check_string(where, value))
    elif isinstance(value, float | int) and not isinstance(value, bool):
        problem = number_problem(value)
        if problem is not None:
            problems.append(_error(where, *problem))


def number_problem(value: float) -> tuple[str, str] | None:
    """What is wrong with a number a report holds, and what to do; None if it is fine."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a finite number", "write an ordinary number"
    if not -MAX_NUMBER < value < MAX_NUMBER:
        # str() of a huge int is refused by Python itself (4,300 digits): count by bits.
        digits = f"{value:.3g}" if isinstance(value, float) else \
            f"a number of about {int(abs(value).bit_length() * 0.30103) + 1} digits"
        return (f"{digits} is out of range: a number in a report stays below "
                f"{MAX_NUMBER} in size (MAX_NUMBER)",
                "check the number; write large amounts in a larger unit (millions)")
    return None


def _check_string(where: PathKey, value: str) -> Iterator[Problem]:
    if len(value) > MAX_STRING_LENGTH:
        yield _error(where, f"text is {len(value)} characters long, over the limit of "
                     f"{MAX_STRING_LENGTH} (MAX_STRING_LENGTH)",
                     "shorten it or split it across actions")
        return
    suspect = _SUSPECT.search(value) is not None
    illegal = illegal_characters(value) if suspect else []
    if illegal:
        index, name = illegal[0]
        more = f" and {len(illegal) - 1} more" if len(illegal) > 1 else ""
        yield _error(where, f"control or invalid character {name} at character {index + 1}"
                     f"{more}", "delete it; it often comes from pasting from a PDF or Word")
    invisible = sorted({_INVISIBLE[c] for c in value if c in _INVISIBLE}) if suspect else []
    if invisible:
        yield _warning(where, "invisible character: " + ", ".join(invisible),
                       "delete it unless you placed it on purpose")
    if suspect and any(c in _BIDI for c in value):
        yield _warning(where, "bidirectional control character (it can reorder how text "
                       "displays)", "delete it unless the text mixes right-to-left scripts")
    if _PLACEHOLDER.search(value):
        shown = value if len(value) <= 60 else value[:57] + "..."
        yield _warning(where, f"placeholder left to fill in: {shown!r}",
                       f"replace the text marked {PLACEHOLDER_MARKER} with your own")


# --- Checks on the model ------------------------------------------------------


def check_report(report: Report) -> list[Problem]:
    """Every rule that needs the whole report: ids, references, sums, dates, codes."""
    problems: list[Problem] = []
    problems += _check_ids(report)
    problems += _check_codes(report)
    problems += _check_texts(report)
    problems += _check_period(report)
    problems += _check_references(report)
    problems += _check_urls(report)
    for a, axis in enumerate(report.axes):
        if not axis.actions:
            problems.append(_warning(("axes", a, "actions"), "this axis lists no action",
                                     "say what was decided and done"))
        for i, indicator in enumerate(axis.indicators):
            problems += _check_indicator(("axes", a, "indicators", i), indicator, report)
        for n, action in enumerate(axis.actions):
            problems += _check_action(("axes", a, "actions", n), action, report)
    return problems


def _check_urls(report: Report) -> list[Problem]:
    """One rule for every address a report publishes (figure sources are checked with them)."""
    problems = _check_url(("authority", "url"), report.authority.url)
    for p, partner in enumerate(report.partners):
        problems += _check_url(("partners", p, "url"), partner.url)
    for p, programme in enumerate(report.programmes):
        problems += _check_url(("programmes", p, "url"), programme.url)
    return problems


def _check_ids(report: Report) -> list[Problem]:
    problems = []
    groups: dict[str, list[tuple[PathKey, str]]] = {
        "report": [(("id",), report.id)],
        "neighbourhood": [(("neighbourhood", "id"), report.neighbourhood.id)],
        "axis": [], "action": [], "indicator": [], "place": [], "partner": [], "programme": [],
    }
    for p, place in enumerate(report.neighbourhood.places):
        groups["place"].append((("neighbourhood", "places", p, "id"), place.id))
    for p, partner in enumerate(report.partners):
        groups["partner"].append((("partners", p, "id"), partner.id))
    for p, programme in enumerate(report.programmes):
        groups["programme"].append((("programmes", p, "id"), programme.id))
    for a, axis in enumerate(report.axes):
        groups["axis"].append((("axes", a, "id"), axis.id))
        for i, indicator in enumerate(axis.indicators):
            groups["indicator"].append((("axes", a, "indicators", i, "id"), indicator.id))
        for n, action in enumerate(axis.actions):
            groups["action"].append((("axes", a, "actions", n, "id"), action.id))
            for i, indicator in enumerate(action.indicators):
                groups["indicator"].append(
                    (("axes", a, "actions", n, "indicators", i, "id"), indicator.id))
    for kind, entries in groups.items():
        seen: dict[str, PathKey] = {}
        for path, ident in entries:
            if len(ident) > MAX_ID_LENGTH:
                problems.append(_error(path, f"id is {len(ident)} characters long, over the "
                                       f"limit of {MAX_ID_LENGTH} (MAX_ID_LENGTH)",
                                       "use a short slug"))
            elif not SLUG_PATTERN.fullmatch(ident):
                problems.append(_error(
                    path, f"{kind} id {ident!r} is not a slug",
                    f"use lowercase ASCII letters, digits and single hyphens, e.g. "
                    f"{slugify(ident) or 'my-' + kind!r}",
                ))
            if ident in seen:
                problems.append(_error(path, f"duplicate {kind} id {ident!r}, already used at "
                                       f"{format_path(seen[ident])}",
                                       f"every {kind} needs its own id"))
            else:
                seen[ident] = path
    return problems


def slugify(text: str) -> str:
    """``text`` as an id: ASCII lowercase, accents dropped, other runs made one hyphen.

    "Quartier Nord (2024)" gives "quartier-nord-2024"; text without a letter or
    digit gives "". The result matches :data:`SLUG_PATTERN` when not empty.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _check_codes(report: Report) -> list[Problem]:
    from civicrecord import _codes

    problems = []
    if "_" in report.language:
        problems.append(_error(("language",), f"{report.language!r} is not a BCP 47 code",
                               f"write {report.language.replace('_', '-')!r}, with a hyphen"))
    elif not _codes.is_language(report.language):
        problems.append(_error(("language",), f"unknown language code {report.language!r}",
                               "use a BCP 47 code such as 'fr-FR', 'fr' or 'en-GB'"))
    for path, indicator in _all_indicators(report):
        if indicator.kind is MeasureKind.MONEY and indicator.unit is None:
            problems.append(_error((*path, "unit"), "money needs a currency, and unit is "
                                   "missing", "add unit: with an ISO 4217 code, such as 'EUR'"))
        elif indicator.kind is MeasureKind.MONEY and not _codes.is_currency(indicator.unit):
            problems.append(_error((*path, "unit"),
                                   f"money needs an ISO 4217 currency code, not "
                                   f"{indicator.unit!r}", "for euros write 'EUR'"))
    for a, axis in enumerate(report.axes):
        for n, action in enumerate(axis.actions):
            if action.budget is not None and not _codes.is_currency(action.budget.currency):
                problems.append(_error(("axes", a, "actions", n, "budget", "currency"),
                                       f"unknown currency code {action.budget.currency!r}",
                                       "use an ISO 4217 code such as 'EUR'"))
    return problems


def _all_indicators(report: Report) -> Iterator[tuple[PathKey, Indicator]]:
    for a, axis in enumerate(report.axes):
        for i, indicator in enumerate(axis.indicators):
            yield ("axes", a, "indicators", i), indicator
        for n, action in enumerate(axis.actions):
            for i, indicator in enumerate(action.indicators):
                yield ("axes", a, "actions", n, "indicators", i), indicator


_REQUIRED_TEXT = ("title", "name", "label", "need", "outcome", "description", "situation",
                  "aim", "city", "dimension")


def _check_texts(report: Report) -> list[Problem]:
    """Required texts must say something; whitespace is not a title."""
    problems = []
    stack: list[tuple[PathKey, Any]] = [((), report)]
    while stack:
        path, obj = stack.pop()
        if isinstance(obj, tuple):
            stack.extend(((*path, i), item) for i, item in enumerate(obj)
                         if isinstance(item, tuple) or has(type(item)))
            continue
        required, nested = _text_plan(type(obj))
        for name in required:
            value = getattr(obj, name)
            if isinstance(value, str) and not value.strip():
                problems.append(_error((*path, name), "text is empty",
                                       "write something, or remove the entry"))
        for name in nested:
            value = getattr(obj, name)
            if isinstance(value, tuple) or has(type(value)):
                stack.append(((*path, name), value))
    return problems


def _text_plan(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A model class's texts that must not be blank, and the fields that may hold more.

    Found once per class from the declared types: a date, an enum or a number
    is never visited.
    """
    plan = _TEXT_PLANS.get(cls)
    if plan is None:
        fields = attrs_fields(resolve_types(cls))
        required = tuple(a.name for a in fields if a.name in _REQUIRED_TEXT)
        nested = tuple(a.name for a in fields if _may_hold_texts(a.type))
        plan = _TEXT_PLANS[cls] = (required, nested)
    return plan


def _may_hold_texts(tp: Any) -> bool:
    """Whether a field of type ``tp`` may hold a model object with texts to check."""
    if tp is None or tp is Any or tp is object:
        return True  # not declared precisely: look at each value
    if isinstance(tp, type) and has(tp):
        required, nested = _text_plan(tp)
        return bool(required or nested)
    return any(_may_hold_texts(arg) for arg in typing.get_args(tp) if arg is not Ellipsis)


_TEXT_PLANS: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _check_period(report: Report) -> list[Problem]:
    problems = []
    period = report.period
    for path, date in (((("period", "start")), period.start), (("period", "end"), period.end),
                       (("published",), report.published)):
        if date is not None:
            problems += _check_date(path, date)
    if period.start.earliest() > period.end.latest():
        problems.append(_error(("period", "end"), f"the period ends ({period.end}) before it "
                               f"starts ({period.start})", "swap start and end"))
    return problems


def _check_date(path: PathKey, date: PartialDate) -> list[Problem]:
    try:
        date.check()
    except ValueError as error:
        return [_error(path, f"impossible date: {error}", "write a date that exists")]
    return []


def _check_in_period(path: PathKey, date: PartialDate | None, report: Report,
                     later_is_normal: bool = False) -> list[Problem]:
    """A date must exist, and should fall in the report's period.

    ``later_is_normal``: a date after the period is expected (a planned action's
    next steps), only one before it is worth a warning.
    """
    if date is None:
        return []
    problems = _check_date(path, date)
    if problems:
        return problems
    start, end = report.period.start, report.period.end
    if start.earliest() > end.latest():
        return []  # a reversed period is reported once, not at every date
    after = date.earliest() > end.latest()
    if date.latest() < start.earliest() or (after and not later_is_normal):
        return [_warning(path, f"date {date} is outside the report period {start}-{end}",
                         "check the year, or say in the text why it matters here")]
    return []


def _check_references(report: Report) -> list[Problem]:
    problems = []
    registries = {
        "places": ({p.id for p in report.neighbourhood.places}, "neighbourhood.places"),
        "partners": ({p.id for p in report.partners}, "partners"),
        "programmes": ({p.id for p in report.programmes}, "programmes"),
    }
    used: set[tuple[str, str]] = set()
    for a, axis in enumerate(report.axes):
        for n, action in enumerate(axis.actions):
            for kind, (known, where) in registries.items():
                for r, ref in enumerate(getattr(action, kind)):
                    used.add((kind, ref))
                    if ref not in known:
                        close = closest(ref, known)
                        hint = (f"did you mean {close!r}?" if close
                                else f"add an entry with id {ref!r} to {where}")
                        problems.append(_error(("axes", a, "actions", n, kind, r),
                                               f"{kind[:-1]} {ref!r} is not listed in {where}",
                                               hint))
    return problems


def _check_action(path: PathKey, action: Action, report: Report) -> list[Problem]:
    problems = []
    planned = action.status is ActionStatus.PLANNED
    for name in ("start", "end", "date", "status_date"):
        problems += _check_in_period((*path, name), getattr(action, name), report,
                                     later_is_normal=planned)
    if action.date is not None and (action.start is not None or action.end is not None):
        problems.append(_error((*path, "date"), "an action has either a date (done once) or "
                               "a start and an end (it lasts), not both",
                               "keep 'date' for a one-off action, or 'start'/'end' for one "
                               "that lasts"))
    if action.status_date is not None and action.status is ActionStatus.NOT_ASSESSED:
        problems.append(_error((*path, "status_date"), "a not-assessed action has no date "
                               "at which it reached its status",
                               "remove status_date, or give the action its status"))
    if (action.start and action.end and not _check_date((), action.start)
            and not _check_date((), action.end)
            and action.start.earliest() > action.end.latest()):
        problems.append(_error((*path, "end"), f"the action ends ({action.end}) before it "
                               f"starts ({action.start})", "swap start and end"))
    for m, milestone in enumerate(action.milestones):
        problems += _check_in_period((*path, "milestones", m, "date"), milestone.date, report)
    if action.budget is not None:
        problems += _check_number((*path, "budget", "amount"), action.budget.amount,
                                  non_negative=True)
    for i, indicator in enumerate(action.indicators):
        problems += _check_indicator((*path, "indicators", i), indicator, report)
    return problems


def _check_number(path: PathKey, value: Any, non_negative: bool) -> list[Problem]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        problem = number_problem(value)
        if problem is not None:
            return [_error(path, *problem)]
    if non_negative and isinstance(value, int | float) and value < 0:
        return [_error(path, f"a count or amount cannot be negative ({value})",
                       "write the number without a minus sign")]
    return []


def _check_indicator(path: PathKey, indicator: Indicator, report: Report) -> list[Problem]:
    problems: list[Problem] = []
    numeric = isinstance(indicator.value, int | float)
    kind = indicator.kind
    if kind is MeasureKind.QUALITATIVE:
        if numeric:
            problems.append(_error((*path, "value"), "a qualitative indicator's value is a "
                                   "statement, not a number",
                                   "use kind 'count' for a number, or write the value as text"))
        elif not str(indicator.value).strip():
            problems.append(_error((*path, "value"), "text is empty", "write the statement"))
    elif not numeric:
        problems.append(_error((*path, "value"), f"a {kind.value} indicator needs a number, "
                               f"not {indicator.value!r}",
                               "write the number alone, or use kind 'qualitative'"))
    else:
        problems += _check_number((*path, "value"), indicator.value,
                                  non_negative=kind is not MeasureKind.PERCENTAGE)
        if kind is MeasureKind.COUNT and isinstance(indicator.value, float) \
                and not indicator.value.is_integer():
            problems.append(_error((*path, "value"), f"a count is a whole number, not "
                                   f"{indicator.value}", "for a ratio use kind 'percentage'"))
    if kind in (MeasureKind.FREQUENCY, MeasureKind.DURATION) and indicator.unit not in TIME_UNITS:
        given = "unit is missing" if indicator.unit is None else f"not {indicator.unit!r}"
        problems.append(_error((*path, "unit"), f"a {kind.value} needs a time unit, {given}",
                               "one of: " + ", ".join(TIME_UNITS)))
    if indicator.period is not None:
        period = indicator.period
        if period.kind is PeriodKind.AS_OF and period.date is None:
            problems.append(_error((*path, "period", "date"), "'as-of' needs a date",
                                   "add date: YYYY, YYYY-MM or YYYY-MM-DD"))
        problems += _check_in_period((*path, "period", "date"), period.date, report)
    for name in ("baseline", "target"):
        point = getattr(indicator, name)
        if point is not None:
            problems += _check_number((*path, name, "value"), point.value, non_negative=False)
            if point.date is not None:
                problems += _check_date((*path, name, "date"), point.date)
    problems += _check_series(path, indicator)
    problems += _check_direction(path, indicator)
    problems += _check_source((*path, "source"), indicator.source)
    total_ok = not any(p.path == format_path((*path, "value")) for p in problems)
    for b, breakdown in enumerate(indicator.breakdowns):
        problems += _check_breakdown((*path, "breakdowns", b), breakdown, indicator, total_ok)
    return problems


def _check_source(path: PathKey, source: Any) -> list[Problem]:
    if source is None:
        return []
    problems = _check_url((*path, "url"), source.url)
    if source.date is not None:
        problems = _check_date((*path, "date"), source.date) + problems
    return problems


def _check_series(path: PathKey, indicator: Indicator) -> list[Problem]:
    """A series is dated numbers, oldest first, ending with the figure's value."""
    series = indicator.series
    if not series:
        return []
    problems: list[Problem] = []
    if indicator.kind is MeasureKind.QUALITATIVE:
        return [_error((*path, "series"), "a qualitative figure has no series of numbers",
                       "give the figure a numeric kind, or remove the series")]
    dates_ok = True
    for o, point in enumerate(series):
        where = (*path, "series", o)
        problems += _check_number((*where, "value"), point.value,
                                  non_negative=indicator.kind is not MeasureKind.PERCENTAGE)
        if indicator.kind is MeasureKind.COUNT and isinstance(point.value, float) \
                and not point.value.is_integer():
            problems.append(_error((*where, "value"), f"a count is a whole number, not "
                                   f"{point.value}", "for a ratio use kind 'percentage'"))
        date_problems = _check_date((*where, "date"), point.date)
        dates_ok = dates_ok and not date_problems
        problems += date_problems
        problems += _check_source((*where, "source"), point.source)
    if dates_ok:
        for o in range(1, len(series)):
            before, after = series[o - 1].date, series[o].date
            if not after > before:
                problems.append(_error(
                    (*path, "series", o, "date"),
                    f"{after} does not come after the previous value's date {before}",
                    "write the series oldest first, one value per date"))
    latest = series[-1].value
    value = indicator.value
    if isinstance(value, int | float) and not isinstance(value, bool) and value != latest:
        problems.append(_error((*path, "value"), f"the value {value} is not the latest of "
                               f"the series ({latest}, {series[-1].date})",
                               "leave 'value' out (the latest value of the series is the "
                               "figure's value), or make them agree"))
    return problems


def _check_direction(path: PathKey, indicator: Indicator) -> list[Problem]:
    """Say which way is better wherever a change can be shown; and keep the target that way."""
    has_change = indicator.baseline or indicator.target or indicator.series
    if indicator.direction is None:
        if has_change and indicator.kind is not MeasureKind.QUALITATIVE:
            return [_warning((*path, "direction"), "this figure has a baseline, a target or "
                             "a series but does not say which way is better",
                             "add direction: higher, lower or neither (as IATI's "
                             "'ascending')")]
        return []
    baseline, target = indicator.baseline, indicator.target
    if baseline is None or target is None:
        return []
    start, goal = baseline.value, target.value
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (start, goal)):
        return []
    assert isinstance(start, int | float) and isinstance(goal, int | float)
    wrong = ((indicator.direction is Direction.HIGHER and goal < start)
             or (indicator.direction is Direction.LOWER and goal > start))
    if wrong:
        return [_warning((*path, "target", "value"),
                         f"the target {goal} lies the wrong way from the baseline {start} "
                         f"for a figure where {indicator.direction.value} is better",
                         "check the target, or the direction")]
    return []


def _check_breakdown(path: PathKey, breakdown: Any, indicator: Indicator,
                     total_ok: bool = True) -> list[Problem]:
    problems: list[Problem] = []
    if not breakdown.parts:
        problems.append(_error((*path, "parts"), "a breakdown needs at least one part"))
    for p, part in enumerate(breakdown.parts):
        problems += _check_number((*path, "parts", p, "value"), part.value, non_negative=True)
    total = indicator.value
    if not isinstance(total, int | float) or problems or not total_ok:
        return problems  # a wrong total is reported once, at the value
    if breakdown.kind is BreakdownKind.PART_OF_TOTAL:
        for p, part in enumerate(breakdown.parts):
            if part.value > total:
                problems.append(_error((*path, "parts", p, "value"),
                                       f"part {part.value} is larger than the total {total}",
                                       "a part of the total cannot exceed it"))
    else:
        parts_sum = math.fsum(part.value for part in breakdown.parts)
        if not math.isclose(parts_sum, total, rel_tol=1e-9, abs_tol=1e-9):
            problems.append(_error((*path, "parts"),
                                   f"a complete split must add up to {total}, but its parts add "
                                   f"up to {_plain(parts_sum)}",
                                   "fix a part, or use kind 'part-of-total' if parts may overlap"))
    return problems


def _plain(number: float) -> str:
    return str(int(number)) if number.is_integer() else str(number)


def _check_url(path: PathKey, url: str | None) -> list[Problem]:
    if url is None or link_target(url) is not None:
        return []
    return [_error(path, f"{url!r} is not a web address", "write a full address starting "
                   "with https:// (or mailto: for an e-mail address)")]


def with_location(problem: Problem, location: Location | None) -> Problem:
    """The same problem, placed in its source file."""
    return evolve(problem, location=location)
