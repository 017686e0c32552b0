"""civicrecord's performance, measured: one run, one table, every figure beside its target.

    .venv/bin/python benchmarks/bench.py            # the full run (make bench)
    .venv/bin/python benchmarks/bench.py --quick    # tiny sizes, 1-2 repeats (tests)

Six sections, in one run; every target is issue 16's or 18's:

1. warm: the worked example in one process: load + validate, and render to
   every available format (median of --warm-repeats runs).
2. process / batch: civicrecord as whole processes beside pandoc converting
   the same content (the Markdown of the example) to HTML and DOCX; then N
   reports rendered by one civicrecord process beside N pandoc runs.
3. scale: synthetic reports of 10 to 10,000 actions (random.Random(42)),
   each size and each format in a fresh process: time and peak memory, and
   growth between sizes; then a city batch of 100 example-sized reports to
   every format on every core.
4. cold: ``import civicrecord`` and ``civicrecord validate`` as processes.
5. hostile: the slowest input of each kind at the size limit (hostile_time.py).
6. code: lines of Python of the parts issue 16 gave a budget (``wc -l``).

Every time is a median, shown as wall time with the CPU time beside it: the
machine is shared, and when the two differ the difference is other people's
work. Targets are judged on wall time; "MISS (CPU ok)" says the CPU time
alone would meet the target. Whole processes are timed like hyperfine does
(one warm-up run, then N runs). Nothing here is a test: the exit code is 0
whatever the verdicts, unless something broke.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
EXAMPLE = ROOT / "examples" / "hauts_de_chambery"
#: The English example: figures with series, baselines and targets, so change charts.
CHANGE_EXAMPLE = ROOT / "examples" / "larkfield"
if str(BENCH_DIR) not in sys.path:  # run as a script or imported by the test alike
    sys.path.insert(0, str(BENCH_DIR))

#: Formats pandoc writes that civicrecord also renders.
PANDOC_FORMATS = ("html", "docx")
#: Warm render targets for the worked example, in seconds.
WARM_TARGETS = {"html": 0.010, "docx": 0.020, "json": 0.002, "pdf": 0.150}
#: ``civicrecord render EXAMPLE -f html -f docx`` as one process, at most this many times
#: the time of pandoc's two runs (one per format).
COLD_RATIO = 1.5
#: ``python -c "import civicrecord"`` and ``civicrecord validate EXAMPLE``, in seconds.
IMPORT_TARGET, VALIDATE_TARGET = 0.050, 0.200
#: Lines of Python (``wc -l``) each part of ``src/civicrecord`` may have.
LINE_BUDGETS = {"renderers/docx": 900, "loading": 900, "plugins": 300}
#: Targets for ``civicrecord render EXAMPLE -f FORMAT`` as a whole process, in seconds.
PROCESS_TARGETS = {"pdf": 0.600}
#: Per-format scale targets below the largest size: (actions, seconds, megabytes) of one
#: render in its own process. At the largest size the PDF has to finish, no more.
SCALE_TARGETS = {"pdf": (1_000, 10.0, 500)}
#: The letters of the one-word text of the long-word row, and the PDF's target for it.
LONG_WORD, LONG_WORD_TARGET = 10_000, 5.0
#: The environment of every process the benchmark starts; see use_bytecode_cache().
CHILD_ENV: dict[str, str] = dict(os.environ)


def use_bytecode_cache(folder: Path) -> None:
    """Let child processes cache compiled modules in ``folder``, as an installed Python does.

    Some machines (this project's sandbox among them) set PYTHONDONTWRITEBYTECODE,
    so every process would compile civicrecord's sources again: a cost no
    installed copy pays, since pip compiles a wheel's modules when it installs it.
    """
    CHILD_ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(folder)


def use_template_cache(folder: Path) -> None:
    """Keep the compiled HTML templates of child processes in ``folder``.

    civicrecord caches them in the user's cache folder, so only the first
    render after an install compiles them; a folder of the run's own starts
    empty, so a cache left by an older version never flatters the figures.
    On Linux the folder is the processes' ``XDG_CACHE_HOME``, so they find it
    as a user's do, through platformdirs (which naming it in
    ``CIVICRECORD_CACHE_DIR`` would skip); elsewhere it is named there.
    """
    CHILD_ENV.pop("CIVICRECORD_CACHE_DIR", None)
    if sys.platform.startswith("linux"):
        CHILD_ENV["XDG_CACHE_HOME"] = str(folder)
    else:
        CHILD_ENV["CIVICRECORD_CACHE_DIR"] = str(folder / "civicrecord")


@dataclass(frozen=True)
class Settings:
    warm_repeats: int = 20
    process_repeats: int = 10
    batch_reports: int = 100
    batch_repeats: int = 3
    sizes: tuple[int, ...] = (10, 100, 1_000, 10_000)
    scale_repeats: int = 3
    scale_budget: float = 120.0
    city_reports: int = 100
    cold_repeats: int = 10
    pandoc: bool = True


QUICK = Settings(warm_repeats=2, process_repeats=1, batch_reports=2, batch_repeats=1,
                 sizes=(5, 20), scale_repeats=1, scale_budget=300.0, city_reports=4,
                 cold_repeats=1)


@dataclass
class Row:
    section: str
    what: str
    figure: str
    compared: str = ""
    ratio: str = ""
    target: str = ""
    result: str = ""


@dataclass
class Run:
    settings: Settings
    work: Path
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def add(self, *args: str, **kwargs: str) -> None:
        self.rows.append(Row(*args, **kwargs))


# --- Measuring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timed:
    """Wall-clock and CPU seconds of one thing (a call, a process, a batch)."""

    wall: float
    cpu: float

    def per(self, count: int) -> Timed:
        return Timed(self.wall / count, self.cpu / count)

    def __add__(self, other: Timed) -> Timed:
        return Timed(self.wall + other.wall, self.cpu + other.cpu)


def median_of(samples: Iterable[Timed]) -> Timed:
    samples = list(samples)
    return Timed(statistics.median(s.wall for s in samples),
                 statistics.median(s.cpu for s in samples))


def total_of(samples: Iterable[Timed]) -> Timed:
    total = Timed(0.0, 0.0)
    for sample in samples:
        total = total + sample
    return total


def median_call(function: Callable[[], object], repeats: int, warmup: int = 1) -> Timed:
    """Median time of ``function()``, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        samples.append(Timed(time.perf_counter() - wall, time.process_time() - cpu))
    return median_of(samples)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_command(command: Sequence[str | Path], cwd: Path | None = None,
                env: dict[str, str] | None = None) -> Timed:
    """One process, waited for; a failure stops the benchmark with its stderr."""
    cpu, wall = _children_cpu(), time.perf_counter()
    done = subprocess.run([str(part) for part in command], cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False, env=env or CHILD_ENV)
    timed = Timed(time.perf_counter() - wall, _children_cpu() - cpu)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} exited with {done.returncode}:\n"
                           + done.stderr.decode("utf-8", "replace")[-2000:])
    return timed


def median_process(command: Sequence[str | Path], repeats: int, warmup: int = 1,
                   cwd: Path | None = None, env: dict[str, str] | None = None) -> Timed:
    """hyperfine-like: ``warmup`` untimed runs, then the median of ``repeats`` runs."""
    for _ in range(warmup):
        run_command(command, cwd, env)
    return median_of(run_command(command, cwd, env) for _ in range(repeats))


def civicrecord_command() -> list[str]:
    """The installed ``civicrecord`` script next to this Python, as a user runs it."""
    script = Path(sys.executable).with_name("civicrecord")
    if script.exists():
        return [str(script)]
    found = shutil.which("civicrecord")
    return [found] if found else [sys.executable, "-m", "civicrecord.cli"]


def _cli_jobs_option(cli: list[str]) -> str | None:
    """The parallel option of ``civicrecord render`` (several reports), if it has one."""
    done = subprocess.run([*cli, "render", "--help"], capture_output=True, text=True,
                          check=False, env=CHILD_ENV)
    for option in ("--jobs", "--workers", "--parallel"):
        if option in done.stdout:
            return option
    return None


# --- Formatting -----------------------------------------------------------------------------


def ms(seconds: float) -> str:
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds * 1000:.1f} ms" if seconds >= 0.01 else f"{seconds * 1000:.2f} ms"


def show(timed: Timed) -> str:
    return f"{ms(timed.wall)} (CPU {ms(timed.cpu)})"


def mb(kilobytes: float) -> str:
    return f"{kilobytes / 1024:.0f} MB"


def faster(ours: Timed, theirs: Timed) -> str:
    """How our time compares with theirs, in words: '12.3× faster' or '1.40× slower'."""
    def words(a: float, b: float) -> str:
        if a <= 0 or b <= 0:
            return "?"
        return f"{b / a:.1f}× faster" if a <= b else f"{a / b:.2f}× slower"

    return f"{words(ours.wall, theirs.wall)} (CPU {words(ours.cpu, theirs.cpu)})"


def growth(new: float, old: float | None) -> str:
    return f"×{new / old:.1f}" if old else ""


def verdict(wall_ok: bool, cpu_ok: bool | None = None) -> str:
    if wall_ok:
        return "PASS"
    return "MISS (CPU ok)" if cpu_ok else "MISS"


def within(timed: Timed, limit: float) -> str:
    return verdict(timed.wall <= limit, timed.cpu <= limit)


# --- Section 1: warm, in process ------------------------------------------------------------


def warm(run: Run) -> tuple[Any, list[str]]:
    import civicrecord
    from civicrecord.plugins import load_plugins

    repeats = run.settings.warm_repeats
    plugin_set = load_plugins()
    formats = [renderer.name for renderer in civicrecord.formats(plugins=plugin_set)]
    run.raw["formats"] = formats
    report = civicrecord.load(EXAMPLE, plugins=plugin_set)
    actions = sum(len(axis.actions) for axis in report.axes)
    section = "1 warm"
    loaded = median_call(lambda: civicrecord.load(EXAMPLE, plugins=plugin_set), repeats)
    run.add(section, f"load + validate the example ({len(report.axes)} axes, {actions} actions)",
            show(loaded))
    discovery = median_call(load_plugins, repeats)
    run.add(section, "load_plugins(): a fresh plugin set, installed entry points read again",
            show(discovery))
    run.raw["warm"] = {"load": asdict(loaded), "discovery": asdict(discovery)}
    for name in formats:
        timed = median_call(lambda name=name: civicrecord.render(  # type: ignore[misc]
            report, name, plugins=plugin_set, base_dir=EXAMPLE), repeats)
        run.raw["warm"][name] = asdict(timed)
        target = WARM_TARGETS.get(name)
        run.add(section, f"render {name}", show(timed),
                target=f"≤ {ms(target)}" if target else "",
                result=within(timed, target) if target else "")
    if "json" in formats:
        timed = median_call(lambda: civicrecord.render(report, "json"), repeats)
        run.raw["warm"]["json_default_call"] = asdict(timed)
        # No target: without plugins= each call finds the installed plugins (a program
        # rendering many reports passes one set; docs/api.md says so).
        run.add(section, "render json as render(report, 'json'): no plugins= "
                "(the plugins found on each call)", show(timed))
    english = civicrecord.load(CHANGE_EXAMPLE, plugins=plugin_set)

    def every_format() -> None:
        for name in formats:
            civicrecord.render(english, name, plugins=plugin_set, base_dir=CHANGE_EXAMPLE)

    timed = median_call(every_format, repeats)
    run.raw["warm"]["english_example_every_format"] = asdict(timed)
    run.add(section, f"render the English example (charts of what changed) to every format "
            f"({', '.join(formats)})", show(timed))
    for name in PANDOC_FORMATS:
        if name not in formats:
            run.add(section, f"render {name}", "not available",
                    target=f"≤ {ms(WARM_TARGETS[name])}", result="MISS")
            run.notes.append(f"format {name!r} is not installed: `civicrecord formats` lists "
                             f"{', '.join(formats)}")
    return report, formats


def example_markdown(report: Any, formats: list[str], run: Run) -> str:
    """The content pandoc converts: the Markdown plugin's output, or the local stand-in."""
    import civicrecord

    if "markdown" in formats:
        run.raw["markdown_source"] = "the civicrecord-markdown plugin"
        return civicrecord.render(report, "markdown").decode("utf-8")
    from markdown_fallback import report_markdown

    run.raw["markdown_source"] = "benchmarks/markdown_fallback.py"
    run.notes.append("no 'markdown' format installed: pandoc's input is made by "
                     "benchmarks/markdown_fallback.py, not the civicrecord-markdown plugin")
    return report_markdown(report)


# --- Section 2: whole processes against pandoc ----------------------------------------------


def pandoc_command(source: Path, name: str, output: Path) -> list[str | Path]:
    return ["pandoc", "-s", "-f", "markdown", "-t", name, "-o", output, source]


def copies_of_example(folder: Path, count: int) -> list[Path]:
    """``count`` copies of the worked example, each with its own report id."""
    paths = []
    for n in range(count):
        target = folder / f"copie-{n:03d}"
        shutil.copytree(EXAMPLE, target)
        main = target / "report.yaml"
        text = main.read_text("utf-8")
        main.write_text(re.sub(r"(?m)^id: (.+)$", rf"id: \1-copie-{n:03d}", text, count=1),
                        "utf-8")
        paths.append(target)
    return paths


def against_pandoc(run: Run, markdown: str, formats: list[str]) -> None:
    settings = run.settings
    cli = civicrecord_command()
    out = run.work / "out"
    pandoc = settings.pandoc and shutil.which("pandoc") is not None
    if settings.pandoc and not pandoc:
        run.notes.append("pandoc not found: its columns are empty (make bench installs it)")
    source = run.work / "example.md"
    source.write_text(markdown, "utf-8")

    section = "2 process"
    repeats = settings.process_repeats
    pandoc_single: dict[str, Timed] = {}
    process: dict[str, Any] = {}
    for name in formats:
        ours = median_process([*cli, "render", EXAMPLE, "-f", name, "-o", out], repeats)
        theirs = None
        if pandoc and name in PANDOC_FORMATS:
            theirs = median_process(pandoc_command(source, name, out / f"pandoc.{name}"),
                                    repeats)
            pandoc_single[name] = theirs
        process[name] = {"civicrecord": asdict(ours),
                         "pandoc": asdict(theirs) if theirs else None}
        limit = PROCESS_TARGETS.get(name)
        run.add(section, f"civicrecord render -f {name}", show(ours),
                compared=f"pandoc -s -t {name}: {show(theirs)}" if theirs else "",
                ratio=faster(ours, theirs) if theirs else "",
                target=f"≤ {ms(limit)}" if limit else "",
                result=within(ours, limit) if limit else "")
    if all(name in formats for name in PANDOC_FORMATS):
        flags = [arg for name in PANDOC_FORMATS for arg in ("-f", name)]
        ours = median_process([*cli, "render", EXAMPLE, *flags, "-o", out], repeats)
        what = "civicrecord render -f html -f docx (one process)"
        process["html+docx"] = {"civicrecord": asdict(ours)}
        if len(pandoc_single) == len(PANDOC_FORMATS):
            theirs = total_of(pandoc_single.values())
            process["html+docx"]["pandoc"] = asdict(theirs)
            run.add(section, what, show(ours), compared=f"both pandoc runs: {show(theirs)}",
                    ratio=f"{ours.wall / theirs.wall:.2f}× pandoc's time "
                    f"(CPU {ours.cpu / theirs.cpu:.2f}×)",
                    target=f"≤ {COLD_RATIO}× pandoc's",
                    result=verdict(ours.wall <= COLD_RATIO * theirs.wall,
                                   ours.cpu <= COLD_RATIO * theirs.cpu))
        else:
            run.add(section, what, show(ours), target=f"≤ {COLD_RATIO}× pandoc's",
                    result="n/a (no pandoc)")
        # The first render after an install, before the compiled templates are cached.
        uncached = {**CHILD_ENV, "CIVICRECORD_CACHE_DIR": ""}
        first = median_process([*cli, "render", EXAMPLE, *flags, "-o", out], repeats,
                               env=uncached)
        process["html+docx"]["without_template_cache"] = asdict(first)
        run.add(section, "the same, compiling the HTML templates in the process "
                "(CIVICRECORD_CACHE_DIR empty: the first run after an install)", show(first))
    run.raw["process"] = process
    batch(run, markdown, formats, pandoc)


def batch(run: Run, markdown: str, formats: list[str], pandoc: bool) -> None:
    """N reports, one civicrecord process per format, beside N pandoc runs."""
    settings = run.settings
    cli = civicrecord_command()
    out = run.work / "out" / "batch"
    count = settings.batch_reports
    section = "2 batch"
    reports = copies_of_example(run.work / "batch", count)
    sources = []
    for path in reports:
        sources.append(path.with_suffix(".md"))
        sources[-1].write_text(markdown, "utf-8")
    option = _cli_jobs_option(cli)
    one_process = [option, "1"] if option else []  # else it would spread over the cores
    results: dict[str, Any] = {}
    for name in formats:
        command: list[str | Path] = [*cli, "render", *reports, *one_process, "-f", name,
                                     "-o", out]
        runs = [run_command(command)]
        while len(runs) < settings.batch_repeats and runs[0].wall < 20:  # repeat while cheap
            runs.append(run_command(command))
        ours = median_of(runs).per(count)
        theirs = None
        if pandoc and name in PANDOC_FORMATS:
            theirs = total_of(run_command(pandoc_command(md, name, out / f"{md.stem}.{name}"))
                              for md in sources).per(count)
        results[name] = {"civicrecord": asdict(ours),
                         "pandoc": asdict(theirs) if theirs else None}
        compared = name in PANDOC_FORMATS
        run.add(section, f"{name}: {count} reports, one process (-j 1), per report",
                show(ours), compared=f"{count} pandoc runs: {show(theirs)}" if theirs else "",
                ratio=faster(ours, theirs) if theirs else "",
                target="≥ 5× faster" if compared else "",
                result=(verdict(theirs.wall >= 5 * ours.wall, theirs.cpu >= 5 * ours.cpu)
                        if theirs else "n/a (no pandoc)") if compared else "")
    run.raw["batch"] = {"reports": count, "formats": results}


# --- Section 3: scale -----------------------------------------------------------------------


def scale_worker(path: str, formats: list[str]) -> dict[str, Any]:
    """Run in a fresh process: load one report, render it to each format, say what it cost."""
    import civicrecord
    from civicrecord.plugins import load_plugins

    plugin_set = load_plugins()
    baseline = _current_rss_kb()
    wall, cpu = time.perf_counter(), time.process_time()
    report = civicrecord.load(path, plugins=plugin_set)
    times = {"load": [time.perf_counter() - wall, time.process_time() - cpu]}
    for name in formats:
        wall, cpu = time.perf_counter(), time.process_time()
        civicrecord.render(report, name, plugins=plugin_set, base_dir=path)
        times[name] = [time.perf_counter() - wall, time.process_time() - cpu]
    return {"times": times, "baseline_kb": baseline, "peak_kb": _peak_rss_kb()}


def _status_kb(key: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _current_rss_kb() -> int:
    return _status_kb("VmRSS:") or 0


def _peak_rss_kb() -> int:
    """This process's peak resident memory, in kB.

    Linux's VmHWM where there is one: ``ru_maxrss`` of a process started by
    fork and exec also counts what its parent held at the fork, and the
    benchmark's own process is large.
    """
    return _status_kb("VmHWM:") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _generate(run: Run) -> tuple[dict[int, Path], list[Path]]:
    import random

    from synthetic import SEED, example_sized, synthetic_report, vocabulary, write_report

    import civicrecord

    words = vocabulary(civicrecord.load(EXAMPLE))
    rng = random.Random(SEED)
    sized = {}
    for size in run.settings.sizes:
        sized[size] = write_report(synthetic_report(size, rng, words, f"synthetique-{size}"),
                                   run.work / f"scale-{size}")
    city_rng = random.Random(SEED)
    city = [write_report(report, run.work / "city" / report.id)
            for report in example_sized(run.settings.city_reports, city_rng, words)]
    return sized, city


def _scale_sample(path: Path, formats: list[str], budget: float) -> dict[str, Any] | None:
    """One fresh process loading ``path`` and rendering ``formats``; None past the budget."""
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--scale-worker", str(path), *formats],
            capture_output=True, text=True, check=False, timeout=budget, env=CHILD_ENV)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        raise RuntimeError(f"scale worker for {path.name} {formats} failed:\n{done.stderr}")
    sample: dict[str, Any] = json.loads(done.stdout)
    sample["times"] = {key: Timed(*value) for key, value in sample["times"].items()}
    return sample


def _median_sample(path: Path, formats: list[str], key: str, settings: Settings
                   ) -> dict[str, Any] | None:
    """Repeat while it is cheap (under 10 s a run); keep the run with the median ``key``."""
    samples = []
    for _ in range(settings.scale_repeats):
        sample = _scale_sample(path, formats, settings.scale_budget)
        if sample is None:
            return None
        samples.append(sample)
        if sum(timed.wall for timed in sample["times"].values()) > 10:
            break
    samples.sort(key=lambda sample: sample["times"][key].wall)
    return samples[len(samples) // 2]


def scale(run: Run, formats: list[str]) -> None:
    """Each size loaded alone, then once per format, every time in a fresh process.

    A process per format gives each format's own peak memory. A format that
    goes past the time budget at one size is not tried at the larger ones.
    """
    settings = run.settings
    sized, city = _generate(run)
    section = "3 scale"
    budget = settings.scale_budget
    results: dict[int, dict[str, Any]] = {}
    over_budget: dict[str, int] = {}
    previous: int | None = None
    # One untimed run first, so that no size pays for compiling modules to bytecode.
    _scale_sample(next(iter(sized.values())), formats, budget)
    for size, path in sized.items():
        label = f"{size:,} actions"
        vs = f" vs {previous:,}" if previous else ""
        old = results.get(previous) if previous else None
        largest = size == max(settings.sizes) and size >= 10_000
        loaded = _median_sample(path, [], "load", settings)
        if loaded is None:
            raise RuntimeError(f"loading {size} actions took over the budget of {budget} s")
        load: Timed = loaded["times"]["load"]
        result: dict[str, Any] = {"load": load, "renders": {}, "peaks": {},
                                  "baseline_kb": loaded["baseline_kb"],
                                  "load_peak_kb": loaded["peak_kb"]}
        results[size] = result
        run.add(section, f"{label}: load + validate (YAML folder)", show(load),
                compared=f"peak RSS {mb(loaded['peak_kb'])}",
                ratio=f"{growth(load.wall, old['load'].wall)}{vs}" if old else "")
        for name in formats:
            what = f"{label}: render {name}"
            target = "< 10 s with load; < 500 MB" if largest else ""
            own = SCALE_TARGETS.get(name)
            if own and size == own[0]:
                target = f"≤ {own[1]:.0f} s; ≤ {own[2]} MB"
            elif own and largest:
                target = "finishes"
            judged = largest or bool(own and size == own[0])
            if name in over_budget:
                run.add(section, what, "not run", compared=f"over {budget:.0f} s at "
                        f"{over_budget[name]:,} actions", target=target,
                        result="MISS" if judged else "")
                continue
            # A format that has only to finish at the largest size gets the time it takes.
            patient = Settings(**{**asdict(settings), "scale_budget": max(budget, 900.0)})
            sample = _median_sample(path, [name], name,
                                    patient if own and largest else settings)
            if sample is None:
                over_budget[name] = size
                run.add(section, what, f"> {budget:.0f} s (stopped)", target=target,
                        result="MISS" if judged else "")
                continue
            rendered: Timed = sample["times"][name]
            peak = sample["peak_kb"]
            result["renders"][name], result["peaks"][name] = rendered, peak
            before = old["renders"].get(name) if old else None
            end_to_end = load + rendered
            if own and size == own[0]:
                small = peak <= own[2] * 1024
                outcome = verdict(rendered.wall <= own[1] and small,
                                  rendered.cpu <= own[1] and small)
            elif own and largest:
                outcome = "PASS"
            elif largest:
                outcome = verdict(end_to_end.wall < 10 and peak < 500 * 1024,
                                  end_to_end.cpu < 10 and peak < 500 * 1024)
            else:
                outcome = ""
            run.add(section, what, show(rendered), compared=f"peak RSS {mb(peak)}",
                    ratio=f"{growth(rendered.wall, before.wall)}{vs}" if before else "",
                    target=target, result=outcome)
        done = [name for name in formats if name in result["renders"]]
        total = load + total_of(result["renders"].values())
        result["total"] = total
        missing = [name for name in formats if name not in done]
        # Growth is over the formats both sizes rendered, so a format that stopped
        # does not make the larger size look cheaper.
        common = [name for name in done if old is not None and name in old["renders"]]

        def over(sizes: dict[str, Any], names: list[str]) -> Timed:
            load: Timed = sizes["load"]
            return load + total_of(sizes["renders"][name] for name in names)

        def highest(sizes: dict[str, Any], names: list[str]) -> int:
            peaks: list[int] = [sizes["load_peak_kb"], *(sizes["peaks"][n] for n in names)]
            return max(peaks)

        run.add(section, f"{label}: total, load + every format"
                + (f" but {', '.join(missing)}" if missing else ""), show(total),
                ratio=f"{growth(over(result, common).wall, over(old, common).wall)}{vs}"
                if old else "")
        peak = highest(result, done)
        result["peak_kb"] = peak
        run.add(section, f"{label}: peak RSS of the largest process", mb(peak),
                compared=f"{mb(result['baseline_kb'])} after civicrecord's imports",
                ratio=f"{growth(highest(result, common), highest(old, common))}{vs}"
                if old else "")
        if previous == 1_000 and size == 10_000 and old is not None:
            now, then = over(result, common), over(old, common)
            run.add(section, "growth from 1,000 to 10,000 actions: load + "
                    + ", ".join(common), f"×{now.wall / then.wall:.1f} "
                    f"(CPU ×{now.cpu / then.cpu:.1f})", target="≤ ×11",
                    result=verdict(now.wall <= 11 * then.wall, now.cpu <= 11 * then.cpu))
        previous = size
    run.raw["scale"] = {size: {key: (asdict(value) if isinstance(value, Timed) else
                                     {k: asdict(v) if isinstance(v, Timed) else v
                                      for k, v in value.items()}
                                     if isinstance(value, dict) else value)
                               for key, value in result.items()}
                        for size, result in results.items()}
    if over_budget:
        run.notes.append(f"stopped after {budget:.0f} s (--scale-budget) and not tried at larger "
                         "sizes: " + ", ".join(f"{name} at {size:,} actions"
                                               for name, size in over_budget.items()))
    long_word(run, formats)
    city_batch(run, city, formats)


def long_word(run: Run, formats: list[str]) -> None:
    """A report whose first axis's need opens with one word of LONG_WORD letters, as PDF.

    A word wider than its column must break, not lay out one glyph per line or run off
    the page; WeasyPrint took minutes and hundreds of pages over it.
    """
    if "pdf" not in formats:
        return
    import random

    import attrs
    from synthetic import SEED, synthetic_report, vocabulary, write_report

    import civicrecord

    words = vocabulary(civicrecord.load(EXAMPLE))
    report = synthetic_report(10, random.Random(SEED), words, "mot-long")
    first = report.axes[0]
    report = attrs.evolve(report, axes=(
        attrs.evolve(first, need=f"{'x' * LONG_WORD} {first.need}"), *report.axes[1:]))
    path = write_report(report, run.work / "long-word")
    sample = _median_sample(path, ["pdf"], "pdf", run.settings)
    what = f"a {LONG_WORD:,}-letter word (10 actions): render pdf"
    target = f"≤ {LONG_WORD_TARGET:.0f} s"
    if sample is None:
        run.add("3 scale", what, f"> {run.settings.scale_budget:.0f} s (stopped)",
                target=target, result="MISS")
        return
    rendered: Timed = sample["times"]["pdf"]
    run.raw["long_word"] = {"pdf": asdict(rendered), "peak_kb": sample["peak_kb"]}
    run.add("3 scale", what, show(rendered), compared=f"peak RSS {mb(sample['peak_kb'])}",
            target=target, result=within(rendered, LONG_WORD_TARGET))


def _render_everything(path: str, formats: list[str], out: str) -> None:
    import civicrecord
    from civicrecord.plugins import load_plugins

    plugin_set = load_plugins()
    report = civicrecord.load(path, plugins=plugin_set)
    for name in formats:
        civicrecord.write(report, name, out, plugins=plugin_set, base_dir=path)


def city_batch(run: Run, paths: list[Path], formats: list[str]) -> None:
    """A city's reports to every format on every core."""
    cli = civicrecord_command()
    cores = os.cpu_count() or 1
    out = run.work / "out" / "city"
    count = len(paths)
    option = _cli_jobs_option(cli)
    if option:
        parallel = run_command([*cli, "render", *paths, option, str(cores), "-o", out])
        how = f"civicrecord render {option} {cores}"
    else:
        cpu, wall = _children_cpu(), time.perf_counter()
        with ProcessPoolExecutor(max_workers=cores) as pool:
            list(pool.map(_render_everything, map(str, paths), [formats] * count,
                          [str(out)] * count))
        parallel = Timed(time.perf_counter() - wall, _children_cpu() - cpu)
        how = f"concurrent.futures, {cores} processes, public API"
        run.notes.append("`civicrecord render` has no parallel option: the city batch "
                         "uses concurrent.futures over civicrecord.load/write")
    run.raw["city"] = {"reports": count, "cores": cores, "how": how,
                       "parallel": asdict(parallel)}
    # CPU time over wall time: how many cores the batch kept busy (2.0 = both, all along).
    run.add("3 city", f"{count} example-sized reports × {len(formats)} formats, {how}",
            f"{show(parallel)}; {ms(parallel.wall / count)}/report",
            ratio=f"{parallel.cpu / parallel.wall:.2f} of {cores} cores busy")


# --- Section 4: cold start ------------------------------------------------------------------


def cold(run: Run) -> None:
    repeats = run.settings.cold_repeats
    section = "4 cold"
    bare = median_process([sys.executable, "-c", "pass"], repeats)
    run.add(section, "python -c pass (the interpreter alone)", show(bare))
    imported = median_process([sys.executable, "-c", "import civicrecord"], repeats)
    run.add(section, 'python -c "import civicrecord"', show(imported),
            target=f"≤ {ms(IMPORT_TARGET)}", result=within(imported, IMPORT_TARGET))
    validated = median_process([*civicrecord_command(), "validate", EXAMPLE], repeats)
    run.add(section, "civicrecord validate examples/hauts_de_chambery", show(validated),
            target=f"≤ {ms(VALIDATE_TARGET)}", result=within(validated, VALIDATE_TARGET))
    run.raw["cold"] = {"python": asdict(bare), "import": asdict(imported),
                       "validate": asdict(validated)}
    if os.environ.get("PYTHONDONTWRITEBYTECODE") and not _has_bytecode():
        # What the same command costs here when nothing is cached, as for the tests.
        uncached = {**CHILD_ENV, "PYTHONDONTWRITEBYTECODE": "1"}
        uncached.pop("PYTHONPYCACHEPREFIX", None)
        no_bytecode = median_process([*civicrecord_command(), "validate", EXAMPLE], repeats,
                                     env=uncached)
        run.add(section, "the same, compiling civicrecord's sources in the process "
                "(PYTHONDONTWRITEBYTECODE=1, as set here)", show(no_bytecode))
        run.raw["cold"]["validate_without_bytecode"] = asdict(no_bytecode)


def _has_bytecode() -> bool:
    """Whether civicrecord's own modules have compiled files beside them (an install)."""
    import civicrecord

    return any(Path(civicrecord.__file__).parent.glob("__pycache__/*.pyc"))


# --- Section 5: hostile inputs at the size limit (benchmarks/hostile_time.py) ---------------


def hostile(run: Run) -> None:
    from hostile_time import TARGET, worst_cases

    quick = max(run.settings.sizes) < 1_000
    size = 64 * 1024 if quick else 1024 * 1024 - 1  # the largest file the loader reads
    at = "64 KiB" if quick else "1 MiB (the size limit)"
    for kind, (seconds, shown) in worst_cases(size).items():
        run.add("5 hostile", f"validate, slowest {kind} input at {at} ({shown})",
                f"{ms(seconds)} (CPU)", target=f"≤ {ms(TARGET)}",
                result=verdict(seconds <= TARGET))


# --- Section 6: lines of code -------------------------------------------------------------


def python_lines(folder: Path) -> int:
    """``wc -l`` of every ``.py`` file under ``folder``."""
    return sum(len(path.read_bytes().splitlines()) for path in folder.rglob("*.py"))


def code(run: Run) -> None:
    """Issue 16's line budgets, and the whole package beside them.

    The package's total is there so that lines moved out of a part under
    budget, rather than removed, show as a total that does not fall.
    """
    package = ROOT / "src" / "civicrecord"
    counts = {part: python_lines(package / part) for part in LINE_BUDGETS}
    run.raw["code"] = {**counts, "total": python_lines(package)}
    for part, budget in LINE_BUDGETS.items():
        run.add("6 code", f"lines of Python in src/civicrecord/{part}/", f"{counts[part]:,}",
                target=f"≤ {budget:,}", result=verdict(counts[part] <= budget))
    run.add("6 code", "lines of Python in src/civicrecord/, all of it",
            f"{run.raw['code']['total']:,}")


# --- The machine, and the table -------------------------------------------------------------


def machine() -> dict[str, str]:
    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    memory = first("/proc/meminfo", "MemTotal")
    if memory.endswith("kB"):
        memory = f"{int(memory.split()[0]) / 1024 / 1024:.1f} GiB"
    pandoc = "not installed"
    if shutil.which("pandoc"):
        pandoc = subprocess.run(["pandoc", "--version"], capture_output=True, text=True,
                                check=False).stdout.splitlines()[0]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()
    from civicrecord import __version__

    return {
        "cpus": str(os.cpu_count()),
        "cpu": first("/proc/cpuinfo", "model name"),
        "memory": memory,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "system": platform.platform(),
        "pandoc": pandoc,
        "civicrecord": f"{__version__} (git {commit or '?'})",
    }


def speed_check() -> float:
    """Milliseconds for a fixed piece of pure Python (median of 5): the machine's pace.

    On a shared virtual machine the same code runs up to twice as slowly at some
    moments, with CPU time equal to wall time; this figure, taken before and
    after the run, says how fast the machine was while the table was measured.
    """
    def work() -> int:
        return sum(i * i for i in range(1_000_000))

    return median_call(work, 5).wall * 1000


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def print_table(rows: list[Row]) -> None:
    headers = ("section", "measure", "civicrecord", "compared with", "ratio", "target",
               "result")
    cells = [headers] + [(r.section, r.what, r.figure, r.compared, r.ratio, r.target, r.result)
                         for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    print(line(headers))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells[1:]:
        print(line(row))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes and 1-2 repeats: checks the script runs, not speed")
    parser.add_argument("--no-pandoc", action="store_true", help="leave pandoc out")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also save raw figures here")
    parser.add_argument("--sizes", metavar="N,N,...",
                        help="scale sizes in actions (default: 10,100,1000,10000)")
    parser.add_argument("--scale-budget", type=float, metavar="SECONDS",
                        help="stop one scale run after this long (default: 120)")
    parser.add_argument("--scale-worker", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scale_worker:
        path, *formats = args.scale_worker
        print(json.dumps(scale_worker(path, formats)))
        return 0

    settings = QUICK if args.quick else Settings()
    changes: dict[str, Any] = {}
    if args.no_pandoc:
        changes["pandoc"] = False
    if args.sizes:
        changes["sizes"] = tuple(int(size) for size in args.sizes.split(","))
    if args.scale_budget:
        changes["scale_budget"] = args.scale_budget
    settings = Settings(**{**asdict(settings), **changes})
    load_before, speed_before = load_average(), speed_check()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="civicrecord-bench-") as work:
        run = Run(settings, Path(work))
        use_bytecode_cache(Path(work) / "pycache")
        use_template_cache(Path(work) / "civicrecord-cache")
        report, formats = warm(run)
        markdown = example_markdown(report, formats, run)
        against_pandoc(run, markdown, formats)
        scale(run, formats)
        cold(run)
        hostile(run)
        code(run)
    load_after, speed_after = load_average(), speed_check()
    info = machine()
    print(f"civicrecord {info['civicrecord']} · formats: {', '.join(formats)} · "
          f"pandoc's input: the example as Markdown from {run.raw['markdown_source']}")
    print(f"machine: {info['cpus']} CPUs ({info['cpu']}), {info['memory']}, {info['python']}, "
          f"{info['system']}, {info['pandoc']}")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("PYTHONDONTWRITEBYTECODE is set here: the processes measured cache compiled "
              "modules under PYTHONPYCACHEPREFIX instead, as an installed Python would")
    print(f"load average (1, 5, 15 min): {load_before} before, {load_after} after; "
          f"run took {ms(time.perf_counter() - started)}; speed check (1M squares summed, "
          f"lower is faster): {speed_before:.0f} ms before, {speed_after:.0f} ms after"
          + (" · QUICK MODE: these figures mean nothing" if args.quick else ""))
    print()
    print_table(run.rows)
    for note in run.notes:
        print(f"note: {note}")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "load_before": load_before,
                                         "load_after": load_after, "settings": asdict(settings),
                                         "speed_check_ms": [speed_before, speed_after],
                                         "rows": [asdict(r) for r in run.rows],
                                         "notes": run.notes, "raw": run.raw},
                                        indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
