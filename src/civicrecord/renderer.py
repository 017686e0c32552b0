"""What a renderer is, for the people who write one.

A renderer is a small description (a format name, a file extension, a media
type) and a function that turns a report into bytes. Returning bytes rather
than writing to a stream lets civicrecord write every output atomically: a
renderer that fails halfway never leaves half a file behind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from attrs import field, frozen

from civicrecord.model import Report

__all__ = ["FORMAT_NAME_PATTERN", "RenderContext", "RenderError", "RenderFunction", "Renderer"]

#: Format names are short, lowercase and safe in file names and command lines.
FORMAT_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")


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
    render: RenderFunction = field(repr=False)
    """Turns a report into the file's bytes; raise :class:`RenderError` for bad options."""

    def __attrs_post_init__(self) -> None:
        if not FORMAT_NAME_PATTERN.fullmatch(self.name):
            raise ValueError(f"format name {self.name!r} must match {FORMAT_NAME_PATTERN.pattern}")
        if not re.fullmatch(r"^[A-Za-z0-9][A-Za-z0-9.-]*$", self.extension):
            raise ValueError(f"extension {self.extension!r} must be letters, digits and dots")


class RenderError(Exception):
    """A renderer could not produce its output; the message says what to change."""
