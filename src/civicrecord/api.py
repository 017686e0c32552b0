"""The Python API: load, validate, render and write reports.

Unless a :class:`PluginSet` is passed in, each call finds the plugins
installed at that moment (:func:`civicrecord.plugins.load_plugins`), so a
long-running program sees a newly installed format on its next call. A
program rendering many reports, and a test with in-process plugins, passes
one set with ``plugins=``. ``use=`` chooses the plugin for a format two
plugins offer (``use={"json": "civicrecord"}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from civicrecord.model import Report
from civicrecord.problems import Problem, ValidationError
from civicrecord.renderer import RenderContext, Renderer, RenderError

if TYPE_CHECKING:
    from civicrecord.loading import LoadResult
    from civicrecord.plugins import PluginSet

__all__ = ["formats", "load", "read", "render", "validate", "write"]


def _plugins(plugins: PluginSet | None, use: Mapping[str, str] | None = None) -> PluginSet:
    if plugins is None:
        from civicrecord.plugins import load_plugins

        return load_plugins(use=use)
    return plugins.choosing(use) if use else plugins


def read(path: Path | str, *, plugins: PluginSet | None = None) -> LoadResult:
    """Load and check a report, plugins' rules included, without raising."""
    from attrs import evolve

    from civicrecord.loading import load_report, place_problem, sort_problems

    result = load_report(path)
    if result.report is None:
        return result
    extra = _plugins(plugins).extra_problems(result.report)
    if not extra:
        return result
    # Plugins give field paths; place them in the source like built-in problems.
    source_map = result.source_map
    placed = [place_problem(p, source_map) if source_map else p for p in extra]
    problems = tuple(sort_problems([*result.problems, *placed]))
    report = result.report if not any(p.is_error for p in problems) else None
    return evolve(result, report=report, problems=problems)


def load(path: Path | str, *, plugins: PluginSet | None = None) -> Report:
    """Load a report from a folder or a YAML, TOML or JSON file.

    Raises :class:`ValidationError` carrying every error found (warnings do
    not stop loading; :func:`validate` returns them).
    """
    result = read(path, plugins=plugins)
    if result.report is None:
        raise ValidationError(p for p in result.problems if p.is_error)
    return result.report


def validate(path: Path | str, *, plugins: PluginSet | None = None) -> list[Problem]:
    """Every problem with a report, errors and warnings, in file order; never raises."""
    return list(read(path, plugins=plugins).problems)


def formats(*, plugins: PluginSet | None = None) -> list[Renderer]:
    """The formats available, built-in and installed."""
    return list(_plugins(plugins).renderers().values())


def render(
    report: Report,
    format: str,
    *,
    template_dir: Path | str | None = None,
    reference_docx: Path | str | None = None,
    base_dir: Path | str | None = None,
    plugins: PluginSet | None = None,
    use: Mapping[str, str] | None = None,
    **options: Any,
) -> bytes:
    """Render a report to the bytes of one format (``"html"``, ``"docx"``, ``"json"``...).

    ``options`` are the format's declared options (``civicrecord formats
    --verbose`` lists them), checked and passed to the renderer as
    ``context.options``; an unknown or ill-typed one raises
    :class:`~civicrecord.renderer.OptionError`. ``base_dir`` is the report's
    folder, where asset paths (a logo) are looked up; nothing outside it is
    ever read. ``use`` chooses the plugin for a format two plugins offer.
    """
    renderer = _plugins(plugins, use).renderer(format)
    context = RenderContext(
        language=report.language,
        options=renderer.resolve_options(options),
        template_dir=Path(template_dir) if template_dir else None,
        reference_docx=Path(reference_docx) if reference_docx else None,
        base_dir=Path(base_dir) if base_dir else None,
    )
    content = renderer.render(report, context)
    if not isinstance(content, bytes):
        raise RenderError(f"renderer {format!r} returned {type(content).__name__}, not bytes")
    return content


def write(
    report: Report,
    format: str,
    directory: Path | str,
    *,
    plugins: PluginSet | None = None,
    use: Mapping[str, str] | None = None,
    **render_options: Any,
) -> Path:
    """Render and write ``directory/<report id>.<extension>`` atomically; return its path.

    A failure leaves any earlier file intact and no temporary file behind.
    """
    return _write(report, format, Path(directory), _plugins(plugins, use), render_options,
                  durable=True)


def _write(report: Report, format: str, directory: Path, plugins: PluginSet,
           render_options: Mapping[str, Any], *, durable: bool) -> Path:
    # Shared with the batch, which writes into a staging folder unflushed (durable=False)
    # and flushes before moving anything into place.
    from civicrecord.output import write_atomically

    renderer = plugins.renderer(format)
    content = render(report, format, plugins=plugins, **render_options)
    return write_atomically(directory / f"{report.id}.{renderer.extension}", content,
                            durable=durable)
