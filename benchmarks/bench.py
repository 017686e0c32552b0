"""civicrecord's performance, measured: one run, one table, every figure beside its target.

    .venv/bin/python benchmarks/bench.py            # the full run (make bench)
    .venv/bin/python benchmarks/bench.py --quick    # tiny sizes, 1-2 repeats (tests)

Four sections, in one run:

1. warm: the worked example in one process: load + validate, and render to
   every available format (median of --warm-repeats runs).
2. process / batch: civicrecord as whole processes beside pandoc converting
   the same content (the Markdown of the example) to HTML and DOCX; then N
   reports rendered by one civicrecord process beside N pandoc runs.
3. scale: synthetic reports of 10 to 10,000 actions (random.Random(42)),
   each size in a fresh process: time and peak memory, growth between sizes;
   and a city batch of 100 example-sized reports on every core.
4. cold: ``import civicrecord`` and ``civicrecord validate`` as processes.

Times are medians; whole processes are timed like hyperfine does (one
warm-up run, then N runs). Nothing here is a test: the table says PASS or MISS
beside each target, and the exit code is 0 either way unless something broke.
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
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
EXAMPLE = ROOT / "examples" / "hauts_de_chambery"
if str(BENCH_DIR) not in sys.path:  # run as a script or imported by the test alike
    sys.path.insert(0, str(BENCH_DIR))

#: Formats pandoc writes that civicrecord also renders.
PANDOC_FORMATS = ("html", "docx")


@dataclass(frozen=True)
class Settings:
    warm_repeats: int = 20
    process_repeats: int = 10
    batch_reports: int = 20
    batch_repeats: int = 3
    sizes: tuple[int, ...] = (10, 100, 1_000, 10_000)
    scale_repeats: int = 3
    city_reports: int = 100
    cold_repeats: int = 10
    pandoc: bool = True


QUICK = Settings(warm_repeats=2, process_repeats=1, batch_reports=2, batch_repeats=1,
                 sizes=(5, 20), scale_repeats=1, city_reports=4, cold_repeats=1)


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


def median_call(function: Callable[[], object], repeats: int, warmup: int = 1) -> float:
    """Median wall time of ``function()`` in seconds, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_command(command: Sequence[str | Path], cwd: Path | None = None) -> float:
    """Wall time of one process in seconds; a failure stops the benchmark with its stderr."""
    start = time.perf_counter()
    done = subprocess.run([str(part) for part in command], cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} exited with {done.returncode}:\n"
                           + done.stderr.decode("utf-8", "replace")[-2000:])
    return elapsed


def median_process(command: Sequence[str | Path], repeats: int, warmup: int = 1,
                   cwd: Path | None = None) -> float:
    """hyperfine-like: ``warmup`` untimed runs, then the median of ``repeats`` runs."""
    for _ in range(warmup):
        run_command(command, cwd)
    return statistics.median(run_command(command, cwd) for _ in range(repeats))


def civicrecord_command() -> list[str]:
    """The installed ``civicrecord`` script next to this Python, as a user runs it."""
    script = Path(sys.executable).with_name("civicrecord")
    if script.exists():
        return [str(script)]
    found = shutil.which("civicrecord")
    return [found] if found else [sys.executable, "-m", "civicrecord.cli"]


# --- Formatting -----------------------------------------------------------------------------


def ms(seconds: float) -> str:
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds * 1000:.1f} ms" if seconds >= 0.01 else f"{seconds * 1000:.2f} ms"


def mb(kilobytes: float) -> str:
    return f"{kilobytes / 1024:.0f} MB"


def faster(ours: float, theirs: float) -> str:
    """How our time compares with theirs, said in words: '12.3× faster' or '1.4× slower'."""
    if ours <= 0 or theirs <= 0:
        return ""
    if ours <= theirs:
        return f"{theirs / ours:.1f}× faster"
    return f"{ours / theirs:.2f}× slower"


def growth(new: float, old: float) -> str:
    return f"×{new / old:.1f}" if old > 0 else ""


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# --- Section 1: warm, in process ------------------------------------------------------------

WARM_TARGETS = {"html": 0.005, "docx": 0.020, "json": 0.002}


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
    load_time = median_call(lambda: civicrecord.load(EXAMPLE, plugins=plugin_set), repeats)
    run.add(section, f"load + validate the example ({len(report.axes)} axes, {actions} actions)",
            ms(load_time))
    discovery = median_call(load_plugins, repeats)
    run.add(section, "plugin discovery (entry points), paid by each API call without plugins=",
            ms(discovery))
    run.raw["warm"] = {"load": load_time, "discovery": discovery}
    for name in formats:
        seconds = median_call(lambda name=name: civicrecord.render(  # type: ignore[misc]
            report, name, plugins=plugin_set, base_dir=EXAMPLE), repeats)
        run.raw["warm"][name] = seconds
        target = WARM_TARGETS.get(name)
        run.add(section, f"render {name}", ms(seconds),
                target=f"≤ {ms(target)}" if target else "",
                result=verdict(seconds <= target) if target else "")
    if "json" in formats:
        seconds = median_call(lambda: civicrecord.render(report, "json"), repeats)
        run.raw["warm"]["json_default_call"] = seconds
        run.add(section, "render json via render(report, 'json'), plugins found per call",
                ms(seconds), target=f"≤ {ms(WARM_TARGETS['json'])}",
                result=verdict(seconds <= WARM_TARGETS["json"]))
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
        run.raw["markdown_source"] = "civicrecord-markdown plugin"
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
    pandoc_single: dict[str, float] = {}
    for name in formats:
        ours = median_process([*cli, "render", EXAMPLE, "-f", name, "-o", out], repeats)
        theirs = None
        if pandoc and name in PANDOC_FORMATS:
            theirs = median_process(pandoc_command(source, name, out / f"pandoc.{name}"),
                                    repeats)
            pandoc_single[name] = theirs
        run.raw.setdefault("process", {})[name] = {"civicrecord": ours, "pandoc": theirs}
        run.add(section, f"civicrecord render -f {name} (whole process)", ms(ours),
                compared=f"pandoc -s -t {name}: {ms(theirs)}" if theirs else "",
                ratio=faster(ours, theirs) if theirs else "")
    if all(name in formats for name in PANDOC_FORMATS):
        flags = [arg for name in PANDOC_FORMATS for arg in ("-f", name)]
        ours = median_process([*cli, "render", EXAMPLE, *flags, "-o", out], repeats)
        what = "civicrecord render -f html -f docx, one process"
        run.raw.setdefault("process", {})["html+docx"] = {"civicrecord": ours}
        if len(pandoc_single) == len(PANDOC_FORMATS):
            theirs = sum(pandoc_single.values())
            run.raw["process"]["html+docx"]["pandoc"] = theirs
            run.add(section, what, ms(ours), compared=f"2 pandoc runs: {ms(theirs)}",
                    ratio=f"{ours / theirs:.2f}× pandoc's time", target="≤ 2× pandoc",
                    result=verdict(ours <= 2 * theirs))
        else:
            run.add(section, what, ms(ours), target="≤ 2× pandoc", result="n/a (no pandoc)")

    # Batch: N reports, one civicrecord process per format, beside N pandoc runs.
    count = settings.batch_reports
    section = "2 batch"
    reports = copies_of_example(run.work / "batch", count)
    sources = []
    for n in range(count):
        sources.append(run.work / "batch" / f"copie-{n:03d}.md")
        sources[-1].write_text(markdown, "utf-8")
    for name in formats:
        ours = statistics.median(
            run_command([*cli, "render", *reports, "-f", name, "-o", out / "batch"])
            for _ in range(settings.batch_repeats)) / count
        theirs = None
        if pandoc and name in PANDOC_FORMATS:
            theirs = sum(run_command(pandoc_command(md, name, out / "batch" / f"{md.stem}.{name}"))
                         for md in sources) / count
        run.raw.setdefault("batch", {})[name] = {"civicrecord": ours, "pandoc": theirs,
                                                  "reports": count}
        run.add(section, f"{name}: {count} reports in one civicrecord process, per report",
                ms(ours), compared=f"{count} pandoc runs: {ms(theirs)}" if theirs else "",
                ratio=faster(ours, theirs) if theirs else "",
                target="≥ 5× faster" if name in PANDOC_FORMATS else "",
                result=(verdict(theirs / ours >= 5) if theirs else "n/a (no pandoc)")
                if name in PANDOC_FORMATS else "")


# --- Section 3: scale -----------------------------------------------------------------------


def scale_worker(path: str, formats: list[str]) -> dict[str, Any]:
    """Run in a fresh process: load one report, render it to each format, say what it cost."""
    import civicrecord
    from civicrecord.plugins import load_plugins

    plugin_set = load_plugins()
    baseline = _current_rss_kb()
    start = time.perf_counter()
    report = civicrecord.load(path, plugins=plugin_set)
    timings = {"load": time.perf_counter() - start}
    for name in formats:
        start = time.perf_counter()
        civicrecord.render(report, name, plugins=plugin_set, base_dir=path)
        timings[name] = time.perf_counter() - start
    return {"times": timings, "baseline_kb": baseline,
            "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def _current_rss_kb() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


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


def scale(run: Run, formats: list[str]) -> None:
    settings = run.settings
    sized, city = _generate(run)
    section = "3 scale"
    previous: dict[str, Any] | None = None
    previous_size = 0
    for size, path in sized.items():
        samples = []
        for _ in range(settings.scale_repeats):
            done = subprocess.run(
                [sys.executable, __file__, "--scale-worker", str(path), *formats],
                capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"scale worker for {size} actions failed:\n{done.stderr}")
            sample = json.loads(done.stdout)
            sample["total"] = sum(sample["times"].values())
            samples.append(sample)
        samples.sort(key=lambda s: s["total"])
        sample = samples[len(samples) // 2]  # the run with the median total
        run.raw.setdefault("scale", {})[size] = sample
        times = sample["times"]
        label = f"{size:,} actions"
        vs = f"vs {previous_size:,}" if previous else ""

        def grew(key: str, value: float, old: dict[str, Any] | None = previous,
                 vs: str = vs) -> str:
            if old is None:
                return ""
            before = old["times"][key] if key in old["times"] else old[key]
            return f"{growth(value, before)} {vs}"

        run.add(section, f"{label}: load + validate (YAML folder)", ms(times["load"]),
                ratio=grew("load", times["load"]))
        for name in formats:
            run.add(section, f"{label}: render {name}", ms(times[name]),
                    ratio=grew(name, times[name]))
        largest = size == max(settings.sizes) and size >= 10_000
        run.add(section, f"{label}: total, load + every format", ms(sample["total"]),
                ratio=grew("total", sample["total"]),
                target="< 10 s" if largest else "",
                result=verdict(sample["total"] < 10) if largest else "")
        if previous_size == 1_000 and size == 10_000:
            ratio = sample["total"] / previous["total"]  # type: ignore[index]
            run.add(section, "growth of the total from 1,000 to 10,000 actions",
                    f"×{ratio:.1f}", target="≤ ×11", result=verdict(ratio <= 11))
        peak, base = sample["peak_kb"], sample["baseline_kb"]
        old_extra = (previous["peak_kb"] - previous["baseline_kb"]) if previous else 0
        run.add(section, f"{label}: peak RSS (above the {mb(base)} after imports)",
                f"{mb(peak)} (+{mb(peak - base)})",
                ratio=f"{growth(peak - base, old_extra)} {vs} (above imports)"
                if previous and old_extra > 0 else "",
                target="< 500 MB" if largest else "",
                result=verdict(peak < 500 * 1024) if largest else "")
        previous, previous_size = sample, size
    city_batch(run, city, formats)


def _render_everything(path: str, formats: list[str], out: str) -> None:
    import civicrecord
    from civicrecord.plugins import load_plugins

    plugin_set = load_plugins()
    report = civicrecord.load(path, plugins=plugin_set)
    for name in formats:
        civicrecord.write(report, name, out, plugins=plugin_set, base_dir=path)


def _cli_jobs_option(cli: list[str]) -> str | None:
    """The multi-path parallel option of ``civicrecord render``, if this version has one."""
    done = subprocess.run([*cli, "render", "--help"], capture_output=True, text=True,
                          check=False)
    for option in ("--jobs", "--workers", "--parallel"):
        if option in done.stdout:
            return option
    return None


def city_batch(run: Run, paths: list[Path], formats: list[str]) -> None:
    cli = civicrecord_command()
    cores = os.cpu_count() or 1
    out = run.work / "out" / "city"
    count = len(paths)
    option = _cli_jobs_option(cli)
    start = time.perf_counter()
    if option:
        run_command([*cli, "render", *paths, option, str(cores), "-o", out])
        how = f"civicrecord render {option} {cores}"
    else:
        with ProcessPoolExecutor(max_workers=cores) as pool:
            list(pool.map(_render_everything, map(str, paths), [formats] * count,
                          [str(out)] * count))
        how = f"concurrent.futures, {cores} processes, public API"
        run.notes.append("`civicrecord render` has no parallel option yet: the city batch "
                         "uses concurrent.futures over civicrecord.load/write")
    parallel = time.perf_counter() - start
    sequential = run_command([*cli, "render", *paths, "-o", out])
    run.raw["city"] = {"reports": count, "cores": cores, "parallel": parallel,
                       "sequential": sequential, "how": how}
    what = f"city batch: {count} example-sized reports × {len(formats)} formats"
    run.add("3 city", f"{what}, {how}",
            f"{ms(parallel)} ({ms(parallel / count)}/report)",
            compared=f"1 process: {ms(sequential)}", ratio=faster(parallel, sequential))


# --- Section 4: cold start ------------------------------------------------------------------


def cold(run: Run) -> None:
    repeats = run.settings.cold_repeats
    section = "4 cold"
    bare = median_process([sys.executable, "-c", "pass"], repeats)
    run.add(section, "python -c pass (the interpreter alone)", ms(bare))
    imported = median_process([sys.executable, "-c", "import civicrecord"], repeats)
    run.add(section, 'python -c "import civicrecord"', ms(imported), target="≤ 50 ms",
            result=verdict(imported <= 0.050))
    validated = median_process([*civicrecord_command(), "validate", EXAMPLE], repeats)
    run.add(section, "civicrecord validate examples/hauts_de_chambery", ms(validated),
            target="≤ 250 ms", result=verdict(validated <= 0.250))
    run.raw["cold"] = {"python": bare, "import": imported, "validate": validated}


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
    parser.add_argument("--scale-worker", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scale_worker:
        path, *formats = args.scale_worker
        print(json.dumps(scale_worker(path, formats)))
        return 0

    settings = QUICK if args.quick else Settings()
    if args.no_pandoc:
        settings = Settings(**{**asdict(settings), "pandoc": False})
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="civicrecord-bench-") as work:
        run = Run(settings, Path(work))
        report, formats = warm(run)
        markdown = example_markdown(report, formats, run)
        against_pandoc(run, markdown, formats)
        scale(run, formats)
        cold(run)
    load_after = load_average()
    info = machine()
    print(f"civicrecord {info['civicrecord']} · formats: {', '.join(formats)} · "
          f"pandoc input: {run.raw['markdown_source']}")
    print(f"machine: {info['cpus']} CPUs ({info['cpu']}), {info['memory']}, {info['python']}, "
          f"{info['system']}, {info['pandoc']}")
    print(f"load average (1, 5, 15 min): {load_before} before, {load_after} after"
          + (" · QUICK MODE: figures mean nothing" if args.quick else ""))
    print()
    print_table(run.rows)
    for note in run.notes:
        print(f"note: {note}")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "load_before": load_before,
                                         "load_after": load_after, "settings": asdict(settings),
                                         "rows": [asdict(r) for r in run.rows],
                                         "raw": run.raw}, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
