"""The Python API: load, validate, render and write reports.

Unless a :class:`PluginSet` is passed in, each call finds the plugins
installed at that moment (:func:`civicrecord.plugins.load_plugins`), so a
long-running program sees a newly installed format on its next call. A
program rendering many reports, and a test with in-process plugins, passes
one set with ``plugins=``. ``use=`` chooses the plugin for a format two
plugins offer (``use={"json": "civicrecord"}``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from civicrecord.model import Report
from civicrecord.problems import Problem, ValidationError
from civicrecord.renderer import RenderContext, Renderer, RenderError

if TYPE_CHECKING:
    from civicrecord.loading import LoadResult
    from civicrecord.plugins import PluginSet

__all__ = [
    "ArgumentError",
    "formats",
    "load",
    "missing_path_problem",
    "read",
    "render",
    "validate",
    "write",
    "write_format",
]


class ArgumentError(TypeError):
    """A function of the API was called with an argument of the wrong kind.

    The message names the argument and what it should be. It is a
    ``TypeError``, so code that already catches those keeps working.
    """


def _check_path(name: str, value: object) -> Path:
    if isinstance(value, bytes) or not isinstance(value, str | os.PathLike):
        raise ArgumentError(f"{name} must be a path (str or pathlib.Path) to a report folder "
                            f"or file, not {type(value).__name__}")
    path = Path(value)
    if not str(path).strip() or "\0" in str(path):
        raise ArgumentError(f"{name} must name a file or folder, not {str(value)!r}")
    return path


def _check_report(value: object) -> Report:
    if not isinstance(value, Report):
        raise ArgumentError("report must be a civicrecord.Report (from civicrecord.load), "
                            f"not {type(value).__name__}")
    return value


def _check_format(value: object) -> str:
    if not isinstance(value, str):
        raise ArgumentError(f"format must be a format name such as 'html', not "
                            f"{type(value).__name__}")
    return value


def _plugins(plugins: PluginSet | None, use: Mapping[str, str] | None = None) -> PluginSet:
    if plugins is None:
        from civicrecord.plugins import load_plugins

        return load_plugins(use=use)
    return plugins.choosing(use) if use else plugins


def missing_path_problem(path: Path | str) -> Problem | None:
    """The problem of a path that names nothing, or None when something is there.

    Checked before reading (by :func:`read`, and by the command line for all its
    paths at once), so the message says plainly that nothing is there, and, for
    a path that looks like a worked example's, how to get it.
    """
    if os.path.exists(path):
        return None
    from civicrecord.problems import Location, Severity
    from civicrecord.scaffold import example_hint

    return Problem(Severity.ERROR, "", f"no such file or folder: {path}", example_hint(path),
                   Location(str(path)))



def read(path: Path | str, *, plugins: PluginSet | None = None) -> LoadResult:
    """Load and check a report, its pictures and plugins' rules included, without raising."""
    from attrs import evolve

    from civicrecord.loading import LoadResult, load_report, place_problem, sort_problems

    path = _check_path("path", path)
    missing = missing_path_problem(path)
    if missing is not None:
        return LoadResult(None, (missing,), None)
    result = load_report(path)
    if result.report is None:
        return result
    from civicrecord.pictures import check_pictures

    # Pictures are files beside the report, so they are checked here, where the
    # report's folder is known, and placed in the source like every other problem.
    extra = [*check_pictures(result.report, result.base_dir),
             *_plugins(plugins).extra_problems(result.report)]
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
    _check_report(report)
    chosen = _plugins(plugins, use)
    renderer = chosen.renderer(_check_format(format))
    context = RenderContext(
        language=report.language,
        options=renderer.resolve_options(options),
        template_dir=Path(template_dir) if template_dir else None,
        reference_docx=Path(reference_docx) if reference_docx else None,
        base_dir=Path(base_dir) if base_dir else None,
    )
    content = renderer.render(report, context)
    if not isinstance(content, bytes):
        plugin = chosen.plugin_of(format)
        raise RenderError(f"renderer {format!r} of plugin {plugin.name!r}"
                          + (f" (from {plugin.distribution})" if plugin.distribution else "")
                          + f" returned {type(content).__name__}, not bytes; fix or uninstall "
                          "the plugin")
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
    _check_report(report)
    _check_format(format)
    return write_format(report, format, _check_path("directory", directory),
                        _plugins(plugins, use), render_options, durable=True)


def write_format(report: Report, format: str, directory: Path, plugins: PluginSet,
                 render_options: Mapping[str, Any], *, durable: bool) -> Path:
    """:func:`write` for a caller that has checked its arguments and holds its plugins.

    ``durable=False`` leaves the file unflushed: the batch writes into a staging
    folder that way and flushes every file before moving anything into place.
    """
    from civicrecord.output import OutputError, confined_name, write_atomically

    renderer = plugins.renderer(format)
    name = confined_name(f"{report.id}.{renderer.extension}")
    if name is None:
        # The loader refuses such ids; a report built in Python may still hold one.
        raise OutputError(f"report id {report.id!r} cannot name a file: write an id of "
                          "lowercase letters, digits and hyphens")
    content = render(report, format, plugins=plugins, **render_options)
    return write_atomically(directory / name, content, durable=durable)
