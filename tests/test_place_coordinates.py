"""A place may say where it is on a map: both coordinates or neither, within range."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import attrs
import jsonschema
import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st

import civicrecord
from civicrecord.model import Place, Report
from civicrecord.presentation import map_url
from civicrecord.schema import report_schema

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "hauts_de_chambery"


def _with_coordinates(report: Report, place_id: str, latitude: float,
                      longitude: float) -> Report:
    places = tuple(attrs.evolve(place, latitude=latitude, longitude=longitude)
                   if place.id == place_id else place for place in report.neighbourhood.places)
    return attrs.evolve(report, neighbourhood=attrs.evolve(report.neighbourhood, places=places))


@pytest.mark.parametrize(("latitude", "longitude", "message"), [
    (90.5, 5.9, "latitude 90.5 is out of range -90 to 90"),
    (45.5, -180.01, "longitude -180.01 is out of range -180 to 180"),
    (float("nan"), 5.9, "latitude nan is out of range"),
    (45.5, None, "needs both latitude and longitude"),
    (None, 5.9, "needs both latitude and longitude"),
])
def test_the_model_refuses_coordinates_off_the_globe_or_alone(
        latitude: float | None, longitude: float | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Place("forum", "Cinéma Le Forum", latitude=latitude, longitude=longitude)


def test_the_poles_and_the_date_line_are_places() -> None:
    assert Place("pole", "Pôle sud", latitude=-90, longitude=180).latitude == -90


def test_a_file_with_one_coordinate_is_an_error_on_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "report"
    shutil.copytree(EXAMPLE, folder)
    report_file = folder / "report.yaml"
    text = report_file.read_text("utf-8")
    text = text.replace("      name: Cinéma Le Forum\n",
                        "      name: Cinéma Le Forum\n      latitude: 45.57\n", 1)
    report_file.write_text(text, "utf-8")
    line = text.splitlines().index("    - id: cinema-le-forum") + 1
    errors = [p for p in civicrecord.validate(folder) if p.is_error]
    assert len(errors) == 1
    assert errors[0].path == "neighbourhood.places[2]"
    assert "needs both latitude and longitude" in errors[0].message
    assert errors[0].location is not None and errors[0].location.line == line


def test_the_schema_refuses_what_the_model_refuses() -> None:
    validator = jsonschema.Draft202012Validator(report_schema())
    place_schema = {"$ref": "#/$defs/Place", "$defs": report_schema()["$defs"]}
    good = {"id": "forum", "name": "Forum", "latitude": 45.57, "longitude": 5.93}
    assert validator.evolve(schema=place_schema).is_valid(good)
    for bad in ({**good, "latitude": 91}, {**good, "longitude": -181},
                {"id": "forum", "name": "Forum", "latitude": 45.57}):
        assert not validator.evolve(schema=place_schema).is_valid(bad), bad


def test_json_holds_the_coordinates_and_loads_back(example_report: Report,
                                                   tmp_path: Path) -> None:
    report = _with_coordinates(example_report, "les-combes", 45.5751, 5.9309)
    document = json.loads(civicrecord.render(report, "json"))
    jsonschema.validate(document, report_schema())
    combes = next(p for p in document["neighbourhood"]["places"] if p["id"] == "les-combes")
    assert (combes["latitude"], combes["longitude"]) == (45.5751, 5.9309)
    path = tmp_path / "report.json"
    path.write_bytes(civicrecord.render(report, "json"))
    assert civicrecord.load(path) == report


@given(st.floats(-90, 90), st.floats(-180, 180))
def test_a_map_link_is_built_from_the_numbers_alone(latitude: float, longitude: float) -> None:
    url = map_url(Place("p", "<b>x</b>", latitude=latitude, longitude=longitude))
    assert url is not None
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("https", "www.openstreetmap.org")
    query = parse_qs(parts.query)
    assert abs(float(query["mlat"][0]) - latitude) <= 5e-7
    assert abs(float(query["mlon"][0]) - longitude) <= 5e-7
    assert parts.fragment == f"map=17/{query['mlat'][0]}/{query['mlon'][0]}"


def test_no_coordinates_no_map() -> None:
    assert map_url(Place("p", "Le Piochet")) is None


def test_html_links_a_place_with_coordinates_to_its_map(example_report: Report) -> None:
    report = _with_coordinates(example_report, "les-combes", 45.5751, 5.9309)
    page = lxml.html.fromstring(civicrecord.render(report, "html"))
    links = page.xpath("//a[starts-with(@href, 'https://www.openstreetmap.org/')]")
    assert links, "no map link"
    assert {link.text_content() for link in links} == {"Les Combes"}
    assert {link.get("href") for link in links} == {
        "https://www.openstreetmap.org/?mlat=45.5751&mlon=5.9309#map=17/45.5751/5.9309"}
    # A place without coordinates stays text.
    piochet = page.xpath("//li[normalize-space(.)='Le Piochet']")
    assert piochet and not piochet[0].xpath(".//a")


@pytest.mark.chromium
def test_the_map_link_is_a_real_link_in_chromium(example_report: Report,
                                                  chromium_path: str) -> None:
    from browser import chromium, open_page

    report = _with_coordinates(example_report, "les-combes", 45.5751, 5.9309)
    with chromium(chromium_path) as browser, \
            open_page(browser, civicrecord.render(report, "html").decode()) as watch:
        link = watch.page.get_by_role("link", name="Les Combes")
        assert link.count() >= 1
        assert link.first.get_attribute("href").startswith(
            "https://www.openstreetmap.org/?mlat=45.5751&mlon=5.9309")
