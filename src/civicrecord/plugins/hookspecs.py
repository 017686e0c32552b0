"""The hooks a civicrecord plugin may implement.

A plugin is a module (or any object) with functions decorated by
``civicrecord.hookimpl`` and named after a hook below. Installed packages
expose theirs through the entry-point group ``civicrecord``::

    [project.entry-points.civicrecord]
    my-format = "my_package.plugin"

Built-in formats are registered through these same hooks. civicrecord calls
each hook once per plugin, in registration order (built-in modules, then
installed plugins by entry-point name, then plugins passed in), so that one
plugin's exception is reported as its fault while the others work. No hook is
``firstresult``: every plugin's answer is collected.
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
    ``civicrecord validate`` and ``import civicrecord`` stay fast. A format
    name another plugin also offers disables that format only, with a message
    naming both, until the user chooses one (``--use FORMAT=PLUGIN``) or one
    of the renderers says ``override=True`` (it replaces the other on purpose).
    """


@hookspec
def validate_report(report: Report) -> Iterable[Problem]:  # type: ignore[empty-body]
    """Yield extra problems for a report that passed the built-in rules.

    Called for every report read, after the built-in rules. Use it for a
    city's own rules ("every action names a partner"). Give each problem a
    field path such as ``axes[2].actions[0].partners``; civicrecord adds the
    file, line and column. Problems appear in ``civicrecord validate`` like
    built-in ones, and errors stop ``load`` and ``render``. A hook that raises
    becomes an error naming its plugin.
    """


@hookspec
def register_commands() -> Iterable[Command]:  # type: ignore[empty-body]
    """Return the subcommands this plugin adds to ``civicrecord``.

    Called once when the command line starts. A name already taken by a
    built-in command or another plugin's is reported as that plugin's fault and
    the command is left out; the other commands work. Import heavy libraries
    inside ``run``, not here: every ``civicrecord`` invocation calls this hook.
    """


@hookspec
def register_importers() -> Iterable[Importer]:  # type: ignore[empty-body]
    """Return the systems this plugin imports reports from (``civicrecord import``).

    Called once per plugin manager. An importer name taken by another plugin
    disables that importer only, with a message naming both plugins.
    """
