"""The testing kit plugin authors get with civicrecord (civicrecord.testing)."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest
from hypothesis import given

import civicrecord
import civicrecord.plugins
from civicrecord.model import ActionStatus, PartialDate
from civicrecord.testing import check_renderer, example_report, make_report, reports


def test_example_report_is_the_worked_example(example_dir: Path) -> None:
    assert example_report() == civicrecord.load(example_dir)


def test_make_report_changes_top_level_and_nested_fields() -> None:
    report = make_report({"axes[0].actions[1].status": ActionStatus.DONE},
                         title="Quartier Nord")
    base = example_report()
    assert report.title == "Quartier Nord"
    assert report.axes[0].actions[1].status is ActionStatus.DONE
    assert report.axes[0].actions[0] == base.axes[0].actions[0]
    assert make_report(base=report, subtitle=None).title == "Quartier Nord"


@pytest.mark.parametrize(("changes", "message"), [
    ({"axes[0].actions[0].partners": ("nobody-we-know",)}, "axes[0].actions[0].partners"),
    ({"title": 3}, "title"),
    ({"period.end": PartialDate(1990)}, "period.end"),
])
def test_make_report_refuses_an_invalid_result_naming_the_field(changes: dict[str, object],
                                                               message: str) -> None:
    with pytest.raises(civicrecord.ValidationError) as raised:
        make_report(changes)
    assert raised.value.problems
    assert any(problem.path.startswith(message) for problem in raised.value.problems), \
        raised.value.problems
    assert all(problem.location is None for problem in raised.value.problems)


@pytest.mark.parametrize(("path", "message"), [
    ("axes[99].title", "'axes[99].title': no item [99] there ("),
    ("axes[0].nonsense", "'axes[0].nonsense': no field 'nonsense' there ("),
    ("title..x", "'title..x' is not a field path such as 'axes[0].actions[1].title'"),
    ("0", "'0' is not a field path"),
])
def test_make_report_says_when_a_path_leads_nowhere(path: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        make_report({path: "x"})
    assert str(raised.value).startswith(message)


@given(reports(max_axes=2))
def test_every_drawn_report_is_one_civicrecord_accepts(report: civicrecord.Report) -> None:
    assert make_report(base=report) == report


@pytest.mark.parametrize("name", ["json", "html", "docx"])
def test_check_renderer_passes_the_built_in_formats_and_returns_their_bytes(name: str) -> None:
    # Two processes with other hash seeds and time zones: the same bytes.
    assert check_renderer(name) == civicrecord.render(example_report(), name)


def test_check_renderer_passes_options_on() -> None:
    assert check_renderer("json", indent=0).startswith(b'{\n"$schema"')


SHAKY = """
import os, time
import civicrecord

def shaky(report, context):
    return ",".join({{str(axis.id) for axis in report.axes}} | {{time.tzname[0]}}).encode()

def scribbler(report, context):
    with open("side-effect.txt", "w") as file:
        file.write("oops")
    return b"x"

@civicrecord.hookimpl
def register_renderers():
    return [civicrecord.Renderer("{name}", "txt", "text/plain", "test", {name})]
"""


@pytest.fixture
def module_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(("name", "complaint"), [
    ("shaky", "gave different bytes in two processes"),
    ("scribbler", "wrote files of its own while rendering: ['side-effect.txt']"),
])
def test_check_renderer_catches_what_users_would_suffer(module_path: Path, name: str,
                                                        complaint: str) -> None:
    (module_path / f"kit_{name}.py").write_text(textwrap.dedent(SHAKY.format(name=name)))
    with pytest.raises(AssertionError, match=complaint.replace("[", r"\[")):
        check_renderer(name, modules=[f"kit_{name}"])
    sys.modules.pop(f"kit_{name}", None)


TWIN = """
import civicrecord

@civicrecord.hookimpl
def register_renderers():
    return [civicrecord.Renderer("twin", "txt", "text/plain", "test",
                                 lambda report, context: {answer!r}, options=())]
"""


def test_check_renderer_checks_the_modules_named_whatever_else_is_installed(
        module_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Another installed plugin offers the same format: the modules named are the ones checked.
    (module_path / "kit_mine.py").write_text(TWIN.format(answer=b"mine"), "utf-8")
    (module_path / "kit_theirs.py").write_text(TWIN.format(answer=b"theirs"), "utf-8")
    info = module_path / "civicrecord_theirs-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: civicrecord-theirs\n"
                                   "Version: 1.0\n", "utf-8")
    (info / "entry_points.txt").write_text("[civicrecord]\ntheirs = kit_theirs\n", "utf-8")
    monkeypatch.delenv("CIVICRECORD_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    importlib.invalidate_caches()  # the folder was listed before the files were written
    metadata.MetadataPathFinder().invalidate_caches()
    try:
        mine = importlib.import_module("kit_mine")
        assert "format 'twin'" in civicrecord.plugins.load_plugins([mine]).conflicts()[0]
        assert check_renderer("twin", modules=["kit_mine"]) == b"mine"
    finally:
        sys.modules.pop("kit_mine", None)
        sys.modules.pop("kit_theirs", None)


def test_the_fixtures_reach_any_project_through_the_pytest11_entry_point(
        tmp_path: Path) -> None:
    (tmp_path / "test_theirs.py").write_text(textwrap.dedent("""
        import civicrecord

        def test_fixtures(example_dir, example_report, example_copy):
            assert civicrecord.load(example_dir) == example_report
            (example_copy / "report.yaml").write_text("broken: [", "utf-8")
            assert civicrecord.validate(example_copy)
            assert civicrecord.load(example_dir) == example_report
    """))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             str(tmp_path)], capture_output=True, text=True, cwd=tmp_path,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
