"""civicrecord-decidim: Decidim Accountability exports in, report folders out.

The fixtures follow Decidim's own serializer and exporters (see
fixtures/make_fixtures.py): a 0.30 export as JSON and CSV, a 0.27 export with
categories and scopes as JSON and CSV, and a plan without categories. Each is
imported, validated (warnings only) and rendered to every installed format.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import civicrecord_decidim
import lxml.html
import pytest
from civicrecord_decidim.export import _ruby_hashes, looks_like_export, read_export
from civicrecord_decidim.html_text import html_to_text
from civicrecord_decidim.mapping import STATUS_KEYS, normalise_key
from hypothesis import given
from hypothesis import strategies as st

import civicrecord
from civicrecord.importer import ImportOptions, SourceError
from civicrecord.importing import ImportFailure, import_report
from civicrecord.model import ActionStatus, Report
from civicrecord.plugins import PluginSet, load_plugins
from civicrecord.problems import Problem

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPORTS = ["results.json", "results.csv", "results-0.27.json", "results-0.27.csv",
           "results-top-level.json"]


@pytest.fixture(scope="module")
def plugins() -> PluginSet:
    return load_plugins([civicrecord_decidim], entry_points=False)


def _import(name: str, folder: Path, plugins: PluginSet, language: str | None = None
            ) -> tuple[Report, list[Problem], list[Problem]]:
    """The report written from a fixture, the importer's problems and validation's."""
    outcome = import_report(FIXTURES / name, folder, options=ImportOptions(language=language),
                            plugins=plugins)
    result = civicrecord.read(folder, plugins=plugins)
    assert result.report is not None, [str(p) for p in result.errors]
    return result.report, list(outcome.source_problems), list(result.problems)


def _action(report: Report, decidim_id: int) -> object:
    [action] = [a for _, a in report.actions() if a.id.endswith(f"-{decidim_id}")]
    return action


def _line_of(name: str, pattern: str) -> int:
    lines = (FIXTURES / name).read_text("utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if re.search(pattern, line))


# --- As installed --------------------------------------------------------------------------


def test_the_importer_is_found_through_its_entry_point() -> None:
    [entry] = [e for e in metadata.entry_points(group="civicrecord") if e.name == "decidim"]
    assert entry.value == "civicrecord_decidim"
    assert "decidim" in load_plugins(entry_points=True).importers()


def test_the_command_line_imports_a_fixture(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "civicrecord.cli", "import",
                          str(FIXTURES / "results.json"), "-o", str(tmp_path / "plan")],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert "imported from" in run.stdout and "by decidim: 3 axes, 6 actions" in run.stdout
    listed = subprocess.run([sys.executable, "-m", "civicrecord.cli", "importers"],
                            capture_output=True, text=True, timeout=120, check=True)
    assert listed.stdout.startswith("decidim  results of a Decidim Accountability component")


# --- Every fixture: imported, valid, rendered --------------------------------------------


@pytest.mark.parametrize("name", EXPORTS)
def test_each_export_imports_validates_and_renders_to_every_format(
        name: str, plugins: PluginSet, tmp_path: Path) -> None:
    report, _, problems = _import(name, tmp_path / "plan", plugins)
    assert problems and all(not p.is_error for p in problems)
    assert all("TODO" in p.message for p in problems), "only the texts left to write"
    installed = load_plugins(entry_points=True)
    formats = installed.renderers()
    assert {"html", "docx", "json"} <= set(formats)
    for format_name in formats:
        content = civicrecord.render(report, format_name, plugins=installed)
        assert content, format_name


def test_json_and_csv_of_one_export_give_one_report(plugins: PluginSet, tmp_path: Path) -> None:
    for version in ("", "-0.27"):
        # The same folder name in two places: the report's id comes from it.
        from_json, json_notes, _ = _import(f"results{version}.json",
                                           tmp_path / f"json{version}" / "plan", plugins)
        from_csv, csv_notes, _ = _import(f"results{version}.csv",
                                         tmp_path / f"csv{version}" / "plan", plugins)
        assert from_csv == from_json
        assert [(p.path, p.message) for p in csv_notes] == \
            [(p.path, p.message) for p in json_notes]


# --- What becomes what -------------------------------------------------------------------


def test_categories_become_axes_and_results_actions(plugins: PluginSet, tmp_path: Path) -> None:
    report, _, _ = _import("results.json", tmp_path / "plan", plugins)
    assert [(axis.id, axis.title) for axis in report.axes] == [
        ("cadre-de-vie", "Cadre de vie"), ("mobilites", "Mobilités"), ("jeunesse", "Jeunesse")]
    assert [[a.id for a in axis.actions] for axis in report.axes] == [
        ["renover-les-logements-des-combes-101", "isoler-les-facades-102",
         "concerter-les-habitants-sur-les-espaces-verts-103"],  # 103 takes its parent's
        ["creer-la-ligne-chrono-e-201", "30-de-trafic-de-transit-rue-de-la-brule-202"],
        ["ouvrir-le-tiers-lieu-de-la-dynamo-301"]]
    assert all(axis.need.startswith("TODO") and axis.outcome.startswith("TODO")
               for axis in report.axes)
    assert report.language == "fr"
    assert (str(report.period.start), str(report.period.end)) == ("2020", "2025")


def test_statuses_come_from_the_key_or_else_the_progress(plugins: PluginSet,
                                                         tmp_path: Path) -> None:
    report, _, _ = _import("results.json", tmp_path / "plan", plugins)
    statuses = {decidim_id: _action(report, decidim_id).status  # type: ignore[attr-defined]
                for decidim_id in (101, 102, 103, 201, 202, 301)}
    assert statuses == {
        101: ActionStatus.DONE,  # finished
        102: ActionStatus.IN_PROGRESS,  # in_progress
        103: ActionStatus.NOT_ASSESSED,  # en_revision: unknown to the mapping
        201: ActionStatus.IN_PROGRESS,  # no status, progress 45
        202: ActionStatus.PLANNED,  # planned
        301: ActionStatus.ABANDONED,  # cancelled
    }


@pytest.mark.parametrize(("name", "line_pattern"), [
    ("results.json", r'"key": "en_revision"'), ("results.csv", r"^103;")])
def test_an_unknown_status_is_a_warning_on_its_line(name: str, line_pattern: str,
                                                    plugins: PluginSet, tmp_path: Path) -> None:
    _, notes, _ = _import(name, tmp_path / "plan", plugins)
    [unknown] = [p for p in notes if p.path == "status.key"]
    assert not unknown.is_error
    assert "status 'en_revision' (“En révision”)" in unknown.message
    assert "not-assessed" in unknown.message
    assert unknown.location is not None
    assert unknown.location.file == str(FIXTURES / name)
    assert unknown.location.line == _line_of(name, line_pattern)


def test_dates_missing_or_impossible_are_left_out(plugins: PluginSet, tmp_path: Path) -> None:
    report, notes, _ = _import("results.json", tmp_path / "plan", plugins)

    def dates(decidim_id: int) -> tuple[str | None, str | None]:
        action = _action(report, decidim_id)
        start, end = action.start, action.end  # type: ignore[attr-defined]
        return (str(start) if start else None, str(end) if end else None)

    assert dates(101) == ("2021-03-01", "2024-06-30")
    assert dates(102) == ("2022-01-15", None)  # no end date in the export
    assert dates(103) == (None, None)
    assert dates(301) == ("2020-05-01", None)  # it ended before it started
    [reversed_dates] = [p for p in notes if p.path == "end_date"]
    assert reversed_dates.location is not None
    assert reversed_dates.location.line == _line_of("results.json", r'"2020-04-01"')


def test_addresses_and_coordinates_become_places(plugins: PluginSet, tmp_path: Path) -> None:
    report, _, _ = _import("results.json", tmp_path / "plan", plugins)
    places = {place.id: place for place in report.neighbourhood.places}
    combes = places["rue-des-combes-73000-chambery"]
    assert (combes.name, combes.latitude, combes.longitude) == (
        "Rue des Combes, 73000 Chambéry", 45.5751, 5.9309)
    assert places["rue-de-la-brule-73000-chambery"].latitude is None
    assert _action(report, 101).places == _action(report, 102).places == (  # type: ignore
        "rue-des-combes-73000-chambery",)  # one place for one address
    old, _, _ = _import("results-0.27.json", tmp_path / "old", plugins)
    [scope] = old.neighbourhood.places
    assert (scope.name, scope.kind.value) == ("Hauts de Chambéry", "sector")


def test_the_result_on_decidim_is_named_with_its_reference(plugins: PluginSet,
                                                           tmp_path: Path) -> None:
    report, _, _ = _import("results.json", tmp_path / "plan", plugins)
    description = _action(report, 101).description  # type: ignore[attr-defined]
    assert description.endswith(
        "Sur Decidim (CHAM-ACCO-2021-02-101)\u00a0: https://participer.example.fr/processes/"
        "hauts-de-chambery/f/42/results/101")
    assert "- https://participer.example.fr/processes/hauts-de-chambery/f/40/proposals/7" \
        in description
    [programme] = report.programmes
    assert programme.url == "https://participer.example.fr/processes/hauts-de-chambery/f/42"


def test_descriptions_keep_their_words_and_lose_their_markup(plugins: PluginSet,
                                                             tmp_path: Path) -> None:
    report, _, _ = _import("results.json", tmp_path / "plan", plugins)
    renovation = _action(report, 101).description  # type: ignore[attr-defined]
    assert renovation.startswith(
        "Dans le cadre du renouvellement urbain, 420\u00a0logements ont été rénovés\u00a0:"
        "\n\n- isolation des façades\u00a0;\n- remplacement des fenêtres.\n\n"
        "Voir le programme (https://www.example.fr/anru).")
    consultation = _action(report, 103).description  # type: ignore[attr-defined]
    assert "alert" not in consultation  # a script's content is not text
    assert "Écrire <b>gras</b> ne met rien en gras." in consultation  # entities are text
    page = lxml.html.fromstring(civicrecord.render(report, "html"))
    assert "Écrire <b>gras</b> ne met rien en gras." in page.text_content()
    assert not page.xpath("//b[contains(., 'gras')]")
    assert "alert('x')" not in civicrecord.render(report, "html").decode()


def test_language_english_takes_english_texts_and_says_what_it_could_not(
        plugins: PluginSet, tmp_path: Path) -> None:
    report, notes, _ = _import("results.json", tmp_path / "plan", plugins, language="en")
    assert report.language == "en"
    assert [axis.title for axis in report.axes] == ["Living environment", "Getting around",
                                                    "Young people"]
    assert _action(report, 201).title == "Open the Chrono E bus line"  # type: ignore
    assert _action(report, 103).title == \
        "Concerter les habitants sur les espaces verts"  # type: ignore[attr-defined]
    assert "On Decidim (CHAM-ACCO-2021-02-101): https://" in \
        _action(report, 101).description  # type: ignore[attr-defined]
    messages = [p.message for p in notes]
    assert "result 103 has no text in 'en'; the 'fr' one is used" in messages
    assert "result 301 has only a machine translation in 'en'; it is used" in messages
    assert _action(report, 301).description.startswith(  # type: ignore[attr-defined]
        "The project was dropped for lack of premises.")


def test_a_language_the_export_lacks_is_an_error(plugins: PluginSet, tmp_path: Path) -> None:
    with pytest.raises(ImportFailure) as info:
        _import("results.json", tmp_path / "plan", plugins, language="de")
    assert "no result has a title in 'de' (the export has: fr, en)" in \
        str(info.value.problems[0])
    assert not (tmp_path / "plan").exists()


def test_without_categories_top_level_results_are_axes(plugins: PluginSet,
                                                       tmp_path: Path) -> None:
    report, _, _ = _import("results-top-level.json", tmp_path / "plan", plugins)
    assert [axis.title for axis in report.axes] == [
        "Rénover les logements des Combes", "Créer la ligne Chrono E",
        "-30 % de trafic de transit rue de la Brûle", "Ouvrir le tiers-lieu de la Dynamo"]
    assert [a.id.rsplit("-", 1)[1] for a in report.axes[0].actions] == ["101", "102", "103"]


# --- Bad input: a clear error with its line, exit 1, nothing written -----------------------


def _refused(tmp_path: Path, content: str, suffix: str, *extra: str) -> str:
    source = tmp_path / f"export{suffix}"
    source.write_text(content, "utf-8")
    target = tmp_path / "plan"
    run = subprocess.run([sys.executable, "-m", "civicrecord.cli", "import", str(source),
                          "-o", str(target), *extra],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert "nothing was written" in run.stderr
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == [source.name]
    return run.stderr.replace(str(source), "SOURCE")


def test_broken_json_names_its_line(tmp_path: Path) -> None:
    text = (FIXTURES / "results.json").read_text("utf-8")
    broken = text.replace('"progress": "60.0",', '"progress": "60.0"', 1)
    # The parser stops at the key after the missing comma, on the next line.
    line = _line_of("results.json", r'"progress": "60.0"') + 1
    err = _refused(tmp_path, broken, ".json", "--from", "decidim")
    assert f"SOURCE:{line}:" in err and "broken JSON: Expecting ',' delimiter" in err


def test_a_truncated_export_says_where_it_ends(tmp_path: Path) -> None:
    text = (FIXTURES / "results.json").read_text("utf-8")
    err = _refused(tmp_path, text[: len(text) // 2], ".json", "--from", "decidim")
    assert "SOURCE:" in err and "broken JSON" in err


def test_a_key_written_twice_in_a_result_is_refused(tmp_path: Path) -> None:
    # Python would keep the last value silently; another reader might keep the first.
    text = (FIXTURES / "results.json").read_text("utf-8")
    twice = text.replace('"id": 101,', '"id": 101, "id": 999,', 1)
    line = _line_of("results.json", r'"id": 101,') - 1  # the result's opening brace
    err = _refused(tmp_path, twice, ".json", "--from", "decidim")
    assert f"SOURCE:{line}:" in err and "the key 'id' appears twice in one object" in err


def test_a_csv_column_named_twice_is_refused(tmp_path: Path) -> None:
    text = (FIXTURES / "results.csv").read_text("utf-8")
    header, rows = text.split("\n", 1)
    err = _refused(tmp_path, header.replace("title/en", "title/fr") + "\n" + rows, ".csv",
                   "--from", "decidim")
    column = header.split(";").index("title/en") + 1
    assert f"SOURCE:1:{column}: error: header: the header names the column 'title/fr' twice" \
        in err


@pytest.mark.parametrize("content", ["[" * 100_000 + "]" * 100_000,
                                     '[{"id": 1, "title": ' + '{"a": ' * 50_000 + "1"
                                     + "}" * 50_000 + "}]",
                                     '{"a": ' * 50_000 + "1" + "}" * 50_000],
                         ids=["lists", "objects in a result", "objects"])
def test_json_nested_too_deeply_is_an_error_of_the_source(content: str, tmp_path: Path) -> None:
    err = _refused(tmp_path, content, ".json", "--from", "decidim")
    assert "the JSON is nested too deeply to be a Decidim export" in err
    assert "RecursionError" not in err and "bug in the importer" not in err


@pytest.mark.parametrize(("content", "suffix", "said"), [
    ('[{"id": 1, "progress": ' + "9" * 5000 + "}]", ".json",
     "a number has more digits than can be read"),
    ('{"id": ' + "9" * 5000 + "}", ".json", "a number has more digits than can be read"),
    ((FIXTURES / "results.csv").read_text("utf-8").replace("Renovate the housing",
                                                           "x" * 200_000, 1), ".csv",
     "a cell is longer than 131,072 characters")], ids=["number in a result", "number", "cell"])
def test_the_readers_limits_are_said_in_a_users_words(content: str, suffix: str, said: str,
                                                     tmp_path: Path) -> None:
    err = _refused(tmp_path, content, suffix, "--from", "decidim")
    assert said in err and "set_int_max_str_digits" not in err and "field limit" not in err


def test_json_that_is_not_decidim_is_refused(tmp_path: Path) -> None:
    err = _refused(tmp_path, '[\n  {"name": "a", "value": 1}\n]\n', ".json",
                   "--from", "decidim")
    assert "SOURCE:2: error: [0]: not a Decidim Accountability export: this result has no " \
        "id, title, status, progress, start_date, end_date" in err
    err = _refused(tmp_path, '{"results": []}', ".json", "--from", "decidim")
    assert "SOURCE:1: error" in err and "holds an object, not a list of results" in err


def test_without_from_an_unknown_file_is_not_guessed(tmp_path: Path) -> None:
    err = _refused(tmp_path, "name,value\na,1\n", ".csv")
    assert "no importer recognises this file" in err
    assert "available: decidim (results of a Decidim Accountability component" in err


def test_a_csv_with_other_columns_names_them(tmp_path: Path) -> None:
    err = _refused(tmp_path, "id;name;value\n1;a;2\n", ".csv", "--from", "decidim")
    assert "SOURCE:1:1: error: header: not a Decidim Accountability export: the header has no " \
        "title, status, progress, start_date, end_date column (found: id, name, value)" in err


def test_a_csv_row_with_a_missing_cell_names_its_line(tmp_path: Path) -> None:
    lines = (FIXTURES / "results-0.27.csv").read_text("utf-8").split("\n")
    row = next(n for n, line in enumerate(lines) if line.startswith("202,"))
    lines[row] = lines[row].rsplit(",", 1)[0]
    err = _refused(tmp_path, "\n".join(lines), ".csv", "--from", "decidim")
    assert f"SOURCE:{row + 1}:1: error: [4]: this row has 25 cells, the header 26" in err


# --- The parts ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXPORTS)
def test_exports_are_recognised(name: str) -> None:
    assert looks_like_export(FIXTURES / name)


@pytest.mark.parametrize("content", ["", "[]", '{"id": 1}', "id,name\n1,a\n", "\x00\x01\x02",
                                     "# yaml-language-server\nid: x\n"])
def test_other_files_are_not(content: str, tmp_path: Path) -> None:
    path = tmp_path / "file.json"
    path.write_text(content, "utf-8")
    assert not looks_like_export(path)
    assert not looks_like_export(tmp_path)  # a folder
    assert not looks_like_export(tmp_path / "missing.json")


def test_formula_guards_are_removed_from_csv_cells(tmp_path: Path) -> None:
    """Decidim writes '-1.55 for -1.55; the number is read back."""
    header = ("id,parent/id,title/fr,description/fr,start_date,end_date,status/key,progress,"
              "address,latitude,longitude,url")
    path = tmp_path / "nantes.csv"
    path.write_text(f"{header}\n5,,'-10 % de bruit,<p>x</p>,,,done,100.0,Nantes,"
                    "47.2184,'-1.5536,\n", "utf-8")
    _, [result] = read_export(path)
    assert result.title.texts == {"fr": "-10 % de bruit"}
    assert (result.latitude, result.longitude) == ("47.2184", "-1.5536")


def test_taxonomy_names_written_by_ruby_are_read() -> None:
    assert _ruby_hashes('{"fr"=>"Cadre de vie", "en"=>"Living"}, {"fr" => "Écoles \\"A\\""}') \
        == [{"fr": "Cadre de vie", "en": "Living"}, {"fr": 'Écoles "A"'}]
    assert _ruby_hashes("not a hash") == []


def test_status_keys_are_compared_loosely() -> None:
    assert normalise_key(" En cours ") == "en_cours"
    assert STATUS_KEYS[normalise_key("Terminée")] is ActionStatus.DONE
    assert STATUS_KEYS[normalise_key("in-progress")] is ActionStatus.IN_PROGRESS


def test_an_empty_export_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("[]\n", "utf-8")
    with pytest.raises(SourceError, match="the export holds no result"):
        civicrecord_decidim.read(path, ImportOptions())


_WORDS = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=30)


@given(_WORDS)
def test_escaped_text_comes_back_as_its_words(text: str) -> None:
    """Whatever a person typed into Decidim's editor comes back, markup-like or not."""
    expected = re.sub(" +", " ", text).strip(" ")  # HTML's spaces collapse, no others
    if expected[:2] in ("- ", "* ", "• "):  # a paragraph that reads like a bullet
        expected = {"- ": "– ", "* ": "∗ ", "• ": "◦ "}[expected[:2]] + expected[2:]
    assert html_to_text(f"<p>{html.escape(text)}</p>") == expected


_TAGS = st.sampled_from(["p", "strong", "em", "ul", "li", "a", "script", "div", "br", "span",
                         "iframe", "h2"])


@st.composite
def _markup(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        if depth < 3 and draw(st.booleans()):
            tag = draw(_TAGS)
            attrs = ' href="https://x.org/?a=<b>"' if tag == "a" else ""
            parts.append(f"<{tag}{attrs}>{draw(_markup(depth + 1))}</{tag}>")
        else:
            parts.append(html.escape(draw(st.text(max_size=10))))
    return "".join(parts)


@given(_markup())
def test_no_markup_comes_through(markup: str) -> None:
    text = html_to_text(markup)
    assert "<p>" not in text and "<script" not in text and "<strong>" not in text
    assert json.dumps(text)  # text, not bytes or markup objects


# --- The archive Decidim mails an export in ----------------------------------------------


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def test_the_zip_decidim_mails_is_read_and_named_in_messages(plugins: PluginSet,
                                                             tmp_path: Path) -> None:
    csv_bytes = (FIXTURES / "results.csv").read_bytes()
    archive = _zip(tmp_path / "export.zip", {"results-2025-11-03.csv": csv_bytes})
    assert looks_like_export(archive)
    report, _, _ = _import("results.csv", tmp_path / "from-csv" / "plan", plugins)
    outcome = import_report(archive, tmp_path / "from-zip" / "plan", plugins=plugins)
    assert civicrecord.load(outcome.directory) == report
    [unknown] = [p for p in outcome.source_problems if p.path == "status.key"]
    assert unknown.location is not None
    assert unknown.location.file == f"{archive}[results-2025-11-03.csv]"
    assert unknown.location.line == _line_of("results.csv", r"^103;")


def test_an_archive_without_one_results_file_is_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "export.zip", {"a.csv": b"x", "b.json": b"[]"})
    assert not looks_like_export(archive)
    with pytest.raises(SourceError, match=r"should hold one \.json or \.csv file; it holds: "
                       r"a\.csv, b\.json"):
        civicrecord_decidim.read(archive, ImportOptions())


def test_a_file_in_an_archive_over_the_limit_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import civicrecord_decidim.export as export

    archive = _zip(tmp_path / "export.zip", {"results.json": b"[" + b" " * 4096 + b"]"})
    monkeypatch.setattr(export, "MAX_SOURCE_BYTES", 1024)
    with pytest.raises(SourceError, match="over the limit of 1024"):
        civicrecord_decidim.read(archive, ImportOptions())


def test_a_locale_no_one_knows_is_an_error_not_an_invalid_report(tmp_path: Path) -> None:
    text = (FIXTURES / "results.json").read_text("utf-8")
    odd = text.replace('"fr":', '"zz-latn-qq":').replace('"en":', '"qq":')
    err = _refused(tmp_path, odd, ".json", "--from", "decidim")
    assert "no result has a title in a language civicrecord knows (the export has: qq, " \
        "zz-latn-qq)" in err
