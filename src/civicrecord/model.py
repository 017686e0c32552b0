"""The domain of a neighbourhood report: what a city found, decided, did and changed.

Every class is frozen and slotted so a report, once loaded, can be shared between
renderers and threads without anyone changing it underneath the others. The model
knows nothing of files, templates or Word: loaders build it, renderers read it.

Texts (``description``, ``need``, ``outcome``...) are plain text: paragraphs are
separated by a blank line, and lines starting with ``- `` are bullet points (see
:mod:`civicrecord.text`). They are never markup.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator

from attrs import field, frozen

__all__ = [
    "FORMAT_VERSION",
    "FORMAT_VERSIONS",
    "Action",
    "ActionStatus",
    "Authority",
    "Breakdown",
    "BreakdownKind",
    "BreakdownPart",
    "Budget",
    "Direction",
    "Indicator",
    "IndicatorPeriod",
    "Introduction",
    "MeasureKind",
    "Milestone",
    "Neighbourhood",
    "Observation",
    "PartialDate",
    "Partner",
    "PartnerKind",
    "PeriodKind",
    "Picture",
    "Place",
    "PlaceKind",
    "Programme",
    "ReferencePoint",
    "Report",
    "ReportingPeriod",
    "Source",
    "ThematicAxis",
    "Value",
]

#: A figure's value: a number, or a qualitative statement ("restored", "weekly").
Value = int | float | str

#: The version of the data format files are written in (``format_version``). Version 2
#: added a figure's ``direction`` and ``series`` and an action's ``date`` and
#: ``status_date``; every version-1 file is a valid version-2 file.
FORMAT_VERSION = "2"
#: Every version this civicrecord reads.
FORMAT_VERSIONS = ("1", "2")

_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


def _unknown_first(part: int | None) -> int:
    """Sort key of a month or day: an unknown one comes before any known one."""
    return 0 if part is None else part


@frozen(order=True)
class PartialDate:
    """A date known to the year, the month or the day.

    Reports say "signed in 2021" as often as "opened on 3 May 2022"; forcing a
    full date would make people invent days. Written ``2021``, ``2021-05`` or
    ``2021-05-03``. Dates sort as their text does: ``2021 < 2021-01 < 2021-01-01``.
    """

    year: int
    month: int | None = field(default=None, order=_unknown_first)
    day: int | None = field(default=None, order=_unknown_first)

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise ValueError otherwise."""
        match = _PARTIAL_DATE.fullmatch(text)
        if match is None:
            raise ValueError(
                f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2021-05-03)"
            )
        year, month, day = (int(part) if part else None for part in match.groups())
        assert year is not None
        date = cls(year, month, day)
        date.check()
        return date

    def check(self) -> None:
        """Raise ValueError if this date cannot exist (month 13, 30 February...)."""
        import calendar

        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is out of range 1-9999")
        if self.month is None:
            if self.day is not None:
                raise ValueError("a day needs a month")
            return
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} does not exist (1-12)")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ValueError(
                    f"day {self.day} does not exist in {self.year}-{self.month:02d} "
                    f"(it has {last} days)"
                )

    @property
    def precision(self) -> str:
        """``"year"``, ``"month"`` or ``"day"``."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def earliest(self) -> tuple[int, int, int]:
        """The first day this date may mean, for comparisons."""
        return (self.year, self.month or 1, self.day or 1)

    def latest(self) -> tuple[int, int, int]:
        """The last day this date may mean, for comparisons."""
        import calendar

        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return (self.year, month, day)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text


class ActionStatus(enum.Enum):
    """Where an action stands at the time of the report.

    ``not-assessed`` means the report does not say; it is not "no progress".
    ``ongoing`` means the action was made permanent and goes on.
    """

    PLANNED = "planned"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    ONGOING = "ongoing"
    ABANDONED = "abandoned"
    NOT_ASSESSED = "not-assessed"


class MeasureKind(enum.Enum):
    """What an indicator's number measures, which decides how it is written."""

    COUNT = "count"  #: people, posts, actions... ``unit`` names what is counted
    MONEY = "money"  #: ``unit`` is an ISO 4217 currency code
    PERCENTAGE = "percentage"
    FREQUENCY = "frequency"  #: "every 15 minutes": ``unit`` is a time unit
    DURATION = "duration"  #: "in 20 minutes": ``unit`` is a time unit
    QUALITATIVE = "qualitative"  #: the value is a statement, not a number


class PeriodKind(enum.Enum):
    """The time an indicator's value covers."""

    PER_YEAR = "per-year"
    PER_MONTH = "per-month"
    PER_WEEK = "per-week"
    OVER_THE_TERM = "over-the-term"  #: the whole reporting period
    AS_OF = "as-of"  #: a stock at a given date
    ONE_OFF = "one-off"  #: a single event or decision


class Direction(enum.Enum):
    """Which way a figure is better, so a change can be called an improvement or not.

    The anchor is the IATI results standard's ``ascending`` flag: ``higher``
    is ``ascending="1"`` (jobs found), ``lower`` is ``ascending="0"`` (damp
    reports, waiting time). ``neither`` says a change is neither good nor bad
    in itself (a population).
    """

    HIGHER = "higher"
    LOWER = "lower"
    NEITHER = "neither"


class BreakdownKind(enum.Enum):
    """How a breakdown's parts relate to the indicator's value.

    ``part-of-total``: "423 people, of whom 160 under 30" - each part is at most
    the total, parts need not add up. ``complete-split``: the parts add up to
    the total exactly.
    """

    PART_OF_TOTAL = "part-of-total"
    COMPLETE_SPLIT = "complete-split"


class PlaceKind(enum.Enum):
    """What sort of place a report names."""

    BUILDING = "building"
    STREET = "street"
    SECTOR = "sector"
    PUBLIC_SPACE = "public-space"
    SCHOOL = "school"
    OTHER = "other"


class PartnerKind(enum.Enum):
    """Who a partner is, so readers know whom the city worked with."""

    PUBLIC_BODY = "public-body"
    SOCIAL_LANDLORD = "social-landlord"
    ASSOCIATION = "association"
    RESIDENTS = "residents"
    COMPANY = "company"
    OTHER = "other"


@frozen
class Source:
    """Where a figure comes from, so readers can check it."""

    name: str
    url: str | None = None
    date: PartialDate | None = None


@frozen
class ReferencePoint:
    """A value at a date: an indicator's baseline or target."""

    value: Value
    date: PartialDate | None = None


@frozen
class Observation:
    """One dated value of a figure's series: "412 damp reports in 2019"."""

    date: PartialDate
    value: int | float
    note: str | None = None
    source: Source | None = None


@frozen
class BreakdownPart:
    """One part of a breakdown: "160 under 30"."""

    label: str
    value: int | float


@frozen
class Breakdown:
    """A split of an indicator's value along one dimension (age, sector...)."""

    dimension: str
    kind: BreakdownKind
    parts: tuple[BreakdownPart, ...]


@frozen
class IndicatorPeriod:
    """The time a value covers; ``date`` is required for ``as-of``."""

    kind: PeriodKind
    date: PartialDate | None = None


@frozen
class Indicator:
    """A key figure, such as "423 people supported by Déclic, of whom 160 under 30".

    ``label`` is the words that follow the number in a sentence ("personnes
    accompagnées par Déclic"), so one phrase per figure can be made in the
    report's language. ``unit`` says what is counted (``person``, ``post``), the
    currency for money (``EUR``), or the time unit for a frequency or duration
    (``minute``).

    ``series`` holds the figure's dated values, oldest first; the current
    ``value`` is the latest of them (a file may leave ``value`` out when it
    gives a series). ``direction`` says which way is better; what changed is
    computed from these, never typed (see :mod:`civicrecord.change`).
    """

    id: str
    label: str
    kind: MeasureKind
    value: Value
    unit: str | None = None
    period: IndicatorPeriod | None = None
    direction: Direction | None = None
    baseline: ReferencePoint | None = None
    target: ReferencePoint | None = None
    series: tuple[Observation, ...] = ()
    breakdowns: tuple[Breakdown, ...] = ()
    source: Source | None = None
    note: str | None = None


@frozen
class Milestone:
    """A dated event in an action's life ("security contract signed", 2021)."""

    date: PartialDate
    title: str


@frozen
class Picture:
    """A picture file inside the report folder: a photo, a map, a logo.

    ``path`` is relative to the report folder and never leaves it; the file is
    a PNG, JPEG or WebP. ``alt`` says what the picture shows to someone who
    cannot see it; it is required. What is published is re-encoded, without
    the file's metadata (see "Pictures" in the tutorial).
    """

    path: str
    alt: str
    caption: str | None = None
    credit: str | None = None
    licence: str | None = None


@frozen
class Action:
    """Something the city decided and did, with where, with whom and when.

    ``places``, ``partners`` and ``programmes`` hold ids that refer to the
    neighbourhood's places and the report's partners and programmes.

    ``start`` and ``end`` bound an action that lasts; ``date`` is the day,
    month or year of a one-off action (a bus line reopened, a decision);
    ``status_date`` is when the action reached its status: done in, abandoned
    in, planned for.
    """

    id: str
    title: str
    description: str
    status: ActionStatus
    start: PartialDate | None = None
    end: PartialDate | None = None
    date: PartialDate | None = None
    status_date: PartialDate | None = None
    places: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    budget: Budget | None = None
    indicators: tuple[Indicator, ...] = ()
    pictures: tuple[Picture, ...] = ()


@frozen
class Budget:
    """Money spent or committed on an action: an amount and its ISO 4217 currency."""

    amount: int | float
    currency: str
    period: IndicatorPeriod | None = None


@frozen
class ThematicAxis:
    """One theme of the report: the need, what was done, and what it changed."""

    id: str
    title: str
    need: str
    actions: tuple[Action, ...]
    outcome: str
    indicators: tuple[Indicator, ...] = ()
    pictures: tuple[Picture, ...] = ()


@frozen
class Place:
    """A place the report names: a building, a street, a sector.

    ``latitude`` and ``longitude`` (WGS 84 degrees, as maps and GPS give them)
    come together or not at all; with them, readers get a link to a map.
    """

    id: str
    name: str
    kind: PlaceKind = PlaceKind.OTHER
    description: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    def __attrs_post_init__(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            given = "latitude" if self.latitude is not None else "longitude"
            raise ValueError(f"a place with a {given} needs both latitude and longitude")
        for name, value, limit in (("latitude", self.latitude, 90),
                                   ("longitude", self.longitude, 180)):
            if value is not None and not -limit <= value <= limit:
                raise ValueError(f"{name} {value} is out of range -{limit} to {limit}")


@frozen
class Neighbourhood:
    """The neighbourhood the report is about, and the places in it."""

    id: str
    name: str
    city: str
    description: str
    population: int | None = None
    priority_area_code: str | None = None
    places: tuple[Place, ...] = ()


@frozen
class Partner:
    """An organisation the city worked with."""

    id: str
    name: str
    kind: PartnerKind = PartnerKind.OTHER
    description: str | None = None
    url: str | None = None


@frozen
class Programme:
    """A named scheme or policy frame (a national programme, a contract)."""

    id: str
    name: str
    description: str | None = None
    url: str | None = None


@frozen
class Authority:
    """Who issues the report: a city, its council, a department."""

    name: str
    url: str | None = None


@frozen
class ReportingPeriod:
    """The years (or dates) the report accounts for, both ends included."""

    start: PartialDate
    end: PartialDate


@frozen
class Introduction:
    """The starting situation and the aim the city set itself."""

    situation: str
    aim: str


@frozen
class Report:
    """A city's account of what it did for one neighbourhood over a period."""

    id: str
    title: str
    language: str
    authority: Authority
    period: ReportingPeriod
    neighbourhood: Neighbourhood
    introduction: Introduction
    axes: tuple[ThematicAxis, ...]
    subtitle: str | None = None
    published: PartialDate | None = None
    partners: tuple[Partner, ...] = ()
    programmes: tuple[Programme, ...] = ()
    cover: Picture | None = None
    logo: Picture | None = None

    def actions(self) -> Iterator[tuple[ThematicAxis, Action]]:
        """Every action with its axis, in reading order."""
        for axis in self.axes:
            for action in axis.actions:
                yield axis, action

    def indicators(self) -> Iterator[tuple[ThematicAxis, Action | None, Indicator]]:
        """Every key figure with its axis and action (None for an axis figure)."""
        for axis in self.axes:
            for indicator in axis.indicators:
                yield axis, None, indicator
            for action in axis.actions:
                for indicator in action.indicators:
                    yield axis, action, indicator

    def partner(self, partner_id: str) -> Partner | None:
        """The partner with this id, if the report lists one."""
        return next((p for p in self.partners if p.id == partner_id), None)

    def programme(self, programme_id: str) -> Programme | None:
        """The programme with this id, if the report lists one."""
        return next((p for p in self.programmes if p.id == programme_id), None)

    def place(self, place_id: str) -> Place | None:
        """The neighbourhood place with this id, if there is one."""
        return next((p for p in self.neighbourhood.places if p.id == place_id), None)

