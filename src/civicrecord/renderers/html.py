"""HTML: one self-contained page a city can publish, print or embed in its site.

Everything is inline (stylesheet, chart, logo as a ``data:`` URI) and a
Content-Security-Policy forbids scripts and outside requests, so the page
works offline, leaks nothing about its readers, and cannot be turned into an
attack by the report's text. Templates are split into blocks and looked up in
the user's folder first, the MkDocs way: a city overrides one block, not a
copy of everything. See ``docs/theming-html.md``.

jinja2 is imported inside :func:`render_html` only, so ``import civicrecord``
stays light.
"""

from __future__ import annotations

import base64
import functools
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs
from attrs import frozen

from civicrecord.change import figures_that_change, has_change_data
from civicrecord.model import (
    ActionStatus,
    Indicator,
    Report,
    ThematicAxis,
)
from civicrecord.plugins.hookspecs import hookimpl
from civicrecord.presentation import LABELS, map_url, presenter_for
from civicrecord.renderer import RenderContext, Renderer, RendererOption, RenderError
from civicrecord.text import Block, blocks, link_target

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "BUILTIN_PREFIX",
    "BUILTIN_TEMPLATES",
    "ENTRY_TEMPLATE",
    "NAMED_COLOURS",
    "STATUS_COLOURS",
    "STATUS_FILLS",
    "STATUS_ORDER",
    "THEME_OPTIONS",
    "THEME_RENDERER_OPTIONS",
    "ChartRow",
    "ChartSegment",
    "Labels",
    "StatusChart",
    "Theme",
    "contrast",
    "css_string",
    "link_html",
    "render_html",
    "status_chart",
    "text_html",
    "theme_from_options",
]

#: The folder of the built-in templates; a user's ``template_dir`` is searched first.
BUILTIN_TEMPLATES = Path(__file__).parent / "templates" / "html"
#: The template rendered; override it to extend ``base.html.j2`` and replace blocks.
ENTRY_TEMPLATE = "report.html.j2"
#: Built-in templates stay reachable under this prefix, for overrides that extend them.
BUILTIN_PREFIX = "civicrecord"
#: What ``context.options["theme"]`` may hold.
THEME_OPTIONS = ("primary", "accent", "logo")
#: The same, declared as the format's options (``-O theme.primary=#005a9c``).
THEME_RENDERER_OPTIONS = (
    RendererOption(name="theme.primary", help="main colour, such as #005a9c (headings, bars)"),
    RendererOption(name="theme.accent", help="second colour, such as #e07b00 (highlights)"),
    RendererOption(name="theme.logo", help="an image file inside the report folder"),
)

_MAX_LOGO_BYTES = 2_000_000
_LOGO_TYPES = {
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".svg": ("image/svg+xml", ()),
}
#: Statuses in the order a reader expects them: finished first, abandoned last.
STATUS_ORDER = (
    ActionStatus.DONE,
    ActionStatus.ONGOING,
    ActionStatus.IN_PROGRESS,
    ActionStatus.PLANNED,
    ActionStatus.NOT_ASSESSED,
    ActionStatus.ABANDONED,
)
#: Each status's colour (``--cr-status-*`` in the stylesheet), AA-readable on white.
STATUS_COLOURS: Mapping[ActionStatus, str] = MappingProxyType({
    ActionStatus.DONE: "#1d7035",
    ActionStatus.ONGOING: "#0d5c9e",
    ActionStatus.IN_PROGRESS: "#9a4a00",
    ActionStatus.PLANNED: "#5b4a9e",
    ActionStatus.NOT_ASSESSED: "#555f69",
    ActionStatus.ABANDONED: "#a4261d",
})
#: How the chart paints a status's bar, as an SVG ``fill`` attribute: the status's fill
#: pattern (drawn in the chart's ``<defs>``), falling back to its plain colour. The page's
#: CSS says the same; the attribute is for what reads the SVG without that CSS (WeasyPrint).
STATUS_FILLS: Mapping[ActionStatus, str] = MappingProxyType({
    status: colour if status is ActionStatus.DONE
    else f"url(#cr-fill-{status.value}) {colour}"
    for status, colour in STATUS_COLOURS.items()
})

_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
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
#: CSS Color Module Level 4 named colours and their sRGB values, for contrast sums.
NAMED_COLOURS: dict[str, str] = dict(pair.split(":") for pair in _NAMED_COLOUR_TABLE.split())


# --- Theme ---------------------------------------------------------------------------

RGB = tuple[int, int, int]


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


_WHITE: RGB = (255, 255, 255)
_BLACK: RGB = (0, 0, 0)
_SURFACE: RGB = (0xF4, 0xF6, 0xF8)  # the light grey behind cards and the footer
# Text must reach WCAG AA (4.5:1); aim a little above so rounding never fails it.
_TEXT_CONTRAST = 4.6


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
    """A city's colours and logo, checked and turned into CSS custom properties.

    Users give any colour; the page derives text colours from it that meet
    WCAG AA contrast, so a pale brand colour never makes the page unreadable.
    """

    primary: RGB = (0x00, 0x55, 0x8C)
    accent: RGB = (0xF0, 0xA5, 0x00)
    logo: str | None = None
    """The logo as a ``data:`` URI, ready for an ``<img src>``."""

    @property
    def surface(self) -> str:
        """The light grey behind cards and the chart's bars (``--cr-surface``)."""
        return _hex(_SURFACE)

    @property
    def css_variables(self) -> tuple[tuple[str, str], ...]:
        """``(name, value)`` pairs for ``:root``; every value is a ``#rrggbb`` colour."""
        return _css_variables(self.primary, self.accent)


def _css_variables(primary: RGB, accent: RGB) -> tuple[tuple[str, str], ...]:
    """The theme's custom properties: its colours, and text colours readable on them."""
    # Ink is text on white, on the tint ("what it changed") and on the surface (cards,
    # footer): made readable on the darkest of them, it is readable on all.
    tint = _mix(primary, _WHITE, 0.92)
    darkest = min((tint, _SURFACE), key=_luminance)
    return (
        ("--cr-primary", _hex(primary)),
        ("--cr-on-primary", _hex(_text_on(primary))),
        ("--cr-primary-ink", _hex(_ink(primary, darkest))),
        ("--cr-primary-tint", _hex(tint)),
        ("--cr-surface", _hex(_SURFACE)),
        ("--cr-accent", _hex(accent)),
        ("--cr-on-accent", _hex(_text_on(accent))),
        ("--cr-accent-ink", _hex(_ink(accent, _SURFACE))),
    )


def theme_from_options(options: Mapping[str, Any], base_dir: Path | None) -> Theme:
    """The theme from ``options["theme"]``; raise RenderError for anything unsafe or unknown."""
    raw = options.get("theme") or {}
    if not isinstance(raw, Mapping):
        raise RenderError("option 'theme' must be a mapping such as {'primary': '#005a9c'} "
                          "(on the command line: -O theme.primary=#005a9c)")
    unknown = sorted(str(key) for key in raw if key not in THEME_OPTIONS)
    if unknown:
        raise RenderError(f"unknown theme option(s) {', '.join(map(repr, unknown))}; "
                          f"the HTML theme knows {', '.join(THEME_OPTIONS)}")
    theme = Theme()
    if raw.get("primary") is not None:
        theme = attrs.evolve(theme, primary=_parse_colour("primary", raw["primary"]))
    if raw.get("accent") is not None:
        theme = attrs.evolve(theme, accent=_parse_colour("accent", raw["accent"]))
    if raw.get("logo") is not None:
        theme = attrs.evolve(theme, logo=_logo_data_uri(raw["logo"], base_dir))
    return theme


def _logo_data_uri(value: object, base_dir: Path | None) -> str:
    """Read the logo from inside the report folder and return it as a data: URI."""
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
    if suffix not in _LOGO_TYPES:
        raise RenderError(f"theme logo {value!r} is not an image the page can embed: use "
                          f"{', '.join(sorted(_LOGO_TYPES))}")
    if path.stat().st_size > _MAX_LOGO_BYTES:
        raise RenderError(f"theme logo {value!r} is larger than {_MAX_LOGO_BYTES // 1_000_000}"
                          " MB: use a smaller image, it is embedded in every page")
    content = path.read_bytes()
    media_type, signatures = _LOGO_TYPES[suffix]
    looks_right = (content.startswith(signatures) if signatures
                   else b"<svg" in content[:4096].lower())
    if suffix == ".webp":
        looks_right = looks_right and content[8:12] == b"WEBP"
    if not looks_right:
        raise RenderError(f"theme logo {value!r} does not contain a {media_type} image")
    return f"data:{media_type};base64,{base64.b64encode(content).decode('ascii')}"


# --- Status chart --------------------------------------------------------------------


@frozen
class ChartSegment:
    """One status in one axis's bar; ``x`` and ``width`` are percentages of the bar."""

    status: ActionStatus
    count: int
    x: float
    width: float


@frozen
class ChartRow:
    """One axis's bar: its actions counted by status."""

    axis: ThematicAxis
    total: int
    segments: tuple[ChartSegment, ...]


@frozen
class StatusChart:
    """Actions by status for each axis; bars share one scale so lengths compare."""

    rows: tuple[ChartRow, ...]
    totals: tuple[tuple[ActionStatus, int], ...]
    """Statuses that occur in the report, with their counts, in :data:`STATUS_ORDER`."""


def status_chart(report: Report) -> StatusChart:
    """Count each axis's actions by status and lay the bars out on a common scale."""
    longest = max((len(axis.actions) for axis in report.axes), default=0) or 1
    rows = []
    totals: Counter[ActionStatus] = Counter()
    for axis in report.axes:
        counts = Counter(action.status for action in axis.actions)
        totals.update(counts)
        x = 0.0
        segments = []
        for status in STATUS_ORDER:
            if count := counts[status]:
                width = 100 * count / longest
                segments.append(ChartSegment(status, count, round(x, 3), round(width, 3)))
                x += width
        rows.append(ChartRow(axis, len(axis.actions), tuple(segments)))
    return StatusChart(tuple(rows), tuple(
        (status, totals[status]) for status in STATUS_ORDER if totals[status]))


# --- Rendering -----------------------------------------------------------------------


def css_string(value: object) -> Any:
    """A quoted CSS string that can hold any text and never closes the ``<style>``."""
    from markupsafe import Markup

    escaped = "".join(
        char if char.isalnum() or char == " " else f"\\{ord(char):06x}" for char in str(value)
    )
    return Markup(f'"{escaped}"')


def _text_blocks(value: object) -> tuple[Block, ...]:
    """``value`` split into paragraphs and lists; nothing for what is not text."""
    return tuple(blocks(value)) if isinstance(value, str) else ()


def text_html(value: object, css_class: object = "", **keywords: object) -> Any:
    """Report text as HTML paragraphs and bullet lists, every character escaped.

    The templates' ``m.text(value, class="...")``. It is Python rather than a
    macro because it runs for every text of the report, and a macro call cost
    more than the text it wrote. An overriding ``macros.html.j2`` may define a
    ``text`` macro instead.
    """
    import markupsafe  # comes with jinja2, which import civicrecord does not load

    escape = markupsafe.escape
    css_class = keywords.pop("class", css_class)
    if keywords:
        raise TypeError(f"text() takes no argument {next(iter(keywords))!r}")
    attribute = f' class="{escape(css_class)}"' if css_class else ""
    parts: list[str] = []
    for block in _text_blocks(value):
        if block.kind == "bullets":
            parts.append(f"<ul{attribute}>\n")
            parts.extend(f"  <li>{escape(line)}</li>\n" for line in block.lines)
            parts.append("</ul>\n")
        else:
            parts.append(f"<p{attribute}>{escape(block.text)}</p>\n")
    return markupsafe.Markup("".join(parts))


def link_html(url: object, label: object) -> Any:
    """``label`` as a link to ``url`` if :func:`civicrecord.text.link_target` accepts it,
    else as text; escaped.

    The templates' ``m.link(url, label)``, the one way report addresses become
    links. Python for the reason :func:`text_html` is.
    """
    import markupsafe

    href = link_target(url)
    if href:
        return markupsafe.Markup('<a href="{}">{}</a>').format(href, label)
    return markupsafe.escape(label)


def _remember(macro: Callable[..., Any]) -> Callable[..., Any]:
    """``macro`` answering again from memory when called with the same arguments.

    For macros whose page fragment depends on their arguments alone, such as a
    status's badge, called for every action with one of six statuses.
    ``macros.html.j2`` wraps them as it defines them, so the memory lasts one
    render; an overriding ``macros.html.j2`` that does not is simply not
    remembered.
    """
    from jinja2.exceptions import SecurityError
    from jinja2.runtime import Macro

    if not isinstance(macro, Macro):
        # Anything else would be called here, past the sandbox's checks on calls
        # (str.format, for one, can read attributes a template may not).
        raise SecurityError(f"remember() takes a macro, not {type(macro).__name__}")
    fragments: dict[tuple[Any, ...], Any] = {}

    def remembered(*args: Any) -> Any:
        try:
            return fragments[args]
        except KeyError:
            fragment = fragments[args] = macro(*args)
            return fragment
        except TypeError:  # an argument that cannot be a key
            return macro(*args)

    return remembered


class Labels(Mapping[str, str]):
    """A language's labels as templates read them: ``t.need``, or ``t["per-year"]``.

    A plain mapping would do, but jinja2 tries ``t.need`` as an attribute
    first, and a mapping's failed attribute lookup raises an exception, for
    every label on the page. Here each label is also an attribute.
    """

    def __init__(self, labels: Mapping[str, str]) -> None:
        vars(self).update(labels)

    def __getitem__(self, key: str) -> str:
        return vars(self)[key]  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[str]:
        return iter(vars(self))

    def __len__(self) -> int:
        return len(vars(self))


class _ById(dict[str, Any]):
    """A report's places, partners or programmes by id; an unknown id gives None.

    Templates look them up for every action; ``report.place(id)`` searches the
    list, and a method call from a template costs far more than an item lookup.
    """

    def __missing__(self, key: str) -> None:
        return None


def _by_id(items: Iterable[Any]) -> _ById:
    """Items by their ``id``; the first wins, as with ``report.place(id)``."""
    found = _ById()
    for item in items:
        found.setdefault(item.id, item)
    return found


def _figures_of(axis: ThematicAxis) -> list[Indicator]:
    """An axis's own figures, then its actions' figures, in reading order."""
    return [*axis.indicators, *(i for action in axis.actions for i in action.indicators)]


def _environment(template_dir: Path | None) -> jinja2.Environment:
    """The environment for a template folder: built once per thread, then reused.

    Building one compiles every template again (or reads them back from the
    template cache), so it is kept. One per thread, because a render puts its report in the globals.
    A template edited between two renders is still picked up: each render
    first drops the compiled templates whose file changed.
    """
    if template_dir is not None and not template_dir.is_dir():
        raise RenderError(f"template folder {str(template_dir)!r} does not exist or is not "
                          "a folder")
    built: dict[str | None, jinja2.Environment] = _environments.__dict__.setdefault("built", {})
    key = str(template_dir.resolve()) if template_dir is not None else None
    if key not in built:
        built[key] = _new_environment(template_dir)
    environment = built[key]
    if template_dir is not None:
        _forget_edited_templates(environment)
    return environment


def _forget_edited_templates(environment: jinja2.Environment) -> None:
    """Drop compiled user templates whose source changed, once per render.

    jinja2's ``auto_reload`` checks a template's file each time it is looked
    up, and an include inside a loop (one per action) is looked up each time.
    The built-in templates are part of the installed package, like its code,
    and are not checked.
    """
    templates = environment.cache
    if templates is None:
        return
    for key, template in templates.items():
        builtin = template.filename is not None and Path(
            template.filename).is_relative_to(BUILTIN_TEMPLATES)
        if not builtin and not template.is_up_to_date:
            del templates[key]


def _new_environment(template_dir: Path | None) -> jinja2.Environment:
    import jinja2

    from civicrecord.renderers.html_cache import bytecode_cache

    builtin = jinja2.FileSystemLoader(BUILTIN_TEMPLATES)
    loaders: list[jinja2.BaseLoader] = [jinja2.PrefixLoader({BUILTIN_PREFIX: builtin})]
    if template_dir is not None:
        loaders.append(jinja2.FileSystemLoader(template_dir))
    loaders.append(builtin)
    # The sandbox guards against a user's templates. The built-in ones alone are
    # our own code, and need no check on each attribute lookup.
    sandboxed = template_dir is not None
    kind: type[jinja2.Environment] = jinja2.Environment
    if sandboxed:
        from jinja2.sandbox import SandboxedEnvironment

        kind = SandboxedEnvironment
    options: dict[str, Any] = dict(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    environment = kind(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # see _forget_edited_templates
        bytecode_cache=bytecode_cache(options, sandboxed),
        **options,
    )
    # http_url: the filter's first name, kept for templates written before link_target.
    environment.filters.update(blocks=_text_blocks, link_target=link_target,
                               http_url=link_target, css_string=css_string, map_url=map_url)
    environment.globals.update(
        remember=_remember,
        text_html=text_html,
        link_html=link_html,
        # Read-only, like every global the environment keeps between renders.
        status_colours=MappingProxyType({s.value: c for s, c in STATUS_COLOURS.items()}),
        status_fills=MappingProxyType({s.value: f for s, f in STATUS_FILLS.items()}),
    )
    return environment


#: The environment of each template folder, per thread (a render puts its report in
#: the environment's globals). Kept because building one compiles every template
#: again: see "Caches" in docs/performance.md.
_environments = threading.local()


def render_html(report: Report, context: RenderContext) -> bytes:
    """The report as one UTF-8 HTML page; raise RenderError for a bad theme or template."""
    import jinja2
    import markupsafe

    from civicrecord._version import __version__
    from civicrecord.pictures import published

    theme = theme_from_options(context.options, context.base_dir)
    presenter = presenter_for(context.language)
    environment = _environment(context.template_dir)

    def chart_svg(indicator: Indicator) -> Any:
        """The figure's change chart as inline SVG (markup made by civicrecord.charts)."""
        if not has_change_data(indicator):
            return ""
        from civicrecord.charts import change_chart_svg

        return markupsafe.Markup(change_chart_svg(indicator, presenter))

    render_globals = dict(
        report=report,
        p=presenter,
        t=Labels(LABELS[presenter.labels_language]),
        theme=theme,
        chart=status_chart(report),
        figures=list(report.indicators()),
        statuses=STATUS_ORDER,
        generator=f"civicrecord {__version__}",
        chart_svg=chart_svg,
        reference_value=lambda indicator, point: presenter.value(indicator, point.value),
        changes=figures_that_change(report),
        figures_of=_figures_of,
        period_text=presenter.period,
        place_by_id=_by_id(report.neighbourhood.places),
        partner_by_id=_by_id(report.partners),
        programme_by_id=_by_id(report.programmes),
        published_picture=functools.partial(published, base_dir=context.base_dir),
    )
    environment.globals.update(render_globals)
    try:
        page = environment.get_template(ENTRY_TEMPLATE).render()
    except jinja2.TemplateSyntaxError as error:
        where = f"{error.filename or error.name}, line {error.lineno}"
        raise RenderError(f"HTML template error in {where}: {error.message}") from error
    except jinja2.TemplateNotFound as error:
        raise RenderError(f"HTML template {error.name!r} not found in the template folder "
                          "or the built-in templates") from error
    except jinja2.TemplateError as error:
        raise RenderError(f"HTML template failed: {type(error).__name__}: {error}") from error
    finally:
        for name in render_globals:  # the environment outlives this report
            environment.globals.pop(name, None)
    return page.encode("utf-8")


@hookimpl
def register_renderers() -> list[Renderer]:
    return [
        Renderer(
            name="html",
            extension="html",
            media_type="text/html",
            description="One accessible, printable web page, themable with your colours",
            render=render_html,
            options=THEME_RENDERER_OPTIONS,
        )
    ]
