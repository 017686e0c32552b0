"""Reading a Decidim Accountability export: JSON or CSV, each result with its line.

What Decidim writes (its ``ResultSerializer``, then its JSON or CSV exporter):

- **JSON**: a list of objects, one per result. ``title``, ``description``
  and ``status.name`` map locales to text (``{"fr": "...", "en": "..."}``,
  sometimes with ``"machine_translations": {"ca": "..."}`` inside);
  ``parent`` is ``{"id": ...}``; the theme is ``category`` (``id``, ``name``
  map) before Decidim 0.28 and ``taxonomies`` (``id`` list, ``name`` list of
  maps) since; ``scope`` (``id``, ``name`` map) in versions that have scopes.
  ``progress`` may be a number or, from a decimal column, a string.
- **CSV**: the same fields flattened into columns named by their path, joined
  with ``/`` (``title/fr``, ``status/key``, ``category/name/fr``,
  ``parent/id``); lists joined with ``", "``; a cell starting with ``=``,
  ``+``, ``-`` or ``@`` gets a leading ``'`` (Decidim's guard against
  spreadsheet formulas: ``'-1.55`` is the longitude -1.55). The separator is
  ``,`` or ``;`` (``Decidim.default_csv_col_sep``), found from the header.

Both become :class:`Result` records holding the line each result starts on,
so every problem can say where to look.
"""

from __future__ import annotations

import csv
import io
import json
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from attrs import evolve, field, frozen

from civicrecord.importer import SourceError
from civicrecord.problems import Location, Problem, Severity

__all__ = [
    "MAX_SOURCE_BYTES",
    "Category",
    "Result",
    "Translations",
    "looks_like_export",
    "read_export",
]

#: Largest export read, in bytes: far above a city's results, far below a machine's memory.
MAX_SOURCE_BYTES = 64 * 1024 * 1024
#: What the start of a file is read for, to recognise an export cheaply.
_SNIFF_BYTES = 256 * 1024
#: Keys every version of the results serializer writes.
_REQUIRED = ("id", "title", "status", "progress", "start_date", "end_date")
_FORMULA_GUARD = ("'=", "'+", "'-", "'@")
_ZIP_MAGIC = b"PK\x03\x04"


@frozen
class Translations:
    """A text in several languages, as Decidim stores it."""

    texts: dict[str, str] = field(factory=dict)
    machine: dict[str, str] = field(factory=dict)
    """Machine translations, used only where no person wrote the language."""

    def locales(self) -> set[str]:
        return {locale for locale, text in self.texts.items() if text.strip()}


@frozen
class Category:
    """A result's theme: a category, or a taxonomy in recent Decidim versions."""

    id: str
    name: Translations


@frozen
class Result:
    """One result of the export, as read; nothing is checked or mapped yet."""

    index: int
    """Its position in the export, from 0."""
    line: int
    """The line of the source file it starts on."""
    id: str
    parent_id: str | None
    title: Translations
    description: Translations
    start_date: str | None
    end_date: str | None
    status_key: str | None
    status_name: Translations
    progress: Any
    category: Category | None
    scope: Category | None
    address: str | None
    latitude: Any
    longitude: Any
    url: str | None
    reference: str | None
    proposal_urls: tuple[str, ...]
    created_at: str | None
    key_lines: dict[str, int] = field(factory=dict, eq=False)
    """The line of each field in a JSON export (``status.key`` -> 104), to point at it."""

    def line_of(self, path: str) -> int:
        """The line of a field (``status.key``), else of its parent, else of the result."""
        while path:
            if path in self.key_lines:
                return self.key_lines[path]
            path = path.rpartition(".")[0]
        return self.line


def _problem(source: str, line: int | None, message: str, hint: str | None = None,
             column: int | None = None, path: str = "") -> Problem:
    return Problem(Severity.ERROR, path, message, hint, Location(str(source), line, column))


def _read_bytes(source: Path, limit: int) -> bytes:
    """The file's bytes; a SourceError for anything but a regular file within the limit."""
    name = str(source)
    try:
        info = source.stat()
        if stat.S_ISDIR(info.st_mode):
            raise SourceError([_problem(name, None, "a Decidim export is one file, not a "
                                        "folder", "name the .json or .csv file Decidim sent")])
        if not stat.S_ISREG(info.st_mode):
            raise SourceError([_problem(name, None, "not a regular file",
                                        "name the .json or .csv file Decidim sent")])
        if info.st_size > limit:
            raise SourceError([_problem(name, None, f"file is {info.st_size} bytes, over "
                                        f"the limit of {limit} (MAX_SOURCE_BYTES)",
                                        "export fewer results at once")])
        with source.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as error:
        raise SourceError([_problem(name, None, f"cannot read the file: "
                                    f"{error.strerror}")]) from None
    if len(raw) > limit:  # it grew since it was measured
        raise SourceError([_problem(name, None, f"file is over the limit of {limit} bytes "
                                    "(MAX_SOURCE_BYTES)", "export fewer results at once")])
    return raw


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SourceError([_problem(source, line, "the file is not UTF-8 text",
                                    "export it again from Decidim, or save it as UTF-8")]
                          ) from None


def looks_like_export(source: Path) -> bool:
    """True if the file starts like a Decidim Accountability export; cheap, never raises."""
    try:
        if not source.is_file():
            return False
        with source.open("rb") as handle:
            raw = handle.read(_SNIFF_BYTES)
        if raw.startswith(_ZIP_MAGIC):
            with zipfile.ZipFile(source) as archive:
                [member] = _data_members(archive)
                with archive.open(member) as handle:
                    raw = handle.read(_SNIFF_BYTES)
    except (OSError, ValueError, zipfile.BadZipFile, RuntimeError, NotImplementedError):
        return False  # ValueError: no data file or several in the archive
    head = raw.decode("utf-8-sig", errors="replace")
    stripped = head.lstrip()
    if stripped.startswith("["):
        decoder = json.JSONDecoder()
        try:
            start = stripped.index("{")
            first, _ = decoder.raw_decode(stripped, start)
        except ValueError:
            # The first result is longer than the part read: its keys must still be there.
            return all(f'"{key}"' in head for key in _REQUIRED)
        return isinstance(first, dict) and all(key in first for key in _REQUIRED)
    header = stripped.split("\n", 1)[0]
    return _csv_separator(header) is not None


def read_export(source: Path) -> tuple[str, list[Result]]:
    """The export's name for messages and every result in it, or a SourceError saying
    where it is broken.

    ``source`` is the ``.json`` or ``.csv`` file, or the ``.zip`` Decidim mails
    it in; a file in an archive is named ``export.zip[results.csv]``.
    """
    raw = _read_bytes(source, MAX_SOURCE_BYTES)
    name, suffix = str(source), source.suffix.lower()
    if raw.startswith(_ZIP_MAGIC):
        name, suffix, raw = _unzip(source, raw)
    text = _decode(raw, name)
    if text.lstrip().startswith(("[", "{")) or suffix == ".json":
        return name, list(_json_results(text, name))
    return name, list(_csv_results(text, name))


def _data_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The .json and .csv files of an archive (Decidim mails one)."""
    found = [member for member in archive.infolist()
             if not member.is_dir() and member.filename.lower().endswith((".json", ".csv"))
             and not member.filename.startswith("__MACOSX/")]
    if len(found) != 1:
        raise ValueError(f"{len(found)} .json or .csv files")
    return found


def _unzip(source: Path, raw: bytes) -> tuple[str, str, bytes]:
    """The data file in the archive Decidim mails an export in: its name, type and bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = [m.filename for m in archive.infolist() if not m.is_dir()]
            try:
                [member] = _data_members(archive)
            except ValueError:
                raise SourceError([_problem(
                    str(source), None, "the archive should hold one .json or .csv file; it "
                    f"holds: {', '.join(names[:10]) or 'nothing'}",
                    "unzip it and import the results file")]) from None
            name = f"{source}[{member.filename}]"
            if member.file_size > MAX_SOURCE_BYTES:
                raise SourceError([_problem(name, None, f"file is {member.file_size} bytes, "
                                            f"over the limit of {MAX_SOURCE_BYTES} "
                                            "(MAX_SOURCE_BYTES)",
                                            "export fewer results at once")])
            with archive.open(member) as handle:
                data = handle.read(MAX_SOURCE_BYTES + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as error:
        # RuntimeError: a password; NotImplementedError: a compression zipfile lacks.
        raise SourceError([_problem(str(source), None, f"cannot read the archive: {error}",
                                    "unzip it and import the results file")]) from None
    if len(data) > MAX_SOURCE_BYTES:  # its header said less than it holds
        raise SourceError([_problem(name, None, f"file is over the limit of "
                                    f"{MAX_SOURCE_BYTES} bytes (MAX_SOURCE_BYTES)")])
    return name, Path(member.filename).suffix.lower(), data


# --- JSON ---------------------------------------------------------------------------------


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are all different: with a key twice, which value counts is
    up to the reader, and Decidim writes each key once."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise ValueError(f"the key {key!r} appears twice in one object")
        seen.add(key)
    return dict(pairs)


#: Nesting deeper than Python's parser can follow; Decidim's exports nest a few levels.
_TOO_DEEP = "the JSON is nested too deeply to be a Decidim export"


def _json_results(text: str, source: str) -> Iterator[Result]:
    """Results one by one, so each one's line is known; a syntax error names its line."""
    decoder = json.JSONDecoder(parse_constant=_refuse_constant,
                               object_pairs_hook=_refuse_duplicate_keys)
    position = len(text) - len(text.lstrip())
    if not text.startswith("[", position):
        try:
            data = decoder.decode(text)
        except json.JSONDecodeError as error:
            raise SourceError([_problem(source, error.lineno, f"broken JSON: {error.msg}",
                                        "export the file again from Decidim",
                                        error.colno)]) from None
        except ValueError as error:
            raise SourceError([_problem(source, None, f"broken JSON: {_said(error)}")]) from None
        except RecursionError:
            raise SourceError([_problem(source, None, _TOO_DEEP)]) from None
        kind = "an object" if isinstance(data, dict) else type(data).__name__
        raise SourceError([_problem(source, 1, f"not a Decidim Accountability export: "
                                    f"the file holds {kind}, not a list of results",
                                    "export the results of an Accountability component "
                                    "as JSON")])
    position += 1
    index = 0
    while True:
        position = _skip_space(text, position)
        if text.startswith("]", position):
            break
        if index:
            if not text.startswith(",", position):
                raise _json_error(text, position, source, "expected ',' or ']' after a result")
            position = _skip_space(text, position + 1)
        start = position
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise SourceError([_problem(source, error.lineno, f"broken JSON: {error.msg}",
                                        "export the file again from Decidim",
                                        error.colno)]) from None
        except ValueError as error:
            line, column = _line_col(text, start)
            raise SourceError([_problem(source, line, f"broken JSON in the result starting "
                                        f"here: {_said(error)}", "export the file again from "
                                        "Decidim", column)]) from None
        except RecursionError:
            line, column = _line_col(text, start)
            raise SourceError([_problem(source, line, _TOO_DEEP, column=column)]) from None
        line, _ = _line_col(text, start)
        if not isinstance(value, dict):
            raise SourceError([_problem(source, line, "not a Decidim Accountability export: "
                                        "expected a result (an object with id, title, "
                                        "status...) in the list", path=f"[{index}]")])
        result = _result_from_mapping(value, index, line, source, f"[{index}].", ".")
        yield evolve(result, key_lines=_key_lines(text, start, position, line))
        index += 1
    if _skip_space(text, position + 1) != len(text):
        raise _json_error(text, _skip_space(text, position + 1), source,
                          "extra data after the list of results")


def _key_lines(text: str, start: int, end: int, line: int) -> dict[str, int]:
    """The line of every key in the JSON object ``text[start:end]``, by dotted path.

    The object has just been parsed, so it is valid JSON: a walk that follows
    strings and brackets is enough to know which string is a key, and where.
    """
    lines: dict[str, int] = {}
    keys: list[str | None] = []  # per open container: its current key (None in a list)
    position = start
    while position < end:
        char = text[position]
        if char == "\n":
            line += 1
        elif char in "{[":
            keys.append("" if char == "{" else None)
        elif char in "}]":
            keys.pop()
        elif char == '"':
            close = position + 1
            while text[close] != '"':
                close += 2 if text[close] == "\\" else 1
            after = _skip_space(text, close + 1)
            if keys and keys[-1] is not None and text.startswith(":", after):
                keys[-1] = json.loads(text[position:close + 1])
                path = ".".join(key for key in keys if key)
                lines.setdefault(path, line)
            position = close
        position += 1
    return lines


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\n\r":
        position += 1
    return position


def _json_error(text: str, position: int, source: str, message: str) -> SourceError:
    if position >= len(text):
        message = "the file ends before the list of results is closed"
    line, column = _line_col(text, position)
    return SourceError([_problem(source, line, f"broken JSON: {message}",
                                 "export the file again from Decidim", column)])


# --- From plain data (a JSON object, or a CSV row made nested) -------------------------------


def _result_from_mapping(data: dict[str, Any], index: int, line: int, source: str,
                         prefix: str, sep: str) -> Result:
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        shown = ", ".join(sorted(data)[:12]) or "none"
        raise SourceError([_problem(
            source, line, "not a Decidim Accountability export: this result has no "
            + ", ".join(missing) + f" (its keys: {shown})",
            "export the results of an Accountability component from Decidim's admin",
            path=prefix.rstrip(".") or f"[{index}]")])

    def where(key: str) -> str:
        return f"{prefix}{key.replace('.', sep)}"

    def mapping(key: str) -> dict[str, Any]:
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise _shape(source, line, where(key), "a mapping", value)
        return value

    def text(value: Any, key: str) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise _shape(source, line, where(key), "a text", value)
        return str(value)

    status = mapping("status")
    parent = mapping("parent")
    category = _category(data, source, line, where)
    scope_data = mapping("scope")
    scope = None
    if scope_data.get("id") is not None:
        scope = Category(str(scope_data["id"]),
                         _translations(scope_data.get("name"), source, line, where("scope.name")))
    urls = data.get("proposal_urls") or []
    if isinstance(urls, str):
        urls = [part.strip() for part in urls.split(",")]
    if not isinstance(urls, list):
        raise _shape(source, line, where("proposal_urls"), "a list", urls)
    ident = text(data.get("id"), "id")
    if ident is None:
        raise SourceError([_problem(source, line, "a result without an id",
                                    "export the file again from Decidim", path=where("id"))])
    return Result(
        index=index,
        line=line,
        id=ident,
        parent_id=text(parent.get("id"), "parent.id"),
        title=_translations(data.get("title"), source, line, where("title")),
        description=_translations(data.get("description"), source, line,
                                  where("description")),
        start_date=text(data.get("start_date"), "start_date"),
        end_date=text(data.get("end_date"), "end_date"),
        status_key=text(status.get("key"), "status.key"),
        status_name=_translations(status.get("name"), source, line, where("status.name")),
        progress=data.get("progress"),
        category=category,
        scope=scope,
        address=text(data.get("address"), "address"),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        url=text(data.get("url"), "url"),
        reference=text(data.get("reference"), "reference"),
        proposal_urls=tuple(str(url) for url in urls if url),
        created_at=text(data.get("created_at"), "created_at"),
    )


def _category(data: dict[str, Any], source: str, line: int, where: Any) -> Category | None:
    taxonomies = data.get("taxonomies")
    if isinstance(taxonomies, dict) and taxonomies.get("id"):
        ids, names = taxonomies.get("id"), taxonomies.get("name") or []
        if isinstance(ids, str):  # a CSV cell: "12, 13" and Ruby's text of each name
            ids = [part.strip() for part in ids.split(",") if part.strip()]
            names = _ruby_hashes(names) if isinstance(names, str) else []
        if not isinstance(ids, list) or not isinstance(names, list):
            raise _shape(source, line, where("taxonomies"), "ids and names", taxonomies)
        if ids:
            name = names[0] if names else None
            return Category(str(ids[0]), _translations(name, source, line,
                                                       where("taxonomies.name")))
    category = data.get("category")
    if isinstance(category, dict) and category.get("id") not in (None, ""):
        return Category(str(category["id"]),
                        _translations(category.get("name"), source, line,
                                      where("category.name")))
    return None


def _translations(value: Any, source: str, line: int, where: str) -> Translations:
    if value is None or value == "":
        return Translations()
    if isinstance(value, str):  # a field that is not translated
        return Translations({"": value})
    if not isinstance(value, dict):
        raise _shape(source, line, where, "texts by language", value)
    texts: dict[str, str] = {}
    machine: dict[str, str] = {}
    for locale, text in value.items():
        if locale == "machine_translations" and isinstance(text, dict):
            machine = {str(k): v for k, v in text.items() if isinstance(v, str)}
        elif isinstance(text, str):
            texts[str(locale)] = text
        elif text is not None:
            raise _shape(source, line, f"{where}.{locale}", "a text", text)
    return Translations(texts, machine)


def _shape(source: str, line: int, where: str, expected: str, value: Any) -> SourceError:
    shown = json.dumps(value, ensure_ascii=False)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return SourceError([_problem(source, line, f"expected {expected}, found {shown}",
                                 "export the file again from Decidim", path=where)])


# --- CSV ----------------------------------------------------------------------------------


def _csv_separator(header: str) -> str | None:
    """``,`` or ``;``: the one that splits the header into an export's columns."""
    for separator in (",", ";"):
        try:
            columns = next(csv.reader([header], delimiter=separator))
        except (csv.Error, StopIteration):
            continue
        if _is_export_header(columns):
            return separator
    return None


def _is_export_header(columns: list[str]) -> bool:
    names = {column.strip() for column in columns}
    tops = {name.split("/", 1)[0] for name in names}
    return "id" in names and all(key in tops for key in _REQUIRED)


def _csv_results(text: str, source: str) -> Iterator[Result]:
    header_line = text.split("\n", 1)[0].rstrip("\r")
    separator = _csv_separator(header_line)
    if separator is None:
        columns = max((next(csv.reader([header_line], delimiter=sep), []) for sep in ",;"),
                      key=len)
        shown = ", ".join(columns[:10]) + (", ..." if len(columns) > 10 else "")
        tops = {c.split("/", 1)[0].strip() for c in columns}
        missing = ", ".join(key for key in _REQUIRED if key not in tops)
        raise SourceError([_problem(
            source, 1, f"not a Decidim Accountability export: the header has no {missing} "
            f"column (found: {shown or 'nothing'})",
            "export the results of an Accountability component from Decidim's admin, as CSV",
            column=1, path="header")])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    try:
        header = [column.strip() for column in next(reader)]
        twice = next((column for number, column in enumerate(header)
                      if column in header[:number]), None)
        if twice is not None:
            # As with a JSON key written twice, which cell counts would be a guess.
            raise SourceError([_problem(
                source, 1, f"the header names the column {twice!r} twice",
                "export the file again from Decidim; a spreadsheet may have renamed a column",
                column=header.index(twice, header.index(twice) + 1) + 1, path="header")])
        row_start = reader.line_num + 1
        for index, row in enumerate(reader):
            line = row_start
            row_start = reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise SourceError([_problem(
                    source, line, f"this row has {len(row)} cells, the header {len(header)}",
                    "export the file again from Decidim; a spreadsheet may have split a cell",
                    column=1, path=f"[{index}]")])
            nested = _nest(header, (_unguard(cell) for cell in row))
            yield _result_from_mapping(nested, index, line, source, "", "/")
    except csv.Error as error:
        raise SourceError([_problem(source, reader.line_num, f"broken CSV: {_said(error)}",
                                    "export the file again from Decidim")]) from None


def _said(error: Exception) -> str:
    """The standard library's words for two limits, in a Decidim user's words."""
    if "integer string conversion" in str(error):
        return "a number has more digits than can be read"
    if "field larger than field limit" in str(error):
        return f"a cell is longer than {csv.field_size_limit():,} characters"
    return str(error)


def _unguard(cell: str) -> str | None:
    """The value Decidim wrote: its formula guard removed; an empty cell is no value."""
    if cell.startswith(_FORMULA_GUARD):
        return cell[1:]
    return cell if cell != "" else None


def _nest(header: list[str], cells: Iterator[str | None]) -> dict[str, Any]:
    """``{"title/fr": "x"}`` -> ``{"title": {"fr": "x"}}``, as the JSON export has it."""
    nested: dict[str, Any] = {}
    for column, cell in zip(header, cells, strict=True):
        *parents, last = column.split("/")
        target = nested
        for parent in parents:
            child = target.get(parent)
            if not isinstance(child, dict):
                child = target[parent] = {}
            target = child
        if not isinstance(target.get(last), dict):
            target[last] = cell
    return nested


def _ruby_hashes(text: str) -> list[dict[str, str]]:
    """Names of taxonomies in a CSV cell: Ruby's text of each, ``{"fr"=>"Urbanisme"}``.

    Decidim joins a list of hashes with ``", "`` and Ruby writes each hash as
    its inspection (``{"fr" => "x"}`` since Ruby 3.4). Anything else gives no
    names, and the taxonomy is then named by its id.
    """
    hashes: list[dict[str, str]] = []
    position = 0
    while True:
        position = _skip_space(text, position)
        if position >= len(text):
            return hashes
        if text[position] == ",":
            position += 1
            continue
        if text[position] != "{":
            return hashes
        current: dict[str, str] = {}
        position += 1
        while True:
            position = _skip_space(text, position)
            if text.startswith("}", position):
                position += 1
                break
            key, position = _ruby_string(text, position)
            position = _skip_space(text, position)
            if not text.startswith("=>", position):
                return hashes
            value, position = _ruby_string(text, _skip_space(text, position + 2))
            if key is None or value is None:
                return hashes
            current[key] = value
            position = _skip_space(text, position)
            if text.startswith(",", position):
                position += 1
        hashes.append(current)


_RUBY_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "e": "\x1b", "s": " ", "0": "\0",
                 '"': '"', "\\": "\\", "#": "#", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _ruby_string(text: str, position: int) -> tuple[str | None, int]:
    """A double-quoted Ruby string literal at ``position``, as ``inspect`` writes it."""
    if not text.startswith('"', position):
        return None, position
    chars: list[str] = []
    position += 1
    while position < len(text):
        char = text[position]
        if char == '"':
            return "".join(chars), position + 1
        if char == "\\" and position + 1 < len(text):
            code = text[position + 1]
            if code == "u" and text.startswith("{", position + 2):
                end = text.find("}", position)
                try:
                    chars += [chr(int(part, 16)) for part in text[position + 3:end].split()]
                except ValueError:
                    return None, position
                position = end + 1
                continue
            if code in "ux":
                width = 4 if code == "u" else 2
                digits = text[position + 2:position + 2 + width]
                try:
                    chars.append(chr(int(digits, 16)))
                except ValueError:
                    return None, position
                position += 2 + width
                continue
            chars.append(_RUBY_ESCAPES.get(code, code))
            position += 2
            continue
        chars.append(char)
        position += 1
    return None, position
