"""What a renderer is, for the people who write one.

A renderer is a small description (a format name, a file extension, a media
type, the options it takes) and a function that turns a report into bytes.
Returning bytes rather than writing to a stream lets civicrecord write every
output atomically: a renderer that fails halfway never leaves half a file
behind. Declared options are checked and converted before the render
function sees them, so a misspelt or ill-typed option is an error naming the
format and what it takes, never silently ignored.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from attrs import field, frozen
from attrs.validators import is_callable

from civicrecord.model import Report

__all__ = [
    "FORMAT_NAME_PATTERN",
    "OPTION_TYPES",
    "OptionError",
    "OptionType",
    "RenderContext",
    "RenderError",
    "RenderFunction",
    "Renderer",
    "RendererOption",
    "parse_options",
]

#: Format names are short, lowercase and safe in file names and command lines.
FORMAT_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")
#: Option names: lowercase words, dotted to group them (``theme.primary``).
OPTION_NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*")

OptionType = Literal["str", "int", "float", "bool", "path", "choice"]
#: The types an option may declare, and how each is described to users.
OPTION_TYPES: Mapping[str, str] = MappingProxyType({
    "str": "text", "int": "a whole number", "float": "a number", "bool": "true or false",
    "path": "a file path", "choice": "one of",
})
_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def _frozen_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@frozen(kw_only=True)
class RenderContext:
    """Everything a renderer may need besides the report.

    New fields will only ever be added with defaults, so a renderer written
    today keeps working: read what you need, ignore the rest.
    """

    language: str
    """The report's language as a BCP 47 tag (``fr-FR``); labels follow it."""
    options: Mapping[str, Any] = field(factory=dict, converter=_frozen_mapping)
    """Format-specific options (``--option key=value`` on the command line)."""
    template_dir: Path | None = None
    """A folder of templates overriding the built-in ones (HTML and friends)."""
    reference_docx: Path | None = None
    """A Word document whose styles, page setup and header to use (DOCX)."""
    base_dir: Path | None = None
    """The report's folder: asset paths (a logo) are resolved inside it, never outside."""

    def option(self, name: str, default: Any = None) -> Any:
        """An option's value, or ``default`` when it was not given."""
        return self.options.get(name, default)


RenderFunction = Callable[[Report, RenderContext], bytes]


class RenderError(Exception):
    """A renderer could not produce its output; the message says what to change."""


class OptionError(RenderError):
    """An option the format does not declare, or a value of the wrong type."""


@frozen(kw_only=True)
class RendererOption:
    """One option a format takes (``-O name=value``), as ``civicrecord formats -v`` lists it."""

    name: str
    """Lowercase words, dotted to group options (``theme.primary`` is ``-O theme.primary=``)."""
    type: OptionType = "str"
    """``str``, ``int``, ``float``, ``bool``, ``path`` or ``choice``; command-line text is
    converted to it (``bool`` takes true/false, yes/no, on/off, 1/0)."""
    default: Any = None
    """The value the render function sees when the option is not given, already of the
    option's type: it is not converted (None: absent)."""
    help: str = ""
    """One line for ``civicrecord formats --verbose``."""
    choices: tuple[str, ...] = ()
    """The values a ``choice`` option accepts."""

    def __attrs_post_init__(self) -> None:
        if not OPTION_NAME_PATTERN.fullmatch(self.name):
            raise ValueError(f"option name {self.name!r} must match {OPTION_NAME_PATTERN.pattern}")
        if self.type not in OPTION_TYPES:
            raise ValueError(f"option {self.name!r}: type {self.type!r} is not one of "
                             f"{', '.join(OPTION_TYPES)}")
        if (self.type == "choice") != bool(self.choices):
            raise ValueError(f"option {self.name!r}: choices go with type 'choice', and only it")
        # The render function sees the default as is: it must be what a given value becomes.
        if self.default is not None and not self._is_converted(self.default):
            raise ValueError(f"option {self.name!r}: default {self.default!r} must be "
                             f"{self.describe()} (the render function sees it unconverted)")

    def _is_converted(self, value: Any) -> bool:
        try:
            return bool(self.convert(value) == value)  # '3' and Path('x') differ from 3 and 'x'
        except ValueError:
            return False

    def describe(self) -> str:
        """What the option takes, in words (``a whole number``, ``one of a, b``)."""
        kind = OPTION_TYPES[self.type]
        return f"{kind} {', '.join(self.choices)}" if self.type == "choice" else kind

    def convert(self, value: Any) -> Any:
        """The value as the render function gets it; ValueError says what was expected.

        Text (as the command line gives it) is parsed; any other value must
        already have the option's type.
        """
        converted = self._text(value) if isinstance(value, str) else self._value(value)
        if converted is None:
            raise ValueError(f"must be {self.describe()}, not {value!r}")
        return converted

    def _text(self, text: str) -> Any:
        if self.type in ("str", "choice"):
            return text if self.type == "str" or text in self.choices else None
        if self.type == "path":
            return Path(text) if text else None
        if self.type == "bool":
            word = text.strip().lower()
            return True if word in _TRUE else False if word in _FALSE else None
        try:
            number = int(text) if self.type == "int" else float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None

    def _value(self, value: Any) -> Any:
        if self.type == "bool":
            return value if isinstance(value, bool) else None
        if isinstance(value, bool):
            return None  # True is an int to Python, never a count to a person
        if self.type == "int":
            return value if isinstance(value, int) else None
        if self.type == "float":
            ok = isinstance(value, int | float) and math.isfinite(value)
            return float(value) if ok else None
        if self.type == "path":
            return Path(value) if isinstance(value, os.PathLike) else None
        return None


@frozen
class Renderer:
    """A format a report can be rendered to, as a plugin registers it."""

    name: str
    """Unique format name, matching ``^[a-z][a-z0-9-]*$`` (``html``, ``docx``)."""
    extension: str
    """File name extension without the dot (``html``)."""
    media_type: str
    """IANA media type of the output (``text/html``)."""
    description: str
    """One line shown by ``civicrecord formats``."""
    render: RenderFunction = field(repr=False, validator=is_callable())
    """Turns a report into the file's bytes; raise :class:`RenderError` for bad options."""
    options: tuple[RendererOption, ...] | None = field(default=None, kw_only=True)
    """The options the format takes, checked before ``render`` runs; None (the default,
    for renderers written before options were declared) passes every option unchecked."""
    override: bool = field(default=False, kw_only=True)
    """True to replace another plugin's format of the same name (a built-in one) on purpose;
    otherwise two plugins offering one name disable it until the user chooses (``--use``)."""

    def __attrs_post_init__(self) -> None:
        if not FORMAT_NAME_PATTERN.fullmatch(self.name):
            raise ValueError(f"format name {self.name!r} must match {FORMAT_NAME_PATTERN.pattern}")
        if not re.fullmatch(r"^[A-Za-z0-9][A-Za-z0-9.-]*$", self.extension):
            raise ValueError(f"extension {self.extension!r} must be letters, digits, dots and "
                             "hyphens, without a leading dot (e.g. 'summary.txt')")
        names = [option.name for option in self.options or ()]
        if len(set(names)) != len(names):
            raise ValueError(f"format {self.name!r} declares an option twice: {names}")

    def takes(self) -> str:
        """The options the format takes, in words, for error messages."""
        if self.options is None:
            return f"format {self.name!r} does not declare its options"
        if not self.options:
            return f"format {self.name!r} takes no options"
        return f"format {self.name!r} takes " + ", ".join(
            f"{option.name} ({option.describe()})" for option in self.options)

    def accepts(self, key: str) -> bool:
        """Whether a dotted option name (``theme.primary``, ``json.indent``) is this format's."""
        if self.options is None:
            return True
        declared = {option.name for option in self.options}
        return key in declared or key.removeprefix(f"{self.name}.") in declared

    def resolve_options(self, given: Mapping[str, Any], *,
                        ignore_unknown: bool = False) -> dict[str, Any]:
        """The options the render function sees: checked, converted, defaults filled in.

        ``given`` holds dotted names or nested mappings (``{"theme": {"primary": ...}}``),
        either bare or under the format's name (``{"json": {"indent": 4}}``); what is
        returned is nested. An undeclared name raises :class:`OptionError` unless
        ``ignore_unknown`` (options meant for the other formats of one run).
        """
        if self.options is None:
            return dict(given)
        declared = {option.name: option for option in self.options}
        values = {option.name: option.default for option in self.options
                  if option.default is not None}
        for key, value in _flatten(given, declared):
            name = key if key in declared else key.removeprefix(f"{self.name}.")
            option = declared.get(name)
            if option is None:
                if ignore_unknown:
                    continue
                raise OptionError(f"unknown option {key!r}: {self.takes()}")
            if value is None:
                continue
            try:
                values[name] = option.convert(value)
            except ValueError as error:
                raise OptionError(f"option {key!r} of format {self.name!r} {error}") from None
        nested: dict[str, Any] = {}
        for name, value in values.items():
            *parents, last = name.split(".")
            target = nested
            for parent in parents:
                target = target.setdefault(parent, {})
            target[last] = value
        return nested


def _flatten(given: Mapping[str, Any], declared: Mapping[str, RendererOption],
             prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in given.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and name not in declared:
            yield from _flatten(value, declared, f"{name}.")
        else:
            yield name, value


def parse_options(pairs: Sequence[str]) -> dict[str, Any]:
    """Options written ``KEY=VALUE`` (``-O theme.primary=#005a9c``), as the nested dict
    renderers take; dots group keys. Raises :class:`OptionError` for a malformed pair."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise OptionError(f"option {pair!r} must be KEY=VALUE")
        target = options
        *parents, last = key.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
            if not isinstance(target, dict):
                raise OptionError(f"option {key!r} conflicts with another option")
        if isinstance(target.get(last), dict):
            raise OptionError(f"option {key!r} conflicts with another option")
        target[last] = value
    return options
