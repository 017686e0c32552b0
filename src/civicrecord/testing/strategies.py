"""Hypothesis strategies for civicrecord: valid reports and the texts they may hold.

``reports()`` draws any :class:`civicrecord.Report` that loads without an
error: ids are unique slugs, references resolve, numbers are finite, counts
are whole and non-negative, breakdowns add up, dates exist. Texts are any
Unicode that validation accepts, markup- and template-like strings included
(``<script>``, ``{{ 7*7 }}``, ``{% raw %}``, ``&amp;``), so a renderer property
over ``reports()`` proves that no text becomes code. Part of the testing kit
(:mod:`civicrecord.testing`); civicrecord's own property tests use it too.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from civicrecord.model import (
    Action,
    ActionStatus,
    Authority,
    Breakdown,
    BreakdownKind,
    BreakdownPart,
    Budget,
    Direction,
    Indicator,
    IndicatorPeriod,
    Introduction,
    MeasureKind,
    Milestone,
    Neighbourhood,
    Observation,
    PartialDate,
    Partner,
    PartnerKind,
    PeriodKind,
    Place,
    PlaceKind,
    Programme,
    ReferencePoint,
    Report,
    ReportingPeriod,
    Source,
    ThematicAxis,
)
from civicrecord.validation import TIME_UNITS

__all__ = [
    "LANGUAGES",
    "PAYLOADS",
    "XML_ILLEGAL",
    "ids",
    "partial_dates",
    "reports",
    "texts",
]

#: Characters no XML document may hold, which validation refuses in any text:
#: C0 controls but tab, newline and carriage return; DEL and the C1 controls;
#: U+FFFE and U+FFFF. (Lone surrogates are excluded by category ``Cs``.)
XML_ILLEGAL = "".join(
    [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + ["\ufffe", "\uffff"]
)

#: Texts that are code somewhere: HTML, SVG, JavaScript URLs, CSS, Jinja, Word
#: fields, entities, Markdown. A report may say any of them; none may run.
PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "</p></body></html>",
    "<!-- comment -->",
    "<![CDATA[ x ]]>",
    "{{ 7*7 }}",
    "{% raw %}{{ x }}{% endraw %}",
    "{# comment #}",
    "{{ config.__class__ }}",
    "&amp; &lt;b&gt; &#x41; &nbsp;",
    "a < b && c > d",
    "' OR '1'='1",
    "${7*7} #{7*7} %(x)s {0}",
    "\\begin{document}",
    "**bold** _it_ [link](http://x)",
    "{ DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe }",
    "style=\"color:red\" </style><style>*{display:none}</style>",
    "مرحبا بالعالم",  # right-to-left text
    "\u202eevil\u202c and a zero\u200bwidth space",  # warnings, still valid
    "- a bullet\n- another\n\nNew paragraph.",
    "line\r\nbreaks\rand\ttabs",
    "TODO",
)

#: Language tags Babel knows, left-to-right and right-to-left.
LANGUAGES = ("fr-FR", "fr", "en-GB", "en", "de-DE", "ar", "he-IL", "ja", "es-419")
_CURRENCIES = ("EUR", "USD", "GBP", "CHF", "JPY")

_CHARACTERS = st.characters(exclude_categories=["Cs"], exclude_characters=XML_ILLEGAL)


@functools.cache
def texts(*, min_size: int = 1, max_size: int = 40) -> st.SearchStrategy[str]:
    """Any text validation accepts in a required field: not blank, XML-legal.

    Mixes arbitrary Unicode with the :data:`PAYLOADS`, alone and embedded.
    """
    free = st.text(_CHARACTERS, min_size=min_size, max_size=max_size)
    payload = st.sampled_from(PAYLOADS)
    embedded = st.tuples(free, payload, free).map("".join)
    return st.one_of(free, payload, embedded).filter(lambda text: text.strip() != "")


@functools.cache
def ids() -> st.SearchStrategy[str]:
    """Slugs: lowercase ASCII letters and digits in hyphen-separated words."""
    word = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
    return st.lists(word, min_size=1, max_size=3).map("-".join)


@functools.cache
def partial_dates(start: int = 1900, end: int = 2100) -> st.SearchStrategy[PartialDate]:
    """Dates that exist, known to the year, the month or the day."""
    return st.one_of(
        st.builds(PartialDate, st.integers(start, end)),
        st.builds(PartialDate, st.integers(start, end), st.integers(1, 12)),
        st.dates(datetime.date(start, 1, 1), datetime.date(end, 12, 31)).map(
            lambda d: PartialDate(d.year, d.month, d.day)
        ),
    )


@functools.cache
def _urls() -> st.SearchStrategy[str]:
    tail = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_/?=&%<>\"'", max_size=20)
    return tail.map(lambda path: f"https://example.org/{path}")


class _Ids:
    """Hands out ids unique across a report, as validation wants for each kind."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self.draw = draw
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return f"{self.draw(ids())}-{self.count}"


@functools.cache
def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def _indicator(draw: Any, fresh_id: _Ids, period: ReportingPeriod) -> Indicator:
    kind = draw(st.sampled_from(MeasureKind))
    breakdowns: tuple[Breakdown, ...] = ()
    value: int | float | str
    unit: str | None
    if kind is MeasureKind.QUALITATIVE:
        value, unit = draw(texts()), None
    elif kind is MeasureKind.COUNT:
        count: int = draw(st.integers(0, 10**9))
        value, unit = count, draw(_optional(texts(max_size=12)))
        breakdowns = tuple(draw(st.lists(_breakdown(count), max_size=2)))
    elif kind is MeasureKind.MONEY:
        value = draw(st.integers(0, 10**9) | st.floats(0, 1e9, allow_nan=False))
        unit = draw(st.sampled_from(_CURRENCIES))
    elif kind is MeasureKind.PERCENTAGE:
        value = draw(st.floats(-1e3, 1e3, allow_nan=False) | st.integers(-100, 100))
        unit = None
    else:
        value = draw(st.integers(0, 10**6) | st.floats(0, 1e6, allow_nan=False))
        unit = draw(st.sampled_from(TIME_UNITS))
    within = partial_dates(period.start.year, period.end.year)
    period_kind = draw(st.sampled_from(PeriodKind))
    indicator_period = draw(_optional(st.builds(
        IndicatorPeriod, st.just(period_kind),
        within if period_kind is PeriodKind.AS_OF else _optional(within),
    )))
    number = st.integers(-10**6, 10**6) | st.floats(-1e6, 1e6, allow_nan=False)
    point = st.builds(ReferencePoint, number | texts(), _optional(partial_dates()))
    series: tuple[Observation, ...] = ()
    if kind is MeasureKind.COUNT and isinstance(value, int) and draw(st.booleans()):
        years = sorted(draw(st.sets(st.integers(1990, 2100), min_size=1, max_size=4)))
        earlier = [draw(st.integers(0, 10**6)) for _ in years[:-1]]
        series = tuple(
            Observation(PartialDate(year), number_, draw(_optional(texts())))
            for year, number_ in zip(years, [*earlier, value], strict=True))
    return Indicator(
        id=fresh_id(),
        label=draw(texts()),
        kind=kind,
        value=value,
        unit=unit,
        period=indicator_period,
        direction=draw(_optional(st.sampled_from(Direction))),
        baseline=draw(_optional(point)),
        target=draw(_optional(point)),
        series=series,
        breakdowns=breakdowns,
        source=draw(_optional(st.builds(Source, texts(), _optional(_urls()),
                                        _optional(partial_dates())))),
        note=draw(_optional(texts())),
    )


@st.composite
def _breakdown(draw: Any, total: int) -> Breakdown:
    kind = draw(st.sampled_from(BreakdownKind))
    if kind is BreakdownKind.PART_OF_TOTAL:
        values = draw(st.lists(st.integers(0, total), min_size=1, max_size=4))
    else:  # whole numbers that add up to the total exactly
        cuts = sorted(draw(st.lists(st.integers(0, total), max_size=3)))
        values = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    parts = tuple(BreakdownPart(draw(texts()), value) for value in values)
    return Breakdown(draw(texts()), kind, parts)


@st.composite
def _action(draw: Any, fresh_id: _Ids, period: ReportingPeriod, places: list[str],
            partners: list[str], programmes: list[str]) -> Action:
    within = partial_dates(period.start.year, period.end.year)
    start, end = draw(_optional(within)), draw(_optional(within))
    if start and end and start.earliest() > end.latest():
        start, end = end, start

    def some(known: list[str]) -> tuple[str, ...]:
        if not known:
            return ()
        return tuple(draw(st.lists(st.sampled_from(known), max_size=3, unique=True)))

    budget = draw(_optional(st.builds(
        Budget, st.integers(0, 10**8) | st.floats(0, 1e8, allow_nan=False),
        st.sampled_from(_CURRENCIES), st.none(),
    )))
    status = draw(st.sampled_from(ActionStatus))
    date = draw(_optional(within)) if start is None and end is None else None
    status_date = None if status is ActionStatus.NOT_ASSESSED else draw(_optional(within))
    return Action(
        id=fresh_id(),
        title=draw(texts()),
        description=draw(texts(max_size=80)),
        status=status,
        start=start,
        end=end,
        date=date,
        status_date=status_date,
        places=some(places),
        partners=some(partners),
        programmes=some(programmes),
        milestones=tuple(draw(st.lists(st.builds(Milestone, within, texts()), max_size=2))),
        budget=budget,
        indicators=tuple(draw(st.lists(_indicator(fresh_id, period), max_size=2))),
    )


def _coordinates() -> st.SearchStrategy[tuple[float | None, float | None]]:
    """A place's latitude and longitude, both or neither, the poles and date line included."""
    degrees = st.floats(-90, 90, allow_nan=False), st.floats(-180, 180, allow_nan=False)
    return st.one_of(st.just((None, None)), st.tuples(*degrees))


@st.composite
def reports(draw: Any, *, max_axes: int = 3) -> Report:
    """Any report that loads without an error (warnings are allowed)."""
    fresh_id = _Ids(draw)
    start_year = draw(st.integers(1990, 2030))
    end_year = draw(st.integers(start_year, start_year + 8))
    period = ReportingPeriod(PartialDate(start_year), PartialDate(end_year))
    places = [Place(fresh_id(), draw(texts()), draw(st.sampled_from(PlaceKind)),
                    draw(_optional(texts())), *draw(_coordinates()))
              for _ in range(draw(st.integers(0, 3)))]
    partners = [Partner(fresh_id(), draw(texts()), draw(st.sampled_from(PartnerKind)),
                        draw(_optional(texts())), draw(_optional(_urls())))
                for _ in range(draw(st.integers(0, 3)))]
    programmes = [Programme(fresh_id(), draw(texts()), draw(_optional(texts())),
                            draw(_optional(_urls())))
                  for _ in range(draw(st.integers(0, 2)))]
    place_ids = [p.id for p in places]
    partner_ids = [p.id for p in partners]
    programme_ids = [p.id for p in programmes]
    axes = []
    for _ in range(draw(st.integers(1, max_axes))):
        actions = draw(st.lists(_action(fresh_id, period, place_ids, partner_ids,
                                        programme_ids), min_size=1, max_size=3))
        axes.append(ThematicAxis(
            id=fresh_id(),
            title=draw(texts()),
            need=draw(texts(max_size=80)),
            actions=tuple(actions),
            outcome=draw(texts(max_size=80)),
            indicators=tuple(draw(st.lists(_indicator(fresh_id, period), max_size=2))),
        ))
    neighbourhood = Neighbourhood(
        id=fresh_id(),
        name=draw(texts()),
        city=draw(texts()),
        description=draw(texts(max_size=80)),
        population=draw(_optional(st.integers(0, 10**7))),
        priority_area_code=draw(_optional(st.from_regex(r"QN\d{7}", fullmatch=True))),
        places=tuple(places),
    )
    return Report(
        id=fresh_id(),
        title=draw(texts()),
        language=draw(st.sampled_from(LANGUAGES)),
        authority=Authority(draw(texts()), draw(_optional(_urls()))),
        period=period,
        neighbourhood=neighbourhood,
        introduction=Introduction(draw(texts(max_size=80)), draw(texts(max_size=80))),
        axes=tuple(axes),
        subtitle=draw(_optional(texts())),
        published=draw(_optional(partial_dates(start_year, end_year + 1))),
        partners=tuple(partners),
        programmes=tuple(programmes),
    )
