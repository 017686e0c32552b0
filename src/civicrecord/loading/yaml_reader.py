"""YAML text -> plain data and source marks, in one pass over the parser's events.

Plain data is built straight from the event stream, so a file is parsed once:
refusals (aliases, nesting deeper than ``MAX_DEPTH``) are raised when their
event arrives, before anything is expanded or any deeper level is read, and
values are resolved and checked (tags, keys, duplicates, YAML 1.1 numbers)
as they are built. Both parsers give the same events: libyaml where PyYAML was
built with it, PyYAML's own otherwise. The result is what composing a node
graph and then walking it gave, refusal for refusal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from typing import Any

import yaml
from yaml import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.composer import ComposerError

from civicrecord.loading.source import (
    MAX_DEPTH,
    Document,
    PathKey,
    SourceError,
    SourceMap,
    line_col_of,
    problem,
)
from civicrecord.problems import Problem, format_path

__all__ = ["parse_yaml"]

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ, _TIMESTAMP = (
    _TAG + kind for kind in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp"))
_SCALAR_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP}
_ALLOWED_TAGS = _SCALAR_TAGS | {_MAP, _SEQ}
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)")
_TAB_HINT = "YAML does not allow tabs for indentation; use spaces"


def parse_yaml(text: str, name: str) -> Document:
    """Read one YAML document of plain values; every problem carries FILE:LINE:COL."""
    restore = None
    try:
        builder, found, data = _read(text, name, first_try=True)
    except (yaml.reader.ReaderError, UnicodeEncodeError):
        # A character YAML refuses to read at all, often a control character pasted
        # from a PDF: read again with stand-ins, so that validation names its field.
        # (Searching every file for them first costs more than the rare second read.)
        text, restore = _stand_in_refused(text)
        builder, found, data = _read(text, name, first_try=False)
    if not found:
        raise SourceError([problem(name, 1, 1, "file holds no data",
                                   "a report file must hold a mapping of fields")])
    if builder.problems:
        raise SourceError(builder.problems)
    source_map = SourceMap(name, builder.marks)
    if restore is not None:
        data = restore(data)
        source_map = SourceMap(name, {tuple(restore(part) for part in path): mark
                                      for path, mark in builder.marks.items()})
    return Document(data, source_map, name)


def _read(text: str, name: str, first_try: bool) -> tuple[_Builder, bool, Any]:
    """One pass of the parser; errors become a SourceError, but for refused characters
    on the ``first_try``."""
    loader_class = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    loader: Any = None
    try:
        loader = loader_class(text)
        builder = _Builder(loader, name)
        found, data = builder.document()
    except _YamlRefusal as refusal:
        raise SourceError([problem(name, refusal.mark.line + 1, refusal.mark.column + 1,
                                   refusal.message, refusal.hint)]) from None
    except yaml.MarkedYAMLError as error:
        raise SourceError([_syntax_problem(error, text, name)]) from None
    except yaml.reader.ReaderError as error:
        if first_try:
            raise
        line, column = line_col_of(text, error.position)
        raise SourceError([problem(name, line, column,
                                   f"control or invalid character U+{error.character:04X}",
                                   "delete it; it often comes from pasting from a PDF or Word")]
                          ) from None
    except yaml.YAMLError as error:
        raise SourceError([problem(name, None, None, f"YAML error: {error}")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return builder, found, data


def _syntax_problem(error: Any, text: str, name: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    message = error.problem or error.context or "invalid YAML"
    hint = "check indentation, colons and quotes on this line or above"
    lines = text.splitlines()
    at_tab = mark is not None and mark.line < len(lines) \
        and "\t" in lines[mark.line][: mark.column + 1]
    if at_tab or "\t" in message or "tab" in message.lower():
        hint = _TAB_HINT
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    if "maximum nesting depth" in message:  # libyaml's own limit, far above ours
        message, hint = _too_deep()
    else:
        message = f"YAML syntax error: {message}"
    return problem(name, line, column, message, hint)


def _too_deep() -> tuple[str, str]:
    return (f"nesting is deeper than {MAX_DEPTH} levels (MAX_DEPTH)",
            "a report needs only a few levels; check for runaway brackets")


class _Anything:
    def __contains__(self, item: object) -> bool:
        return True


class _YamlRefusal(Exception):
    def __init__(self, message: str, hint: str, mark: Any) -> None:
        super().__init__(message)
        self.message, self.hint, self.mark = message, hint, mark


def _alias_refusal(event: Any) -> _YamlRefusal:
    return _YamlRefusal("YAML aliases (*name) are not supported",
                        "write the value out in full; aliases can hide huge expansions",
                        event.start_mark)


def _depth_refusal(event: Any) -> _YamlRefusal:
    return _YamlRefusal(*_too_deep(), event.start_mark)


class _Builder:
    """Plain data, marks and problems from one parser's events.

    Errors a composer would raise (a duplicate anchor, a second document) wait
    until the whole stream has been read, so that a refusal or a syntax error
    anywhere in the file wins over them, as when the events were screened first.
    """

    def __init__(self, loader: Any, name: str) -> None:
        self.loader = loader
        self.get: Callable[[], Any] = loader.get_event
        self.name = name
        self.marks: dict[PathKey, Any] = {}  # the parser's own marks, kept as they are
        self.problems: list[Problem] = []
        self.anchors: dict[str, Any] = {}
        self.deferred: Exception | None = None
        self.implicit: dict[Any, list[tuple[str, re.Pattern[str]]]] = \
            loader.yaml_implicit_resolvers
        self.resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        self.plain_keys: dict[str, str] = {}  # keys repeat: each plain one resolved once
        # The first characters of plain scalars that may be something else than text.
        self.resolvable: Container[str] = _Anything() if self.implicit.get(None) \
            else frozenset(first for first in self.implicit if first is not None)

    # --- the stream -------------------------------------------------------

    def document(self) -> tuple[bool, Any]:
        """(whether the stream holds a document, its data)."""
        get = self.get
        get()  # stream start
        start = get()
        if type(start) is StreamEndEvent:
            return False, None
        root = get()
        self.marks[()] = root.start_mark
        data = self._value(root, (), 0)
        get()  # document end
        after = get()
        if type(after) is not StreamEndEvent:
            self._defer(ComposerError(
                "expected a single document in the stream", root.start_mark,
                "but found another document", after.start_mark))
            self._drain()
        if self.deferred is not None:
            raise self.deferred
        return True, data

    def _drain(self) -> None:
        """Read the rest of the stream, still refusing aliases and deep nesting."""
        depth = 0
        while True:
            event = self.get()
            kind = type(event)
            if kind is StreamEndEvent:
                return
            if kind is AliasEvent:
                raise _alias_refusal(event)
            if kind is MappingStartEvent or kind is SequenceStartEvent:
                depth += 1
                if depth > MAX_DEPTH:
                    raise _depth_refusal(event)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                depth -= 1

    def _defer(self, error: Exception) -> None:
        if self.deferred is None:
            self.deferred = error

    def _anchor(self, event: Any) -> None:
        anchor = event.anchor
        if anchor in self.anchors:
            self._defer(ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                self.anchors[anchor].start_mark, "second occurrence", event.start_mark))
        else:
            self.anchors[anchor] = event

    def _problem(self, event: Any, path: PathKey, message: str, hint: str) -> None:
        mark = event.start_mark
        self.problems.append(problem(self.name, mark.line + 1, mark.column + 1, message, hint,
                                     format_path(path)))

    # --- values -----------------------------------------------------------

    def _value(self, event: Any, path: PathKey, depth: int) -> Any:
        """The value whose first event is ``event``; its mark is recorded by the caller."""
        kind = type(event)
        if kind is ScalarEvent:
            if event.anchor is not None:
                self._anchor(event)
            if event.tag is None and not event.implicit[0]:  # quoted or a block: text
                text: str = event.value
                return text
            return self._scalar(event, path)
        if kind is MappingStartEvent or kind is SequenceStartEvent:
            depth += 1
            if depth > MAX_DEPTH:
                raise _depth_refusal(event)
            if event.anchor is not None:
                self._anchor(event)
            tag = event.tag
            if tag is not None and tag != "!" and tag not in _ALLOWED_TAGS:
                self._tag_problem(event, path, tag)
                self._skip_rest(depth)
                return None
            if kind is MappingStartEvent:
                return self._mapping(path, depth)
            return self._sequence(path, depth)
        if kind is AliasEvent:
            raise _alias_refusal(event)
        raise ComposerError(None, None, f"unexpected {event}",
                                               event.start_mark)

    def _mapping(self, path: PathKey, depth: int) -> dict[str, Any]:
        get, marks, plain_keys, resolvable = self.get, self.marks, self.plain_keys, self.resolvable
        result: dict[str, Any] = {}
        while True:
            event = get()
            kind = type(event)
            if kind is MappingEndEvent:
                return result
            key: str | None = event.value if kind is ScalarEvent else None
            if key is not None and event.tag is None and event.anchor is None \
                    and event.implicit[0]:
                tag = plain_keys.get(key)
                if tag is None:
                    tag = plain_keys[key] = self._tag_of(event)
                if tag != _STR:
                    self._key_problem(event, path)
                    key = None
            else:
                key = self._key(event, kind, path, depth)
            if key is None:
                self._skip(get(), depth)
                continue
            child = (*path, key)
            if key in result:
                first = marks.get(child)
                where = f" (first at line {first.line + 1})" if first else ""
                self._problem(event, child, f"duplicate key {key!r}{where}",
                              "remove one of the two; YAML would silently keep only the last")
                self._skip(get(), depth)
                continue
            marks[child] = event.start_mark
            event = get()
            if type(event) is ScalarEvent and event.tag is None and event.anchor is None:
                text: str = event.value
                if not event.implicit[0] or text[:1] not in resolvable:
                    result[key] = text  # quoted, a block, or plain with nothing to resolve
                    continue
            result[key] = self._value(event, child, depth)

    def _key(self, event: Any, kind: Any, path: PathKey, depth: int) -> str | None:
        """The key ``event`` names, or None once its problem is recorded."""
        if kind is AliasEvent:
            raise _alias_refusal(event)
        if kind is ScalarEvent:
            if event.anchor is not None:
                self._anchor(event)
            if self._tag_of(event) == _STR:
                value: str = event.value
                return value
        else:
            self._skip(event, depth)
        self._key_problem(event, path)
        return None

    def _key_problem(self, event: Any, path: PathKey) -> None:
        self._problem(event, path, "mapping keys must be plain names",
                      "write the key as a word such as 'title'")

    def _sequence(self, path: PathKey, depth: int) -> list[Any]:
        get, marks, resolvable = self.get, self.marks, self.resolvable
        result: list[Any] = []
        index = 0
        while True:
            event = get()
            if type(event) is SequenceEndEvent:
                return result
            child = (*path, index)
            marks[child] = event.start_mark
            index += 1
            if type(event) is ScalarEvent and event.tag is None and event.anchor is None:
                text: str = event.value
                if not event.implicit[0] or text[:1] not in resolvable:
                    result.append(text)
                    continue
            result.append(self._value(event, child, depth))

    def _skip(self, event: Any, depth: int) -> None:
        """Read past a value that is not kept (after a refused key), refusing as usual."""
        kind = type(event)
        if kind is AliasEvent:
            raise _alias_refusal(event)
        if event.anchor is not None:
            self._anchor(event)
        if kind is MappingStartEvent or kind is SequenceStartEvent:
            if depth + 1 > MAX_DEPTH:
                raise _depth_refusal(event)
            self._skip_rest(depth + 1)

    def _skip_rest(self, depth: int) -> None:
        """Read to the end of the collection just opened at ``depth``."""
        level = depth
        while level >= depth:
            event = self.get()
            kind = type(event)
            if kind is AliasEvent:
                raise _alias_refusal(event)
            if kind is MappingEndEvent or kind is SequenceEndEvent:
                level -= 1
                continue
            if event.anchor is not None:
                self._anchor(event)
            if kind is MappingStartEvent or kind is SequenceStartEvent:
                level += 1
                if level > MAX_DEPTH:
                    raise _depth_refusal(event)

    # --- scalars ----------------------------------------------------------

    def _tag_of(self, event: Any) -> str:
        tag: str | None = event.tag
        if tag is not None and tag != "!":
            return tag
        if not event.implicit[0]:
            return _STR
        value: str = event.value
        for resolved, pattern in self._resolvers(value[:1]):
            if pattern.match(value):
                return resolved
        return _STR

    def _resolvers(self, first: str) -> list[tuple[str, re.Pattern[str]]]:
        """The implicit types a plain scalar starting with ``first`` may have."""
        resolvers = self.resolvers.get(first)
        if resolvers is None:
            resolvers = self.implicit.get(first, []) + self.implicit.get(None, [])
            self.resolvers[first] = resolvers
        return resolvers

    def _scalar(self, event: Any, path: PathKey) -> Any:
        tag = self._tag_of(event)
        value: str = event.value
        if tag in (_STR, _TIMESTAMP):  # dates stay text: the model reads partial dates
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            read = self.loader.bool_values.get(value.lower())
            if read is None:
                self._problem(event, path, f"unreadable value: {value!r} is not true or false",
                              "write true or false")
            return read
        if tag in (_INT, _FLOAT):
            return self._number(event, tag, path)
        self._tag_problem(event, path, tag)
        return None

    def _number(self, event: Any, tag: str, path: PathKey) -> Any:
        value: str = event.value
        node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark)
        try:
            if tag == _INT:
                number = self.loader.construct_yaml_int(node)
            else:
                number = self.loader.construct_yaml_float(node)
        except (ValueError, IndexError) as error:  # IndexError: an empty !!int or !!float
            message = f"unreadable value: {error}"
            if "integer string conversion" in str(error):
                message = f"number has {len(value)} digits, too many to read"
            elif isinstance(error, IndexError):
                message = f"unreadable value: {value!r} is not a number"
            hint = "write a smaller number" if "digits" in message else \
                "write the number in plain decimal digits"
            self._problem(event, path, message, hint)
            return None
        if (tag == _INT and not _DECIMAL.fullmatch(value)) or (tag == _FLOAT and ":" in value):
            # YAML 1.1 reads 010 as 8 (octal), 0x1F as 31 and 1:30 as 90 (base 60).
            self._problem(event, path, f"{value!r} is not written in plain decimal digits: "
                          f"YAML reads it as {number}", "write the number in decimal digits, "
                          "or put it in quotes if it is text")
            return None
        return number

    def _tag_problem(self, event: Any, path: PathKey, tag: str) -> None:
        self._problem(event, path, f"YAML tag {tag!r} is not allowed",
                      "remove the tag: only plain text, numbers, true/false, lists and "
                      "mappings are read")


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
