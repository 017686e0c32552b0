"""The published JSON Schema: generated from the model, and true of every file we read or write."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

import civicrecord
from civicrecord.cli import main
from civicrecord.schema import axis_schema, report_schema

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "hauts_de_chambery"


def test_report_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(report_schema())
    jsonschema.Draft202012Validator.check_schema(axis_schema())


@pytest.mark.parametrize(("name", "build"), [("report", report_schema), ("axis", axis_schema)])
def test_published_schema_files_are_current(name: str, build: object) -> None:
    """schema/*.json are what `civicrecord schema` prints: regenerate, never hand-edit."""
    published = json.loads((ROOT / "schema" / f"{name}.schema.json").read_text("utf-8"))
    assert published == build(), (  # type: ignore[operator]
        f"schema/{name}.schema.json is stale: run "
        f"`civicrecord schema --part {name} > schema/{name}.schema.json`"
    )


def test_cli_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == report_schema()


EXAMPLES = [EXAMPLE, EXAMPLE.parent / "larkfield"]


@pytest.mark.parametrize(("example", "axes"), [(EXAMPLES[0], 8), (EXAMPLES[1], 3)],
                         ids=["hauts_de_chambery", "larkfield"])
def test_example_yaml_files_match_the_schema(example: Path, axes: int) -> None:
    report = yaml.safe_load((example / "report.yaml").read_text("utf-8"))
    jsonschema.validate(report, report_schema())
    axis_files = sorted((example / "axes").glob("*.yaml"))
    assert len(axis_files) == axes
    for path in axis_files:
        jsonschema.validate(yaml.safe_load(path.read_text("utf-8")), axis_schema())


@pytest.mark.parametrize("example", EXAMPLES, ids=["hauts_de_chambery", "larkfield"])
def test_json_output_of_each_example_matches_the_schema_and_reads_back(example: Path,
                                                                       tmp_path: Path) -> None:
    report = civicrecord.load(example)
    document = json.loads(civicrecord.render(report, "json"))
    jsonschema.validate(document, report_schema())
    assert document["format_version"] == "2"
    (tmp_path / "r.json").write_bytes(civicrecord.render(report, "json"))
    if (example / "pictures").is_dir():  # pictures travel with the file that names them
        shutil.copytree(example / "pictures", tmp_path / "pictures")
    assert civicrecord.load(tmp_path / "r.json") == report


@pytest.mark.parametrize("example", EXAMPLES, ids=["hauts_de_chambery", "larkfield"])
def test_example_yaml_files_point_editors_at_the_schema(example: Path) -> None:
    """yaml-language-server (VS Code) reads the first-line comment to check and complete."""
    files = [example / "report.yaml", *sorted((example / "axes").glob("*.yaml"))]
    for path in files:
        first = path.read_text("utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target.is_file(), f"{path.name} points at missing {target}"


def test_json_output_matches_the_schema(example_report: civicrecord.Report) -> None:
    document = json.loads(civicrecord.render(example_report, "json"))
    jsonschema.validate(document, report_schema())


def test_schema_rejects_what_the_loader_rejects() -> None:
    """An unknown key and a wrong enum value fail both the schema and the loader."""
    validator = jsonschema.Draft202012Validator(report_schema())
    report = yaml.safe_load((EXAMPLE / "report.yaml").read_text("utf-8"))
    report["colour"] = "blue"
    assert any("colour" in error.message for error in validator.iter_errors(report))
