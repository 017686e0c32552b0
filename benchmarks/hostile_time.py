"""How long ``validate`` takes on the worst inputs of each kind, at the size limit.

    .venv/bin/python benchmarks/hostile_time.py            # at MAX_FILE_BYTES (1 MiB)
    .venv/bin/python benchmarks/hostile_time.py --size 65536

Issue 18 asks that any input within the limits be answered in time linear in
its size. Each kind below (quotes, backslashes, brackets, table headers, deep
but legal nesting, long keys) is written in YAML, JSON and TOML, in the shapes
that made regular-expression pre-scans backtrack, and the slowest of each kind
is printed against the target of 2 s. An input holding more than ``MAX_VALUES``
values is refused early, so it is also timed cut to the longest that is read.

``tests/test_hostile.py`` runs ``--proportion`` on the same shapes: the best
CPU time of a fresh process at two sizes, to check that time grows in proportion.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Seconds ``validate`` may take on any one input at the size limit.
TARGET = 2.0
#: The sizes ``--proportion`` compares: 32 times apart, so that a step growing with the
#: square of the size takes up to 1,024 times as long at the second; both well under
#: ``MAX_VALUES`` values, and the second small enough to stay mostly in the CPU's caches.
SIZES = (2 * 1024, 64 * 1024)
#: Input kinds: each a list of (format, head, unit, tail); the unit repeats to the size.
KINDS: dict[str, list[tuple[str, str, str, str]]] = {
    "quotes": [("json", '{"id": "', '\\"', ""), ("toml", 'id = "', '\\"', ""),
               ("toml", "id = 'x'\n# ", '\\"', "\n"), ("yaml", 'id: "', '\\"', ""),
               ("yaml", "# ", '\\"', "\n"), ("json", "", '"', ""), ("toml", "", "'''", "")],
    "backslashes": [("json", '{"id": "', "\\\\", '"}'), ("toml", 'id = "', "\\\\", '"\n'),
                    ("yaml", 'id: "', "\\\\", '"\n'), ("json", '{"id": "', "\\", "")],
    "brackets": [("json", "", "[", ""), ("json", '{"x": [', "[], ", "[]]}"),
                 ("toml", "x = ", "[", ""), ("toml", "x = [", "[], ", "[]]\n"),
                 ("yaml", "x: ", "[", ""), ("yaml", "x: [", "[], ", "[]]\n"),
                 ("yaml", "x: ", "{", "")],
    "headers": [("toml", "", "[a.  ", ""), ("toml", "", "[[t]]\n", ""),
                ("toml", "", "[ a ]\n", ""), ("toml", "", "[a]\nb = 1\n", ""),
                ("toml", "", "[" + " " * 30, "")],
    "deep nesting": [("json", '{"x": [', "[" * 62 + "]" * 62 + ", ", "[]]}"),
                     ("toml", "x = [", "[" * 62 + "]" * 62 + ", ", "[]]\n"),
                     ("yaml", "x: [", "[" * 62 + "]" * 62 + ", ", "[]]\n"),
                     ("yaml", "x:\n", "  - " * 60 + "1\n", "")],
    "long keys": [("json", '{"', "k", '": 1}'), ("toml", "", "k", " = 1\n"),
                  ("yaml", "", "k", ": 1\n"), ("yaml", "? ", "k", "\n: 1\n")],
}


def build(head: str, unit: str, tail: str, size: int) -> str:
    """``head``, then ``unit`` repeated, then ``tail``: about ``size`` bytes."""
    return head + unit * max(1, (size - len(head) - len(tail)) // len(unit)) + tail


def seconds(fmt: str, text: str, folder: Path,
            clock: Callable[[], float] = time.process_time) -> float:
    """CPU seconds of one ``civicrecord.validate`` of ``text`` saved as a file."""
    return validate(fmt, text, folder, clock)[0]


def validate(fmt: str, text: str, folder: Path,
             clock: Callable[[], float] = time.process_time) -> tuple[float, list[Any]]:
    """CPU seconds of one ``civicrecord.validate`` of ``text`` saved as a file, and the
    problems it found."""
    import civicrecord

    path = folder / f"input.{fmt}"
    path.write_text(text, encoding="utf-8")
    started = clock()
    problems = civicrecord.validate(path)
    return clock() - started, problems


def too_many_values_at(text: str, problems: list[Any]) -> int | None:
    """Where in ``text`` the value one past ``MAX_VALUES`` starts, if it was refused so."""
    for problem in problems:
        if "(MAX_VALUES)" in problem.message and problem.location.line:
            lines = text.split("\n")[: problem.location.line - 1]
            return sum(len(line) + 1 for line in lines) + int(problem.location.column) - 1
    return None


def worst_cases(size: int) -> dict[str, tuple[float, str]]:
    """The slowest input of each kind at ``size`` bytes, and what it is. An input refused
    for holding more than ``MAX_VALUES`` values is timed again cut to the longest that is
    read whole, and the slower of the two counts."""
    worst: dict[str, tuple[float, str]] = {}
    with tempfile.TemporaryDirectory(prefix="civicrecord-hostile-") as work:
        for kind, shapes in KINDS.items():
            for fmt, head, unit, tail in shapes:
                text = build(head, unit, tail, size)
                taken, problems = validate(fmt, text, Path(work))
                shown = f"{fmt}: {head!r} + {unit[:12]!r}… + {tail!r}"
                while (cut := too_many_values_at(text, problems)) is not None:
                    text = build(head, unit, tail, cut - len(unit))
                    read, problems = validate(fmt, text, Path(work))
                    taken, shown = max(taken, read), shown.split(", or cut")[0] + (
                        f", or cut to {len(text.encode()) // 1024} KiB under MAX_VALUES")
                if taken >= worst.get(kind, (-1.0, ""))[0]:
                    worst[kind] = (taken, shown)
    return worst


def proportion(fmt: str, head: str, unit: str, tail: str) -> tuple[float, float]:
    """The least CPU time of several ``validate`` runs at ``SIZES``, small then large.

    Meant for a fresh process, so that only its own CPU time counts (not a test
    runner's garbage collections over all it holds), after a first run that imports
    what ``validate`` needs. The least of several runs is the one least disturbed by
    a busy machine: noise only ever adds time."""
    with tempfile.TemporaryDirectory(prefix="civicrecord-hostile-") as work:
        seconds("yaml", "a: 1\n", Path(work))
        small, large = (min(seconds(fmt, build(head, unit, tail, size), Path(work))
                            for _ in range(5)) for size in SIZES)
    return small, large


def main() -> int:
    from civicrecord.loading.source import MAX_FILE_BYTES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=MAX_FILE_BYTES - 1, help="bytes per input")
    parser.add_argument("--proportion", metavar="SHAPE", help="a JSON list [format, head, "
                        "unit, tail]: print the times of proportion() as JSON")
    arguments = parser.parse_args()
    if arguments.proportion:
        print(json.dumps(proportion(*json.loads(arguments.proportion))))
        return 0
    for kind, (taken, shown) in worst_cases(arguments.size).items():
        verdict = "PASS" if taken <= TARGET else "MISS"
        print(f"{kind:13} {taken:7.3f} s  {verdict}  (≤ {TARGET:.0f} s)  {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
