"""A reproducible ZIP file written in one pass, from parts compressed once.

A .docx is a ZIP. :mod:`zipfile` stamps entries with the current time and
compresses every part each time; this writer dates every entry with the
document's own date, so equal documents are equal bytes, and takes parts
already compressed, so the parts of a reference document that a render does
not change (styles, theme, numbering: most of the file) are compressed once
per process rather than once per render. Entries are written in the order
given; Word expects ``[Content_Types].xml`` first.
"""

from __future__ import annotations

import datetime
import struct
import zlib
from collections.abc import Iterable

from attrs import frozen

__all__ = ["Entry", "deflated", "zip_bytes"]

_LIMIT = 0xFFFFFFFF  # beyond this an entry needs ZIP64, which a report never does
_VERSION = 20  # 2.0: deflate; made by MS-DOS (0), as Word writes its own files
_DEFLATE = 8
# Read/write for the owner, as zipfile.writestr marks its entries (and as earlier releases did).
_ATTRIBUTES = 0o600 << 16


@frozen
class Entry:
    """One file of the ZIP: its name, its data deflated, and what a reader checks."""

    name: str
    compressed: bytes
    size: int
    crc: int


def deflated(name: str, data: bytes | Iterable[bytes], level: int = 6) -> Entry:
    """``data`` compressed as a ZIP entry (raw deflate, as :mod:`zipfile` writes it).

    ``data`` may come in chunks, so a long body is never copied into one string.
    """
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    if isinstance(data, bytes):
        data = (data,)
    compressed: list[bytes] = []
    size = crc = 0
    for chunk in data:
        compressed.append(compressor.compress(chunk))
        size += len(chunk)
        crc = zlib.crc32(chunk, crc)
    compressed.append(compressor.flush())
    return Entry(name, b"".join(compressed), size, crc)


def _dos_date(when: datetime.date) -> int:
    year = min(max(when.year, 1980), 2107)  # what a ZIP date can hold
    return (year - 1980) << 9 | when.month << 5 | when.day


def zip_bytes(entries: Iterable[Entry], when: datetime.date) -> bytes:
    """The ZIP file holding ``entries`` in this order, every one dated ``when`` at midnight."""
    date = _dos_date(when)
    chunks: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    count = 0
    for entry in entries:
        name = entry.name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800  # bit 11: the name is UTF-8
        if max(len(entry.compressed), entry.size, offset) > _LIMIT:
            raise ValueError(f"{entry.name} is too large for a ZIP file without ZIP64")
        fields = (_VERSION, flags, _DEFLATE, 0, date, entry.crc, len(entry.compressed),
                  entry.size, len(name))
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + name
        directory.append(struct.pack("<IH", 0x02014B50, _VERSION)
                         + struct.pack("<HHHHHIIIHHHHHII", *fields, 0, 0, 0, 0, _ATTRIBUTES, offset)
                         + name)
        chunks += (header, entry.compressed)
        offset += len(header) + len(entry.compressed)
        count += 1
    central = b"".join(directory)
    if count > 0xFFFF or offset > _LIMIT:
        raise ValueError("too many or too large entries for a ZIP file without ZIP64")
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), offset, 0)
    return b"".join((*chunks, central, end))
