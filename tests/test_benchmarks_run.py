"""The benchmark script still runs: ``benchmarks/bench.py --quick`` prints its table.

Nothing here looks at a timing; the figures of a quick run mean nothing. It
keeps the script from rotting as the API and the formats change.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "bench.py"


@pytest.mark.slow
def test_quick_benchmark_prints_one_table_with_every_section(tmp_path: Path) -> None:
    raw = tmp_path / "figures.json"
    # pandoc is used when present (so its code path runs too), never required.
    done = subprocess.run([sys.executable, str(BENCH), "--quick", "--json", str(raw)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = [n for n, line in enumerate(lines) if line.startswith("| section ")]
    assert len(header) == 1, done.stdout
    table = []
    for line in lines[header[0] + 2:]:
        if not line.startswith("| "):
            break
        table.append([cell.strip() for cell in line.strip("|").split("|")])
    assert {row[0] for row in table} >= {"1 warm", "2 process", "2 batch", "3 scale",
                                         "3 city", "4 cold", "5 hostile", "6 code"}
    measures = [row[1] for row in table]
    assert any(m.startswith("render json") for m in measures)
    assert any(m.startswith('python -c "import civicrecord"') for m in measures)
    assert any("peak RSS" in m for m in measures)
    assert all(row[6] in ("", "PASS", "MISS", "MISS (CPU ok)") or row[6].startswith("n/a")
               for row in table)
    budgets = {row[1]: row for row in table if row[0] == "6 code" and row[5]}
    assert set(budgets) == {f"lines of Python in src/civicrecord/{part}/"
                            for part in ("renderers/docx", "loading", "plugins")}
    for row in budgets.values():  # the figure is the files' own count, judged against its budget
        part = ROOT / "src" / "civicrecord" / row[1].removeprefix(
            "lines of Python in src/civicrecord/")
        lines = sum(len(path.read_bytes().splitlines()) for path in part.rglob("*.py"))
        assert row[2] == f"{lines:,}"
        assert row[6] == ("PASS" if lines <= int(row[5].removeprefix("≤ ").replace(",", ""))
                          else "MISS")
    assert "machine:" in done.stdout
    if shutil.which("pandoc") and "html" in saved_formats(raw):
        assert any(row[3].startswith("pandoc -s -t html") for row in table)
    saved = json.loads(raw.read_text())
    assert saved["rows"] and saved["machine"]["cpus"]


def saved_formats(raw: Path) -> list[str]:
    formats: list[str] = json.loads(raw.read_text())["raw"]["formats"]
    return formats


def test_synthetic_reports_are_valid_and_reproducible(tmp_path: Path) -> None:
    import random

    import civicrecord

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from synthetic import SEED, synthetic_report, vocabulary, write_report
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    words = vocabulary(civicrecord.load(ROOT / "examples" / "hauts_de_chambery"))
    first = synthetic_report(23, random.Random(SEED), words)
    assert first == synthetic_report(23, random.Random(SEED), words)
    assert sum(len(axis.actions) for axis in first.axes) == 23
    for target in (tmp_path / "folder", tmp_path / "single.yaml", tmp_path / "single.json"):
        path = write_report(first, target)
        assert civicrecord.validate(path) == []
        assert civicrecord.load(path) == first
