"""The plugin system: how formats and rules come from plugins, and how plugins fail.

Three ways in, from cheapest to most real: a plugin object passed in-process
(``load_plugins(extra=[...])``); a plugin "installed" as pip leaves it (a
module and a ``.dist-info`` folder with ``entry_points.txt`` on ``sys.path``)
for the command line run in-process; and real distributions built and
installed by pip into a temporary virtual environment, driven through the
``civicrecord`` command there.
"""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

import civicrecord
from civicrecord.plugins import (
    BUILTIN_PLUGINS,
    DISABLE_ENTRY_POINTS_ENV,
    PluginError,
    load_plugins,
)
from civicrecord.problems import Problem, Severity
from civicrecord.renderer import (
    OptionError,
    RenderContext,
    Renderer,
    RendererOption,
    RenderError,
)
from plugin_venv import ROOT, Venv, make_venv

# --- plugins used in-process ----------------------------------------------------------


def render_outline(report: civicrecord.Report, context: RenderContext) -> bytes:
    """A small but real format: the report's title and its axis titles, one a line."""
    bullet = context.option("bullet", "-")
    lines = [f"{report.title} [{context.language}]",
             *(f"{bullet} {axis.title}" for axis in report.axes)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def outline_renderer(name: str = "outline") -> Renderer:
    return Renderer(name=name, extension="outline.txt", media_type="text/plain",
                    description="The axis titles, one a line", render=render_outline)


class OutlinePlugin:
    """A plugin can be any object with hook implementations, not only a module."""

    __name__ = "outline-plugin"

    @civicrecord.hookimpl
    def register_renderers(self) -> list[Renderer]:
        return [outline_renderer()]


class Plugin:
    """A named plugin built from hook implementations given as keyword arguments."""

    def __init__(self, name: str, **hooks: Callable[..., Any]) -> None:
        self.__name__ = name
        for hook_name, function in hooks.items():
            setattr(self, hook_name, civicrecord.hookimpl(function))


def renderers_of(*renderers: Renderer) -> Callable[[], list[Renderer]]:
    return lambda: list(renderers)


def builtin_formats() -> list[str]:
    return list(load_plugins(entry_points=False).renderers())


# --- registered in-process ---------------------------------------------------------------


def test_an_in_process_plugin_adds_a_format_that_renders(
        example_report: civicrecord.Report) -> None:
    plugins = load_plugins([OutlinePlugin()])

    assert [r.name for r in civicrecord.formats(plugins=plugins)] == [*builtin_formats(),
                                                                       "outline"]
    assert plugins.plugin_of("outline").name == "outline-plugin"
    assert plugins.plugin_of("outline").hooks == ("register_renderers",)
    assert plugins.plugin_of("json").builtin
    output = civicrecord.render(example_report, "outline", plugins=plugins, bullet="*")
    lines = output.decode("utf-8").splitlines()
    assert lines[0] == f"{example_report.title} [{example_report.language}]"
    assert lines[1:] == [f"* {axis.title}" for axis in example_report.axes]


def test_write_uses_the_plugins_extension(example_report: civicrecord.Report,
                                          tmp_path: Path) -> None:
    written = civicrecord.write(example_report, "outline", tmp_path,
                                plugins=load_plugins([OutlinePlugin()]))
    assert written == tmp_path / f"{example_report.id}.outline.txt"
    assert written.read_text("utf-8").startswith(example_report.title)


def test_every_call_builds_a_fresh_plugin_set() -> None:
    with_outline = load_plugins([OutlinePlugin()])
    without = load_plugins()
    assert "outline" in with_outline.renderers()
    assert "outline" not in without.renderers()
    assert with_outline.manager is not without.manager


def test_builtin_plugins_are_registered_through_the_same_hooks() -> None:
    plugins = load_plugins(entry_points=False)
    formats = [name for name in BUILTIN_PLUGINS if name.startswith("civicrecord.renderers.")]
    assert formats
    for module_name in formats:
        info = plugins.infos[module_name]
        assert info.builtin and info.distribution == "civicrecord"
        assert {"register_renderers", "register_commands"} & set(info.hooks), module_name
        assert info.version == civicrecord.__version__
        for hook in info.hooks:
            assert callable(getattr(importlib.import_module(module_name), hook))
            assert module_name in [impl.plugin_name for impl in
                                   getattr(plugins.manager.hook, hook).get_hookimpls()]
    assert [plugins.plugin_of(name).name for name in ("json", "html", "docx")] == \
        list(BUILTIN_PLUGINS[:3])
    assert {"serve", "reference-docx", "new-plugin"} <= set(plugins.commands())


@pytest.mark.parametrize("name", ["HTML", "2col", "my_format", "my format", "", "-x"])
def test_a_format_name_must_be_a_lowercase_slug(name: str) -> None:
    with pytest.raises(ValueError, match="must match"):
        Renderer(name=name, extension="txt", media_type="text/plain", description="",
                 render=render_outline)


def test_a_renderer_that_returns_text_instead_of_bytes_is_an_error(
        example_report: civicrecord.Report) -> None:
    texty = Renderer("texty", "txt", "text/plain", "returns str",
                     lambda report, context: report.title)  # type: ignore[arg-type,return-value]
    plugins = load_plugins([Plugin("texty", register_renderers=renderers_of(texty))])
    with pytest.raises(RenderError, match="renderer 'texty' of plugin 'texty' returned str, not "
                                          "bytes; fix or uninstall the plugin"):
        civicrecord.render(example_report, "texty", plugins=plugins)


def test_a_render_error_reaches_the_caller_unchanged(example_report: civicrecord.Report) -> None:
    def refuse(report: civicrecord.Report, context: RenderContext) -> bytes:
        raise RenderError(f"option 'paper' must be A4 or letter, not {context.option('paper')!r}")

    plugins = load_plugins([Plugin("picky", register_renderers=renderers_of(
        Renderer("picky", "txt", "text/plain", "", refuse)))])
    with pytest.raises(RenderError, match="'paper' must be A4 or letter, not 'A5'"):
        civicrecord.render(example_report, "picky", plugins=plugins, paper="A5")


# --- duplicates and faults, in-process --------------------------------------------------------


def test_two_plugins_claiming_one_format_disable_that_format_only(
        example_report: civicrecord.Report) -> None:
    first = Plugin("first-plugin", register_renderers=renderers_of(outline_renderer()))
    second = Plugin("second-plugin", register_renderers=renderers_of(
        outline_renderer(), outline_renderer("second-own")))
    plugins = load_plugins([first, second])
    assert list(plugins.renderers()) == [*builtin_formats(), "second-own"]
    with pytest.raises(PluginError) as raised:
        plugins.renderer("outline")
    message = str(raised.value)
    assert "'outline'" in message and "--use outline=PLUGIN" in message
    assert "'first-plugin'" in message and "'second-plugin'" in message
    assert plugins.conflicts() == [message]
    assert civicrecord.render(example_report, "second-own", plugins=plugins)
    assert plugins.faults == []


def test_a_plugin_registering_json_again_leaves_every_other_format_working(
        example_report: civicrecord.Report) -> None:
    impostor = Plugin("impostor", register_renderers=renderers_of(
        outline_renderer("json"), outline_renderer()))
    plugins = load_plugins([impostor])
    assert list(plugins.renderers()) == ["html", "docx", "outline"]
    with pytest.raises(PluginError, match=r"'json'.*civicrecord\.renderers\.json.*'impostor'"):
        civicrecord.render(example_report, "json", plugins=plugins)
    assert civicrecord.render(example_report, "html", plugins=plugins).startswith(b"<!")
    assert civicrecord.render(example_report, "outline", plugins=plugins)


@pytest.mark.parametrize("choice", ["civicrecord", "civicrecord.renderers.json"])
def test_use_chooses_the_plugin_by_plugin_or_distribution_name(
        example_report: civicrecord.Report, choice: str) -> None:
    impostor = Plugin("impostor", register_renderers=renderers_of(outline_renderer("json")))
    builtin = civicrecord.render(example_report, "json", plugins=load_plugins())
    assert civicrecord.render(example_report, "json", plugins=load_plugins([impostor]),
                              use={"json": choice}) == builtin
    chosen = load_plugins([impostor], use={"json": "impostor"})
    assert chosen.plugin_of("json").name == "impostor" and chosen.conflicts() == []
    assert civicrecord.render(example_report, "json", plugins=chosen).startswith(
        example_report.title.encode())


def test_a_choice_naming_no_provider_is_an_error_naming_the_providers() -> None:
    plugins = load_plugins(use={"json": "nobody"})
    with pytest.raises(PluginError, match=r"format 'json' is provided by "
                       r"'civicrecord\.renderers\.json'.*; 'nobody' names none of them"):
        plugins.renderer("json")


def test_a_renderer_that_overrides_replaces_the_builtin_without_error(
        example_report: civicrecord.Report) -> None:
    replacement = attrs.evolve(outline_renderer("json"), override=True)
    plugins = load_plugins([Plugin("replacement", register_renderers=renderers_of(
        replacement))])
    assert plugins.conflicts() == [] and plugins.plugin_of("json").name == "replacement"
    assert civicrecord.render(example_report, "json", plugins=plugins).startswith(
        example_report.title.encode())
    # Two that both override are a conflict again; a choice still settles it.
    twice = load_plugins([Plugin("a", register_renderers=renderers_of(replacement)),
                          Plugin("b", register_renderers=renderers_of(replacement))])
    assert "json" not in twice.renderers() and len(twice.conflicts()) == 1
    twice.use["json"] = "civicrecord"
    assert twice.plugin_of("json").builtin


def test_every_duplicate_is_named_not_only_the_first() -> None:
    one = Plugin("one", register_renderers=renderers_of(outline_renderer("a"),
                                                         outline_renderer("b")))
    two = Plugin("two", register_renderers=renderers_of(outline_renderer("a"),
                                                         outline_renderer("b")))
    conflicts = load_plugins([one, two]).conflicts()
    assert [message.split(" is provided")[0] for message in conflicts] == [
        "format 'a'", "format 'b'"]


def test_two_plugins_with_one_name_keep_the_first_and_report_the_second() -> None:
    first = Plugin("same-name", register_renderers=renderers_of(outline_renderer("one")))
    second = Plugin("same-name", register_renderers=renderers_of(outline_renderer("two")))
    plugins = load_plugins([first, second])
    assert "one" in plugins.renderers() and "two" not in plugins.renderers()
    [fault] = plugins.faults
    assert fault.plugin == "same-name" and fault.stage == "register"
    assert "already registered" in fault.error


def test_a_plugin_that_raises_in_register_renderers_is_recorded_and_the_rest_work(
        example_report: civicrecord.Report) -> None:
    def explode() -> list[Renderer]:
        raise RuntimeError("no formats today")

    plugins = load_plugins([Plugin("exploding", register_renderers=explode), OutlinePlugin()])
    assert list(plugins.renderers()) == [*builtin_formats(), "outline"]
    [fault] = plugins.faults
    assert (fault.plugin, fault.stage) == ("exploding", "register_renderers")
    assert "RuntimeError: no formats today" in str(fault)
    assert civicrecord.render(example_report, "outline", plugins=plugins)
    # Asking for a format nobody provides names the broken plugin as a suspect.
    with pytest.raises(PluginError, match=r"'exploding'.*no formats today"):
        plugins.renderer("spreadsheet")


def test_register_renderers_must_return_renderers() -> None:
    plugins = load_plugins([Plugin("sloppy", register_renderers=lambda: [{"name": "x"}])])
    plugins.renderers()
    [fault] = plugins.faults
    assert fault.plugin == "sloppy" and "not a civicrecord.Renderer" in fault.error


def test_a_misspelt_hook_is_a_fault_of_that_plugin_with_a_suggestion() -> None:
    misspelt = Plugin("misspelt", register_renderer=renderers_of(outline_renderer()))
    plugins = load_plugins([misspelt, OutlinePlugin()])
    [fault] = plugins.faults
    assert fault.plugin == "misspelt" and fault.stage == "register"
    assert "unknown hook 'register_renderer'" in fault.error
    assert "did you mean 'register_renderers'?" in fault.error
    # The plugin is left out whole, so check_pending() has nothing left to object to,
    # and the other plugins work.
    assert not plugins.manager.has_plugin("misspelt")
    plugins.manager.check_pending()
    assert "outline" in plugins.renderers()


def test_an_optional_unknown_hook_is_allowed() -> None:
    def future_hook() -> None:
        """A hook a newer civicrecord may define; the plugin marks it optional."""

    plugin = Plugin("forward-looking", register_renderers=renderers_of(outline_renderer()))
    plugin.future_hook = civicrecord.hookimpl(optionalhook=True)(future_hook)  # type: ignore[attr-defined]
    plugins = load_plugins([plugin])
    assert plugins.faults == [] and "outline" in plugins.renderers()


def test_a_hook_wrapper_is_refused_and_the_others_work() -> None:
    def register_renderers() -> Iterator[None]:
        yield  # would see, and could change, every other plugin's formats

    wrapping = Plugin("wrapping")
    wrapping.register_renderers = civicrecord.hookimpl(wrapper=True)(  # type: ignore[attr-defined]
        register_renderers)
    plugins = load_plugins([wrapping, OutlinePlugin()])
    [fault] = plugins.faults
    assert (fault.plugin, fault.stage) == ("wrapping", "register")
    assert fault.error.endswith("take no wrappers: drop wrapper=True")
    assert list(plugins.renderers()) == [*builtin_formats(), "outline"]


def test_a_hook_with_a_wrong_argument_name_is_a_fault() -> None:
    def validate_report(document: object) -> list[Problem]:
        return []

    plugins = load_plugins([Plugin("wrong-argument", validate_report=validate_report)])
    [fault] = plugins.faults
    assert fault.plugin == "wrong-argument" and "document" in fault.error


# --- validate_report ------------------------------------------------------------------------


def _key_position(path: Path, action_index: int, key: str) -> tuple[int, int]:
    """Line and column (from 1) of ``actions[action_index].<key>`` in an axis file."""
    root = yaml.compose(path.read_text("utf-8"))
    actions = next(value for k, value in root.value if k.value == "actions")
    action = actions.value[action_index]
    key_node = next(k for k, _ in action.value if k.value == key)
    return key_node.start_mark.line + 1, key_node.start_mark.column + 1


class TitleRules:
    """A city's own rule: an action title says what was done, in under 40 characters."""

    __name__ = "city-rules"

    @civicrecord.hookimpl
    def validate_report(self, report: civicrecord.Report) -> Iterator[Problem]:
        for a, axis in enumerate(report.axes):
            for b, action in enumerate(axis.actions):
                if len(action.title) >= 40:
                    yield Problem(Severity.WARNING, f"axes[{a}].actions[{b}].title",
                                  f"title is {len(action.title)} characters long",
                                  "our house style keeps action titles under 40")


def test_validate_report_problems_are_placed_in_the_source(example_dir: Path,
                                                           example_report: civicrecord.Report
                                                           ) -> None:
    problems = civicrecord.validate(example_dir, plugins=load_plugins([TitleRules()]))
    ours = [p for p in problems if "characters long" in p.message]
    expected = [(a, b) for a, axis in enumerate(example_report.axes)
                for b, action in enumerate(axis.actions) if len(action.title) >= 40]
    assert expected, "the example should have a long action title for this test to mean much"
    assert len(ours) == len(expected)
    for problem, (a, b) in zip(sorted(ours, key=lambda p: p.path),
                               sorted(expected, key=lambda ab: f"axes[{ab[0]}].actions[{ab[1]}]"),
                               strict=True):
        axis_file = example_dir / "axes" / f"{example_report.axes[a].id}.yaml"
        assert problem.location is not None
        assert Path(problem.location.file or "").resolve() == axis_file.resolve()
        line, column = _key_position(axis_file, b, "title")
        assert (problem.location.line, problem.location.column) == (line, column)


def test_validate_report_errors_stop_load_and_warnings_do_not(example_dir: Path) -> None:
    def no_first_axis(report: civicrecord.Report) -> list[Problem]:
        return [Problem(Severity.ERROR, "axes[0].title", "the first axis is not wanted")]

    warnings_only = load_plugins([TitleRules()])
    assert civicrecord.load(example_dir, plugins=warnings_only).id
    with pytest.raises(civicrecord.ValidationError, match="the first axis is not wanted"):
        civicrecord.load(example_dir, plugins=load_plugins(
            [Plugin("strict", validate_report=no_first_axis)]))


def test_a_validate_report_hook_that_raises_is_reported_naming_the_plugin(
        example_dir: Path) -> None:
    def broken(report: civicrecord.Report) -> list[Problem]:
        raise KeyError("partners")

    problems = civicrecord.validate(example_dir, plugins=load_plugins(
        [Plugin("broken-rules", validate_report=broken)]))
    [problem] = [p for p in problems if "broken-rules" in p.message]
    assert problem.is_error and "KeyError" in problem.message


# --- installed as pip leaves it: entry points read in-process ---------------------------


Install = Callable[..., None]


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """Put a plugin module and its ``.dist-info`` on ``sys.path``, as pip would.

    The folder is on this process's ``sys.path`` and, through PYTHONPATH, on that
    of the ``civicrecord`` commands the test runs.
    """
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("PYTHONPATH", str(site))
    monkeypatch.delenv(DISABLE_ENTRY_POINTS_ENV, raising=False)
    modules: list[str] = []

    def _install(distribution: str, modules_source: dict[str, str],
                 entry_points: dict[str, str], version: str = "1.0.0") -> None:
        for module, source in modules_source.items():
            (site / f"{module}.py").write_text(textwrap.dedent(source), "utf-8")
            modules.append(module)
        info = site / f"{distribution.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n", "utf-8")
        (info / "entry_points.txt").write_text(
            "[civicrecord]\n" + "".join(f"{name} = {target}\n"
                                        for name, target in entry_points.items()), "utf-8")
        forget_listings()

    yield _install
    for module in modules:
        sys.modules.pop(module, None)


def forget_listings() -> None:
    """Make the import system list ``sys.path`` again, as if time had passed since the last look.

    It keeps each folder's listing until the folder's modification time changes, and
    two writes a moment apart may leave the same time.
    """
    from importlib import metadata

    importlib.invalidate_caches()
    metadata.MetadataPathFinder().invalidate_caches()  # Python 3.11: not a classmethod


OUTLINE_MODULE = """
    import civicrecord

    def render(report, context):
        return "\\n".join(axis.title for axis in report.axes).encode()

    @civicrecord.hookimpl
    def register_renderers():
        return [civicrecord.Renderer(name="{name}", extension="txt", media_type="text/plain",
                                     description="Axis titles", render=render)]
"""


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run this environment's ``civicrecord`` command; PYTHONPATH holds the installs."""
    command = Path(sys.executable).parent / "civicrecord"
    result = subprocess.run([str(command), *args], capture_output=True, text=True,
                            timeout=120, check=False)
    return result.returncode, result.stdout, result.stderr


def test_an_installed_plugin_is_found_through_its_entry_point(
        install: Install) -> None:
    install("civicrecord-outline-ep", {"outline_ep": OUTLINE_MODULE.format(name="outline")},
            {"outline": "outline_ep"}, version="2.5.0")
    code, out, err = run_cli("formats", "--json")
    assert code == 0 and err == ""
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["outline"]["plugin"] == "outline"
    assert (rows["outline"]["distribution"], rows["outline"]["version"]) == (
        "civicrecord-outline-ep", "2.5.0")
    # Built-in formats first; then installed ones (this environment may have others).
    builtins = builtin_formats()
    assert list(rows)[:len(builtins)] == builtins and "outline" in list(rows)[len(builtins):]


def test_installed_formats_come_in_entry_point_name_order(install: Install) -> None:
    # Discovery order follows directory listings; the listing must not.
    for entry, module in (("zebra", "zebra_ep"), ("aardvark", "aardvark_ep"),
                          ("mongoose", "mongoose_ep")):
        install(f"civicrecord-{entry}", {module: OUTLINE_MODULE.format(name=f"{entry}-fmt")},
                {entry: module})
    names = [name for name in load_plugins().renderers() if name.endswith("-fmt")]
    assert names == ["aardvark-fmt", "mongoose-fmt", "zebra-fmt"]


def test_the_disable_variable_turns_entry_point_loading_off(
        install: Install, monkeypatch: pytest.MonkeyPatch) -> None:
    install("civicrecord-outline-ep", {"outline_ep": OUTLINE_MODULE.format(name="outline")},
            {"outline": "outline_ep"})
    assert "outline" in load_plugins().renderers()
    monkeypatch.setenv(DISABLE_ENTRY_POINTS_ENV, "1")
    assert "outline" not in load_plugins().renderers()
    assert "outline_ep" not in load_plugins().infos
    # An explicit argument wins over the variable, both ways.
    assert "outline" in load_plugins(entry_points=True).renderers()
    monkeypatch.delenv(DISABLE_ENTRY_POINTS_ENV)
    assert "outline" not in load_plugins(entry_points=False).renderers()


def test_duplicate_formats_from_installed_plugins_name_both_distributions(
        install: Install, example_dir: Path, example_report: civicrecord.Report,
        tmp_path: Path) -> None:
    install("civicrecord-first", {"first_ep": OUTLINE_MODULE.format(name="outline")},
            {"first": "first_ep"})
    install("civicrecord-second", {"second_ep": OUTLINE_MODULE.format(name="outline")},
            {"second": "second_ep"})
    code, out, err = run_cli("formats")
    assert code == 0 and "outline" not in [line.split()[0] for line in out.splitlines()]
    assert "'first' (from civicrecord-first)" in err
    assert "'second' (from civicrecord-second)" in err
    code, out, err = run_cli("render", str(example_dir), "-f", "outline",
                             "-o", str(tmp_path / "out"))
    assert code == 2 and out == "" and "--use outline=PLUGIN" in err
    assert not (tmp_path / "out").exists()
    code, out, err = run_cli("render", str(example_dir), "-f", "outline", "-f", "json",
                             "--use", "outline=civicrecord-second", "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert out.splitlines() == [str(tmp_path / "out" / f"{example_report.id}.{ext}")
                                for ext in ("txt", "json")]
    code, out, _ = run_cli("plugins", "--json")
    assert code == 0
    [conflict] = [row for row in json.loads(out) if row["name"] == "(conflict)"]
    assert "civicrecord-first" in conflict["error"] and "civicrecord-second" in conflict["error"]


def test_an_installed_plugin_registering_json_again_breaks_json_only(
        install: Install, example_dir: Path, example_report: civicrecord.Report,
        tmp_path: Path) -> None:
    install("civicrecord-jsonish", {"jsonish_ep": """
        import civicrecord

        def render(report, context):
            return "\\n".join(axis.title for axis in report.axes).encode()

        @civicrecord.hookimpl
        def register_renderers():
            return [civicrecord.Renderer(name, "txt", "text/plain", "Axis titles", render)
                    for name in ("json", "jsonish")]
    """}, {"jsonish": "jsonish_ep"})
    out = tmp_path / "out"
    code, stdout, err = run_cli("render", str(example_dir), "-f", "html", "-f", "docx",
                                "-f", "jsonish", "-o", str(out))
    assert code == 0, err
    assert [Path(line).name for line in stdout.splitlines()] == [
        f"{example_report.id}.{ext}" for ext in ("html", "docx", "txt")]
    assert "format 'json' is provided by 'civicrecord.renderers.json' (from civicrecord) " \
        "and 'jsonish' (from civicrecord-jsonish)" in err
    code, _, err = run_cli("render", str(example_dir), "-f", "json", "-o", str(out))
    assert code == 2 and "--use json=PLUGIN" in err
    code, stdout, err = run_cli("render", str(example_dir), "-f", "json", "--use",
                                "json=civicrecord", "-o", str(out))
    assert code == 0, err
    assert civicrecord.load(Path(stdout.strip())) == example_report


def test_civicrecord_plugins_shows_a_misspelt_hook(
        install: Install) -> None:
    install("civicrecord-typo", {"typo_ep": OUTLINE_MODULE.format(name="typo").replace(
        "def register_renderers", "def register_renderer")}, {"typo": "typo_ep"},
        version="0.3.0")
    code, out, _ = run_cli("plugins", "--json")
    assert code == 0
    [row] = [row for row in json.loads(out) if row["name"] == "typo"]
    assert row["distribution"] == "civicrecord-typo"
    assert "unknown hook 'register_renderer'" in row["error"]
    assert "did you mean 'register_renderers'?" in row["error"]
    code, out, _ = run_cli("plugins")
    assert code == 0
    [line] = [line for line in out.splitlines() if line.startswith("typo ")]
    assert "ERROR" in line and "register_renderer" in line


def test_validate_report_problems_appear_in_civicrecord_validate_with_file_and_line(
        install: Install, example_dir: Path,
        example_report: civicrecord.Report) -> None:
    install("civicrecord-city-rules", {"city_rules_ep": """
        import civicrecord
        from civicrecord import Problem, Severity

        @civicrecord.hookimpl
        def validate_report(report):
            for a, axis in enumerate(report.axes):
                if axis.id == "mobilites":
                    yield Problem(Severity.ERROR, f"axes[{a}].actions[1].title",
                                  "name the bus line's operator", "e.g. 'Synchro Bus'")
    """}, {"city-rules": "city_rules_ep"})
    code, out, err = run_cli("validate", str(example_dir))
    assert code == 1 and out == ""
    axis_file = example_dir / "axes" / "mobilites.yaml"
    a = [axis.id for axis in example_report.axes].index("mobilites")
    line, column = _key_position(axis_file, 1, "title")
    expected = (f"{axis_file}:{line}:{column}: error: axes[{a}].actions[1].title: "
                "name the bus line's operator (e.g. 'Synchro Bus')")
    assert expected in err.splitlines()
    code, out, _ = run_cli("validate", "--json", str(example_dir))
    assert code == 1
    [problem] = [p for p in json.loads(out) if "operator" in p["message"]]
    assert (problem["file"], problem["line"], problem["column"]) == (str(axis_file), line,
                                                                     column)


def test_a_plugin_that_fails_to_import_is_named_when_its_format_is_asked_for(
        install: Install, example_dir: Path,
        tmp_path: Path) -> None:
    install("civicrecord-spreadsheet",
            {"spreadsheet_ep": "import no_such_module_for_civicrecord\n"},
            {"spreadsheet": "spreadsheet_ep"})
    code, out, err = run_cli("render", str(example_dir), "-f", "spreadsheet", "-f",
                             "json", "-o", str(tmp_path / "out"))
    assert code == 2 and out == "" and not (tmp_path / "out").exists()
    assert "error: no renderer for format 'spreadsheet'" in err
    assert ("plugin 'spreadsheet' (from civicrecord-spreadsheet) failed in import: "
            "ModuleNotFoundError") in err
    code, out, err = run_cli("render", str(example_dir), "-f", "json", "-o", str(tmp_path))
    assert code == 0 and out.splitlines() == [
        str(tmp_path / f"{civicrecord.load(example_dir).id}.json")]
    assert "warning: plugin 'spreadsheet' (from civicrecord-spreadsheet)" in err


def test_a_failing_rule_of_an_installed_plugin_names_its_distribution(
        install: Install, example_dir: Path) -> None:
    install("civicrecord-house-rules", {"rules_ep": """
        import civicrecord

        @civicrecord.hookimpl
        def validate_report(report):
            raise KeyError("partners")
        """}, {"rules": "rules_ep"})
    code, _, err = run_cli("validate", str(example_dir))
    assert code == 1
    assert ("error: (document): plugin 'rules' (from civicrecord-house-rules) failed while "
            "validating: KeyError: 'partners' (fix or uninstall the plugin)") in err


def test_validate_warns_about_a_broken_plugin_and_strict_fails(
        install: Install, example_dir: Path) -> None:
    install("civicrecord-spreadsheet",
            {"spreadsheet_ep": "import no_such_module_for_civicrecord\n"},
            {"spreadsheet": "spreadsheet_ep"}, version="4.5.6")
    code, out, err = run_cli("validate", str(example_dir))
    assert code == 0 and "valid" in out
    assert ("civicrecord: warning: plugin 'spreadsheet' (from civicrecord-spreadsheet) "
            "failed in import: ModuleNotFoundError") in err
    assert "no_such_module_for_civicrecord' (fix or uninstall the plugin; `civicrecord " \
        "plugins` lists them)\n" in err
    code, out, err = run_cli("validate", "--strict", str(example_dir))
    assert code == 1 and "civicrecord: error: plugin 'spreadsheet'" in err
    # Counted as problems, not plugins: one plugin may fail twice, a conflict is two plugins.
    assert err.endswith(": 0 error(s), 0 warning(s), 1 plugin problem(s)\n")
    code, out, _ = run_cli("validate", "--json", str(example_dir))
    assert code == 0
    [entry] = [p for p in json.loads(out) if "spreadsheet" in p["message"]]
    assert entry["severity"] == "warning"
    code, out, _ = run_cli("plugins", "--json")
    [row] = [row for row in json.loads(out) if row["name"] == "spreadsheet"]
    assert (row["distribution"], row["version"]) == ("civicrecord-spreadsheet", "4.5.6")


# --- found on every call: no cache to go stale ------------------------------------------


def _format_names() -> list[str]:
    return [renderer.name for renderer in civicrecord.formats()]


def test_api_calls_see_a_plugin_installed_or_removed_between_them(
        install: Install, tmp_path: Path, example_report: civicrecord.Report) -> None:
    site = tmp_path / "site-packages"
    install("civicrecord-outline-ep", {"outline_ep": OUTLINE_MODULE.format(name="outline")},
            {"outline": "outline_ep"})
    assert "outline" in _format_names()
    install("civicrecord-late", {"late_ep": OUTLINE_MODULE.format(name="late")},
            {"late": "late_ep"})
    assert civicrecord.render(example_report, "late").decode().splitlines() == [
        axis.title for axis in example_report.axes]
    shutil.rmtree(site / "civicrecord_late-1.0.0.dist-info")  # what pip uninstall removes
    forget_listings()
    with pytest.raises(PluginError, match="no renderer for format 'late'"):
        civicrecord.render(example_report, "late")
    assert "outline" in _format_names()


def test_faults_and_conflicts_reach_api_calls_made_without_plugins(
        install: Install, example_report: civicrecord.Report) -> None:
    install("civicrecord-spreadsheet", {"spreadsheet_ep": "import no_such_module_here\n"},
            {"spreadsheet": "spreadsheet_ep"})
    with pytest.raises(PluginError, match=r"'spreadsheet' \(from civicrecord-spreadsheet\) "
                       "failed in import: ModuleNotFoundError"):
        civicrecord.render(example_report, "spreadsheet")
    install("civicrecord-first", {"first_ep": OUTLINE_MODULE.format(name="json")},
            {"first": "first_ep"})
    with pytest.raises(PluginError, match=r"'civicrecord.renderers.json' \(from civicrecord\) "
                       r"and 'first' \(from civicrecord-first\)"):
        civicrecord.render(example_report, "json")
    assert civicrecord.render(example_report, "json", use={"json": "civicrecord"}) == \
        civicrecord.render(example_report, "json", plugins=load_plugins(entry_points=False))


# --- real distributions in a temporary virtual environment ----------------------------------


def write_project(folder: Path, distribution: str, version: str, package_source: str,
                  entry_points: dict[str, str]) -> Path:
    """A plugin project as its author writes it: pyproject.toml and one package."""
    package = distribution.replace("-", "_")
    (folder / package).mkdir(parents=True)
    (folder / package / "__init__.py").write_text(textwrap.dedent(package_source), "utf-8")
    points = "".join(f'{name} = "{target}"\n' for name, target in entry_points.items())
    (folder / "pyproject.toml").write_text(textwrap.dedent(f"""\
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "{distribution}"
        version = "{version}"
        description = "A civicrecord plugin written by a test"
        dependencies = ["civicrecord"]

        [project.entry-points.civicrecord]
        """) + points, "utf-8")
    return folder


PACKAGES = {
    # distribution: (entry point name, package source)
    "civicrecord-outline": ("outline", """
        import civicrecord

        def render(report, context):
            lines = [report.title, *(f"- {axis.title}" for axis in report.axes)]
            return ("\\n".join(lines) + "\\n").encode("utf-8")

        @civicrecord.hookimpl
        def register_renderers():
            return [civicrecord.Renderer(name="outline", extension="outline.txt",
                                         media_type="text/plain",
                                         description="The axis titles", render=render)]
    """),
    "civicrecord-broken-import": ("broken-import", """
        import civicrecord_dependency_nobody_installed
    """),
    "civicrecord-broken-register": ("broken-register", """
        import civicrecord

        @civicrecord.hookimpl
        def register_renderers():
            raise RuntimeError("no formats today")
    """),
    "civicrecord-broken-render": ("broken-render", """
        import civicrecord

        def render(report, context):
            raise RuntimeError("the printer is on fire")

        @civicrecord.hookimpl
        def register_renderers():
            return [civicrecord.Renderer(name="crash", extension="txt",
                                         media_type="text/plain",
                                         description="Always fails", render=render)]
    """),
    "civicrecord-misspelt": ("misspelt", """
        import civicrecord

        @civicrecord.hookimpl
        def register_renderer():
            return []
    """),
}


#: The plugins maintained in this repository, each installable with ``pip install plugins/NAME``.
SHIPPED = {"civicrecord-csv": ["csv", "csv-schema"], "civicrecord-markdown": ["markdown"],
           "civicrecord-pdf": ["pdf"]}


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """Test plugins written here, and the shipped ones, installed by pip (not editable)."""
    projects = tmp_path_factory.mktemp("projects")
    folders = [
        write_project(projects / distribution, distribution, "1.2.3", source,
                      {entry: distribution.replace("-", "_")})
        for distribution, (entry, source) in PACKAGES.items()
    ]
    shipped = [ROOT / "plugins" / name for name in SHIPPED]
    return make_venv(tmp_path_factory.mktemp("venv") / "env", [*folders, *shipped])


@pytest.mark.slow
def test_pip_installed_plugins_are_in_the_venv(venv: Venv) -> None:
    installed = venv.distributions()
    assert installed.pop("civicrecord") == civicrecord.__version__
    for name in SHIPPED:
        assert installed.pop(name) == "0.1.0"
    assert installed == {name: "1.2.3" for name in PACKAGES}


@pytest.mark.slow
def test_formats_lists_an_installed_plugin_and_warns_about_broken_ones(venv: Venv) -> None:
    result = venv.run("civicrecord", "formats", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    # Built-in formats, then installed ones in the order of their plugins' names:
    # broken-render, csv, markdown, outline, pdf.
    assert list(rows) == [*builtin_formats(), "crash", "csv", "csv-schema", "markdown",
                          "outline", "pdf"]
    assert {k: rows["outline"][k] for k in ("plugin", "distribution", "version", "extension")} \
        == {"plugin": "outline", "distribution": "civicrecord-outline", "version": "1.2.3",
            "extension": "outline.txt"}
    warnings = result.stderr.splitlines()
    for entry, stage, error in [
        ("broken-import", "import", "ModuleNotFoundError"),
        ("broken-register", "register_renderers", "RuntimeError: no formats today"),
        ("misspelt", "register", "unknown hook 'register_renderer'"),
    ]:
        distribution = f"civicrecord-{entry}"
        assert any(f"plugin {entry!r} (from {distribution}) failed in {stage}: " in line
                   and error in line for line in warnings), (entry, warnings)


@pytest.mark.slow
def test_plugins_command_lists_hooks_versions_and_errors(venv: Venv) -> None:
    result = venv.run("civicrecord", "plugins", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["outline"] == {"name": "outline", "distribution": "civicrecord-outline",
                               "version": "1.2.3", "hooks": ["register_renderers"],
                               "builtin": False, "error": None}
    assert rows["broken-import"]["error"].startswith("import: ModuleNotFoundError")
    assert "no formats today" in rows["broken-register"]["error"]
    assert "did you mean 'register_renderers'?" in rows["misspelt"]["error"]


@pytest.mark.slow
def test_render_goes_on_past_a_failing_plugin_and_exits_1(venv: Venv, example_dir: Path,
                                                          example_report: civicrecord.Report,
                                                          tmp_path: Path) -> None:
    result = venv.run("civicrecord", "render", example_dir, "-f", "crash", "-f", "outline",
                      "-f", "json", "-o", tmp_path)
    assert result.returncode == 1
    outline = tmp_path / f"{example_report.id}.outline.txt"
    json_file = tmp_path / f"{example_report.id}.json"
    assert result.stdout.splitlines() == [str(outline), str(json_file)]
    assert outline.read_text("utf-8").splitlines() == [
        example_report.title, *(f"- {axis.title}" for axis in example_report.axes)]
    assert civicrecord.load(json_file) == example_report
    assert not (tmp_path / f"{example_report.id}.txt").exists()
    assert (f"{example_dir}: crash: error: renderer from plugin 'broken-render' failed: "
            "RuntimeError: the printer is on fire") in result.stderr.splitlines()


@pytest.mark.slow
def test_the_shipped_plugins_install_with_pip_and_render(venv: Venv, example_dir: Path,
                                                         example_report: civicrecord.Report,
                                                         tmp_path: Path) -> None:
    rows = json.loads(venv.run("civicrecord", "formats", "--json").stdout)
    provided = {row["name"]: (row["distribution"], row["version"]) for row in rows}
    for distribution, names in SHIPPED.items():
        for name in names:
            assert provided[name] == (distribution, "0.1.0")
    formats = [name for names in SHIPPED.values() for name in names]
    result = venv.run("civicrecord", "render", example_dir,
                      *(arg for name in formats for arg in ("-f", name)), "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    stem = tmp_path / example_report.id
    written = [Path(line) for line in result.stdout.splitlines()]
    assert written == [Path(f"{stem}.{ext}") for ext in ("csv", "tableschema.json", "md",
                                                          "pdf")]
    assert written[0].read_bytes().startswith(b"report_id,")
    assert json.loads(written[1].read_text("utf-8"))["fields"][0]["name"] == "report_id"
    assert written[2].read_text("utf-8").startswith(f"# {example_report.title}\n")
    assert written[3].read_bytes().startswith(b"%PDF-")


@pytest.mark.slow
def test_the_python_api_finds_the_installed_plugin(venv: Venv, example_dir: Path,
                                                   example_report: civicrecord.Report) -> None:
    result = venv.run("python", "-c", (
        "import sys, civicrecord\n"
        "report = civicrecord.load(sys.argv[1])\n"
        "sys.stdout.buffer.write(civicrecord.render(report, 'outline'))\n"), example_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [f"- {axis.title}" for axis in example_report.axes]


@pytest.mark.slow
def test_the_disable_variable_hides_installed_plugins_in_the_venv(venv: Venv) -> None:
    result = venv.run("civicrecord", "formats", "--json", autoload=False)
    assert result.returncode == 0 and result.stderr == ""
    assert [row["name"] for row in json.loads(result.stdout)] == builtin_formats()
    plugins = venv.run("civicrecord", "plugins", "--json", autoload=False)
    assert all(row["builtin"] for row in json.loads(plugins.stdout))


LATECOMER_SCRIPT = """
import json, subprocess, sys
import civicrecord

project = sys.argv[1]
pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]


def names():
    return [renderer.name for renderer in civicrecord.formats()]


seen = {"before": names()}
subprocess.run([*pip, "install", "--quiet", "--no-index", "--no-build-isolation", "--no-deps",
                project], check=True)
seen["installed"] = names()
subprocess.run([*pip, "uninstall", "--quiet", "--yes", "civicrecord-latecomer"], check=True)
seen["uninstalled"] = names()
print(json.dumps(seen))
"""


@pytest.mark.slow
def test_a_running_program_sees_a_plugin_pip_installs_on_its_next_call(
        venv: Venv, tmp_path: Path) -> None:
    source = PACKAGES["civicrecord-outline"][1].replace('"outline"', '"latecomer"')
    project = write_project(tmp_path / "latecomer", "civicrecord-latecomer", "0.1.0", source,
                            {"latecomer": "civicrecord_latecomer"})
    result = venv.run("python", "-c", LATECOMER_SCRIPT, project)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert "latecomer" not in seen["before"]
    assert "latecomer" in seen["installed"]
    assert "latecomer" not in seen["uninstalled"] and "outline" in seen["uninstalled"]


# --- import cost ---------------------------------------------------------------------------

HEAVY = ("docx", "jinja2", "lxml", "typst", "babel")


def _imported_after(code: str) -> list[str]:
    probe = (f"{code}\nimport sys\n"
             f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=60)
    return result.stdout.split()


def test_import_civicrecord_imports_no_heavy_library() -> None:
    assert _imported_after("import civicrecord") == []


def test_loading_the_plugins_imports_no_heavy_library() -> None:
    assert _imported_after(
        "from civicrecord.plugins import load_plugins\n"
        "load_plugins(entry_points=False).renderers()") == []


def test_validate_imports_no_renderer_library(example_dir: Path) -> None:
    imported = _imported_after(
        "import contextlib, io\nfrom civicrecord.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['validate', {str(example_dir)!r}])")
    assert [m for m in imported if m != "babel"] == []


# --- declared options --------------------------------------------------------------------


def test_options_from_the_command_line_are_converted_to_their_declared_type() -> None:
    def option(type_: Any, **more: Any) -> RendererOption:
        return RendererOption(name="x", type=type_, **more)

    assert option("int").convert("-12") == -12
    assert option("float").convert("2.5") == 2.5
    assert [option("bool").convert(word) for word in ("yes", "On", "1", "false", "no")] == [
        True, True, True, False, False]
    assert option("path").convert("logo.png") == Path("logo.png")
    assert option("choice", choices=("a4", "letter")).convert("letter") == "letter"
    assert option("float").convert(3) == 3.0 and option("path").convert(Path("x")) == Path("x")
    for type_, bad in [("int", "2.5"), ("int", True), ("float", "nan"), ("bool", "maybe"),
                       ("bool", 1), ("str", 3), ("path", ""), ("float", "inf")]:
        with pytest.raises(ValueError, match="must be"):
            option(type_).convert(bad)
    with pytest.raises(ValueError, match="must be one of a4, letter, not 'a5'"):
        option("choice", choices=("a4", "letter")).convert("a5")


@pytest.mark.parametrize("bad", [dict(name="Theme"), dict(name="x", type="colour"),
                                 dict(name="x", choices=("a",)), dict(name="x", type="choice")])
def test_an_option_is_declared_with_a_known_type_and_a_proper_name(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        RendererOption(**bad)


@pytest.mark.parametrize(("declared", "message"), [
    (dict(type="int", default="3"), "default '3' must be a whole number"),
    (dict(type="path", default="logo.png"), "default 'logo.png' must be a file path"),
    (dict(type="choice", choices=("a4",), default="a5"), "default 'a5' must be one of a4"),
    (dict(type="bool", default=1), "default 1 must be"),
])
def test_a_default_must_be_what_a_given_value_becomes(declared: dict[str, Any],
                                                      message: str) -> None:
    # The render function receives the default unconverted: '3' would reach it as text.
    with pytest.raises(ValueError, match=re.escape(f"option 'x': {message}")):
        RendererOption(name="x", **declared)
    assert RendererOption(name="x", type="float", default=2).default == 2
    assert RendererOption(name="x", type="path", default=Path("logo.png")).default


def test_a_renderer_says_what_its_extension_and_render_must_be() -> None:
    def renderer(**changed: Any) -> Renderer:
        return Renderer(**{"name": "ics", "extension": "ics", "media_type": "text/calendar",
                           "description": "d", "render": lambda report, context: b"",
                           **changed})

    with pytest.raises(ValueError, match=r"extension '\.ics' .* without a leading dot"):
        renderer(extension=".ics")
    with pytest.raises(TypeError, match="'render' must be callable"):
        renderer(render="render_ics")


def paged_renderer(declared: tuple[RendererOption, ...] | None) -> Renderer:
    def render(report: civicrecord.Report, context: RenderContext) -> bytes:
        return json.dumps(dict(context.options), default=str, sort_keys=True).encode()

    return Renderer("paged", "txt", "text/plain", "shows its options", render, options=declared)


PAGED_OPTIONS = (RendererOption(name="paper", type="choice", choices=("a4", "letter"),
                                default="a4", help="paper size"),
                 RendererOption(name="margin.top", type="float", help="in millimetres"))


def test_declared_options_reach_the_renderer_checked_and_with_defaults(
        example_report: civicrecord.Report) -> None:
    plugins = load_plugins([Plugin("paged", register_renderers=renderers_of(
        paged_renderer(PAGED_OPTIONS)))])

    def seen(**options: Any) -> Any:
        return json.loads(civicrecord.render(example_report, "paged", plugins=plugins,
                                             **options))

    assert seen() == {"paper": "a4"}
    assert seen(paper="letter", margin={"top": 12}) == {"paper": "letter",
                                                        "margin": {"top": 12.0}}
    assert seen(paged={"paper": "letter"}) == {"paper": "letter"}  # under the format's name
    with pytest.raises(OptionError, match=r"unknown option 'papr': format 'paged' takes "
                       r"paper \(one of a4, letter\), margin.top \(a number\)"):
        seen(papr="a4")
    with pytest.raises(OptionError, match=r"option 'margin\.top' of format 'paged' must be a "
                       r"number, not 'wide'"):
        seen(margin={"top": "wide"})


def test_a_renderer_that_declares_no_options_gets_them_unchecked(
        example_report: civicrecord.Report) -> None:
    plugins = load_plugins([Plugin("paged", register_renderers=renderers_of(
        paged_renderer(None)))])
    assert json.loads(civicrecord.render(example_report, "paged", plugins=plugins,
                                         anything={"goes": 1})) == {"anything": {"goes": 1}}


def test_cli_options_are_checked_against_the_formats_rendered(
        install: Install, example_dir: Path, example_report: civicrecord.Report,
        tmp_path: Path) -> None:
    install("civicrecord-paged", {"paged_ep": """
        import json
        import civicrecord
        from civicrecord import Renderer, RendererOption

        def render(report, context):
            return json.dumps(dict(context.options), sort_keys=True).encode()

        @civicrecord.hookimpl
        def register_renderers():
            return [Renderer("paged", "paged.json", "application/json", "options", render,
                             options=(RendererOption(name="copies", type="int", default=1,
                                                     help="how many"),))]
    """}, {"paged": "paged_ep"})
    out_dir = tmp_path / "out"
    code, _, err = run_cli("render", str(example_dir), "-f", "paged", "-f", "json",
                           "-O", "copies=x", "-o", str(out_dir))
    assert code == 2 and not out_dir.exists()
    assert ("option 'copies' of format 'paged' must be a whole number, not 'x'; format "
            "'paged' takes copies (a whole number)") in err
    code, _, err = run_cli("render", str(example_dir), "-f", "paged", "-f", "json",
                           "-O", "copeis=2", "-o", str(out_dir))
    assert code == 2 and not out_dir.exists()
    assert ("unknown option 'copeis' for the formats rendered: format 'paged' takes copies "
            "(a whole number); format 'json' takes indent (a whole number)") in err
    code, out, err = run_cli("render", str(example_dir), "-f", "paged", "-f", "json",
                             "-O", "copies=3", "-O", "json.indent=0", "-o", str(out_dir))
    assert code == 0, err
    assert json.loads((out_dir / f"{example_report.id}.paged.json").read_text()) == {
        "copies": 3}
    assert (out_dir / f"{example_report.id}.json").read_text().startswith('{\n"$schema"')
    code, out, _ = run_cli("formats", "--verbose")
    assert code == 0
    lines = out.splitlines()
    assert lines[lines.index(next(line for line in lines if line.startswith("paged "))) + 1] \
        == "    -O copies=...  a whole number, default 1: how many"
    assert "    -O indent=...  a whole number, default 2: spaces per level of indentation" \
        in lines
    rows = {row["name"]: row for row in json.loads(run_cli("formats", "--json")[1])}
    assert rows["paged"]["options"] == [{"name": "copies", "type": "int", "default": 1,
                                         "help": "how many", "choices": []}]
