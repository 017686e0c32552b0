"""The kit for testing civicrecord plugins: valid reports, and checks every renderer owes.

Installed with civicrecord and registered as a pytest plugin (the ``pytest11``
entry point), so a plugin's tests get the fixtures ``example_dir``,
``example_report`` and ``example_copy`` by installing civicrecord, and import
the rest::

    from civicrecord.testing import check_renderer, make_report, reports

- :func:`example_report`: the worked example, loaded and validated;
- :func:`make_report`: the example (or any report) with some fields changed,
  validated as a report file would be, so a test never works on a report
  civicrecord would refuse;
- :func:`reports`: a Hypothesis strategy for any valid report (needs
  ``hypothesis``: ``pip install civicrecord[testing]``);
- :func:`check_renderer`: same bytes from two processes, the file written
  whole or not at all, an earlier file left intact by a failed render.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from civicrecord.model import Report
from civicrecord.problems import ValidationError

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from civicrecord.plugins import PluginSet

__all__ = ["check_renderer", "example_dir", "example_report", "make_report", "reports"]

_STEP = re.compile(r"\.?([A-Za-z_]\w*)|\[(\d+)\]")


def example_dir() -> Path:
    """The folder of the worked example that ships with civicrecord (read it, never write it)."""
    from civicrecord.scaffold import example_folder

    return Path(str(example_folder()))


def example_report() -> Report:
    """The worked example, loaded and validated with civicrecord's own rules only."""
    from civicrecord.api import load
    from civicrecord.plugins import load_plugins

    return load(example_dir(), plugins=load_plugins(entry_points=False))


def make_report(changes: Mapping[str, Any] | None = None, /, *, base: Report | None = None,
                plugins: PluginSet | None = None, **fields: Any) -> Report:
    """A valid report: ``base`` (the worked example) with ``changes`` applied, then checked.

    Top-level fields are keyword arguments (``make_report(title="Quartier Nord")``);
    deeper ones go in ``changes`` by field path, as problems name them
    (``make_report({"axes[0].actions[1].title": "Un titre"})``). The result is
    checked exactly as a report file would be (types, references, sums, and the
    rules of ``plugins`` if given): a change that makes it invalid raises
    :class:`~civicrecord.ValidationError` listing every error by field path.
    """
    from civicrecord.api import read, render
    from civicrecord.plugins import load_plugins

    report = base if base is not None else example_report()
    for path, value in {**(changes or {}), **fields}.items():
        steps = [name or int(index) for name, index in _STEP.findall(path)]
        if not steps or "".join(_STEP.sub("", path)):
            raise ValueError(f"{path!r} is not a field path such as 'axes[0].actions[1].title'")
        report = _replaced(report, steps, value, path)
    builtin = load_plugins(entry_points=False)
    with tempfile.TemporaryDirectory(prefix="civicrecord-report-") as folder:
        # Through the JSON format and back: the same checks as any file, nothing skipped.
        file = Path(folder) / "report.json"
        try:
            file.write_bytes(render(report, "json", plugins=builtin))
        except (TypeError, ValueError) as error:
            raise ValueError(f"the changed report cannot be written as data: {error}") from None
        result = read(file, plugins=plugins or builtin)
    errors = [attrs.evolve(problem, location=None) for problem in result.errors]
    if result.report is None or errors:
        raise ValidationError(errors)
    return result.report


def _replaced(value: Any, steps: Sequence[str | int], new: Any, path: str) -> Any:
    if not steps:
        return new
    step, rest = steps[0], steps[1:]
    try:
        if isinstance(step, int):
            items = list(value)
            items[step] = _replaced(items[step], rest, new, path)
            return tuple(items)
        return attrs.evolve(value, **{step: _replaced(getattr(value, step), rest, new, path)})
    except (AttributeError, IndexError, TypeError) as error:
        what = f"item [{step}]" if isinstance(step, int) else f"field {step!r}"
        raise ValueError(f"{path!r}: no {what} there ({error})") from None


def reports(*, max_axes: int = 3) -> SearchStrategy[Report]:
    """A Hypothesis strategy for any report that loads without an error.

    Texts are any Unicode validation accepts, markup- and template-like ones
    included (``<script>``, ``{{ 7*7 }}``), so a property over ``reports()``
    shows that no text becomes code in a format.
    """
    from civicrecord.testing.strategies import reports as strategy

    return strategy(max_axes=max_axes)


# Renders in a fresh interpreter: the report arrives as JSON, the bytes leave as hex.
_RENDER_SCRIPT = """
import json, sys, importlib
import civicrecord
from civicrecord.plugins import load_plugins

job = json.loads(sys.stdin.read())
plugins = load_plugins([importlib.import_module(name) for name in job["modules"]],
                       entry_points=job["entry_points"])
report = civicrecord.load(job["report"], plugins=plugins)
sys.stdout.write(civicrecord.render(report, job["format"], plugins=plugins,
                                    **job["options"]).hex())
"""
# Two runs that differ in what must not matter: hash seed (set order), time zone.
_RUNS = ({"PYTHONHASHSEED": "1", "TZ": "UTC"},
         {"PYTHONHASHSEED": "2", "TZ": "Pacific/Kiritimati"})


def check_renderer(format: str, report: Report | None = None, *, modules: Sequence[str] = (),
                   **options: Any) -> bytes:
    """Check what every renderer owes its users; return the bytes it rendered.

    - The same report gives the same bytes in two processes (other hash
      seeds, other time zones), so nothing cached or machine-dependent leaks in.
    - :func:`civicrecord.write` leaves exactly one file, whole, and nothing else.
    - A render that fails leaves the earlier file intact and no temporary file.

    ``modules`` are the plugin modules to check with (yours): given, they are
    registered with the built-in plugins alone, so that another installed plugin
    offering the same format cannot hide yours; left out, the format comes from
    the installed plugins. ``options`` go to the renderer. Raises
    :class:`AssertionError` saying what went wrong.
    """
    import civicrecord
    from civicrecord.plugins import load_plugins

    entry_points = False if modules else None
    plugins = load_plugins([importlib.import_module(name) for name in modules],
                           entry_points=entry_points)
    report = report if report is not None else example_report()
    renderer = plugins.renderer(format)
    with tempfile.TemporaryDirectory(prefix="civicrecord-check-") as folder:
        work = Path(folder)
        data = work / "report.json"
        data.write_bytes(civicrecord.render(report, "json", plugins=load_plugins(
            entry_points=False)))
        job = json.dumps({"report": str(data), "format": format, "modules": list(modules),
                          "entry_points": entry_points, "options": options}, default=str)
        elsewhere = work / "elsewhere"
        elsewhere.mkdir()
        outputs = [_render_elsewhere(job, env, elsewhere) for env in _RUNS]
        if any(elsewhere.iterdir()):
            raise AssertionError(f"format {format!r} wrote files of its own while rendering: "
                                 f"{sorted(p.name for p in elsewhere.iterdir())}; return the "
                                 "bytes and let civicrecord write them")
        if outputs[0] != outputs[1]:
            raise AssertionError(f"format {format!r} gave different bytes in two processes "
                                 f"(hash seed and time zone differ): {_first_difference(*outputs)}")
        out = work / "out"
        out.mkdir()
        written = civicrecord.write(report, format, out, plugins=plugins, **options)
        if written.read_bytes() != outputs[0]:
            raise AssertionError(f"format {format!r}: civicrecord.write() in this process and "
                                 f"render() in another gave different bytes: "
                                 f"{_first_difference(written.read_bytes(), outputs[0])}")
        if sorted(out.iterdir()) != [written]:
            raise AssertionError(f"format {format!r} left other files beside {written.name}: "
                                 f"{sorted(p.name for p in out.iterdir())}")
        _check_failure_keeps(written, attrs.evolve(renderer, render=_fail), report, options)
    return outputs[0]


def _render_elsewhere(job: str, env: Mapping[str, str], cwd: Path) -> bytes:
    result = subprocess.run([sys.executable, "-c", _RENDER_SCRIPT], input=job, text=True,
                            capture_output=True, cwd=cwd, env={
                                **os.environ, **env,
                                # What this process can import, the other can too.
                                "PYTHONPATH": os.pathsep.join(
                                    str(Path(entry or ".").resolve()) for entry in sys.path)},
                            timeout=300, check=False)
    if result.returncode != 0:
        raise AssertionError(f"rendering in another process failed:\n{result.stderr}")
    return bytes.fromhex(result.stdout)


_FAILING = "civicrecord.testing.failing"


def _fail(report: Report, context: Any) -> bytes:
    raise RuntimeError("a render that fails halfway (civicrecord.testing)")


def _check_failure_keeps(written: Path, failing: Any, report: Report,
                         options: Mapping[str, Any]) -> None:
    import civicrecord
    from civicrecord.plugins import hookspecs, load_plugins

    class Failing:
        __name__ = _FAILING

        @hookspecs.hookimpl
        def register_renderers(self) -> list[Any]:
            return [failing]

    before = written.read_bytes()
    with contextlib.suppress(RuntimeError):
        civicrecord.write(report, failing.name, written.parent,
                          plugins=load_plugins([Failing()], use={failing.name: _FAILING}),
                          **options)
        raise AssertionError("the failing render did not fail")
    if written.read_bytes() != before or sorted(written.parent.iterdir()) != [written]:
        raise AssertionError(f"a failed render of {failing.name!r} changed {written.name} "
                             f"or left files beside it: {sorted(written.parent.iterdir())}")


def _first_difference(first: bytes, second: bytes) -> str:
    at = next((i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b),
              min(len(first), len(second)))
    return (f"{len(first)} and {len(second)} bytes, first difference at byte {at}: "
            f"{first[max(0, at - 20):at + 20]!r} against {second[max(0, at - 20):at + 20]!r}")

