"""Shared fixtures: the worked example, and the external tools some tests need.

A test that needs Chromium or LibreOffice is skipped with a reason on a
machine without it, but under CI (CI=true) the missing tool is a failure:
CI must never pass by skipping what it was meant to check.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest_plugins = ["hostile_summary"]  # "hostile inputs: N tried, N handled" at the end

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "hauts_de_chambery"
#: Where tests leave screenshots and PDFs for people to look at: their own folder
#: (git-ignored), never build/, which holds what `make demo` rendered.
ARTEFACTS = ROOT / "test-artefacts"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_tool(names: tuple[str, ...], package: str) -> str:
    """The path of the first tool found, or skip (fail under CI) naming the package."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    message = f"{names[0]} not found: install the Debian package '{package}'"
    if in_ci():
        pytest.fail(f"{message} (CI=true: a missing tool is a failure, not a skip)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _no_installed_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see the built-in formats only, unless a test installs a plugin itself."""
    monkeypatch.setenv("CIVICRECORD_DISABLE_PLUGIN_AUTOLOAD", "1")


@pytest.fixture(scope="session", autouse=True)
def _own_template_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Compiled templates go to the run's own folder, never the user's cache.

    Set in the environment, so the processes tests start use it too.
    """
    os.environ["CIVICRECORD_CACHE_DIR"] = str(tmp_path_factory.mktemp("civicrecord-cache"))


@pytest.fixture(scope="session")
def example_dir() -> Path:
    return EXAMPLE


@pytest.fixture(scope="session")
def example_report():  # type: ignore[no-untyped-def]
    import civicrecord

    return civicrecord.load(EXAMPLE)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return require_tool(("chromium", "chromium-browser", "google-chrome"), "chromium")


@pytest.fixture(scope="session")
def soffice_path() -> str:
    return require_tool(("soffice", "libreoffice"), "libreoffice-writer-nogui")


@pytest.fixture(scope="session")
def pdftotext_path() -> str:
    return require_tool(("pdftotext",), "poppler-utils")


@pytest.fixture(scope="session")
def artefacts_dir() -> Path:
    """Where tests save artefacts (screenshots, PDFs) for people to look at."""
    ARTEFACTS.mkdir(exist_ok=True)
    return ARTEFACTS


@pytest.fixture(scope="session")
def build_dir(artefacts_dir: Path) -> Path:
    """The former name of :func:`artefacts_dir`, kept for the tests that still use it."""
    return artefacts_dir
