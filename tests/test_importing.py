"""``civicrecord import`` and ``importers``, and the YAML writer they rest on.

The importers here are made in the test, so the command's own promises are
checked apart from any real system's format: the right importer is chosen,
a failed import writes nothing, and what is written loads back as the report
the importer read, with warnings only.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from types import SimpleNamespace

import attrs
import jsonschema
import pytest
import yaml
from hypothesis import given, settings

import civicrecord
import civicrecord.plugins
from civicrecord import cli, hookimpl
from civicrecord.importer import Importer, ImportOptions, ImportResult, SourceError
from civicrecord.importing import ImportFailure, choose_importer, import_report
from civicrecord.model import Report, ThematicAxis
from civicrecord.plugins import load_plugins
from civicrecord.problems import Location, Problem, Severity
from civicrecord.schema import axis_schema, report_schema
from civicrecord.yaml_writer import MODELINE, report_files
from strategies import reports

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "hauts_de_chambery"


def _write(files: dict[str, str], folder: Path) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return folder


# --- The YAML writer --------------------------------------------------------------------


@settings(max_examples=60)
@given(reports())
def test_writing_then_loading_gives_the_same_report(report: Report) -> None:
    """Any valid report, texts full of quotes, colons, markup and line breaks included."""
    with tempfile.TemporaryDirectory() as folder:
        loaded = civicrecord.read(_write(report_files(report), Path(folder)))
    assert loaded.errors == ()
    assert loaded.report == report


def test_the_worked_example_round_trips_and_reads_like_it(example_report: Report,
                                                          tmp_path: Path) -> None:
    files = report_files(example_report, header=("Written by a test.",))
    assert civicrecord.load(_write(files, tmp_path)) == example_report
    axis = files["axes/mobilites.yaml"]
    assert "need: >-\n  Les habitants exprimaient" in axis  # long texts folded, as by hand
    assert "    places: [rue-de-la-brule, rue-du-maconnais, rue-du-pre-de-l-ane]\n" in axis
    report = files["report.yaml"]
    assert "period:\n  start: 2020\n  end: 2026\n" in report  # years as numbers
    assert "# Written by a test.\n" in report
    assert f"axes:\n- {example_report.axes[0].id}\n" in report


def test_written_files_name_their_schema_and_follow_it(example_report: Report) -> None:
    files = report_files(example_report)
    for name, text in files.items():
        first = text.splitlines()[0]
        schema = report_schema() if name == "report.yaml" else axis_schema()
        expected = "schema/report.schema.json" if name == "report.yaml" \
            else "../schema/axis.schema.json"
        assert first == MODELINE + expected
        jsonschema.validate(yaml.safe_load(text), schema)


def test_texts_of_several_lines_are_literal_blocks(example_report: Report) -> None:
    axis = attrs.evolve(example_report.axes[0], need="First paragraph.\n\n- a point\n- another")
    files = report_files(attrs.evolve(example_report, axes=(axis,)))
    text = files[f"axes/{axis.id}.yaml"]
    assert "need: |-\n  First paragraph.\n\n  - a point\n  - another\n" in text


def test_an_axis_id_that_is_no_file_name_is_refused(example_report: Report) -> None:
    axis = attrs.evolve(example_report.axes[0], id="../outside")
    with pytest.raises(ValueError, match="not a slug"):
        report_files(attrs.evolve(example_report, axes=(axis,)))


# --- Choosing an importer ---------------------------------------------------------------


def _importer(name: str, *, detects: bool = True,
              read: object = None) -> Importer:
    def default_read(path: Path, options: ImportOptions) -> ImportResult:
        report = civicrecord.load(EXAMPLE)
        axis = attrs.evolve(report.axes[0], need="TODO: the need at the start.")
        noticed = Problem(Severity.WARNING, "status", f"language {options.language}",
                          None, Location(str(path), 3))
        return ImportResult(attrs.evolve(report, axes=(axis, *report.axes[1:])), (noticed,))

    return Importer(name, f"reads {name} exports", lambda path: detects,
                    read or default_read)  # type: ignore[arg-type]


def _use(monkeypatch: pytest.MonkeyPatch, *importers: Importer) -> None:
    plugin = SimpleNamespace(register_importers=hookimpl(lambda: list(importers)))
    monkeypatch.setattr(civicrecord.plugins, "load_plugins",
                        lambda *args, **kwargs: load_plugins([plugin], entry_points=False))


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "export.json"
    path.write_text("[]", "utf-8")
    return path


def test_the_only_importer_that_recognises_the_source_is_chosen(source: Path) -> None:
    importers = {"a": _importer("a", detects=False), "b": _importer("b")}
    assert choose_importer(source, importers).name == "b"


def test_none_or_several_recognising_is_an_error_that_lists_them(source: Path) -> None:
    with pytest.raises(ImportFailure, match=r"no importer recognises .*--from "
                       r"\(available: a \(reads a exports\)"):
        choose_importer(source, {"a": _importer("a", detects=False)})
    with pytest.raises(ImportFailure, match=r"several importers recognise this file \(a, b\)"):
        choose_importer(source, {"a": _importer("a"), "b": _importer("b")})


def test_a_detect_that_raises_says_no(source: Path) -> None:
    def broken(path: Path) -> bool:
        raise RuntimeError("boom")

    flaky = Importer("flaky", "x", broken, _importer("x").read)
    assert choose_importer(source, {"flaky": flaky, "b": _importer("b")}).name == "b"


def test_an_unknown_from_is_a_usage_error(source: Path) -> None:
    with pytest.raises(ImportFailure, match=r"no importer named 'nope' \(available: a") as info:
        choose_importer(source, {"a": _importer("a")}, "nope")
    assert info.value.usage


# --- The command ------------------------------------------------------------------------


def test_import_writes_a_folder_that_validates_with_warnings_only(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], source: Path,
        tmp_path: Path) -> None:
    _use(monkeypatch, _importer("sheet"))
    target = tmp_path / "quartier-nord"
    assert cli.main(["import", str(source), "-o", str(target), "--language", "fr"]) == 0
    out, err = capsys.readouterr()
    assert f"{target}: imported from {source} by sheet: 8 axes, 39 actions" in out
    assert "civicrecord validate" in out
    assert f"{source}:3: warning: status: language fr" in err  # the importer's, with its line
    result = civicrecord.read(target)
    assert result.errors == ()
    assert [p.path for p in result.warnings] == ["axes[0].need"]
    assert result.report is not None and result.report.id == "quartier-nord"
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) \
        == sorted(["report.yaml", "schema/report.schema.json", "schema/axis.schema.json",
                   *(f"axes/{axis.id}.yaml" for axis in result.report.axes)])
    assert json.loads((target / "schema" / "report.schema.json").read_text()) == \
        report_schema()


def test_an_existing_empty_folder_is_filled(source: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, _importer("sheet"))
    target = tmp_path / "empty"
    target.mkdir()
    outcome = import_report(source, target)
    assert (target / "report.yaml") in outcome.files
    assert outcome.warnings and all(not p.is_error for p in outcome.warnings)
    [need] = outcome.warnings
    assert need.location is not None and need.location.file is not None
    assert Path(need.location.file).parent == target / "axes"  # where it now is


def _nothing_written(tmp_path: Path, target: Path) -> None:
    assert not target.exists()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(f".{target.name}")]
    assert leftovers == []


def test_a_source_error_is_shown_with_its_line_and_nothing_is_written(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], source: Path,
        tmp_path: Path) -> None:
    def refuse(path: Path, options: ImportOptions) -> ImportResult:
        raise SourceError([Problem(Severity.ERROR, "[0]", "not an export", "export again",
                                   Location(str(path), 7, 2))])

    _use(monkeypatch, _importer("sheet", read=refuse))
    target = tmp_path / "out"
    assert cli.main(["import", str(source), "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert f"{source}:7:2: error: [0]: not an export (export again)" in err
    assert "nothing was written" in err
    _nothing_written(tmp_path, target)


def test_an_importer_that_crashes_or_reads_an_invalid_report_writes_nothing(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], source: Path,
        tmp_path: Path) -> None:
    def crash(path: Path, options: ImportOptions) -> ImportResult:
        raise KeyError("title")

    def invalid(path: Path, options: ImportOptions) -> ImportResult:
        report = civicrecord.load(EXAMPLE)
        twice = (report.axes[0], attrs.evolve(report.axes[1], id=report.axes[0].id))
        return ImportResult(attrs.evolve(report, axes=twice))

    for read, message in ((crash, "importer 'sheet' failed on"),
                          (invalid, "read a report that does not load")):
        _use(monkeypatch, _importer("sheet", read=read))
        target = tmp_path / "out"
        assert cli.main(["import", str(source), "-o", str(target)]) == 1
        err = capsys.readouterr().err
        assert message in err and "bug in the importer" in err
        _nothing_written(tmp_path, target)


def test_a_folder_with_anything_in_it_is_refused_and_left_alone(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], source: Path,
        tmp_path: Path) -> None:
    _use(monkeypatch, _importer("sheet"))
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me", "utf-8")
    assert cli.main(["import", str(source), "-o", str(target)]) == 1
    assert "is not empty" in capsys.readouterr().err
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_usage_errors_exit_2(monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str], source: Path,
                             tmp_path: Path) -> None:
    _use(monkeypatch, _importer("sheet"))
    assert cli.main(["import", str(source), "-o", str(tmp_path / "x"), "--from", "nope"]) == 2
    assert "no importer named 'nope' (available: sheet (reads sheet exports))" in \
        capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["import", str(source)])  # -o is required
    assert exit_info.value.code == 2
    capsys.readouterr()


def test_a_missing_source_says_so(monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _use(monkeypatch, _importer("sheet"))
    assert cli.main(["import", str(tmp_path / "nope.json"), "-o", str(tmp_path / "x")]) == 1
    assert f"no such file or folder: {tmp_path / 'nope.json'}" in capsys.readouterr().err


def test_importers_lists_name_and_description(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    _use(monkeypatch, _importer("sheet"), _importer("decidim-like"))
    assert cli.main(["importers"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "sheet         reads sheet exports", "decidim-like  reads decidim-like exports"]
    assert cli.main(["importers", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"name": "sheet", "description": "reads sheet exports"},
        {"name": "decidim-like", "description": "reads decidim-like exports"}]


def test_the_commands_come_through_the_hook_from_a_builtin_plugin() -> None:
    plugins = load_plugins(entry_points=False)
    info = plugins.infos["civicrecord.importing"]
    assert info.builtin and "register_commands" in info.hooks
    assert {"import", "importers"} <= set(plugins.commands())


def test_an_axis_without_actions_still_imports(monkeypatch: pytest.MonkeyPatch,
                                               source: Path, tmp_path: Path) -> None:
    """A warning, not an error: the folder is written for people to finish."""
    def bare(path: Path, options: ImportOptions) -> ImportResult:
        report = civicrecord.load(EXAMPLE)
        empty = ThematicAxis("vide", "TODO: title", "TODO: need", (), "TODO: outcome")
        return ImportResult(attrs.evolve(report, axes=(*report.axes, empty)))

    _use(monkeypatch, _importer("sheet", read=bare))
    outcome = import_report(source, tmp_path / "out")
    assert "axes[8].actions" in {p.path for p in outcome.warnings}
