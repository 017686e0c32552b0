"""Reading reports: a folder (``report.yaml`` + ``axes/<id>.yaml``) or a single file.

The folder layout lets several people edit different axes at once: the main
file lists the axes in reading order by id, and each id names a file in
``axes/``. An axis may also be written inline in the main file. Every problem
of every file is found in one run: an axis that cannot be read or built is set
aside, and the rules that need the whole report still check the others.
"""

from __future__ import annotations

import re
import stat
from collections import Counter
from pathlib import Path
from typing import Any

import attrs

from civicrecord.convert import structure_problems
from civicrecord.loading.json_toml import parse_json, parse_toml
from civicrecord.loading.source import Document, SourceError, SourceMap, decode, read_bytes
from civicrecord.loading.yaml_reader import parse_yaml
from civicrecord.model import FORMAT_VERSIONS, Report
from civicrecord.problems import Location, PathKey, Problem, Severity, format_path, parse_path
from civicrecord.validation import SLUG_PATTERN, check_plain_data, check_report, with_location

__all__ = ["DATA_SUFFIXES", "MAIN_FILE_NAMES", "MAX_ACTIONS", "MAX_AXES", "MAX_REPORT_BYTES",
           "SHOWN_OF_A_KIND", "LoadResult", "load_report", "parse_text", "place_problem",
           "read_document", "sort_problems"]

#: The main file of a report folder, looked for in this order.
MAIN_FILE_NAMES = ("report.yaml", "report.yml", "report.toml", "report.json")
_READERS = {".yaml": parse_yaml, ".yml": parse_yaml, ".toml": parse_toml, ".json": parse_json}
#: File types a report or an axis may be written in.
DATA_SUFFIXES = tuple(_READERS)
#: Bytes read for one report, all its files together (docs/limits.md).
MAX_REPORT_BYTES = 32 * 1024 * 1024
#: Axes one report may list, and actions it may hold.
MAX_AXES = 5_000
MAX_ACTIONS = 25_000
#: Problems of one kind (same severity and message) listed before the rest are counted.
SHOWN_OF_A_KIND = 10
_AXIS = re.compile(r"(?<![\w.])axes\[(\d+)\]")


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


def read_document(path: Path) -> Document:
    """Read one YAML, TOML or JSON file by its extension."""
    suffix = path.suffix.lower()
    if suffix not in _READERS:
        raise SourceError([_error((), f"unsupported file type {suffix or '(none)'!r}",
                                  "use a .yaml, .yml, .toml or .json file", Location(str(path)))])
    return parse_text(decode(read_bytes(path, str(path)), str(path)), str(path), suffix[1:])


def parse_text(text: str, name: str, fmt: str) -> Document:
    """Parse text already decoded; ``fmt`` is a file type without its dot (``yaml``...)."""
    if not text.strip():
        raise SourceError([_error((), "file is empty", "a report file must hold a mapping "
                                  "of fields", Location(name, 1, 1))])
    return _READERS["." + fmt](text, name)


def load_report(path: Path | str) -> LoadResult:
    """Read and check a report, collecting every problem instead of raising."""
    path, set_aside = Path(path), set[int]()
    try:
        base_dir = path if path.is_dir() else path.parent
        if base_dir == path:
            data, source_map, problems, set_aside = _read_folder(path)
        else:
            document = read_document(path)
            data, source_map = document.data, document.source_map
            problems = _axis_ids_in_a_file(data, source_map, path)
            set_aside = {index for index, axis in enumerate(_axes(data)) if isinstance(axis, str)}
        actions = sum(len(axis["actions"]) for axis in _axes(data) if isinstance(axis, dict)
                      and isinstance(axis.get("actions"), list))
        if actions > MAX_ACTIONS:
            raise SourceError([_error(("axes",), f"the report holds {actions:,} actions, over "
                                      f"the limit of {MAX_ACTIONS} (MAX_ACTIONS)",
                                      "split the report", source_map.locate(("axes",)))])
    except SourceError as error:
        return LoadResult(None, tuple(_readable(sort_problems(error.problems))), None)
    except OSError as error:  # the folder itself: not enterable, a name too long...
        return LoadResult(None, (_error((), f"cannot read {error.filename or path}: "
                                        f"{error.strerror}", "check the path and its "
                                        "permissions", Location(str(path))),), None)
    problems += _envelope_problems(data, source_map)
    problems += [place_problem(p, source_map) for p in check_plain_data(data)]
    report, structure = structure_problems(data)
    problems += [place_problem(p, source_map) for p in structure
                 if _axis_of(p.path) not in set_aside]  # what set it aside is reported
    # Every problem in one pass: a control character does not hide a wrong type
    # elsewhere, nor a broken axis the rules that check the others. A field
    # already reported (NaN, say) is not reported again by those rules.
    reported = {p.path for p in problems if p.is_error}
    problems += [place_problem(p, source_map) for p in _checks(data, report, structure, set_aside)
                 if p.path not in reported]
    problems = _readable(sort_problems(problems))
    return LoadResult(report if not any(p.is_error for p in problems) else None,
                      tuple(problems), base_dir, source_map)


def _checks(data: Any, report: Report | None, structure: list[Problem],
            set_aside: set[int]) -> list[Problem]:
    """The whole-report rules, on the report or, if some axes could not be built,
    on the others (paths then renumbered to the axes as listed)."""
    if report is not None:
        return check_report(report)
    failed, axes = set_aside | {_axis_of(p.path) for p in structure}, _axes(data)
    if None in failed or not axes:
        return []  # something outside the axes: the report has no frame to check against
    kept = [index for index in range(len(axes)) if index not in failed]
    partial, _ = structure_problems({**data, "axes": [axes[i] for i in kept]})
    if partial is None:
        return []

    def renumber(text: str) -> str:
        return _AXIS.sub(lambda found: f"axes[{kept[int(found[1])]}]", text)

    return [attrs.evolve(p, path=renumber(p.path), message=renumber(p.message))
            for p in check_report(partial)]


def _axis_ids_in_a_file(data: Any, source_map: SourceMap, path: Path) -> list[Problem]:
    """Axes listed by id in a one-file report, which has no ``axes/`` to read them from."""
    alone = path.name in MAIN_FILE_NAMES  # the main file of a folder, given alone
    return [_error(("axes", index), f"axis {entry!r} is only an id: a report in one file "
                   "holds its axes written out in full",
                   f"give the folder {path.parent}, not its {path.name}, to read axes/" if alone
                   else f"write the axis's fields here, or make the report a folder: "
                   f"{path.name} as report{path.suffix}, this axis in axes/{entry}{path.suffix}",
                   source_map.locate(("axes", index)))
            for index, entry in enumerate(_axes(data)) if isinstance(entry, str)]


def _axes(data: Any) -> list[Any]:
    axes = data.get("axes") if isinstance(data, dict) else None
    return axes if isinstance(axes, list) else []


def _axis_of(path: str) -> int | None:
    found = _AXIS.match(path)
    return int(found[1]) if found else None


def sort_problems(problems: list[Problem]) -> list[Problem]:
    def key(problem: Problem) -> tuple[str, int, int, str]:
        loc = problem.location or Location()
        return (loc.file or "", loc.line or 0, loc.column or 0, problem.path)

    return sorted(problems, key=key)


def _readable(problems: list[Problem]) -> list[Problem]:
    """The first ``SHOWN_OF_A_KIND`` problems of each kind, then how many more there are."""
    counts = Counter((p.severity, p.message) for p in problems)
    shown: Counter[tuple[Severity, str]] = Counter()
    kept = []
    for problem in problems:
        kind = (problem.severity, problem.message)
        shown[kind] += 1
        if shown[kind] <= SHOWN_OF_A_KIND:
            kept.append(problem)
        if shown[kind] == SHOWN_OF_A_KIND < counts[kind]:
            kept.append(attrs.evolve(problem, hint=None, message=f"and "
                                     f"{counts[kind] - SHOWN_OF_A_KIND:,} more like this"))
    return kept


def place_problem(problem: Problem, source_map: SourceMap) -> Problem:
    if problem.location is not None:
        return problem
    return with_location(problem, source_map.locate(parse_path(problem.path)))


def _envelope_problems(data: Any, source_map: SourceMap) -> list[Problem]:
    if not isinstance(data, dict):
        return []
    version, _ = data.pop("format_version", None), data.pop("$schema", None)
    if version is None or version in FORMAT_VERSIONS:
        return []
    readable = " and ".join(repr(v) for v in FORMAT_VERSIONS)
    message, hint = (f"format version {version!r} is not supported (this civicrecord "
                     f"reads {readable})", "upgrade civicrecord, or re-export the file")
    if str(version) in FORMAT_VERSIONS:  # 1 written without quotes
        message, hint = (f"format_version is text, not the number {version}",
                         f"write format_version: '{version}'")
    return [_error(("format_version",), message, hint, source_map.locate(("format_version",)))]


def _error(path: PathKey, message: str, hint: str, where: Location | None) -> Problem:
    return Problem(Severity.ERROR, format_path(path), message, hint, where)


def _find_main_file(folder: Path) -> Path:
    found = [folder / name for name in MAIN_FILE_NAMES if (folder / name).is_file()]
    if len(found) > 1:
        raise SourceError([_error((), "more than one report file in this folder: " + ", ".join(
            path.name for path in found), "keep one of them; civicrecord will not guess "
            "which is current", Location(str(found[1])))])
    if not found:
        raise SourceError([_error((), "no report file in this folder", "a report folder holds "
                                  + " or ".join(MAIN_FILE_NAMES[:1] + MAIN_FILE_NAMES[2:]),
                                  Location(str(folder)))])
    return found[0]


def _read_folder(folder: Path) -> tuple[Any, SourceMap, list[Problem], set[int]]:
    """The main file's data with each axis file's data in its place, the problems, and
    the axes set aside (not read, or not readable). Each file is read once at most."""
    main_file = _find_main_file(folder)
    main = read_document(main_file)
    data, source_map, main_name = main.data, main.source_map, main_file.name
    axes = _axes(data)
    if len(axes) > MAX_AXES:
        raise SourceError([_error(("axes",), f"the report lists {len(axes):,} axes, over the "
                                  f"limit of {MAX_AXES} (MAX_AXES)", "group actions into fewer "
                                  "axes, or split the report", source_map.locate(("axes",)))])
    axes_dir, problems, set_aside, total = folder / "axes", [], set(), main_file.stat().st_size
    inside = axes_dir.resolve().is_relative_to(folder.resolve())  # axes/ may be a link
    counts = Counter(entry for entry in axes if isinstance(entry, str))
    first: dict[str, int] = {}
    for index, entry in enumerate(axes):
        if not isinstance(entry, str):
            continue  # an axis written inline
        set_aside.add(index)  # until its file is read
        if total > MAX_REPORT_BYTES:
            continue
        at, where, axes[index] = ("axes", index), source_map.locate(("axes", index)), None
        if not SLUG_PATTERN.fullmatch(entry):
            problems.append(_error(at, f"axis id {entry!r} is not a slug", "use lowercase ASCII "
                                   "letters, digits and hyphens; it names a file in axes/", where))
            continue
        if entry in first:
            if listed := counts.pop(entry, 0):  # said once, at the second listing
                problems.append(_error(at, f"axis {entry!r} is listed {listed:,} times, first "
                                       f"at axes[{first[entry]}]", "list each axis once", where))
            continue
        first[entry] = index
        try:  # an axis file's problems are said from the report: axes[N]...
            file, size = _axis_file(axes_dir / entry, inside, main_name, where)
            total += size
            if total > MAX_REPORT_BYTES:
                problems.append(_error(at, f"the report's files add up to more than "
                                       f"{MAX_REPORT_BYTES} bytes (MAX_REPORT_BYTES): axis "
                                       f"{entry!r} and the ones after it are not read",
                                       "split the report", where))
                continue
            document = read_document(file)
        except SourceError as error:
            problems += [attrs.evolve(p, path=format_path((*at, *parse_path(p.path))))
                         for p in error.problems]
            continue
        axes[index] = document.data
        set_aside.discard(index)
        if isinstance(document.data, dict):
            declared = document.data.setdefault("id", entry)
            if declared != entry:
                problems.append(_error(
                    (*at, "id"), f"axis file {entry!r} declares id {declared!r}",
                    f"make the id {entry!r}, or rename the file and the entry in {main_name}",
                    document.source_map.locate(("id",))))
        source_map.grafts[at] = document.source_map
    problems += _unlisted(axes_dir, set(first), main_name)
    return data, source_map, problems, set_aside


def _unlisted(axes_dir: Path, listed: set[str], main_name: str) -> list[Problem]:
    try:
        extras = sorted(axes_dir.iterdir()) if axes_dir.is_dir() else []
    except OSError as error:
        return [Problem(Severity.WARNING, "axes", f"cannot list the axes folder: "
                        f"{error.strerror}", "unlisted axis files are not looked for",
                        Location(str(axes_dir)))]
    return [Problem(Severity.WARNING, "axes", f"axis file {extra.name} is not listed in the "
                    "report's axes", f"add '- {extra.stem}' to axes in {main_name}, or delete it",
                    Location(str(extra)))
            for extra in extras if extra.suffix in DATA_SUFFIXES and extra.stem not in listed]


def _axis_file(stem: Path, inside: bool, main_name: str,
               where: Location | None) -> tuple[Path, int]:
    """``axes/<id>.*`` and its size; the id is a slug, so it cannot leave ``axes/``, and
    with the file not a link, ``inside`` (``axes/`` is in the report folder) says it is."""
    for suffix in DATA_SUFFIXES:
        candidate = stem.with_name(stem.name + suffix)
        try:
            info = candidate.lstat()
        except OSError:
            continue
        if stat.S_ISLNK(info.st_mode) or not inside:
            raise SourceError([_error((), f"axis file {candidate} is a symbolic link or lies "
                                      "outside the report folder",
                                      "copy the file into axes/ instead of linking it", where)])
        return candidate, info.st_size
    raise SourceError([_error((), f"axis {stem.name!r} has no file axes/{stem.name}.yaml",
                              f"create axes/{stem.name}.yaml, or remove '{stem.name}' from axes "
                              f"in {main_name}", where)])
