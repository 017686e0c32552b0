"""Writing files so that a failed run never destroys or half-writes anything.

Each file is written to a temporary file in the same folder, flushed to disk,
then renamed over the target: readers see the old file or the new one, never
a mix, and a crash leaves the earlier output intact. The flush (``fsync``) is
that guarantee: without it a crash can leave an empty file under the new name.
The folder is not flushed after the rename: that would only make the new name
survive a crash that follows at once, which the guarantee does not need.

A flush costs 0.3 ms on a quiet local disk and 5-15 ms when other programs
keep it busy, mostly waiting for the file system's journal. A batch therefore
writes its files into a private staging folder unflushed, hands them to a
:class:`Flusher` that flushes them in the background while the next report
renders, and renames a file into place only once it is flushed.
"""

from __future__ import annotations

import os
import queue
import tempfile
import threading
from pathlib import Path

__all__ = ["Flusher", "OutputError", "flush", "write_atomically"]


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
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.",
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
