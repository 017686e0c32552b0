"""The ``civicrecord`` command: thin, it calls the public API and prints for people.

Exit codes: 0 all good, 1 the report or a renderer has a problem, 2 the
command line itself is wrong. Bad input never shows a traceback.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from civicrecord._version import __version__

if TYPE_CHECKING:
    from civicrecord.plugins import PluginSet

__all__ = ["main"]

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="civicrecord",
        description="Validate neighbourhood reports and render them to Word, HTML, JSON...",
    )
    parser.add_argument("--version", action="version", version=f"civicrecord {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    new = commands.add_parser("new", help="start a report folder: a copy of the worked "
                              "example, or a blank to fill in")
    new.add_argument("directory", type=Path, metavar="DIR",
                     help="the folder to create; it must not exist or be empty")
    new_source = new.add_mutually_exclusive_group()
    new_source.add_argument("--from", dest="example", metavar="EXAMPLE",
                            help="the worked example to copy (default: hauts_de_chambery)")
    new_source.add_argument("--blank", action="store_true",
                            help="texts to write marked TODO instead of the example's")
    new.add_argument("--language", choices=("fr", "en"),
                     help="language of a blank report's placeholders (default: fr)")

    validate = commands.add_parser("validate", help="check a report and list every problem")
    validate.add_argument("path", type=Path, metavar="PATH",
                          help="a report folder, or a YAML, TOML or JSON file")
    validate.add_argument("--json", action="store_true", help="print problems as JSON")
    validate.add_argument("--strict", action="store_true",
                          help="treat warnings as errors (exit 1 on any warning)")

    render = commands.add_parser("render", help="render reports to one or more formats")
    render.add_argument("paths", type=Path, nargs="+", metavar="PATH",
                        help="report folders or files, or a folder of report folders")
    render.add_argument("-f", "--format", dest="formats", action="append", metavar="FORMAT",
                        help="output format, repeatable (default: every installed format)")
    render.add_argument("-o", "--output", type=Path, default=Path("build"), metavar="DIR",
                        help="output folder (default: build)")
    render.add_argument("--template-dir", type=Path, metavar="DIR",
                        help="folder of templates overriding the built-in HTML templates")
    render.add_argument("--reference-docx", type=Path, metavar="FILE",
                        help="Word document whose styles, page setup and header to use")
    render.add_argument("--index", action="store_true",
                        help="also write index.html and the key-figures table for a single "
                        "report (always written for several)")
    render.add_argument("-j", "--jobs", type=_positive_int, metavar="N",
                        help="reports rendered at once (default: one per CPU core)")
    render.add_argument("-O", "--option", dest="options", action="append", default=[],
                        metavar="KEY=VALUE", help="format option, repeatable (e.g. -O "
                        "theme.primary=#005a9c, or -O html.theme.primary=... for one format); "
                        "civicrecord formats --verbose lists them")
    render.add_argument("--use", dest="use", action="append", default=[],
                        metavar="FORMAT=PLUGIN", help="the plugin (or distribution) to take a "
                        "format from when several offer it, repeatable (e.g. --use "
                        "json=civicrecord)")

    formats = commands.add_parser("formats", help="list the formats you can render to")
    formats.add_argument("--json", action="store_true", help="print as JSON")
    formats.add_argument("-v", "--verbose", action="store_true",
                         help="also list each format's options")

    plugins = commands.add_parser("plugins", help="list installed plugins and load errors")
    plugins.add_argument("--json", action="store_true", help="print as JSON")

    schema = commands.add_parser("schema", help="print the JSON Schema of report files")
    schema.add_argument("--part", choices=("report", "axis"), default="report",
                        help="'axis' gives the schema of one file in axes/")
    return parser


def _add_plugin_commands(parser: argparse.ArgumentParser,
                         plugins: PluginSet) -> dict[str, Any]:
    """Add the commands plugins register; return their run functions by name."""
    subparsers = next(action for action in parser._actions
                      if isinstance(action, argparse._SubParsersAction))
    runs: dict[str, Any] = {}
    for name, command in plugins.commands(reserved=subparsers.choices).items():
        try:
            command.configure(subparsers.add_parser(name, help=command.help))
        except Exception as error:  # noqa: BLE001 - one plugin's bug must not stop every command
            from civicrecord.plugins import PluginFault

            info = plugins.offered_by("register_commands", name)
            plugins.faults.append(PluginFault(
                info.name, info.distribution, "register_commands", f"command {name!r}: "
                f"configure raised {type(error).__name__}: {error}; left out", info.version))
            del subparsers.choices[name]
            subparsers._choices_actions.pop()  # its line in --help
            continue
        runs[name] = command.run
    return runs


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    for stream in (sys.stdout, sys.stderr):
        # A path is printed as the bytes it is named with, valid UTF-8 or not, as ls does;
        # under a UTF-8 locale Python would otherwise fail on a name that is not.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="surrogateescape")
    # Ctrl+C while plugins load is as much an interruption as during the command.
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def _main(argv: Sequence[str] | None) -> int:
    from civicrecord.plugins import load_plugins

    parser = _build_parser()
    plugins = load_plugins()  # once per run: commands, formats and rules all come from it
    plugin_commands = _add_plugin_commands(parser, plugins)
    args = parser.parse_args(argv)
    args.plugin_set = plugins
    handler = plugin_commands.get(args.command) or {
        "new": _new,
        "validate": _validate,
        "render": _render,
        "formats": _formats,
        "plugins": _plugins,
        "schema": _schema,
    }[args.command]
    return handler(args)


def _print_problems(problems: Sequence[Any], stream: TextIO | None = None) -> None:
    # sys.stderr looked up at call time: a default bound at import would miss redirection.
    for problem in problems:
        print(problem, file=stream or sys.stderr)


def _summary(report: Any) -> str:
    actions = sum(len(axis.actions) for axis in report.axes)
    indicators = sum(1 for _ in report.indicators())
    return (f"{len(report.axes)} axes, {actions} actions, {indicators} indicators")


def _new(args: argparse.Namespace) -> int:
    import shlex

    from civicrecord.scaffold import DEFAULT_EXAMPLE, ScaffoldError, available_examples, new_report

    if args.language and not args.blank:
        print("civicrecord: error: --language applies to --blank; a copy keeps the "
              "example's language", file=sys.stderr)
        return EXIT_USAGE
    example = args.example or DEFAULT_EXAMPLE
    if example not in available_examples():
        print(f"civicrecord: error: no example named {example!r} (available: "
              f"{', '.join(available_examples()) or 'none'})", file=sys.stderr)
        return EXIT_USAGE
    try:
        written = new_report(args.directory, example=example, blank=args.blank,
                             language=args.language or "fr")
    except ScaffoldError as error:
        print(f"civicrecord: error: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    kind = "blank report" if args.blank else f"copy of {example}"
    print(f"{args.directory}: created, {kind}, {len(written)} files")
    todo = "replace every TODO, " if args.blank else "edit the YAML files, "
    print(f"next: {todo}then run: civicrecord validate {shlex.quote(str(args.directory))}")
    return EXIT_OK


def _missing_paths(paths: Sequence[Path]) -> bool:
    """Say so for each path that names nothing; True if there was one (a usage error)."""
    from civicrecord.api import missing_path_problem

    missing = [problem for problem in map(missing_path_problem, paths) if problem is not None]
    for problem in missing:
        print(f"civicrecord: error: {problem.message}", file=sys.stderr)
        if problem.hint:
            print(f"civicrecord: {problem.hint}", file=sys.stderr)
    return bool(missing)


def _validate(args: argparse.Namespace) -> int:
    from civicrecord.api import read

    if _missing_paths([args.path]):
        return EXIT_USAGE
    result = read(args.path, plugins=args.plugin_set)
    # A broken plugin may be the one whose rules were meant to run: say so, and fail --strict.
    broken = _plugin_warnings(args.plugin_set)
    severity = "error" if args.strict else "warning"
    if args.json:
        # ASCII: a path may hold a lone surrogate from a JSON key, which no UTF-8 can encode.
        print(json.dumps([*({"severity": severity, "path": "", "message": message,
                             "hint": hint, "file": None, "line": None, "column": None}
                            for message, hint in broken),
                          *(_problem_json(p) for p in result.problems)],
                         ensure_ascii=True, indent=2))
    else:
        for message, hint in broken:
            print(f"civicrecord: {severity}: {_warned(message, hint)}", file=sys.stderr)
        _print_problems(result.problems)
    failed = result.report is None or (args.strict and (result.problems or broken))
    if failed:
        if not args.json:
            print(f"{args.path}: {len(result.errors)} error(s), {len(result.warnings)} "
                  f"warning(s){f', {len(broken)} plugin problem(s)' if broken else ''}",
                  file=sys.stderr)
        return EXIT_PROBLEMS
    if not args.json:
        warned = f", {len(result.warnings)} warning(s)" if result.warnings else ""
        print(f"{args.path}: valid: {_summary(result.report)}{warned}")
    return EXIT_OK


def _plugin_warnings(plugins: PluginSet) -> list[tuple[str, str | None]]:
    """What is wrong with the installed plugins, and what to do: faults, and formats two
    plugins offer (whose message says how to choose)."""
    return [(str(fault), "fix or uninstall the plugin; `civicrecord plugins` lists them")
            for fault in plugins.faults] + [(conflict, None) for conflict in plugins.conflicts()]


def _warned(message: str, hint: str | None) -> str:
    return f"{message} ({hint})" if hint else message


def _problem_json(problem: Any) -> dict[str, Any]:
    location = problem.location
    return {
        "severity": problem.severity.value,
        "path": problem.path,
        "message": problem.message,
        "hint": problem.hint,
        "file": location.file if location else None,
        "line": location.line if location else None,
        "column": location.column if location else None,
    }


class _UsageError(Exception):
    pass


def _parse_use(pairs: Sequence[str]) -> dict[str, str]:
    use = {}
    for pair in pairs:
        name, sep, plugin = pair.partition("=")
        if not sep or not name or not plugin:
            raise _UsageError(f"--use {pair!r} must be FORMAT=PLUGIN (e.g. json=civicrecord)")
        use[name] = plugin
    return use


def _check_options(pairs: Sequence[str], options: dict[str, Any],
                   renderers: Sequence[Any]) -> None:
    """Every -O is some rendered format's, with a value of its type; else a usage error."""
    from civicrecord.renderer import OptionError

    for pair in pairs:
        key = pair.partition("=")[0]
        if not any(renderer.accepts(key) for renderer in renderers):
            raise _UsageError(f"unknown option {key!r} for the formats rendered: "
                              + "; ".join(renderer.takes() for renderer in renderers))
    for renderer in renderers:
        try:
            renderer.resolve_options(options, ignore_unknown=True)
        except OptionError as error:
            raise _UsageError(f"{error}; {renderer.takes()}") from None


def _render(args: argparse.Namespace) -> int:
    from civicrecord.batch import (
        BATCH_FILES,
        RenderSettings,
        find_reports,
        render_reports,
        write_index,
        write_key_figures,
    )
    from civicrecord.output import OutputError
    from civicrecord.plugins import PluginError
    from civicrecord.renderer import OptionError, parse_options

    plugins: PluginSet = args.plugin_set
    try:
        options = parse_options(args.options)
        plugins.use.update(_parse_use(args.use))
        formats = tuple(args.formats or plugins.renderers())
        renderers = [plugins.renderer(name) for name in (*plugins.use, *formats)]
        _check_options(args.options, options, renderers[len(plugins.use):])
    except (_UsageError, OptionError, PluginError) as error:
        print(f"civicrecord: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if _missing_paths(args.paths):
        return EXIT_USAGE
    for message, hint in _plugin_warnings(plugins):
        print(f"civicrecord: warning: {_warned(message, hint)}", file=sys.stderr)
    settings = RenderSettings(formats=formats, template_dir=args.template_dir,
                              reference_docx=args.reference_docx, options=options,
                              use=dict(plugins.use))
    paths, city = find_reports(args.paths)
    with_index = len(paths) > 1 or city or args.index
    progress = _Progress(sys.stderr, len(paths))
    try:
        result = render_reports(paths, settings, args.output, jobs=args.jobs,
                                on_done=progress.done,
                                reserved=BATCH_FILES if with_index else (), plugins=plugins)
    except OutputError as error:
        print(f"civicrecord: error: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    finally:
        progress.close()
    for outcome in result.outcomes:
        for late in outcome.errors[progress.errors_shown.get(outcome.path, 0):]:
            print(late, file=sys.stderr)  # found once all were done: same ids, moving files
        for written in outcome.written:
            print(written)
    status = EXIT_PROBLEMS if result.failed else EXIT_OK
    if with_index and result.rendered:
        try:
            for written in write_key_figures(result.outcomes, args.output):
                print(written)
            print(write_index(result.outcomes, args.output, theme=options.get("theme")))
        except OutputError as error:
            print(f"civicrecord: error: {error}", file=sys.stderr)
            status = EXIT_PROBLEMS
    if len(paths) > 1 and result.failed:
        failed = [str(outcome.path) for outcome in result.failed]
        more = f" and {len(failed) - 5} more, each named above" if len(failed) > 5 else ""
        print(f"civicrecord: {len(failed)} of {len(paths)} report(s) failed: "
              + ", ".join(failed[:5]) + more, file=sys.stderr)
    return status


class _Progress:
    """Problems as each report finishes, and a progress line when stderr is a terminal."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream = stream
        self.total = total
        self.live = total > 1 and stream.isatty()
        self.errors_shown: dict[Path, int] = {}
        if self.live:
            self._show(f"rendering {total} reports...")

    def _show(self, text: str) -> None:
        self.stream.write(f"\r\x1b[K{text}")
        self.stream.flush()

    def done(self, outcome: Any, done: int, total: int) -> None:
        if self.live:
            self._show("")
        _print_problems(outcome.problems, self.stream)
        for error in outcome.errors:
            print(error, file=self.stream)
        self.errors_shown[outcome.path] = len(outcome.errors)
        if self.live:
            state = "failed" if outcome.failed else "done"
            self._show(f"[{done}/{total}] {state}: {outcome.path}")

    def close(self) -> None:
        if self.live:
            self._show("")


def _formats(args: argparse.Namespace) -> int:
    plugins: PluginSet = args.plugin_set
    rows = []
    for name, renderer in plugins.renderers().items():
        info = plugins.plugin_of(name)
        rows.append({
            "name": name, "extension": renderer.extension, "media_type": renderer.media_type,
            "description": renderer.description, "plugin": info.name,
            "distribution": info.distribution, "version": info.version,
            "options": None if renderer.options is None else [
                {"name": option.name, "type": option.type, "default": option.default,
                 "help": option.help, "choices": list(option.choices)}
                for option in renderer.options],
        })
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        table = [(str(row["name"]), "." + str(row["extension"]), str(row["media_type"]),
                  f"{row['distribution']} {row['version']}" if row["distribution"] else "-",
                  str(row["description"])) for row in rows]
        widths = [max((len(cells[i]) for cells in table), default=0) for i in range(4)]
        for cells, row in zip(table, rows, strict=True):
            print("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=False))
                  + "  " + cells[4])
            if args.verbose:
                _print_options(plugins.renderer(str(row["name"])))
    for message, hint in _plugin_warnings(plugins):
        print(f"civicrecord: warning: {_warned(message, hint)}", file=sys.stderr)
    return EXIT_OK


def _print_options(renderer: Any) -> None:
    if renderer.options is None:
        print("    options not declared: any -O is passed on unchecked")
    elif not renderer.options:
        print("    no options")
    for option in renderer.options or ():
        default = "" if option.default is None else f", default {option.default}"
        print(f"    -O {option.name}=...  {option.describe()}{default}"
              + (f": {option.help}" if option.help else ""))


def _plugins(args: argparse.Namespace) -> int:
    plugins: PluginSet = args.plugin_set
    rows = [
        {"name": info.name, "distribution": info.distribution, "version": info.version,
         "hooks": list(info.hooks), "builtin": info.builtin, "error": None}
        for info in plugins.infos.values()
    ]
    rows += [{"name": "(conflict)", "distribution": None, "version": None, "hooks": [],
              "builtin": False, "error": message} for message in plugins.conflicts()]
    rows += [
        {"name": fault.plugin, "distribution": fault.distribution, "version": fault.version,
         "hooks": [], "builtin": False, "error": f"{fault.stage}: {fault.error}"}
        for fault in plugins.faults
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    for row in rows:
        origin = f"{row['distribution']} {row['version']}" if row["distribution"] else ""
        hooks: list[str] = row["hooks"]  # type: ignore[assignment]
        state = f"ERROR {row['error']}" if row["error"] else ", ".join(hooks)
        print(f"{row['name']:<32} {origin:<28} {state}")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from civicrecord.schema import axis_schema, report_schema

    schema = report_schema() if args.part == "report" else axis_schema()
    print(json.dumps(schema, ensure_ascii=False, indent=2))
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
