"""How a report reads in its language: labels, numbers, money, dates and figure phrases.

Every renderer goes through this one module, so "350 000 €" has the same
no-break spaces in the Word file, the web page and the PDF. Babel is imported
lazily: validating a report never pays for it.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import frozen

from civicrecord.model import (
    Action,
    ActionStatus,
    Breakdown,
    BreakdownKind,
    Direction,
    Indicator,
    IndicatorPeriod,
    MeasureKind,
    PartialDate,
    PeriodKind,
    Place,
    ReferencePoint,
    ReportingPeriod,
)

if TYPE_CHECKING:
    from civicrecord.change import Change

__all__ = [
    "DOMAIN",
    "LABELS",
    "LOCALE_DIR",
    "STATUS_ORDER",
    "Presenter",
    "UnsupportedLanguageWarning",
    "map_url",
    "presenter_for",
    "supported_languages",
]


class UnsupportedLanguageWarning(UserWarning):
    """The report's language has no labels yet; English labels are used."""


#: Where the gettext catalogues live: ``<language>/LC_MESSAGES/civicrecord.po``, and
#: the ``.mo`` compiled from it when the package is built.
LOCALE_DIR = Path(__file__).parent / "locale"
#: The gettext domain of civicrecord's labels.
DOMAIN = "civicrecord"
#: Statuses in the order a reader expects them: finished first, abandoned last. Every
#: format lists and charts them in this order, so they tell the same story.
STATUS_ORDER = (
    ActionStatus.DONE,
    ActionStatus.ONGOING,
    ActionStatus.IN_PROGRESS,
    ActionStatus.PLANNED,
    ActionStatus.NOT_ASSESSED,
    ActionStatus.ABANDONED,
)


def _catalogue_languages() -> tuple[str, ...]:
    """Languages with a catalogue in the package."""
    return tuple(sorted(
        (path.name for path in LOCALE_DIR.iterdir()
         if (path / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()
         or (path / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file()),
        key=lambda name: (name != "fr", name)))  # French first: the project's first language


@functools.cache
def _catalogue(language: str) -> Mapping[str, str]:
    """A language's labels, read from its gettext catalogue once per process (see
    "Caches" in docs/performance.md); the package's files do not change under it.

    The wheel ships a ``.mo`` compiled at build time (``hatch_build.py``); a source
    checkout has only the ``.po``, which Babel reads as it is. Labels are keys
    (``need``, ``phrase-period``), so a catalogue is read whole, not message by message.
    """
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    compiled = folder / f"{DOMAIN}.mo"
    if compiled.is_file():
        from babel.messages.mofile import read_mo

        with compiled.open("rb") as file:
            catalogue = read_mo(file)
    else:
        from babel.messages.pofile import read_po

        with (folder / f"{DOMAIN}.po").open("rb") as file:
            catalogue = read_po(file, locale=language)
    return MappingProxyType({str(message.id): str(message.string)
                             for message in catalogue if message.id})


class _Catalogues(Mapping[str, Mapping[str, str]]):
    """Labels by language, each read from its catalogue the first time it is asked for."""

    def __getitem__(self, language: str) -> Mapping[str, str]:
        if language not in _catalogue_languages():
            raise KeyError(language)
        return _catalogue(language)

    def __iter__(self) -> Iterator[str]:
        return iter(_catalogue_languages())

    def __len__(self) -> int:
        return len(_catalogue_languages())


#: Labels by language; a language missing here falls back to English with a warning.
#: Read-only, from the gettext catalogues in :data:`LOCALE_DIR`.
LABELS: Mapping[str, Mapping[str, str]] = _Catalogues()

#: Time units a frequency or duration may use, each with its own "every" pattern
#: (French says "toutes les 15 minutes" but "tous les 3 jours").
_TIME_UNITS = ("second", "minute", "hour", "day", "week", "month", "year")


def supported_languages() -> tuple[str, ...]:
    """Primary language subtags that have labels (``fr``, ``en``)."""
    return tuple(LABELS)


def presenter_for(language: str) -> Presenter:
    """The presenter for a BCP 47 tag; unsupported languages get English labels."""
    primary = language.replace("_", "-").split("-")[0].lower()
    if primary not in LABELS:
        warnings.warn(
            f"no labels for language {language!r}; using English labels "
            f"(supported: {', '.join(LABELS)})",
            UnsupportedLanguageWarning,
            stacklevel=2,
        )
        return Presenter(language=language, labels_language="en")
    return Presenter(language=language, labels_language=primary)


#: How many formatted values each formatting method keeps before starting afresh.
_FORMAT_CACHE_SIZE = 4096
_Method = TypeVar("_Method", bound=Callable[..., str])


def _argument_key(value: object) -> object:
    """A cache key that tells apart what formats differently: ``1``/``1.0``, ``0.0``/``-0.0``."""
    if type(value) is float:
        return (float, repr(value))
    return (type(value), value)


def _remembered(method: _Method) -> _Method:
    """Keep what a formatting method returned for its language and arguments.

    Babel's formatting is most of what presenting a value costs, and a report
    formats the same values again and again (status counts, figures shown on
    the overview and in their axis, chart ticks, each render of a long-lived
    process): see "Caches" in docs/performance.md. The cache is bounded: past
    :data:`_FORMAT_CACHE_SIZE` values it starts afresh.
    """
    cache: dict[tuple[object, ...], str] = {}

    @functools.wraps(method)
    def remembered(self: Presenter, *args: Any) -> str:
        key = (self.language, *map(_argument_key, args))
        try:
            return cache[key]
        except KeyError:
            pass
        text = method(self, *args)
        if len(cache) >= _FORMAT_CACHE_SIZE:
            cache.clear()
        cache[key] = text
        return text

    return remembered  # type: ignore[return-value]


@frozen
class Presenter:
    """Formats values of one report for people reading its language."""

    language: str
    labels_language: str

    @property
    def locale(self) -> Any:
        return _locale(self.language)

    def label(self, key: str) -> str:
        """A fixed label ("Le besoin au départ"), in the report's language."""
        return _catalogue(self.labels_language)[key]

    def labels(self) -> Mapping[str, str]:
        """All labels, for templates."""
        return LABELS[self.labels_language]

    def status(self, status: ActionStatus) -> str:
        """An action status as readers say it ("Réalisé", "Made permanent")."""
        return self.label(f"status-{status.value}")

    def pattern(self, key: str, **values: str) -> str:
        """A whole sentence pattern of the catalogue, filled in: "{value} {label} {period}".

        Each language orders the pieces its own way; code never glues them.
        """
        return self.label(key).format_map(values)

    @_remembered
    def number(self, value: float) -> str:
        """A number with the locale's grouping and decimal signs ("350 000", "12,5")."""
        from babel.numbers import format_decimal

        return str(format_decimal(value, locale=self.locale, decimal_quantization=False))

    @_remembered
    def money(self, amount: float, currency: str) -> str:
        """An amount with its currency; whole amounts show no cents ("350 000 €")."""
        from babel.numbers import format_currency

        pattern = self.locale.currency_formats["standard"].pattern
        if float(amount).is_integer():
            pattern = pattern.split(";")[0].replace(".00", "")
            return str(format_currency(amount, currency, format=pattern, locale=self.locale,
                                       currency_digits=False))
        return str(format_currency(amount, currency, locale=self.locale))

    @_remembered
    def percentage(self, value: float) -> str:
        """``12.5`` -> "12,5 %" in French, "12.5%" in English (Babel's ``format_percent``)."""
        import decimal

        from babel.numbers import format_percent

        with decimal.localcontext() as context:
            context.prec = 400  # exact for any finite float, however large
            share = Decimal(repr(value) if isinstance(value, float) else value) / 100
            return str(format_percent(share, locale=self.locale, decimal_quantization=False))

    @_remembered
    def share(self, value: float) -> str:
        """A share as a whole percentage: ``0.546`` -> "55 %", "55%"."""
        import decimal

        from babel.numbers import format_percent

        # Enough digits for any finite float: a start close to zero can make a
        # relative change huge, and Babel rounds in the current decimal context.
        with decimal.localcontext() as context:
            context.prec = 400
            return str(format_percent(Decimal(repr(float(value))), locale=self.locale))

    @_remembered
    def date(self, date: PartialDate) -> str:
        """A partial date at its precision: "2021", "mai 2021", "3 mai 2021"."""
        import datetime

        from babel.dates import format_date

        if date.month is None:
            return str(date.year)
        day = datetime.date(date.year, date.month, date.day or 1)
        if date.day is None:
            return str(format_date(day, "LLLL y", locale=self.locale))
        return str(format_date(day, "long", locale=self.locale))

    def date_range(self, start: PartialDate | None, end: PartialDate | None) -> str:
        """"2020–2026", "depuis 2021", "jusqu'en 2024", or "" when neither is known."""
        if start and end:
            if start == end:
                return self.date(start)
            return f"{self.date(start)}\u2013{self.date(end)}"
        if start:
            return f"{self.label('from')} {self.date(start)}"
        if end:
            return f"{self.label('until')} {self.date(end)}"
        return ""

    def when(self, preposition: str, date: PartialDate) -> str:
        """A date with its preposition at its precision: "in 2021", "on 3 May 2021",
        "en mai 2021", "pour le 3 mai 2025" (``preposition``: ``in``, ``for``, ``since``)."""
        return self.pattern(f"{preposition}-{date.precision}", date=self.date(date))

    def action_dates(self, action: Action) -> str:
        """When an action happened, and when it reached its status, in one phrase.

        "2020–2023, done in June 2023"; "done in September 2021" (a one-off
        action); "abandoned in May 2022"; "planned for 2025". A one-off action
        written with ``end`` alone, done, abandoned or planned, reads "done in",
        never "until": it did not stop then, it happened then.
        """
        status = action.status
        reached = action.status_date
        span = action.date or None
        start, end = action.start, action.end
        if (reached is None and span is None and start is None and end is not None
                and status in _REACHED_AT_END):
            reached, end = end, None
        if reached is None and span is not None and status is not ActionStatus.NOT_ASSESSED:
            reached, span = span, None
        parts = []
        if span is not None:
            parts.append(self.when("in", span))
        elif start is not None or end is not None:
            parts.append(self.date_range(start, end))
        if reached is not None and status is not ActionStatus.NOT_ASSESSED:
            preposition = _PREPOSITION.get(status, "in")
            parts.append(self.pattern(f"reached-{status.value}",
                                      when=self.when(preposition, reached)))
        return ", ".join(parts)

    def reporting_period(self, period: ReportingPeriod) -> str:
        """The report's period, "2020–2026"."""
        return self.date_range(period.start, period.end)

    def join(self, items: Iterable[str]) -> str:
        """"a, b et c" / "a, b and c"."""
        return self._join(tuple(items))

    @_remembered
    def _join(self, values: tuple[str, ...]) -> str:
        from babel.lists import format_list

        return str(format_list(list(values), locale=self.locale)) if values else ""

    @_remembered
    def duration(self, value: float, unit: str | None) -> str:
        """"15 minutes", "2 heures"."""
        from babel.units import format_unit

        return str(format_unit(value, f"duration-{unit}", locale=self.locale, length="long"))

    def frequency(self, value: float, unit: str | None) -> str:
        """"toutes les 15 minutes", "every 15 minutes", "chaque jour"."""
        unit = unit if unit in _TIME_UNITS else "minute"
        if value == 1:
            return self.label(f"each-{unit}")
        return self.pattern(f"every-{unit}", duration=self.duration(value, unit))

    def value(self, indicator: Indicator, value: object) -> str:
        """A value of this figure (its own, a baseline, a target, a series point), written
        as the figure's kind says: "412", "£1,200", "9.8%", "every 60 minutes"."""
        if isinstance(value, str) or not isinstance(value, int | float):
            return str(value)
        kind = indicator.kind
        if kind is MeasureKind.MONEY:
            return self.money(value, indicator.unit or "EUR")
        if kind is MeasureKind.PERCENTAGE:
            return self.percentage(value)
        if kind is MeasureKind.FREQUENCY:
            return self.frequency(value, indicator.unit)
        if kind is MeasureKind.DURATION:
            return self.duration(value, indicator.unit)
        return self.number(value)

    def indicator_value(self, indicator: Indicator) -> str:
        """The figure alone, as shown big on a card: "423", "350 000 €", "15 minutes"."""
        value = indicator.value
        if isinstance(value, str):
            return value
        if indicator.kind is MeasureKind.FREQUENCY:
            return self.duration(value, indicator.unit)
        return self.value(indicator, value)

    def reference(self, indicator: Indicator, point: ReferencePoint) -> str:
        """A baseline or target as the figure's kind says it, with its date:
        "412 (2019)", "every 60 minutes (2019)", "8% (2026)"."""
        text = self.value(indicator, point.value)
        if point.date is not None:
            text = f"{text} ({self.date(point.date)})"
        return text

    def indicator_period(self, indicator: Indicator) -> str:
        """"par an", "au 3 mai 2021", or "" for figures without a period."""
        return self.period(indicator.period)

    def period(self, period: IndicatorPeriod | None) -> str:
        """The time a figure or a budget covers: "par an", "au 3 mai 2021", or ""."""
        if period is None or period.kind is PeriodKind.ONE_OFF:
            return ""
        text = self.label(period.kind.value)
        if period.kind is PeriodKind.AS_OF and period.date is not None:
            text = f"{text} {self.date(period.date)}"
        return text

    def direction(self, direction: Direction) -> str:
        """Which way is better, in words: "lower is better", "à la baisse"."""
        return self.label(f"direction-{direction.value}")

    def breakdown(self, breakdown: Breakdown) -> str:
        """"dont 160 de moins de 30 ans"; a complete split lists every part."""
        parts = self.join(f"{self.number(part.value)} {part.label}" for part in breakdown.parts)
        if breakdown.kind is BreakdownKind.PART_OF_TOTAL:
            return self.pattern("phrase-of-whom", parts=parts)
        return self.pattern("phrase-split-into", parts=parts)

    def indicator_phrase(self, indicator: Indicator) -> str:
        """One sentence per figure, from the language's whole sentence patterns.

        "187 damp reports a year (2024)", "187 signalements d'humidité par an
        (2024)", "350 000 € par an mobilisés par la Cité éducative…", "Ligne
        Chrono E… : toutes les 15 minutes", "423 personnes accompagnées par
        Déclic, dont 160 de moins de 30 ans". The date in brackets is the
        value's: its series' latest, or the year a yearly figure covers.
        """
        label = indicator.label.strip()
        kind = indicator.kind
        value = indicator.value
        period = indicator.period
        if kind is MeasureKind.QUALITATIVE or isinstance(value, str):
            text = self.pattern("phrase-statement", label=_capitalise(label),
                                value=self.indicator_value(indicator))
        elif kind is MeasureKind.FREQUENCY:
            text = self.pattern("phrase-statement", label=_capitalise(label),
                                value=self.frequency(value, indicator.unit))
        else:
            head = self.indicator_value(indicator)
            period_text = self.period(period)
            if not period_text:
                text = self.pattern("phrase", value=head, label=label)
            elif kind is MeasureKind.MONEY:
                # The amount is the unit: "350 000 € par an mobilisés…", "£2,000 a year for…"
                text = self.pattern("phrase-money-period", value=head, period=period_text,
                                    label=label)
            else:
                text = self.pattern("phrase-period", value=head, label=label,
                                    period=period_text)
        date = _value_date(indicator)
        if date is not None:
            text = self.pattern("phrase-dated", phrase=text, date=self.date(date))
        for breakdown in indicator.breakdowns:
            text = f"{text}, {self.breakdown(breakdown)}"
        return text

    def signed(self, indicator: Indicator, amount: float, in_points: bool = False) -> str:
        """A change with its sign, in the figure's unit: "−225", "+£1,200", "−4.4 points"."""
        sign = "+" if amount > 0 else "\u2212" if amount < 0 else ""
        size = abs(amount)
        if in_points:
            form = self.locale.plural_form(size)
            number = self.number(size)
            return sign + self.pattern("points-one" if form == "one" else "points-other",
                                       number=number)
        kind = indicator.kind
        if kind is MeasureKind.MONEY:
            return sign + self.money(size, indicator.unit or "EUR")
        if kind in (MeasureKind.FREQUENCY, MeasureKind.DURATION):
            return sign + self.duration(size, indicator.unit)
        return sign + self.number(size)

    def change(self, indicator: Indicator, change: Change | None = None) -> str:
        """What changed, in words: "−225 (−55 %) since 2019, the better way"; "" if nothing.

        ``change`` is :func:`civicrecord.change.figure_change`'s, computed here when
        not given.
        """
        if change is None:
            from civicrecord.change import figure_change

            change = figure_change(indicator)
            if change is None:
                return ""
        from civicrecord.change import Verdict

        since = change.start.date
        if change.verdict is Verdict.UNCHANGED:
            if since is None:
                return self.label("unchanged-since-start")
            return self.pattern("unchanged-since", date=self.date(since))
        amount = self.signed(indicator, change.absolute, change.in_points)
        if change.relative is not None:
            relative = change.relative
            sign = "+" if relative > 0 else "\u2212" if relative < 0 else ""
            amount = self.pattern("change-relative", absolute=amount,
                                  relative=sign + self.share(abs(relative)))
        text = (self.pattern("change-since", change=amount, date=self.date(since))
                if since is not None else self.pattern("change-since-start", change=amount))
        if change.verdict is Verdict.BETTER:
            text = self.pattern("verdict-better", change=text)
        elif change.verdict is Verdict.WORSE:
            text = self.pattern("verdict-worse", change=text)
        return text

    def progress(self, indicator: Indicator, change: Change | None = None) -> str:
        """How far the figure came to its target: "71% of the way to the target of 8%
        (2026)", "target of 500 reached"; "" without a target to measure against."""
        if change is None:
            from civicrecord.change import figure_change

            change = figure_change(indicator)
        if change is None or change.target is None or change.progress is None:
            return ""
        target = self.value(indicator, change.target.value)
        if change.target.date is not None:
            target = f"{target} ({self.date(change.target.date)})"
        if change.target_reached:
            return self.pattern("target-reached", target=target)
        return self.pattern("progress-share", share=self.share(change.progress), target=target)

    def change_sentence(self, indicator: Indicator) -> str:
        """The change and the progress to the target, as one sentence; "" if neither."""
        from civicrecord.change import figure_change

        change = figure_change(indicator)
        if change is None:
            return ""
        parts = [self.change(indicator, change), self.progress(indicator, change)]
        return "; ".join(part for part in parts if part)

    def series_values(self, indicator: Indicator) -> list[str]:
        """The series, one value per date: ["412 (2019)", "301 (2021)", "187 (2024)"]."""
        return [f"{self.value(indicator, point.value)} ({self.date(point.date)})"
                for point in indicator.series]


#: Statuses a one-off action written with ``end`` alone reached at that date.
_REACHED_AT_END = (ActionStatus.DONE, ActionStatus.ABANDONED, ActionStatus.PLANNED)
#: The preposition a status takes before its date: "planned for 2025", "in progress since".
_PREPOSITION = {ActionStatus.PLANNED: "for", ActionStatus.IN_PROGRESS: "since"}


def _value_date(indicator: Indicator) -> PartialDate | None:
    """The date a figure's value is for, when the phrase does not already say it."""
    if indicator.series:
        return indicator.series[-1].date
    period = indicator.period
    if period is not None and period.kind is not PeriodKind.AS_OF:
        return period.date
    return None


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _locale(language: str) -> Any:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def map_url(place: Place) -> str | None:
    """An OpenStreetMap page centred on the place, or None when it has no coordinates.

    The one way every format links a place to a map: built from the two
    numbers alone (six decimals, about 10 cm), so no text of the report ever
    reaches the address.
    """
    if place.latitude is None or place.longitude is None:
        return None
    latitude, longitude = _degrees(place.latitude), _degrees(place.longitude)
    return (f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}"
            f"#map=17/{latitude}/{longitude}")


def _degrees(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
