"""What a reader sees in a .docx, as plain data: to compare two renderers' documents.

``summary()`` reads a document with zipfile and lxml, not with the renderer's
code: each paragraph and table cell of the body in order, with its style's
name and its runs (character style, text), the header and footer texts, and
the file properties. ``reports()`` gives the reports the comparison covers.
``python tests/docx_summary.py OUT.json`` writes the summaries of the current
renderer: tests/docx_before.json was made so with the renderer before it was
rewritten on lxml, and before the layout for print.
"""

from __future__ import annotations

import io
import json
import posixpath
import sys
import zipfile
from pathlib import Path
from typing import Any

import attrs
from lxml import etree

import civicrecord
from civicrecord.model import (
    Breakdown,
    BreakdownKind,
    BreakdownPart,
    Budget,
    Indicator,
    IndicatorPeriod,
    MeasureKind,
    Milestone,
    PartialDate,
    PeriodKind,
    Report,
    Source,
)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).with_name("docx_before.json")

HOSTILE = ('<script>alert("x")</script> & "quotes" \'single\' { DDE "cmd" "/c calc" } '
           '{ INCLUDETEXT "c:\\\\secret" } MERGEFIELD name \x01\x0b\x1f\ufffe\uffff\ud800 end')


def _runs(paragraph: Any, names: dict[str, str]) -> list[list[str]]:
    runs = []
    for run in paragraph.iter(f"{W}r"):
        style = run.find(f"{W}rPr/{W}rStyle")
        text = "".join("\n" if child.tag == f"{W}br" else child.text or ""
                       for child in run if child.tag in (f"{W}t", f"{W}br"))
        if text:
            runs.append([names.get(style.get(f"{W}val"), "?") if style is not None else "",
                         text])
    return runs


def _paragraph(paragraph: Any, names: dict[str, str]) -> list[Any]:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    runs = _runs(paragraph, names)
    return [names.get(style.get(f"{W}val"), "?") if style is not None else "",
            "".join(text for _, text in runs), [name for name, _ in runs if name]]


def summary(content: bytes) -> dict[str, Any]:
    """The document's visible content and properties, as JSON-ready data."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        def xml(name: str) -> Any:
            return etree.fromstring(archive.read(name))

        styles = xml("word/styles.xml")
        names = {style.get(f"{W}styleId"): style.find(f"{W}name").get(f"{W}val")
                 for style in styles.iter(f"{W}style")}
        body = xml("word/document.xml").find(f"{W}body")
        items: list[Any] = []
        for child in body:
            if child.tag == f"{W}p":
                items.append(["p", *_paragraph(child, names)])
            elif child.tag == f"{W}tbl":
                style = child.find(f"{W}tblPr/{W}tblStyle")
                rows = [[" ".join(_paragraph(p, names)[1] for p in cell.iter(f"{W}p"))
                         for cell in row.iter(f"{W}tc")] for row in child.iter(f"{W}tr")]
                items.append(["table", names.get(style.get(f"{W}val"), "?"), rows])
        targets = {rel.get("Id"): posixpath.join("word", rel.get("Target"))
                   for rel in xml("word/_rels/document.xml.rels").iter(f"{REL}Relationship")}
        section = body.find(f"{W}sectPr")
        furniture = {}
        for kind in ("header", "footer"):
            for reference in section.iter(f"{W}{kind}Reference"):
                part = xml(targets[reference.get(f"{R}id")])
                furniture[f"{kind} {reference.get(f'{W}type')}"] = [
                    _paragraph(p, names)[:2] for p in part.iter(f"{W}p")]
        core = xml("docProps/core.xml")
        properties = {etree.QName(child).localname: child.text or "" for child in core}
    return {"body": items, "furniture": furniture, "properties": properties}


def reports(example: Report) -> dict[str, Report]:
    """The worked example, in English, with what it lacks, sparse, and hostile."""
    axis = example.axes[0]
    action = attrs.evolve(
        axis.actions[0], start=PartialDate(2021), end=PartialDate(2023, 6),
        budget=Budget(120000, "EUR", IndicatorPeriod(PeriodKind.PER_YEAR)),
        milestones=(Milestone(PartialDate(2021, 3, 4), "Étude lancée"),
                    Milestone(PartialDate(2022, 6), "Projet arrêté")))
    figure = Indicator(
        id="residents-met", label="habitants rencontrés", kind=MeasureKind.COUNT, value=1200,
        period=IndicatorPeriod(PeriodKind.AS_OF, PartialDate(2025, 12, 31)),
        breakdowns=(Breakdown("âge", BreakdownKind.PART_OF_TOTAL,
                              (BreakdownPart("de moins de 30 ans", 300),)),),
        source=Source("Observatoire", date=PartialDate(2026, 2)))
    rich_axis = attrs.evolve(axis, actions=(action, *axis.actions[1:]), indicators=(figure,))
    rich = attrs.evolve(example, axes=(rich_axis, *example.axes[1:]),
                        neighbourhood=attrs.evolve(example.neighbourhood, population=9800,
                                                   priority_area_code="QN07304M"),
                        published=PartialDate(2026, 3, 14))
    sparse = attrs.evolve(example, subtitle=None, partners=(), programmes=(), axes=(
        attrs.evolve(axis, actions=(), indicators=()),))
    first = next(indicator for _, _, indicator in example.indicators())
    hostile_action = attrs.evolve(
        axis.actions[0], title=HOSTILE, description=f"{HOSTILE}\n\n- {HOSTILE}",
        partners=("hostile",), indicators=(attrs.evolve(first, label=HOSTILE),))
    hostile_axis = attrs.evolve(axis, title=HOSTILE, need=HOSTILE, outcome=HOSTILE,
                                actions=(hostile_action, *axis.actions[2:]))
    hostile = attrs.evolve(example, title=HOSTILE, subtitle=HOSTILE,
                           axes=(hostile_axis, *example.axes[1:]),
                           authority=civicrecord.Authority(name=HOSTILE),
                           partners=(*example.partners,
                                     civicrecord.Partner(id="hostile", name=HOSTILE)))
    return {"example": example, "english": attrs.evolve(example, language="en-GB"),
            "rich": rich, "sparse": sparse, "hostile": hostile}


def main(output: str) -> None:
    import warnings

    example = civicrecord.load(ROOT / "examples" / "hauts_de_chambery")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summaries = {name: summary(civicrecord.render(report, "docx"))
                     for name, report in reports(example).items()}
    Path(output).write_text(json.dumps(summaries, ensure_ascii=False, indent=1) + "\n",
                            encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
