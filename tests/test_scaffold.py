"""``civicrecord new``: a copy of the worked example, or a blank report to fill in.

The example ships in the wheel from its single source in examples/; a copy
validates and renders exactly like the original; a blank report loads with one
warning per placeholder and nothing else, so the warnings are the to-do list.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import civicrecord
from civicrecord.cli import main
from civicrecord.problems import Severity
from civicrecord.scaffold import ScaffoldError, available_examples, new_report
from civicrecord.schema import report_schema
from civicrecord.text import blocks
from civicrecord.validation import PLACEHOLDER_MARKER, SLUG_PATTERN, check_plain_data, slugify
from conftest import EXAMPLE, ROOT

_MODELINE = "# yaml-language-server: $schema="


def _run(*argv: str | Path) -> int:
    try:
        return main([str(arg) for arg in argv])
    except SystemExit as exit_:  # argparse's own usage errors
        return int(exit_.code or 0)


def _strings(data: object) -> list[str]:
    if isinstance(data, dict):
        return [s for value in data.values() for s in _strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in _strings(value)]
    return [data] if isinstance(data, str) else []


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.yaml"))


EXAMPLE_ID = "hauts-de-chambery-2020-2026"


def _as_copied(name: str, report_id: str) -> str:
    """The example's file ``name`` as a copy into a folder named ``report_id`` holds it."""
    text = (EXAMPLE / name).read_text(encoding="utf-8")
    if name != "report.yaml":
        return text
    for old, new in ((f"\nid: {EXAMPLE_ID}\n", f"\nid: {report_id}\n"),
                     ("\n  id: hauts-de-chambery\n", f"\n  id: {report_id}\n")):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


# --- The placeholder rule ----------------------------------------------------


def test_placeholder_text_is_a_warning_naming_the_field() -> None:
    problems = check_plain_data({"title": "TODO: a title", "axes": [{"need": "Done."}],
                                 "neighbourhood": {"name": "Quartier TODO"}})
    assert [(p.severity, p.path) for p in problems] == [
        (Severity.WARNING, "neighbourhood.name"), (Severity.WARNING, "title")]
    assert "TODO: a title" in problems[1].message


@pytest.mark.parametrize("text", ["todo", "TODOS", "MASTODON", "to do", "photodocument"])
def test_only_the_marker_as_a_word_is_a_placeholder(text: str) -> None:
    assert check_plain_data({"title": text}) == []


@given(before=st.text(alphabet=" :-.,abcé", max_size=10),
       after=st.text(alphabet=" :-.,abcé", max_size=10))
def test_marker_anywhere_as_a_word_warns_once(before: str, after: str) -> None:
    problems = check_plain_data({"outcome": f"{before} {PLACEHOLDER_MARKER} {after}"})
    assert len(problems) == 1
    assert problems[0].severity is Severity.WARNING and problems[0].path == "outcome"


# --- The example in the wheel ------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (found,) = out.glob("civicrecord-*.whl")
    return found


@pytest.mark.slow
@pytest.mark.parametrize(("name", "axis"), [("hauts_de_chambery", "mobilites"),
                                            ("larkfield", "homes")])
def test_wheel_ships_the_example_byte_for_byte(wheel: Path, name: str, axis: str) -> None:
    prefix = f"civicrecord/examples/{name}/"
    example = EXAMPLE.parent / name
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name[len(prefix):]: archive.read(name)
                   for name in archive.namelist() if name.startswith(prefix)}
    source = {path.relative_to(example).as_posix(): path.read_bytes()
              for path in example.rglob("*") if path.is_file()}
    assert shipped == source
    assert "report.yaml" in shipped and f"axes/{axis}.yaml" in shipped


@pytest.mark.slow
def test_wheel_ships_compiled_catalogues_saying_what_the_sources_say(wheel: Path) -> None:
    import io

    from babel.messages.mofile import read_mo

    from civicrecord.presentation import LABELS

    with zipfile.ZipFile(wheel) as archive:
        for language, labels in LABELS.items():
            data = archive.read(f"civicrecord/locale/{language}/LC_MESSAGES/civicrecord.mo")
            compiled = {m.id: m.string for m in read_mo(io.BytesIO(data)) if m.id}
            assert compiled == dict(labels), language


@pytest.mark.slow
def test_new_works_from_the_installed_wheel_alone(wheel: Path, tmp_path: Path) -> None:
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(installed)
    env = {**os.environ, "PYTHONPATH": str(installed), "PYTHONSAFEPATH": "1"}
    work = tmp_path / "work"
    work.mkdir()
    where = subprocess.run(
        [sys.executable, "-c", "import civicrecord.scaffold as s; print(s.__file__); "
         "print(s.available_examples())"],
        cwd=work, env=env, capture_output=True, text=True, check=True)
    module_file, examples = where.stdout.splitlines()
    assert Path(module_file).is_relative_to(installed)
    assert examples == "['hauts_de_chambery', 'larkfield']"
    created = subprocess.run([sys.executable, "-m", "civicrecord.cli", "new", "nord"],
                             cwd=work, env=env, capture_output=True, text=True)
    assert created.returncode == 0, created.stderr
    assert (work / "nord" / "report.yaml").read_text(encoding="utf-8").split("\n")[1:] == \
        _as_copied("report.yaml", "nord").split("\n")[1:]


@pytest.mark.slow
def test_a_wheel_built_from_the_sdist_ships_the_example_too(tmp_path: Path) -> None:
    """``python -m build`` makes the wheel from the sdist: the example must survive both."""
    import tarfile

    subprocess.run([sys.executable, "-c", "import sys; from hatchling.build import build_sdist; "
                    "print(build_sdist(sys.argv[1]))", str(tmp_path)],
                   cwd=ROOT, check=True, capture_output=True, text=True, timeout=300)
    (sdist,) = tmp_path.glob("civicrecord-*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "src", filter="data")
    (tree,) = (tmp_path / "src").iterdir()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--no-index", "-w", str(tmp_path / "wheel"),
                    str(tree)], check=True, capture_output=True, timeout=300)
    (wheel,) = (tmp_path / "wheel").glob("civicrecord-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = {n for n in archive.namelist()
                   if n.startswith("civicrecord/examples/hauts_de_chambery/")}
    assert len(shipped) == sum(1 for p in EXAMPLE.rglob("*") if p.is_file())


def test_the_editable_install_finds_the_example_in_the_source_tree() -> None:
    assert available_examples() == ["hauts_de_chambery", "larkfield"]


# --- A copy of the example ---------------------------------------------------


def test_copy_is_the_example_with_its_own_ids_and_schema_links_pointing_inside(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "nord"
    assert _run("new", target) == 0
    assert "created" in capsys.readouterr().out
    copied = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    source = {p.relative_to(EXAMPLE).as_posix() for p in EXAMPLE.rglob("*") if p.is_file()}
    assert copied == source | {"schema/report.schema.json", "schema/axis.schema.json"}
    for name in source:
        original = _as_copied(name, "nord").split("\n")
        copy = (target / name).read_text(encoding="utf-8").split("\n")
        if original[0].startswith(_MODELINE):
            schema = copy[0].removeprefix(_MODELINE)
            assert (target / name).parent.joinpath(schema).resolve().is_file(), name
            original, copy = original[1:], copy[1:]
        assert copy == original, name
    schema = json.loads((target / "schema/report.schema.json").read_text(encoding="utf-8"))
    assert schema == report_schema()


def test_copy_validates_and_renders_the_same_json_as_the_example_under_its_own_id(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "nord"
    assert _run("new", target, "--from", "hauts_de_chambery") == 0
    capsys.readouterr()
    assert _run("validate", target, "--strict") == 0
    assert "valid: 8 axes" in capsys.readouterr().out
    assert _run("render", target, "-f", "json", "-o", tmp_path / "out") == 0
    rendered = json.loads((tmp_path / "out" / "nord.json").read_bytes())
    example = json.loads(civicrecord.render(civicrecord.load(EXAMPLE), "json"))
    assert (rendered.pop("id"), rendered["neighbourhood"].pop("id")) == ("nord", "nord")
    del example["id"], example["neighbourhood"]["id"]
    assert rendered == example


def test_a_copy_renders_beside_the_example_at_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """`civicrecord new X` then rendering the example and X: two pages, an index, a table."""
    monkeypatch.chdir(tmp_path)
    assert _run("new", "X") == 0
    assert _run("validate", "X") == 0
    capsys.readouterr()
    assert _run("render", EXAMPLE, "X", "-f", "html", "-o", "out") == 0
    assert "error" not in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"{EXAMPLE_ID}.html", "index.html", "key-figures.csv", "key-figures.json", "x.html"]


@pytest.mark.parametrize(("folder", "report_id"), [
    ("my_neighbourhood", "my-neighbourhood"),
    ("Quartier Nord (2024)", "quartier-nord-2024"),
    ("Écoles & Crèches", "ecoles-creches"),
    ("___", "my-neighbourhood"),
])
def test_a_copy_takes_its_ids_from_the_folder_name(tmp_path: Path, folder: str,
                                                   report_id: str) -> None:
    new_report(tmp_path / folder)
    report = civicrecord.load(tmp_path / folder)
    assert (report.id, report.neighbourhood.id) == (report_id, report_id)


@given(st.text(max_size=40))
def test_slugify_gives_an_id_or_nothing(text: str) -> None:
    slug = slugify(text)
    assert slug == "" or SLUG_PATTERN.match(slug)
    assert slugify(slug) == slug


# --- A blank report ----------------------------------------------------------


@pytest.mark.parametrize(("language", "tag"), [("fr", "fr-FR"), ("en", "en-GB")])
def test_blank_warns_once_per_placeholder_and_nothing_else(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], language: str, tag: str) -> None:
    target = tmp_path / "Quartier Nord"
    assert _run("new", target, "--blank", "--language", language) == 0
    result = civicrecord.read(target)
    assert result.report is not None
    assert result.report.language == tag
    assert result.report.id == "quartier-nord"
    assert result.errors == ()
    placeholders = [s for f in _yaml_files(target)
                    for s in _strings(yaml.safe_load(f.read_text(encoding="utf-8")))
                    if PLACEHOLDER_MARKER in s]
    assert len(placeholders) >= 20
    assert len(result.warnings) == len(placeholders)
    assert all(w.message.startswith("placeholder left to fill in") for w in result.warnings)
    assert {w.path for w in result.warnings} >= {
        "title", "introduction.situation", "axes[0].need", "axes[1].outcome",
        "axes[0].actions[0].indicators[0].label"}
    capsys.readouterr()
    assert _run("validate", target) == 0
    out, err = capsys.readouterr()
    assert f"{len(placeholders)} warning(s)" in out
    assert "error" not in err
    assert _run("validate", target, "--strict") == 1


@pytest.mark.parametrize("language", ["fr", "en"])
def test_blank_placeholders_are_in_the_chosen_language(tmp_path: Path, language: str) -> None:
    new_report(tmp_path / "r", blank=True, language=language)
    text = (tmp_path / "r" / "report.yaml").read_text(encoding="utf-8")
    french = "titre du rapport" in text
    assert french == (language == "fr")
    assert ("title of the report" in text) == (language == "en")


def test_filling_in_every_placeholder_leaves_no_warning(tmp_path: Path) -> None:
    target = tmp_path / "nord"
    new_report(target, blank=True, language="en", year=2024)
    for path in _yaml_files(target):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(rf"{PLACEHOLDER_MARKER}: ?", "", text), encoding="utf-8")
    result = civicrecord.read(target)
    assert result.problems == ()
    assert result.report is not None and str(result.report.period.start) == "2024"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_blank_long_texts_keep_the_paragraphs_and_bullets_typed_under_them(
        tmp_path: Path, language: str) -> None:
    """Typed under the skeleton's block headers, a wrapped paragraph, a blank line and
    bullet points stay that: a folded header (``>-``) would join them into one line."""
    target = tmp_path / "nord"
    new_report(target, blank=True, language=language)
    typed = ("{0}Residents asked for a place to meet,\n{0}and for safer streets.\n\n"
             "{0}- a youth centre\n{0}- raised crossings")
    for path in _yaml_files(target):
        text = path.read_text(encoding="utf-8")
        text = re.sub(rf"(?<=-\n)( +){PLACEHOLDER_MARKER}.*",
                      lambda found: typed.format(found[1]), text)
        path.write_text(text, encoding="utf-8")
    report = civicrecord.load(target)
    axis = report.axes[0]
    texts = [report.introduction.situation, report.introduction.aim, axis.need,
             axis.actions[0].description, axis.outcome]
    for text in texts:
        assert text is not None
        assert [(b.kind, b.lines) for b in blocks(text)] == [
            ("paragraph", ("Residents asked for a place to meet, and for safer streets.",)),
            ("bullets", ("a youth centre", "raised crossings"))], text


def test_blank_renders_to_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "sud"
    assert _run("new", target, "--blank") == 0
    assert _run("render", target, "-f", "json", "-o", tmp_path / "out") == 0
    document = json.loads((tmp_path / "out" / "sud.json").read_text(encoding="utf-8"))
    assert document["language"] == "fr-FR"
    assert [axis["id"] for axis in document["axes"]] == ["axe-1", "axe-2"]


# --- Refusals ----------------------------------------------------------------


def test_refuses_a_non_empty_folder_and_leaves_it_alone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "nord"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    assert _run("new", target) == 1
    assert f"{target} is not empty" in capsys.readouterr().err
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nord"]  # no staging left behind


def test_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "nord"
    target.write_text("", encoding="utf-8")
    with pytest.raises(ScaffoldError, match="is not a folder"):
        new_report(target)


def test_refuses_a_symbolic_link_even_to_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "nord").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ScaffoldError, match="is a symbolic link"):
        new_report(tmp_path / "nord", blank=True)
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_fills_an_existing_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "nord"
    target.mkdir()
    written = new_report(target, blank=True)
    assert (target / "report.yaml") in written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nord"]


@pytest.mark.parametrize("argv", [
    ["--language", "en"],
    ["--from", "nowhere"],
    ["--from", "hauts_de_chambery", "--blank"],
])
def test_command_line_mistakes_are_usage_errors(tmp_path: Path, argv: list[str]) -> None:
    assert _run("new", tmp_path / "x", *argv) == 2
    assert not (tmp_path / "x").exists()


# --- The README tells a pip user how to get the example and the plugins -------------


def _readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def test_readme_gets_the_example_with_new_and_its_commands_run_as_shown(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    section = _readme_section("Installed with pip: the worked example and the plugins")
    assert "`civicrecord new DIR` copies it" in section
    commands = [line.removeprefix("$ civicrecord ").split()
                for line in section.splitlines() if line.startswith("$ civicrecord ")]
    assert commands[0][0] == "new" and len(commands) >= 3
    monkeypatch.chdir(tmp_path)
    for argv in commands:
        argv = argv[:argv.index("#")] if "#" in argv else argv
        assert _run(*argv) == 0, argv
    capsys.readouterr()
    assert (tmp_path / "build" / "hauts-de-chambery.html").is_file()


def test_readme_installs_every_plugin_in_plugins_folder() -> None:
    section = _readme_section("Installed with pip: the worked example and the plugins")
    installed = re.findall(r"^\$ pip install \./(plugins/[\w-]+)", section, re.MULTILINE)
    present = sorted(f"plugins/{p.name}" for p in (ROOT / "plugins").iterdir()
                     if (p / "pyproject.toml").is_file())
    assert sorted(installed) == present
