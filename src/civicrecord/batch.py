"""A city's reports at once: render them in parallel, then index and aggregate them.

Each report is one job in a pool of processes, so rendering uses every core;
a run of one job renders in this process and never starts (or imports) the
pool. The plugins are found once per run, and once per worker process, not
once per report. A report that fails (bad data, a renderer's bug, even a
crashed worker) is recorded with its path and does not stop the others. Jobs
write into a private staging folder inside the output folder, unflushed; each
file is flushed to disk in the background as its report finishes, and only
once every job is done, and no two reports claim the same id, are the files
moved into place. So a run never leaves one neighbourhood's file
half-overwritten by another's, nor an empty file where a good one was.

Besides each report's documents, a batch writes ``index.html`` (a page in the
reports' own style and language: each report's title, neighbourhood, period,
first key figures and documents) and the key figures of all neighbourhoods in
one table, ``key-figures.csv`` and ``key-figures.json``. The index also names
the reports that failed, since their earlier files stay in the output folder:
a reader learns that they may be out of date, and finds them labelled as such.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sys
import time
import urllib.parse
import warnings
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from attrs import field, frozen

from civicrecord.model import Indicator, Report
from civicrecord.output import (
    Flusher,
    OutputError,
    make_staging_folder,
    remove_stale_staging,
    write_atomically,
)
from civicrecord.problems import Problem

if TYPE_CHECKING:
    from civicrecord.plugins import PluginSet

__all__ = [
    "BATCH_FILES",
    "INDEX_FIGURES",
    "INDEX_FILE",
    "INDEX_TEMPLATE",
    "KEY_FIGURES_CSV",
    "KEY_FIGURES_JSON",
    "BatchResult",
    "KeyFigure",
    "RenderSettings",
    "ReportOutcome",
    "find_reports",
    "index_html",
    "key_figures",
    "render_one",
    "render_reports",
    "write_index",
    "write_key_figures",
]

INDEX_FILE = "index.html"
#: The index page's template, in a folder beside the HTML renderer's templates, whose
#: stylesheet it includes; apart, so it is no template of the report page.
INDEX_TEMPLATE = Path(__file__).parent / "renderers" / "templates" / "batch" / "index.html.j2"
KEY_FIGURES_CSV = "key-figures.csv"
KEY_FIGURES_JSON = "key-figures.json"
#: The files a batch writes besides the reports' own documents.
BATCH_FILES = (INDEX_FILE, KEY_FIGURES_CSV, KEY_FIGURES_JSON)
#: How many of each report's key figures the index page shows.
INDEX_FIGURES = 3


@frozen
class KeyFigure:
    """One indicator of one report, as a row of the city-wide key-figures table."""

    report_id: str
    neighbourhood: str
    axis: str
    """The axis id."""
    action: str | None
    """The action id, or None for a figure that measures the whole axis."""
    indicator_id: str
    label: str
    value: int | float | str
    kind: str
    unit: str | None
    period: str | None
    """The period kind (``per-year``), followed by its date for ``as-of``."""
    source: str | None
    """The source's name."""


#: Columns of the key-figures table, in order.
KEY_FIGURE_FIELDS = tuple(a.name for a in attrs.fields(KeyFigure))


def key_figures(report: Report) -> list[KeyFigure]:
    """Every indicator of a report, in reading order, as table rows."""
    return [_key_figure(report, axis.id, action.id if action else None, indicator)
            for axis, action, indicator in report.indicators()]


def _key_figure(report: Report, axis: str, action: str | None,
                indicator: Indicator) -> KeyFigure:
    period = None
    if indicator.period is not None:
        period = indicator.period.kind.value
        if indicator.period.date is not None:
            period += f" {indicator.period.date}"
    return KeyFigure(
        report_id=report.id, neighbourhood=report.neighbourhood.name, axis=axis,
        action=action, indicator_id=indicator.id, label=indicator.label,
        value=indicator.value, kind=indicator.kind.value, unit=indicator.unit, period=period,
        source=indicator.source.name if indicator.source else None,
    )


@frozen
class RenderSettings:
    """What to render each report to, and how: the same for every report of a batch."""

    formats: tuple[str, ...]
    template_dir: Path | None = None
    reference_docx: Path | None = None
    options: Mapping[str, Any] = field(factory=dict)
    """Options for the formats; each format gets those it declares."""
    use: Mapping[str, str] = field(factory=dict)
    """The plugin to take a format from when several offer it (``{"json": "civicrecord"}``)."""


@frozen
class ReportOutcome:
    """What became of one report: its problems, its files, its key figures."""

    path: Path
    """The report's folder or file, as given."""
    problems: tuple[Problem, ...] = ()
    """Errors and warnings found while reading it."""
    errors: tuple[str, ...] = ()
    """Why a format (or the whole report) could not be rendered, one line each."""
    written: tuple[Path, ...] = ()
    report_id: str | None = None
    """None when the report could not be read."""
    declared_id: str | None = None
    """The id the report's data declares, when it is a valid id, even if the report
    could not be read: the name its files bear, earlier ones included."""
    title: str = ""
    language: str = "en"
    neighbourhood: str = ""
    city: str = ""
    authority: str = ""
    period: str = ""
    """The reporting period, written in the report's language."""
    key_figures: tuple[KeyFigure, ...] = ()
    highlights: tuple[tuple[str, str], ...] = ()
    """The first :data:`INDEX_FIGURES` key figures as ``(value, phrase)``, in the
    report's language ("423", "423 personnes accompagnées par Déclic…")."""

    @property
    def failed(self) -> bool:
        """True when the report, or one of its formats, was not rendered."""
        return self.report_id is None or bool(self.errors)


@frozen
class BatchResult:
    """Every report's outcome, in the order the reports were given."""

    outcomes: tuple[ReportOutcome, ...]

    @property
    def failed(self) -> tuple[ReportOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if outcome.failed)

    @property
    def rendered(self) -> tuple[ReportOutcome, ...]:
        """Reports with at least one document written."""
        return tuple(outcome for outcome in self.outcomes if outcome.written)


def find_reports(paths: Iterable[Path | str]) -> tuple[list[Path], bool]:
    """The reports named by ``paths``, and whether a folder of reports was among them.

    A folder holding a report file (``report.yaml``...) is one report, and so
    is a file. A folder without one stands for the reports in its
    subfolders, in name order; if none of them holds a report, the folder is
    returned as is, so that reading it says what is missing.
    """
    from civicrecord.loading import MAIN_FILE_NAMES

    def is_report_folder(folder: Path) -> bool:
        return any((folder / name).is_file() for name in MAIN_FILE_NAMES)

    found: list[Path] = []
    expanded = False
    for given in paths:
        path = Path(given)
        try:
            children = sorted(child for child in path.iterdir() if child.is_dir()
                              and is_report_folder(child)) \
                if path.is_dir() and not is_report_folder(path) else []
        except OSError:  # not enterable, a name too long...: reading it says so
            children = []
        if children:
            found.extend(children)
            expanded = True
            continue
        found.append(path)
    return found, expanded


def render_one(path: Path, settings: RenderSettings, directory: Path,
               plugins: PluginSet | None = None, *, durable: bool = True) -> ReportOutcome:
    """Read one report and write each format into ``directory``; never raises for bad input.

    A renderer's failure is recorded and the other formats are still written.
    ``plugins`` defaults to a fresh :func:`~civicrecord.plugins.load_plugins`;
    a caller rendering many reports passes one set to all of them.
    ``durable=False`` leaves the files unflushed, for a staging folder whose
    files are flushed before they are moved over others (as
    :func:`render_reports` does).
    """
    from civicrecord.api import read, write_format
    from civicrecord.plugins import PluginError, load_plugins
    from civicrecord.presentation import presenter_for
    from civicrecord.renderer import RenderError

    if plugins is None:
        plugins = load_plugins(use=settings.use)
    result = read(path, plugins=plugins)
    report = result.report
    if report is None:
        return ReportOutcome(path, problems=result.problems, errors=(
            f"{path}: not rendered: {len(result.errors)} error(s)",),
            declared_id=_declared_id(path))
    errors: list[str] = []
    written: list[Path] = []
    for name in settings.formats:
        try:
            own = plugins.renderer(name).resolve_options(settings.options, ignore_unknown=True)
            options = dict(**own, template_dir=settings.template_dir,
                           reference_docx=settings.reference_docx, base_dir=result.base_dir)
            written.append(write_format(report, name, directory, plugins, options,
                                        durable=durable))
        except (PluginError, OutputError, RenderError) as error:
            errors.append(f"{path}: {name}: error: {error}")
        except Exception as error:  # noqa: BLE001 - a plugin's bug must not stop the others
            try:
                plugin = plugins.plugin_of(name).name
            except (KeyError, PluginError):
                plugin = "?"
            errors.append(f"{path}: {name}: error: renderer from plugin {plugin!r} failed: "
                          f"{type(error).__name__}: {error}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an unsupported language is the renderers' to report
        presenter = presenter_for(report.language)
    period = presenter.reporting_period(report.period)
    highlights = tuple((presenter.indicator_value(indicator), presenter.indicator_phrase(indicator))
                       for _axis, _action, indicator in
                       itertools.islice(report.indicators(), INDEX_FIGURES))
    return ReportOutcome(
        path, problems=result.problems, errors=tuple(errors), written=tuple(written),
        report_id=report.id, declared_id=report.id,
        title=" — ".join(t for t in (report.title, report.subtitle) if t),
        language=report.language, neighbourhood=report.neighbourhood.name,
        city=report.neighbourhood.city, authority=report.authority.name, period=period,
        key_figures=tuple(key_figures(report)), highlights=highlights,
    )


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def render_reports(
    paths: Sequence[Path],
    settings: RenderSettings,
    output: Path,
    *,
    jobs: int | None = None,
    on_done: Callable[[ReportOutcome, int, int], None] | None = None,
    reserved: Collection[str] = (),
    plugins: PluginSet | None = None,
) -> BatchResult:
    """Render every report into ``output``, ``jobs`` at a time (default: one per core).

    ``on_done(outcome, done, total)`` is called in this process as each report
    finishes, for a progress display. Files reach ``output`` only at the end,
    and only for reports whose id no other report of the batch uses. A
    document whose file name is in ``reserved`` (the batch's own files, such
    as :data:`INDEX_FILE`) is not written, and is an error of its report.

    Reports rendered in this process use ``plugins`` (by default, the
    installed plugins, found once). A worker process finds the installed
    plugins itself when it starts: a plugin set holds modules and cannot be
    sent to another process, so in-process plugins reach one job only.
    """
    output = Path(output)
    started = time.time()
    try:
        output.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(output, started)
        staging = make_staging_folder(output)
    except OSError as error:
        raise OutputError(f"cannot write in output folder {output}: {error.strerror}") from None
    try:
        # Each staged file is flushed in the background while later reports render,
        # and moved into place only once flushed: see civicrecord.output.
        flusher = Flusher()

        def done(outcome: ReportOutcome, count: int, total: int) -> None:
            for staged in outcome.written:
                flusher.add(staged)
            if on_done is not None:
                on_done(outcome, count, total)

        try:
            outcomes = _run_all(paths, settings, staging, jobs or _cpu_count(), done, plugins)
        finally:
            unflushed = flusher.finish()
        outcomes = _reject_duplicate_ids(outcomes)
        return BatchResult(tuple(_move_into_place(outcome, output, frozenset(reserved),
                                                  unflushed) for outcome in outcomes))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _run_all(paths: Sequence[Path], settings: RenderSettings, staging: Path, jobs: int,
             on_done: Callable[[ReportOutcome, int, int], None] | None,
             plugins: PluginSet | None) -> list[ReportOutcome]:
    total = len(paths)
    outcomes: list[ReportOutcome | None] = [None] * total
    done = 0

    def finish(index: int, outcome: ReportOutcome) -> None:
        nonlocal done
        outcomes[index] = outcome
        done += 1
        if on_done is not None:
            on_done(outcome, done, total)

    if jobs <= 1 or total <= 1:
        if plugins is None:
            from civicrecord.plugins import load_plugins

            plugins = load_plugins(use=settings.use)
        for index, path in enumerate(paths):
            finish(index, _guarded(path, settings, staging / str(index), plugins))
        return [outcome for outcome in outcomes if outcome is not None]
    # Imported here: a run of one job never starts a pool, so it need not import one.
    import concurrent.futures
    from concurrent.futures.process import BrokenProcessPool

    broken: list[int] = []
    with concurrent.futures.ProcessPoolExecutor(max_workers=min(jobs, total),
                                                initializer=_start_worker,
                                                initargs=(dict(settings.use),)) as pool:
        futures = {pool.submit(_render_in_worker, path, settings, staging / str(index)): index
                   for index, path in enumerate(paths)}
        try:
            for future in concurrent.futures.as_completed(futures):
                index = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    broken.append(index)
                    continue
                except Exception as error:  # noqa: BLE001 - one report must not stop the others
                    outcome = _crashed(paths[index], error)
                finish(index, outcome)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    # A worker that dies (a crash in a native library, the system killing it)
    # breaks the pool and every report still queued. Retry those one per
    # process, so that only the report that kills its process fails.
    for index in sorted(broken):
        with concurrent.futures.ProcessPoolExecutor(max_workers=1, initializer=_start_worker,
                                                    initargs=(dict(settings.use),)) as solo:
            try:
                outcome = solo.submit(_render_in_worker, paths[index], settings,
                                      staging / str(index)).result()
            except Exception as error:  # noqa: BLE001 - recorded as this report's failure
                outcome = _crashed(paths[index], error)
        finish(index, outcome)
    return [outcome for outcome in outcomes if outcome is not None]


#: The plugins of this worker process, found once when it starts (set by _start_worker).
_worker_plugins: PluginSet | None = None


def _start_worker(use: Mapping[str, str]) -> None:
    """Pool initializer: find the plugins once for every report this worker renders."""
    global _worker_plugins
    from civicrecord.plugins import load_plugins

    try:
        _worker_plugins = load_plugins(use=use)
    except Exception:  # noqa: BLE001 - left to render_one, which records it per report
        _worker_plugins = None


def _render_in_worker(path: Path, settings: RenderSettings, directory: Path) -> ReportOutcome:
    return render_one(path, settings, directory, _worker_plugins, durable=False)


def _guarded(path: Path, settings: RenderSettings, directory: Path,
             plugins: PluginSet) -> ReportOutcome:
    try:
        return render_one(path, settings, directory, plugins, durable=False)
    except Exception as error:  # noqa: BLE001 - one report's failure must not stop the others
        return _crashed(path, error)


def _crashed(path: Path, error: BaseException) -> ReportOutcome:
    if _is_broken_pool(error):
        reason = "the process rendering it died (a crash, or the system ended it)"
    else:
        reason = f"{type(error).__name__}: {error}"
    return ReportOutcome(path, errors=(f"{path}: error: rendering failed: {reason}",),
                         declared_id=_declared_id(path))


def _declared_id(path: Path) -> str | None:
    """The id in the main file of a report that could not be read, if it is a valid id.

    Only the file's syntax must be right: a report failing on any other field
    still says which files in the output folder are its earlier ones.
    """
    from civicrecord.loading import MAIN_FILE_NAMES, read_document
    from civicrecord.validation import MAX_ID_LENGTH, SLUG_PATTERN

    try:
        files = [path / name for name in MAIN_FILE_NAMES if (path / name).is_file()] \
            if path.is_dir() else [path]
        data = read_document(files[0]).data if len(files) == 1 else None
    except Exception:  # noqa: BLE001 - unreadable: no id to tell, and the index says so
        return None
    declared = data.get("id") if isinstance(data, dict) else None
    if isinstance(declared, str) and len(declared) <= MAX_ID_LENGTH \
            and SLUG_PATTERN.fullmatch(declared):
        return declared
    return None


def _is_broken_pool(error: BaseException) -> bool:
    process = sys.modules.get("concurrent.futures.process")  # imported only if a pool ran
    return process is not None and isinstance(error, process.BrokenProcessPool)


def _reject_duplicate_ids(outcomes: list[ReportOutcome]) -> list[ReportOutcome]:
    by_id: dict[str, list[ReportOutcome]] = {}
    for outcome in outcomes:
        if outcome.report_id is not None:
            by_id.setdefault(outcome.report_id, []).append(outcome)
    clashes = {ident: group for ident, group in by_id.items() if len(group) > 1}
    checked = []
    for outcome in outcomes:
        group = clashes.get(outcome.report_id or "")
        if group is None:
            checked.append(outcome)
            continue
        paths = [str(other.path) for other in group if other is not outcome]
        # Four are named rather than three and "1 other report".
        named = paths if len(paths) <= 4 else [*paths[:3], f"{len(paths) - 3} other reports"]
        others = f"{', '.join(named[:-1])} and {named[-1]}" if len(named) > 1 else named[0]
        message = (f"{outcome.path}: error: report id {outcome.report_id!r} is also the id of "
                   f"{others}; their files would overwrite each other, so none was written "
                   "(give each report its own id)")
        checked.append(attrs.evolve(outcome, errors=(*outcome.errors, message), written=()))
    return checked


def _move_into_place(outcome: ReportOutcome, output: Path, reserved: frozenset[str],
                     unflushed: Mapping[Path, str]) -> ReportOutcome:
    if not outcome.written:
        return outcome
    moved: list[Path] = []
    errors = list(outcome.errors)
    for staged in outcome.written:
        target = output / staged.name
        if staged.name in reserved:
            errors.append(f"{outcome.path}: error: {staged.name} is the name of a file that "
                          f"lists all the reports; give report {outcome.report_id!r} another id")
            continue
        if staged in unflushed:  # moving it could put an empty file where a good one was
            errors.append(f"{outcome.path}: error: cannot write {target}: {unflushed[staged]}")
            continue
        try:
            os.replace(staged, target)
        except OSError as error:
            errors.append(f"{outcome.path}: error: cannot write {target}: {error.strerror}")
            continue
        moved.append(target)
    return attrs.evolve(outcome, written=tuple(moved), errors=tuple(errors))


# --- The index page and the key-figures table ----------------------------------


def write_key_figures(outcomes: Iterable[ReportOutcome], output: Path) -> list[Path]:
    """Write the key figures of every rendered report as CSV and JSON; return both paths.

    The CSV goes through :func:`civicrecord.csvfile.write_csv`, like the
    ``civicrecord-csv`` plugin's table: text a spreadsheet could run as a
    formula gets a leading ``'``, numbers stay numbers.
    """
    from civicrecord.csvfile import write_csv

    rows = [figure for outcome in outcomes if outcome.written for figure in outcome.key_figures]
    records = [attrs.asdict(row) for row in rows]
    text = json.dumps(records, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    table = write_csv(KEY_FIGURE_FIELDS, [attrs.astuple(row) for row in rows])
    return [
        write_atomically(output / KEY_FIGURES_CSV, table),
        write_atomically(output / KEY_FIGURES_JSON, text.encode("utf-8")),
    ]


def write_index(outcomes: Iterable[ReportOutcome], output: Path, *,
                theme: Mapping[str, Any] | None = None) -> Path:
    """Write ``index.html``: every rendered report, links to its documents and key figures,
    and the reports that failed, with links to their earlier files kept in ``output``.

    ``theme`` is the HTML renderer's ``theme`` option (``{"primary": "#005a9c"}``),
    so the index wears the reports' colours.
    """
    try:
        # A symbolic link is not a file a run left: the batch writes none, and one
        # named like a report's file may point anywhere.
        present = [entry.name for entry in os.scandir(output)
                   if entry.is_file(follow_symlinks=False)]
    except OSError as error:
        raise OutputError(f"cannot read output folder {output}: {error.strerror}") from None
    page = index_html(list(outcomes), theme=theme, present=present)
    return write_atomically(output / INDEX_FILE, page.encode("utf-8"))


def _shown_path(path: Path) -> str:
    """A path as text the page can hold: a name's bytes that are not UTF-8 (Linux allows
    them) are written as ``\\xff`` escapes rather than stopping the index."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def _common(values: Iterable[str]) -> str | None:
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def _documents(report_id: str | None, names: Iterable[str]) -> list[dict[str, str]]:
    """Each file of a report as a link: its address, its format ("HTML", "DOCX"), its name."""
    documents = []
    for name in names:
        extension = name.removeprefix(f"{report_id}.")
        documents.append({"href": urllib.parse.quote(name), "name": name,
                          "label": extension.upper(), "extension": extension})
    return documents


def _is_extension(text: str) -> bool:
    return text.isascii() and text.isalnum()


def _earlier_files(outcome: ReportOutcome, present: Collection[str],
                   fresh: Collection[str]) -> list[str]:
    """The files of a failed report in the output folder that this run did not write.

    A report's files are named ``<id>.<extension>``; an id has no dot, so no
    other report's file starts with ``<id>.``. The batch's own files are not
    the report's, even for a report whose id would name one of them.
    """
    if outcome.declared_id is None:
        return []
    prefix = f"{outcome.declared_id}."
    return sorted(name for name in present
                  if name.startswith(prefix) and _is_extension(name[len(prefix):])
                  and name not in fresh and name not in BATCH_FILES)


def _index_template() -> Any:
    import jinja2

    from civicrecord.renderers.html import BUILTIN_TEMPLATES, css_string

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([INDEX_TEMPLATE.parent, BUILTIN_TEMPLATES]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True)
    environment.filters["css_string"] = css_string
    return environment.get_template(INDEX_TEMPLATE.name)


def index_html(outcomes: Sequence[ReportOutcome], *,
               theme: Mapping[str, Any] | None = None, present: Collection[str] = ()) -> str:
    """The index page, in the reports' style: escaped text, no script, nothing fetched.

    A card for each report with a document written, and a list of the reports
    that failed, whole or in part: their paths and ids, and links to their
    earlier files, labelled as earlier, among ``present`` (the names of the
    files in the output folder), since a failed run leaves those in place.

    The page speaks the rendered reports' language when they share one (English
    otherwise), and each report's own texts carry their own ``lang``. Its
    colours are ``theme``'s (the HTML renderer's option); a logo belongs to
    each report's folder and is left out, and a theme the HTML renderer
    refused (each report's HTML then failed, saying why) gives the default
    colours.
    """
    from civicrecord._version import __version__
    from civicrecord.presentation import STATUS_ORDER, presenter_for
    from civicrecord.renderer import RenderError
    from civicrecord.renderers.html import (
        STATUS_COLOURS,
        Labels,
        Theme,
        theme_from_options,
    )

    shown = [outcome for outcome in outcomes if outcome.written]
    language = _common(o.language for o in shown) or "en"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        presenter = presenter_for(language)
    labels = Labels(presenter.labels())
    given = theme if isinstance(theme, Mapping) else {}
    colours = {key: value for key, value in given.items() if key != "logo"}
    try:
        page_theme = theme_from_options({"theme": colours}, None)
    except RenderError:
        page_theme = Theme()
    authority = _common(o.authority for o in shown)
    heading = f"{authority} – {labels['index_title']}" if authority else labels["index_title"]
    reports = []
    for outcome in shown:
        documents = _documents(outcome.report_id, (path.name for path in outcome.written))
        reports.append({
            "title": outcome.title,
            "language": outcome.language,
            "place": ", ".join(part for part in (outcome.neighbourhood, outcome.city) if part),
            "period": outcome.period,
            "highlights": outcome.highlights,
            "documents": documents,
            "page": next((d["href"] for d in documents if d["extension"] == "html"), None),
        })
    fresh = {path.name for outcome in outcomes for path in outcome.written}
    failed = [{"path": _shown_path(outcome.path), "id": outcome.declared_id,
               "earlier": _documents(outcome.declared_id,
                                     _earlier_files(outcome, present, fresh))}
              for outcome in outcomes if outcome.failed]
    return str(_index_template().render(
        language=language, t=labels, theme=page_theme, heading=heading, authority=authority,
        reports=reports, failed=failed, csv_file=KEY_FIGURES_CSV, json_file=KEY_FIGURES_JSON,
        generator=f"civicrecord {__version__}",
        # What the reports' stylesheet (style.css.j2) reads.
        statuses=STATUS_ORDER, status_colours={s.value: c for s, c in STATUS_COLOURS.items()},
        report={"title": heading},
    ))
