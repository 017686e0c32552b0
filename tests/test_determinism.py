"""The same report gives the same bytes, whichever process renders it.

Each render runs in a process of its own, so nothing one render left in memory
(compiled templates, remembered formatting) can make the second look like the
first. The two processes differ in what can legitimately differ between runs:
the hash seed (the order of sets), and whether the HTML templates are compiled
or read back from the template cache the first process filled.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [ROOT / "examples" / "hauts_de_chambery", ROOT / "examples" / "larkfield"]

_RENDER = """
import sys
import civicrecord

report_folder, format_name = sys.argv[1:]
report = civicrecord.load(report_folder)
sys.stdout.buffer.write(civicrecord.render(report, format_name, base_dir=report_folder))
"""


def _render_in_new_process(report_folder: Path, format_name: str, hash_seed: str,
                           cache: Path) -> bytes:
    environment = {**os.environ, "PYTHONHASHSEED": hash_seed, "CIVICRECORD_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", _RENDER, str(report_folder), format_name],
                          capture_output=True, env=environment, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return done.stdout


@pytest.mark.parametrize("format_name", ["html", "json"])
@pytest.mark.parametrize("report_folder", EXAMPLES, ids=lambda path: path.name)
def test_two_processes_render_the_same_bytes(report_folder: Path, format_name: str,
                                             tmp_path: Path) -> None:
    first = _render_in_new_process(report_folder, format_name, "1", tmp_path)
    second = _render_in_new_process(report_folder, format_name, "2", tmp_path)
    assert first, "the render wrote nothing"
    assert first == second
