"""Temporary virtual environments where plugins are installed for real, offline.

A test that proves a plugin is found through its entry point must install it
with pip into an environment of its own, then run ``civicrecord`` there.
Downloading civicrecord's dependencies for each such environment would be
slow and need the network, so the new environment borrows them: its
site-packages gets symbolic links to every distribution of the test
environment *except* civicrecord itself and any installed civicrecord plugin.
civicrecord (from this checkout) and the plugins under test are then installed
into it by pip, without the index and without build isolation (hatchling is
borrowed too). The new environment therefore sees exactly the plugins the test
installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parent.parent
DISABLE_AUTOLOAD = "CIVICRECORD_DISABLE_PLUGIN_AUTOLOAD"


def _is_ours(dist: metadata.Distribution) -> bool:
    name = (dist.metadata["Name"] or "").lower().replace("_", "-")
    return name == "civicrecord" or any(ep.group == "civicrecord" for ep in dist.entry_points)


def _site_packages() -> Path:
    paths = [Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    prefix = Path(sys.prefix).resolve()
    for path in paths:
        if path.resolve().is_relative_to(prefix):
            return path
    raise RuntimeError(f"no site-packages of {sys.prefix} on sys.path")


def _borrowed_entries(site_packages: Path) -> list[Path]:
    """The top-level entries of site-packages that belong to no civicrecord distribution."""
    excluded: set[str] = set()
    for dist in metadata.distributions(path=[str(site_packages)]):
        if _is_ours(dist):
            for file in dist.files or ():
                first = Path(str(file)).parts[0]
                if first != "..":
                    excluded.add(first)
    return [entry for entry in sorted(site_packages.iterdir())
            if entry.name not in excluded and entry.name != "__pycache__"]


@attrs.frozen
class Venv:
    """A virtual environment for one test module, and ways to run things in it."""

    root: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    @property
    def site_packages(self) -> Path:
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        return self.root / "lib" / version / "site-packages"

    def env(self, extra: Mapping[str, str] | None = None, *,
            autoload: bool = True) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if key not in (DISABLE_AUTOLOAD, "PYTHONPATH", "VIRTUAL_ENV")}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(self.root)
        env["PYTHONNOUSERSITE"] = "1"
        if not autoload:
            env[DISABLE_AUTOLOAD] = "1"
        env.update(extra or {})
        return env

    def run(self, *args: str | Path, cwd: Path | None = None, autoload: bool = True,
            check: bool = False) -> subprocess.CompletedProcess[str]:
        """Run a command of this environment (``civicrecord``, ``python``)."""
        command = [str(self.bin / str(args[0])), *map(str, args[1:])]
        result = subprocess.run(command, capture_output=True, text=True, cwd=cwd,
                                env=self.env(autoload=autoload), timeout=300, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"{command} failed ({result.returncode}):\n"
                                 f"{result.stdout}\n{result.stderr}")
        return result

    def pip_install(self, *paths: Path, deps: bool = True) -> None:
        """Install local project folders with pip, offline, without build isolation."""
        args = ["python", "-m", "pip", "install", "--quiet", "--no-index",
                "--no-build-isolation", "--disable-pip-version-check"]
        if not deps:
            args.append("--no-deps")
        self.run(*args, *paths, check=True)

    def distributions(self) -> dict[str, str]:
        """Name -> version of the distributions pip installed here (not the borrowed ones)."""
        found = {}
        for dist in metadata.distributions(path=[str(self.site_packages)]):
            info = Path(str(dist._path))  # type: ignore[attr-defined]
            if not info.is_symlink():
                found[dist.metadata["Name"]] = dist.version
        return found


def make_venv(root: Path, plugins: Iterable[Path] = ()) -> Venv:
    """A new environment with civicrecord from this checkout and ``plugins`` installed."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True,
                   timeout=120)
    venv = Venv(root)
    for entry in _borrowed_entries(_site_packages()):
        (venv.site_packages / entry.name).symlink_to(entry)
    # civicrecord's own requirements are borrowed above, so --no-deps here; the
    # plugins are installed with their dependencies resolved (against what is here).
    venv.pip_install(ROOT, deps=False)
    plugins = list(plugins)
    if plugins:
        venv.pip_install(*plugins)
    return venv
