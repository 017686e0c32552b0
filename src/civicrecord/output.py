"""Writing files so that a failed run never destroys or half-writes anything.

Each file is written to a temporary file in the same folder, flushed to disk,
then renamed over the target: readers see the old file or the new one, never
a mix, and a crash leaves the earlier output intact. The flush (``fsync``) is
that guarantee: without it a crash can leave an empty file under the new name.
The folder is not flushed after the rename: that would only make the new name
survive a crash that follows at once, which the guarantee does not need.

A flush waits for the disk, and for the file system's journal when other
programs keep it busy: a batch would spend much of its time waiting. It therefore
writes its files into a private staging folder unflushed, hands them to a
:class:`Flusher` that flushes them in the background while the next report
renders, and renames a file into place only once it is flushed.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import stat
import tempfile
import threading
import time
from pathlib import Path

__all__ = [
    "Flusher",
    "OutputError",
    "confined_name",
    "flush",
    "make_staging_folder",
    "remove_stale_staging",
    "write_atomically",
]

#: Staging folders are named ``.civicrecord-<pid>-<random>``: the process id says
#: whether the run that made one is still alive.
_STAGING = re.compile(r"\.civicrecord-(?:(\d+)-)?[A-Za-z0-9_]{8}")
#: A staging folder of an older civicrecord (no process id) is stale after this long.
_UNOWNED_STALE_AFTER = 3600.0


class OutputError(Exception):
    """An output file could not be written; the message names it and says why."""


def write_atomically(target: Path, content: bytes, *, durable: bool = True) -> Path:
    """Replace ``target`` with ``content`` in one step; return the path written.

    ``durable=False`` skips the flush, for a file in a private folder that is
    flushed later, before anything moves it over a file worth keeping.
    """
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create output folder {folder}: {error.strerror}") from None
    try:
        _remove_stale_temporaries(folder, target.name)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.{os.getpid()}.",
                                             suffix=".tmp")
    except OSError as error:
        raise OutputError(f"cannot write in output folder {folder}: {error.strerror} "
                          "(check its permissions)") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(f"cannot write {target}: {error.strerror}") from None
        raise
    return target


def confined_name(name: str) -> str | None:
    """``name`` if it names a file directly inside a folder, else None.

    Whatever a report holds, what is written stays inside the output folder:
    no separator, no ``..``, no control character, no name the file system
    would refuse for its length, and no hidden name (ours, for files in
    progress, start with a dot).
    """
    if (not name or name.startswith(".") or "/" in name or "\\" in name
            or not name.isprintable() or len(name.encode("utf-8", "surrogatepass")) > 255):
        return None
    return name


def make_staging_folder(output: Path) -> Path:
    """A private folder inside ``output`` for files not yet moved into place."""
    return Path(tempfile.mkdtemp(prefix=f".civicrecord-{os.getpid()}-", dir=output))


def remove_stale_staging(output: Path, started: float) -> list[Path]:
    """Remove staging folders a crashed run left in ``output``; return those removed.

    Only folders that are ours are touched: named like a staging folder, made
    before this run started, by a process that is no longer running (or, for a
    folder of an older civicrecord without a process id, more than an hour
    old), and holding nothing but plain files and folders.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(output))
    except OSError:
        return removed
    for entry in entries:
        match = _STAGING.fullmatch(entry.name)
        if match is None or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            modified = entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        pid = match[1]
        if pid is None:
            stale = modified < started - _UNOWNED_STALE_AFTER
        else:
            stale = modified < started and not _alive(int(pid))
        if stale and _only_plain_files(Path(entry.path)):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


def _remove_stale_temporaries(folder: Path, name: str) -> None:
    """Remove what a killed writer of ``name`` left: ``.<name>.<pid>.<random>.tmp``."""
    pattern = re.compile(re.escape(f".{name}.") + r"(\d+)\.[A-Za-z0-9_]{8}\.tmp")
    started = time.time()
    try:
        entries = [entry for entry in os.scandir(folder) if entry.name.startswith(f".{name}.")]
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        try:
            stale = entry.stat(follow_symlinks=False).st_mtime < started \
                and not _alive(int(match[1]))
        except OSError:
            continue
        if stale:
            Path(entry.path).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or a number we cannot ask about: keep it
    return True


def _only_plain_files(folder: Path) -> bool:
    for root, folders, files in os.walk(folder):
        for name in (*folders, *files):
            mode = os.lstat(os.path.join(root, name)).st_mode
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                return False
    return True


def flush(path: Path) -> None:
    """Flush a file's content to disk (it may have been written by another process)."""
    handle = os.open(path, os.O_RDWR)  # writable: some systems refuse to flush otherwise
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


class Flusher:
    """Flushes files to disk in a background thread, while the caller goes on working."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Path | None] = queue.SimpleQueue()
        self._failed: dict[Path, str] = {}
        self._thread = threading.Thread(target=self._run, name="civicrecord-flush", daemon=True)
        self._thread.start()

    def add(self, path: Path) -> None:
        """Flush ``path`` soon."""
        self._queue.put(path)

    def finish(self) -> dict[Path, str]:
        """Wait until every file added is flushed; return those that could not be, and why."""
        self._queue.put(None)
        self._thread.join()
        return self._failed

    def _run(self) -> None:
        while (path := self._queue.get()) is not None:
            try:
                flush(path)
            except OSError as error:
                self._failed[path] = error.strerror or str(error)
