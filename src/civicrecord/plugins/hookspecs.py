"""The hooks a civicrecord plugin may implement (docs/plugins.md, "Hook reference").

A plugin is a module or object with functions named after these hooks and decorated
by ``civicrecord.hookimpl``, found through the entry-point group ``civicrecord``, as
built-in features are. No hook is ``firstresult``: every answer is kept, in
registration order; a plugin that raises is reported and the others work.
"""

from __future__ import annotations

from collections.abc import Iterable

import pluggy

from civicrecord.command import Command
from civicrecord.importer import Importer
from civicrecord.model import Report
from civicrecord.problems import Problem
from civicrecord.renderer import Renderer

__all__ = ["PROJECT_NAME", "hookimpl", "hookspec", "register_commands", "register_importers",
           "register_renderers", "validate_report"]

#: The pluggy project name, and the entry-point group plugins are found in.
PROJECT_NAME = "civicrecord"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_renderers() -> Iterable[Renderer]:  # type: ignore[empty-body]
    """Return the output formats this plugin provides.

    Called once per plugin set, when a format is first asked for: import heavy
    libraries in the render function, so ``civicrecord validate`` stays fast. A
    name two plugins offer disables that format only, until the user chooses one
    (``--use FORMAT=PLUGIN``) or one renderer says ``override=True``.
    """


@hookspec
def validate_report(report: Report) -> Iterable[Problem]:  # type: ignore[empty-body]
    """Yield extra problems for a report that passed the built-in rules.

    Called for every report read. Give each problem a field path such as
    ``axes[2].actions[0].partners``; civicrecord adds the file, line and column.
    Errors stop ``load`` and ``render``; a hook that raises is an error naming it.
    """


@hookspec
def register_commands() -> Iterable[Command]:  # type: ignore[empty-body]
    """Return the subcommands this plugin adds to ``civicrecord``.

    Called by every run of the command line: import heavy libraries in ``run``.
    A name taken by a built-in command or another plugin's is left out, as this
    plugin's fault.
    """


@hookspec
def register_importers() -> Iterable[Importer]:  # type: ignore[empty-body]
    """Return the systems this plugin imports reports from (``civicrecord import``).

    Called once per plugin set. A name two plugins offer disables that importer
    only, as a fault naming both.
    """
