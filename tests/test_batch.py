"""A city's reports at once: parallel rendering, the index page, the key-figures table.

A batch writes every report that can be written, says which could not and
why, never lets two reports overwrite each other, and renders a single report
exactly as ``civicrecord render`` always has.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st

import civicrecord
import civicrecord.plugins
from civicrecord import batch, output
from civicrecord.batch import (
    KEY_FIGURE_FIELDS,
    RenderSettings,
    ReportOutcome,
    find_reports,
    key_figures,
    render_reports,
)
from civicrecord.cli import _Progress, main
from civicrecord.plugins import PluginSet, load_plugins
from civicrecord.presentation import presenter_for
from civicrecord.scaffold import new_report
from conftest import EXAMPLE

EXAMPLE_ID = "hauts-de-chambery-2020-2026"
JSON_ONLY = RenderSettings(formats=("json",))


def _run(*argv: str | Path) -> int:
    return main([str(arg) for arg in argv])


def _blank(folder: Path, language: str = "fr") -> Path:
    new_report(folder, blank=True, language=language, year=2024)
    return folder


def _set_line(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- Finding reports ---------------------------------------------------------


def test_a_folder_of_report_folders_stands_for_its_reports(tmp_path: Path) -> None:
    city = tmp_path / "city"
    for name in ("sud", "nord"):
        _blank(city / name)
    (city / "assets").mkdir()  # not a report: ignored
    (city / "notes.txt").write_text("", encoding="utf-8")
    single = tmp_path / "single.yaml"
    single.write_text("{}", encoding="utf-8")
    assert find_reports([city, EXAMPLE, single]) == (
        [city / "nord", city / "sud", EXAMPLE, single], True)
    assert find_reports([EXAMPLE]) == ([EXAMPLE], False)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert find_reports([empty]) == ([empty], False)  # reading it will say what is missing


# --- Several reports ---------------------------------------------------------


def test_two_reports_give_both_documents_an_index_and_the_key_figures(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = _blank(tmp_path / "quartier-nord")
    out = tmp_path / "out"
    assert _run("render", EXAMPLE, other, "-f", "json", "-o", out) == 0
    stdout = capsys.readouterr().out.split()
    expected = [out / f"{EXAMPLE_ID}.json", out / "quartier-nord.json",
                out / "key-figures.csv", out / "key-figures.json", out / "index.html"]
    assert stdout == [str(path) for path in expected]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in expected)
    for path, folder in ((expected[0], EXAMPLE), (expected[1], other)):
        assert path.read_bytes() == civicrecord.render(civicrecord.load(folder), "json")


def test_a_city_folder_renders_each_neighbourhood(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    city = tmp_path / "chambery"
    _blank(city / "nord")
    _blank(city / "sud", "en")
    assert _run("render", city, "-f", "json", "-o", tmp_path / "out") == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "index.html", "key-figures.csv", "key-figures.json", "nord.json", "sud.json"]


def test_key_figures_hold_every_indicator_of_every_report(tmp_path: Path) -> None:
    other = _blank(tmp_path / "nord", "en")
    out = tmp_path / "out"
    assert _run("render", EXAMPLE, other, "-f", "json", "-o", out) == 0
    rows = json.loads((out / "key-figures.json").read_text(encoding="utf-8"))
    expected = []
    for folder in (EXAMPLE, other):
        report = civicrecord.load(folder)
        for axis, action, indicator in report.indicators():
            expected.append((report.id, report.neighbourhood.name, axis.id,
                             action.id if action else None, indicator.id, indicator.value))
    assert [(r["report_id"], r["neighbourhood"], r["axis"], r["action"], r["indicator_id"],
             r["value"]) for r in rows] == expected
    assert all(tuple(row) == KEY_FIGURE_FIELDS for row in rows)
    money = next(r for r in rows if r["kind"] == "money")
    assert (money["unit"], money["period"], money["source"]) == \
        ("EUR", "per-year", "Ville de Chambéry")
    with (out / "key-figures.csv").open(encoding="utf-8", newline="") as stream:
        table = list(csv.DictReader(stream))
    assert [tuple(row) for row in table[:1]] == [KEY_FIGURE_FIELDS]
    assert [{k: str(v) if v is not None else "" for k, v in r.items()} for r in rows] == table


def test_key_figures_csv_never_holds_a_live_formula(tmp_path: Path) -> None:
    """The batch's table goes through the CSV plugin's guard: text, never a formula."""
    other = _blank(tmp_path / "nord", "en")
    hostile = {
        "label": '=HYPERLINK("http://x","y")',
        "source": "@SUM(1+1)",
        "unit": " -2+3",
    }
    axis = other / "axes" / "axis-1.yaml"
    _set_line(axis, "label: \"TODO: what the figure counts, the words that follow the number\"",
              f"label: '{hostile['label']}'")
    _set_line(axis, "name: \"TODO: where the figure comes from\"", f"name: '{hostile['source']}'")
    _set_line(axis, "unit: person", f"unit: '{hostile['unit']}'")
    _set_line(axis, "value: 0", "value: 12")
    out = tmp_path / "out"
    assert _run("render", EXAMPLE, other, "-f", "json", "-o", out) == 0
    with (out / "key-figures.csv").open(encoding="utf-8", newline="") as stream:
        row = next(r for r in csv.DictReader(stream) if r["indicator_id"] == "axis-1-figure-1")
    assert {name: row[name] for name in hostile} == {
        name: f"'{text}" for name, text in hostile.items()}
    assert row["value"] == "12"  # a number stays a number
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    # The JSON table holds the report's own text.
    rows = json.loads((out / "key-figures.json").read_text(encoding="utf-8"))
    figure = next(r for r in rows if r["indicator_id"] == "axis-1-figure-1")
    assert (figure["label"], figure["value"]) == (hostile["label"], 12)


def test_the_batch_writes_its_table_through_the_one_csv_writer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import civicrecord.csvfile

    calls: list[tuple[str, ...]] = []
    real = civicrecord.csvfile.write_csv

    def recording(header: tuple[str, ...], rows: object) -> bytes:
        calls.append(tuple(header))
        return real(header, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(civicrecord.csvfile, "write_csv", recording)
    batch.write_key_figures([], tmp_path)
    assert calls == [KEY_FIGURE_FIELDS]


def test_as_of_periods_keep_their_date(example_report: civicrecord.Report) -> None:
    from attrs import evolve

    from civicrecord.model import IndicatorPeriod, PartialDate, PeriodKind

    axis, action = next((axis, action) for axis, action in example_report.actions()
                        if action.indicators)
    dated = evolve(action.indicators[0], period=IndicatorPeriod(PeriodKind.AS_OF,
                                                                PartialDate(2024, 1)))
    report = evolve(example_report, axes=(evolve(axis, actions=(
        evolve(action, indicators=(dated,)),)),))
    (row,) = key_figures(report)
    assert row.period == "as-of 2024-01"


def test_the_index_links_every_document_and_escapes_every_text(tmp_path: Path) -> None:
    other = _blank(tmp_path / "nord", "en")
    hostile = 'Quartier <script>alert("x")</script> & "Co"'
    _set_line(other / "report.yaml",
              "title: \"TODO: title of the report, e.g. the neighbourhood's name\"",
              f"title: '{hostile}'")
    out = tmp_path / "out"
    assert _run("render", EXAMPLE, other, "-f", "json", "-o", out) == 0
    source = (out / "index.html").read_text(encoding="utf-8")
    page = lxml.html.fromstring(source)
    assert page.xpath("//script") == []
    assert page.get("lang") == "en"  # the reports' languages differ
    titles = page.xpath("//main//h3[@class='report-card__title']")
    assert [h.get("lang") for h in titles] == ["fr-FR", "en-GB"]
    assert titles[1].text_content().startswith(hostile)
    links = [a.get("href") for a in page.xpath("//main//a")]
    assert links == [f"{EXAMPLE_ID}.json", "nord.json", "key-figures.csv", "key-figures.json"]
    assert all((out / link).is_file() for link in links)
    assert page.xpath("//title")[0].text and page.xpath("//h1")[0].text
    assert "Hauts de Chambéry, Chambéry" in source and "2020–2026" in source


def test_reports_that_share_a_language_and_city_share_the_page_language(tmp_path: Path) -> None:
    outcomes = [ReportOutcome(Path(name), report_id=name, title=name, language="fr-FR",
                              authority="Ville de Chambéry", written=(Path(f"{name}.json"),))
                for name in ("nord", "sud")]
    page = lxml.html.fromstring(batch.index_html(outcomes))
    assert page.get("lang") == "fr-FR"
    assert page.xpath("//h1")[0].text == "Rapports de quartier"
    assert page.xpath("//title")[0].text == "Ville de Chambéry – Rapports de quartier"
    assert page.xpath("//p[@class='site-header__authority']")[0].text == "Ville de Chambéry"
    assert "Les chiffres clés" in page.text_content()


def test_a_french_index_reads_french_with_the_reports_figures_and_every_document(
        tmp_path: Path) -> None:
    copy = tmp_path / "quartier-nord"
    new_report(copy)
    out = tmp_path / "out"
    assert _run("render", EXAMPLE, copy, "-f", "json", "-f", "html", "-o", out) == 0
    page = lxml.html.fromstring((out / "index.html").read_text(encoding="utf-8"))
    text = page.xpath("//body")[0].text_content()
    for english in ("Key figures", "Neighbourhood", "Period covered", "Documents:",
                    "Skip to content"):
        assert english not in text
    # French puts a no-break space before a colon, as the reports do.
    assert re.search(r"[^\u00a0\u202f]:", text) is None
    assert "un par ligne\u00a0:" in text
    report = civicrecord.load(EXAMPLE)
    presenter = presenter_for(report.language)
    cards = page.xpath("//li[@class='report-card']")
    assert len(cards) == 2
    first = [indicator for _axis, _action, indicator in report.indicators()][:batch.INDEX_FIGURES]
    for card, report_id in zip(cards, (EXAMPLE_ID, "quartier-nord"), strict=True):
        assert card.xpath(".//h3")[0].text_content() == "Hauts de Chambéry — Ce qui a changé"
        assert card.xpath(".//h3/a")[0].get("href") == f"{report_id}.html"
        facts = [dd.text_content() for dd in card.xpath(".//dd")]
        assert facts == ["Hauts de Chambéry, Chambéry", "2020–2026"]
        figures = [(c.xpath("./p")[0].text, c.xpath("./p")[1].text)
                   for c in card.xpath(".//li[@class='figure-card']")]
        assert figures == [(presenter.indicator_value(i), presenter.indicator_phrase(i))
                           for i in first]
        documents = [(a.get("href"), a.text.strip())
                     for a in card.xpath(".//ul[@class='documents']//a")]
        assert documents == [(f"{report_id}.json", "JSON"), (f"{report_id}.html", "HTML")]
    assert [t.strip() for t in page.xpath("//dt/text()")] == [
        "Quartier", "Période couverte"] * 2


def test_the_index_wears_the_reports_theme_and_stylesheet(example_report: civicrecord.Report,
                                                          tmp_path: Path) -> None:
    from civicrecord.renderers.html import Theme

    outcome = ReportOutcome(Path("a"), report_id="a", title="A", language="fr-FR",
                            written=(Path("a.html"),))
    index = batch.index_html([outcome])
    report_page = civicrecord.render(example_report, "html").decode("utf-8")
    for name, value in Theme().css_variables:
        assert f"{name}: {value};" in index and f"{name}: {value};" in report_page
    stylesheet = report_page[report_page.index("/* civicrecord HTML theme."):]
    stylesheet = stylesheet[:stylesheet.index("@page")]
    assert stylesheet in index  # the reports' own rules, not a look of its own
    assert 'http-equiv="Content-Security-Policy"' in index


def test_the_index_wears_the_colours_given_to_the_reports(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run("render", EXAMPLE, _blank(tmp_path / "nord"), "-f", "html", "-o", out,
                "-O", "theme.primary=#7a1f5c") == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    report_page = (out / f"{EXAMPLE_ID}.html").read_text(encoding="utf-8")
    assert "--cr-primary: #7a1f5c;" in index and "--cr-primary: #7a1f5c;" in report_page
    # A theme the HTML renderer refuses fails each report's page; the index keeps the default.
    outcome = ReportOutcome(Path("a"), report_id="a", title="A", written=(Path("a.json"),))
    assert "--cr-primary: #00558c;" in batch.index_html([outcome], theme={"primary": "nope"})


# --- Failures ----------------------------------------------------------------


def test_a_failing_report_is_named_and_does_not_stop_the_others(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = _blank(tmp_path / "broken")
    _set_line(broken / "report.yaml", "language: fr-FR", "language: 42")
    good = _blank(tmp_path / "good")
    out = tmp_path / "out"
    assert _run("render", broken, EXAMPLE, good, "-f", "json", "-o", out, "-j", "2") == 1
    err = capsys.readouterr().err
    assert f"{broken}: not rendered: 1 error(s)" in err
    assert "language: expected text" in err
    assert f"1 of 3 report(s) failed: {broken}" in err
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{EXAMPLE_ID}.json", "good.json", "index.html", "key-figures.csv",
         "key-figures.json"])
    page = lxml.html.fromstring((out / "index.html").read_text(encoding="utf-8"))
    assert [h.text_content() for h in page.xpath("//h3")] != [] and \
        "broken" not in " ".join(h.text_content() for h in page.xpath("//h3"))
    (entry,) = _failed_entries(page)
    assert entry == (f"{broken}, identifiant broken", [],
                     "Aucun fichier précédent de ce rapport dans ce dossier.")


def _failed_entries(page: lxml.html.HtmlElement) -> list[tuple[str, list[tuple[str, str]], str]]:
    """What the index says of each failed report: its path and id, the links to its
    earlier files (address, text) and the sentence in place of links, if any."""
    entries = []
    for item in page.xpath("//section[@aria-labelledby='failed-title']/ul/li"):
        said, *rest = item.xpath("./p")
        links = [(a.get("href"), " ".join(a.text_content().split())) for a in item.xpath(".//a")]
        entries.append((said.text_content(), links, rest[0].text_content() if rest else ""))
    return entries


def test_the_index_names_a_failed_report_and_links_its_earlier_files_as_earlier(
        tmp_path: Path) -> None:
    nord, sud = _blank(tmp_path / "nord"), _blank(tmp_path / "sud")
    out = tmp_path / "out"
    assert _run("render", nord, sud, "-f", "json", "-f", "html", "-o", out) == 0
    earlier = {name: (out / name).read_bytes() for name in ("nord.json", "nord.html")}
    assert _failed_entries(lxml.html.fromstring((out / "index.html").read_bytes())) == []
    _set_line(nord / "report.yaml", "language: fr-FR", "language: 42")
    assert _run("render", nord, EXAMPLE, sud, "-f", "json", "-f", "html", "-o", out) == 1
    assert {name: (out / name).read_bytes() for name in earlier} == earlier  # kept
    page = lxml.html.fromstring((out / "index.html").read_bytes())
    assert page.get("lang") == "fr-FR"  # the reports rendered speak French; so does the page
    (section,) = page.xpath("//section[@aria-labelledby='failed-title']")
    assert section.xpath("./h2")[0].text == "Non produits lors de cette mise à jour"
    assert "peuvent être périmés" in section.xpath("./p")[0].text
    assert _failed_entries(page) == [(f"{nord}, identifiant nord", [
        ("nord.html", "HTML nord.html, version précédente"),
        ("nord.json", "JSON nord.json, version précédente"),
    ], "")]
    assert section.xpath(".//ul[@class='documents']")[0].get("aria-label") == \
        "Fichiers précédents, conservés"
    # The failed report has no card of its own; the others have theirs, as before.
    cards = [a.get("href") for a in page.xpath("//li[@class='report-card']/h3/a")]
    assert cards == [f"{EXAMPLE_ID}.html", "sud.html"]
    # The key figures are those of this run's reports only: no stale row, no extra column.
    rows = json.loads((out / "key-figures.json").read_text(encoding="utf-8"))
    assert {row["report_id"] for row in rows} == {EXAMPLE_ID, "sud"}
    assert all(tuple(row) == KEY_FIGURE_FIELDS for row in rows)


def test_a_failed_report_whose_id_cannot_be_read_is_named_by_its_path(tmp_path: Path) -> None:
    nord = _blank(tmp_path / "nord", "en")
    out = tmp_path / "out"
    assert _run("render", nord, _blank(tmp_path / "sud", "en"), "-f", "json", "-o", out) == 0
    _set_line(nord / "report.yaml", "language: en", "language: [en")  # not YAML any more
    assert _run("render", nord, tmp_path / "sud", "-f", "json", "-o", out) == 1
    page = lxml.html.fromstring((out / "index.html").read_bytes())
    assert _failed_entries(page) == [(str(nord), [], "Its id could not be read, so its "
                                      "earlier files, if any, cannot be told apart.")]
    assert (out / "nord.json").is_file()  # kept, but no one can say it is nord's


def test_a_report_failing_in_one_format_is_listed_besides_its_card(tmp_path: Path) -> None:
    clash = _blank(tmp_path / "key-figures", "en")  # its JSON would replace the batch's
    out = tmp_path / "out"
    assert _run("render", clash, _blank(tmp_path / "sud", "en"), "-f", "html", "-f", "json",
                "-o", out) == 1
    page = lxml.html.fromstring((out / "index.html").read_bytes())
    cards = [a.get("href") for a in page.xpath("//li[@class='report-card']/h3/a")]
    assert cards == ["key-figures.html", "sud.html"]
    # Neither its HTML (written now) nor the batch's key-figures.json is an earlier file.
    assert _failed_entries(page) == [(f"{clash}, id key-figures", [],
                                      "No earlier file of this report in this folder.")]


def test_earlier_files_are_the_failed_reports_own_and_not_this_runs() -> None:
    failed = ReportOutcome(Path("nord"), errors=("nord: not rendered",), declared_id="nord")
    fresh = ReportOutcome(Path("a"), report_id="a", title="A", written=(Path("nord.pdf"),))
    present = ["nord.json", "nord.html", "nord.pdf", "nord-est.html", "nordique.json",
               "nord.", "nord.json.tmp", "nord.é", ".nord.json", "index.html", "nord.DOCX"]
    page = lxml.html.fromstring(batch.index_html([failed, fresh], present=present))
    assert [a.get("href") for a in page.xpath("//section[@class='section failed-reports']//a")] \
        == ["nord.DOCX", "nord.html", "nord.json"]


def test_a_failed_report_whose_folder_name_is_not_utf8_is_shown_with_escapes(
        tmp_path: Path) -> None:
    nord = _blank(tmp_path / "nord")
    _set_line(nord / "report.yaml", "language: fr-FR", "language: 42")
    named = Path(os.fsdecode(os.fsencode(tmp_path) + b"/nord\xff\xfe"))  # Linux allows it
    nord.rename(named)
    out = tmp_path / "out"
    assert _run("render", named, _blank(tmp_path / "sud"), "-f", "json", "-o", out) == 1
    page = lxml.html.fromstring((out / "index.html").read_bytes())
    assert _failed_entries(page) == [(f"{tmp_path}/nord\\xff\\xfe, identifiant nord", [],
                                      "Aucun fichier précédent de ce rapport dans ce dossier.")]


def test_a_symbolic_link_named_like_an_earlier_file_is_not_linked(tmp_path: Path) -> None:
    nord = _blank(tmp_path / "nord")
    _set_line(nord / "report.yaml", "language: fr-FR", "language: 42")
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "elsewhere.txt").write_text("not a report", encoding="utf-8")
    (out / "nord.html").symlink_to(tmp_path / "elsewhere.txt")
    (out / "nord.json").write_text("{}", encoding="utf-8")  # a file a run left: linked
    assert _run("render", nord, _blank(tmp_path / "sud"), "-f", "json", "-o", out) == 1
    page = lxml.html.fromstring((out / "index.html").read_bytes())
    assert _failed_entries(page) == [(f"{nord}, identifiant nord", [
        ("nord.json", "JSON nord.json, version précédente")], "")]


@given(path=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1),
       declared=st.sampled_from([None, "nord"]))
def test_a_failed_reports_path_is_shown_as_text_whatever_it_holds(path: str,
                                                                  declared: str | None) -> None:
    failed = ReportOutcome(Path(path), errors=("not rendered",), declared_id=declared)
    shown = ReportOutcome(Path("a"), report_id="a", title="A", written=(Path("a.json"),))
    page = lxml.html.fromstring(batch.index_html([shown, failed], present=["nord.json"]))
    (code, *ident) = page.xpath("//section[@class='section failed-reports']//p/code")
    assert code.text == str(Path(path)) and len(code) == 0
    assert [c.text for c in ident] == ([declared] if declared else [])
    assert page.xpath("//script") == []


def test_two_reports_with_one_id_are_both_refused_naming_both_paths(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = _blank(tmp_path / "a" / "nord"), _blank(tmp_path / "b" / "nord")
    other = _blank(tmp_path / "sud")
    out = tmp_path / "out"
    assert _run("render", first, second, other, "-f", "json", "-o", out) == 1
    err = capsys.readouterr().err
    assert f"{first}: error: report id 'nord' is also the id of {second}" in err
    assert f"{second}: error: report id 'nord' is also the id of {first}" in err
    assert sorted(p.name for p in out.iterdir()) == [
        "index.html", "key-figures.csv", "key-figures.json", "sud.json"]
    rows = json.loads((out / "key-figures.json").read_text(encoding="utf-8"))
    assert {row["report_id"] for row in rows} == {"sud"}


def test_a_report_cannot_take_the_name_of_the_batch_files(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clash = _blank(tmp_path / "key-figures")
    other = _blank(tmp_path / "sud")
    out = tmp_path / "out"
    assert _run("render", clash, other, "-f", "json", "-o", out) == 1
    assert "key-figures.json is the name of a file that lists all the reports" in \
        capsys.readouterr().err
    rows = json.loads((out / "key-figures.json").read_text(encoding="utf-8"))
    assert {row["report_id"] for row in rows} == {"sud"}
    # Alone, without an index, the same report is rendered as before.
    assert _run("render", clash, "-f", "json", "-o", tmp_path / "alone") == 0
    assert json.loads((tmp_path / "alone" / "key-figures.json").read_bytes())["id"] == \
        "key-figures"


def test_an_output_folder_that_cannot_be_made_is_one_clear_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    assert _run("render", EXAMPLE, "-f", "json", "-o", blocker / "out") == 1
    err = capsys.readouterr().err
    assert "cannot write in output folder" in err and "Traceback" not in err


# --- A single report, as before ----------------------------------------------


def test_a_single_report_writes_no_index_unless_asked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("render", EXAMPLE, "-f", "json", "-o", tmp_path / "one") == 0
    assert capsys.readouterr().out == f"{tmp_path / 'one' / EXAMPLE_ID}.json\n"
    assert [p.name for p in (tmp_path / "one").iterdir()] == [f"{EXAMPLE_ID}.json"]
    assert _run("render", EXAMPLE, "-f", "json", "-o", tmp_path / "two", "--index") == 0
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == [
        f"{EXAMPLE_ID}.json", "index.html", "key-figures.csv", "key-figures.json"]


def test_an_unknown_format_is_a_command_line_error_and_nothing_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("render", EXAMPLE, "-f", "nope", "-f", "json", "-o", tmp_path / "out") == 2
    captured = capsys.readouterr()
    assert "error: no renderer for format 'nope' (available: docx, html, json)" in captured.err
    assert captured.out == "" and not (tmp_path / "out").exists()


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_jobs_must_be_a_positive_number(jobs: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        _run("render", EXAMPLE, "-j", jobs)
    assert raised.value.code == 2
    assert "is not a whole number of 1 or more" in capsys.readouterr().err


# --- Parallel work -----------------------------------------------------------

_PIDS_ENV = "CIVICRECORD_TEST_PIDS"


def _recording_render_one(path: Path, settings: RenderSettings, directory: Path,
                          plugins: PluginSet | None = None, *,
                          durable: bool = True) -> ReportOutcome:
    """Stands in for batch.render_one in worker processes (inherited through fork).

    It records the process and the plugin set each report was rendered with.
    """
    import time

    if path.name == "crash":
        os._exit(3)  # a worker dying as a segfault in a native library would
    record = Path(os.environ[_PIDS_ENV]) / path.name
    record.write_text(f"{os.getpid()} {id(plugins) if plugins else None}", encoding="utf-8")
    time.sleep(0.3)  # long enough that both workers take a share
    return _REAL_RENDER_ONE(path, settings, directory, plugins, durable=durable)


def _recorded(pids: Path) -> dict[int, set[str]]:
    """Process id -> the plugin sets (by identity) its reports were rendered with."""
    found: dict[int, set[str]] = {}
    for record in pids.iterdir():
        pid, plugins = record.read_text(encoding="utf-8").split()
        found.setdefault(int(pid), set()).add(plugins)
    return found


_REAL_RENDER_ONE = batch.render_one


@pytest.fixture
def recording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import multiprocessing

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("workers see the recording stand-in only when forked")
    pids = tmp_path / "pids"
    pids.mkdir()
    monkeypatch.setenv(_PIDS_ENV, str(pids))
    monkeypatch.setattr(batch, "render_one", _recording_render_one)
    return pids


def test_reports_are_rendered_in_several_processes(tmp_path: Path, recording: Path) -> None:
    folders = [_blank(tmp_path / "city" / f"q{n}") for n in range(4)]
    result = render_reports(folders, JSON_ONLY, tmp_path / "out", jobs=2)
    assert not result.failed
    recorded = _recorded(recording)
    assert len(recorded) == 2 and os.getpid() not in recorded
    # Each worker found the plugins once, when it started, for all its reports.
    assert all(len(sets) == 1 and "None" not in sets for sets in recorded.values())
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"q{n}.json" for n in range(4)]


def test_one_job_renders_in_this_process_with_one_plugin_set(tmp_path: Path,
                                                              recording: Path) -> None:
    folders = [_blank(tmp_path / "city" / f"q{n}") for n in range(2)]
    render_reports(folders, JSON_ONLY, tmp_path / "out", jobs=1)
    recorded = _recorded(recording)
    assert list(recorded) == [os.getpid()]
    assert len(recorded[os.getpid()]) == 1 and "None" not in recorded[os.getpid()]


def test_one_job_does_not_import_the_process_pool(tmp_path: Path) -> None:
    folders = [_blank(tmp_path / "city" / f"q{n}") for n in range(2)]
    probe = ("import contextlib, io, sys\nfrom civicrecord.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             f"    main(['render', *{[str(f) for f in folders]!r}, '-j', '1', '-f', 'json', "
             f"'-o', {str(tmp_path / 'out')!r}])\n"
             "print(sorted(m for m in ('multiprocessing', 'concurrent.futures.process') "
             "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.split("\n")[-2] == "[]"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "index.html", "key-figures.csv", "key-figures.json", "q0.json", "q1.json"]


def test_the_plugin_set_given_is_the_one_used(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from civicrecord import hookimpl
    from civicrecord.renderer import Renderer

    class Outline:
        __name__ = "outline-plugin"

        @hookimpl
        def register_renderers(self) -> list[Renderer]:
            return [Renderer("outline", "txt", "text/plain", "the title",
                             lambda report, context: report.title.encode())]

    def refuse(*args: object, **kwargs: object) -> PluginSet:
        raise AssertionError("the plugins were looked for again")

    plugins = load_plugins([Outline()])
    monkeypatch.setattr(civicrecord.plugins, "load_plugins", refuse)
    folders = [_blank(tmp_path / "city" / f"q{n}") for n in range(3)]
    result = render_reports(folders, RenderSettings(formats=("outline",)), tmp_path / "out",
                            jobs=1, plugins=plugins)
    assert not result.failed
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"q{n}.txt" for n in range(3)]


def test_a_dying_worker_fails_its_report_only(tmp_path: Path, recording: Path) -> None:
    folders = [_blank(tmp_path / "city" / name) for name in ("a", "crash", "b", "c", "d")]
    result = render_reports(folders, JSON_ONLY, tmp_path / "out", jobs=2)
    assert [o.path.name for o in result.failed] == ["crash"]
    assert "the process rendering it died" in result.failed[0].errors[0]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "a.json", "b.json", "c.json", "d.json"]


# --- Files reach the output folder flushed ----------------------------------------


def test_every_file_is_flushed_before_it_is_moved_into_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[tuple[str, Path]] = []
    real_flush, real_replace = output.flush, os.replace

    def recording_flush(path: Path) -> None:
        real_flush(path)
        events.append(("flushed", Path(path)))

    def recording_replace(source: str | Path, target: str | Path) -> None:
        if Path(target).parent == out:  # not the renames inside the staging folder
            events.append(("moved", Path(source)))
        real_replace(source, target)

    out = tmp_path / "out"
    monkeypatch.setattr(output, "flush", recording_flush)
    monkeypatch.setattr(os, "replace", recording_replace)
    folders = [_blank(tmp_path / "city" / f"q{n}") for n in range(3)]
    result = render_reports(folders, RenderSettings(formats=("json", "html")), out, jobs=1)
    assert not result.failed
    moved_out = [source for kind, source in events if kind == "moved"]
    assert len(moved_out) == 6
    for source in moved_out:
        assert ("flushed", source) in events[:events.index(("moved", source))]


def test_a_file_that_cannot_be_flushed_never_replaces_a_good_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_flush = output.flush

    def failing_flush(path: Path) -> None:
        if Path(path).name == "q0.json":
            raise OSError(errno.EIO, "Input/output error")
        real_flush(path)

    monkeypatch.setattr(output, "flush", failing_flush)
    out = tmp_path / "out"
    out.mkdir()
    (out / "q0.json").write_text("the good file", encoding="utf-8")
    folders = [_blank(tmp_path / "city" / f"q{n}") for n in range(2)]
    result = render_reports(folders, JSON_ONLY, out, jobs=1)
    assert (out / "q0.json").read_text(encoding="utf-8") == "the good file"
    [failed] = result.failed
    assert failed.written == ()
    assert failed.errors == (f"{folders[0]}: error: cannot write {out / 'q0.json'}: "
                             "Input/output error",)
    assert civicrecord.load(out / "q1.json").id == "q1"


def test_no_staging_folder_is_left_behind(tmp_path: Path) -> None:
    out = tmp_path / "out"
    render_reports([EXAMPLE, _blank(tmp_path / "x")], JSON_ONLY, out, jobs=2)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


# --- Progress ----------------------------------------------------------------


class _Terminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("tty", [True, False])
def test_progress_shows_on_a_terminal_only(tty: bool) -> None:
    stream = _Terminal(tty)
    progress = _Progress(stream, 2)
    progress.done(ReportOutcome(Path("nord"), report_id="nord"), 1, 2)
    progress.done(ReportOutcome(Path("sud"), errors=("sud: not rendered: 1 error(s)",)), 2, 2)
    progress.close()
    text = stream.getvalue()
    assert "sud: not rendered: 1 error(s)\n" in text
    assert ("[1/2] done: nord" in text) is tty
    assert ("[2/2] failed: sud" in text) is tty
    assert ("\r" in text) is tty
    if tty:
        assert text.endswith("\r\x1b[K")  # the progress line is cleared at the end


# --- The index page in a browser -----------------------------------------------


_LOOK = """selector => {
  const style = getComputedStyle(document.querySelector(selector));
  return [style.backgroundColor, style.color, style.fontFamily, style.borderBottomColor];
}"""


@pytest.mark.chromium
@pytest.mark.parametrize(("width", "other"), [(375, "copy"), (1280, "blank-en")],
                         ids=["375px-french", "1280px-french-and-english"])
def test_the_index_page_passes_axe_and_looks_like_the_reports(
        tmp_path: Path, chromium_path: str, artefacts_dir: Path, width: int,
        other: str) -> None:
    from browser import chromium, describe_violations, open_page, run_axe, screenshot

    out = tmp_path / "out"
    nord = tmp_path / "nord"
    if other == "copy":
        new_report(nord)
    else:
        _blank(nord, "en")
    assert _run("render", EXAMPLE, nord, "-f", "json", "-f", "html", "-o", out) == 0
    with chromium(chromium_path) as browser:
        with open_page(browser, (out / "index.html").read_text(encoding="utf-8"),
                       bypass_csp=True, width=width) as watch:
            results = run_axe(watch.page)
            screenshot(watch.page, artefacts_dir / f"batch-index-{width}.png")
            horizontal_scroll = watch.page.evaluate(
                "document.documentElement.scrollWidth > window.innerWidth")
            index_look = [watch.page.evaluate(_LOOK, selector)
                          for selector in (".site-header", "body", ".figure-card")]
            cards = watch.page.locator(".report-card").count()
        with open_page(browser, (out / f"{EXAMPLE_ID}.html").read_text(encoding="utf-8"),
                       width=width) as report_watch:
            report_look = [report_watch.page.evaluate(_LOOK, selector)
                           for selector in (".site-header", "body", ".axis .figure-card")]
    assert results["violations"] == [], describe_violations(results["violations"])
    assert not horizontal_scroll
    assert watch.console_errors == [] and watch.requests == []
    assert cards == 2
    assert index_look == report_look  # the same banner, text and figure cards


@pytest.mark.chromium
def test_the_index_with_a_failed_report_passes_axe_and_fits_a_phone(
        tmp_path: Path, chromium_path: str, artefacts_dir: Path) -> None:
    from browser import chromium, describe_violations, open_page, run_axe, screenshot

    nord = tmp_path / "a-long-folder-name-for-the-north-neighbourhood-report" / "nord"
    new_report(nord)
    out = tmp_path / "out"
    assert _run("render", EXAMPLE, nord, "-f", "json", "-f", "html", "-o", out) == 0
    _set_line(nord / "report.yaml", "language: fr-FR", "language: 42")
    assert _run("render", EXAMPLE, nord, "-f", "json", "-f", "html", "-o", out) == 1
    with chromium(chromium_path) as browser, open_page(
            browser, (out / "index.html").read_text(encoding="utf-8"), bypass_csp=True,
            width=375) as watch:
        results = run_axe(watch.page)
        screenshot(watch.page, artefacts_dir / "batch-index-failed-375.png")
        horizontal_scroll = watch.page.evaluate(
            "document.documentElement.scrollWidth > window.innerWidth")
        names = watch.page.locator(".failed-reports a").all_inner_texts()
    assert results["violations"] == [], describe_violations(results["violations"])
    assert not horizontal_scroll
    assert watch.console_errors == [] and watch.requests == []
    assert [" ".join(name.split()) for name in names] == [
        "HTML nord.html, version précédente", "JSON nord.json, version précédente"]


# --- Where tests leave their artefacts ------------------------------------------


def test_test_artefacts_have_their_own_ignored_folder_not_build(artefacts_dir: Path,
                                                              build_dir: Path) -> None:
    """`make test` never mixes its screenshots and PDFs with what `make demo` rendered."""
    root = EXAMPLE.parents[1]
    for folder in (artefacts_dir, build_dir):
        assert not folder.resolve().is_relative_to(root / "build")
        assert folder.resolve().is_relative_to(root)
    ignored = (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert f"{artefacts_dir.relative_to(root)}/" in ignored


@pytest.mark.parametrize(("count", "named"), [
    (2, "{1}"), (3, "{1} and {2}"), (4, "{1}, {2} and {3}"), (5, "{1}, {2}, {3} and {4}")])
def test_a_clash_of_ids_names_up_to_four_other_reports_in_plain_english(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], count: int, named: str) -> None:
    copies = [_blank(tmp_path / f"copy{n}" / "nord") for n in range(count)]
    assert _run("render", *copies, "-f", "json", "-o", tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert (f"{copies[0]}: error: report id 'nord' is also the id of "
            f"{named.format(*copies)}; their files") in err


def test_many_reports_with_one_id_or_failing_are_named_a_few_at_a_time(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A hundred copies of one folder: each message names a few, not the whole batch."""
    copies = [_blank(tmp_path / f"copy{n:02d}" / "nord") for n in range(12)]
    assert _run("render", *copies, "-f", "json", "-o", tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert (f"{copies[0]}: error: report id 'nord' is also the id of {copies[1]}, "
            f"{copies[2]}, {copies[3]} and 8 other reports; their files") in err
    assert (f"12 of 12 report(s) failed: {', '.join(map(str, copies[:5]))} and 7 more, "
            "each named above\n") in err
