"""What a command is, for plugins that add one to ``civicrecord``.

A command is a small description, like a renderer: a name, one line of help,
a function that adds its arguments to an :mod:`argparse` parser and a function
that runs it. The command line asks plugins for theirs through the
``register_commands`` hook, so built-in commands that belong to one format
(``reference-docx``) and third-party ones are registered the same way.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable

from attrs import field, frozen

__all__ = ["COMMAND_NAME_PATTERN", "Command"]

#: Command names are short, lowercase words joined by hyphens.
COMMAND_NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


@frozen
class Command:
    """A subcommand of ``civicrecord`` that a plugin provides."""

    name: str
    """The subcommand's name (``reference-docx``); must not be a built-in command's."""
    help: str
    """One line shown by ``civicrecord --help``."""
    configure: Callable[[argparse.ArgumentParser], None] = field(repr=False)
    """Adds the command's arguments to its parser."""
    run: Callable[[argparse.Namespace], int] = field(repr=False)
    """Runs the command with the parsed arguments; returns the exit code (0, 1 or 2)."""

    def __attrs_post_init__(self) -> None:
        if not COMMAND_NAME_PATTERN.fullmatch(self.name):
            raise ValueError(f"command name {self.name!r} must match "
                             f"{COMMAND_NAME_PATTERN.pattern}")
