"""Files -> plain data (dicts, lists, scalars) plus where each value sits in its file.

People edit these files by hand, so reading them is defensive: regular files only,
a size limit, UTF-8 only (a BOM is fine), then one reader per format. Every failure
is a :class:`SourceError` with a file, line and column.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from civicrecord.loading.document import MAX_DEPTH, MAX_VALUES, Document, SourceError, problem
from civicrecord.loading.json_toml import parse_json, parse_toml
from civicrecord.loading.yaml_reader import parse_yaml

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "MAX_VALUES", "Document", "SourceError", "decode",
           "parse_text", "read_document"]

#: Largest data file read, in bytes. A report is a few tens of kilobytes (the worked
#: example is 30 KB); reading costs up to ~300 bytes of memory per byte of YAML.
MAX_FILE_BYTES = 1024 * 1024

_PARSERS = {"yaml": parse_yaml, "toml": parse_toml, "json": parse_json}
_UTF8_HINT = "save it as UTF-8 (in most editors: Save as... > Encoding > UTF-8)"


def read_document(path: Path, display_name: str | None = None) -> Document:
    """Read one YAML, TOML or JSON file by its extension."""
    name, suffix = display_name or str(path), path.suffix.lower()
    fmt = {".yml": "yaml", ".yaml": "yaml", ".toml": "toml", ".json": "json"}.get(suffix)
    if fmt is None:
        raise SourceError([problem(name, None, None, f"unsupported file type "
                                   f"{suffix or '(none)'!r}", "use a .yaml, .yml, .toml or "
                                   ".json file")])
    raw = read_bytes(path, name)
    document = parse_text(decode(raw, name), name, fmt)
    document.size = len(raw)
    return document


def read_bytes(path: Path, name: str) -> bytes:
    """A regular file's bytes, up to ``MAX_FILE_BYTES``: opened without following a link
    or waiting (on a named pipe), then checked, so the file read is the file checked."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            info = os.fstat(fd)
            raw = os.read(fd, MAX_FILE_BYTES + 1) if stat.S_ISREG(info.st_mode) else None
        finally:
            os.close(fd)
    except (FileNotFoundError, NotADirectoryError):
        what = "missing"
    except OSError as error:
        if error.errno != errno.ELOOP:
            raise SourceError([problem(name, None, None,
                                       f"cannot read the file: {error.strerror or error}",
                                       "check the path and its permissions")]) from None
        what = "a symbolic link"
    else:
        if raw is not None and len(raw) <= MAX_FILE_BYTES:
            return raw
        if raw is not None:
            raise SourceError([problem(
                name, None, None, f"file is {max(info.st_size, len(raw))} bytes, over the "
                f"limit of {MAX_FILE_BYTES} bytes (MAX_FILE_BYTES)",
                "split the report into one file per axis, or remove pasted binary data")])
        what = "not a regular file"
    raise SourceError([problem(name, None, None, f"cannot read the file: it is {what}",
                               "data files must be regular files inside the report folder")])


def decode(raw: bytes, name: str) -> str:
    """UTF-8, with or without a BOM; any other encoding is refused with a hint."""
    raw, head = raw.removeprefix(b"\xef\xbb\xbf"), raw[:200]
    for utf16, words in [(raw.startswith((b"\xff\xfe", b"\xfe\xff")), "is encoded in UTF-16"),
                         (head.count(0) * 4 >= len(head) > 0, "looks encoded in UTF-16 "
                          "(without a BOM)")]:  # UTF-16 text is a NUL every other byte
        if utf16:
            raise SourceError([problem(name, 1, 1, f"file {words}, not UTF-8", _UTF8_HINT)])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8")) + 1  # characters
        raise SourceError([problem(name, line, column, f"file is not valid UTF-8 (byte "
                                   f"0x{raw[error.start]:02x})", _UTF8_HINT)]) from None


def parse_text(text: str, name: str, fmt: str) -> Document:
    """Parse text already decoded; ``fmt`` is ``yaml``, ``toml`` or ``json``."""
    if not text.strip():
        raise SourceError([problem(name, 1, 1, "file is empty",
                                   "a report file must hold a mapping of fields")])
    return _PARSERS[fmt](text, name)
