"""A pytest plugin that counts hostile inputs tried and handled, and says so at the end.

A test wraps each input in ``with tally.trying("hostile inputs"):``; the input
counts as handled only if the block finishes without a failed assertion. The
session ends with one line per kind, e.g. ``hostile inputs: 74 tried, 74
handled``. Any kind of input may be counted (``"payloads"``...), so other
suites report theirs on the same terms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

__all__ = ["Tally", "hostile_tally"]


class Tally:
    """How many inputs of each kind were tried, and how many were handled."""

    def __init__(self) -> None:
        self.tried: Counter[str] = Counter()
        self.handled: Counter[str] = Counter()

    @contextmanager
    def trying(self, kind: str) -> Iterator[None]:
        self.tried[kind] += 1
        yield
        self.handled[kind] += 1

    def lines(self) -> list[str]:
        return [f"{kind}: {self.tried[kind]} tried, {self.handled[kind]} handled"
                for kind in sorted(self.tried)]


_TALLY = pytest.StashKey[Tally]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_TALLY] = Tally()


@pytest.fixture
def hostile_tally(request: pytest.FixtureRequest) -> Tally:
    """The session's tally of hostile inputs."""
    return request.config.stash[_TALLY]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    tally = terminalreporter.config.stash.get(_TALLY, None)
    if tally is None or not tally.tried:
        return
    terminalreporter.section("hostile input summary")
    for line in tally.lines():
        terminalreporter.write_line(line)
