"""What an importer is, for plugins that read another system's data into a report.

An importer is a small description, like a renderer: a name, one line of help,
a cheap test of whether a source looks like its system's export, and a function
that reads the source into a :class:`~civicrecord.model.Report`. What the source
lacks (the need at the start, the outcome) is filled with text marked ``TODO``,
so the report folder written from it validates with warnings that say what is
left to write.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from attrs import field, frozen

from civicrecord.model import Report
from civicrecord.problems import Problem

__all__ = ["IMPORTER_NAME_PATTERN", "ImportOptions", "ImportResult", "Importer", "SourceError"]

#: Importer names are short, lowercase words joined by hyphens (``decidim``).
IMPORTER_NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


@frozen(kw_only=True)
class ImportOptions:
    """What a user may choose about an import; new fields only ever come with defaults."""

    language: str | None = None
    """The language to take texts in when the source holds several (``fr``)."""


@frozen
class ImportResult:
    """A report read from another system, and what the reader noticed on the way."""

    report: Report
    problems: tuple[Problem, ...] = ()
    """Warnings with positions in the source (a status the mapping does not know...)."""


class SourceError(Exception):
    """The source cannot be read as this system's export; ``problems`` say where and why."""

    def __init__(self, problems: tuple[Problem, ...] | list[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@frozen
class Importer:
    """A system a report can be imported from, as a plugin registers it."""

    name: str
    """Unique importer name (``decidim``), chosen with ``civicrecord import --from``."""
    description: str
    """One line shown by ``civicrecord importers``."""
    detect: Callable[[Path], bool] = field(repr=False)
    """True when a file or folder looks like this system's export; cheap, never raises."""
    read: Callable[[Path, ImportOptions], ImportResult] = field(repr=False)
    """Reads the source; raises :class:`SourceError` with positions when it cannot."""

    def __attrs_post_init__(self) -> None:
        if not IMPORTER_NAME_PATTERN.fullmatch(self.name):
            raise ValueError(f"importer name {self.name!r} must match "
                             f"{IMPORTER_NAME_PATTERN.pattern}")
