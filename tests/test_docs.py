"""The documentation tells the truth: its samples run, its references are complete.

Each page's samples run in order in a fresh folder holding a copy of
``examples/``, as a reader would run them from a checkout:

- in a ```console block, each ``$ `` line is a command; the lines after it are
  its expected output, matched in order (``...`` stands for any lines). A
  command must exit 0, or the code named by ``<!-- exit: N -->`` just before
  the block;
- a ```yaml block preceded by ``<!-- write: PATH -->`` is written to PATH, as
  the reader would in an editor;
- a ```python block runs in a fresh interpreter and must exit 0.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
import yaml

import civicrecord
from civicrecord.cli import _build_parser
from civicrecord.plugins import load_plugins
from civicrecord.schema import report_schema
from civicrecord.text import blocks as text_blocks
from conftest import ROOT

DOCS = ROOT / "docs"
EXECUTED_PAGES = ("index.md", "tutorial.md", "cli.md", "api.md", "theming.md")
CIVICRECORD = Path(sys.executable).with_name("civicrecord")
#: Programs a console sample may run besides civicrecord, as a reader would.
SHELL_COMMANDS = {"mv", "cp", "mkdir", "rm", "ls", "cat"}
#: Programs shown to the reader but never run here: installing, serving.
NOT_RUN = {"pip", "python"}

_FENCE = re.compile(r"^( *)```(\w*)\s*$")
_DIRECTIVE = re.compile(r"^<!--\s*(write|exit):\s*(\S+)\s*-->$")


@attrs.frozen
class Block:
    page: str
    line: int
    language: str
    text: str
    directives: dict[str, str]

    def where(self) -> str:
        return f"docs/{self.page}:{self.line}"


def blocks(page: str) -> list[Block]:
    """The fenced blocks of a page, with the directive comments just before each."""
    found = []
    lines = (DOCS / page).read_text(encoding="utf-8").splitlines()
    index = 0
    directives: dict[str, str] = {}
    while index < len(lines):
        line = lines[index]
        directive = _DIRECTIVE.match(line.strip())
        fence = _FENCE.match(line)
        if directive:
            directives[directive.group(1)] = directive.group(2)
        elif fence:
            # A fence may be indented, inside a list item: its body is, by as much.
            indent, start = fence.group(1), index
            index += 1
            body = []
            while lines[index].rstrip() != f"{indent}```":
                body.append(lines[index].removeprefix(indent))
                index += 1
            found.append(Block(page, start + 1, fence.group(2), "\n".join(body) + "\n",
                               directives))
            directives = {}
        elif line.strip():
            directives = {}
        index += 1
    return found


def _commands(block: Block) -> list[tuple[str, list[str]]]:
    commands: list[tuple[str, list[str]]] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line.rstrip())
        elif line.strip():
            raise AssertionError(f"{block.where()}: output before any command: {line!r}")
    return commands


def _matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``expected`` is found in ``actual`` in order; ``...`` stands for any lines."""
    position = 0
    skipping = False
    for line in expected:
        if line == "...":
            skipping = True
            continue
        if skipping:
            while position < len(actual) and actual[position] != line:
                position += 1
        if position >= len(actual) or actual[position] != line:
            return False
        position += 1
        skipping = False
    return skipping or position == len(actual)


def _run_console(block: Block, folder: Path, env: dict[str, str]) -> None:
    expected_code = int(block.directives.get("exit", "0"))
    for command, expected in _commands(block):
        argv = shlex.split(command)
        target = None
        if ">" in argv:
            at = argv.index(">")
            argv, target = argv[:at], argv[at + 1]
        program = argv[0]
        if program in NOT_RUN:
            continue
        if program == "civicrecord":
            argv = [str(CIVICRECORD), *argv[1:]]
        elif program not in SHELL_COMMANDS:
            raise AssertionError(f"{block.where()}: a sample runs {program!r}, which this test "
                                 "neither runs nor lists in NOT_RUN")
        # One pipe for both streams, unbuffered: lines come in the order a terminal shows.
        done = subprocess.run(argv, cwd=folder, env=env, text=True, timeout=300,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE if target else subprocess.STDOUT)
        printed = done.stdout if target is None else done.stderr
        assert done.returncode == expected_code, (
            f"{block.where()}: `{command}` exited {done.returncode}, not {expected_code}\n"
            f"{printed}")
        if target is not None:
            (folder / target).write_text(done.stdout, encoding="utf-8")
        assert "Traceback" not in printed, f"{block.where()}: {printed}"
        actual = [line.rstrip() for line in printed.splitlines()]
        if expected:
            assert _matches(expected, actual), (
                f"{block.where()}: `{command}` printed\n" + "\n".join(actual)
                + "\n\nbut the page shows\n" + "\n".join(expected))


def _run_python(block: Block, folder: Path, env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-c", block.text], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{block.where()}: the sample failed\n{done.stderr}"


@pytest.mark.parametrize("page", EXECUTED_PAGES)
def test_samples_run_as_shown(page: str, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = {**os.environ, "PYTHONSAFEPATH": "1", "PYTHONUNBUFFERED": "1"}
    ran = 0
    for block in blocks(page):
        if "write" in block.directives:
            target = tmp_path / block.directives["write"]
            assert target.resolve().is_relative_to(tmp_path), block.where()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text, encoding="utf-8")
        elif block.language == "console":
            _run_console(block, tmp_path, env)
        elif block.language == "python":
            _run_python(block, tmp_path, env)
        else:
            continue
        ran += 1
    assert ran, f"docs/{page} has no sample to run"
    fences = re.findall(r"^ *```(console|python)\s*$", (DOCS / page).read_text(encoding="utf-8"),
                        flags=re.MULTILINE)
    assert len(fences) == sum(1 for b in blocks(page) if b.language in ("console", "python")), \
        f"docs/{page}: a sample block was not recognised, so not run"


def test_the_runner_compares_output_strictly() -> None:
    assert _matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert _matches(["a", "..."], ["a", "b"])
    assert not _matches(["a", "d"], ["a", "b", "d"])
    assert not _matches(["a"], ["a", "b"])
    assert not _matches(["b", "a"], ["a", "b"])


# --- The command-line reference ------------------------------------------------


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    """Every command: the core's, and those of built-in plugins (new-plugin...)."""
    from civicrecord.cli import _add_plugin_commands

    parser = _build_parser()
    _add_plugin_commands(parser, load_plugins(entry_points=False))
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for name, command in load_plugins(entry_points=False).commands(action.choices).items():
        command.configure(action.add_parser(name, help=command.help))
    return dict(action.choices)


def _sections(page: str) -> dict[str, str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.MULTILINE)
    return {part.split("\n", 1)[0].strip(): part for part in parts[1:]}


@pytest.mark.parametrize("name", sorted(_subcommands()))
def test_cli_reference_documents_every_command_and_option(name: str) -> None:
    sections = _sections("cli.md")
    heading = f"`civicrecord {name}`"
    assert heading in sections, f"docs/cli.md has no section '## {heading}'"
    section = sections[heading]
    for action in _subcommands()[name]._actions:
        if action.option_strings:
            if "--help" in action.option_strings:
                continue
            assert any(f"`{option}" in section for option in action.option_strings), (
                f"docs/cli.md, {heading}: option {'/'.join(action.option_strings)} "
                "is not documented")
        else:
            assert f"`{action.metavar or action.dest}" in section, (
                f"docs/cli.md, {heading}: argument {action.metavar} is not documented")


def test_cli_reference_documents_no_command_that_does_not_exist() -> None:
    documented = {heading.strip("`").removeprefix("civicrecord ")
                  for heading in _sections("cli.md") if heading.startswith("`civicrecord ")}
    assert documented == set(_subcommands())


# --- The data-format reference -------------------------------------------------


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_data_format",
                                                  DOCS / "gen_data_format.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_data_format_page_is_current() -> None:
    assert _generator().render() == (DOCS / "data-format.md").read_text(encoding="utf-8"), \
        "docs/data-format.md is out of date: run python docs/gen_data_format.py"


def test_data_format_page_lists_every_field_of_the_schema() -> None:
    sections = re.split(r"^### ", (DOCS / "data-format.md").read_text(encoding="utf-8"),
                        flags=re.MULTILINE)
    by_name = {part.split("\n", 1)[0]: part for part in sections[1:]}
    for name, definition in report_schema()["$defs"].items():
        if "properties" not in definition:
            continue
        section = by_name[name]
        for field_name in definition["properties"]:
            row = re.search(rf"^\| `{re.escape(field_name)}` \| [^|]+ \| (yes|no)[^|]* \| .+ \|$",
                            section, flags=re.MULTILINE)
            assert row, f"docs/data-format.md, {name}: no row for {field_name}"
            assert (row.group(1) == "yes") == (field_name in definition["required"]), \
                f"docs/data-format.md, {name}.{field_name}: wrong 'required'"
    for name, definition in report_schema()["$defs"].items():
        for value in definition.get("enum", ()):
            assert f"`{value}`" in by_name[name], f"{name}: value {value} missing"


# --- The site ------------------------------------------------------------------


def test_every_page_in_the_nav_exists_and_every_page_of_ours_is_in_it() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def pages(nav: object) -> list[str]:
        if isinstance(nav, str):
            return [nav]
        if isinstance(nav, list):
            return [page for item in nav for page in pages(item)]
        if isinstance(nav, dict):
            return [page for value in nav.values() for page in pages(value)]
        return []

    listed = pages(config["nav"])
    assert all((DOCS / page).is_file() for page in listed), listed
    assert set(EXECUTED_PAGES) | {"data-format.md"} <= set(listed)


def test_the_tutorials_error_message_is_what_civicrecord_prints(tmp_path: Path) -> None:
    """The tutorial shows, without running it, the error a mistyped partner id gives."""
    page = blocks("tutorial.md")
    for block in page:
        if "write" in block.directives:
            text = block.text
            if block.directives["write"].endswith("young-people.yaml"):
                text = text.replace("partners: [residents-association]\n    milestones",
                                    "partners: [residents]\n    milestones", 1)
                assert text != block.text
            target = tmp_path / block.directives["write"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    shown = next(block.text.strip() for block in page
                 if block.language == "text" and "error:" in block.text)
    done = subprocess.run([str(CIVICRECORD), "validate", "riverside"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert shown in done.stderr.splitlines()


def test_the_tutorials_texts_keep_the_paragraphs_and_bullets_they_show(tmp_path: Path) -> None:
    """The youth centre's description, as the tutorial writes it, is a paragraph and
    three bullet points: a folded block (``>-``) would join them into one line."""
    for block in blocks("tutorial.md"):
        if "write" in block.directives:
            target = tmp_path / block.directives["write"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text, encoding="utf-8")
    report = civicrecord.load(tmp_path / "riverside")
    description = report.axes[0].actions[0].description
    assert description is not None
    assert [(b.kind, len(b.lines)) for b in text_blocks(description)] == [
        ("paragraph", 1), ("bullets", 3)]
