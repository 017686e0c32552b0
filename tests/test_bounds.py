"""What validates must render; what is written stays where it was asked; crashes leave no litter.

Issue 18, classes 3 (numbers), 5 (write side), 6 (litter) and 8 (URLs, API arguments).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import civicrecord
from civicrecord.output import OutputError, confined_name, remove_stale_staging
from civicrecord.validation import MAX_NUMBER

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "hauts_de_chambery"


@pytest.fixture(scope="module")
def plain() -> dict[str, Any]:
    """The worked example as one JSON document, to change a value in."""
    return json.loads(civicrecord.render(civicrecord.load(EXAMPLE), "json"))


def _first_count(data: dict[str, Any]) -> dict[str, Any]:
    for axis in data["axes"]:
        holders = [axis, *axis["actions"]]
        for figure in (f for holder in holders for f in holder.get("indicators") or []):
            if figure["kind"] == "count" and not figure.get("breakdowns"):
                return figure  # type: ignore[no-any-return]
    raise AssertionError("the example has no plain count")


def _write_report(folder: Path, data: dict[str, Any], text: str | None = None) -> Path:
    path = folder / "report.json"
    path.write_text(text if text is not None else json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def _errors(path: Path) -> list[civicrecord.Problem]:
    return [p for p in civicrecord.validate(path) if p.is_error]


@pytest.mark.parametrize("number", ["1e28", "10000000000000000000000000000", "1e400",
                                    "1.8e308", "-1e16", "1" + "0" * 399, "1e15"])
def test_a_number_out_of_range_is_an_error_with_its_place(
        tmp_path: Path, plain: dict[str, Any], number: str) -> None:
    figure = _first_count(plain)
    marker = "999999"
    figure["value"] = int(marker)
    text = json.dumps(plain, ensure_ascii=False, indent=1).replace(marker, number, 1)
    path = _write_report(tmp_path, plain, text)
    errors = _errors(path)  # documented never to raise
    assert errors, number
    assert all(error.location and error.location.line for error in errors)
    assert any(error.path.endswith(".value") for error in errors)
    line = text[:text.index(number)].count("\n") + 1
    assert any(error.location and error.location.line == line for error in errors)


def test_a_complete_split_of_a_huge_number_is_an_error_not_a_traceback(
        tmp_path: Path, plain: dict[str, Any]) -> None:
    figure = _first_count(plain)
    figure["value"] = 2
    figure["breakdowns"] = [{"dimension": "age", "kind": "complete-split",
                             "parts": [{"label": "a", "value": 1}, {"label": "b", "value": 1}]}]
    text = json.dumps(plain, ensure_ascii=False).replace(
        '"value": 2,', '"value": 2' + "0" * 400 + ",", 1)
    text = text.replace('"value": 1}', '"value": 1' + "0" * 400 + "}")
    errors = _errors(_write_report(tmp_path, plain, text))
    assert errors and all("out of range" in e.message for e in errors), errors


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=st.one_of(
    st.integers(MAX_NUMBER - 10, MAX_NUMBER + 10),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([MAX_NUMBER - 1, MAX_NUMBER, 10**28, 10**400, 0.1, 1e-300, 5e-324]),
))
def test_validate_and_render_agree_on_any_number(
        tmp_path: Path, plain: dict[str, Any], number: float) -> None:
    data = json.loads(json.dumps(plain))
    _first_count(data)["value"] = abs(number)
    folder = tmp_path / f"n{time.monotonic_ns()}"
    folder.mkdir()
    path = _write_report(folder, data)
    if _errors(path):
        return
    report = civicrecord.load(path)
    for renderer in civicrecord.formats():
        assert civicrecord.render(report, renderer.name), renderer.name


@pytest.mark.parametrize("field", ["authority", "partners", "programmes"])
@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>",
                                 "https://example.org/\n", "ftp://example.org/"])
def test_every_url_field_follows_one_rule(
        tmp_path: Path, plain: dict[str, Any], field: str, url: str) -> None:
    data = json.loads(json.dumps(plain))
    target = data[field] if field == "authority" else data[field][0]
    target["url"] = url
    errors = _errors(_write_report(tmp_path, data))
    assert any(e.path.endswith(".url") and "address" in e.message for e in errors), errors


def test_mailto_and_https_addresses_are_accepted(tmp_path: Path, plain: dict[str, Any]) -> None:
    data = json.loads(json.dumps(plain))
    data["authority"]["url"] = "mailto:mairie@example.org"
    data["partners"][0]["url"] = "https://example.org/partenaire?id=1"
    assert _errors(_write_report(tmp_path, data)) == []


@pytest.mark.parametrize(("call", "argument"), [
    (lambda: civicrecord.render(None, "html"), "report"),  # type: ignore[arg-type]
    (lambda: civicrecord.render(civicrecord.load(EXAMPLE), 3), "format"),  # type: ignore[arg-type]
    (lambda: civicrecord.validate(b"examples"), "path"),  # type: ignore[arg-type]
    (lambda: civicrecord.load(None), "path"),  # type: ignore[arg-type]
    (lambda: civicrecord.write({}, "html", "out"), "report"),  # type: ignore[arg-type]
])
def test_the_api_names_a_wrong_argument(call: Any, argument: str) -> None:
    with pytest.raises(civicrecord.ArgumentError, match=rf"^{argument} must be"):
        call()


@pytest.mark.parametrize("report_id", ["../x", "a/b", "..", "x\n", "/etc/passwd"])
def test_write_never_leaves_its_folder_whatever_the_id(tmp_path: Path, report_id: str) -> None:
    report = attrs.evolve(civicrecord.load(EXAMPLE), id=report_id)
    out = tmp_path / "out"
    with pytest.raises(OutputError, match="cannot name a file"):
        civicrecord.write(report, "json", out)
    assert not any(tmp_path.rglob("*.json"))


def test_confined_names() -> None:
    assert confined_name("report.html") == "report.html"
    for bad in ("", ".", "..", "a/b", "a\\b", "x\n", "é" * 200):
        assert confined_name(bad) is None, bad


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _old(path: Path) -> Path:
    os.utime(path, (time.time() - 10, time.time() - 10))
    return path


def test_a_crashed_runs_staging_folder_is_removed_by_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    dead = out / f".civicrecord-{_dead_pid()}-abcdEFGH"
    (dead / "0").mkdir(parents=True)
    (dead / "0" / "report.html").write_text("half")
    _old(dead)
    alive = out / f".civicrecord-{os.getppid()}-abcdEFGH"
    alive.mkdir()
    _old(alive)
    strange = out / f".civicrecord-{_dead_pid()}-zzzzzzzz"
    strange.mkdir()
    (strange / "link").symlink_to(tmp_path)
    _old(strange)
    unrelated = out / ".civicrecord-notours"
    unrelated.mkdir()
    _old(unrelated)
    from civicrecord.batch import RenderSettings, render_reports

    result = render_reports([EXAMPLE], RenderSettings(("json",)), out, jobs=1)
    assert not result.failed
    left = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    assert left == sorted([alive.name, strange.name, unrelated.name])


def test_a_staging_folder_made_after_the_run_started_is_kept(tmp_path: Path) -> None:
    folder = tmp_path / f".civicrecord-{_dead_pid()}-abcdEFGH"
    folder.mkdir()
    assert remove_stale_staging(tmp_path, started=time.time() - 60) == []
    assert folder.exists()


def test_a_killed_writers_temporary_file_is_removed_by_the_next_write(tmp_path: Path) -> None:
    report = civicrecord.load(EXAMPLE)
    stale = tmp_path / f".{report.id}.json.{_dead_pid()}.abcdEFGH.tmp"
    stale.write_text("half")
    _old(stale)
    other = tmp_path / f".{report.id}.json.{os.getppid()}.abcdEFGH.tmp"
    other.write_text("someone else's, still running")
    _old(other)
    civicrecord.write(report, "json", tmp_path)
    assert not stale.exists() and other.exists()
