"""Files -> plain data (dicts, lists, scalars) plus where each value sits in its file.

People edit these files by hand, so reading them is defensive: a size limit, a
nesting limit, UTF-8 only (a BOM is fine), no YAML tags or aliases, no duplicate
keys. Every failure is a :class:`SourceError` with a file, line and column.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from civicrecord.validation import Location, Problem, Severity, format_path

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


@attrs.define
class SourceMap:
    """Where each value of the plain data came from, by field path."""

    positions: dict[PathKey, Location] = attrs.field(factory=dict)

    def locate(self, path: PathKey) -> Location | None:
        """The location of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            location = self.positions.get(path[:end])
            if location is not None:
                return location
        return None

    def graft(self, prefix: PathKey, other: SourceMap) -> None:
        """Add another file's positions under ``prefix`` (an axis file, say)."""
        for path, location in other.positions.items():
            self.positions[prefix + path] = location


@attrs.define
class Document:
    """One data file's plain content and the positions of its values."""

    data: Any
    source_map: SourceMap
    file: str


def _problem(file: str, line: int | None, column: int | None, message: str,
             hint: str | None = None, path: str = "") -> Problem:
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
    raise SourceError([_problem(
        name, None, None, f"unsupported file type {suffix or '(none)'!r}",
        "use a .yaml, .yml, .toml or .json file",
    )])


def _read_text(path: Path, name: str) -> str:
    try:
        if path.is_symlink() or not path.is_file():
            kind = "a symbolic link" if path.is_symlink() else "not a regular file"
            if not path.exists() and not path.is_symlink():
                kind = "missing"
            raise SourceError([_problem(
                name, None, None, f"cannot read the file: it is {kind}",
                "data files must be regular files inside the report folder",
            )])
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SourceError([_problem(
                name, None, None,
                f"file is {size} bytes, over the limit of {MAX_FILE_BYTES} bytes (MAX_FILE_BYTES)",
                "split the report into one file per axis, or remove pasted binary data",
            )])
        raw = path.read_bytes()
    except OSError as error:
        raise SourceError([_problem(name, None, None, f"cannot read the file: {error.strerror}",
                                    "check the path and its permissions")]) from None
    return decode(raw, name)


def decode(raw: bytes, name: str) -> str:
    """UTF-8, with or without a BOM; any other encoding is refused with a hint."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError([_problem(
            name, 1, 1, "file is encoded in UTF-16, not UTF-8",
            "save it as UTF-8 (in most editors: Save as... > Encoding > UTF-8)",
        )])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    head = raw[:200]
    if head.count(0) * 4 >= len(head) > 0:  # UTF-16 text is a NUL every other byte
        raise SourceError([_problem(
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
        raise SourceError([_problem(
            name, line, column,
            f"file is not valid UTF-8 (byte 0x{raw[error.start]:02x})", hint,
        )]) from None


def parse_text(text: str, name: str, fmt: str) -> Document:
    """Parse text already decoded; ``fmt`` is ``yaml``, ``toml`` or ``json``."""
    if not text.strip():
        raise SourceError([_problem(name, 1, 1, "file is empty",
                                    "a report file must hold a mapping of fields")])
    parser: Callable[[str, str], Document] = {
        "yaml": _parse_yaml, "toml": _parse_toml, "json": _parse_json,
    }[fmt]
    return parser(text, name)


# --- YAML -------------------------------------------------------------------

_ALLOWED_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}


def _parse_yaml(text: str, name: str) -> Document:
    import yaml

    class _Loader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise _YamlRefusal(
                    "YAML aliases (*name) are not supported",
                    "write the value out in full; aliases can hide huge expansions",
                    event.start_mark,
                )
            nested = self.check_event(yaml.CollectionStartEvent)
            self.depth += nested
            if self.depth > MAX_DEPTH:
                raise _YamlRefusal(
                    f"nesting is deeper than {MAX_DEPTH} levels (MAX_DEPTH)",
                    "a report needs only a few levels; check for runaway brackets",
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= nested

    text, restore = _stand_in_refused(text)
    fast = getattr(yaml, "CSafeLoader", None)  # libyaml: same results, several times faster
    loader = fast(text) if fast is not None else _Loader(text)
    try:
        if fast is not None:
            _screen_events(yaml.parse(text, Loader=fast))
        root = loader.get_single_node()
    except _YamlRefusal as refusal:
        raise SourceError([_problem(name, refusal.mark.line + 1, refusal.mark.column + 1,
                                    refusal.message, refusal.hint)]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = error.problem or error.context or "invalid YAML"
        hint = "check indentation, colons and quotes on this line or above"
        lines = text.splitlines()
        at_tab = mark is not None and mark.line < len(lines) \
            and "\t" in lines[mark.line][: mark.column + 1]
        if at_tab or "\t" in message or "tab" in message.lower():
            hint = "YAML does not allow tabs for indentation; use spaces"
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        if "maximum nesting depth" in message:  # libyaml's own limit, far above ours
            message = f"nesting is deeper than {MAX_DEPTH} levels (MAX_DEPTH)"
            hint = "a report needs only a few levels; check for runaway brackets"
        else:
            message = f"YAML syntax error: {message}"
        raise SourceError([_problem(name, line, column, message, hint)]) from None
    except yaml.reader.ReaderError as error:
        line, column = _line_col_of(text, error.position)
        raise SourceError([_problem(name, line, column,
                                    f"control or invalid character U+{error.character:04X}",
                                    "delete it; it often comes from pasting from a PDF or Word")]
                          ) from None
    except yaml.YAMLError as error:
        raise SourceError([_problem(name, None, None, f"YAML error: {error}")]) from None
    finally:
        loader.dispose()
    if root is None:
        raise SourceError([_problem(name, 1, 1, "file holds no data",
                                    "a report file must hold a mapping of fields")])
    source_map = SourceMap()
    problems: list[Problem] = []
    data = _construct(root, (), name, source_map, problems, loader)
    if problems:
        raise SourceError(problems)
    if restore is not None:
        data = restore(data)
        source_map.positions = {tuple(restore(part) for part in path): location
                                for path, location in source_map.positions.items()}
    return Document(data, source_map, name)


#: Characters YAML refuses to read at all (it names neither line nor field for them).
_YAML_REFUSED = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _stand_in_refused(text: str) -> tuple[str, Callable[[Any], Any] | None]:
    """Swap characters YAML refuses for unused private-use ones, and a way back.

    A control character pasted from a PDF then reaches the data like one written
    as an escape (``"\\x01"``), so validation reports it with its field and line
    instead of YAML failing on the whole file.
    """
    refused = sorted(set(_YAML_REFUSED.findall(text)))
    if not refused:
        return text, None
    present = set(text)
    stand_ins = (chr(c) for c in range(0xF0000, 0xFFFFE) if chr(c) not in present)
    there = {ord(char): stand_in for char, stand_in in zip(refused, stand_ins, strict=False)}
    back = {ord(stand_in): chr(char) for char, stand_in in there.items()}

    def restore(value: Any) -> Any:
        if isinstance(value, str):
            return value.translate(back)
        if isinstance(value, dict):
            return {restore(key): restore(item) for key, item in value.items()}
        if isinstance(value, list):
            return [restore(item) for item in value]
        return value

    return text.translate(there), restore


def _line_col_of(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _screen_events(events: Any) -> None:
    """Refuse aliases and runaway nesting before libyaml composes the document."""
    import yaml

    depth = 0
    for event in events:
        if isinstance(event, yaml.AliasEvent):
            raise _YamlRefusal(
                "YAML aliases (*name) are not supported",
                "write the value out in full; aliases can hide huge expansions",
                event.start_mark,
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _YamlRefusal(
                    f"nesting is deeper than {MAX_DEPTH} levels (MAX_DEPTH)",
                    "a report needs only a few levels; check for runaway brackets",
                    event.start_mark,
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


class _YamlRefusal(Exception):
    def __init__(self, message: str, hint: str, mark: Any) -> None:
        super().__init__(message)
        self.message, self.hint, self.mark = message, hint, mark


def _loc(name: str, node: Any) -> Location:
    return Location(name, node.start_mark.line + 1, node.start_mark.column + 1)


def _construct(node: Any, path: PathKey, name: str, source_map: SourceMap,
               problems: list[Problem], loader: Any) -> Any:
    import yaml

    source_map.positions.setdefault(path, _loc(name, node))
    if node.tag not in _ALLOWED_TAGS:
        problems.append(_problem(
            name, *_line_col(node), f"YAML tag {node.tag!r} is not allowed",
            "remove the tag: only plain text, numbers, true/false, lists and mappings are read",
            _format_path(path),
        ))
        return None
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                problems.append(_problem(
                    name, *_line_col(key_node), "mapping keys must be plain names",
                    "write the key as a word such as 'title'", _format_path(path),
                ))
                continue
            key = key_node.value
            if key in result:
                first = source_map.positions.get((*path, key))
                where = f" (first at line {first.line})" if first and first.line else ""
                problems.append(_problem(
                    name, *_line_col(key_node), f"duplicate key {key!r}{where}",
                    "remove one of the two; YAML would silently keep only the last",
                    _format_path((*path, key)),
                ))
                continue
            source_map.positions[(*path, key)] = _loc(name, key_node)
            result[key] = _construct(value_node, (*path, key), name, source_map, problems,
                                     loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(item, (*path, index), name, source_map, problems, loader)
            for index, item in enumerate(node.value)
        ]
    if node.tag == "tag:yaml.org,2002:timestamp":
        return node.value  # dates stay text: the model reads partial dates itself
    try:
        value = loader.construct_object(node, deep=True)
    except ValueError as error:
        message = f"unreadable value: {error}"
        if "integer string conversion" in str(error):
            message = f"number has {len(node.value)} digits, too many to read"
        problems.append(_problem(name, *_line_col(node), message,
                                 "write a smaller number", _format_path(path)))
        return None
    if (node.tag == "tag:yaml.org,2002:int" and not _DECIMAL.fullmatch(node.value)) or (
            node.tag == "tag:yaml.org,2002:float" and ":" in node.value):
        # YAML 1.1 reads 010 as 8 (octal), 0x1F as 31 and 1:30 as 90 (base 60).
        problems.append(_problem(
            name, *_line_col(node), f"{node.value!r} is not written in plain decimal digits: "
            f"YAML reads it as {value}", "write the number in decimal digits, or put it in "
            "quotes if it is text", _format_path(path)))
        return None
    return value


_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)")


def _line_col(node: Any) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


_format_path = format_path


# --- JSON -------------------------------------------------------------------


def _parse_json(text: str, name: str) -> Document:
    too_deep = _bracket_too_deep(text)
    if too_deep is not None:
        raise SourceError([_problem(name, *_line_col_of(text, too_deep),
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
        raise SourceError([_problem(name, error.lineno, error.colno,
                                    f"JSON syntax error: {error.msg}",
                                    "check commas, quotes and brackets near here")]) from None
    source_map = SourceMap()
    problems = _json_positions(text, name, source_map)
    for path, number in _find_instances(data, _HugeNumber):
        location = source_map.locate(path) or Location(name)
        problems.append(_problem(name, location.line, location.column,
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

    def location(offset: int) -> Location:
        line = bisect.bisect_right(line_starts, offset)
        return Location(name, line, offset - line_starts[line - 1] + 1)

    # Each frame: [is_dict, path, list index or current key, expecting a key]
    stack: list[list[Any]] = []
    duplicates: list[Problem] = []

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
            source_map.positions.setdefault(path, location(offset))
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
            if key_path in source_map.positions:
                first = source_map.positions[key_path]
                duplicates.append(_problem(
                    name, *_line_col_of(text, offset),
                    f"duplicate key {top[2]!r} (first at line {first.line})",
                    "remove one of the two; JSON readers would silently keep only the last",
                    format_path(key_path),
                ))
            else:
                source_map.positions[key_path] = location(offset)
        else:
            source_map.positions.setdefault(value_path(), location(offset))
    return duplicates


# --- TOML -------------------------------------------------------------------


def _parse_toml(text: str, name: str) -> Document:
    import tomllib

    too_deep = SourceError([_problem(
        name, *_line_col_of(text, _bracket_too_deep(text, MAX_DEPTH - 1) or 0),  # root table
        f"nesting is deeper than {MAX_DEPTH} levels (MAX_DEPTH)",
        "a report needs only a few levels; check for runaway brackets")])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        line, column = (int(match[1]), int(match[2])) if match else (None, None)
        if match is None and "end of document" in str(error):
            line, column = _line_col_of(text, len(text))
        message = re.sub(r"\s*\(at (line|end of document).*\)", "", str(error))
        raise SourceError([_problem(name, line, column, f"TOML syntax error: {message}",
                                    "check quotes, '=' and [table] headers near here")]
                          ) from None
    except RecursionError:
        raise too_deep from None
    if _depth(data) > MAX_DEPTH:
        raise too_deep
    _reject_toml_datetimes(data, name)
    source_map = SourceMap()
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
    source_map.positions[()] = Location(name, 1, 1)
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
                source_map.positions.setdefault(path, Location(name, number, 1))
                path = (*path, index)
            source_map.positions.setdefault(path, Location(name, number, 1))
            table = path
            continue
        if (match := key_line.match(line)) is not None:
            source_map.positions.setdefault((*table, match[2]),
                                            Location(name, number, match.start(2) + 1))
