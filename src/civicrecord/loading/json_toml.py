"""JSON and TOML text -> plain data, read by the standard library, and positions.

Neither ``json`` nor ``tomllib`` says where a value sits, so one token scan of
the text records where each key and list item starts. Its pattern never
backtracks (a token matches on its own characters or not at all; an unclosed
string runs to the end), so any text is scanned in time proportional to its length.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime
import json
import re
import tomllib
from typing import Any

from civicrecord.loading import source
from civicrecord.loading.source import MAX_DEPTH, MAX_VALUES, Document, Position, SourceMap
from civicrecord.problems import PathKey, Problem, format_path

__all__ = ["parse_json", "parse_toml"]

_TOKEN = re.compile(r"""
    (?P<string> \"\"\"(?:[^"\\]|\\.|"(?!""))*+(?:"{3,5})?   # TOML multi-line strings
              | '''(?:[^']|'(?!''))*+(?:'{3,5})?
              | "(?:[^"\\]|\\.)*+"?                         # unclosed: to the end
              | '[^'\n]*+'? )
  | (?P<comment> \#[^\n]*+ )
  | (?P<word> [^\s{}\[\],=:."'\#]++ )
  | (?P<punct> [{}\[\],=:.\n] )
""", re.VERBOSE | re.DOTALL)
_KEY, _VALUE, _AFTER = range(3)


class _Frame:
    """An open mapping or list: its path, and where the scan is inside it."""

    def __init__(self, path: PathKey, is_list: bool) -> None:
        self.path, self.is_list, self.state, self.index = path, is_list, _KEY, 0
        self.parts: list[tuple[str, int]] = []  # the key being read, part by part
        self.slot: PathKey = path


def _positions(text: str, name: str, toml: bool) -> tuple[SourceMap, list[Problem]]:
    """Every key's and list item's position, and duplicate JSON keys as problems; a
    :class:`SourceError` at the first level past ``MAX_DEPTH`` or value past ``MAX_VALUES``."""
    starts = [0, *(match.end() for match in re.finditer("\n", text))]
    marks: dict[PathKey, Any] = {}
    duplicates: list[Problem] = []

    def position(offset: int) -> Position:
        line = bisect.bisect_right(starts, offset) - 1
        return Position(line, offset - starts[line])

    def at(offset: int, message: str, hint: str, path: PathKey = ()) -> Problem:
        line, column = position(offset)
        return source.problem(name, line + 1, column + 1, message, hint, format_path(path))

    def mark(path: PathKey, offset: int, container: bool = False) -> None:
        if len(path) + container > MAX_DEPTH:
            raise source.SourceError([at(offset, *source.TOO_DEEP)])
        marks.setdefault(path, position(offset))

    root = _Frame((), False)
    stack = [root] if toml else []
    tables: dict[PathKey, int] = {}  # arrays of tables ([[name]]): how many so far
    header: list[tuple[str, int]] | None = None  # a [table] header being read
    array = False  # whether it is [[...]]
    values = int(toml)  # keys, texts, numbers, lists, mappings (TOML's top one unwritten)
    for match in _TOKEN.finditer(text):
        kind, token, offset = match.lastgroup, match[0], match.start()
        top = stack[-1] if stack else None
        text_like = kind in ("string", "word")
        if text_like or token in "[{":
            values += 1
            if values > MAX_VALUES:
                raise source.SourceError([at(offset, *source.TOO_MANY)])
        elif kind == "comment" or (token == "\n" and top is not root):
            continue
        if token == "\n":
            root.state, root.parts, header = _KEY, [], None
        elif header is not None:
            if text_like:
                header.append((_key_text(token), offset))
            elif token == "]" and header:
                root.path, root.state, header = _table(header, array, tables, mark), _AFTER, None
            array = array or token == "["
        elif top is None or top.is_list:
            slot = (*top.path, top.index) if top else ()
            if kind == "punct" and token in "[{":
                mark(slot, offset, True)
                stack.append(_Frame(slot, token == "["))
            elif text_like:
                mark(slot, offset)
            elif top is not None and token in ",]":
                top.index += 1
                if token == "]":
                    stack.pop()
        elif top.state == _KEY:
            if text_like:
                top.parts.append((_key_text(token), offset + (toml and kind == "string")))
            elif token in "=:" and top.parts:
                top.slot = top.path
                for part, start in top.parts:
                    top.slot = (*top.slot, part)
                    if not toml and top.slot in marks:
                        duplicates.append(at(start, f"duplicate key {part!r} (first at line "
                                             f"{marks[top.slot].line + 1})", "remove one of "
                                             "the two; JSON readers would silently keep only "
                                             "the last", top.slot))
                    mark(top.slot, start)
                top.state, top.parts = _VALUE, []
            elif token == "[" and top is root and not top.parts:
                header, array = [], False
            elif token == "}" and top is not root:
                stack.pop()
        elif top.state == _VALUE:
            if kind == "punct" and token in "[{":
                mark(top.slot, offset, True)
                stack.append(_Frame(top.slot, token == "["))
            top.state = _AFTER
        elif token in ",}" and top is not root:
            top.state = _KEY
            if token == "}":
                stack.pop()
    marks.setdefault((), Position(0, 0))
    return SourceMap(name, marks), duplicates


def _key_text(token: str) -> str:
    if token[0] != '"':
        return token[1:-1] if token[0] == "'" else token
    for read in (json.loads, lambda text: tomllib.loads(f"k = {text}")["k"]):  # JSON lacks \e
        with contextlib.suppress(ValueError):  # unclosed, in a text only checked for depth
            return str(read(token))
    return token


def _table(parts: list[tuple[str, int]], array: bool, tables: dict[PathKey, int],
           mark: Any) -> PathKey:
    """The path a TOML header names; inside an array of tables, in its last table."""
    path: PathKey = ()
    for part, _ in parts[:-1]:
        path = (*path, part)
        path = (*path, tables[path] - 1) if path in tables else path
    path = (*path, parts[-1][0])
    if array:
        tables[path] = tables.get(path, 0) + 1
        mark(path, parts[0][1], True)
        path = (*path, tables[path] - 1)
    mark(path, parts[0][1], True)
    return path


def parse_json(text: str, name: str) -> Document:
    # Duplicate keys and NaN/Infinity are let through here: the token scan and the
    # plain-data checks report them with their field path and line.
    return _parse(text, name, toml=False)


def parse_toml(text: str, name: str) -> Document:
    return _parse(text, name, toml=True)


def _parse(text: str, name: str, toml: bool) -> Document:
    try:
        data = tomllib.loads(text) if toml else json.loads(text, strict=False)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        raise source.SourceError([_syntax_problem(error, text, name)]) from None
    except RecursionError:  # far deeper than MAX_DEPTH: the scan says where it starts
        _positions(text, name, toml)
        raise
    except ValueError:
        raise _number_too_long(text, name, toml) from None
    source_map, problems = _positions(text, name, toml)  # tomllib refuses duplicate keys
    if toml:
        data = _dates_as_text(data, (), source_map, problems)
    if problems:
        raise source.SourceError(problems)
    return Document(data, source_map)


def _syntax_problem(error: ValueError, text: str, name: str) -> Problem:
    if isinstance(error, json.JSONDecodeError):
        return source.problem(name, error.lineno, error.colno, f"JSON syntax error: "
                              f"{error.msg}", "check commas, quotes and brackets near here")
    found = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
    line, column = (int(found[1]), int(found[2])) if found else (None, None)
    if found is None and "end of document" in str(error):
        line, column = text.count("\n") + 1, len(text) - text.rfind("\n")
    message = re.sub(r"\s*\(at (line|end of document).*\)", "", str(error))
    return source.problem(name, line, column, f"TOML syntax error: {message}",
                          "check quotes, '=' and [table] headers near here")


def _number_too_long(text: str, name: str, toml: bool) -> source.SourceError:
    """Python converts no integer longer than it allows, and the parser then says not
    where: the word with the most digits is the one, placed at its key or list item."""
    source_map, _ = _positions(text, name, toml)
    digits, at = max((sum(map(str.isdigit, word[0])), word.start())
                     for word in _TOKEN.finditer(text) if word.lastgroup == "word")
    start = Position(text.count("\n", 0, at), at - text.rfind("\n", 0, at) - 1)
    path = max((path for path, mark in source_map.marks.items() if mark <= start),
               key=source_map.marks.__getitem__)
    return source.SourceError([source_map.problem(
        path, f"number has {digits} digits, too many to read", "write a smaller number")])


def _dates_as_text(value: Any, path: PathKey, source_map: SourceMap,
                   problems: list[Problem]) -> Any:
    """``value`` with each TOML date as text, as the model reads partial dates; a time
    of day is a problem."""
    if isinstance(value, dict | list):
        for key, item in list(value.items() if isinstance(value, dict) else enumerate(value)):
            value[key] = _dates_as_text(item, (*path, key), source_map, problems)
    elif isinstance(value, datetime.datetime | datetime.time):
        problems.append(source_map.problem(
            path, f"{value.isoformat()!r} is a time, not a date: write YYYY, YYYY-MM or "
            "YYYY-MM-DD (e.g. 2021-05-03)", "a report dates things to the day at most"))
    elif isinstance(value, datetime.date):
        return value.isoformat()
    return value
