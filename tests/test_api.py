"""The Python API: render and write, JSON as the canonical form, atomic output."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

import civicrecord
from civicrecord.output import OutputError
from civicrecord.plugins import PluginError, load_plugins


def test_json_is_deterministic_and_round_trips(example_report: civicrecord.Report,
                                               tmp_path: Path) -> None:
    first = civicrecord.render(example_report, "json")
    assert first == civicrecord.render(example_report, "json")
    path = civicrecord.write(example_report, "json", tmp_path)
    assert path == tmp_path / f"{example_report.id}.json"
    again = civicrecord.load(path)
    assert again == example_report
    assert civicrecord.render(again, "json") == first


def test_json_carries_schema_version_and_every_figure(example_report: civicrecord.Report) -> None:
    document = json.loads(civicrecord.render(example_report, "json").decode("utf-8"))
    assert document["$schema"].endswith("report-2.schema.json")
    assert document["format_version"] == "2"
    values = {
        indicator["id"]: indicator["value"]
        for axis in document["axes"]
        for action in axis["actions"]
        for indicator in action["indicators"]
    } | {i["id"]: i["value"] for axis in document["axes"] for i in axis["indicators"]}
    assert sorted(values.values(), key=str) == sorted(
        [250, 10, 350000, 60, 423, 393, 15], key=str)


def test_json_is_utf8_not_escaped(example_report: civicrecord.Report) -> None:
    assert "Chambéry".encode() in civicrecord.render(example_report, "json")


class _Exploding:
    """A plugin whose renderer fails halfway, as a buggy third-party one might."""

    __name__ = "exploding-plugin"

    @staticmethod
    @civicrecord.hookimpl
    def register_renderers() -> list[civicrecord.Renderer]:
        def render(report: civicrecord.Report, context: civicrecord.RenderContext) -> bytes:
            if context.option("fail"):
                raise RuntimeError("disk of the mind is full")
            return b"first version"

        return [civicrecord.Renderer("boom", "txt", "text/plain", "test format", render)]


def test_failed_render_keeps_the_earlier_file_and_leaves_no_temporary(
        example_report: civicrecord.Report, tmp_path: Path) -> None:
    plugins = load_plugins([_Exploding()])
    written = civicrecord.write(example_report, "boom", tmp_path, plugins=plugins)
    assert written.read_bytes() == b"first version"
    with pytest.raises(RuntimeError, match="disk of the mind"):
        civicrecord.write(example_report, "boom", tmp_path, plugins=plugins, fail=True)
    assert written.read_bytes() == b"first version"
    assert sorted(p.name for p in tmp_path.iterdir()) == [written.name]


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="root ignores directory permissions")
def test_unwritable_output_folder_is_a_clear_error(example_report: civicrecord.Report,
                                                   tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="locked"):
            civicrecord.write(example_report, "json", locked)
    finally:
        locked.chmod(0o700)


def test_output_folder_that_is_a_file_is_a_clear_error(example_report: civicrecord.Report,
                                                       tmp_path: Path) -> None:
    blocker = tmp_path / "build"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError, match="build"):
        civicrecord.write(example_report, "json", blocker)
    assert blocker.read_text() == "not a folder"


def test_unknown_format_names_what_is_available(example_report: civicrecord.Report) -> None:
    with pytest.raises(PluginError, match=r"no renderer for format 'nope'.*json"):
        civicrecord.render(example_report, "nope")


def test_load_raises_with_every_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: Not A Slug\ntitle: 3\n", encoding="utf-8")
    with pytest.raises(civicrecord.ValidationError) as caught:
        civicrecord.load(bad)
    paths = {problem.path for problem in caught.value.problems}
    assert {"title", "language", "axes"} <= paths
    assert all(problem.location and problem.location.file == str(bad)
               for problem in caught.value.problems)


def test_validate_returns_problems_without_raising(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just a list\n", encoding="utf-8")
    problems = civicrecord.validate(bad)
    assert problems and problems[0].is_error


def test_every_public_name_resolves() -> None:
    """The top-level namespace is lazy; each name in __all__ must still be there."""
    for name in civicrecord.__all__:
        assert getattr(civicrecord, name) is not None, name
    assert sorted(civicrecord.__all__) == sorted(set(civicrecord.__all__))
    with pytest.raises(AttributeError):
        civicrecord.no_such_name  # noqa: B018


def test_a_folder_with_two_report_files_is_refused(example_dir: Path, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "report"
    shutil.copytree(example_dir, folder)
    civicrecord.write(civicrecord.load(example_dir), "json", tmp_path)
    shutil.copy(tmp_path / "hauts-de-chambery-2020-2026.json", folder / "report.json")
    problems = civicrecord.validate(folder)
    assert [p.message for p in problems] == [
        "more than one report file in this folder: report.yaml, report.json"]
    assert problems[0].location is not None
    assert problems[0].location.file == str(folder / "report.json")
