"""Importing a report from another system: ``civicrecord import`` and ``civicrecord importers``.

A built-in plugin: its commands come through the ``register_commands`` hook as
any plugin's do, and the importers it runs come from ``register_importers``
(civicrecord ships none; ``civicrecord-decidim`` is the first).

An import writes a report folder (``report.yaml``, ``axes/<id>.yaml`` and the
``schema/`` editors check against) in one step: the files are written to a
private folder beside the target, loaded back and validated, and moved into
place only if the report loads without an error. A failed import leaves
nothing behind, and an existing folder with anything in it is never touched.
What the source lacks (the need, the outcome, the neighbourhood's name) is
text marked ``TODO``, so the new folder validates with warnings that list
what is left to write.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from civicrecord.command import Command
from civicrecord.importer import Importer, ImportOptions, ImportResult, SourceError
from civicrecord.model import Report
from civicrecord.plugins.hookspecs import hookimpl
from civicrecord.problems import Problem

if TYPE_CHECKING:
    from civicrecord.plugins import PluginSet

__all__ = ["ImportFailure", "ImportOutcome", "choose_importer", "import_report"]

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class ImportFailure(Exception):
    """An import that cannot be done; nothing was written. ``problems`` say where in the source.

    ``usage`` is true when the command line itself is wrong (an unknown
    ``--from``), false when the source or the target folder is.
    """

    def __init__(self, message: str, problems: Iterable[Problem] = (), *,
                 usage: bool = False) -> None:
        super().__init__(message)
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.usage = usage


@attrs.frozen
class ImportOutcome:
    """A report folder written from another system's export."""

    directory: Path
    importer: str
    files: tuple[Path, ...]
    """Every file written, sorted."""
    source_problems: tuple[Problem, ...]
    """What the importer noticed in the source (a status it could not map...)."""
    warnings: tuple[Problem, ...]
    """What ``civicrecord validate`` says of the new folder: the TODO texts, mostly."""
    summary: str
    """"4 axes, 12 actions, 3 places"."""


def choose_importer(source: Path, importers: dict[str, Importer],
                    name: str | None = None) -> Importer:
    """The importer named ``name``, or the only one that recognises ``source``."""
    listing = _listing(importers)
    if name is not None:
        if name not in importers:
            raise ImportFailure(f"no importer named {name!r} ({listing})", usage=True)
        return importers[name]
    if not importers:
        raise ImportFailure(f"no importer is installed ({listing})")
    matching = [importer for importer in importers.values() if _detects(importer, source)]
    if not matching:
        raise ImportFailure(f"{source}: no importer recognises this file; if you know "
                            f"where it comes from, name it with --from ({listing})")
    if len(matching) > 1:
        names = ", ".join(importer.name for importer in matching)
        raise ImportFailure(f"{source}: several importers recognise this file ({names}); "
                            "choose one with --from")
    return matching[0]


def _detects(importer: Importer, source: Path) -> bool:
    try:
        return bool(importer.detect(source))
    except Exception:  # noqa: BLE001 - detect must never raise; one that does says no
        return False


def _listing(importers: dict[str, Importer]) -> str:
    if not importers:
        return "none installed; install one, e.g. pip install civicrecord-decidim"
    return "available: " + "; ".join(f"{importer.name} ({importer.description})"
                                     for importer in importers.values())


def import_report(
    source: Path | str,
    directory: Path | str,
    *,
    importer: str | None = None,
    options: ImportOptions | None = None,
    plugins: PluginSet | None = None,
) -> ImportOutcome:
    """Read another system's export and write it as a report folder at ``directory``.

    ``importer`` names the system (``decidim``); without it the importers are
    asked which recognises ``source``. ``directory`` must not exist or be an
    empty folder. The report's id is made from the folder's name, as
    ``civicrecord new`` makes it. Raises :class:`ImportFailure` (nothing
    written) when no importer fits, the source cannot be read, or the report
    read from it does not load.
    """
    from civicrecord.plugins import load_plugins
    from civicrecord.scaffold import ScaffoldError, check_new_folder, report_id_for, schema_files

    source, target = Path(source), Path(directory)
    try:
        check_new_folder(target)
    except ScaffoldError as error:
        raise ImportFailure(str(error)) from None
    if not source.exists():
        raise ImportFailure(f"no such file or folder: {source}")
    chosen = choose_importer(source, (plugins or load_plugins()).importers(), importer)
    result = _read(chosen, source, options or ImportOptions())
    report = attrs.evolve(result.report, id=report_id_for(target))
    header = (f"Imported from {source.name} by `civicrecord import --from {chosen.name}`.",
              "Replace every text marked TODO; `civicrecord validate` lists those left.")
    from civicrecord.yaml_writer import report_files

    try:
        texts = report_files(report, header=header)
    except ValueError as error:
        raise ImportFailure(f"importer {chosen.name!r} read a report that cannot be "
                            f"written: {error}") from None
    files = {name: text.encode("utf-8") for name, text in texts.items()}
    files.update(schema_files())
    warnings = _write_checked(target, files, chosen.name)
    return ImportOutcome(
        directory=target,
        importer=chosen.name,
        files=tuple(sorted(target / name for name in files)),
        source_problems=result.problems,
        warnings=warnings,
        summary=_summary(report),
    )


def _read(importer: Importer, source: Path, options: ImportOptions) -> ImportResult:
    try:
        result = importer.read(source, options)
    except SourceError as error:
        raise ImportFailure(f"{source}: cannot import it as {importer.name}",
                            error.problems) from None
    except Exception as error:  # noqa: BLE001 - a plugin's bug, told as such
        raise ImportFailure(f"importer {importer.name!r} failed on {source}: "
                            f"{type(error).__name__}: {error} (a bug in the importer; "
                            "report it to its authors)") from None
    if not isinstance(result, ImportResult):
        raise ImportFailure(f"importer {importer.name!r} returned {type(result).__name__}, "
                            "not an ImportResult (a bug in the importer)")
    return result


def _summary(report: Report) -> str:
    actions = sum(len(axis.actions) for axis in report.axes)
    return (f"{len(report.axes)} axes, {actions} actions, "
            f"{len(report.neighbourhood.places)} places")


def _write_checked(target: Path, files: dict[str, bytes], importer: str) -> tuple[Problem, ...]:
    """Write ``files`` into ``target`` in one step if they load; return the warnings.

    The gate is civicrecord's own rules: a city's plugin rules are for the
    people who finish the report, and ``civicrecord validate`` shows them.
    """
    from civicrecord.loading import load_report
    from civicrecord.scaffold import ScaffoldError, write_new_folder

    warnings: list[Problem] = []

    def loads(staging: Path) -> None:
        loaded = load_report(staging)
        if loaded.report is None:
            # The importer's report broke a rule: say which, without the staging paths.
            raise ImportFailure(
                f"importer {importer!r} read a report that does not load (a bug in the "
                "importer; report it to its authors)",
                [attrs.evolve(problem, location=None) for problem in loaded.errors])
        warnings.extend(_moved(problem, staging, target) for problem in loaded.warnings)

    try:
        write_new_folder(target, files, check=loads)
    except ScaffoldError as error:
        raise ImportFailure(str(error)) from None
    return tuple(warnings)


def _moved(problem: Problem, staging: Path, target: Path) -> Problem:
    """The problem placed in the file's final place rather than the staging folder."""
    location = problem.location
    if location is None or location.file is None:
        return problem
    try:
        relative = Path(location.file).relative_to(staging)
    except ValueError:
        return problem
    return attrs.evolve(problem, location=attrs.evolve(location, file=str(target / relative)))


# --- The commands -----------------------------------------------------------------------


def _configure_import(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", type=Path, metavar="SOURCE",
                        help="the export to read (a file or folder from the other system)")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="DIR",
                        help="the report folder to create; it must not exist or be empty")
    parser.add_argument("--from", dest="importer", metavar="NAME",
                        help="the system the export comes from (default: guessed from its "
                        "content; see civicrecord importers)")
    parser.add_argument("--language", metavar="LANG",
                        help="the language to take texts in when the export holds several "
                        "(e.g. fr)")


def _run_import(args: argparse.Namespace) -> int:
    import shlex

    try:
        outcome = import_report(args.source, args.output, importer=args.importer,
                                options=ImportOptions(language=args.language))
    except ImportFailure as failure:
        for problem in failure.problems:
            print(problem, file=sys.stderr)
        print(f"civicrecord: error: {failure}", file=sys.stderr)
        if not failure.usage:
            print("nothing was written", file=sys.stderr)
        return EXIT_USAGE if failure.usage else EXIT_PROBLEMS
    for problem in outcome.source_problems:
        print(problem, file=sys.stderr)
    noticed = (f"; {len(outcome.source_problems)} thing(s) to check in the source, above"
               if outcome.source_problems else "")
    print(f"{outcome.directory}: imported from {args.source} by {outcome.importer}: "
          f"{outcome.summary}{noticed}")
    folder = shlex.quote(str(outcome.directory))
    print(f"next: replace every TODO ({len(outcome.warnings)} warning(s)), then run: "
          f"civicrecord validate {folder}")
    return EXIT_OK


def _configure_importers(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print as JSON")


def _run_importers(args: argparse.Namespace) -> int:
    from civicrecord.plugins import load_plugins

    plugins = getattr(args, "plugin_set", None) or load_plugins()
    importers = plugins.importers()
    rows = [{"name": importer.name, "description": importer.description}
            for importer in importers.values()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        width = max((len(row["name"]) for row in rows), default=0)
        for row in rows:
            print(f"{row['name'].ljust(width)}  {row['description']}")
        if not rows:
            print("no importer installed (e.g. pip install civicrecord-decidim)",
                  file=sys.stderr)
    for fault in plugins.faults:
        if fault.stage == "register_importers":
            print(f"civicrecord: warning: {fault}", file=sys.stderr)
    return EXIT_OK


@hookimpl
def register_commands() -> Sequence[Command]:
    return [
        Command("import", "read another system's export (Decidim...) into a new report "
                "folder", _configure_import, _run_import),
        Command("importers", "list the systems you can import reports from",
                _configure_importers, _run_importers),
    ]
