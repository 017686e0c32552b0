"""Synthetic reports for the scale benchmarks, built from the model with a fixed seed.

A report of N actions has the worked example's shape: about five actions per
thematic axis, a key figure on one action in five, a milestone on one in
three, a budget on one in four, and references to places, partners and
programmes. Texts are sentences drawn from the worked example's own words, so
they carry the same accents and typography. The same seed gives the same
report, byte for byte.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import civicrecord
from civicrecord import (
    Action,
    ActionStatus,
    Authority,
    Breakdown,
    BreakdownKind,
    BreakdownPart,
    Budget,
    Indicator,
    IndicatorPeriod,
    Introduction,
    MeasureKind,
    Milestone,
    Neighbourhood,
    PartialDate,
    Partner,
    PartnerKind,
    PeriodKind,
    Place,
    PlaceKind,
    Programme,
    Report,
    ReportingPeriod,
    Source,
    ThematicAxis,
)

__all__ = ["SEED", "example_sized", "synthetic_report", "vocabulary", "write_report"]

#: Every synthetic report in the benchmarks comes from random.Random(SEED).
SEED = 42
#: The worked example has 39 actions in 8 axes.
EXAMPLE_ACTIONS = 39
ACTIONS_PER_AXIS = 5

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_START, _END = 2020, 2026


def vocabulary(example: Report) -> list[str]:
    """The words of the example's texts, in first-seen order (deterministic)."""
    texts = [example.introduction.situation, example.introduction.aim]
    for axis in example.axes:
        texts += [axis.title, axis.need, axis.outcome]
        for action in axis.actions:
            texts += [action.title, action.description]
    seen: dict[str, None] = {}
    for text in texts:
        for word in _WORD.findall(text):
            seen.setdefault(word.lower(), None)
    return list(seen)


class _Writer:
    def __init__(self, rng: random.Random, words: list[str]) -> None:
        self.rng = rng
        self.words = words

    def phrase(self, low: int, high: int) -> str:
        return " ".join(self.rng.choices(self.words, k=self.rng.randint(low, high)))

    def title(self) -> str:
        return self.phrase(3, 8).capitalize()

    def sentence(self) -> str:
        return self.phrase(8, 22).capitalize() + "."

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def text(self) -> str:
        """One or two paragraphs, sometimes followed by a bullet list."""
        parts = [self.paragraph(self.rng.randint(2, 4))]
        if self.rng.random() < 0.3:
            parts.append(self.paragraph(self.rng.randint(1, 3)))
        if self.rng.random() < 0.2:
            parts.append("\n".join(f"- {self.phrase(3, 9)}" for _ in range(3)))
        return "\n\n".join(parts)

    def date(self) -> PartialDate:
        year = self.rng.randint(_START, _END)
        precision = self.rng.random()
        if precision < 0.5:
            return PartialDate(year)
        month = self.rng.randint(1, 12)
        if precision < 0.8:
            return PartialDate(year, month)
        return PartialDate(year, month, self.rng.randint(1, 28))


def _indicator(writer: _Writer, ident: str) -> Indicator:
    rng = writer.rng
    kind = rng.choice([MeasureKind.COUNT, MeasureKind.COUNT, MeasureKind.MONEY,
                       MeasureKind.PERCENTAGE, MeasureKind.FREQUENCY, MeasureKind.QUALITATIVE])
    source = Source("Ville de Chambéry") if rng.random() < 0.8 else None
    label = writer.phrase(3, 9)
    if kind is MeasureKind.COUNT:
        value = rng.randint(5, 2000)
        breakdowns: tuple[Breakdown, ...] = ()
        if rng.random() < 0.4:
            first = rng.randint(0, value)
            breakdowns = (Breakdown(writer.phrase(1, 2), BreakdownKind.COMPLETE_SPLIT, (
                BreakdownPart(writer.phrase(2, 4), first),
                BreakdownPart(writer.phrase(2, 4), value - first),
            )),)
        elif rng.random() < 0.4:
            breakdowns = (Breakdown(writer.phrase(1, 2), BreakdownKind.PART_OF_TOTAL, (
                BreakdownPart(writer.phrase(2, 4), rng.randint(0, value)),
            )),)
        period = IndicatorPeriod(PeriodKind.PER_YEAR) if rng.random() < 0.3 else None
        return Indicator(ident, label, kind, value, unit="person", period=period,
                         breakdowns=breakdowns, source=source)
    if kind is MeasureKind.MONEY:
        return Indicator(ident, label, kind, rng.randint(1, 500) * 1000, unit="EUR",
                         period=IndicatorPeriod(PeriodKind.OVER_THE_TERM), source=source)
    if kind is MeasureKind.PERCENTAGE:
        return Indicator(ident, label, kind, round(rng.uniform(1, 99), 1), source=source)
    if kind is MeasureKind.FREQUENCY:
        return Indicator(ident, label, kind, rng.choice([5, 10, 15, 20, 30]), unit="minute",
                         source=source)
    return Indicator(ident, label, kind, writer.phrase(2, 5), source=source)


def _action(writer: _Writer, ident: str, places: list[str], partners: list[str],
            programmes: list[str]) -> Action:
    rng = writer.rng
    start = writer.date() if rng.random() < 0.4 else None
    end = None
    if start is not None and rng.random() < 0.5:
        end = PartialDate(rng.randint(start.year, _END))
    milestones = tuple(sorted(
        (Milestone(writer.date(), writer.title()) for _ in range(rng.randint(1, 3))),
        key=lambda milestone: milestone.date.earliest(),
    )) if rng.random() < 1 / 3 else ()
    budget = (Budget(rng.randint(10, 900) * 1000, "EUR") if rng.random() < 0.25 else None)
    indicators = (_indicator(writer, f"{ident}-chiffre"),) if rng.random() < 0.2 else ()
    return Action(
        id=ident,
        title=writer.title(),
        description=writer.text(),
        status=rng.choice(list(ActionStatus)),
        start=start,
        end=end,
        places=tuple(rng.sample(places, k=min(len(places), rng.randint(0, 3)))),
        partners=tuple(rng.sample(partners, k=min(len(partners), rng.randint(0, 3)))),
        programmes=tuple(rng.sample(programmes, k=min(len(programmes), rng.randint(0, 1)))),
        milestones=milestones,
        budget=budget,
        indicators=indicators,
    )


def synthetic_report(actions: int, rng: random.Random, words: list[str],
                     report_id: str = "synthetique") -> Report:
    """A valid report of exactly ``actions`` actions, drawn from ``rng``."""
    writer = _Writer(rng, words)
    axis_count = max(1, round(actions / ACTIONS_PER_AXIS))
    places = [Place(f"lieu-{n}", writer.title(), rng.choice(list(PlaceKind)),
                    writer.sentence() if rng.random() < 0.5 else None)
              for n in range(max(3, min(200, actions // 2)))]
    partners = [Partner(f"partenaire-{n}", writer.title(), rng.choice(list(PartnerKind)),
                        writer.sentence() if rng.random() < 0.3 else None)
                for n in range(max(3, min(100, actions // 3)))]
    programmes = [Programme(f"dispositif-{n}", writer.title(),
                            writer.sentence() if rng.random() < 0.5 else None)
                  for n in range(max(2, min(50, actions // 5)))]
    place_ids = [p.id for p in places]
    partner_ids = [p.id for p in partners]
    programme_ids = [p.id for p in programmes]
    axes = []
    for a in range(axis_count):
        # Spread the actions evenly: the first axes take one more when it does not divide.
        count = actions // axis_count + (1 if a < actions % axis_count else 0)
        axis_actions = tuple(
            _action(writer, f"action-{a}-{n}", place_ids, partner_ids, programme_ids)
            for n in range(count)
        )
        axis_indicators = ((_indicator(writer, f"axe-{a}-chiffre"),)
                           if rng.random() < 0.15 else ())
        axes.append(ThematicAxis(f"axe-{a}", writer.title(), writer.text(), axis_actions,
                                 writer.text(), axis_indicators))
    return Report(
        id=report_id,
        title=f"Quartier synthétique ({actions} actions)",
        subtitle="Ce qui a changé",
        language="fr-FR",
        authority=Authority("Ville de Chambéry"),
        period=ReportingPeriod(PartialDate(_START), PartialDate(_END)),
        neighbourhood=Neighbourhood("quartier-synthetique", "Quartier synthétique", "Chambéry",
                                    writer.sentence(), places=tuple(places)),
        introduction=Introduction(writer.text(), writer.text()),
        axes=tuple(axes),
        partners=tuple(partners),
        programmes=tuple(programmes),
    )


def example_sized(count: int, rng: random.Random, words: list[str]) -> list[Report]:
    """``count`` reports the size of the worked example, each with its own id."""
    return [synthetic_report(EXAMPLE_ACTIONS, rng, words, report_id=f"quartier-{n:03d}")
            for n in range(count)]


def write_report(report: Report, path: Path) -> Path:
    """Write a report as a person would hand it in, and return the path to load.

    ``name.yaml`` or ``name.json``: one file. Any other path: a report folder
    like the worked example's, ``report.yaml`` and one ``axes/<id>.yaml`` per
    axis (large reports must be split so: one file is limited to 10 MB). The
    content is the canonical JSON renderer's output, so it is exactly what
    civicrecord itself reads and writes.
    """
    import yaml

    plain: dict[str, Any] = json.loads(civicrecord.render(report, "json"))
    if path.suffix == ".json":
        path.write_text(json.dumps(plain, ensure_ascii=False, indent=2) + "\n", "utf-8")
        return path
    plain.pop("$schema", None)
    plain.pop("format_version", None)

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: same text, faster

    def dump(data: Any, target: Path) -> None:
        target.write_text(yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False,
                                    width=88), "utf-8")

    if path.suffix in (".yaml", ".yml"):
        dump(plain, path)
        return path
    (path / "axes").mkdir(parents=True, exist_ok=True)
    axes = plain.pop("axes")
    plain["axes"] = [axis["id"] for axis in axes]
    dump(plain, path / "report.yaml")
    for axis in axes:
        dump(axis, path / "axes" / f"{axis['id']}.yaml")
    return path
