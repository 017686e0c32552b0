"""Compiled HTML templates kept between processes, in the user's cache folder.

Compiling the built-in templates is most of a fresh process's first HTML
render, and every ``civicrecord render`` is a fresh process. jinja2's
bytecode cache stores each template's compiled code beside a checksum of its
source, and compiles again whenever the source differs: an edited built-in
template or a user's override is never served stale. Compiled code also
depends on the environment (the sandbox compiles calls differently), so each
environment's options, jinja2's version and Python's name the cache files.

The cache is an optimisation only. A folder that cannot be created, is not
private to the user, or cannot be written, and a file that cannot be read,
mean compiling as before, silently. The HTML renderer imports this module
when it builds its environment, so it imports jinja2 freely.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket, FileSystemBytecodeCache

__all__ = ["CACHE_DIR_VARIABLE", "bytecode_cache", "user_cache_dir"]

#: Environment variable naming civicrecord's cache folder; set but empty, no cache is kept.
CACHE_DIR_VARIABLE = "CIVICRECORD_CACHE_DIR"


def user_cache_dir() -> Path | None:
    """civicrecord's folder in the platform's user cache, or None when disabled.

    ``$CIVICRECORD_CACHE_DIR`` first; then the platform's own place, as
    platformdirs knows it (``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux,
    ``~/Library/Caches`` on macOS, ``%LOCALAPPDATA%`` on Windows).
    """
    chosen = os.environ.get(CACHE_DIR_VARIABLE)
    if chosen is not None:
        return Path(chosen) if chosen else None
    import platformdirs

    try:
        return Path(platformdirs.user_cache_dir("civicrecord", appauthor=False))
    except (RuntimeError, KeyError, OSError):  # no home folder to be found
        return None


def bytecode_cache(options: Mapping[str, Any], sandboxed: bool) -> jinja2.BytecodeCache | None:
    """A bytecode cache for an environment built with ``options``, or None if unusable."""
    root = user_cache_dir()
    if root is None:
        return None
    folder = root / "jinja2"
    if not _private_folder(folder):
        return None
    identity = repr((_jinja2_version(), sys.implementation.cache_tag, sandboxed,
                     sorted(options.items())))
    fingerprint = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return _QuietCache(str(folder), f"{fingerprint}-%s.cache")


def _jinja2_version() -> str:
    """jinja2's version, which may change the code it compiles (its bytecode format
    version alone may not). Read without a deprecation warning, should it come to warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return str(getattr(jinja2, "__version__", ""))


def _private_folder(folder: Path) -> bool:
    """Create ``folder`` for this user alone; False if it is not a folder only they can use.

    Cached code is run, so a folder others could write to must not be trusted.
    """
    try:
        folder.mkdir(mode=stat.S_IRWXU, parents=True, exist_ok=True)
        found = folder.lstat()
    except OSError:
        return False
    if not hasattr(os, "getuid"):  # Windows: the user's profile folder is private
        return stat.S_ISDIR(found.st_mode)
    others = stat.S_IMODE(found.st_mode) & (stat.S_IRWXG | stat.S_IRWXO)
    return stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid() and not others


class _QuietCache(FileSystemBytecodeCache):
    """jinja2's file cache, for which a file it cannot read or write is a miss."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - a damaged file of any kind: compile instead
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # read-only or full: the next process compiles
            super().dump_bytecode(bucket)
