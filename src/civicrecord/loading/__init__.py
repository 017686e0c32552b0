"""Reading reports: a folder (``report.yaml`` + ``axes/<id>.yaml``) or a single file.

The folder layout lets several people edit different axes at once: the main
file lists the axes in reading order by id, and each id names a file in
``axes/``. An axis may also be written inline in the main file.
"""

from __future__ import annotations

import contextlib
import gc
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from civicrecord.loading.converter import structure_problems
from civicrecord.loading.source import Document, SourceError, SourceMap, read_document
from civicrecord.model import FORMAT_VERSIONS, Report
from civicrecord.problems import Location, Problem, Severity, format_path
from civicrecord.validation import SLUG_PATTERN, check_plain_data, check_report, with_location

__all__ = [
    "DATA_SUFFIXES",
    "MAIN_FILE_NAMES",
    "LoadResult",
    "load_report",
    "place_problem",
    "sort_problems",
]

#: The main file of a report folder, looked for in this order.
MAIN_FILE_NAMES = ("report.yaml", "report.yml", "report.toml", "report.json")
#: File types a report or an axis may be written in.
DATA_SUFFIXES = (".yaml", ".yml", ".toml", ".json")
#: Keys a file may carry for editors and readers, which are not report fields.
_ENVELOPE_KEYS = ("$schema", "format_version")


@attrs.frozen
class LoadResult:
    """What reading a report found: the report if it could be built, and every problem."""

    report: Report | None
    problems: tuple[Problem, ...]
    base_dir: Path | None
    """The report's folder: assets such as a logo are resolved inside it, never outside."""
    source_map: SourceMap | None = None
    """Where each field sits in the source files, to place later problems."""

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)


def load_report(path: Path | str) -> LoadResult:
    """Read and check a report, collecting every problem instead of raising."""
    with _without_cycle_collection():
        return _load_report(Path(path))


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a report is read and checked.

    Reading builds a tree of dicts, lists and model objects without a single
    reference cycle, and the collector would scan the growing tree again and
    again: a quarter of the time of a 10,000-action report. It is switched
    back on by whoever switched it off, so threads loading at once leave it on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_report(path: Path) -> LoadResult:
    try:
        if path.is_dir():
            data, source_map, problems = _read_folder(path)
            base_dir = path
        else:
            document = read_document(path)
            data, source_map, problems = document.data, document.source_map, []
            base_dir = path.parent
    except SourceError as error:
        return LoadResult(None, tuple(error.problems), None)
    problems += _envelope_problems(data, source_map)
    problems += [place_problem(p, source_map) for p in check_plain_data(data)]
    # Every problem in one pass: a control character does not hide a wrong type
    # elsewhere. A field already reported (NaN, say) is not reported again by the
    # cross-record rules.
    reported = {p.path for p in problems if p.is_error}
    report, structure = structure_problems(data)
    problems += [place_problem(p, source_map) for p in structure]
    if report is not None:
        problems += [place_problem(p, source_map) for p in check_report(report)
                     if p.path not in reported]
    return LoadResult(report if not any(p.is_error for p in problems) else None,
                      tuple(sort_problems(problems)), base_dir, source_map)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    def key(problem: Problem) -> tuple[str, int, int, str]:
        loc = problem.location or Location()
        return (loc.file or "", loc.line or 0, loc.column or 0, problem.path)

    return sorted(problems, key=key)


def place_problem(problem: Problem, source_map: SourceMap) -> Problem:
    if problem.location is not None:
        return problem
    return with_location(problem, source_map.locate(_parse_path(problem.path)))


def _parse_path(text: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    for chunk in text.replace("]", "").split("."):
        if not chunk:
            continue
        name, *indexes = chunk.split("[")
        if name:
            parts.append(name)
        parts.extend(int(i) for i in indexes if i.isdigit())
    return tuple(parts)


def _envelope_problems(data: Any, source_map: SourceMap) -> list[Problem]:
    if not isinstance(data, dict):
        return []
    problems = []
    version = data.pop("format_version", None)
    data.pop("$schema", None)
    if version is not None and version not in FORMAT_VERSIONS:
        readable = " and ".join(repr(v) for v in FORMAT_VERSIONS)
        message, hint = (f"format version {version!r} is not supported (this civicrecord "
                         f"reads {readable})", "upgrade civicrecord, or re-export the file")
        if str(version) in FORMAT_VERSIONS:  # 1 written without quotes
            message, hint = (f"format_version is text, not the number {version}",
                             f"write format_version: '{version}'")
        problems.append(Problem(Severity.ERROR, "format_version", message, hint,
                                source_map.locate(("format_version",))))
    return problems


def _find_main_file(folder: Path) -> Path:
    found = [folder / name for name in MAIN_FILE_NAMES if (folder / name).is_file()]
    if len(found) > 1:
        raise SourceError([Problem(
            Severity.ERROR, "", "more than one report file in this folder: "
            + ", ".join(path.name for path in found),
            "keep one of them; civicrecord will not guess which is current",
            Location(str(found[1])),
        )])
    if found:
        return found[0]
    raise SourceError([Problem(
        Severity.ERROR, "", "no report file in this folder",
        "a report folder holds " + " or ".join(MAIN_FILE_NAMES[:1] + MAIN_FILE_NAMES[2:]),
        Location(str(folder)),
    )])


def _read_folder(folder: Path) -> tuple[Any, SourceMap, list[Problem]]:
    main = read_document(_find_main_file(folder))
    data, source_map = main.data, main.source_map
    problems: list[Problem] = []
    axes = data.get("axes") if isinstance(data, dict) else None
    if not isinstance(axes, list):
        return data, source_map, problems
    listed: set[str] = set()
    axes_dir = folder / "axes"
    inside = _axes_inside(axes_dir)
    for index, entry in enumerate(axes):
        if not isinstance(entry, str):
            continue
        where = source_map.locate(("axes", index))
        if not SLUG_PATTERN.match(entry):
            problems.append(Problem(
                Severity.ERROR, format_path(("axes", index)),
                f"axis id {entry!r} is not a slug",
                "use lowercase ASCII letters, digits and hyphens; it names a file in axes/",
                where,
            ))
            axes[index] = None
            continue
        listed.add(entry)
        try:
            document = _read_axis(axes_dir, entry, main.file, where, index, inside)
        except SourceError as error:
            problems += error.problems
            axes[index] = None
            continue
        axis = document.data
        if isinstance(axis, dict):
            declared = axis.setdefault("id", entry)
            if declared != entry:
                problems.append(Problem(
                    Severity.ERROR, format_path(("axes", index, "id")),
                    f"axis file {entry!r} declares id {declared!r}",
                    f"make the id {entry!r}, or rename the file and the entry in "
                    f"{Path(main.file).name}",
                    document.source_map.locate(("id",)),
                ))
        axes[index] = axis
        source_map.graft(("axes", index), document.source_map)
    if axes_dir.is_dir():
        for extra in sorted(axes_dir.iterdir()):
            if extra.suffix in DATA_SUFFIXES and extra.stem not in listed:
                problems.append(Problem(
                    Severity.WARNING, "axes",
                    f"axis file {extra.name} is not listed in the report's axes",
                    f"add '- {extra.stem}' to axes in {Path(main.file).name}, or delete it",
                    Location(str(extra)),
                ))
    if any(p.is_error for p in problems):
        raise SourceError(problems)
    return data, source_map, problems


def _read_axis(axes_dir: Path, axis_id: str, main_file: str,
               where: Location | None, index: int, inside: bool) -> Document:
    """Read ``axes/<axis_id>.*``; ``axis_id`` is a slug, so it cannot leave ``axes/``.

    ``inside`` says whether ``axes/`` itself lies inside the report folder: with
    the file not a link, that decides whether the file does.
    """
    for suffix in DATA_SUFFIXES:
        candidate = axes_dir / f"{axis_id}{suffix}"
        try:
            mode = os.lstat(candidate).st_mode
        except OSError:
            continue
        if stat.S_ISLNK(mode) or not inside:
            raise SourceError([Problem(
                Severity.ERROR, format_path(("axes", index)), f"axis file {candidate} is "
                "a symbolic link or lies outside the report folder",
                "copy the file into axes/ instead of linking it", where,
            )])
        return read_document(candidate)
    raise SourceError([Problem(
        Severity.ERROR, format_path(("axes", index)),
        f"axis {axis_id!r} has no file axes/{axis_id}.yaml",
        f"create axes/{axis_id}.yaml, or remove '{axis_id}' from axes in "
        f"{Path(main_file).name}",
        where,
    )])


def _axes_inside(axes_dir: Path) -> bool:
    """Whether ``axes/`` lies inside the report folder (it may be a link to elsewhere)."""
    try:
        if not stat.S_ISLNK(os.lstat(axes_dir).st_mode):
            return True
    except OSError:
        return True  # no axes/ at all: each axis file is then reported missing
    return axes_dir.resolve().is_relative_to(axes_dir.parent.resolve())
