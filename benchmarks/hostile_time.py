"""How long ``validate`` takes on the worst inputs of each kind, at the size limit.

    .venv/bin/python benchmarks/hostile_time.py            # at MAX_FILE_BYTES (1 MiB)
    .venv/bin/python benchmarks/hostile_time.py --size 65536

Issue 18 asks that any input within the limits be answered in time linear in
its size. Each kind below (quotes, backslashes, brackets, table headers, deep
but legal nesting, long keys) is written in YAML, JSON and TOML, in the shapes
that made regular-expression pre-scans backtrack, and the slowest of each kind
is printed against the target of 2 s. ``tests/test_hostile.py`` builds the same
inputs at two sizes and checks that the time grows in proportion.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

#: Seconds ``validate`` may take on any one input at the size limit.
TARGET = 2.0
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
    import civicrecord

    path = folder / f"input.{fmt}"
    path.write_text(text, encoding="utf-8")
    started = clock()
    civicrecord.validate(path)
    return clock() - started


def worst_cases(size: int) -> dict[str, tuple[float, str]]:
    """The slowest input of each kind at ``size`` bytes, and what it is."""
    worst: dict[str, tuple[float, str]] = {}
    with tempfile.TemporaryDirectory(prefix="civicrecord-hostile-") as work:
        for kind, shapes in KINDS.items():
            for fmt, head, unit, tail in shapes:
                taken = seconds(fmt, build(head, unit, tail, size), Path(work))
                shown = f"{fmt}: {head!r} + {unit[:12]!r}… + {tail!r}"
                if taken >= worst.get(kind, (-1.0, ""))[0]:
                    worst[kind] = (taken, shown)
    return worst


def main() -> int:
    from civicrecord.loading.source import MAX_FILE_BYTES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=MAX_FILE_BYTES - 1, help="bytes per input")
    size = parser.parse_args().size
    for kind, (taken, shown) in worst_cases(size).items():
        verdict = "PASS" if taken <= TARGET else "MISS"
        print(f"{kind:13} {taken:7.3f} s  {verdict}  (≤ {TARGET:.0f} s)  {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
