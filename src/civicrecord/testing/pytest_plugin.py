"""civicrecord's pytest plugin: fixtures for testing plugins, found through ``pytest11``.

Installing civicrecord is enough for a plugin's tests to ask for these; a
fixture of the same name in the plugin's own ``conftest.py`` wins.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from civicrecord.model import Report
from civicrecord.testing import example_dir as _example_dir
from civicrecord.testing import example_report as _example_report

__all__ = ["example_copy", "example_dir", "example_report"]


@pytest.fixture(scope="session")
def example_dir() -> Path:
    """The worked example's folder as installed: read it, never write to it."""
    return _example_dir()


@pytest.fixture(scope="session")
def example_report() -> Report:
    """The worked example, loaded and validated (immutable, so shared by the session)."""
    return _example_report()


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A copy of the worked example's folder that the test may change."""
    return Path(shutil.copytree(_example_dir(), tmp_path / "example"))
