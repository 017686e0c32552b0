"""Plugins add subcommands through ``register_commands``, isolated from each other."""

from __future__ import annotations

import argparse
from pathlib import Path
from types import SimpleNamespace

import pytest

import civicrecord.plugins
from civicrecord import cli, hookimpl
from civicrecord.command import Command
from civicrecord.importer import Importer, ImportOptions, ImportResult, SourceError
from civicrecord.plugins import load_plugins


def _greet(args: argparse.Namespace) -> int:
    print(f"hello {args.who}")
    return 0


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("who")


def _use(monkeypatch: pytest.MonkeyPatch, *plugins: object) -> None:
    monkeypatch.setattr(civicrecord.plugins, "load_plugins",
                        lambda: load_plugins(plugins, entry_points=False))


def test_a_plugin_command_runs_with_its_arguments(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    plugin = SimpleNamespace(register_commands=hookimpl(
        lambda: [Command("greet", "say hello", _configure, _greet)]))
    _use(monkeypatch, plugin)
    assert cli.main(["greet", "Chambéry"]) == 0
    assert capsys.readouterr().out == "hello Chambéry\n"


def test_a_command_named_like_a_builtin_is_left_out_and_the_rest_work(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    clash = SimpleNamespace(register_commands=hookimpl(
        lambda: [Command("validate", "not the real one", _configure, _greet)]))
    _use(monkeypatch, clash)
    assert cli.main(["schema"]) == 0
    plugins = load_plugins([clash], entry_points=False, builtins=())
    assert plugins.commands(reserved=["validate"]) == {}
    assert any("command 'validate' is provided by civicrecord itself; left out" in str(fault)
               for fault in plugins.faults)
    capsys.readouterr()


def test_a_plugin_cannot_take_a_builtin_plugins_command_away(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    clash = SimpleNamespace(__name__="clash", register_commands=hookimpl(
        lambda: [Command("new-plugin", "not the real one", _configure, _greet)]))
    plugins = load_plugins([clash], entry_points=False)
    assert plugins.commands()["new-plugin"].help != "not the real one"
    [fault] = plugins.faults
    assert fault.plugin == "clash" and "command 'new-plugin' is provided by civicrecord " \
        "itself; left out (rename it in the plugin" in fault.error
    _use(monkeypatch, clash)
    with pytest.raises(SystemExit):
        cli.main(["new-plugin", "--help"])
    assert "--importer" in capsys.readouterr().out


def test_a_command_whose_configure_raises_is_left_out_and_every_other_command_works(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def clashing(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("-h")  # argparse's own --help already has it

    broken = SimpleNamespace(__name__="broken", register_commands=hookimpl(
        lambda: [Command("broken-cmd", "cannot be set up", clashing, _greet)]))
    greeter = SimpleNamespace(__name__="greeter", register_commands=hookimpl(
        lambda: [Command("greet", "say hello", _configure, _greet)]))
    _use(monkeypatch, broken, greeter)
    assert cli.main(["greet", "Chambéry"]) == 0
    assert capsys.readouterr().out == "hello Chambéry\n"
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "broken-cmd" not in capsys.readouterr().out
    assert cli.main(["plugins"]) == 0
    assert ("ERROR register_commands: command 'broken-cmd': configure raised ArgumentError: "
            "argument -h: conflicting option string: -h; left out") in capsys.readouterr().out


def test_a_hook_returning_one_thing_instead_of_a_list_is_named_so() -> None:
    plugin = SimpleNamespace(__name__="bare", register_commands=hookimpl(lambda: "greet"))
    plugins = load_plugins([plugin], entry_points=False, builtins=())
    assert plugins.commands() == {}
    [fault] = plugins.faults
    assert fault.error == "TypeError: register_commands returned 'greet', not a list"


def test_a_failing_register_commands_is_a_fault_not_a_crash(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def broken() -> list[Command]:
        raise RuntimeError("boom")

    plugin = SimpleNamespace(register_commands=hookimpl(broken))
    _use(monkeypatch, plugin)
    assert cli.main(["schema"]) == 0
    plugins = load_plugins([plugin], entry_points=False, builtins=())
    assert plugins.commands() == {}
    assert any("RuntimeError: boom" in str(fault) for fault in plugins.faults)
    capsys.readouterr()


@pytest.mark.parametrize("name", ["Greet", "greet\n", "", "-x", "a b"])
def test_command_names_are_checked_whole(name: str) -> None:
    with pytest.raises(ValueError, match="must match"):
        Command(name, "x", _configure, _greet)


def _importer(name: str) -> Importer:
    def read(path: Path, options: ImportOptions) -> ImportResult:
        raise SourceError([])

    return Importer(name, "reads nothing", lambda path: False, read)


def test_register_importers_gives_importers_and_a_shared_name_disables_only_it() -> None:
    first = SimpleNamespace(register_importers=hookimpl(
        lambda: [_importer("decidim"), _importer("sheet")]))
    second = SimpleNamespace(register_importers=hookimpl(lambda: [_importer("decidim")]))
    assert sorted(load_plugins([first], entry_points=False).importers()) == [
        "decidim", "sheet"]
    both = load_plugins([first, second], entry_points=False)
    assert sorted(both.importers()) == ["sheet"]
    assert any("importer 'decidim' is provided by plugins 'plugin-0' and 'plugin-1'; "
               "left out" in str(fault) for fault in both.faults)
    assert sorted(both.importers()) == ["sheet"]  # asked again: the same, said once
    assert len(both.faults) == 1
