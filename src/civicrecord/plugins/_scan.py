"""The installed plugins' entry points, read again only when what is installed changes.

Reading entry points through :mod:`importlib.metadata` opens the metadata of
every distribution on ``sys.path``: most of the cost of finding plugins. What
it finds can only change when ``sys.path`` changes or when a folder on it
does: installing, upgrading or removing a distribution adds or removes a
``.dist-info`` folder, which changes the modification time of the folder
holding it. So the result is kept with a fingerprint of those folders and
read again whenever the fingerprint differs.

A folder changed in the last :data:`RECENT_NS` nanoseconds gives no
fingerprint at all: file systems record modification times coarsely (a few
milliseconds on Linux, two seconds on FAT), so two installs close together
might leave the same time, and a scan made between them would be kept
wrongly. Such scans are used once, never kept, and the import system's own
caches, which trust the same times, are cleared first.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from typing import TYPE_CHECKING

import attrs

from civicrecord.plugins.hookspecs import PROJECT_NAME

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

__all__ = ["RECENT_NS", "FoundEntryPoint", "environment_fingerprint", "installed_entry_points"]

#: A folder changed more recently than this is not trusted to show the next change.
RECENT_NS = 2_000_000_000

Fingerprint = tuple[object, ...]


@attrs.frozen
class FoundEntryPoint:
    """One entry point of the ``civicrecord`` group, with the distribution it comes from."""

    entry_point: EntryPoint
    distribution: str | None
    version: str | None


def environment_fingerprint() -> Fingerprint | None:
    """What decides the installed distributions, cheaply; None while it may still change.

    The fingerprint holds ``sys.path`` and, for each entry, the identity and
    modification time of the folder (or zip file) it names, and the import
    system's finders, which may provide distributions of their own.
    """
    now = time.time_ns()
    entries: list[tuple[object, ...]] = []
    for entry in sys.path:
        try:
            status = os.stat(entry or ".")
        except (OSError, TypeError, ValueError):
            entries.append((entry,))
            continue
        if now - status.st_mtime_ns < RECENT_NS:
            return None
        entries.append((entry, status.st_dev, status.st_ino, status.st_mtime_ns))
    return (tuple(entries), tuple(sys.meta_path))


_kept: tuple[Fingerprint, tuple[FoundEntryPoint, ...]] | None = None


def installed_entry_points() -> tuple[FoundEntryPoint, ...]:
    """The ``civicrecord`` entry points installed now, in name order.

    Sorted, because discovery follows the order of directory listings, which
    differs between machines: formats are listed and rendered in the same
    order everywhere.
    """
    global _kept
    fingerprint = environment_fingerprint()  # before reading: a change during it shows next time
    kept = _kept
    if fingerprint is not None and kept is not None and kept[0] == fingerprint:
        return kept[1]
    if fingerprint is None:
        _forget_listings()
    found = _read_entry_points()
    if fingerprint is not None:
        _kept = (fingerprint, found)
    return found


def _forget_listings() -> None:
    """Make the import system list the folders on ``sys.path`` again.

    It keeps each folder's listing until the folder's time changes, so a
    coarse clock hides an install from it too. Python 3.11 does not clear
    importlib.metadata's listings in :func:`importlib.invalidate_caches`.
    """
    from importlib import metadata

    importlib.invalidate_caches()
    metadata.MetadataPathFinder().invalidate_caches()  # 3.11 lacks @classmethod here


def _read_entry_points() -> tuple[FoundEntryPoint, ...]:
    from importlib import metadata

    found = []
    for entry_point in sorted(metadata.entry_points(group=PROJECT_NAME),
                              key=lambda ep: (ep.name, ep.value)):
        dist = entry_point.dist
        if dist is None:
            found.append(FoundEntryPoint(entry_point, None, None))
            continue
        meta = dist.metadata  # parsed once for both fields
        found.append(FoundEntryPoint(entry_point, meta["Name"], meta["Version"]))
    return tuple(found)
