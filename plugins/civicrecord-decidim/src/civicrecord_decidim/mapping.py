"""Decidim results -> a civicrecord report: themes to axes, results to actions.

- **Axes**: one per category (or first taxonomy), in the order the export
  first names them; a result without one takes its parent's. When no result
  has a category, each top-level result is an axis holding itself and its
  sub-results.
- **Actions**: one per result, with its title and description in the chosen
  language (HTML reduced to text), its dates, a status from ``status.key``
  (or from ``progress`` when it has no status), its places, and its address
  on Decidim. A status key the mapping does not know is a warning with the
  result's line, and the action is ``not-assessed``.
- **Places**: a result's address (with its coordinates) and its scope.
- What Decidim does not hold (the report's title, the authority, the
  neighbourhood, each axis's need and outcome) is text marked ``TODO``.

Whatever would make the report invalid (an end before the start, a latitude
off the globe, a control character) is left out with a warning naming the
result's line, so an import never fails on one odd result.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from attrs import define, field

from civicrecord.importer import ImportResult, SourceError
from civicrecord.model import (
    Action,
    ActionStatus,
    Authority,
    Introduction,
    Neighbourhood,
    PartialDate,
    Place,
    PlaceKind,
    Programme,
    Report,
    ReportingPeriod,
    ThematicAxis,
)
from civicrecord.problems import Location, Problem, Severity
from civicrecord.validation import MAX_STRING_LENGTH
from civicrecord_decidim.export import Category, Result, Translations
from civicrecord_decidim.html_text import html_to_text

__all__ = ["STATUS_KEYS", "map_results"]

#: Decidim status keys (chosen by each platform's admins) and the status each means.
#: Keys are compared lowercased, without accents, with spaces and hyphens as "_".
STATUS_KEYS: dict[str, ActionStatus] = {
    **dict.fromkeys(("planned", "not_started", "pending", "proposed", "scheduled",
                     "programmed", "to_do", "todo", "prevu", "prevue", "a_venir",
                     "a_lancer", "programme", "previst", "previsto", "no_iniciado",
                     "no_iniciat", "pendiente", "pendent"), ActionStatus.PLANNED),
    **dict.fromkeys(("in_progress", "ongoing", "started", "underway", "executing",
                     "in_execution", "en_cours", "en_execution", "demarre", "en_ejecucion",
                     "en_execucio", "en_curso", "en_curs", "iniciado", "iniciat"),
                    ActionStatus.IN_PROGRESS),
    **dict.fromkeys(("done", "finished", "completed", "complete", "executed", "implemented",
                     "achieved", "closed", "termine", "terminee", "realise", "realisee",
                     "acheve", "fait", "ejecutado", "ejecutada", "executat", "executada",
                     "finalizado", "finalitzat", "completado", "completat"),
                    ActionStatus.DONE),
    **dict.fromkeys(("permanent", "continuous", "recurring", "perenne", "perennise",
                     "permanente", "continuo", "continu"), ActionStatus.ONGOING),
    **dict.fromkeys(("abandoned", "cancelled", "canceled", "discarded", "rejected",
                     "withdrawn", "dropped", "abandonne", "annule", "abandonado",
                     "abandonat", "cancelado", "cancelat", "descartado", "descartat"),
                    ActionStatus.ABANDONED),
}

#: Texts written where Decidim holds nothing, by language (English for the others).
_TODO: dict[str, dict[str, str]] = {
    "fr": {
        "title": "TODO : titre du rapport",
        "authority": "TODO : Ville de …",
        "neighbourhood": "TODO : nom du quartier",
        "city": "TODO : ville",
        "neighbourhood_description": "TODO : le quartier en une phrase",
        "situation": "TODO : la situation de départ du quartier.",
        "aim": "TODO : l’objectif que la ville s’est fixé.",
        "need": "TODO : le besoin au départ.",
        "outcome": "TODO : ce que cela a changé.",
        "other_axis": "TODO : titre de l’axe des autres résultats",
        "untitled": "TODO : titre du résultat {id}",
        "undescribed": "TODO : ce qui a été fait (Decidim n’en dit rien).",
        "place": "TODO : nom du lieu ({latitude}, {longitude})",
        "programme": "TODO : nom du plan d’action publié sur Decidim",
        "on_decidim": "Sur Decidim",
        "proposals": "Propositions à l’origine de ce résultat :",
        "part_of": "Fait partie de « {title} ».",
    },
    "en": {
        "title": "TODO: title of the report",
        "authority": "TODO: City of ...",
        "neighbourhood": "TODO: name of the neighbourhood",
        "city": "TODO: city",
        "neighbourhood_description": "TODO: the neighbourhood in one sentence",
        "situation": "TODO: where the neighbourhood stood at the start.",
        "aim": "TODO: the aim the city set itself.",
        "need": "TODO: the need at the start.",
        "outcome": "TODO: what it changed.",
        "other_axis": "TODO: title of the axis of the other results",
        "untitled": "TODO: title of result {id}",
        "undescribed": "TODO: what was done (Decidim says nothing).",
        "place": "TODO: name of the place ({latitude}, {longitude})",
        "programme": "TODO: name of the action plan published on Decidim",
        "on_decidim": "On Decidim",
        "proposals": "Proposals this result comes from:",
        "part_of": "Part of “{title}”.",
    },
}

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_DATE = re.compile(r"\s*([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T ].*)?\s*")
_RESULT_PATH = re.compile(r"/results/[^/?#]+/?$")


def normalise_key(key: str) -> str:
    """``"En cours"`` -> ``"en_cours"``: how status keys are compared."""
    ascii_key = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    return re.sub(r"[\s\-]+", "_", ascii_key.strip().lower())


def _slug(text: str, limit: int = 50) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug.strip("-")


def choose_language(results: list[Result], wanted: str | None, source: str
                    ) -> tuple[str, list[Problem]]:
    """The locale to take texts in: ``wanted``, or the one most titles are written in."""
    counts: dict[str, int] = {}
    for result in results:
        for locale in result.title.locales():
            if locale:
                counts[locale] = counts.get(locale, 0) + 1
    available = sorted(counts, key=lambda locale: (-counts[locale], locale))
    if wanted is not None:
        if wanted not in counts and counts:
            raise SourceError([Problem(
                Severity.ERROR, "title", f"no result has a title in {wanted!r} (the export "
                f"has: {', '.join(available)})", "choose one of those with --language",
                Location(source))])
        available = [wanted]
    if not counts:
        return wanted or "en", []  # titles that are not translated: any language tag will do
    available = [locale for locale in available if _is_language(locale)]
    if not available:
        raise SourceError([Problem(
            Severity.ERROR, "title", "no result has a title in a language civicrecord knows "
            f"(the export has: {', '.join(sorted(counts))})",
            "choose one with --language, or export the results again", Location(source))])
    if wanted is not None:
        return wanted, []
    problems = []
    if len(available) > 1:
        problems.append(Problem(
            Severity.WARNING, "title", f"the export holds texts in {', '.join(available)}; "
            f"the report takes them in {available[0]!r}",
            "choose another with --language", Location(source)))
    return available[0], problems


def _is_language(locale: str) -> bool:
    """Whether Babel knows the language of a Decidim locale (``fr``, ``pt-BR``, ``ca-IT``)."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


@define
class _Mapper:
    source: str
    language: str
    results: list[Result]
    problems: list[Problem] = field(factory=list)
    places: dict[tuple[Any, ...], Place] = field(factory=dict)
    titles: dict[str, str] = field(factory=dict)
    todo: dict[str, str] = field(factory=dict)

    def __attrs_post_init__(self) -> None:
        self.todo = _TODO.get(self.language.split("-")[0].lower(), _TODO["en"])

    def warn(self, result: Result | None, path: str, message: str,
             hint: str | None = None) -> None:
        line = result.line_of(path) if result else None
        self.problems.append(Problem(Severity.WARNING, path, message, hint,
                                     Location(self.source, line)))

    def about(self, result: Result) -> str:
        return f"result {result.id}"

    # --- texts ---

    def text(self, result: Result, translations: Translations, path: str,
             html: bool) -> str | None:
        """The text in the report's language (else a machine translation, else another)."""
        found = translations.texts.get(self.language, "")
        if not found.strip() and translations.machine.get(self.language, "").strip():
            found = translations.machine[self.language]
            self.warn(result, path, f"{self.about(result)} has only a machine translation "
                      f"in {self.language!r}; it is used", "check the translation")
        if not found.strip():
            others = sorted(locale for locale in translations.locales() if locale)
            untranslated = translations.texts.get("", "")
            if others:
                found = translations.texts[others[0]]
                self.warn(result, path, f"{self.about(result)} has no text in "
                          f"{self.language!r}; the {others[0]!r} one is used",
                          "translate it in the report, or in Decidim and export again")
            elif untranslated.strip():
                found = untranslated
        if not found.strip():
            return None
        return self.clean(result, path, html_to_text(found) if html else
                          " ".join(html_to_text(found).split()))

    def clean(self, result: Result, path: str, text: str) -> str | None:
        if _ILLEGAL.search(text):
            text = _ILLEGAL.sub("", text)
            self.warn(result, path, f"{self.about(result)}: control characters removed "
                      "from the text")
        if len(text) > MAX_STRING_LENGTH:
            text = text[: MAX_STRING_LENGTH - 1] + "…"
            self.warn(result, path, f"{self.about(result)}: text cut to {MAX_STRING_LENGTH} "
                      "characters")
        return text if text.strip() else None

    # --- facts ---

    def date(self, result: Result, value: str | None, path: str) -> PartialDate | None:
        if value is None:
            return None
        match = _DATE.fullmatch(value)
        try:
            if match is None:
                raise ValueError(f"{value!r} is not a date")
            return PartialDate.parse(match.group(1))
        except ValueError as error:
            self.warn(result, path, f"{self.about(result)}: {error}; the date is left out",
                      "write it in the report as YYYY-MM-DD")
            return None

    def progress(self, result: Result) -> float | None:
        value = result.progress
        if value is None or value == "":
            return None
        try:
            number = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError):
            number = math.nan
        if not 0 <= number <= 100:
            self.warn(result, "progress", f"{self.about(result)}: progress {value!r} is not "
                      "a number from 0 to 100; it is left out")
            return None
        return number

    def status(self, result: Result) -> ActionStatus:
        key = result.status_key
        if key is not None:
            known = STATUS_KEYS.get(normalise_key(key))
            if known is not None:
                return known
            name = self.text(result, result.status_name, "status.name", html=False)
            named = f" (“{name}”)" if name else ""
            self.warn(result, "status.key", f"{self.about(result)}: status {key!r}{named} is "
                      "not one the Decidim importer knows; the action is not-assessed",
                      "set its status in the axis file (planned, in-progress, done, ongoing, "
                      "abandoned), or ask for the key to be added to the mapping")
            return ActionStatus.NOT_ASSESSED
        progress = self.progress(result)
        if progress is None:
            return ActionStatus.NOT_ASSESSED
        if progress >= 100:
            return ActionStatus.DONE
        return ActionStatus.IN_PROGRESS if progress > 0 else ActionStatus.PLANNED

    def coordinates(self, result: Result) -> tuple[float, float] | None:
        values: list[float | None] = []
        for name, raw, limit in (("latitude", result.latitude, 90),
                                 ("longitude", result.longitude, 180)):
            if raw is None or raw == "":
                values.append(None)
                continue
            try:
                number = float(raw) if not isinstance(raw, bool) else math.nan
            except (TypeError, ValueError):
                number = math.nan
            if not -limit <= number <= limit:
                self.warn(result, name, f"{self.about(result)}: {name} {raw!r} is not a "
                          f"number from -{limit} to {limit}; the coordinates are left out")
                return None
            values.append(number)
        latitude, longitude = values
        if latitude is None and longitude is None:
            return None
        if latitude is None or longitude is None:
            self.warn(result, "latitude", f"{self.about(result)}: only one of latitude and "
                      "longitude; the coordinates are left out")
            return None
        return latitude, longitude

    def place_ids(self, result: Result) -> tuple[str, ...]:
        ids: list[str] = []
        address = self.clean(result, "address", " ".join(result.address.split())) \
            if result.address else None
        coordinates = self.coordinates(result)
        if address or coordinates:
            latitude, longitude = coordinates or (None, None)
            name = address or self.todo["place"].format(latitude=latitude, longitude=longitude)
            ids.append(self.place(("address", address, latitude, longitude), name,
                                  PlaceKind.OTHER, latitude, longitude))
        if result.scope is not None:
            scope = self.text(result, result.scope.name, "scope.name", html=False) \
                or f"{result.scope.id}"
            ids.append(self.place(("scope", result.scope.id), scope, PlaceKind.SECTOR))
        return tuple(dict.fromkeys(ids))

    def place(self, key: tuple[Any, ...], name: str, kind: PlaceKind,
              latitude: float | None = None, longitude: float | None = None) -> str:
        if key not in self.places:
            base = _slug(name) or "place"
            taken = {place.id for place in self.places.values()}
            ident, n = base, 2
            while ident in taken:
                ident, n = f"{base}-{n}", n + 1
            self.places[key] = Place(ident, name, kind, latitude=latitude,
                                     longitude=longitude)
        return self.places[key].id

    # --- actions and axes ---

    def title(self, result: Result) -> str:
        """A result's title in the report's language, read (and warned about) once."""
        if result.id not in self.titles:
            title = self.text(result, result.title, "title", html=False)
            if title is None:
                title = self.todo["untitled"].format(id=result.id)
                self.warn(result, "title", f"{self.about(result)} has no title")
            self.titles[result.id] = title
        return self.titles[result.id]

    def action(self, result: Result, parent: Result | None, ident: str) -> Action:
        todo = self.todo
        title = self.title(result)
        description = self.text(result, result.description, "description", html=True)
        paragraphs = [description or todo["undescribed"]]
        if parent is not None:
            paragraphs.append(todo["part_of"].format(title=self.title(parent)))
        if result.proposal_urls:
            paragraphs.append(todo["proposals"] + "\n"
                              + "\n".join(f"- {url}" for url in result.proposal_urls))
        if result.url:
            reference = f" ({result.reference})" if result.reference else ""
            separator = "\u00a0: " if self.language.lower().startswith("fr") else ": "
            paragraphs.append(f"{todo['on_decidim']}{reference}{separator}{result.url}")
        start = self.date(result, result.start_date, "start_date")
        end = self.date(result, result.end_date, "end_date")
        if start and end and start.earliest() > end.latest():
            self.warn(result, "end_date", f"{self.about(result)} ends ({end}) before it "
                      f"starts ({start}); the end date is left out")
            end = None
        return Action(
            id=ident,
            title=title,
            description=self.clean(result, "description", "\n\n".join(paragraphs))
            or todo["undescribed"],
            status=self.status(result),
            start=start,
            end=end,
            places=self.place_ids(result),
        )

    def report(self) -> Report:
        todo = self.todo
        by_id = {result.id: result for result in self.results}
        parents = {result.id: self.parent(result, by_id) for result in self.results}
        action_ids = self.action_ids()
        axes: list[tuple[str, str, list[Action]]] = []
        if any(result.category for result in self.results):
            by_category: dict[str, list[Action]] = {}
            titles: dict[str, str] = {}
            for result in self.results:
                category = self.category_of(result, by_id)
                key = category.id if category else ""
                if key not in by_category:
                    by_category[key] = []
                    name = (self.text(result, category.name, "category.name", html=False)
                            or f"{category.id}") if category else todo["other_axis"]
                    titles[key] = name
                parent = parents[result.id]
                by_category[key].append(self.action(result, parent, action_ids[result.id]))
            axes = [(titles[key], key, actions) for key, actions in by_category.items()]
        else:
            for top in self.results:
                if parents[top.id] is not None:
                    continue
                members = [top, *self.descendants(top, parents)]
                # The axis says what a sub-result is part of: no "part of" line here.
                actions = [self.action(member, None, action_ids[member.id])
                           for member in members]
                axes.append((actions[0].title, top.id, actions))
        return Report(
            id="decidim",
            title=todo["title"],
            language=self.language or "en",
            authority=Authority(todo["authority"]),
            period=self.period(),
            neighbourhood=Neighbourhood(
                id="neighbourhood", name=todo["neighbourhood"], city=todo["city"],
                description=todo["neighbourhood_description"],
                places=tuple(self.places.values())),
            introduction=Introduction(todo["situation"], todo["aim"]),
            axes=tuple(ThematicAxis(id=axis_id, title=title, need=todo["need"],
                                    actions=tuple(actions), outcome=todo["outcome"])
                       for axis_id, (title, _, actions) in zip(self.axis_ids(axes), axes,
                                                                 strict=True)),
            programmes=self.programmes(),
        )

    def parent(self, result: Result, by_id: dict[str, Result]) -> Result | None:
        if result.parent_id is None:
            return None
        parent = by_id.get(result.parent_id)
        if parent is None:
            self.warn(result, "parent.id", f"{self.about(result)}: its parent "
                      f"{result.parent_id} is not in the export; it is read as a "
                      "top-level result", "export the whole component")
        elif self.is_own_ancestor(result, by_id):
            self.warn(result, "parent.id", f"{self.about(result)} is its own ancestor; it "
                      "is read as a top-level result")
            return None
        return parent

    def is_own_ancestor(self, result: Result, by_id: dict[str, Result]) -> bool:
        seen = {result.id}
        current = by_id.get(result.parent_id or "")
        while current is not None:
            if current.id in seen:
                return True
            seen.add(current.id)
            current = by_id.get(current.parent_id or "")
        return False

    def descendants(self, top: Result, parents: dict[str, Result | None]) -> list[Result]:
        children: dict[str, list[Result]] = {}
        for result in self.results:
            parent = parents[result.id]
            if parent is not None:
                children.setdefault(parent.id, []).append(result)
        found: list[Result] = []
        stack = list(reversed(children.get(top.id, [])))
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(reversed(children.get(current.id, [])))
        return found

    def category_of(self, result: Result, by_id: dict[str, Result]) -> Category | None:
        seen: set[str] = set()
        current: Result | None = result
        while current is not None and current.id not in seen:
            if current.category is not None:
                return current.category
            seen.add(current.id)
            current = by_id.get(current.parent_id or "")
        return None

    def action_ids(self) -> dict[str, str]:
        ids: dict[str, str] = {}
        taken: set[str] = set()
        for result in self.results:
            title = result.title.texts.get(self.language) or next(
                iter(sorted(result.title.texts.values())), "")
            suffix = _slug(result.id, 20) or str(result.index + 1)
            base = "-".join(part for part in (_slug(html_to_text(title)), suffix) if part)
            ident, n = base, 2
            while ident in taken:
                ident, n = f"{base}-{n}", n + 1
            ids[result.id] = ident
            taken.add(ident)
        return ids

    def axis_ids(self, axes: Iterable[tuple[str, str, list[Action]]]) -> list[str]:
        ids: list[str] = []
        for title, key, _ in axes:
            base = _slug(title if not title.startswith("TODO") else "") \
                or (f"axis-{_slug(key, 20)}" if _slug(key, 20) else "other-results")
            ident, n = base, 2
            while ident in ids:
                ident, n = f"{base}-{n}", n + 1
            ids.append(ident)
        return ids

    def period(self) -> ReportingPeriod:
        years = [int(match.group(1)[:4]) for result in self.results
                 for value in (result.start_date, result.end_date)
                 if value and (match := _DATE.fullmatch(value))]
        if not years:
            years = [int(match.group(1)[:4]) for result in self.results
                     if result.created_at and (match := _DATE.fullmatch(result.created_at))]
        if not years:
            years = [datetime.date.today().year]
        years = [year for year in years if 1 <= year <= 9999] or [datetime.date.today().year]
        return ReportingPeriod(PartialDate(min(years)), PartialDate(max(years)))

    def programmes(self) -> tuple[Programme, ...]:
        urls = {_RESULT_PATH.sub("", result.url) for result in self.results
                if result.url and re.match(r"https?://[^\s/?#]+", result.url)}
        if len(urls) != 1:
            return ()
        return (Programme("decidim", self.todo["programme"], url=urls.pop()),)


def map_results(results: list[Result], source: str, language: str | None) -> ImportResult:
    """The report these results make, and what was noticed on the way."""
    chosen, problems = choose_language(results, language, source)
    mapper = _Mapper(source, chosen, results, problems)
    report = mapper.report()
    return ImportResult(report, tuple(mapper.problems))
