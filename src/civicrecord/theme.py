"""A city's theme: its colours and logo, checked once for every format.

The same ``-O theme.primary=... theme.accent=... theme.logo=...`` options serve
the web page and the printed brochure, so they are read and checked here, in
one place: unknown options are an error, colours are ``#rgb``, ``#rrggbb`` or
a CSS colour name, and the logo is a picture file inside the report folder.
Text colours are derived from the city's colours so that text keeps a WCAG AA
contrast whatever colour is picked: a pale brand colour never makes a page
unreadable. Each renderer turns the result into what it writes (CSS custom
properties, a ``data:`` URI, a path for Typst).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

from attrs import frozen

from civicrecord.model import ActionStatus
from civicrecord.renderer import RendererOption, RenderError

__all__ = [
    "NAMED_COLOURS",
    "RGB",
    "STATUS_COLOURS",
    "THEME_OPTIONS",
    "THEME_RENDERER_OPTIONS",
    "Theme",
    "contrast",
    "theme_from_options",
]

#: What ``context.options["theme"]`` may hold.
THEME_OPTIONS = ("primary", "accent", "logo")
#: The same, declared as a format's options (``-O theme.primary=#005a9c``).
THEME_RENDERER_OPTIONS = (
    RendererOption(name="theme.primary", help="main colour, such as #005a9c (headings, bars)"),
    RendererOption(name="theme.accent", help="second colour, such as #e07b00 (highlights)"),
    RendererOption(name="theme.logo", help="an image file inside the report folder"),
)
#: Each status's colour, AA-readable on white.
STATUS_COLOURS: Mapping[ActionStatus, str] = MappingProxyType({
    ActionStatus.DONE: "#1d7035",
    ActionStatus.ONGOING: "#0d5c9e",
    ActionStatus.IN_PROGRESS: "#9a4a00",
    ActionStatus.PLANNED: "#5b4a9e",
    ActionStatus.NOT_ASSESSED: "#555f69",
    ActionStatus.ABANDONED: "#a4261d",
})

RGB = tuple[int, int, int]

_MAX_LOGO_BYTES = 2_000_000
#: Logo pictures by file name extension: media type, and how their content starts.
LOGO_TYPES: Mapping[str, tuple[str, tuple[bytes, ...]]] = MappingProxyType({
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".svg": ("image/svg+xml", ()),
})
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_NAMED_COLOUR_TABLE = """
    aliceblue:f0f8ff antiquewhite:faebd7 aqua:00ffff aquamarine:7fffd4 azure:f0ffff
    beige:f5f5dc bisque:ffe4c4 black:000000 blanchedalmond:ffebcd blue:0000ff
    blueviolet:8a2be2 brown:a52a2a burlywood:deb887 cadetblue:5f9ea0 chartreuse:7fff00
    chocolate:d2691e coral:ff7f50 cornflowerblue:6495ed cornsilk:fff8dc crimson:dc143c
    cyan:00ffff darkblue:00008b darkcyan:008b8b darkgoldenrod:b8860b darkgray:a9a9a9
    darkgreen:006400 darkgrey:a9a9a9 darkkhaki:bdb76b darkmagenta:8b008b
    darkolivegreen:556b2f darkorange:ff8c00 darkorchid:9932cc darkred:8b0000
    darksalmon:e9967a darkseagreen:8fbc8f darkslateblue:483d8b darkslategray:2f4f4f
    darkslategrey:2f4f4f darkturquoise:00ced1 darkviolet:9400d3 deeppink:ff1493
    deepskyblue:00bfff dimgray:696969 dimgrey:696969 dodgerblue:1e90ff firebrick:b22222
    floralwhite:fffaf0 forestgreen:228b22 fuchsia:ff00ff gainsboro:dcdcdc ghostwhite:f8f8ff
    gold:ffd700 goldenrod:daa520 gray:808080 green:008000 greenyellow:adff2f grey:808080
    honeydew:f0fff0 hotpink:ff69b4 indianred:cd5c5c indigo:4b0082 ivory:fffff0 khaki:f0e68c
    lavender:e6e6fa lavenderblush:fff0f5 lawngreen:7cfc00 lemonchiffon:fffacd
    lightblue:add8e6 lightcoral:f08080 lightcyan:e0ffff lightgoldenrodyellow:fafad2
    lightgray:d3d3d3 lightgreen:90ee90 lightgrey:d3d3d3 lightpink:ffb6c1 lightsalmon:ffa07a
    lightseagreen:20b2aa lightskyblue:87cefa lightslategray:778899 lightslategrey:778899
    lightsteelblue:b0c4de lightyellow:ffffe0 lime:00ff00 limegreen:32cd32 linen:faf0e6
    magenta:ff00ff maroon:800000 mediumaquamarine:66cdaa mediumblue:0000cd
    mediumorchid:ba55d3 mediumpurple:9370db mediumseagreen:3cb371 mediumslateblue:7b68ee
    mediumspringgreen:00fa9a mediumturquoise:48d1cc mediumvioletred:c71585
    midnightblue:191970 mintcream:f5fffa mistyrose:ffe4e1 moccasin:ffe4b5 navajowhite:ffdead
    navy:000080 oldlace:fdf5e6 olive:808000 olivedrab:6b8e23 orange:ffa500 orangered:ff4500
    orchid:da70d6 palegoldenrod:eee8aa palegreen:98fb98 paleturquoise:afeeee
    palevioletred:db7093 papayawhip:ffefd5 peachpuff:ffdab9 peru:cd853f pink:ffc0cb
    plum:dda0dd powderblue:b0e0e6 purple:800080 rebeccapurple:663399 red:ff0000
    rosybrown:bc8f8f royalblue:4169e1 saddlebrown:8b4513 salmon:fa8072 sandybrown:f4a460
    seagreen:2e8b57 seashell:fff5ee sienna:a0522d silver:c0c0c0 skyblue:87ceeb
    slateblue:6a5acd slategray:708090 slategrey:708090 snow:fffafa springgreen:00ff7f
    steelblue:4682b4 tan:d2b48c teal:008080 thistle:d8bfd8 tomato:ff6347 turquoise:40e0d0
    violet:ee82ee wheat:f5deb3 white:ffffff whitesmoke:f5f5f5 yellow:ffff00
    yellowgreen:9acd32
"""
#: CSS colour names and their ``rrggbb`` values.
NAMED_COLOURS: Mapping[str, str] = MappingProxyType(
    dict(pair.split(":") for pair in _NAMED_COLOUR_TABLE.split()))

_PRIMARY: RGB = (0x00, 0x55, 0x8C)
_ACCENT: RGB = (0xF0, 0xA5, 0x00)
_WHITE: RGB = (255, 255, 255)
_BLACK: RGB = (0, 0, 0)
_SURFACE: RGB = (0xF4, 0xF6, 0xF8)  # the light grey behind cards and the footer
# Text must reach WCAG AA (4.5:1); aim a little above so rounding never fails it.
_TEXT_CONTRAST = 4.6


def _parse_colour(option: str, value: object) -> RGB:
    if not isinstance(value, str):
        raise RenderError(f"theme option {option!r} must be a colour such as '#005a9c', "
                          f"not {type(value).__name__}")
    text = value.strip().lower()
    if text in NAMED_COLOURS:
        text = "#" + NAMED_COLOURS[text]
    if not _HEX_COLOUR.fullmatch(text):
        raise RenderError(
            f"theme option {option!r} is {value!r}, which is not a colour: write '#rgb', "
            "'#rrggbb' (e.g. '#005a9c') or a CSS colour name such as 'navy'"
        )
    digits = text[1:]
    if len(digits) == 3:
        digits = "".join(char * 2 for char in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def _hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _luminance(rgb: RGB) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: RGB, second: RGB) -> float:
    """The WCAG 2 contrast ratio of two colours, from 1 to 21."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _mix(rgb: RGB, other: RGB, share: float) -> RGB:
    r, g, b = (round(a * (1 - share) + o * share) for a, o in zip(rgb, other, strict=True))
    return (r, g, b)


def _text_on(background: RGB) -> RGB:
    """White text where it is readable on ``background``, else black (one always is)."""
    return _WHITE if contrast(_WHITE, background) >= _TEXT_CONTRAST else _BLACK


def _ink(rgb: RGB, background: RGB = _WHITE) -> RGB:
    """The colour darkened just enough to be readable as text on ``background``."""
    share = 0.0
    ink = rgb
    while contrast(ink, background) < _TEXT_CONTRAST and share < 1:
        share = min(1.0, share + 0.05)
        ink = _mix(rgb, _BLACK, share)
    return ink


@frozen
class Theme:
    """A city's colours and logo, checked."""

    primary: RGB = _PRIMARY
    accent: RGB = _ACCENT
    logo: str | None = None
    """The logo's path inside the report folder (POSIX form), already checked."""

    def colours(self) -> dict[str, str]:
        """Every colour a format uses, as ``#rrggbb``, text colours made readable."""
        # Ink is text on white, on the tint ("what it changed") and on the surface (cards,
        # footer): made readable on the darkest of them, it is readable on all.
        tint = _mix(self.primary, _WHITE, 0.92)
        darkest = min((tint, _SURFACE), key=_luminance)
        return {
            "primary": _hex(self.primary),
            "on_primary": _hex(_text_on(self.primary)),
            "primary_ink": _hex(_ink(self.primary, darkest)),
            "primary_tint": _hex(tint),
            "surface": _hex(_SURFACE),
            "accent": _hex(self.accent),
            "on_accent": _hex(_text_on(self.accent)),
            "accent_ink": _hex(_ink(self.accent, _SURFACE)),
        }

    def logo_file(self, base_dir: Path) -> tuple[Path, str]:
        """The logo's file and media type (call only when :attr:`logo` is set)."""
        assert self.logo is not None
        path = base_dir.resolve().joinpath(*PurePosixPath(self.logo).parts)
        return path, LOGO_TYPES[path.suffix.lower()][0]


def theme_from_options(options: Mapping[str, Any], base_dir: Path | None) -> Theme:
    """The theme from ``options["theme"]``; raise RenderError for anything unsafe or unknown."""
    raw = options.get("theme") or {}
    if not isinstance(raw, Mapping):
        raise RenderError("option 'theme' must be a mapping such as {'primary': '#005a9c'} "
                          "(on the command line: -O theme.primary=#005a9c)")
    unknown = sorted(str(key) for key in raw if key not in THEME_OPTIONS)
    if unknown:
        raise RenderError(f"unknown theme option(s) {', '.join(map(repr, unknown))}; "
                          f"the theme knows {', '.join(THEME_OPTIONS)}")
    primary = _parse_colour("primary", raw["primary"]) if raw.get("primary") is not None \
        else _PRIMARY
    accent = _parse_colour("accent", raw["accent"]) if raw.get("accent") is not None \
        else _ACCENT
    logo = _logo_path(raw["logo"], base_dir) if raw.get("logo") is not None else None
    return Theme(primary=primary, accent=accent, logo=logo)


def _logo_path(value: object, base_dir: Path | None) -> str:
    """Check the logo: a picture file inside the report folder; its path there."""
    if not isinstance(value, str) or not value.strip():
        raise RenderError("theme option 'logo' must be a file path inside the report folder, "
                          "such as 'logo.png'")
    if base_dir is None:
        raise RenderError(f"theme logo {value!r} cannot be found: logos are read from the "
                          "report's folder, and none was given (pass base_dir)")
    relative = PurePosixPath(value.replace("\\", "/"))
    if relative.is_absolute() or Path(value).is_absolute() or ":" in relative.parts[0]:
        raise RenderError(f"theme logo {value!r} is an absolute path: give a path relative "
                          "to the report folder, such as 'logo.png'")
    if ".." in relative.parts:
        raise RenderError(f"theme logo {value!r} leaves the report folder ('..'): put the "
                          "logo inside the report folder")
    root = base_dir.resolve()
    path = root.joinpath(*relative.parts).resolve()
    if not path.is_relative_to(root):
        raise RenderError(f"theme logo {value!r} leads outside the report folder through a "
                          "symbolic link: copy the logo into the report folder")
    if not path.is_file():
        raise RenderError(f"theme logo {value!r} was not found in the report folder {root}")
    suffix = path.suffix.lower()
    if suffix not in LOGO_TYPES:
        raise RenderError(f"theme logo {value!r} is not an image a report can hold: use "
                          f"{', '.join(sorted(LOGO_TYPES))}")
    if path.stat().st_size > _MAX_LOGO_BYTES:
        raise RenderError(f"theme logo {value!r} is larger than {_MAX_LOGO_BYTES // 1_000_000}"
                          " MB: use a smaller image, it is embedded in every document")
    with path.open("rb") as stream:
        head = stream.read(4096)
    media_type, signatures = LOGO_TYPES[suffix]
    looks_right = head.startswith(signatures) if signatures else b"<svg" in head.lower()
    if suffix == ".webp":
        looks_right = looks_right and head[8:12] == b"WEBP"
    if not looks_right:
        raise RenderError(f"theme logo {value!r} does not contain a {media_type} image")
    return path.relative_to(root).as_posix()
