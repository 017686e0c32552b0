"""Files -> plain data (dicts, lists, scalars) plus where each value sits in its file.

People edit these files by hand, so reading them is defensive: a size limit, a
nesting limit, UTF-8 only (a BOM is fine), no YAML tags or aliases, no duplicate
keys. Every failure is a :class:`SourceError` with a file, line and column.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import attrs

from civicrecord.problems import Location, Problem, Severity, format_path

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "Document",
    "SourceError",
    "SourceMap",
    "parse_text",
    "read_document",
]

#: Largest data file read, in bytes. A report is a few tens of kilobytes (the worked
#: example is 30 KB); reading costs up to ~300 bytes of memory per byte of YAML.
MAX_FILE_BYTES = 1024 * 1024
#: Deepest nesting of mappings and lists accepted in a data file.
MAX_DEPTH = 64

PathKey = tuple[str | int, ...]


class SourceError(Exception):
    """A data file that cannot be read as data at all: the problems say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class Place(NamedTuple):
    """Where a value starts, counted from 0 like YAML's own marks."""

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

    def location(self, path: PathKey) -> Location | None:
        """The location of exactly ``path``, if it has one."""
        for end in range(len(path), -1, -1):
            graft = self.grafts.get(path[:end])
            if graft is not None:
                return graft.location(path[end:])
        mark = self.marks.get(path)
        return self._location(mark) if mark is not None else None

    def locate(self, path: PathKey) -> Location | None:
        """The location of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            graft = self.grafts.get(prefix)
            if graft is not None:
                return graft.locate(path[end:])
            mark = self.marks.get(prefix)
            if mark is not None:
                return self._location(mark)
        return None

    def graft(self, prefix: PathKey, other: SourceMap) -> None:
        """Place another file's map under ``prefix``: its marks win below it."""
        self.grafts[prefix] = other

    def _location(self, mark: Any) -> Location:
        return Location(self.file, mark.line + 1, mark.column + 1)


@attrs.define
class Document:
    """One data file's plain content and the positions of its values."""

    data: Any
    source_map: SourceMap
    file: str


def problem(file: str, line: int | None, column: int | None, message: str,
            hint: str | None = None, path: str = "") -> Problem:
    """An error in a data file, at a place in it."""
    return Problem(Severity.ERROR, path, message, hint, Location(file, line, column))


def read_document(path: Path, display_name: str | None = None) -> Document:
    """Read one YAML, TOML or JSON file by its extension."""
    name = display_name or str(path)
    text = _read_text(path, name)
    return parse_text(text, name, _format_of(path, name))


def _format_of(path: Path, name: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix in (".toml", ".json"):
        return suffix[1:]
    raise SourceError([problem(
        name, None, None, f"unsupported file type {suffix or '(none)'!r}",
        "use a .yaml, .yml, .toml or .json file",
    )])


def _read_text(path: Path, name: str) -> str:
    try:
        mode_size = _regular_file(path)
        if isinstance(mode_size, str):
            raise SourceError([problem(
                name, None, None, f"cannot read the file: it is {mode_size}",
                "data files must be regular files inside the report folder",
            )])
        if mode_size > MAX_FILE_BYTES:
            raise SourceError([problem(
                name, None, None,
                f"file is {mode_size} bytes, over the limit of {MAX_FILE_BYTES} bytes "
                "(MAX_FILE_BYTES)",
                "split the report into one file per axis, or remove pasted binary data",
            )])
        with open(path, "rb") as stream:
            raw = stream.read()
    except OSError as error:
        raise SourceError([problem(name, None, None, f"cannot read the file: {error.strerror}",
                                   "check the path and its permissions")]) from None
    return decode(raw, name)


def _regular_file(path: Path) -> int | str:
    """The size of a regular file, or what it is instead (one ``lstat``, links not followed)."""
    try:
        info = os.lstat(path)
    except OSError as error:
        if error.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.EBADF):
            return "missing"
        raise
    if stat.S_ISLNK(info.st_mode):
        return "a symbolic link"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    return info.st_size


def decode(raw: bytes, name: str) -> str:
    """UTF-8, with or without a BOM; any other encoding is refused with a hint."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError([problem(
            name, 1, 1, "file is encoded in UTF-16, not UTF-8",
            "save it as UTF-8 (in most editors: Save as... > Encoding > UTF-8)",
        )])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    head = raw[:200]
    if head.count(0) * 4 >= len(head) > 0:  # UTF-16 text is a NUL every other byte
        raise SourceError([problem(
            name, 1, 1, "file looks encoded in UTF-16 (without a BOM), not UTF-8",
            "save it as UTF-8 (in most editors: Save as... > Encoding > UTF-8)",
        )])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8")) + 1  # characters
        hint = "save it as UTF-8 (in most editors: Save as... > Encoding > UTF-8)"
        raise SourceError([problem(
            name, line, column,
            f"file is not valid UTF-8 (byte 0x{raw[error.start]:02x})", hint,
        )]) from None


def parse_text(text: str, name: str, fmt: str) -> Document:
    """Parse text already decoded; ``fmt`` is ``yaml``, ``toml`` or ``json``."""
    if not text.strip():
        raise SourceError([problem(name, 1, 1, "file is empty",
                                    "a report file must hold a mapping of fields")])
    if fmt == "yaml":
        from civicrecord.loading.yaml_reader import parse_yaml

        return parse_yaml(text, name)
    parser: Callable[[str, str], Document] = {"toml": _parse_toml, "json": _parse_json}[fmt]
    return parser(text, name)


def line_col_of(text: str, offset: int) -> tuple[int, int]:
    """Line and column (from 1) of a character offset in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# --- JSON -------------------------------------------------------------------


def _parse_json(text: str, name: str) -> Document:
    too_deep = _bracket_too_deep(text)
    if too_deep is not None:
        raise SourceError([problem(name, *line_col_of(text, too_deep),
                                    f"nesting is deeper than {MAX_DEPTH} levels (MAX_DEPTH)",
                                    "a report needs only a few levels; check for runaway "
                                    "brackets")])

    huge: list[_HugeNumber] = []

    def parse_int(token: str) -> int | _HugeNumber:
        try:
            return int(token)
        except ValueError:  # more digits than Python converts
            huge.append(_HugeNumber(len(token.lstrip("-"))))
            return huge[-1]

    # Duplicate keys, NaN/Infinity and huge numbers are let through here: the token
    # scan and the plain-data checks report them with their field path and line.
    try:
        data = json.loads(text, parse_int=parse_int, strict=False)
    except json.JSONDecodeError as error:
        raise SourceError([problem(name, error.lineno, error.colno,
                                    f"JSON syntax error: {error.msg}",
                                    "check commas, quotes and brackets near here")]) from None
    source_map = SourceMap(name)
    problems = _json_positions(text, name, source_map)
    for path, number in _find_instances(data, _HugeNumber):
        location = source_map.locate(path) or Location(name)
        problems.append(problem(name, location.line, location.column,
                                 f"number has {number.digits} digits, too many to read",
                                 "write a smaller number", format_path(path)))
    if problems:
        raise SourceError(problems)
    return Document(data, source_map, name)


@attrs.frozen
class _HugeNumber:
    digits: int


def _find_instances(data: Any, cls: type) -> list[tuple[PathKey, Any]]:
    found: list[tuple[PathKey, Any]] = []
    stack: list[tuple[PathKey, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, cls):
            found.append((path, value))
        elif isinstance(value, dict):
            stack.extend(((*path, key), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in enumerate(value))
    return found


def _bracket_too_deep(text: str, limit: int = MAX_DEPTH) -> int | None:
    """The offset where brackets nest deeper than ``limit``, before a parser recurses."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match[0]
        if token in ("{", "["):
            depth += 1
            if depth > limit:
                return match.start()
        elif token in ("}", "]"):
            depth -= 1
    return None


def _depth(data: Any) -> int:
    """How many mappings and lists nest inside each other (a scalar is 0)."""
    depth, level = 0, [data]
    while depth <= MAX_DEPTH:
        containers = [item for item in level if isinstance(item, dict | list)]
        if not containers:
            break
        depth += 1
        level = [child for item in containers
                 for child in (item.values() if isinstance(item, dict) else item)]
    return depth


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)


def _json_positions(text: str, name: str, source_map: SourceMap) -> list[Problem]:
    """Record the position of every key and list item by a light token scan.

    Only called on text ``json.loads`` accepted, so the tokens are well formed.
    Returns a problem for each duplicate key, which ``json.loads`` keeps quietly.
    """
    import bisect

    line_starts = [0]
    line_starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")

    def location(offset: int) -> Place:
        line = bisect.bisect_right(line_starts, offset)
        return Place(line - 1, offset - line_starts[line - 1])

    # Each frame: [is_dict, path, list index or current key, expecting a key]
    stack: list[list[Any]] = []
    duplicates: list[Problem] = []
    marks = source_map.marks

    def value_path() -> PathKey:
        if not stack:
            return ()
        _, path, slot, _ = stack[-1]
        return (*path, slot)

    for match in _JSON_TOKEN.finditer(text):
        token, offset = match.group(), match.start()
        top = stack[-1] if stack else None
        if token in ("{", "["):
            path = value_path()
            marks.setdefault(path, location(offset))
            stack.append([token == "{", path, 0 if token == "[" else None, token == "{"])
        elif token in ("}", "]"):
            stack.pop()
        elif token == ",":
            if top is not None:
                if top[0]:
                    top[3] = True
                else:
                    top[2] += 1
        elif token == ":":
            continue
        elif top is not None and top[0] and top[3]:
            top[2] = json.loads(token, strict=False)
            top[3] = False
            key_path = (*top[1], top[2])
            if key_path in marks:
                first = marks[key_path]
                duplicates.append(problem(
                    name, *line_col_of(text, offset),
                    f"duplicate key {top[2]!r} (first at line {first.line + 1})",
                    "remove one of the two; JSON readers would silently keep only the last",
                    format_path(key_path),
                ))
            else:
                marks[key_path] = location(offset)
        else:
            marks.setdefault(value_path(), location(offset))
    return duplicates


# --- TOML -------------------------------------------------------------------


def _parse_toml(text: str, name: str) -> Document:
    import tomllib

    too_deep = SourceError([problem(
        name, *line_col_of(text, _bracket_too_deep(text, MAX_DEPTH - 1) or 0),  # root table
        f"nesting is deeper than {MAX_DEPTH} levels (MAX_DEPTH)",
        "a report needs only a few levels; check for runaway brackets")])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        line, column = (int(match[1]), int(match[2])) if match else (None, None)
        if match is None and "end of document" in str(error):
            line, column = line_col_of(text, len(text))
        message = re.sub(r"\s*\(at (line|end of document).*\)", "", str(error))
        raise SourceError([problem(name, line, column, f"TOML syntax error: {message}",
                                    "check quotes, '=' and [table] headers near here")]
                          ) from None
    except RecursionError:
        raise too_deep from None
    if _depth(data) > MAX_DEPTH:
        raise too_deep
    _reject_toml_datetimes(data, name)
    source_map = SourceMap(name)
    _toml_positions(text, name, data, source_map)
    return Document(data, source_map, name)


def _reject_toml_datetimes(data: Any, name: str) -> None:
    """TOML reads bare dates as date objects; the model wants its own partial dates."""
    import datetime

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, datetime.datetime | datetime.time):
            return value.isoformat()
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, float) and not math.isfinite(value):
            return value
        return value

    data.update(walk(data))


def _toml_positions(text: str, name: str, data: Any, source_map: SourceMap) -> None:
    """Best-effort positions: TOML's parser gives none, so find keys and headers by line."""
    marks = source_map.marks
    marks[()] = Place(0, 0)
    header = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
    key_line = re.compile(r'^\s*("?)([A-Za-z0-9_$-]+)\1\s*=')
    table: PathKey = ()
    counters: dict[PathKey, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if (match := header.match(line)) is not None:
            parts: list[str | int] = []
            for raw in match[2].split("."):
                parts.append(raw.strip().strip('"'))
            path: PathKey = tuple(parts)
            if match[1] == "[[":
                index = counters.get(path, -1) + 1
                counters[path] = index
                marks.setdefault(path, Place(number - 1, 0))
                path = (*path, index)
            marks.setdefault(path, Place(number - 1, 0))
            table = path
            continue
        if (match := key_line.match(line)) is not None:
            marks.setdefault((*table, match[2]), Place(number - 1, match.start(2)))
