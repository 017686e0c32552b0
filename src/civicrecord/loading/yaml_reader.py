"""YAML text -> plain data and positions, by walking the nodes ``yaml.compose`` gives.

PyYAML composes the node tree (in C where it was built with libyaml); every node
carries its ``start_mark``. The walk turns nodes into plain values and refuses,
with a line and column, what a hand-typed report never needs: tags, aliases,
keys that are not text, duplicate keys, YAML 1.1 octal and base-60 numbers,
nesting deeper than ``MAX_DEPTH``, and more than ``MAX_VALUES`` values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from civicrecord.loading import source
from civicrecord.loading.source import MAX_DEPTH, MAX_VALUES, Document, SourceError, SourceMap
from civicrecord.problems import PathKey, Problem, format_path

__all__ = ["parse_yaml"]

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ, _TIMESTAMP = (
    _TAG + kind for kind in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp"))
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)")
_ALIAS = ("YAML aliases (*name) are not supported",
          "write the value out in full; aliases can hide huge expansions")
_TAG_HINT = "remove the tag: only plain text, numbers, true/false, lists and mappings are read"
#: Characters YAML refuses to read at all (it names neither line nor field for them),
#: and the line breaks it counts that editors do not (U+0085, U+2028, U+2029).
_SET_ASIDE = re.compile(  # listed, not negated: a negated class this wide compiles slowly
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def parse_yaml(text: str, name: str) -> Document:
    """Read one YAML document of plain values; every problem carries FILE:LINE:COL."""
    text, restore = _set_aside(text) if _SET_ASIDE.search(text) else (text, None)
    loader_class = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    try:
        # An alias needs an anchor, and composing would share it; libyaml counts events
        # in C, with no object made, so a file of too many values is refused first.
        if ("&" in text and "*" in text) or _event_count(text, loader_class) > MAX_VALUES:
            _scan_events(text, loader_class, name)
        loader = loader_class(text)
        try:
            try:
                root = loader.get_single_node()
            except yaml.MarkedYAMLError:
                _scan_events(text, loader_class, name)  # a refusal earlier in the stream wins
                raise
            if root is None:
                raise SourceError([source.problem(name, 1, 1, "file holds no data",
                                                  "a report file must hold a mapping of fields")])
            walk = _Walk(loader, name)
            data = walk.value(root, (), 0)
            if walk.problems:  # the values they set aside may still hide a refusal
                _scan_events(text, loader_class, name)
                raise SourceError(walk.problems)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        raise SourceError([_syntax_problem(error, text, name)]) from None
    marks = {(): root.start_mark, **walk.marks}
    if restore is not None:
        data = restore(data)
        marks = {tuple(restore(part) for part in path): mark for path, mark in marks.items()}
    return Document(data, SourceMap(name, marks))


def _at(name: str, mark: Any, message: str, hint: str, path: PathKey = ()) -> Problem:
    return source.problem(name, mark.line + 1, mark.column + 1, message, hint, format_path(path))


def _event_count(text: str, loader_class: Any) -> float:
    """The events libyaml parses in ``text`` (at least one per value); infinite without
    libyaml or if the text does not parse, for the scan below to say where."""
    try:
        return float(loader_class(text).raw_parse())  # libyaml's parser holds no cycle
    except (AttributeError, yaml.MarkedYAMLError):
        return float("inf")


def _scan_events(text: str, loader_class: Any, name: str) -> None:
    """Refuse the first alias, level too deep or value past ``MAX_VALUES`` in the event
    stream, if any: events come before nodes are built or shared, so each is refused
    at its own place."""
    loader = loader_class(text)
    try:
        depth = values = 0
        while not isinstance(event := loader.get_event(), yaml.StreamEndEvent):
            if isinstance(event, yaml.AliasEvent):
                raise SourceError([_at(name, event.start_mark, *_ALIAS)])
            values += isinstance(event, yaml.NodeEvent)
            if values > MAX_VALUES:
                raise SourceError([_at(name, event.start_mark, *source.TOO_MANY)])
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise SourceError([_at(name, event.start_mark, *source.TOO_DEEP)])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()


def _syntax_problem(error: Any, text: str, name: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    message = error.problem or error.context or "invalid YAML"
    hint = "check indentation, colons and quotes on this line or above"
    at_tab = mark is not None and "\t" in text[text.rfind("\n", 0, mark.index) + 1:
                                               mark.index + 1]
    if at_tab or "tab" in message.lower():
        hint = "YAML does not allow tabs for indentation; use spaces"
    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
    if "maximum nesting depth" in message:  # libyaml's limit, met while it looks ahead:
        try:  # read up to there, it finds the level one too deep, or an error before it
            _scan_events(text[:mark.index], yaml.CSafeLoader, name)
        except yaml.MarkedYAMLError as earlier:
            return _syntax_problem(earlier, text, name)
    return source.problem(name, line, column, f"YAML syntax error: {message}", hint)


class _Walk:
    """Plain values, marks and problems from one composed node tree."""

    def __init__(self, loader: Any, name: str) -> None:
        self.loader, self.name = loader, name
        self.marks: dict[PathKey, Any] = {}
        self.problems: list[Problem] = []

    def value(self, node: Node, path: PathKey, depth: int) -> Any:
        """The value of ``node``, inside ``depth`` mappings and lists."""
        tag = node.tag
        if type(node) is ScalarNode:
            if tag in (_STR, _TIMESTAMP):  # dates stay text: the model reads partial dates
                return node.value
            return self._scalar(node, tag, path)
        if depth >= MAX_DEPTH:
            raise SourceError([_at(self.name, node.start_mark, *source.TOO_DEEP)])
        if tag == _SEQ and type(node) is SequenceNode:
            return [self._child(path, index, item, item, depth)
                    for index, item in enumerate(node.value)]
        if tag != _MAP or type(node) is not MappingNode:
            self._problem(node, path, f"YAML tag {tag!r} is not allowed", _TAG_HINT)
            return None
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if type(key_node) is not ScalarNode or key_node.tag != _STR:
                self._problem(key_node, path, "mapping keys must be plain names",
                              "write the key as a word such as 'title'")
            elif key in result:
                self._problem(key_node, (*path, key), f"duplicate key {key!r} (first at line "
                              f"{self.marks[(*path, key)].line + 1})",
                              "remove one of the two; YAML would silently keep only the last")
            else:
                result[key] = self._child(path, key, key_node, value_node, depth)
        return result

    def _child(self, path: PathKey, key: str | int, at: Node, node: Node, depth: int) -> Any:
        """The value of ``node`` at ``path`` + ``key``, marked where ``at`` starts."""
        here = (*path, key)
        self.marks[here] = at.start_mark
        return self.value(node, here, depth + 1)

    def _scalar(self, node: ScalarNode, tag: str, path: PathKey) -> Any:
        value: str = node.value
        read = None if tag != _BOOL else self.loader.bool_values.get(value.lower())
        if tag == _NULL or read is not None:
            return read
        try:
            if tag == _INT and _DECIMAL.fullmatch(value):
                return int(value.replace("_", ""))
            if tag == _FLOAT and ":" not in value:
                return self.loader.construct_yaml_float(node)
            if tag in (_INT, _FLOAT):  # YAML 1.1 reads 010 as 8, 0x1F as 31, 1:30 as 90
                number = self.loader.construct_object(node)
                message, hint = (f"{value!r} is not written in plain decimal digits: YAML reads "
                                 f"it as {number}", "write the number in decimal digits, or put "
                                 "it in quotes if it is text")
            elif tag == _BOOL:
                message, hint = (f"unreadable value: {value!r} is not true or false",
                                 "write true or false")
            else:
                message, hint = (f"YAML tag {tag!r} is not allowed", _TAG_HINT)
        except (ValueError, IndexError) as error:  # IndexError: an empty !!int or !!float
            message, hint = (f"unreadable value: {value!r} is not a number" if isinstance(
                error, IndexError) else f"unreadable value: {error}",
                "write the number in plain decimal digits")
            if "integer string conversion" in str(error):
                message, hint = (f"number has {len(value)} digits, too many to read",
                                 "write a smaller number")
        self._problem(node, path, message, hint)
        return None

    def _problem(self, node: Node, path: PathKey, message: str, hint: str) -> None:
        self.problems.append(_at(self.name, node.start_mark, message, hint, path))


def _set_aside(text: str) -> tuple[str, Callable[[Any], Any]]:
    """Swap characters YAML refuses or counts as line breaks for unused private-use ones:
    validation then reports a pasted control character with its field and line, and
    lines are counted as an editor counts them, at ``\\n``."""
    present = set(text)
    stand_ins = (chr(c) for c in range(0xF0000, 0xFFFFE) if chr(c) not in present)
    there = {ord(char): stand_in for char, stand_in in
             zip(sorted(set(_SET_ASIDE.findall(text))), stand_ins, strict=False)}
    back = {ord(stand_in): chr(char) for char, stand_in in there.items()}

    def restore(value: Any) -> Any:
        if isinstance(value, str):
            return value.translate(back)
        if isinstance(value, dict):
            return {restore(key): restore(item) for key, item in value.items()}
        return [restore(item) for item in value] if isinstance(value, list) else value

    return text.translate(there), restore
