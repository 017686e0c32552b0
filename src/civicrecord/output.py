"""Writing files so that a failed run never destroys or half-writes anything.

Each file is written to a temporary file in the same folder, flushed to disk,
then renamed over the target: readers see the old file or the new one, never
a mix, and a crash leaves the earlier output intact. The flush is that
guarantee (without it a crash can leave an empty file under the new name) and
costs about 0.3 ms a file on a local disk. The folder is not flushed after
the rename: that would only make the new name survive a crash that follows
at once, which the guarantee does not need.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["OutputError", "write_atomically"]


class OutputError(Exception):
    """An output file could not be written; the message names it and says why."""


def write_atomically(target: Path, content: bytes) -> Path:
    """Replace ``target`` with ``content`` in one step; return the path written."""
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
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(f"cannot write {target}: {error.strerror}") from None
        raise
    return target
