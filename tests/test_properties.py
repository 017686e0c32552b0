"""Properties over generated reports and generated garbage.

- the converter's two directions are inverse;
- the JSON rendering loads back as the same report, re-renders to the same
  bytes, and is valid against the published JSON Schema;
- any document (a valid report's data mutated at random, or arbitrary bytes)
  either loads or yields problems, each with a place in the file, and never
  an unexpected exception.

Example counts come from the Hypothesis profile loaded by ``strategies``
(``ci`` with CI=true: hundreds per property).
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import civicrecord
from civicrecord.convert import converter, to_plain
from civicrecord.model import Report
from civicrecord.schema import report_schema
from strategies import reports


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the whole module: each example overwrites its own file."""
    return tmp_path_factory.mktemp("properties")


@pytest.fixture(scope="module")
def schema_validator() -> Draft202012Validator:
    schema = report_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


# --- Round trips -----------------------------------------------------------------------------


@given(reports())
def test_structure_inverts_unstructure(report: Report) -> None:
    assert converter.structure(converter.unstructure(report), Report) == report


@given(reports())
def test_plain_data_is_plain(report: Report) -> None:
    """What the converter gives is what JSON and YAML can hold: no objects, no tuples."""

    def plain(value: Any) -> bool:
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return value is None or isinstance(value, str | int | float | bool)

    assert plain(to_plain(report))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(report=reports())
def test_json_rendering_loads_back_and_renders_the_same_bytes(report: Report,
                                                              workdir: Path) -> None:
    rendered = civicrecord.render(report, "json")
    path = workdir / "round-trip.json"
    path.write_bytes(rendered)
    loaded = civicrecord.load(path)
    assert loaded == report
    assert civicrecord.render(loaded, "json") == rendered


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(report=reports())
def test_json_rendering_is_valid_against_the_schema(report: Report,
                                                    schema_validator: Draft202012Validator) -> None:
    document = json.loads(civicrecord.render(report, "json"))
    errors = sorted(schema_validator.iter_errors(document), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(report=reports())
def test_yaml_written_from_a_report_loads_back(report: Report, workdir: Path) -> None:
    path = workdir / "round-trip.yaml"
    path.write_text(yaml.safe_dump(to_plain(report), allow_unicode=True), encoding="utf-8")
    result = civicrecord.read(path)
    breaks = ("\x85", "\u2028", "\u2029")  # line breaks to YAML, which may fold them
    if any(c in json.dumps(to_plain(report), ensure_ascii=False) for c in breaks):
        return
    assert result.report == report, result.problems


# --- Mutated documents -----------------------------------------------------------------------

_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["", "done", "count", "EUR", "fr-FR", "2021", "2021-02-30", "../x",
                     "a\x00b", "\ud800", "\u202e", "x" * 200, "place-a", "axes"]),
)
_VALUES = st.recursive(_LEAVES, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


def _containers(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict | list):
        yield path
        items = data.items() if isinstance(data, dict) else enumerate(data)
        for key, value in items:
            yield from _containers(value, (*path, key))


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


@st.composite
def mutated_documents(draw: Any) -> Any:
    """A valid report's plain data with a few random edits anywhere in the tree."""
    data = copy.deepcopy(to_plain(draw(reports(max_axes=2))))
    for _ in range(draw(st.integers(1, 6))):
        paths = list(_containers(data))
        if not paths:
            break
        target = _at(data, draw(st.sampled_from(paths)))
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        operation = draw(st.sampled_from(["delete", "replace", "add", "wrap", "stringify"]))
        key = draw(st.sampled_from(keys)) if keys else None
        if operation == "add" or key is None:
            if isinstance(target, dict):
                target[draw(st.text(max_size=10))] = draw(_VALUES)
            else:
                target.append(draw(_VALUES))
        elif operation == "delete":
            del target[key]
        elif operation == "replace":
            target[key] = draw(_VALUES)
        elif operation == "wrap":
            target[key] = [target[key]]
        else:
            target[key] = str(target[key])
    if draw(st.booleans()):
        data = draw(st.sampled_from([data, [data], "text", 3, None])) if draw(
            st.integers(0, 9)) == 0 else data
    return data


def _write(data: Any, path: Path) -> None:
    if path.suffix == ".json":
        text = json.dumps(data, ensure_ascii=False, indent=1)  # NaN/Infinity included
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
    else:
        path.write_bytes(yaml.safe_dump(data, allow_unicode=True).encode("utf-8",
                                                                          "surrogatepass"))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mutated_documents(), suffix=st.sampled_from([".json", ".yaml"]))
def test_any_mutated_document_loads_or_yields_located_problems(data: Any, suffix: str,
                                                               workdir: Path) -> None:
    path = workdir / f"mutated{suffix}"
    _write(data, path)
    result = civicrecord.read(path)  # never raises
    assert (result.report is None) == any(p.is_error for p in result.problems)
    for problem in result.problems:
        assert problem.location is not None and problem.location.file == str(path), problem
        assert problem.location.line is not None, problem
        assert problem.message
        str(problem).encode("utf-8", "backslashreplace")  # printable as the CLI prints it
    if result.report is not None:
        assert civicrecord.render(result.report, "json")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=400), suffix=st.sampled_from([".yaml", ".json", ".toml"]))
def test_any_bytes_load_or_yield_problems_naming_the_file(raw: bytes, suffix: str,
                                                          workdir: Path) -> None:
    path = workdir / f"bytes{suffix}"
    path.write_bytes(raw)
    result = civicrecord.read(path)
    assert result.report is None  # a few random bytes are never a whole report
    assert result.problems
    for problem in result.problems:
        assert problem.location is not None and problem.location.file == str(path)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300), suffix=st.sampled_from([".yaml", ".json", ".toml"]))
def test_any_text_loads_or_yields_located_problems(text: str, suffix: str,
                                                   workdir: Path) -> None:
    path = workdir / f"text{suffix}"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    result = civicrecord.read(path)
    assert result.problems
    for problem in result.problems:
        assert problem.location is not None and problem.location.file == str(path)
        if problem.path:  # a field's problem is placed on a line
            assert problem.location.line is not None, problem


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_any_float_either_loads_as_itself_or_is_refused_as_not_finite(value: float) -> None:
    from civicrecord.validation import MAX_NUMBER, check_plain_data

    found = check_plain_data({"v": value})
    if not math.isfinite(value):
        assert [p.message for p in found] == [f"{value} is not a finite number"]
    elif abs(value) >= MAX_NUMBER:
        assert [p.path for p in found] == ["v"]
        assert "out of range" in found[0].message and "(MAX_NUMBER)" in found[0].message
    else:
        assert found == []
