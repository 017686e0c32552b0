"""Problems: what is wrong with a report, where, and what to do about it.

Every layer reports through these types (loading, validation, plugins,
renderers), so they sit at the base beside the model and import nothing of ours.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from attrs import frozen

__all__ = ["Location", "PathKey", "Problem", "Severity", "ValidationError", "format_path"]


class Severity(enum.Enum):
    """An error stops a report from loading; a warning is worth a look."""

    ERROR = "error"
    WARNING = "warning"


@frozen
class Location:
    """A place in a source file; line and column count from 1."""

    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.file or "<data>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@frozen
class Problem:
    """One thing wrong with a report, said so that a person can fix it."""

    severity: Severity
    path: str
    message: str
    hint: str | None = None
    location: Location | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = str(self.location) if self.location else "<data>"
        text = f"{where}: {self.severity.value}: {self.path or '(document)'}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class ValidationError(Exception):
    """Raised by :func:`civicrecord.load` with every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        errors = sum(1 for p in self.problems if p.is_error)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{errors} error(s) in the report:\n{lines}")


PathKey = tuple[str | int, ...]


def format_path(path: PathKey) -> str:
    """``("axes", 3, "actions", 1, "status")`` -> ``axes[3].actions[1].status``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            # A key is data too: never print a control character to the terminal.
            shown = part if part.isprintable() else repr(part)[1:-1]
            text += f".{shown}" if text else shown
    return text
