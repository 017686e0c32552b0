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
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from attrs import frozen

from civicrecord import theme as city_theme
from civicrecord.model import (
    ActionStatus,
    Indicator,
    Report,
    ThematicAxis,
)
from civicrecord.plugins.hookspecs import hookimpl
from civicrecord.presentation import LABELS, STATUS_ORDER, map_url, presenter_for
from civicrecord.renderer import RenderContext, Renderer, RenderError
from civicrecord.text import Block, blocks, link_target
from civicrecord.theme import (
    NAMED_COLOURS,
    RGB,
    STATUS_COLOURS,
    THEME_OPTIONS,
    THEME_RENDERER_OPTIONS,
    contrast,
)

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "BUILTIN_PREFIX",
    "BUILTIN_TEMPLATES",
    "ENTRY_TEMPLATE",
    "NAMED_COLOURS",
    "STATUS_COLOURS",
    "STATUS_FILLS",
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
#: How the chart paints a status's bar, as an SVG ``fill`` attribute: the status's fill
#: pattern (drawn in the chart's ``<defs>``), falling back to its plain colour. The page's
#: CSS says the same; the attribute is for what reads the SVG without that CSS (WeasyPrint).
STATUS_FILLS: Mapping[ActionStatus, str] = MappingProxyType({
    status: colour if status is ActionStatus.DONE
    else f"url(#cr-fill-{status.value}) {colour}"
    for status, colour in STATUS_COLOURS.items()
})

# --- Theme ---------------------------------------------------------------------------


@frozen
class Theme:
    """The page's view of a city's theme (:mod:`civicrecord.theme`): CSS and a logo.

    Templates read ``theme.css_variables`` (custom properties for ``:root``),
    ``theme.surface`` and ``theme.logo``, the logo as a ``data:`` URI ready for
    an ``<img src>``.
    """

    primary: RGB = city_theme.Theme().primary
    accent: RGB = city_theme.Theme().accent
    logo: str | None = None

    @property
    def surface(self) -> str:
        """The light grey behind cards and the chart's bars (``--cr-surface``)."""
        return self._colours()["surface"]

    @property
    def css_variables(self) -> tuple[tuple[str, str], ...]:
        """``(name, value)`` pairs for ``:root``; every value is a ``#rrggbb`` colour."""
        return tuple((f"--cr-{name.replace('_', '-')}", value)
                     for name, value in self._colours().items())

    def _colours(self) -> dict[str, str]:
        return city_theme.Theme(self.primary, self.accent).colours()


def theme_from_options(options: Mapping[str, Any], base_dir: Path | None) -> Theme:
    """The theme from ``options["theme"]``; raise RenderError for anything unsafe or unknown."""
    checked = city_theme.theme_from_options(options, base_dir)
    logo = None
    if checked.logo is not None and base_dir is not None:
        path, media_type = checked.logo_file(base_dir)
        content = base64.b64encode(path.read_bytes()).decode("ascii")
        logo = f"data:{media_type};base64,{content}"
    return Theme(checked.primary, checked.accent, logo)


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
    from civicrecord.change import figures_that_change, has_change_data
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
