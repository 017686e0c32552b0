"""``civicrecord new-plugin NAME``: start a plugin package that installs and passes its tests.

A built-in plugin like any other: it adds its command through the
``register_commands`` hook. The package it writes has a pyproject with the
entry point, a renderer that works (its title and actions as text, with one
declared option), optionally an importer, tests that use the testing kit
(:mod:`civicrecord.testing`), and a README. The files come from
``plugin_template_files/``, filled in with :class:`string.Template`.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from importlib.resources import files
from pathlib import Path
from string import Template

from civicrecord.command import Command
from civicrecord.plugins.hookspecs import hookimpl
from civicrecord.renderer import FORMAT_NAME_PATTERN

__all__ = ["PluginTemplateError", "new_plugin", "register_commands"]

_RENDERER_NAMES = ("RenderContext", "Renderer", "RendererOption", "Report")
_IMPORTER_NAMES = ("Action", "ActionStatus", "Authority", "Importer", "ImportOptions",
                   "ImportResult", "Introduction", "Location", "Neighbourhood", "PartialDate",
                   "Problem", "ReportingPeriod", "Severity", "ThematicAxis")


def _imports(importer: bool) -> str:
    """The module's import block, sorted as isort and ruff sort it."""
    names = sorted(_RENDERER_NAMES + (_IMPORTER_NAMES if importer else ()), key=str.lower)
    listed = "".join(f"    {name},\n" for name in names)
    block = f"import civicrecord\nfrom civicrecord import (\n{listed})\n"
    if importer:
        block = (f"from pathlib import Path\n\n{block}"
                 "from civicrecord.importer import SourceError\n")
    return "\n" + block


class PluginTemplateError(Exception):
    """The plugin package cannot be written; the message says why and what to do."""


def _template(name: str) -> Template:
    return Template(files("civicrecord").joinpath("plugin_template_files", name)
                    .read_text("utf-8"))


def new_plugin(name: str, directory: Path, *, importer: bool = False) -> list[Path]:
    """Write the package ``civicrecord-NAME`` for a format NAME into ``directory``.

    ``directory`` must not exist or be empty. Every file is written into a
    temporary folder first, moved into place at the end: a failure leaves
    nothing half-written. Returns the files written.
    """
    if not FORMAT_NAME_PATTERN.fullmatch(name):
        raise PluginTemplateError(f"{name!r} cannot be a format name: use lowercase letters, "
                                  "digits and hyphens, starting with a letter (e.g. 'ics')")
    from civicrecord.plugins import load_plugins

    # The package's own tests would meet a conflict: choosing is for users, not a template.
    if name in load_plugins(entry_points=False).renderers():
        raise PluginTemplateError(f"{name!r} cannot be a format name here: civicrecord has a "
                                  f"built-in {name!r} format; choose another name (e.g. "
                                  f"'{name}-plain'), or see override=True in the plugin guide "
                                  "to replace it on purpose")
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise PluginTemplateError(f"{directory} exists and is not an empty folder: choose "
                                  "another with -o")
    package = f"civicrecord_{name.replace('-', '_')}"
    names = ['"register_renderers"', '"render"'] + (
        ['"detect"', '"read"', '"register_importers"'] if importer else [])
    values = {"name": name, "package": package, "distribution": f"civicrecord-{name}",
              "imports": _imports(importer),
              "names": ", ".join(sorted(names))}
    module = _template("plugin.py.tmpl").substitute(values)
    tests = _template("test_plugin.py.tmpl").substitute(values)
    if importer:
        module += _template("importer.py.tmpl").substitute(values)
        tests += _template("test_importer.py.tmpl").substitute(values)
    contents = {
        "pyproject.toml": _template("pyproject.toml.tmpl").substitute(values),
        "README.md": _template("README.md.tmpl").substitute(values),
        f"{package}/__init__.py": module,
        f"{package}/py.typed": "",
        f"tests/test_{package.removeprefix('civicrecord_')}.py": tests,
    }
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".civicrecord-plugin-", dir=directory.parent))
    try:
        for relative, text in contents.items():
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            (staging / relative).write_text(text, "utf-8")
        if directory.exists():
            directory.rmdir()  # empty, checked above
        staging.rename(directory)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise PluginTemplateError(f"cannot write {directory}: {error.strerror}") from None
    return [directory / relative for relative in contents]


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME",
                        help="the format's name (lowercase, e.g. 'ics'); the package is "
                        "civicrecord-NAME")
    parser.add_argument("-o", "--output", type=Path, metavar="DIR",
                        help="the folder to create (default: ./civicrecord-NAME)")
    parser.add_argument("--importer", action="store_true",
                        help="also start an importer (civicrecord import --from NAME)")


def _run(args: argparse.Namespace) -> int:
    directory = args.output or Path(f"civicrecord-{args.name}")
    try:
        written = new_plugin(args.name, directory, importer=args.importer)
    except PluginTemplateError as error:
        print(f"civicrecord: error: {error}", file=sys.stderr)
        return 2 if "format name" in str(error) else 1
    for path in written:
        print(path)
    print(f"next: pip install -e '{directory}[test]', then civicrecord plugins, "
          f"and pytest {directory}", file=sys.stderr)
    return 0


@hookimpl
def register_commands() -> list[Command]:
    return [Command("new-plugin", "start a plugin package: a format (and an importer), "
                    "its entry point and tests", _configure, _run)]
