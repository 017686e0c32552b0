"""What reading one data file gives: its plain data, and where each value sits in it.

Every reader (YAML, JSON, TOML) makes a :class:`Document`; every failure is a
:class:`SourceError` whose problems carry a file, line and column.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import attrs

from civicrecord.problems import Location, PathKey, Problem, Severity, format_path

__all__ = ["MAX_DEPTH", "MAX_VALUES", "TOO_DEEP", "TOO_MANY", "Document", "Position",
           "SourceError", "SourceMap", "problem"]

#: Deepest nesting of mappings and lists accepted in a data file.
MAX_DEPTH = 64
#: Most values (keys, texts, numbers, lists, mappings: each counts one) in a data file.
MAX_VALUES = 100_000


class SourceError(Exception):
    """A data file that cannot be read as data at all: the problems say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class Position(NamedTuple):
    """Where a value starts in its file, counted from 0 like YAML's own marks."""

    line: int
    column: int


@attrs.define
class SourceMap:
    """Where each value of one file's plain data starts, by field path.

    A mark is anything with ``line`` and ``column`` counted from 0: YAML's own
    marks are kept as the parser made them, and a :class:`Location` is made only
    for the few values a problem needs.
    """

    file: str
    marks: dict[PathKey, Any] = attrs.field(factory=dict)
    grafts: dict[PathKey, SourceMap] = attrs.field(factory=dict)
    """Other files' maps by the path their data sits at (an axis file, say)."""

    def locate(self, path: PathKey, exact: bool = False) -> Location | None:
        """Where ``path`` is, or (unless ``exact``) its nearest ancestor that has a place."""
        for end in range(len(path), -1, -1):
            graft = self.grafts.get(path[:end])
            if graft is not None:
                return graft.locate(path[end:], exact)
            mark = self.marks.get(path[:end])
            if mark is not None and (end == len(path) or not exact):
                return Location(self.file, mark.line + 1, mark.column + 1)
        return None

    def graft(self, prefix: PathKey, other: SourceMap) -> None:
        """Place another file's map under ``prefix``: its marks win below it."""
        self.grafts[prefix] = other

    def problem(self, path: PathKey, message: str, hint: str) -> Problem:
        """An error at ``path``, placed where the value (or its nearest parent) is."""
        return Problem(Severity.ERROR, format_path(path), message, hint, self.locate(path))


@attrs.define
class Document:
    """One data file's plain content and the positions of its values."""

    data: Any
    source_map: SourceMap
    file: str
    size: int = 0  # bytes read


def problem(file: str, line: int | None, column: int | None, message: str,
            hint: str | None = None, path: str = "") -> Problem:
    """An error in a data file, at a place in it (line and column from 1)."""
    return Problem(Severity.ERROR, path, message, hint, Location(file, line, column))


#: The message and hint of a file nested deeper than ``MAX_DEPTH``, in every format.
TOO_DEEP = (f"nesting is deeper than {MAX_DEPTH} levels (MAX_DEPTH)",
            "a report needs only a few levels; check for runaway brackets")
#: The message and hint of a file holding more than ``MAX_VALUES`` values.
TOO_MANY = (f"more than {MAX_VALUES} values in one file (MAX_VALUES)",
            "split the report into one file per axis, or remove generated data")
