"""What changed, told the same way in every format: the phrases, the change, the example.

The English example (examples/larkfield) is rendered to every format this test
owns, and every value, baseline, target, change and direction word of its
figures must appear in each, written as that format writes numbers. The PDF is
read with pdftotext (poppler-utils), as a reader's copy and paste would.
Both examples' actions, counted by status for each axis, must be shown the
same way too, in each format that shows them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import lxml.html
import pytest
from hypothesis import given
from lxml import etree

import civicrecord
from civicrecord.change import figure_change, has_change_data
from civicrecord.model import (
    Direction,
    Indicator,
    IndicatorPeriod,
    MeasureKind,
    Observation,
    PartialDate,
    PeriodKind,
    Report,
)
from civicrecord.presentation import presenter_for
from strategies import reports

ROOT = Path(__file__).resolve().parent.parent
LARKFIELD = ROOT / "examples" / "larkfield"
CHAMBERY = ROOT / "examples" / "hauts_de_chambery"
NBSP, NNBSP = "\u00a0", "\u202f"
WORD = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

#: Formats that write sentences, so the change and the direction in words.
FORMATS_IN_WORDS = ("html", "markdown", "docx", "pdf")
#: Formats that carry data: values, baselines, targets and directions as written.
FORMATS_AS_DATA = ("json", "csv")


@pytest.fixture(scope="module")
def larkfield() -> Report:
    return civicrecord.load(LARKFIELD)


def render(report: Report, name: str) -> bytes:
    """The report in a format, with the plugin that provides it (skipped if not installed)."""
    from civicrecord.plugins import load_plugins

    modules = []
    if name in ("markdown", "csv", "pdf"):
        modules.append(pytest.importorskip(f"civicrecord_{name}"))
    # The example's cover picture is read from its folder.
    return civicrecord.render(report, name, base_dir=LARKFIELD,
                              plugins=load_plugins(modules, entry_points=False))


# --- Figure phrases, whole sentences in each language ------------------------------

EXPECTED_PHRASES = {
    ("hauts_de_chambery", "fr"): [
        "250 personnes reçues par l’adjoint de quartier lors de ses permanences",
        "10 postes de policiers nationaux supplémentaires",
        f"350{NNBSP}000{NBSP}€ par an mobilisés par la Cité éducative pour les actions "
        "éducatives dans les QPV, dont les Hauts de Chambéry",
        "60 actions de la Cité éducative déployées sur le quartier",
        "423 personnes accompagnées par Déclic, dont 160 de moins de 30 ans",
        "393 personnes de plus de 60 ans concernées par le projet AMI Vieillissement",
        "Ligne Chrono E desservant les Hauts de Chambéry, y compris le dimanche"
        f"{NBSP}: toutes les 15 minutes",
    ],
    ("hauts_de_chambery", "en-GB"): [
        "250 personnes reçues par l’adjoint de quartier lors de ses permanences",
        "10 postes de policiers nationaux supplémentaires",
        "€350,000 a year mobilisés par la Cité éducative pour les actions éducatives dans "
        "les QPV, dont les Hauts de Chambéry",
        "60 actions de la Cité éducative déployées sur le quartier",
        "423 personnes accompagnées par Déclic, of whom 160 de moins de 30 ans",
        "393 personnes de plus de 60 ans concernées par le projet AMI Vieillissement",
        "Ligne Chrono E desservant les Hauts de Chambéry, y compris le dimanche: "
        "every 15 minutes",
    ],
    ("larkfield", "fr"): [
        "187 damp and mould reports par an (2024)",
        "180 flats insulated and re-glazed sur la période, réparti en 48 in North block, "
        "44 in East block, 44 in South block et 44 in West block",
        f"9,8{NBSP}% of working-age residents looking for work au mars 2024",
        "640 residents supported by the jobs club sur la période, dont 260 into work et "
        "115 into training",
        "14 apprentices from Larkfield",
        "520 residents answering the travel survey au mai 2024, réparti en 210 by bus, "
        "170 by car et 140 on foot or by bike",
        f"Bus 7 to the town centre{NBSP}: toutes les 12 minutes",
    ],
    ("larkfield", "en-GB"): [
        "187 damp and mould reports a year (2024)",
        "180 flats insulated and re-glazed over the period, split into 48 in North block, "
        "44 in East block, 44 in South block and 44 in West block",
        "9.8% of working-age residents looking for work as of March 2024",
        "640 residents supported by the jobs club over the period, of whom 260 into work "
        "and 115 into training",
        "14 apprentices from Larkfield",
        "520 residents answering the travel survey as of May 2024, split into 210 by bus, "
        "170 by car and 140 on foot or by bike",
        "Bus 7 to the town centre: every 12 minutes",
    ],
}


@pytest.mark.parametrize(("example", "language"), list(EXPECTED_PHRASES))
def test_figure_phrases_of_both_examples_in_both_languages(example: str,
                                                           language: str) -> None:
    report = civicrecord.load(ROOT / "examples" / example)
    presenter = presenter_for(language)
    phrases = [presenter.indicator_phrase(i) for _, _, i in report.indicators()]
    assert phrases == EXPECTED_PHRASES[(example, language)]


def test_a_yearly_figure_reads_value_label_period_and_year_in_both_languages() -> None:
    damp = Indicator("damp", "signalements d’humidité", MeasureKind.COUNT, 187,
                     period=IndicatorPeriod(PeriodKind.PER_YEAR),
                     series=(Observation(PartialDate(2019), 412),
                             Observation(PartialDate(2024), 187)))
    assert presenter_for("fr").indicator_phrase(damp) == \
        "187 signalements d’humidité par an (2024)"
    english = Indicator("damp", "damp reports", MeasureKind.COUNT, 187,
                        period=IndicatorPeriod(PeriodKind.PER_YEAR, PartialDate(2024)))
    assert presenter_for("en").indicator_phrase(english) == "187 damp reports a year (2024)"


@pytest.mark.parametrize(("language", "value", "unit", "expected"), [
    ("en", 12, "minute", "every 12 minutes"), ("fr", 12, "minute", "toutes les 12 minutes"),
    ("fr", 3, "day", f"tous les 3{NBSP}jours"), ("fr", 1, "year", "chaque année"),
    ("en", 1, "hour", "every hour"), ("fr", 2, "week", f"toutes les 2{NBSP}semaines"),
])
def test_frequencies_follow_each_languages_pattern(language: str, value: int, unit: str,
                                                   expected: str) -> None:
    assert presenter_for(language).frequency(value, unit) == expected


def test_a_frequency_baseline_reads_every_n_minutes(larkfield: Report) -> None:
    bus = next(i for _, _, i in larkfield.indicators() if i.id == "bus-frequency")
    assert bus.baseline is not None
    assert presenter_for("en").reference(bus, bus.baseline) == "every 60 minutes (2019)"
    assert presenter_for("fr").reference(bus, bus.baseline) == \
        "toutes les 60 minutes (2019)"


# --- Action dates ------------------------------------------------------------------

def test_action_dates_say_when_the_status_was_reached(larkfield: Report) -> None:
    english, french = presenter_for("en-GB"), presenter_for("fr")
    dates = {action.id: (english.action_dates(action), french.action_dates(action))
             for _, action in larkfield.actions()}
    assert dates["bus-every-12-minutes"] == ("done in September 2021",
                                             "réalisé en septembre 2021")
    assert dates["cycle-lane"] == ("abandoned in May 2022", "abandonné en mai 2022")
    assert dates["skills-centre"] == ("planned for 2025", "prévu pour 2025")
    assert dates["heron-court-retrofit"] == ("from 2020, done in June 2023",
                                             "depuis 2020, réalisé en juin 2023")
    assert dates["damp-hotline"] == ("made permanent on 3 February 2020",
                                     "pérennisé le 3 février 2020")
    assert dates["footpath-lighting"] == ("", "")


def test_a_one_off_action_written_with_end_is_not_until(larkfield: Report) -> None:
    """Format 1 had only ``end`` for a one-off action: done or abandoned, it is "in"."""
    import attrs

    bus = next(a for _, a in larkfield.actions() if a.id == "bus-every-12-minutes")
    old_style = attrs.evolve(bus, date=None, end=PartialDate(2021, 9))
    assert presenter_for("en-GB").action_dates(old_style) == "done in September 2021"
    abandoned = attrs.evolve(old_style, status=civicrecord.ActionStatus.ABANDONED)
    assert presenter_for("fr").action_dates(abandoned) == "abandonné en septembre 2021"
    ongoing = attrs.evolve(old_style, status=civicrecord.ActionStatus.ONGOING)
    assert presenter_for("en").action_dates(ongoing) == "until September 2021"


# --- The English example's story, in every format ------------------------------------

def test_the_english_example_validates_without_a_warning() -> None:
    assert civicrecord.validate(LARKFIELD) == []


def test_the_english_example_tells_its_change_in_words(larkfield: Report) -> None:
    presenter = presenter_for(larkfield.language)
    figures = {i.id: i for _, _, i in larkfield.indicators()}
    damp, rate = figures["damp-reports"], figures["unemployment-rate"]
    assert damp.direction is Direction.LOWER and rate.kind is MeasureKind.PERCENTAGE
    assert presenter.change_sentence(damp) == (
        "\u2212225 (\u221255%) since 2019, the better way; 86% of the way to the target "
        "of 150 (2025)")
    assert presenter.change_sentence(rate) == (
        "\u22124.4 points since 2019, the better way; 71% of the way to the target of "
        "8% (2026)")
    assert presenter.change_sentence(figures["flats-retrofitted"]) == (
        "+180 since 2019, the better way; target of 180 (2023) reached")


def _text(name: str, data: bytes, *, raw: bool = False) -> str:
    """What a reader of the format sees, as one string; ``raw``: a PDF's text in the
    order it was written (pdftotext -raw), not in columns."""
    if name == "html":
        return " ".join(lxml.html.fromstring(data).text_content().split())
    if name == "docx":  # each paragraph of the body and of its tables, a line break a space
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            body = etree.fromstring(package.read("word/document.xml"))
        paragraphs = body.iter(f"{{{WORD}}}p")
        return " ".join(" ".join(" ".join(t.text or "" for t in p.iter(
            f"{{{WORD}}}t", f"{{{WORD}}}br")).split()) for p in paragraphs)
    if name == "pdf":
        if shutil.which("pdftotext") is None:
            pytest.skip("pdftotext (poppler-utils) is not installed")
        order = ["-raw"] if raw else []
        done = subprocess.run(["pdftotext", *order, "-enc", "UTF-8", "-", "-"], input=data,
                              capture_output=True, check=True, timeout=120)
        return " ".join(done.stdout.decode("utf-8").split())
    text = data.decode("utf-8")
    if name == "markdown":
        # CommonMark backslash escapes read as the character they escape.
        text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)
    return " ".join(text.split())


def _expected_in_words(report: Report) -> list[str]:
    presenter = presenter_for(report.language)
    expected = []
    for _, _, indicator in report.indicators():
        if not has_change_data(indicator):
            continue
        expected.append(presenter.value(indicator, indicator.value))
        expected += [presenter.reference(indicator, point)
                     for point in (indicator.baseline, indicator.target) if point]
        expected += [presenter.value(indicator, point.value) for point in indicator.series]
        if figure_change(indicator) is not None:
            expected.append(presenter.change_sentence(indicator))
        if indicator.direction is not None:
            expected.append(presenter.direction(indicator.direction))
    for _, action in report.actions():
        if action.budget:
            expected.append(presenter.money(action.budget.amount, action.budget.currency))
        dates = presenter.action_dates(action)
        if dates:
            expected.append(dates)
    return expected


@pytest.mark.parametrize("name", FORMATS_IN_WORDS)
def test_every_value_baseline_target_change_and_direction_word_appears(
        larkfield: Report, name: str) -> None:
    text = _text(name, render(larkfield, name))
    expected = _expected_in_words(larkfield)
    assert "the better way" in " ".join(expected) and "lower is better" in expected
    missing = [item for item in expected if " ".join(item.split()) not in text]
    assert missing == []


# --- Actions by status for each axis, in every format that shows them ----------------

WORD = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: An axis's counts as a reader sees them: ("2", "Done") for each status it has.
Counts = list[tuple[str, str]]


def _expected_status_counts(report: Report) -> tuple[list[tuple[str, Counts]], Counts]:
    """Each numbered axis ("1. title") with its actions counted by status, in
    STATUS_ORDER, statuses it lacks left out; then the whole report's counts."""
    from collections import Counter

    from civicrecord.presentation import STATUS_ORDER

    say = presenter_for(report.language)

    def counts(actions: list[civicrecord.Action]) -> Counts:
        found = Counter(action.status for action in actions)
        return [(say.number(found[s]), say.status(s)) for s in STATUS_ORDER if found[s]]

    rows = [(f"{number}. {axis.title}", counts(list(axis.actions)))
            for number, axis in enumerate(report.axes, start=1)]
    return rows, counts([action for _, action in report.actions()])


def _status_counts(name: str, data: bytes, report: Report) -> tuple[list[tuple[str, Counts]],
                                                                      Counts | None]:
    """The axes and their counts as the format shows them, and its total (None without)."""
    if name == "html":
        page = lxml.html.fromstring(data)

        def shown(items: list[lxml.html.HtmlElement]) -> Counts:
            return [(item.findtext("strong"), " ".join(item.text_content().split()[1:]))
                    for item in items]

        rows = page.xpath("//section[@id='status-chart']//li[@class='chart-row']")
        # The page numbers its axes itself, in this order.
        return ([(f"{number}. {row.findtext('.//p/a')}",
                  shown(row.xpath(".//li[contains(@class, 'count--')]")))
                 for number, row in enumerate(rows, start=1)],
                shown(page.xpath("//section[@id='status-chart']//div[@class='chart-total']"
                                 "//li[contains(@class, 'count--')]")))
    if name == "markdown":  # the pipe table under the section's heading
        text = data.decode("utf-8")
        heading = f"## {presenter_for(report.language).label('status_overview')}\n\n"
        lines = text[text.index(heading) + len(heading):].split("\n\n")[0].split("\n")
        table = [[re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", cell).strip()
                  for cell in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
        header, _rule, *body = table
        assert header[-1] == presenter_for(report.language).label("total")
        written = [(row[0], [(count, status) for count, status
                             in zip(row[1:-1], header[1:-1], strict=True) if count != "0"])
                   for row in body]
        return written[:-1], written[-1][1]
    if name == "docx":  # the stacked bar chart: a series per status, a bar per axis
        chart = "http://schemas.openxmlformats.org/drawingml/2006/chart"
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            [stacked] = [tree for tree in (etree.fromstring(package.read(part))
                                           for part in package.namelist()
                                           if part.startswith("word/charts/"))
                         if tree.find(f".//{{{chart}}}grouping").get("val") == "stacked"]
            body = etree.fromstring(package.read("word/document.xml"))
        series = stacked.findall(f".//{{{chart}}}ser")
        axes = [v.text for v in series[0].iterfind(f"{{{chart}}}cat//{{{chart}}}v")]
        say = presenter_for(report.language)
        found: list[Counts] = [[] for _ in axes]
        for one in series:
            status = one.findtext(f"{{{chart}}}tx/{{{chart}}}v")
            hidden = {int(label.find(f"{{{chart}}}idx").get("val")) for label in one.iterfind(
                f"{{{chart}}}dLbls/{{{chart}}}dLbl") if label.find(f"{{{chart}}}delete")
                is not None}
            for point in one.iterfind(f"{{{chart}}}val//{{{chart}}}pt"):
                index = int(point.get("idx"))
                if index not in hidden:  # a value Word writes on its bar
                    found[index].append((say.number(float(point.findtext(
                        f"{{{chart}}}v"))), status))
        # The total, a paragraph under the chart: "Total : 33 Réalisé, 4 Pérennisé et 2 En cours".
        prefix = say.label("total") + say.label("colon")
        [line] = [text for text in ("".join(p.itertext()) for p in body.iter(f"{{{WORD}}}p"))
                  if text.startswith(prefix)]
        total = [tuple(part.split(" ", 1)) for part in re.split(", | et | and ",
                                                                 line[len(prefix):])]
        return list(zip(axes, found, strict=True)), total  # type: ignore[misc]
    raise AssertionError(name)


@pytest.mark.parametrize("example", [LARKFIELD, CHAMBERY], ids=lambda path: path.name)
@pytest.mark.parametrize("name", ["html", "markdown", "docx", "pdf"])
def test_every_axis_counts_its_actions_by_status_in_every_format(example: Path,
                                                                  name: str) -> None:
    """Each numbered axis's actions by status and the total (DOCX: a stacked bar chart with
    the counts on the bars, the total under it)."""
    report = civicrecord.load(example)
    rows, total = _expected_status_counts(report)
    assert len({status for _, counts in rows for _, status in counts}) >= 3
    data = render(report, name)
    if name == "pdf":  # in reading order: the heading, each row, the total
        say = presenter_for(report.language)

        def said(counts: Counts) -> str:
            return " · ".join(f"{count} {status}" for count, status in counts)

        story = " ".join([say.label("status_overview"),
                          *(f"{axis} {said(counts)}".strip() for axis, counts in rows),
                          f"{say.label('total')}{say.label('colon')}{said(total)}"])
        text = _text(name, data, raw=True)
        assert " ".join(story.split()) in text
        return
    shown_rows, shown_total = _status_counts(name, data, report)
    assert shown_rows == rows
    assert shown_total == total


def _written(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def test_json_carries_the_series_and_direction_not_the_change(larkfield: Report) -> None:
    document = json.loads(render(larkfield, "json"))
    figures = {f["id"]: f for axis in document["axes"]
               for f in [*axis["indicators"],
                         *(i for action in axis["actions"] for i in action["indicators"])]}
    damp = figures["damp-reports"]
    assert damp["direction"] == "lower"
    assert [(p["date"], p["value"]) for p in damp["series"]] == [
        ("2019", 412), ("2021", 301), ("2023", 224), ("2024", 187)]
    assert damp["baseline"] == {"value": 412, "date": "2019"}
    assert damp["target"] == {"value": 150, "date": "2025"}
    assert not re.search(r'"(change|progress|verdict|absolute|relative)"', json.dumps(document))
    actions = {a["id"]: a for axis in document["axes"] for a in axis["actions"]}
    assert actions["bus-every-12-minutes"]["date"] == "2021-09"
    assert actions["skills-centre"]["status_date"] == "2025"


def test_csv_carries_every_value_baseline_target_direction_and_budget(
        larkfield: Report) -> None:
    table = list(csv.DictReader(io.StringIO(render(larkfield, "csv")
                                            .decode("utf-8"), newline="")))
    for _, _, indicator in larkfield.indicators():
        rows = [r for r in table if r["indicator_id"] == indicator.id
                and r["record"] == "figure"]
        values = [point.value for point in indicator.series] or [indicator.value]
        assert [r["value"] for r in rows] == [_written(v) for v in values]
        for row in rows:
            assert row["direction"] == (indicator.direction.value
                                        if indicator.direction else "")
            for name in ("baseline", "target"):
                point = getattr(indicator, name)
                assert row[name] == (_written(point.value) if point else "")
    budgets = {r["action_id"]: (r["value"], r["unit"]) for r in table
               if r["record"] == "budget"}
    assert budgets == {action.id: (_written(action.budget.amount), action.budget.currency)
                       for _, action in larkfield.actions() if action.budget}


@pytest.mark.parametrize("name", [*FORMATS_IN_WORDS, *FORMATS_AS_DATA])
def test_the_french_example_renders_without_a_what_changed_section(name: str) -> None:
    """It has no baseline, target or series: nothing new appears but what it holds."""
    report = civicrecord.load(CHAMBERY)
    data = render(report, name)
    text = _text(name, data) if name in ("docx", "pdf") else data.decode("utf-8")
    assert "Ce qui a changé" not in text.replace(report.subtitle or "", "")
    assert 'id="what-changed"' not in text and "cr-chart" not in text.split("</style>")[-1]


def test_charts_are_imported_only_by_a_render_that_draws_one() -> None:
    """No chart code for `import civicrecord`, `validate`, or a page without a chart."""
    import subprocess
    import sys

    script = (
        "import sys, civicrecord\n"
        "def charts(): return sorted(m for m in sys.modules if m == 'civicrecord.charts' "
        "or m.split('.')[0] in ('matplotlib', 'plotly', 'pygal', 'altair'))\n"
        f"assert charts() == [], charts()\n"
        f"assert civicrecord.validate({str(LARKFIELD)!r}) == []\n"
        f"assert charts() == [], charts()\n"
        f"civicrecord.render(civicrecord.load({str(CHAMBERY)!r}), 'html')\n"
        f"assert charts() == [], charts()\n"
        f"civicrecord.render(civicrecord.load({str(LARKFIELD)!r}), 'html', "
        f"base_dir={str(LARKFIELD)!r})\n"
        "assert charts() == ['civicrecord.charts'], charts()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_chart_is_inline_svg_without_script_and_escapes_the_label(larkfield: Report) -> None:
    import attrs
    from lxml import etree

    from civicrecord.charts import change_chart_svg, chart_alt_text

    presenter = presenter_for("en")
    damp = next(i for _, _, i in larkfield.indicators() if i.id == "damp-reports")
    hostile = attrs.evolve(damp, label='<script>alert(1)</script> & "reports"')
    svg = change_chart_svg(hostile, presenter)
    tree = etree.fromstring(svg.encode("utf-8"))
    assert tree.tag == "{http://www.w3.org/2000/svg}svg" and tree.get("role") == "img"
    assert not tree.xpath("//*[local-name()='script' or local-name()='image' or "
                          "local-name()='foreignObject']")
    assert not [a for e in tree.iter() for a in e.attrib if a.startswith("on")]
    title = tree.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text == chart_alt_text(hostile, presenter)
    assert title.text.startswith('<script>alert(1)</script> & "reports": baseline 412 (2019)')
    texts = [e.text for e in tree.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["412", "2019", "187", "2024", "150", "2025"]
    assert tree.xpath("count(//*[contains(@class, 'cr-chart__point')])") == 4
    assert tree.xpath("count(//*[contains(@class, 'cr-chart__target-mark')])") == 1
    undrawn = attrs.evolve(damp, baseline=None, target=None, series=())
    assert change_chart_svg(undrawn, presenter) == ""


@pytest.mark.filterwarnings("ignore::civicrecord.presentation.UnsupportedLanguageWarning")
@given(report=reports())
def test_every_figure_of_any_report_charts_as_well_formed_svg(report: Report) -> None:
    from lxml import etree

    from civicrecord.charts import change_chart_svg, chart_alt_text

    presenter = presenter_for(report.language)
    for _, _, indicator in report.indicators():
        svg = change_chart_svg(indicator, presenter)
        if not has_change_data(indicator) or not isinstance(indicator.value, int | float):
            continue
        tree = etree.fromstring(svg.encode("utf-8"))
        alt = chart_alt_text(indicator, presenter)
        assert tree.findtext("{http://www.w3.org/2000/svg}title") == alt
        for point in indicator.series:
            assert presenter.value(indicator, point.value) in alt
        for shape in tree.iter("{http://www.w3.org/2000/svg}circle"):
            assert 0 <= float(shape.get("cx")) <= 320 and 0 <= float(shape.get("cy")) <= 150
