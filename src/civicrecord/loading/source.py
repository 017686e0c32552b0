"""One data file -> plain data (dicts, lists, scalars) and where each value sits in it.

People edit these files by hand, so reading them is defensive: regular files only,
a size limit, UTF-8 only (a BOM is fine), then one reader per format (YAML, JSON,
TOML), each making a :class:`Document`. Every failure is a :class:`SourceError`
whose problems carry a file, line and column.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any, NamedTuple

import attrs

from civicrecord.problems import Location, PathKey, Problem, Severity, format_path

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "MAX_VALUES", "TOO_DEEP", "TOO_MANY", "Document",
           "Position", "SourceError", "SourceMap", "decode", "problem", "read_bytes"]

#: Largest data file read, in bytes. A report is a few tens of kilobytes (the worked
#: example is 30 KB, in nine files).
MAX_FILE_BYTES = 1024 * 1024
#: Deepest nesting of mappings and lists accepted in a data file.
MAX_DEPTH = 64
#: Most values in a data file: each key, text, number, list and mapping counts one.
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

    def problem(self, path: PathKey, message: str, hint: str) -> Problem:
        """An error at ``path``, placed where the value (or its nearest parent) is."""
        return Problem(Severity.ERROR, format_path(path), message, hint, self.locate(path))


@attrs.define
class Document:
    """One data file's plain content and the positions of its values."""

    data: Any
    source_map: SourceMap


def problem(file: str, line: int | None, column: int | None, message: str,
            hint: str | None = None, path: str = "") -> Problem:
    """An error in a data file, at a place in it (line and column from 1)."""
    return Problem(Severity.ERROR, path, message, hint, Location(file, line, column))


#: The message and hint of a file past ``MAX_DEPTH``, and past ``MAX_VALUES``, in every format.
TOO_DEEP = (f"nesting is deeper than {MAX_DEPTH} levels (MAX_DEPTH)",
            "a report needs only a few levels; check for runaway brackets")
TOO_MANY = (f"more than {MAX_VALUES} values in one file (MAX_VALUES)",
            "split the report into one file per axis, or remove generated data")


def read_bytes(path: Path, name: str) -> bytes:
    """A regular file's bytes, up to ``MAX_FILE_BYTES``: opened without following a link
    or waiting (on a named pipe), then checked, so the file read is the file checked."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            info = os.fstat(fd)
            raw = os.read(fd, MAX_FILE_BYTES + 1) if stat.S_ISREG(info.st_mode) else None
        finally:
            os.close(fd)
    except (FileNotFoundError, NotADirectoryError):
        what = "missing"
    except OSError as error:
        if error.errno != errno.ELOOP:
            raise SourceError([problem(name, None, None,
                                       f"cannot read the file: {error.strerror or error}",
                                       "check the path and its permissions")]) from None
        what = "a symbolic link"
    else:
        if raw is not None and len(raw) <= MAX_FILE_BYTES:
            return raw
        if raw is not None:
            raise SourceError([problem(
                name, None, None, f"file is {max(info.st_size, len(raw))} bytes, over the "
                f"limit of {MAX_FILE_BYTES} bytes (MAX_FILE_BYTES)",
                "split the report into one file per axis, or remove pasted binary data")])
        what = "not a regular file"
    raise SourceError([problem(name, None, None, f"cannot read the file: it is {what}",
                               "data files must be regular files inside the report folder")])


_UTF8_HINT = "save it as UTF-8 (in most editors: Save as... > Encoding > UTF-8)"


def decode(raw: bytes, name: str) -> str:
    """UTF-8, with or without a BOM; any other encoding is refused with a hint."""
    raw, head = raw.removeprefix(b"\xef\xbb\xbf"), raw[:200]
    for utf16, words in [(raw.startswith((b"\xff\xfe", b"\xfe\xff")), "is encoded in UTF-16"),
                         (head.count(0) * 4 >= len(head) > 0, "looks encoded in UTF-16 "
                          "(without a BOM)")]:  # UTF-16 text is a NUL every other byte
        if utf16:
            raise SourceError([problem(name, 1, 1, f"file {words}, not UTF-8", _UTF8_HINT)])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8")) + 1  # characters
        raise SourceError([problem(name, line, column, f"file is not valid UTF-8 (byte "
                                   f"0x{raw[error.start]:02x})", _UTF8_HINT)]) from None
