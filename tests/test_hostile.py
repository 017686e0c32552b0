"""The hostile-input corpus: files people will feed civicrecord, and what it must say.

``tests/hostile/manifest.toml`` lists every file (or folder) under
``tests/hostile/cases/`` with its expected outcome; the cases too big to commit
or needing symbolic links and named pipes are built here, in the same form.
Every case goes through the real command line twice:

- ``civicrecord render CASE -o OUT`` in a child process, under a time limit and
  an address-space limit: the exit code, the expected problem line, no
  traceback, and nothing written to OUT unless the report is valid;
- ``civicrecord validate CASE`` in process: the same exit code and line.

The expected line is ``FILE:LINE:COLUMN: SEVERITY: PATH: ...MESSAGE...``.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicrecord.cli import main
from civicrecord.loading import MAX_ACTIONS, MAX_AXES, MAX_REPORT_BYTES
from civicrecord.loading.source import MAX_FILE_BYTES, MAX_VALUES
from civicrecord.validation import MAX_STRING_LENGTH
from hostile_summary import Tally

HOSTILE = Path(__file__).parent / "hostile"
CASES = HOSTILE / "cases"
BASE = (HOSTILE / "base.yaml").read_text(encoding="utf-8")

#: Seconds one command may take on the slowest case (a file just under the size limit).
TIMEOUT = 60
#: Address space a child process may use: a bound on memory for any input.
MEMORY_LIMIT = 1024 * 1024 * 1024


@attrs.frozen
class Case:
    """One hostile input and what civicrecord must do with it."""

    file: str  # the command-line argument, relative to the case's folder
    what: str
    exit: int
    severity: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None
    message: str | None = None
    shown: str | None = None  # the file named in the problem, when not `file`
    in_process: bool = True  # also run `validate` in process (skipped for the slowest)

    def expected(self) -> re.Pattern[str]:
        where = re.escape(self.shown or self.file)
        if self.line is not None:
            where += f":{self.line}:" + (str(self.column) if self.column else r"\d+")
        path, message = re.escape(self.path or ""), re.escape(self.message or "")
        return re.compile(f"{where}: {self.severity}: {path}: .*{message}")

    def check_output(self, stderr: str) -> None:
        assert "Traceback" not in stderr
        if self.severity is None:
            assert ": error: " not in stderr, stderr
            return
        expected = self.expected()
        assert any(expected.match(line) for line in stderr.splitlines()), (
            f"{self.what}: no line matches {expected.pattern!r} in:\n{stderr}"
        )


def _committed() -> list[Case]:
    manifest = tomllib.loads((HOSTILE / "manifest.toml").read_text(encoding="utf-8"))
    return [Case(**entry) for entry in manifest["case"]]


COMMITTED = _committed()

# --- Cases built at run time ------------------------------------------------------

GENERATED: dict[str, Callable[[Path], Case]] = {}


def generated(build: Callable[[Path], Case]) -> Callable[[Path], Case]:
    GENERATED[build.__name__.replace("_", "-")] = build
    return build


def _split_base() -> tuple[str, str]:
    main_text, axes = BASE.split("axes:\n")
    axis = "\n".join(line[4:] for line in axes.splitlines()) + "\n"
    return main_text + "axes:\n  - axis-a\n", axis


def _folder(base: Path, axis: str | None = None) -> Path:
    main_text, axis_text = _split_base()
    folder = base / "report"
    (folder / "axes").mkdir(parents=True)
    (folder / "report.yaml").write_text(main_text, encoding="utf-8")
    if axis is None:
        (folder / "axes" / "axis-a.yaml").write_text(axis_text, encoding="utf-8")
    return folder


def _axis_entry_line() -> int:
    main_text, _ = _split_base()
    return main_text.splitlines().index("  - axis-a") + 1


@generated
def over_the_size_limit(base: Path) -> Case:
    text = BASE + "#" * (MAX_FILE_BYTES - len(BASE.encode())) + "\n"
    (base / "big.yaml").write_text(text, encoding="utf-8")
    return Case("big.yaml", "one byte over MAX_FILE_BYTES", 1, "error", path="(document)",
                message=f"file is {MAX_FILE_BYTES + 1} bytes, over the limit of "
                f"{MAX_FILE_BYTES} bytes (MAX_FILE_BYTES)")


@generated
def ten_megabytes_of_json(base: Path) -> Case:
    (base / "big.json").write_text('{"id": "' + "x" * 10 * 1024 * 1024 + '"}', encoding="utf-8")
    return Case("big.json", "10 MB of JSON", 1, "error", path="(document)",
                message="over the limit of")


@generated
def axis_file_over_the_size_limit(base: Path) -> Case:
    folder = _folder(base)
    axis = folder / "axes" / "axis-a.yaml"
    axis.write_text(axis.read_text() + " " * MAX_FILE_BYTES, encoding="utf-8")
    return Case("report", "an axis file over MAX_FILE_BYTES", 1, "error",
                path="axes[0]", message="(MAX_FILE_BYTES)",
                shown="report/axes/axis-a.yaml")


def _values(text: str) -> int:
    """Keys and values in a YAML text, as ``MAX_VALUES`` counts them."""
    return sum(isinstance(event, yaml.NodeEvent) for event in yaml.parse(text))


@generated
def half_a_million_numbers_just_under_the_size_limit(base: Path) -> Case:
    head = BASE + "extra: ["
    count = (MAX_FILE_BYTES - len(head.encode()) - 2) // 2
    (base / "full.yaml").write_text(head + ",".join(["1"] * count) + "]\n", encoding="utf-8")
    column = 2 * (MAX_VALUES - _values(BASE) - 2) + len("extra: [") + 1  # the value one too many
    return Case("full.yaml", "half a million numbers, just under the size limit", 1, "error",
                line=BASE.count("\n") + 1, column=column, path="(document)",
                message=f"more than {MAX_VALUES} values in one file (MAX_VALUES)")


@generated
def exactly_max_values(base: Path) -> Case:
    count = MAX_VALUES - _values(BASE) - 2  # the key and its list count too
    (base / "full.yaml").write_text(BASE + "extra: [" + "1," * count + "]\n", encoding="utf-8")
    return Case("full.yaml", "MAX_VALUES values: read, and the unknown key found", 1, "error",
                line=BASE.count("\n") + 1, column=1, path="extra",
                message="unknown key 'extra'", in_process=False)


@generated
def yaml_flow_lists_nested_62_deep_to_the_size_limit(base: Path) -> Case:
    (base / "deep.yaml").write_text(_padding("[" * 62 + "]" * 62 + ", ", "x: [", "[]]\n"),
                                    encoding="utf-8")
    return Case("deep.yaml", "1 MiB of YAML flow lists nested 62 deep", 1, "error", line=1,
                path="(document)", message="values in one file (MAX_VALUES)")


@generated
def text_over_the_length_limit(base: Path) -> Case:
    text = BASE.replace("title: Action A", "title: " + "a" * (MAX_STRING_LENGTH + 1))
    (base / "long.yaml").write_text(text, encoding="utf-8")
    line = BASE.splitlines().index("        title: Action A") + 1
    return Case("long.yaml", "a title one character over MAX_STRING_LENGTH", 1, "error",
                line=line, column=9, path="axes[0].actions[0].title",
                message=f"text is {MAX_STRING_LENGTH + 1} characters long, over the limit of "
                f"{MAX_STRING_LENGTH} (MAX_STRING_LENGTH)")


@generated
def twenty_thousand_errors(base: Path) -> Case:
    text = BASE.replace("places: [place-a]", "places: [" + ", ".join(["1"] * 20_000) + "]")
    (base / "many.yaml").write_text(text, encoding="utf-8")
    line = BASE.splitlines().index("        places: [place-a]") + 1
    return Case("many.yaml", "20 000 numbers where ids go", 1, "error", line=line, column=18,
                path="axes[0].actions[0].places[0]", message="expected text, got a number (1)")


def _escaping_axis(base: Path, target: Path, what: str) -> Case:
    folder = _folder(base, axis="")
    (folder / "axes" / "axis-a.yaml").symlink_to(target)
    return Case("report", what, 1, "error", line=_axis_entry_line(), column=5, path="axes[0]",
                message="is a symbolic link or lies outside the report folder",
                shown="report/report.yaml")


@generated
def axis_file_linked_to_etc_passwd(base: Path) -> Case:
    return _escaping_axis(base, Path("/etc/passwd"), "axes/axis-a.yaml -> /etc/passwd")


@generated
def axis_file_linked_outside_the_folder(base: Path) -> Case:
    _, axis_text = _split_base()
    (base / "elsewhere.yaml").write_text(axis_text, encoding="utf-8")
    return _escaping_axis(base, Path("../../elsewhere.yaml"), "a valid axis file, but linked")


@generated
def axis_file_linked_inside_the_folder(base: Path) -> Case:
    _, axis_text = _split_base()
    folder = base / "report"
    folder.mkdir()
    (folder / "copy.yaml").write_text(axis_text, encoding="utf-8")
    return _escaping_axis(base, Path("../copy.yaml"), "a link that stays inside (still a link)")


@generated
def axes_folder_linked_outside(base: Path) -> Case:
    _, axis_text = _split_base()
    (base / "outside" / "axes").mkdir(parents=True)
    (base / "outside" / "axes" / "axis-a.yaml").write_text(axis_text, encoding="utf-8")
    main_text, _ = _split_base()
    (base / "report").mkdir()
    (base / "report" / "report.yaml").write_text(main_text, encoding="utf-8")
    (base / "report" / "axes").symlink_to(base / "outside" / "axes")
    return Case("report", "axes/ itself a link to another folder", 1, "error",
                line=_axis_entry_line(), column=5, path="axes[0]",
                message="lies outside the report folder", shown="report/report.yaml")


@generated
def report_file_linked(base: Path) -> Case:
    (base / "secret.yaml").write_text(BASE, encoding="utf-8")
    (base / "report").mkdir()
    (base / "report" / "report.yaml").symlink_to(base / "secret.yaml")
    return Case("report", "report.yaml a link to a file elsewhere", 1, "error",
                path="(document)", message="cannot read the file: it is a symbolic link",
                shown="report/report.yaml")


@generated
def axis_file_a_named_pipe(base: Path) -> Case:
    folder = _folder(base, axis="")
    os.mkfifo(folder / "axes" / "axis-a.yaml")
    return Case("report", "a named pipe (reading it would block forever)", 1, "error",
                path="axes[0]", message="cannot read the file: it is not a regular file",
                shown="report/axes/axis-a.yaml")


@generated
def axis_file_a_folder(base: Path) -> Case:
    folder = _folder(base, axis="")
    (folder / "axes" / "axis-a.yaml").mkdir()
    return Case("report", "a folder named like an axis file", 1, "error", path="axes[0]",
                message="cannot read the file: it is not a regular file",
                shown="report/axes/axis-a.yaml")


@generated
def missing_path(base: Path) -> Case:
    return Case("no-such-report.yaml", "a path that does not exist", 2, "error",
                path="no such file or folder", message="no-such-report.yaml",
                shown="civicrecord")


# Issue 18, class 1: time linear in the size of the input, at the size limit.


def _padding(unit: str, before: str = "", after: str = "") -> str:
    """``unit`` repeated to fill a file just under MAX_FILE_BYTES."""
    room = MAX_FILE_BYTES - len((before + after).encode()) - 1
    return before + unit * (room // len(unit.encode())) + after


@generated
def json_unterminated_string_of_escaped_quotes(base: Path) -> Case:
    (base / "q.json").write_text(_padding('\\"', '{"id": "'), encoding="utf-8")
    return Case("q.json", "1 MiB: a JSON string of \\\" pairs never closed", 1, "error",
                line=1, column=8, path="(document)", message="JSON syntax error")


@generated
def toml_headers_that_never_close(base: Path) -> Case:
    (base / "h.toml").write_text(_padding("[a.  ", "id = 'x'\n"), encoding="utf-8")
    return Case("h.toml", "1 MiB of TOML table headers left open", 1, "error", line=2,
                path="(document)", message="TOML syntax error")


@generated
def toml_comment_of_escaped_quotes(base: Path) -> Case:
    text = _padding('\\"', _plain_toml() + "# ", "\n")
    (base / "c.toml").write_text(text, encoding="utf-8")
    return Case("c.toml", "a valid TOML report with a 1 MiB comment of \\\" pairs", 0)


@generated
def toml_5000_digit_integer(base: Path) -> Case:
    text = _plain_toml().replace('"value" = 423', '"value" = ' + "9" * 5000)
    (base / "n.toml").write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith('"axes"'))
    return Case("n.toml", "a 5000-digit TOML integer (tomllib says not where)", 1, "error",
                line=line, path="axes[0].actions[0].indicators[0].value",
                message="number has 5000 digits, too many to read")


def _plain_toml() -> str:
    import civicrecord
    from civicrecord.convert import to_plain

    plain = to_plain(civicrecord.load(HOSTILE / "base.yaml"))
    return "".join(f"{json.dumps(key)} = {_inline(value)}\n" for key, value in plain.items()
                   if value is not None)


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_inline(v)}" for k, v in value.items()
                                if v is not None) + " }"
    if isinstance(value, list):
        return "[ " + ", ".join(_inline(v) for v in value) + " ]"
    return json.dumps(value, ensure_ascii=False)


# Issue 18, class 2: a whole report is bounded, not only each file.


@generated
def one_axis_listed_sixty_thousand_times(base: Path) -> Case:
    folder = _folder(base)
    main_text = (folder / "report.yaml").read_text(encoding="utf-8")
    (folder / "report.yaml").write_text(main_text + "  - axis-a\n" * 59_999, encoding="utf-8")
    return Case("report", "one axis listed 60,000 times", 1, "error", line=_axis_entry_line()
                - 1, path="axes", message="lists 60,000 axes, over the limit of 5000 (MAX_AXES)",
                shown="report/report.yaml")


@generated
def a_one_mebibyte_axis_listed_two_hundred_times(base: Path) -> Case:
    folder = _folder(base)
    axis = folder / "axes" / "axis-a.yaml"
    axis.write_text(_padding(" ", axis.read_text(encoding="utf-8") + "#"), encoding="utf-8")
    main_text = (folder / "report.yaml").read_text(encoding="utf-8")
    (folder / "report.yaml").write_text(main_text + "  - axis-a\n" * 199, encoding="utf-8")
    return Case("report", "a 1 MiB axis file listed 200 times", 1, "error",
                line=_axis_entry_line() + 1, column=5, path="axes[1]",
                message="axis 'axis-a' is listed 200 times, first at axes[0]",
                shown="report/report.yaml")


# Issue 18, class 4: a whole value is checked whole (no `$` before a final newline).


@generated
def report_id_with_a_trailing_newline(base: Path) -> Case:
    (base / "r.yaml").write_text(BASE.replace("id: demo-2020-2026", 'id: "demo-2020-2026\\n"'),
                                 encoding="utf-8")
    return Case("r.yaml", "a report id ending in a newline", 1, "error", line=2, column=1,
                path="id", message="report id 'demo-2020-2026\\n' is not a slug")


@generated
def axis_entry_with_a_trailing_newline(base: Path) -> Case:
    folder = _folder(base)
    main_text = (folder / "report.yaml").read_text(encoding="utf-8")
    (folder / "report.yaml").write_text(main_text.replace("  - axis-a", '  - "axis-a\\n"'),
                                        encoding="utf-8")
    return Case("report", "an axis entry ending in a newline", 1, "error",
                line=_axis_entry_line(), column=5, path="axes[0]",
                message="axis id 'axis-a\\n' is not a slug", shown="report/report.yaml")


# Issue 18, class 5: paths the system refuses are one-line problems.


@generated
def an_axis_file_name_of_five_thousand_characters(base: Path) -> Case:
    folder = _folder(base)
    main_text = (folder / "report.yaml").read_text(encoding="utf-8")
    (folder / "report.yaml").write_text(main_text.replace("  - axis-a", "  - " + "a" * 5_000),
                                        encoding="utf-8")
    return Case("report", "an axis whose file name would be 5,000 characters long", 1, "error",
                line=_axis_entry_line(), column=5, path="axes[0]", message="has no file axes/",
                shown="report/report.yaml")


# Issue 18, class 7: lines counted as an editor counts them, whatever YAML calls a break.


def _with_unusual_breaks() -> str:
    return BASE.replace("description: A neighbourhood.",
                        "description: \"A\u2028neighbourhood\u2029on\u0085three lines.\"")


@generated
def status_after_unusual_line_breaks(base: Path) -> Case:
    text = _with_unusual_breaks().replace("status: done", "status: dune")
    (base / "r.yaml").write_text(text, encoding="utf-8")
    return Case("r.yaml", "a bad status after U+2028, U+2029 and U+0085", 1, "error",
                line=37, column=9, path="axes[0].actions[0].status",
                message="expected one of: ")


@generated
def next_line_character_inside_a_title(base: Path) -> Case:
    text = BASE.replace("title: Action A", "title: Action\u0085A")
    (base / "r.yaml").write_text(text, encoding="utf-8")
    return Case("r.yaml", "U+0085 (next line) inside a plain title", 1, "error", line=35,
                column=9, path="axes[0].actions[0].title",
                message="control or invalid character U+0085 at character 7")


# Issue 14: one broken axis file hides neither another's problems nor the whole-report rules.


@generated
def a_broken_axis_file_and_a_wrong_sum_in_another(base: Path) -> Case:
    folder = _folder(base)
    axes = folder / "axes"
    good = (axes / "axis-a.yaml").read_text(encoding="utf-8")
    (axes / "axis-a.yaml").write_text(good.replace("status: done", "status: dune"),
                                      encoding="utf-8")
    second = good.replace("axis-a", "axis-b").replace("action-a", "action-b").replace(
        "people-supported", "people-b").replace("part-of-total", "complete-split")
    (axes / "axis-b.yaml").write_text(second, encoding="utf-8")
    main_text = (folder / "report.yaml").read_text(encoding="utf-8")
    (folder / "report.yaml").write_text(main_text + "  - axis-b\n", encoding="utf-8")
    line = second.splitlines().index("            parts:") + 1
    return Case("report", "a misspelt status in one axis file, a broken complete split in "
                "the other", 1, "error", line=line, column=13,
                path="axes[1].actions[0].indicators[0].breakdowns[0].parts",
                message="a complete split must add up to 423, but its parts add up to 160",
                shown="report/axes/axis-b.yaml")


# --- Running a case -----------------------------------------------------------------------


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _command() -> list[str]:
    script = Path(sys.executable).parent / "civicrecord"
    return [str(script)] if script.exists() else [sys.executable, "-m", "civicrecord.cli"]


def _run(case: Case, base: Path, out: Path, tally: Tally,
         capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with tally.trying("hostile inputs"):
        try:
            child = subprocess.run(
                [*_command(), "render", case.file, "-o", str(out)], cwd=base,
                capture_output=True, encoding="utf-8", errors="replace", timeout=TIMEOUT,
                preexec_fn=_limit_memory, check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"{case.what}: render took more than {TIMEOUT} s")
        assert child.returncode == case.exit, child.stderr
        case.check_output(child.stderr)
        written = sorted(p for p in out.rglob("*") if p.is_file()) if out.exists() else []
        if case.exit:
            assert written == [], f"{case.what}: output written for a bad report"
        else:
            assert written, f"{case.what}: a valid report was not rendered"

        if not case.in_process:
            return
        monkeypatch.chdir(base)
        assert main(["validate", case.file]) == case.exit
        captured = capsys.readouterr()
        case.check_output(captured.err)
        if case.exit == 0:
            assert ": valid: 1 axes, 1 actions, 1 indicators" in captured.out


@pytest.mark.parametrize("case", COMMITTED, ids=[case.file for case in COMMITTED])
def test_committed_case(case: Case, tmp_path: Path, hostile_tally: Tally,
                        capsys: pytest.CaptureFixture[str],
                        monkeypatch: pytest.MonkeyPatch) -> None:
    _run(case, CASES, tmp_path / "out", hostile_tally, capsys, monkeypatch)


@pytest.mark.parametrize("name", list(GENERATED))
def test_generated_case(name: str, tmp_path: Path, hostile_tally: Tally,
                        capsys: pytest.CaptureFixture[str],
                        monkeypatch: pytest.MonkeyPatch) -> None:
    base = tmp_path / "case"
    base.mkdir()
    case = GENERATED[name](base)
    _run(case, base, tmp_path / "out", hostile_tally, capsys, monkeypatch)


@pytest.mark.parametrize("name", ["one-axis-listed-sixty-thousand-times",
                                  "a-one-mebibyte-axis-listed-two-hundred-times"])
def test_a_report_named_many_times_is_read_within_300_mb(name: str, tmp_path: Path) -> None:
    case = GENERATED[name](tmp_path)
    # The peak of this process alone: Linux carries ru_maxrss over from the forking
    # parent (pytest, large after many tests), but VmHWM starts again at exec.
    code = ("import sys; from pathlib import Path; from civicrecord.cli import main; "
            "main(['validate', sys.argv[1]]); status = Path('/proc/self/status'); "
            "import resource; peak = [line.split()[1] for line in status.read_text()"
            ".splitlines() if line.startswith('VmHWM:')] if status.exists() else []; "
            "print(peak[0] if peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    child = subprocess.run([sys.executable, "-c", code, case.file], cwd=tmp_path, text=True,
                           capture_output=True, timeout=TIMEOUT, check=True)
    assert len(child.stderr.splitlines()) == 2, child.stderr  # the problem, and the count
    assert int(child.stdout.split()[-1]) < 300 * 1024  # kilobytes


def _hostile_time() -> Any:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import hostile_time
    finally:
        sys.path.pop(0)
    return hostile_time


BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
HOSTILE_TIME = _hostile_time()
SHAPES = [(kind, shape) for kind, shapes in HOSTILE_TIME.KINDS.items() for shape in shapes]
#: How many times as long an input 32 times the size may take. Linear reading takes up
#: to 32 times as long, more once its objects outgrow the CPU's caches and the
#: collector's full passes start (about 45 for YAML lists nested 62 deep); a step
#: quadratic in the size up to 1,024 (80 to 110 for one scanning the text so far in C).
BOUND = 64


def _grows_in_proportion(fmt: str, head: str, unit: str, tail: str) -> None:
    """The same input 32 times as long takes at most ``BOUND`` times as long, timed by
    ``hostile_time.py --proportion`` in a fresh process: the least CPU time of several
    runs at each size, as a busy machine adds time to some runs, seldom to all."""
    shape = json.dumps([fmt, head, unit, tail])
    child = subprocess.run([sys.executable, str(BENCHMARKS / "hostile_time.py"), "--proportion",
                            shape], capture_output=True, text=True, timeout=TIMEOUT, check=True)
    small, large = json.loads(child.stdout)
    assert large <= BOUND * small + 0.02, (fmt, head, unit, small, large)


@pytest.mark.parametrize("shape", [shape for _, shape in SHAPES],
                         ids=[f"{kind}-{n}" for n, (kind, _) in enumerate(SHAPES)])
def test_validate_answers_in_time_proportional_to_size(shape: tuple[str, str, str, str],
                                                       hostile_tally: Tally) -> None:
    """Issue 18, class 1, on every input shape of benchmarks/hostile_time.py."""
    with hostile_tally.trying("inputs timed at two sizes"):
        _grows_in_proportion(*shape)


@settings(max_examples=10, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(shape=st.sampled_from([shape for _, shape in SHAPES]),
       unit=st.text("\"\\'[]{}# \n.=:a", min_size=1, max_size=6))
def test_any_run_of_quotes_backslashes_and_brackets_is_read_in_proportional_time(
        shape: tuple[str, str, str, str], unit: str, hostile_tally: Tally) -> None:
    fmt, head, _, tail = shape
    with hostile_tally.trying("inputs timed at two sizes"):
        _grows_in_proportion(fmt, head, unit, tail)


# --- The corpus itself ---------------------------------------------------------------------


def test_the_corpus_has_at_least_sixty_committed_files() -> None:
    assert len(COMMITTED) >= 60


def test_every_committed_file_has_an_expected_outcome_and_vice_versa() -> None:
    listed = {Path(case.file).parts[0] for case in COMMITTED}
    present = {path.name for path in CASES.iterdir()}
    assert listed == present


def test_every_error_case_names_a_path_and_a_message() -> None:
    for case in [*COMMITTED]:
        if case.exit:
            assert case.severity == "error" and case.path and case.message, case


def test_the_corpus_covers_every_kind_of_hostile_input() -> None:
    """Issue 8 §1, one needle per item, each matched by some case's description or file."""
    described = " ".join(f"{case.file} {case.what}" for case in COMMITTED).lower()
    described += " " + " ".join(GENERATED).lower()
    for needle in ("yaml syntax", "tab", "latin-1", "utf-16 with", "utf-16le-without-bom",
                   "bom", "crlf", "empty", "alias-bomb", "deep", "size-limit", "5000-digit",
                   "nan", "infinity", "negative", "impossible-date", "number-for-text",
                   "unknown-key", "duplicate-key", "duplicate-action-id", "broken",
                   "python-object-apply",
                   "etc/passwd", "absolute", "linked", "../x", "control", "surrogate",
                   "zero-width", "bidi", "length-limit"):
        assert needle in described, needle


def test_the_base_report_of_the_corpus_is_valid() -> None:
    import civicrecord

    report = civicrecord.load(HOSTILE / "base.yaml")
    assert json.loads(civicrecord.render(report, "json"))["id"] == "demo-2020-2026"


# --- Every limit is documented and named where it is enforced --------------------------------

ROOT = Path(__file__).resolve().parent.parent


def _limit_messages(name: str, base: Path) -> list[str]:
    """The problems civicrecord reports for an input just over the limit ``name``."""
    import civicrecord
    from civicrecord.loading.source import MAX_DEPTH
    from civicrecord.validation import MAX_ID_LENGTH

    path = base / f"{name.lower()}.yaml"
    if name in ("MAX_REPORT_BYTES", "MAX_AXES"):
        path = _folder(base)
        main_text = (path / "report.yaml").read_text(encoding="utf-8")
        count = MAX_REPORT_BYTES // MAX_FILE_BYTES + 1 if name == "MAX_REPORT_BYTES" \
            else MAX_AXES
        (path / "report.yaml").write_text(main_text + "".join(
            f"  - axis-{n}\n" for n in range(count)), encoding="utf-8")
        for n in range(count if name == "MAX_REPORT_BYTES" else 0):
            (path / "axes" / f"axis-{n}.yaml").write_text(_padding("#"), encoding="utf-8")
    elif name == "MAX_ACTIONS":
        path.write_text(BASE + "  - id: axis-b\n    actions: [" + "{}, " * MAX_ACTIONS + "]\n",
                        encoding="utf-8")
    elif name == "MAX_FILE_BYTES":
        path.write_text(BASE + "#" * (MAX_FILE_BYTES + 1 - len(BASE.encode())), encoding="utf-8")
    elif name == "MAX_VALUES":
        path.write_text(BASE + "extra: [" + "1, " * MAX_VALUES + "]\n", encoding="utf-8")
    elif name == "MAX_DEPTH":
        path.write_text("x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n", encoding="utf-8")
    elif name == "MAX_STRING_LENGTH":
        path.write_text(BASE.replace("Action A", "a" * (MAX_STRING_LENGTH + 1)),
                        encoding="utf-8")
    elif name == "MAX_ID_LENGTH":
        path.write_text(BASE.replace("id: action-a", "id: " + "a" * (MAX_ID_LENGTH + 1)),
                        encoding="utf-8")
    elif name == "MAX_NUMBER":
        path.write_text(BASE.replace("value: 423", "value: 1000000000000001"), encoding="utf-8")
    elif name in ("MAX_PICTURE_BYTES", "MAX_PICTURE_PIXELS"):
        from civicrecord.pictures import MAX_PICTURE_BYTES, MAX_PICTURE_PIXELS
        from test_pictures import png_header_only

        path.write_text(BASE + "cover:\n  path: picture.png\n  alt: A picture\n", "utf-8")
        with (base / "picture.png").open("wb") as picture:
            if name == "MAX_PICTURE_BYTES":
                picture.truncate(MAX_PICTURE_BYTES + 1)  # sparse: no 25 MB written
            else:
                picture.write(png_header_only(MAX_PICTURE_PIXELS + 1, 1))
    else:
        pytest.fail(f"{name}: add a way to exceed this limit to _limit_messages")
    return [str(problem) for problem in civicrecord.validate(path)]


def _limits_in_the_code() -> dict[str, int]:
    import importlib

    found: dict[str, int] = {}
    for source in sorted((ROOT / "src" / "civicrecord").rglob("*.py")):
        for name in re.findall(r"^(MAX_[A-Z_]+)\s*[:=]", source.read_text(encoding="utf-8"),
                               re.MULTILINE):
            module = ".".join(source.relative_to(ROOT / "src").with_suffix("").parts)
            found[name] = getattr(importlib.import_module(module.removesuffix(".__init__")),
                                  name)
    return found


def test_the_limits_are_the_documented_ones() -> None:
    assert set(_limits_in_the_code()) == {"MAX_FILE_BYTES", "MAX_DEPTH", "MAX_STRING_LENGTH",
                                          "MAX_ID_LENGTH", "MAX_REPORT_BYTES", "MAX_AXES",
                                          "MAX_ACTIONS", "MAX_NUMBER", "MAX_PICTURE_BYTES",
                                          "MAX_PICTURE_PIXELS", "MAX_VALUES"}


@pytest.mark.parametrize("name", sorted(_limits_in_the_code()))
def test_every_limit_is_documented_with_its_value_and_named_by_its_message(
    name: str, tmp_path: Path
) -> None:
    value = _limits_in_the_code()[name]
    page = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    row = next((line for line in page.splitlines() if line.startswith(f"| `{name}` |")), "")
    assert f"| {value} " in row, f"docs/limits.md has no table row for {name} = {value}"
    messages = [m for m in _limit_messages(name, tmp_path) if f"({name})" in m]
    assert messages, f"no message names {name}"
    assert all(f"{value}" in m for m in messages), messages


def test_a_key_full_of_dots_is_placed_in_proportional_time() -> None:
    """Found by the property above: a problem's path was read back by splitting on dots,
    so a key of 100,000 dots made 100,000 path parts, each looked up again (quadratic)."""
    _grows_in_proportion("yaml", "? ", " .", "\n: 1\n")


def test_any_path_reads_back_as_the_same_keys() -> None:
    from civicrecord.problems import format_path, parse_path

    for path in [("axes", 3, "actions", 1, "status"), ("x", " . ."), ("", 'q"', "b[1]"),
                 ("c\n\u2028é", 0), ()]:
        assert parse_path(format_path(path)) == path
