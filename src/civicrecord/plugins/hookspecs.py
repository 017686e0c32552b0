"""The hooks a civicrecord plugin may implement (docs/plugins.md, "Hook reference").

A plugin is a module (or any object) with functions decorated by
``civicrecord.hookimpl`` and named after a hook below; installed packages expose
theirs through the entry-point group ``civicrecord``. Built-in features use
these same hooks. No hook is ``firstresult``: every plugin's answer is kept, in
registration order, and a plugin that raises is reported while the others work.
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

    Called once per plugin set, when a format is first asked for. Keep it
    cheap: import heavy libraries inside the render function, not here, so
    ``civicrecord validate`` and ``import civicrecord`` stay fast. A name two
    plugins offer disables that format only, until the user chooses one
    (``--use FORMAT=PLUGIN``) or one renderer says ``override=True``.
    """


@hookspec
def validate_report(report: Report) -> Iterable[Problem]:  # type: ignore[empty-body]
    """Yield extra problems for a report that passed the built-in rules.

    Called for every report read: a city's own rules ("every action names a
    partner"). Give each problem a field path such as
    ``axes[2].actions[0].partners``; civicrecord adds the file, line and column.
    Errors stop ``load`` and ``render``; a hook that raises is an error naming it.
    """


@hookspec
def register_commands() -> Iterable[Command]:  # type: ignore[empty-body]
    """Return the subcommands this plugin adds to ``civicrecord``.

    Called once when the command line starts, by every invocation: import heavy
    libraries inside ``run``, not here. A name already taken by a built-in
    command or another plugin's is left out and reported as this plugin's fault.
    """


@hookspec
def register_importers() -> Iterable[Importer]:  # type: ignore[empty-body]
    """Return the systems this plugin imports reports from (``civicrecord import``).

    Called once per plugin manager. An importer name taken by another plugin
    disables that importer only, with a message naming both plugins.
    """
