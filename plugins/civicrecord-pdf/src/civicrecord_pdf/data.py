"""The report as the data the Typst template lays out: plain JSON, every phrase made here.

Labels, numbers, money, dates and figure phrases come from civicrecord's
presenter in the report's language, exactly as the HTML page and the Word
file write them, so the PDF tells the same story. The template receives this
as JSON (``sys.inputs``) and only lays it out: no text of the report ever
becomes Typst markup, so none can change the layout or run code.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import civicrecord
from civicrecord.change import figures_that_change, has_change_data
from civicrecord.model import (
    Action,
    ActionStatus,
    Indicator,
    Picture,
    Place,
    Report,
    Source,
    ThematicAxis,
)
from civicrecord.pictures import pictures_of
from civicrecord.presentation import STATUS_ORDER, Presenter, map_url, presenter_for
from civicrecord.text import blocks

__all__ = ["PICTURE_WIDTHS", "brochure_data", "picture_widths"]


Json = dict[str, Any]

#: The widest each picture is printed, in pixels: 300 dpi at the width the brochure
#: gives it (the cover and an axis's pictures: the text width; an action's: its column;
#: the logo: 18 mm high).
PICTURE_WIDTHS = {"cover": 2000, "logo": 600, "axis": 2000, "action": 1000}


def picture_widths(report: Report) -> list[tuple[Picture, int]]:
    """The report's pictures in reading order, each with the widest it is printed.

    A picture's place in this list is its ``index`` in the brochure data: the
    template finds its bytes at that place of ``sys.inputs.pictures``.
    """
    def width(path: tuple[object, ...]) -> int:
        if path[0] in ("cover", "logo"):
            return PICTURE_WIDTHS[str(path[0])]
        return PICTURE_WIDTHS["action" if "actions" in path else "axis"]

    return [(picture, width(path)) for path, picture in pictures_of(report)]


def _pictures(indexes: dict[int, int], pictures: tuple[Picture, ...]) -> list[Json]:
    """Pictures as the template lays them out: where their bytes are, and their words."""
    return [{"index": indexes[id(picture)], "alt": picture.alt, "caption": picture.caption,
             "credit": picture.credit, "licence": picture.licence} for picture in pictures]


def _linked_names(say: Presenter, places: list[Place]) -> list[Json]:
    """Place names joined as the language joins a list, each name linked to its map.

    The separators are the presenter's own (", " and " and " / " et "): the join
    is made with numbered stand-ins, then each stand-in is put back as a name.
    """
    marker = "\x00"
    joined = say.join(f"{marker}{index}{marker}" for index in range(len(places)))
    parts: list[Json] = []
    for number, piece in enumerate(joined.split(marker)):
        if number % 2:
            place = places[int(piece)]
            parts.append({"text": place.name, "url": map_url(place)})
        elif piece:
            parts.append({"text": piece, "url": None})
    return parts


def _text(value: str | None) -> list[Json]:
    """Report text as paragraphs and bullet lists (civicrecord.text), never as markup."""
    if not value:
        return []
    return [{"kind": block.kind, "lines": list(block.lines)} for block in blocks(value)]


def _source(say: Presenter, source: Source) -> str:
    text = source.name
    if source.date is not None:
        text = f"{text}, {say.date(source.date)}"
    return text


def _figure(say: Presenter, indicator: Indicator, axis: ThematicAxis | None = None,
            axis_number: int | None = None) -> Json:
    """A figure card: the value big, its phrase, what changed, its change chart (SVG text
    from ``civicrecord.charts`` and its alternative text), references, series, note, source.
    """
    references = [{"label": say.label(key), "value": say.reference(indicator, point)}
                  for key, point in (("baseline", indicator.baseline),
                                     ("target", indicator.target)) if point is not None]
    if indicator.direction is not None:
        references.append({"label": say.label("direction"),
                           "value": say.direction(indicator.direction)})
    chart = chart_alt = None
    if has_change_data(indicator):
        from civicrecord.charts import change_chart_svg, chart_alt_text

        chart = change_chart_svg(indicator, say) or None
        chart_alt = chart_alt_text(indicator, say) if chart else None
    series = [{"date": say.date(point.date), "value": say.value(indicator, point.value),
               "note": point.note,
               "source": point.source.name if point.source else None,
               "source_url": point.source.url if point.source else None}
              for point in indicator.series]
    return {
        "id": indicator.id,
        "value": say.indicator_value(indicator),
        "phrase": say.indicator_phrase(indicator),
        "change": say.change_sentence(indicator) or None,
        "references": references,
        "series": series,
        "note": _text(indicator.note),
        "source": _source(say, indicator.source) if indicator.source else None,
        "source_url": indicator.source.url if indicator.source else None,
        "axis": axis.title if axis is not None else None,
        "axis_number": axis_number,
        "chart": chart,
        "chart_alt": chart_alt,
    }


def _action(say: Presenter, report: Report, action: Action,
            places: dict[str, Place], partners: dict[str, str],
            programmes: dict[str, str], indexes: dict[int, int]) -> Json:
    facts: list[Json] = []
    if action.places:
        names = [places[i].name if i in places else i for i in action.places]
        fact: Json = {"label": say.label("places"), "value": say.join(names)}
        known = [places[i] for i in action.places if i in places]
        if len(known) == len(action.places) and any(map_url(p) for p in known):
            # Places with coordinates link to a map, as in the HTML page.
            fact["parts"] = _linked_names(say, known)
        facts.append(fact)
    if action.partners:
        facts.append({"label": say.label("partners"),
                      "value": say.join(partners.get(i, i) for i in action.partners)})
    if action.programmes:
        facts.append({"label": say.label("programmes"),
                      "value": say.join(programmes.get(i, i) for i in action.programmes)})
    if action.start or action.end or action.date or action.status_date:
        facts.append({"label": say.label("dates"), "value": say.action_dates(action)})
    if action.budget is not None:
        budget = say.money(action.budget.amount, action.budget.currency)
        period = say.period(action.budget.period)
        facts.append({"label": say.label("budget"),
                      "value": f"{budget} {period}" if period else budget})
    return {
        "id": action.id,
        "title": action.title,
        "status": action.status.value,
        "status_label": say.status(action.status),
        "description": _text(action.description),
        "facts": facts,
        "milestones": [{"date": say.date(m.date), "title": m.title} for m in action.milestones],
        "pictures": _pictures(indexes, action.pictures),
    }


def _status_chart(say: Presenter, report: Report) -> Json:
    """Actions by status for each axis, as the HTML page's chart counts them."""
    rows = []
    totals: Counter[ActionStatus] = Counter()
    for number, axis in enumerate(report.axes, start=1):
        counts = Counter(action.status for action in axis.actions)
        totals.update(counts)
        rows.append({
            "axis": axis.title, "number": number, "total": len(axis.actions),
            "segments": [{"status": s.value, "label": say.status(s), "count": counts[s],
                          "count_text": say.number(counts[s])}
                         for s in STATUS_ORDER if counts[s]],
        })
    return {
        "longest": max((len(axis.actions) for axis in report.axes), default=0),
        "rows": rows,
        "totals": [{"status": s.value, "label": say.status(s), "count_text": say.number(totals[s])}
                   for s in STATUS_ORDER if totals[s]],
    }


def _figures_of(axis: ThematicAxis) -> list[Indicator]:
    """An axis's own figures, then its actions' figures, in reading order (as the HTML)."""
    return [*axis.indicators, *(i for action in axis.actions for i in action.indicators)]


def brochure_data(report: Report, language: str | None = None) -> Json:
    """Everything the brochure prints, as JSON-ready data, in the report's language.

    Pictures are described here (alt text, caption, credit, licence) with the
    ``index`` of their bytes in :func:`picture_widths`' order; the bytes travel
    apart (``sys.inputs.pictures``), so this data stays small and free of I/O.
    """
    say = presenter_for(language or report.language)
    hood = report.neighbourhood
    places = {place.id: place for place in hood.places}
    indexes = {id(picture): index for index, (picture, _) in enumerate(picture_widths(report))}
    cover, logo = (_pictures(indexes, (report.cover,))[0] if report.cover else None,
                   _pictures(indexes, (report.logo,))[0] if report.logo else None)
    partners = {partner.id: partner.name for partner in report.partners}
    programmes = {programme.id: programme.name for programme in report.programmes}
    meta = [{"label": say.label("neighbourhood"), "value": f"{hood.name}, {hood.city}"},
            {"label": say.label("reporting_period"),
             "value": say.reporting_period(report.period)}]
    if hood.population is not None:
        meta.append({"label": say.label("population"), "value": say.number(hood.population)})
    if hood.priority_area_code:
        meta.append({"label": say.label("priority_area_code"), "value": hood.priority_area_code})
    published = say.date(report.published) if report.published is not None else None
    if published is not None:
        meta.append({"label": say.label("published"), "value": published})
    tag = (language or report.language).replace("_", "-")
    primary, _, region = tag.partition("-")
    return {
        "language": primary.lower(),
        "region": region.split("-")[0].upper() if len(region.split("-")[0]) == 2 else None,
        "labels": dict(say.labels()),
        "title": report.title,
        "subtitle": report.subtitle,
        "authority": report.authority.name,
        "authority_url": report.authority.url,
        "neighbourhood": hood.name,
        "city": hood.city,
        "period": say.reporting_period(report.period),
        "published": published,
        "cover": cover,
        "logo": logo,
        "description": _text(hood.description),
        "meta": meta,
        "introduction": {"situation": _text(report.introduction.situation),
                         "aim": _text(report.introduction.aim)},
        "key_figures": [_figure(say, indicator, axis, number)
                        for number, axis in enumerate(report.axes, start=1)
                        for indicator in _figures_of(axis)],
        "what_changed": [{
            "axis": axis.title,
            "number": report.axes.index(axis) + 1,
            "figures": [{"phrase": say.indicator_phrase(indicator),
                         "change": say.change_sentence(indicator) or None}
                        for indicator in indicators],
        } for axis, indicators in figures_that_change(report)],
        "status_chart": _status_chart(say, report),
        "axes": [{
            "id": axis.id,
            "number": number,
            "kicker": f"{say.label('axis')} {number}",
            "title": axis.title,
            "need": _text(axis.need),
            "pictures": _pictures(indexes, axis.pictures),
            "actions": [_action(say, report, action, places, partners, programmes, indexes)
                        for action in axis.actions],
            "outcome": _text(axis.outcome),
            "figures": [_figure(say, indicator) for indicator in _figures_of(axis)],
        } for number, axis in enumerate(report.axes, start=1)],
        "partners": [{"name": p.name, "url": p.url, "description": _text(p.description)}
                     for p in report.partners],
        "programmes": [{"name": p.name, "url": p.url, "description": _text(p.description)}
                       for p in report.programmes],
        "generator": f"civicrecord {civicrecord.__version__}",
    }
