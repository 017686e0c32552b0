"""docs/plugins.md works when followed to the letter.

The guide's example plugin is assembled from the page's own code blocks (each
preceded by ``<!-- file: PATH -->``), installed with pip into a temporary
virtual environment, and driven by the commands and code of the blocks marked
``<!-- run -->``. The one step done differently is the guide's
``pip install ./civicrecord-summary``: here it runs offline, without build
isolation, because tests do not download hatchling.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

import civicrecord
from civicrecord.presentation import presenter_for
from plugin_venv import Venv, make_venv

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
FILE_BLOCK = re.compile(r"<!-- file: (?P<path>\S+) -->\n```[a-z]*\n(?P<body>.*?)^```",
                        re.DOTALL | re.MULTILINE)
RUN_BLOCK = re.compile(r"<!-- run -->\n```(?P<lang>[a-z]+)\n(?P<body>.*?)^```",
                       re.DOTALL | re.MULTILINE)


def guide_files() -> dict[str, str]:
    return {m["path"]: m["body"] for m in FILE_BLOCK.finditer(GUIDE.read_text("utf-8"))}


def guide_commands() -> list[str]:
    commands = []
    for block in RUN_BLOCK.finditer(GUIDE.read_text("utf-8")):
        assert block["lang"] == "console", "only console blocks are run"
        commands += [line[2:] for line in block["body"].splitlines() if line.startswith("$ ")]
    return commands


def test_the_guide_holds_a_whole_plugin() -> None:
    assert set(guide_files()) == {
        "civicrecord-summary/pyproject.toml",
        "civicrecord-summary/civicrecord_summary/__init__.py",
        "civicrecord-summary/tests/test_summary.py",
    }
    assert any(command.startswith("civicrecord render") for command in guide_commands())


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reader's folder: the plugin written from the guide, nothing else."""
    folder = tmp_path_factory.mktemp("reader")
    for path, body in guide_files().items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(body, "utf-8")
    return folder


@pytest.fixture(scope="module")
def venv(work: Path, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    return make_venv(tmp_path_factory.mktemp("guide-venv") / "env",
                     [work / "civicrecord-summary"])


@pytest.fixture(scope="module")
def ran(venv: Venv, work: Path) -> dict[str, tuple[int, str, str]]:
    """Each command of the guide's run blocks, run in order in the reader's folder."""
    results = {}
    for command in guide_commands():
        result = venv.run(*shlex.split(command), cwd=work)
        results[command] = (result.returncode, result.stdout, result.stderr)
    return results


@pytest.mark.slow
def test_every_command_of_the_guide_succeeds(ran: dict[str, tuple[int, str, str]]) -> None:
    failed = {command: result for command, result in ran.items() if result[0] != 0}
    assert failed == {}


@pytest.mark.slow
def test_the_installed_plugin_is_listed(ran: dict[str, tuple[int, str, str]]) -> None:
    formats = ran["civicrecord formats"][1].splitlines()
    [line] = [line for line in formats if line.split()[0] == "summary"]
    assert ".summary.txt" in line and "civicrecord-summary 0.1.0" in line
    plugins = ran["civicrecord plugins"][1].splitlines()
    [line] = [line for line in plugins if line.split()[0] == "summary"]
    assert "register_renderers, validate_report" in line


@pytest.mark.slow
def test_the_rendered_summary_holds_every_axis_action_and_figure(
        ran: dict[str, tuple[int, str, str]], work: Path) -> None:
    report = civicrecord.load(work / "chambery")
    written = work / "build" / f"{report.id}.summary.txt"
    assert ran["civicrecord render chambery -f summary -o build"][1].splitlines() == [
        str(Path("build") / written.name)]
    text = written.read_text("utf-8")
    say = presenter_for(report.language)
    assert text.startswith(f"{report.title}\n{'=' * len(report.title)}\n")
    for axis in report.axes:
        assert f"\n{axis.title}\n" in text
        for action in axis.actions:
            assert f"  - {action.title} ({say.status(action.status)})\n" in text
    for _axis, _action, figure in report.indicators():
        assert f"  * {say.indicator_phrase(figure)}\n" in text
    tilde = (work / "build" / "tilde" / written.name).read_text("utf-8")
    assert tilde.splitlines()[1] == "~" * len(report.title)


@pytest.mark.slow
def test_the_house_rule_shows_in_validate_as_the_guide_says(
        ran: dict[str, tuple[int, str, str]], work: Path) -> None:
    code, out, err = ran["civicrecord validate chambery"]
    assert code == 0 and "valid" in out
    warnings = [line for line in err.splitlines() if "names no partner" in line]
    report = civicrecord.load(work / "chambery")
    expected = sum(1 for _axis, action in report.actions()
                   if action.status is civicrecord.ActionStatus.DONE and not action.partners)
    assert len(warnings) == expected > 0
    # The sample line printed in the guide is one the reader really sees.
    sample = re.search(r"^chambery/axes/.*names no partner.*$", GUIDE.read_text("utf-8"),
                       re.MULTILINE)
    assert sample is not None and sample[0] in warnings


@pytest.mark.slow
def test_the_guides_python_snippet_and_error_message(venv: Venv, work: Path,
                                                      ran: dict[str, tuple[int, str, str]]
                                                      ) -> None:
    guide = GUIDE.read_text("utf-8")
    snippet = re.search(r"From Python:\n\n```python\n(.*?)```", guide, re.DOTALL)
    assert snippet is not None
    result = venv.run("python", "-c", snippet[1] + "\nprint(text.splitlines()[1])", cwd=work)
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.strip()) == {"~"}
    bad = venv.run("civicrecord", "render", "chambery", "-f", "summary", "-O",
                   "underline=~~", "-o", "build/bad", cwd=work)
    assert bad.returncode == 1
    assert "option underline='~~' must be one character, e.g. -O underline=~" in bad.stderr
    assert not (work / "build" / "bad").exists() or not any((work / "build" / "bad").iterdir())


@pytest.mark.slow
def test_the_guides_own_tests_pass_in_the_venv(venv: Venv, work: Path) -> None:
    result = venv.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                      "civicrecord-summary/tests", cwd=work)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
