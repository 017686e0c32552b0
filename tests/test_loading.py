"""Loaders: a folder or one YAML, TOML or JSON file becomes the same report, and every
value can be found again in its file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import civicrecord
from civicrecord.convert import to_plain
from civicrecord.loading import load_report, parse_text, read_document
from civicrecord.loading.source import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES, SourceError, decode
from civicrecord.model import PartialDate, Report
from strategies import reports

HOSTILE = Path(__file__).parent / "hostile"
BASE_FILE = HOSTILE / "base.yaml"
BASE = BASE_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def base_report() -> Report:
    return civicrecord.load(BASE_FILE)


@pytest.fixture(params=["libyaml", "pure-python"])
def yaml_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both YAML parsers: libyaml when installed, PyYAML's own otherwise."""
    if request.param == "pure-python":
        monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    elif getattr(yaml, "CSafeLoader", None) is None:
        pytest.skip("PyYAML was built without libyaml")
    return str(request.param)


def to_toml(data: dict[str, Any]) -> str:
    """Plain data as TOML: one ``key = value`` line per top-level key, inline below.

    TOML has no null: a None (an optional field left out) is omitted.
    """

    def value(item: Any) -> str:
        if isinstance(item, dict):
            return "{ " + ", ".join(f"{json.dumps(k)} = {value(v)}" for k, v in item.items()
                                    if v is not None) + " }"
        if isinstance(item, list):
            return "[ " + ", ".join(value(v) for v in item) + " ]"
        if isinstance(item, bool):
            return "true" if item else "false"
        if isinstance(item, int | float):
            return repr(item)
        return json.dumps(item)

    return "".join(f"{json.dumps(key)} = {value(item)}\n" for key, item in data.items()
                   if item is not None)


def _errors(path: Path | str) -> list[str]:
    return [str(p) for p in civicrecord.validate(path) if p.is_error]


# --- One report, any form -----------------------------------------------------------------


def test_the_worked_example_loads_from_its_folder(example_dir: Path) -> None:
    report = civicrecord.load(example_dir)
    listed = yaml.safe_load((example_dir / "report.yaml").read_text(encoding="utf-8"))["axes"]
    assert [axis.id for axis in report.axes] == listed
    assert civicrecord.validate(example_dir) == []


def test_a_report_is_the_same_from_yaml_json_and_toml(tmp_path: Path,
                                                      base_report: Report) -> None:
    plain = to_plain(base_report)
    (tmp_path / "r.json").write_text(json.dumps(plain, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "r.toml").write_text(to_toml(plain), encoding="utf-8")
    (tmp_path / "r.yml").write_text(yaml.safe_dump(plain, allow_unicode=True), encoding="utf-8")
    for name in ("r.json", "r.toml", "r.yml"):
        assert civicrecord.load(tmp_path / name) == base_report, name


def test_a_folder_is_the_same_report_as_one_file(tmp_path: Path, base_report: Report) -> None:
    main, axes = BASE.split("axes:\n")
    (tmp_path / "axes").mkdir()
    (tmp_path / "report.yaml").write_text(main + "axes:\n  - axis-a\n", encoding="utf-8")
    axis = "\n".join(line[4:] for line in axes.splitlines()) + "\n"
    (tmp_path / "axes" / "axis-a.yaml").write_text(axis, encoding="utf-8")
    assert civicrecord.load(tmp_path) == base_report


def test_axis_files_may_be_json_or_toml_and_omit_their_id(tmp_path: Path,
                                                          base_report: Report) -> None:
    plain = to_plain(base_report)
    axis = plain.pop("axes")[0]
    del axis["id"]
    second = dict(axis, actions=[dict(axis["actions"][0], id="action-b", indicators=[])])
    (tmp_path / "axes").mkdir()
    (tmp_path / "axes" / "axis-a.json").write_text(json.dumps(axis), encoding="utf-8")
    (tmp_path / "axes" / "axis-b.toml").write_text(to_toml(second), encoding="utf-8")
    (tmp_path / "report.json").write_text(json.dumps({**plain, "axes": ["axis-a", "axis-b"]}),
                                          encoding="utf-8")
    report = civicrecord.load(tmp_path)
    assert [axis.id for axis in report.axes] == ["axis-a", "axis-b"]
    assert report.axes[0] == base_report.axes[0]


def test_inline_axes_and_axis_files_mix(tmp_path: Path, base_report: Report) -> None:
    main, axes = BASE.split("axes:\n")
    second = axes.replace("axis-a", "axis-b").replace("action-a", "action-b").replace(
        "people-supported", "people-b")
    (tmp_path / "axes").mkdir()
    (tmp_path / "axes" / "axis-b.yaml").write_text(
        "\n".join(line[4:] for line in second.splitlines()) + "\n", encoding="utf-8")
    (tmp_path / "report.yaml").write_text(main + "axes:\n" + axes + "  - axis-b\n",
                                          encoding="utf-8")
    report = civicrecord.load(tmp_path)
    assert [axis.id for axis in report.axes] == ["axis-a", "axis-b"]
    assert report.axes[0] == base_report.axes[0]


def test_an_axis_id_in_a_single_file_says_the_file_holds_its_axes_in_full(
        tmp_path: Path, base_report: Report) -> None:
    plain = to_plain(base_report)
    text = to_toml({**plain, "axes": [plain["axes"][0], "streets"]})
    (tmp_path / "plan.toml").write_text(text, encoding="utf-8")
    line = [n for n, row in enumerate(text.splitlines(), 1) if row.startswith('"axes"')]
    [problem] = _errors(tmp_path / "plan.toml")
    assert problem.startswith(f"{tmp_path / 'plan.toml'}:{line[0]}:")
    assert problem.endswith(
        "error: axes[1]: axis 'streets' is only an id: a report in one file holds its axes "
        "written out in full (write the axis's fields here, or make the report a folder: "
        "plan.toml as report.toml, this axis in axes/streets.toml)")


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_problem_found_reading_an_axis_file_names_the_field_from_the_report(
        tmp_path: Path, base_report: Report, suffix: str) -> None:
    """An axis file's duplicate key is at axes[1]..., as every other problem in it is."""
    plain = to_plain(base_report)
    axis = dict(plain.pop("axes")[0], id="axis-b")
    (tmp_path / "axes").mkdir()
    (tmp_path / "report.json").write_text(json.dumps({**plain, "axes": ["axis-a", "axis-b"]}),
                                          encoding="utf-8")
    (tmp_path / "axes" / "axis-a.json").write_text(json.dumps(dict(axis, id="axis-a")),
                                                   encoding="utf-8")
    text = (yaml.safe_dump(axis, sort_keys=False) if suffix == ".yaml"
            else json.dumps(axis, indent=1))
    [unit] = [line for line in text.splitlines(keepends=True) if '"person"' in line
              or "unit: person" in line]
    (tmp_path / "axes" / f"axis-b{suffix}").write_text(text.replace(unit, unit * 2),
                                                      encoding="utf-8")
    [problem] = _errors(tmp_path)
    assert ": error: axes[1].actions[0].indicators[0].unit: duplicate key 'unit'" in problem


def test_the_main_file_of_a_folder_given_alone_is_told_to_give_the_folder(
        tmp_path: Path) -> None:
    main, axes = BASE.split("axes:\n")
    (tmp_path / "axes").mkdir()
    (tmp_path / "report.yaml").write_text(main + "axes:\n  - axis-a\n", encoding="utf-8")
    (tmp_path / "axes" / "axis-a.yaml").write_text(
        "\n".join(line[4:] for line in axes.splitlines()) + "\n", encoding="utf-8")
    [problem] = _errors(tmp_path / "report.yaml")
    assert problem.endswith(f"error: axes[0]: axis 'axis-a' is only an id: a report in one "
                            f"file holds its axes written out in full (give the folder "
                            f"{tmp_path}, not its report.yaml, to read axes/)")


@pytest.mark.parametrize("name", ["report.yaml", "report.yml", "report.toml", "report.json"])
def test_a_folder_finds_its_main_file_by_any_name(tmp_path: Path, base_report: Report,
                                                  name: str) -> None:
    plain = to_plain(base_report)
    text = {".json": json.dumps(plain), ".toml": to_toml(plain)}.get(
        Path(name).suffix, yaml.safe_dump(plain))
    (tmp_path / name).write_text(text, encoding="utf-8")
    assert civicrecord.load(tmp_path) == base_report


# --- Encodings, line endings, comments, envelope ---------------------------------------------


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".toml"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["no-bom", "bom"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_utf8_with_or_without_bom_and_any_line_ending(tmp_path: Path, base_report: Report,
                                                      suffix: str, bom: bytes,
                                                      newline: str) -> None:
    plain = to_plain(base_report)
    text = {".json": json.dumps(plain, indent=1, ensure_ascii=False), ".toml": to_toml(plain),
            ".yaml": BASE}[suffix]
    path = tmp_path / f"r{suffix}"
    path.write_bytes(bom + text.replace("\n", newline).encode("utf-8"))
    assert civicrecord.load(path) == base_report


def test_crlf_keeps_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_bytes(BASE.replace("status: done", "status: dune").replace("\n", "\r\n").encode())
    assert [str(p.location) for p in civicrecord.validate(path)] == [f"{path}:37:9"]


def test_yaml_comments_are_ignored_everywhere(tmp_path: Path, base_report: Report) -> None:
    commented = "\n".join(f"{line}  # note" if line.strip() and not line.endswith(":")
                          and not line.lstrip().startswith("#") else line
                          for line in BASE.splitlines())
    path = tmp_path / "r.yaml"
    path.write_text("# heading\n" + commented + "\n# end\n", encoding="utf-8")
    assert civicrecord.load(path) == base_report


def test_schema_and_format_version_are_accepted_and_not_fields(tmp_path: Path,
                                                               base_report: Report) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("$schema: ../schema/report.schema.json\nformat_version: '1'\n" + BASE,
                    encoding="utf-8")
    assert civicrecord.load(path) == base_report


@pytest.mark.parametrize(
    ("version", "message", "hint"),
    [("'9'", "format version '9' is not supported (this civicrecord reads '1' and '2')",
      "upgrade civicrecord, or re-export the file"),
     ("1", "format_version is text, not the number 1", "write format_version: '1'"),
     ("2", "format_version is text, not the number 2", "write format_version: '2'")],
)
def test_another_format_version_is_refused(tmp_path: Path, version: str, message: str,
                                           hint: str) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(BASE + f"format_version: {version}\n", encoding="utf-8")
    assert _errors(path) == [f"{path}:66:1: error: format_version: {message} ({hint})"]


def test_decode_strips_a_bom_and_refuses_other_encodings() -> None:
    assert decode(b"\xef\xbb\xbfid: x", "f") == "id: x"
    for raw, message, where in [
        ("id: x".encode("utf-16"), "file is encoded in UTF-16, not UTF-8", "f:1:1"),
        ("id: x".encode("utf-16-be"), "file looks encoded in UTF-16 (without a BOM), not UTF-8",
         "f:1:1"),
        # Latin-1 after correct UTF-8: the column counts characters, not bytes
        ("title: é\ncity: Chambéry ".encode() + "é".encode("latin-1"),
         "file is not valid UTF-8 (byte 0xe9)", "f:2:16"),
    ]:
        with pytest.raises(SourceError) as raised:
            decode(raw, "f")
        assert [(p.message, str(p.location)) for p in raised.value.problems] == [(message, where)]


# --- Dates and YAML's own types ------------------------------------------------------------------


def test_dates_are_read_as_written_never_as_datetimes(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(BASE.replace('end: "2023-06"', "end: 2023-06-30").replace(
        'date: "2021-05-03"', "date: 2021-05"), encoding="utf-8")
    action = civicrecord.load(path).axes[0].actions[0]
    assert (action.end, action.milestones[0].date) == (PartialDate(2023, 6, 30),
                                                       PartialDate(2021, 5))


def test_toml_dates_become_partial_dates_and_datetimes_are_refused(tmp_path: Path,
                                                                   base_report: Report) -> None:
    text = to_toml(to_plain(base_report))
    assert '"end" = "2023-06"' in text
    text = text.replace('"end" = "2023-06"', '"end" = 2023-06-30')  # a TOML date literal
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    assert civicrecord.load(path).axes[0].actions[0].end == PartialDate(2023, 6, 30)
    text = text.replace("2023-06-30", "2023-06-30T10:00:00")
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "2023-06-30T10" in row)
    assert [(p.path, p.message, p.location and p.location.line)
            for p in civicrecord.validate(path)] == [
        ("axes[0].actions[0].end", "'2023-06-30T10:00:00' is a time, not a date: write YYYY, "
         "YYYY-MM or YYYY-MM-DD (e.g. 2021-05-03)", line)
    ]


def test_an_explicit_str_tag_quotes_a_number(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(BASE.replace("title: Action A", "title: !!str 2021"), encoding="utf-8")
    assert civicrecord.load(path).axes[0].actions[0].title == "2021"


def test_a_year_before_1000_is_a_year(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(BASE.replace("  start: 2020", "  start: 987"), encoding="utf-8")
    assert civicrecord.load(path).period.start == PartialDate(987)


# --- Limits ----------------------------------------------------------------------------------


def _nested(depth: int, fmt: str) -> str:
    """A document whose mappings and lists nest exactly ``depth`` deep."""
    inner = "[" * (depth - 1) + "]" * (depth - 1)
    if fmt == "json":
        return '{"x": ' + inner + "}"
    if fmt == "toml":
        return "x = " + (inner or '"leaf"') + "\n"
    return "x: " + (inner or "leaf") + "\n"


@pytest.mark.parametrize("fmt", ["yaml", "json", "toml"])
def test_nesting_up_to_max_depth_is_read_and_one_more_is_refused(fmt: str,
                                                                 yaml_backend: str) -> None:
    document = parse_text(_nested(MAX_DEPTH, fmt), "f", fmt)
    assert list(document.data) == ["x"]
    with pytest.raises(SourceError) as raised:
        parse_text(_nested(MAX_DEPTH + 1, fmt), "f", fmt)
    (problem,) = raised.value.problems
    assert problem.message == f"nesting is deeper than {MAX_DEPTH} levels (MAX_DEPTH)"
    assert problem.location is not None and problem.location.line == 1


@pytest.mark.parametrize("fmt", ["yaml", "json", "toml"])
def test_a_hundred_thousand_brackets_are_refused_without_recursion(fmt: str) -> None:
    text = _nested(100_000, fmt)
    with pytest.raises(SourceError) as raised:
        parse_text(text, "f", fmt)
    assert "(MAX_DEPTH)" in raised.value.problems[0].message


@pytest.mark.parametrize("fmt", ["yaml", "json", "toml"])
def test_max_values_are_read_and_one_more_is_refused(fmt: str) -> None:
    """The top mapping, the key ``x`` and its list count, then each item."""
    def items(count: int) -> str:
        head = {"json": '{"x": [', "toml": "x = ["}.get(fmt, "x: [")
        return head + "1, " * (count - 1) + "1]" + ("}" if fmt == "json" else "\n")

    assert len(parse_text(items(MAX_VALUES - 3), "f", fmt).data["x"]) == MAX_VALUES - 3
    one_more = items(MAX_VALUES - 2)
    with pytest.raises(SourceError) as raised:
        parse_text(one_more, "f", fmt)
    assert [str(p) for p in raised.value.problems] == [  # at the last item
        f"f:1:{one_more.rindex('1') + 1}: error: (document): more than "
        f"{MAX_VALUES} values in one file (MAX_VALUES) (split the report into one file per "
        "axis, or remove generated data)"]


def test_a_file_of_exactly_max_file_bytes_is_read_and_one_byte_more_is_not(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(BASE + "#" * (MAX_FILE_BYTES - len(BASE.encode())), encoding="utf-8")
    assert path.stat().st_size == MAX_FILE_BYTES
    assert civicrecord.validate(path) == []
    with path.open("a", encoding="utf-8") as stream:
        stream.write("#")
    assert _errors(path) == [
        f"{path}: error: (document): file is {MAX_FILE_BYTES + 1} bytes, over the limit of "
        f"{MAX_FILE_BYTES} bytes (MAX_FILE_BYTES) (split the report into one file per axis, "
        "or remove pasted binary data)"
    ]


# --- Source positions ---------------------------------------------------------------------------


def _key_paths(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key)
            yield from _key_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _key_paths(value, (*path, index))


def _text_at(text: str, line: int, column: int) -> str:
    return text.splitlines()[line - 1][column - 1:]


def test_every_key_of_a_yaml_file_is_found_at_its_line_and_column(example_dir: Path,
                                                                  yaml_backend: str) -> None:
    for path in [example_dir / "report.yaml", *sorted((example_dir / "axes").iterdir())]:
        text = path.read_text(encoding="utf-8")
        document = read_document(path)
        for key_path in _key_paths(document.data):
            location = document.source_map.locate(key_path, exact=True)
            assert location.line and location.column
            assert _text_at(text, location.line, location.column).startswith(
                f"{key_path[-1]}:"), (path.name, key_path)


@given(reports(max_axes=2))
def test_every_key_of_a_json_file_is_found_at_its_line_and_column(report: Report) -> None:
    text = civicrecord.render(report, "json").decode("utf-8")
    document = parse_text(text, "r.json", "json")
    for key_path in _key_paths(document.data):
        location = document.source_map.locate(key_path, exact=True)
        assert location.line and location.column
        assert _text_at(text, location.line, location.column).startswith(
            json.dumps(key_path[-1], ensure_ascii=False) + ":")


def test_problems_in_an_axis_file_point_into_the_axis_file(example_dir: Path,
                                                           tmp_path: Path) -> None:
    folder = tmp_path / "report"
    shutil.copytree(example_dir, folder)
    axis = folder / "axes" / "mobilites.yaml"
    lines = axis.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.strip() == "status: done")
    lines[number - 1] = lines[number - 1].replace("done", "finished")
    axis.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (problem,) = civicrecord.validate(folder)
    assert problem.location == civicrecord.Location(str(axis), number, 5)
    assert problem.path == "axes[7].actions[0].status"


def test_toml_problems_are_placed_on_the_line_of_their_key(tmp_path: Path,
                                                           base_report: Report) -> None:
    plain = to_plain(base_report)
    plain["title"] = 3
    text = to_toml(plain)
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index('"title" = 3') + 1
    assert _errors(path) == [f"{path}:{line}:2: error: title: expected text, got a number (3) "
                             "(put the value in quotes)"]


# --- Both YAML parsers agree -------------------------------------------------------------------


def test_both_yaml_parsers_give_the_same_report(example_dir: Path, example_report: Report,
                                                yaml_backend: str) -> None:
    assert civicrecord.load(example_dir) == example_report  # the fixture read it with libyaml


@pytest.mark.parametrize(
    ("text", "message", "where"),
    [("a: &x 1\nb: *x\n", "YAML aliases (*name) are not supported", "f:2:4"),
     ("a: !!python/object/apply:os.system [x]\n",
      "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed", "f:1:4"),
     ("a: 1\na: 2\n", "duplicate key 'a' (first at line 1)", "f:2:1"),
     ("a: \x01\n", None, None)],
    ids=["alias", "python-tag", "duplicate-key", "control-character"],
)
def test_both_yaml_parsers_refuse_the_same_things(yaml_backend: str, text: str,
                                                  message: str | None, where: str | None) -> None:
    if message is None:  # read, and left to validation, which names the field
        assert parse_text(text, "f", "yaml").data == {"a": "\x01"}
        return
    with pytest.raises(SourceError) as raised:
        parse_text(text, "f", "yaml")
    (problem,) = raised.value.problems
    assert (problem.message, str(problem.location)) == (message, where)


_EDITOR_TEXT = st.characters(codec="utf-8", exclude_characters="\x85\u2028\u2029")


@given(st.dictionaries(st.text(_EDITOR_TEXT, min_size=1, max_size=8),
                       st.text(_EDITOR_TEXT, max_size=12), min_size=1, max_size=4))
def test_yaml_is_read_as_pyyaml_safe_load_reads_it(data: dict[str, str]) -> None:
    """Same data as ``yaml.safe_load``, but for the line breaks editors do not count
    (tested apart)."""
    text = yaml.safe_dump(data, allow_unicode=True)
    assert parse_text(text, "f", "yaml").data == yaml.safe_load(text)


def test_load_report_gives_the_folder_for_assets(example_dir: Path) -> None:
    assert load_report(example_dir).base_dir == example_dir
    assert load_report(BASE_FILE).base_dir == BASE_FILE.parent


@pytest.mark.parametrize(
    ("written", "read_as"),
    [("010", 8), ("00", 0), ("0x1F", 31), ("0b101", 5), ("1:30", 90), ("1:30.5", 90.5)],
)
def test_yaml_11_numbers_that_change_value_are_refused(yaml_backend: str, written: str,
                                                       read_as: float) -> None:
    with pytest.raises(SourceError) as raised:
        parse_text(f"value: {written}\n", "f", "yaml")
    assert [str(p) for p in raised.value.problems] == [
        f"f:1:8: error: value: {written!r} is not written in plain decimal digits: YAML reads "
        f"it as {read_as} (write the number in decimal digits, or put it in quotes if it is "
        "text)"
    ]


@pytest.mark.parametrize(("written", "read_as"),
                         [("0", 0), ("-0", 0), ("+12", 12), ("1_000", 1000), ("06.5", 6.5),
                          ("0.5", 0.5), (".5", 0.5), ("1.0e+3", 1000.0), ("'010'", "010")])
def test_plain_decimal_numbers_read_as_written(yaml_backend: str, written: str,
                                               read_as: float | str) -> None:
    assert parse_text(f"value: {written}\n", "f", "yaml").data == {"value": read_as}


# --- One pass over the YAML, every refusal kept ------------------------------------------------


def _alias_bomb(levels: int) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_at_its_first_alias_in_no_time(yaml_backend: str) -> None:
    import time

    started = time.process_time()
    with pytest.raises(SourceError) as raised:
        parse_text(_alias_bomb(20), "f", "yaml")  # 9**20 values if expanded
    assert time.process_time() - started < 0.5
    assert [str(p.location) for p in raised.value.problems] == ["f:2:8"]


def test_an_alias_after_other_problems_is_the_one_reported(yaml_backend: str) -> None:
    text = "a: !!python/name:os.system x\nb: 1\nb: 2\nc: 010\nd: &x 1\ne: *x\n"
    with pytest.raises(SourceError) as raised:
        parse_text(text, "f", "yaml")
    assert [(p.message, str(p.location)) for p in raised.value.problems] == [
        ("YAML aliases (*name) are not supported", "f:6:4")]


def test_a_refusal_in_a_second_document_wins_over_the_second_document(yaml_backend: str) -> None:
    with pytest.raises(SourceError) as raised:
        parse_text("a: 1\n---\nb: *x\n", "f", "yaml")
    assert raised.value.problems[0].message == "YAML aliases (*name) are not supported"
    with pytest.raises(SourceError) as raised:
        parse_text("a: 1\n---\nb: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "f", "yaml")
    assert "(MAX_DEPTH)" in raised.value.problems[0].message


@pytest.mark.parametrize(
    ("text", "where"),
    [("a: &x 1\nb: &x 2\n", "f:2:4"),
     ("a: 1\n---\nb: 2\n", "f:2:1")],
    ids=["duplicate-anchor", "second-document"],
)
def test_what_a_composer_refused_is_still_refused(yaml_backend: str, text: str,
                                                  where: str) -> None:
    with pytest.raises(SourceError) as raised:
        parse_text(text, "f", "yaml")
    (problem,) = raised.value.problems
    assert problem.message.startswith("YAML syntax error: ")
    assert str(problem.location) == where


def test_refused_keys_and_duplicates_skip_their_values_but_not_their_refusals(
        yaml_backend: str) -> None:
    text = "? [a, b]\n: !!python/name:x 1\n1: x\na: 1\na: !!binary x\n"
    with pytest.raises(SourceError) as raised:
        parse_text(text, "f", "yaml")
    assert [(p.path, p.message, str(p.location)) for p in raised.value.problems] == [
        ("", "mapping keys must be plain names", "f:1:3"),
        ("", "mapping keys must be plain names", "f:3:1"),
        ("a", "duplicate key 'a' (first at line 4)", "f:5:1"),
    ]
    with pytest.raises(SourceError) as raised:
        parse_text("? [a, *b]\n: 1\n", "f", "yaml")
    assert raised.value.problems[0].message == "YAML aliases (*name) are not supported"
    deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    with pytest.raises(SourceError) as raised:
        parse_text(f"a: 1\na: {deep}\n", "f", "yaml")  # one level more than MAX_DEPTH
    assert "(MAX_DEPTH)" in raised.value.problems[0].message


@pytest.mark.parametrize(
    ("value", "message"),
    [("!!bool maybe", "unreadable value: 'maybe' is not true or false"),
     ("!!float", "unreadable value: '' is not a number"),
     ("!!int", "unreadable value: '' is not a number"),
     ("!!int ten", "unreadable value: invalid literal for int() with base 10: 'ten'"),
     ("!!map text", "YAML tag 'tag:yaml.org,2002:map' is not allowed"),
     ("!!seq text", "YAML tag 'tag:yaml.org,2002:seq' is not allowed")],
)
def test_a_scalar_that_its_tag_cannot_read_is_a_problem_not_a_crash(yaml_backend: str,
                                                                   value: str,
                                                                   message: str) -> None:
    with pytest.raises(SourceError) as raised:
        parse_text(f"title: x\nvalue: {value}\n", "f", "yaml")
    assert [(p.path, p.message, str(p.location)) for p in raised.value.problems] == [
        ("value", message, "f:2:8")]


# --- Every problem of every file in one run (issue 14) -----------------------------------------


def _two_axis_folder(folder: Path, first: str, second: str) -> Path:
    """The base report as a folder of two axis files, each edited by a replacement."""
    main, axes = BASE.split("axes:\n")
    axis = "\n".join(line[4:] for line in axes.splitlines()) + "\n"
    other = axis.replace("axis-a", "axis-b").replace("action-a", "action-b").replace(
        "people-supported", "people-b")
    (folder / "axes").mkdir(parents=True)
    (folder / "report.yaml").write_text(main + "axes:\n  - axis-a\n  - axis-b\n",
                                        encoding="utf-8")
    (folder / "axes" / "axis-a.yaml").write_text(axis.replace(*first.split(" -> ")),
                                                 encoding="utf-8")
    (folder / "axes" / "axis-b.yaml").write_text(other.replace(*second.split(" -> ")),
                                                 encoding="utf-8")
    return folder


@pytest.mark.parametrize("broken", ["status: done -> status: dune",
                                    "title: Axis A -> title: [Axis A",
                                    "id: people-supported -> ident: people-supported"],
                         ids=["misspelt-status", "syntax-error", "unknown-key"])
def test_a_broken_axis_file_hides_neither_other_files_nor_whole_report_rules(
        tmp_path: Path, broken: str) -> None:
    folder = _two_axis_folder(tmp_path / "r", broken, "part-of-total -> complete-split")
    problems = [(p.location and Path(p.location.file or "").name, p.path, p.message)
                for p in civicrecord.validate(folder) if p.is_error]
    assert {problem[0] for problem in problems[:-1]} == {"axis-a.yaml"}, problems
    assert problems[-1] == ("axis-b.yaml", "axes[1].actions[0].indicators[0].breakdowns[0].parts",
                           "a complete split must add up to 423, but its parts add up to 160")


def test_whole_report_rules_on_the_axes_that_loaded_keep_the_listed_numbers(
        tmp_path: Path) -> None:
    folder = _two_axis_folder(tmp_path / "r", "status: done -> status: dune",
                              "places: [place-a] -> places: [place-z]")
    assert [(p.path, p.message) for p in civicrecord.validate(folder) if p.is_error][1:] == [
        ("axes[1].actions[0].places[0]", "place 'place-z' is not listed in "
         "neighbourhood.places")]


# --- Readable output, whatever the number of problems (issue 18, class 2) --------------------


def test_problems_of_one_kind_are_shown_ten_times_then_counted(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(BASE.replace("places: [place-a]", "places: [" + ", ".join(["1"] * 20_000)
                                 + "]"), encoding="utf-8")
    problems = civicrecord.validate(path)
    assert [p.path for p in problems] == [f"axes[0].actions[0].places[{n}]" for n in range(10)] \
        + ["axes[0].actions[0].places[9]"]
    assert problems[-1].message == "and 19,990 more like this"


# --- Paths the system refuses (issue 18, class 5) ---------------------------------------------


def _refuse(monkeypatch: pytest.MonkeyPatch, method: str, inside: Path) -> None:
    original = getattr(Path, method)

    def refused(self: Path, *args: Any) -> Any:
        if self.is_relative_to(inside):
            raise PermissionError(13, "Permission denied", str(self))
        return original(self, *args)

    monkeypatch.setattr(Path, method, refused)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return _two_axis_folder(tmp_path / "r", "a -> a", "a -> a")


def test_a_folder_that_cannot_be_entered_is_one_line(folder: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _refuse(monkeypatch, "is_file", folder)
    assert [str(p) for p in civicrecord.validate(folder)] == [
        f"{folder}: error: (document): cannot read {folder / 'report.yaml'}: Permission denied "
        "(check the path and its permissions)"]


def test_an_axes_folder_that_cannot_be_listed_is_a_warning(folder: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _refuse(monkeypatch, "iterdir", folder)
    assert [str(p) for p in civicrecord.validate(folder)] == [
        f"{folder / 'axes'}: warning: axes: cannot list the axes folder: Permission denied "
        "(unlisted axis files are not looked for)"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
@pytest.mark.parametrize(("locked", "mode"), [("", 0o000), ("axes", 0o300)])
def test_folders_the_user_cannot_read_give_no_traceback(folder: Path, locked: str,
                                                        mode: int) -> None:
    (folder / locked).chmod(mode)
    try:
        done = subprocess.run([sys.executable, "-m", "civicrecord.cli", "validate", str(folder)],
                              capture_output=True, text=True, check=False)
    finally:
        (folder / locked).chmod(0o700)
    assert "Traceback" not in done.stderr and "Permission denied" in done.stderr + done.stdout


def test_a_file_name_too_long_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / ("r" * 5_000 + ".yaml")
    (problem,) = civicrecord.validate(path)
    assert problem.is_error and "\n" not in str(problem)
    (problem,) = load_report(path).problems
    assert problem.message.endswith("File name too long") and "\n" not in str(problem)


# --- Lines as an editor counts them (issue 18, class 7) ----------------------------------------


@pytest.mark.parametrize("line_break", ["\x85", "\u2028", "\u2029"])
def test_positions_count_lines_as_an_editor_does(line_break: str, yaml_backend: str) -> None:
    text = BASE.replace("description: A neighbourhood.",
                        f"description: \"A{line_break}neighbourhood.\"").replace(
        "situation: Where", f"situation: Where{line_break}")
    document = parse_text(text, "f", "yaml")
    for key_path in _key_paths(document.data):
        location = document.source_map.locate(key_path, exact=True)
        assert location and location.line and location.column
        assert text.split("\n")[location.line - 1][location.column - 1:].startswith(
            f"{key_path[-1]}:"), key_path
    assert line_break in document.data["neighbourhood"]["description"]  # kept, never folded


def test_a_next_line_character_in_a_title_is_refused_where_it_is(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(BASE.replace("title: Action A", "title: Action\x85A").replace(
        "status: done", "status: dune"), encoding="utf-8")
    assert [(p.path, str(p.location), p.message[:37]) for p in civicrecord.validate(path)] == [
        ("axes[0].actions[0].title", f"{path}:35:9", "control or invalid character U+0085 a"),
        ("axes[0].actions[0].status", f"{path}:37:9", "expected one of: planned, in-progress")]


# --- Whole values checked whole (issue 18, class 4) --------------------------------------------


def test_no_pattern_that_checks_a_whole_value_stops_before_a_final_newline() -> None:
    from civicrecord.command import COMMAND_NAME_PATTERN
    from civicrecord.importer import IMPORTER_NAME_PATTERN
    from civicrecord.renderer import FORMAT_NAME_PATTERN
    from civicrecord.theme import _HEX_COLOUR
    from civicrecord.validation import SLUG_PATTERN

    for pattern, valid in [(SLUG_PATTERN, "axis-a"), (FORMAT_NAME_PATTERN, "html"),
                           (IMPORTER_NAME_PATTERN, "csv"), (COMMAND_NAME_PATTERN, "check"),
                           (_HEX_COLOUR, "#005a9c")]:
        assert pattern.fullmatch(valid) and not pattern.fullmatch(valid + "\n"), pattern
    root = Path(__file__).resolve().parent.parent
    for source in [*root.glob("src/**/*.py"), *root.glob("plugins/*/src/**/*.py")]:
        text = source.read_text(encoding="utf-8")
        assert not re.search(r"(PATTERN|_COLOUR)\.match\(|re\.match\(r?\"\^[^\"]*\$\"", text), \
            f"{source}: use fullmatch to check a whole value"


def test_values_with_a_final_newline_are_refused_where_a_whole_value_is_checked(
        tmp_path: Path) -> None:
    from civicrecord.renderer import Renderer

    for name, extension in [("html\n", "html"), ("html", "html\n")]:
        with pytest.raises(ValueError, match="must"):
            Renderer(name, extension, "text/html", "x", lambda report, context: b"")
    path = tmp_path / "r.yaml"
    path.write_text(BASE.replace("url: https://example.org/report",
                                 'url: "https://example.org/report\\n"'), encoding="utf-8")
    assert [p.message for p in civicrecord.validate(path)] == [
        "'https://example.org/report\\n' is not a web address"]
