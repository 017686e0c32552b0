"""The brochure's theme: the same options as the web page, read by civicrecord.

``-O theme.primary=... theme.accent=... theme.logo=...`` are checked by
:mod:`civicrecord.theme`, exactly as for the HTML format; the brochure adds the
status colours the template paints its chart with.

A theme folder (``--template-dir``) may hold ``report.typ``, which replaces the
brochure's entry template, and fonts (``*.ttf``, ``*.otf``, ``*.ttc``, also in
a ``fonts/`` subfolder) that the template may name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from civicrecord.theme import STATUS_COLOURS, THEME_OPTIONS, THEME_RENDERER_OPTIONS, Theme
from civicrecord.theme import theme_from_options as _theme_from_options

__all__ = ["THEME_OPTIONS", "THEME_RENDERER_OPTIONS", "Theme", "theme_data",
           "theme_from_options"]


def theme_from_options(options: Any, base_dir: Path | None) -> Theme:
    """The checked theme; a RenderError for anything unsafe or unknown."""
    return _theme_from_options(options, base_dir)


def theme_data(theme: Theme) -> dict[str, Any]:
    """What the Typst template reads: colours, status colours and the logo's path."""
    return {**theme.colours(), "status": {status.value: colour
                                          for status, colour in STATUS_COLOURS.items()},
            "logo": theme.logo}
