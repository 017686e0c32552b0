"""``civicrecord new-plugin``: the package it writes installs, passes its tests, is found."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from civicrecord.cli import main
from plugin_venv import Venv, make_venv


def test_new_plugin_writes_a_whole_package(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "civicrecord-ics"
    assert main(["new-plugin", "ics", "-o", str(target), "--importer"]) == 0
    written = [Path(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(path.relative_to(target).as_posix() for path in written) == [
        "README.md", "civicrecord_ics/__init__.py", "civicrecord_ics/py.typed",
        "pyproject.toml", "tests/test_ics.py"]
    assert '[project.entry-points.civicrecord]\nics = "civicrecord_ics"' in \
        (target / "pyproject.toml").read_text("utf-8")
    module = (target / "civicrecord_ics" / "__init__.py").read_text("utf-8")
    assert "def register_renderers" in module and "def register_importers" in module
    assert "$" not in module + (target / "tests" / "test_ics.py").read_text("utf-8")
    # The code it writes is as clean as civicrecord's own.
    ruff = Path(sys.executable).parent / "ruff"
    lint = subprocess.run([str(ruff), "check", "--no-cache", "--isolated", "--line-length",
                           "100", "--select", "E,F,W,I,B,UP,SIM,RUF", "."],
                          capture_output=True, text=True, cwd=target, check=False)
    assert lint.returncode == 0, lint.stdout


@pytest.mark.parametrize(("name", "code"), [("ICS", 2), ("2d", 2), ("a b", 2), ("html", 2),
                                           ("json", 2)])
def test_a_name_that_cannot_be_a_format_is_refused(tmp_path: Path, name: str, code: int,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new-plugin", name, "-o", str(tmp_path / "x")]) == code
    assert "cannot be a format name" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_an_existing_folder_is_left_alone(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me", "utf-8")
    assert main(["new-plugin", "ics", "-o", str(tmp_path / "mine")]) == 1
    assert "exists and is not an empty folder" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]  # no staging folder left


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Venv, Path]:
    """The package new-plugin writes, installed by pip (offline) into its own environment."""
    projects = tmp_path_factory.mktemp("projects")
    target = projects / "civicrecord-ics"
    assert main(["new-plugin", "ics", "-o", str(target), "--importer"]) == 0
    return make_venv(tmp_path_factory.mktemp("venv") / "env", [target]), target


@pytest.mark.slow
def test_the_new_plugin_passes_its_own_tests_with_only_the_kit(venv: tuple[Venv, Path]) -> None:
    env, target = venv
    result = env.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests",
                     cwd=target)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passed" in result.stdout  # four for the format, one for the importer


@pytest.mark.slow
def test_the_new_plugin_shows_in_civicrecord_plugins_and_formats(
        venv: tuple[Venv, Path], example_dir: Path, tmp_path: Path) -> None:
    env, _ = venv
    rows = {row["name"]: row for row in json.loads(env.run("civicrecord", "plugins",
                                                           "--json").stdout)}
    assert rows["ics"] == {"name": "ics", "distribution": "civicrecord-ics", "version": "0.1.0",
                           "hooks": ["register_importers", "register_renderers"],
                           "builtin": False, "error": None}
    assert "register_commands" in rows["civicrecord.plugin_template"]["hooks"]
    formats = env.run("civicrecord", "formats", "--verbose").stdout.splitlines()
    assert "    -O bullet=...  text, default -: the mark before each action" in formats
    result = env.run("civicrecord", "render", example_dir, "-f", "ics", "-O", "bullet=*",
                     "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    [written] = [Path(line) for line in result.stdout.splitlines()]
    assert written.suffixes == [".ics", ".txt"] and "\n* " in written.read_text("utf-8")
