"""The command line: exit codes, the one-line summary, and one located line per problem.

``civicrecord validate PATH`` exits 0 with ``PATH: valid: N axes, N actions, N
indicators``; 1 with ``FILE:LINE:COL: severity: path: message (hint)`` lines on
stderr; 2 when the command line itself is wrong. Never a traceback.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import civicrecord
from civicrecord.cli import main
from civicrecord.model import Report

AXIS = "axes/mobilites.yaml"  # the eighth axis of the worked example


def _edit(path: Path, *replacements: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def report_copy(example_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the worked example as ``hauts/``, the working directory its parent."""
    shutil.copytree(example_dir, tmp_path / "hauts")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "hauts"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


# --- validate: the good case -------------------------------------------------------------


def test_a_valid_report_exits_0_with_a_one_line_summary(
    report_copy: Path, capsys: pytest.CaptureFixture[str], example_report: Report
) -> None:
    code, out, err = _run(capsys, "validate", "hauts")
    actions = sum(len(axis.actions) for axis in example_report.axes)
    figures = len(list(example_report.indicators()))
    assert (code, out, err) == (
        0, f"hauts: valid: {len(example_report.axes)} axes, {actions} actions, {figures} "
        "indicators\n", "")
    assert out == "hauts: valid: 8 axes, 39 actions, 7 indicators\n"  # the seed, counted


def test_warnings_alone_still_exit_0_and_are_counted(
    report_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(report_copy / AXIS, ("    title: Augmenter la fréquence",
                               "    title: Augmenter\u200b la fréquence"))
    code, out, err = _run(capsys, "validate", "hauts")
    assert code == 0
    assert out == "hauts: valid: 8 axes, 39 actions, 7 indicators, 1 warning(s)\n"
    assert err == (f"hauts/{AXIS}:31:5: warning: axes[7].actions[1].title: invisible "
                   "character: zero-width space (delete it unless you placed it on purpose)\n")


def test_strict_turns_warnings_into_exit_1(report_copy: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    _edit(report_copy / AXIS, ("    title: Augmenter la fréquence",
                               "    title: Augmenter\u202e la fréquence"))
    code, out, err = _run(capsys, "validate", "--strict", "hauts")
    assert (code, out) == (1, "")
    assert err.splitlines()[-1] == "hauts: 0 error(s), 1 warning(s)"


# --- validate: one located line per problem ----------------------------------------------


def test_a_yaml_syntax_error_names_its_file_line_and_column(
    report_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(report_copy / AXIS, ("    title: Favoriser les", "    title: Favoriser: les"))
    code, out, err = _run(capsys, "validate", "hauts")
    first, summary = err.splitlines()
    assert (code, out) == (1, "")
    assert first.startswith(f"hauts/{AXIS}:19:21: error: axes[7]: YAML syntax error: "
                            "mapping values are not allowed")
    assert first.endswith("(check indentation, colons and quotes on this line or above)")
    assert summary == "hauts: 1 error(s), 0 warning(s)"


def test_wrong_type_unknown_key_duplicate_id_and_control_character_in_one_pass(
    report_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(report_copy / AXIS,
          ("    title: Favoriser les cheminements piétons et la baisse des vitesses",
           "    title: 15"),
          ("    places: [rue-de-la-brule", "    place: [rue-de-la-brule"),
          ("  - id: frequence-ligne-2", "  - id: amenagements-ville-apaisee"),
          ("    title: Améliorer les correspondances",
           "    title: Améliorer les\x07 correspondances"))
    code, out, err = _run(capsys, "validate", "hauts")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"hauts/{AXIS}:19:5: error: axes[7].actions[0].title: expected text, got a number (15) "
        "(put the value in quotes)",
        f"hauts/{AXIS}:27:5: error: axes[7].actions[0].place: unknown key 'place' "
        "(did you mean 'places'?)",
        f"hauts/{AXIS}:54:5: error: axes[7].actions[3].title: control or invalid character "
        "U+0007 at character 14 (delete it; it often comes from pasting from a PDF or Word)",
        "hauts: 3 error(s), 0 warning(s)",
    ]
    # The duplicate id is a cross-record rule: it shows once the fields are right.
    _edit(report_copy / AXIS, ("    title: 15", "    title: Favoriser"),
          ("    place: [", "    places: ["),
          ("    title: Améliorer les\x07 correspondances", "    title: Améliorer"))
    code, out, err = _run(capsys, "validate", "hauts")
    assert err.splitlines() == [
        f"hauts/{AXIS}:30:5: error: axes[7].actions[1].id: duplicate action id "
        "'amenagements-ville-apaisee', already used at axes[7].actions[0].id "
        "(every action needs its own id)",
        "hauts: 1 error(s), 0 warning(s)",
    ]


def test_problems_in_the_main_file_and_an_axis_file_come_in_file_order(
    report_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(report_copy / "report.yaml", ("language: fr-FR", "language: fr_FR"))
    _edit(report_copy / AXIS, ("    places: [rue-de-la-brule", "    places: [rue-de-la-brul"))
    code, _, err = _run(capsys, "validate", "hauts")
    assert code == 1
    assert [line.split(": ")[0] for line in err.splitlines()] == [
        f"hauts/{AXIS}:27:14", "hauts/report.yaml:14:1", "hauts"]


def test_json_output_lists_each_problem_with_its_place(
    report_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(report_copy / AXIS, ("    places: [rue-de-la-brule", "    places: [rue-de-la-brul"))
    code, out, err = _run(capsys, "validate", "--json", "hauts")
    assert (code, err) == (1, "")
    assert json.loads(out) == [{
        "severity": "error", "path": "axes[7].actions[0].places[0]",
        "message": "place 'rue-de-la-brul' is not listed in neighbourhood.places",
        "hint": "did you mean 'rue-de-la-brule'?", "file": f"hauts/{AXIS}", "line": 27,
        "column": 14,
    }]


def test_json_output_of_a_valid_report_is_an_empty_list(
    report_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "validate", "--json", "hauts") == (0, "[]\n", "")


def test_json_output_survives_a_lone_surrogate_in_a_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.json"
    path.write_text('{"\\udc80": 1}', encoding="utf-8")
    code, out, _ = _run(capsys, "validate", "--json", str(path))
    assert code == 1
    assert '["\\udc80"]' in {p["path"] for p in json.loads(out)}


def test_a_missing_path_says_so_plainly(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.yaml"
    assert _run(capsys, "validate", str(missing)) == (
        2, "", f"civicrecord: error: no such file or folder: {missing}\n")


@pytest.mark.parametrize("command", [["validate"], ["render", "-f", "json", "-o", "out"]])
def test_the_examples_path_from_elsewhere_says_how_to_get_the_example(
        command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, *command, "examples/hauts_de_chambery")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "civicrecord: error: no such file or folder: examples/hauts_de_chambery",
        "civicrecord: the worked example ships with civicrecord: 'civicrecord new "
        "hauts_de_chambery' copies it into the folder hauts_de_chambery"]
    assert not (tmp_path / "out").exists()
    # Following the advice works.
    assert _run(capsys, "new", "hauts_de_chambery")[0] == 0
    assert _run(capsys, *command, "hauts_de_chambery")[0] == 0


def test_render_names_every_missing_path_and_renders_nothing(
        report_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "render", "hauts", "nord", "examples/sud", "-f", "json",
                          "-o", "out")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "civicrecord: error: no such file or folder: nord",
        "civicrecord: error: no such file or folder: examples/sud",
        "civicrecord: the worked examples ship with civicrecord: 'civicrecord new DIR --from "
        "EXAMPLE' copies one into DIR (examples: hauts_de_chambery, larkfield)"]
    assert not Path("out").exists()


def test_the_api_says_the_same_of_a_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "examples" / "hauts_de_chambery"
    [problem] = civicrecord.validate(missing)
    assert problem.is_error and problem.message == f"no such file or folder: {missing}"
    assert problem.hint is not None and "civicrecord new hauts_de_chambery" in problem.hint
    with pytest.raises(civicrecord.ValidationError, match="no such file or folder"):
        civicrecord.load(tmp_path / "nope.toml")
    assert civicrecord.validate(tmp_path / "nope.toml")[0].hint is None


# --- Usage errors and version -------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [([], "the following arguments are required: COMMAND"),
     (["frobnicate"], "invalid choice: 'frobnicate'"),
     (["validate"], "the following arguments are required: PATH"),
     (["validate", "--bogus", "x"], "unrecognized arguments: --bogus"),
     (["render", "x.yaml", "-O", "no-equals-sign"], "option 'no-equals-sign' must be KEY=VALUE")],
    ids=["nothing", "unknown-command", "no-path", "unknown-option", "bad-render-option"],
)
def test_usage_errors_exit_2_with_a_message(argv: list[str], message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's way out
        code = exit_.code  # type: ignore[assignment]
    captured = capsys.readouterr()
    assert code == 2
    assert message in captured.err
    assert "Traceback" not in captured.err


def test_version_prints_the_version_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"civicrecord {civicrecord.__version__}\n"


# --- The installed command, for real ---------------------------------------------------------


def _installed() -> list[str]:
    script = Path(sys.executable).parent / "civicrecord"
    return [str(script)] if script.exists() else [sys.executable, "-m", "civicrecord.cli"]


def test_the_installed_command_validates_the_worked_example(example_dir: Path) -> None:
    result = subprocess.run([*_installed(), "validate", str(example_dir)], capture_output=True,
                            text=True, timeout=60, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (
        0, f"{example_dir}: valid: 8 axes, 39 actions, 7 indicators\n", "")


def test_the_installed_command_reports_a_bad_file_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text("id: demo\ntitle: [unclosed\n", encoding="utf-8")
    result = subprocess.run([*_installed(), "validate", "r.yaml"], capture_output=True,
                            text=True, timeout=60, cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("r.yaml:3:1: error: (document): YAML syntax error: ")
    assert "Traceback" not in result.stderr
    version = subprocess.run([*_installed(), "--version"], capture_output=True, text=True,
                             timeout=60, check=False)
    assert (version.returncode, version.stdout) == (0, f"civicrecord {civicrecord.__version__}\n")


def test_paths_that_are_not_utf8_are_printed_as_named_under_a_utf8_locale(
        example_dir: Path, tmp_path: Path) -> None:
    """Linux allows any bytes in a name; the command prints them back, as ls does."""
    import os

    out = os.fsencode(tmp_path) + b"/o\xff"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8"}
    rendered = subprocess.run([*_installed(), "render", str(example_dir), "-f", "json", "-o",
                               os.fsdecode(out)], capture_output=True, env=env, timeout=120)
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stdout == out + b"/hauts-de-chambery-2020-2026.json\n"
    missing = subprocess.run([*_installed(), "validate", os.fsdecode(out + b"/nothing")],
                             capture_output=True, env=env, timeout=120)
    assert missing.returncode == 2
    assert missing.stderr.startswith(b"civicrecord: error: no such file or folder: " + out)
