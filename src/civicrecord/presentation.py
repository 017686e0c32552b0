"""How a report reads in its language: labels, numbers, money, dates and figure phrases.

Every renderer goes through this one module, so "350 000 €" has the same
no-break spaces in the Word file, the web page and the PDF. Babel is imported
lazily: validating a report never pays for it.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

from attrs import frozen

from civicrecord.model import (
    ActionStatus,
    Breakdown,
    BreakdownKind,
    Indicator,
    IndicatorPeriod,
    MeasureKind,
    PartialDate,
    PeriodKind,
    Place,
    ReportingPeriod,
)

__all__ = [
    "LABELS",
    "Presenter",
    "UnsupportedLanguageWarning",
    "map_url",
    "presenter_for",
    "supported_languages",
]


class UnsupportedLanguageWarning(UserWarning):
    """The report's language has no labels yet; English labels are used."""


_FR: dict[str, str] = {
    "contents": "Sommaire",
    "introduction": "Introduction",
    "situation": "La situation de départ",
    "aim": "Notre objectif",
    "need": "Le besoin au départ",
    "actions": "Ce que nous avons décidé et fait",
    "outcome": "Ce que cela a changé",
    "figures": "En chiffres",
    "key_figures": "Les chiffres clés",
    "status_overview": "Avancement des actions par axe",
    "status": "État",
    "places": "Lieux",
    "partners": "Partenaires",
    "programmes": "Dispositifs",
    "milestones": "Étapes",
    "dates": "Dates",
    "budget": "Budget",
    "source": "Source",
    "indicator": "Indicateur",
    "value": "Valeur",
    "period": "Période",
    "axis": "Axe",
    "action": "Action",
    "neighbourhood": "Quartier",
    "city": "Ville",
    "authority": "Publié par",
    "reporting_period": "Période couverte",
    "published": "Publication",
    "population": "Population",
    "priority_area_code": "Code du quartier prioritaire",
    "baseline": "Point de départ",
    "target": "Objectif",
    "page": "Page",
    "of_whom": "dont",
    "split_into": "réparti en",
    "from": "depuis",
    "until": "jusqu’en",
    "per-year": "par an",
    "per-month": "par mois",
    "per-week": "par semaine",
    "over-the-term": "sur la période",
    "as-of": "au",
    "one-off": "",
    "every": "toutes les",
    "every_masculine": "tous les",
    "total": "Total",
    "no_actions": "Aucune action",
    "colon": "\u00a0: ",
    "skip_to_content": "Aller au contenu",
    # The batch's index page (civicrecord.batch), one block.
    "index_title": "Rapports de quartier",
    "index_reports": "Les rapports",
    "index_documents": "Documents",
    "index_all_figures": "Tous les chiffres clés de tous les quartiers, un par ligne",
    "index_spreadsheet": "pour un tableur",
    "index_open_data": "données ouvertes",
}

_EN: dict[str, str] = {
    "contents": "Contents",
    "introduction": "Introduction",
    "situation": "Where we started",
    "aim": "Our aim",
    "need": "The need at the start",
    "actions": "What we decided and did",
    "outcome": "What it changed",
    "figures": "In figures",
    "key_figures": "Key figures",
    "status_overview": "Progress of actions by theme",
    "status": "Status",
    "places": "Places",
    "partners": "Partners",
    "programmes": "Programmes",
    "milestones": "Milestones",
    "dates": "Dates",
    "budget": "Budget",
    "source": "Source",
    "indicator": "Indicator",
    "value": "Value",
    "period": "Period",
    "axis": "Theme",
    "action": "Action",
    "neighbourhood": "Neighbourhood",
    "city": "City",
    "authority": "Published by",
    "reporting_period": "Period covered",
    "published": "Published",
    "population": "Population",
    "priority_area_code": "Priority area code",
    "baseline": "Baseline",
    "target": "Target",
    "page": "Page",
    "of_whom": "of whom",
    "split_into": "split into",
    "from": "from",
    "until": "until",
    "per-year": "a year",
    "per-month": "a month",
    "per-week": "a week",
    "over-the-term": "over the period",
    "as-of": "as of",
    "one-off": "",
    "every": "every",
    "every_masculine": "every",
    "total": "Total",
    "no_actions": "No actions",
    "colon": ": ",
    "skip_to_content": "Skip to content",
    # The batch's index page (civicrecord.batch), one block.
    "index_title": "Neighbourhood reports",
    "index_reports": "The reports",
    "index_documents": "Documents",
    "index_all_figures": "Every key figure of every neighbourhood, one per row",
    "index_spreadsheet": "for a spreadsheet",
    "index_open_data": "open data",
}

_STATUS: dict[str, dict[ActionStatus, str]] = {
    "fr": {
        ActionStatus.PLANNED: "Prévu",
        ActionStatus.IN_PROGRESS: "En cours",
        ActionStatus.DONE: "Réalisé",
        ActionStatus.ONGOING: "Pérennisé",
        ActionStatus.ABANDONED: "Abandonné",
        ActionStatus.NOT_ASSESSED: "Non évalué",
    },
    "en": {
        ActionStatus.PLANNED: "Planned",
        ActionStatus.IN_PROGRESS: "In progress",
        ActionStatus.DONE: "Done",
        ActionStatus.ONGOING: "Made permanent",
        ActionStatus.ABANDONED: "Abandoned",
        ActionStatus.NOT_ASSESSED: "Not assessed",
    },
}

#: Labels by language; a language missing here falls back to English with a warning.
#: Read-only: templates receive them, and one render must not change the next one's.
LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"fr": MappingProxyType(_FR), "en": MappingProxyType(_EN)})

# French time units that take "tous les" (masculine) rather than "toutes les".
_MASCULINE_UNITS = {"day", "month", "year"}
_SINGULAR: dict[str, dict[str, str]] = {
    "fr": {"second": "seconde", "minute": "minute", "hour": "heure", "day": "jour",
           "week": "semaine", "month": "mois", "year": "an"},
    "en": {"second": "second", "minute": "minute", "hour": "hour", "day": "day",
           "week": "week", "month": "month", "year": "year"},
}


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
        return _presenter(language, "en")
    return _presenter(language, primary)


@functools.cache
def _presenter(language: str, labels_language: str) -> Presenter:
    return Presenter(language=language, labels_language=labels_language)


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
    the overview and in their axis, each render of a long-lived process). The
    cache is bounded: past :data:`_FORMAT_CACHE_SIZE` values it starts afresh.
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
        return LABELS[self.labels_language][key]

    def labels(self) -> Mapping[str, str]:
        """All labels, for templates."""
        return LABELS[self.labels_language]

    def status(self, status: ActionStatus) -> str:
        """An action status as readers say it ("Réalisé", "Made permanent")."""
        return _STATUS[self.labels_language][status]

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
        """``12.5`` -> "12,5 %" in French, "12.5%" in English."""
        pattern = self.locale.percent_formats[None].pattern.split(";")[0]
        number = self.number(value)
        head, _, tail = pattern.partition("%")
        import re

        head = re.sub(r"[#0,.]+", "{}", head, count=1)
        tail = re.sub(r"[#0,.]+", "{}", tail, count=1)
        text = (head + "%" + tail).replace("{}", number)
        return text

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
        """"toutes les 15 minutes", "every 15 minutes"."""
        unit = unit or "minute"
        if value == 1:
            singular = _SINGULAR[self.labels_language].get(unit, unit)
            every = "chaque" if self.labels_language == "fr" else "every"
            return f"{every} {singular}"
        key = "every_masculine" if unit in _MASCULINE_UNITS else "every"
        return f"{self.label(key)} {self.duration(value, unit)}"

    def indicator_value(self, indicator: Indicator) -> str:
        """The figure alone, as shown big on a card: "423", "350 000 €", "15 minutes"."""
        value = indicator.value
        if isinstance(value, str):
            return value
        kind = indicator.kind
        if kind is MeasureKind.MONEY:
            return self.money(value, indicator.unit or "EUR")
        if kind is MeasureKind.PERCENTAGE:
            return self.percentage(value)
        if kind in (MeasureKind.FREQUENCY, MeasureKind.DURATION):
            return self.duration(value, indicator.unit)
        return self.number(value)

    def indicator_period(self, indicator: Indicator) -> str:
        """"par an", "au 3 mai 2021", or "" for figures without a period."""
        return self.period(indicator.period)

    def period(self, period: IndicatorPeriod | None) -> str:
        """The time a figure or a budget covers: "par an", "au 3 mai 2021", or ""."""
        if period is None:
            return ""
        text = self.label(period.kind.value)
        if period.kind is PeriodKind.AS_OF and period.date is not None:
            text = f"{text} {self.date(period.date)}"
        return text

    def breakdown(self, breakdown: Breakdown) -> str:
        """"dont 160 de moins de 30 ans"; a complete split lists every part."""
        parts = [f"{self.number(part.value)} {part.label}" for part in breakdown.parts]
        if breakdown.kind is BreakdownKind.PART_OF_TOTAL:
            return f"{self.label('of_whom')} {self.join(parts)}"
        return f"{self.label('split_into')} {self.join(parts)}"

    def indicator_phrase(self, indicator: Indicator) -> str:
        """One sentence per figure, in the report's language.

        "423 personnes accompagnées par Déclic, dont 160 de moins de 30 ans";
        "350 000 € par an mobilisés par la Cité éducative…"; "Ligne Chrono E…
        : toutes les 15 minutes".
        """
        label = indicator.label.strip()
        kind = indicator.kind
        colon = "\u00a0: " if self.labels_language == "fr" else ": "
        value = indicator.value
        if kind is MeasureKind.QUALITATIVE or isinstance(value, str):
            text = f"{_capitalise(label)}{colon}{self.indicator_value(indicator)}"
        elif kind is MeasureKind.FREQUENCY:
            text = f"{_capitalise(label)}{colon}{self.frequency(value, indicator.unit)}"
        else:
            head = self.indicator_value(indicator)
            period = self.indicator_period(indicator)
            if period and indicator.period and indicator.period.kind in (
                PeriodKind.PER_YEAR, PeriodKind.PER_MONTH, PeriodKind.PER_WEEK
            ):
                text = f"{head} {period} {label}"
            else:
                text = f"{head} {label}"
                if period:
                    text = f"{text} {period}"
        for breakdown in indicator.breakdowns:
            text = f"{text}, {self.breakdown(breakdown)}"
        return text


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


@functools.cache
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
