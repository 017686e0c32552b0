"""Problems: what is wrong with a report, where, and what to do about it.

Every layer reports through these types (loading, validation, plugins,
renderers), so they sit at the base beside the model and import nothing of ours.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable

from attrs import frozen

__all__ = [
    "Location",
    "PathKey",
    "Problem",
    "Severity",
    "ValidationError",
    "closest",
    "format_path",
    "parse_path",
]

_SPECIAL_IN_KEY = re.compile(r'[.\[\]"]')
# Alternatives that never overlap, so matching stays linear in the path's length.
_PATH_PART = re.compile(r'\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.\[\]]+)')


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
    """``("axes", 3, "actions", 1, "status")`` -> ``axes[3].actions[1].status``.

    A key that is empty, holds ``.``, ``[``, ``]`` or ``"``, or cannot be printed
    is written quoted, ``axes[0]["a.b"]``, so that the path reads back as the
    same keys (:func:`parse_path`) and never prints a control character.
    """
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part and part.isprintable() and not _SPECIAL_IN_KEY.search(part):
            text += f".{part}" if text else part
        else:
            quoted = json.dumps(part, ensure_ascii=False)
            text += f"[{quoted if quoted.isprintable() else json.dumps(part)}]"
    return text


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest a misspelt ``word``, for a "did you mean" hint, or None."""
    import difflib  # imported by the runs that find something misspelt

    matches = difflib.get_close_matches(word, sorted(candidates), n=1)
    return matches[0] if matches else None


def parse_path(text: str) -> PathKey:
    """The keys of a path :func:`format_path` wrote, in one pass over the text."""
    parts: list[str | int] = []
    for match in _PATH_PART.finditer(text):
        index, quoted, name = match.groups()
        if index is not None:
            parts.append(int(index))
        elif quoted is not None:
            parts.append(json.loads(quoted))
        else:
            parts.append(name)
    return tuple(parts)
