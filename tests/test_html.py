"""The built-in HTML renderer: structure, safety, theming, and a real browser's view.

Tests marked ``chromium`` drive Debian's Chromium through Playwright (see
``tests/browser.py``); they skip without it, and fail under CI=true.
"""

from __future__ import annotations

import json
import os
import re
import stat
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import jinja2
import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st

import civicrecord
from browser import chromium, describe_violations, open_page, run_axe, screenshot
from civicrecord import RenderError
from civicrecord.cli import main
from civicrecord.model import (
    Action,
    ActionStatus,
    Authority,
    Breakdown,
    BreakdownKind,
    BreakdownPart,
    Budget,
    Indicator,
    IndicatorPeriod,
    MeasureKind,
    Milestone,
    PartialDate,
    PeriodKind,
    ReferencePoint,
    Report,
    Source,
)
from civicrecord.presentation import LABELS, STATUS_ORDER, presenter_for
from civicrecord.renderers.html import (
    BUILTIN_TEMPLATES,
    NAMED_COLOURS,
    STATUS_COLOURS,
    STATUS_FILLS,
    Labels,
    Theme,
    contrast,
    css_string,
    link_html,
    status_chart,
    text_html,
)
from civicrecord.renderers.html_cache import CACHE_DIR_VARIABLE
from civicrecord.text import blocks, link_target
from conftest import EXAMPLE

PAYLOAD = ('<script>alert(1)</script> "><img src=x onerror=alert(1)> javascript:alert(1) '
           "{{ 7*7 }} </style>")
EVIL_URL = "javascript:alert(1)"
# Fields whose text is a code the renderer hands to Babel, not prose for readers.
_CODES = {"language", "unit", "currency"}


def squash(text: str) -> str:
    """Runs of layout whitespace as one space; no-break spaces are kept, they are typography."""
    return re.sub(r"[ \t\r\n]+", " ", text)


def render(report: Report, **options: Any) -> str:
    return civicrecord.render(report, "html", **options).decode("utf-8")


def tiny_png(width: int = 4, height: int = 2) -> bytes:
    """A valid RGB PNG, so the logo test needs no image library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    rows = b"".join(b"\x00" + bytes((0, 90, 156)) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def rich_report(example_report: Report) -> Report:
    """The example plus every optional field and status, so every template path runs."""
    axes = list(example_report.axes)
    first = axes[0]
    extra_actions = (
        Action("action-prevue", "Créer un jardin partagé", "Un jardin est prévu.\n\n- Étape 1\n"
               "- Étape 2", ActionStatus.PLANNED, start=PartialDate(2026, 9),
               budget=Budget(120000, "EUR", IndicatorPeriod(PeriodKind.PER_YEAR))),
        Action("action-abandonnee", "Ouvrir une navette", "Abandonnée faute de demande.",
               ActionStatus.ABANDONED, start=PartialDate(2021), end=PartialDate(2022, 6, 30),
               milestones=(Milestone(PartialDate(2021, 3, 4), "Étude lancée"),
                           Milestone(PartialDate(2022, 6), "Projet arrêté"))),
        Action("action-non-evaluee", "Animer le marché", "Pas encore évalué.",
               ActionStatus.NOT_ASSESSED),
    )
    figures = (
        Indicator("taux-de-reussite", "des élèves obtiennent leur brevet", MeasureKind.PERCENTAGE,
                  87.5, baseline=ReferencePoint(71.2, PartialDate(2020)),
                  target=ReferencePoint(90), note="Chiffre provisoire.",
                  source=Source("Rectorat", "https://www.ac-grenoble.fr/", PartialDate(2025, 9)),
                  breakdowns=(Breakdown("sexe", BreakdownKind.COMPLETE_SPLIT,
                                        (BreakdownPart("filles", 52),
                                         BreakdownPart("garçons", 48))),)),
        Indicator("ambiance", "ambiance du quartier", MeasureKind.QUALITATIVE, "apaisée"),
    )
    axes[0] = attrs.evolve(first, actions=(*first.actions, *extra_actions), indicators=figures)
    partners = list(example_report.partners)
    partners[0] = attrs.evolve(partners[0], url="https://www.chambery.fr/quartiers")
    programmes = list(example_report.programmes)
    programmes[0] = attrs.evolve(programmes[0], url="https://www.france-services.gouv.fr/")
    neighbourhood = attrs.evolve(example_report.neighbourhood, population=9876,
                                 priority_area_code="QN07301M")
    return attrs.evolve(
        example_report, axes=tuple(axes), partners=tuple(partners),
        programmes=tuple(programmes), neighbourhood=neighbourhood,
        authority=Authority("Ville de Chambéry", "https://www.chambery.fr/"),
        published=PartialDate(2026, 3),
    )


def poisoned(value: Any, name: str = "") -> Any:
    """Every text field, set or optional, made hostile; ids and references alike, so
    cross-references still resolve. URLs become ``javascript:``."""
    if attrs.has(type(value)):
        attrs.resolve_types(type(value))
        changes = {}
        for field in attrs.fields(type(value)):
            current = getattr(value, field.name)
            if current is None and field.type == (str | None):
                changes[field.name] = EVIL_URL if field.name == "url" else PAYLOAD
            else:
                changes[field.name] = poisoned(current, field.name)
        return attrs.evolve(value, **changes)
    if isinstance(value, tuple):
        return tuple(poisoned(item, name) for item in value)
    if isinstance(value, str) and name not in _CODES:
        return EVIL_URL if name == "url" else f"{PAYLOAD} {value}"
    return value


# --- Without a browser -----------------------------------------------------------------


def test_html_is_a_builtin_format_registered_like_any_plugin() -> None:
    from civicrecord.plugins import load_plugins

    plugins = load_plugins(entry_points=False)
    renderer = plugins.renderer("html")
    assert (renderer.extension, renderer.media_type) == ("html", "text/html")
    info = plugins.plugin_of("html")
    assert info.builtin and info.name == "civicrecord.renderers.html"
    assert "register_renderers" in info.hooks


def test_importing_civicrecord_and_listing_formats_does_not_import_jinja2() -> None:
    code = ("import sys, civicrecord; civicrecord.formats(); "
            "print(sorted(m for m in ('jinja2', 'markupsafe', 'babel') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_page_is_self_contained_and_forbids_scripts(rich_report: Report) -> None:
    page = render(rich_report, theme={"logo": "logo.svg"}, base_dir=_svg_logo_folder())
    tree = lxml.html.document_fromstring(page)
    assert tree.xpath("//script") == []
    assert tree.xpath("//link") == [] and tree.xpath("//iframe|//object|//embed") == []
    for src in tree.xpath("//@src"):
        assert src.startswith("data:image/"), src
    for href in tree.xpath("//@href"):
        assert href.startswith(("#", "https://")), href
    style = "".join(tree.xpath("//style/text()"))
    assert "@import" not in style
    assert set(re.findall(r"url\(([^)]*)\)", style)) <= {f"#cr-fill-{s.value}"
                                                         for s in STATUS_ORDER}
    csp = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert csp and "default-src 'none'" in csp[0] and "script-src" not in csp[0]


def test_structure_follows_the_model(example_report: Report) -> None:
    tree = lxml.html.document_fromstring(render(example_report))
    presenter = presenter_for(example_report.language)
    assert tree.get("lang") == "fr-FR"
    assert [h.text_content() for h in tree.xpath("//h1")] == [example_report.title]
    axis_titles = [h.text_content() for h in tree.xpath("//section[contains(@class,'axis')]/"
                                                        "header/h2")]
    assert axis_titles == [axis.title for axis in example_report.axes]
    toc = [a.text_content().split(" ", 1)[1] for a in tree.xpath("//nav//li[@class='toc__axis']/a")]
    assert toc == axis_titles
    phrases = [presenter.indicator_phrase(i) for _, _, i in example_report.indicators()]
    overview, *in_axes = [[p.text_content() for p in section.xpath(
        ".//p[@class='figure-card__phrase']")] for section in tree.xpath("//main/section")
        if section.get("id") == "key-figures" or "axis" in section.get("class")]
    assert overview == phrases and [p for axis in in_axes for p in axis] == phrases
    text = squash(tree.text_content())
    badges = tree.xpath("//article[contains(@class,'action')]//span[contains(@class,'status ')]")
    statuses = [action.status for _, action in example_report.actions()]
    assert [b.text_content() for b in badges] == [presenter.status(s) for s in statuses]
    assert all(b.xpath(".//svg") for b in badges)  # a shape beside the word, not colour only
    assert text.count(presenter.label("need")) == len(example_report.axes)


def test_labels_numbers_and_dates_follow_the_report_language(rich_report: Report) -> None:
    for language in ("fr-FR", "en-GB"):
        report = attrs.evolve(rich_report, language=language)
        presenter = presenter_for(language)
        tree = lxml.html.document_fromstring(render(report))
        text = squash(tree.text_content())
        assert tree.get("lang") == language
        for key in ("contents", "need", "actions", "outcome", "key_figures", "status_overview"):
            assert presenter.label(key) in text
        for _, _, indicator in report.indicators():
            assert presenter.indicator_phrase(indicator) in text
        assert presenter.money(120000, "EUR") in text
        assert presenter.date(PartialDate(2026, 3)) in text  # published
        assert presenter.date_range(PartialDate(2021), PartialDate(2022, 6, 30)) in text
        assert presenter.number(9876) in text


def test_status_chart_counts_every_action_on_one_scale(rich_report: Report) -> None:
    chart = status_chart(rich_report)
    longest = max(len(axis.actions) for axis in rich_report.axes)
    for row, axis in zip(chart.rows, rich_report.axes, strict=True):
        assert row.axis is axis and row.total == len(axis.actions)
        assert {s.status: s.count for s in row.segments} == {
            status: n for status in STATUS_ORDER
            if (n := sum(a.status is status for a in axis.actions))}
        right = row.segments[-1].x + row.segments[-1].width
        assert right == pytest.approx(100 * row.total / longest, abs=0.01)
    assert sum(count for _, count in chart.totals) == sum(1 for _ in rich_report.actions())


def test_chart_shapes_are_painted_without_the_pages_css(rich_report: Report) -> None:
    """WeasyPrint (the PDF) draws the SVG without the page's CSS: attributes must paint it."""
    tree = lxml.html.document_fromstring(render(rich_report))
    bars = tree.xpath("//svg[contains(@class,'chart-row__bar') or @class='swatch']"
                      "//rect[contains(@class,'bar ')]")
    assert len(bars) > len(rich_report.axes)
    for bar in bars:
        status = ActionStatus(bar.get("class").split("bar--")[1])
        assert bar.get("fill") == STATUS_FILLS[status]
        assert bar.get("fill").endswith(STATUS_COLOURS[status])  # the fallback colour
        assert bar.get("stroke") and bar.get("stroke-width")
    for pattern in tree.xpath("//svg[@class='chart-defs']//pattern"):
        assert all(shape.get("fill") for shape in pattern)
        assert f"url(#{pattern.get('id')})" in " ".join(STATUS_FILLS.values())
    assert all(track.get("fill") for track in tree.xpath("//rect[@class='chart-row__track']"))
    style = "".join(tree.xpath("//style/text()"))
    for status, colour in STATUS_COLOURS.items():  # one colour per status, CSS and SVG alike
        assert f"--cr-status-{status.value}: {colour};" in style


@pytest.mark.parametrize("url", [
    "https://www.chambery.fr/", "http://example.org/a?b=c#d", "HTTPS://EXAMPLE.ORG",
    "mailto:mairie@chambery.fr",
])
def test_addresses_validation_accepts_become_links(url: str) -> None:
    assert link_target(url) == url
    assert f'href="{url}"' in str(link_html(url, "x"))


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>", "//evil.example",
    "ftp://example.org", "https:/x", "http://", "https://exa mple.org", "https://a.org/\nx",
    "vbscript:x", "", None, 42,
])
def test_other_urls_stay_text(url: Any) -> None:
    assert link_target(url) is None
    assert "<a" not in str(link_html(url, "x"))


def test_hostile_text_stays_text_in_the_markup(rich_report: Report) -> None:
    report = poisoned(rich_report)
    page = render(report)
    tree = lxml.html.document_fromstring(page)
    assert tree.xpath("//script") == [] and tree.xpath("//img") == []
    assert tree.xpath("//@onerror") == []
    assert [h.text_content() for h in tree.xpath("//h1")] == [report.title]
    assert all(not href.lower().startswith("javascript") for href in tree.xpath("//@href"))
    assert len(tree.xpath("//style")) == 1
    assert page.count("{{ 7*7 }}") > 100 and "</style>" not in page.split("</style>", 1)[0]


@given(st.tuples(*[st.integers(0, 255)] * 3), st.tuples(*[st.integers(0, 255)] * 3))
def test_any_theme_colour_yields_readable_text(primary: Any, accent: Any) -> None:
    variables = dict(Theme(primary=primary, accent=accent).css_variables)

    def rgb(name: str) -> tuple[int, int, int]:
        value = variables[name]
        return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))

    white = (255, 255, 255)
    assert contrast(rgb("--cr-on-primary"), rgb("--cr-primary")) >= 4.5
    assert contrast(rgb("--cr-on-accent"), rgb("--cr-accent")) >= 4.5
    assert contrast(rgb("--cr-primary-ink"), white) >= 4.5
    assert contrast(rgb("--cr-accent-ink"), white) >= 4.5
    for background in ("--cr-primary-tint", "--cr-surface"):
        assert contrast(rgb("--cr-primary-ink"), rgb(background)) >= 4.5
    assert contrast(rgb("--cr-accent-ink"), rgb("--cr-surface")) >= 4.5


@given(st.text())
def test_css_strings_cannot_break_out_of_the_stylesheet(value: str) -> None:
    quoted = str(css_string(value))
    assert re.fullmatch(r'"(?:[^\W_]|[ ]|\\[0-9a-f]{6})*"', quoted)


@pytest.mark.parametrize(("option", "value"), [
    ("primary", "#005a9c"), ("primary", "#05A"), ("accent", "Navy"), ("accent", " teal "),
])
def test_theme_colours_become_css_custom_properties(example_report: Report, option: str,
                                                    value: str) -> None:
    page = render(example_report, theme={option: value})
    expected = Theme(**{option: _rgb_of(value)}).css_variables
    for name, css_value in expected:
        assert f"{name}: {css_value};" in page


def _rgb_of(value: str) -> tuple[int, int, int]:
    named = {"navy": (0, 0, 128), "teal": (0, 128, 128)}
    text = value.strip().lower()
    if text in named:
        return named[text]
    digits = text[1:] if len(text) == 7 else "".join(c * 2 for c in text[1:])
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


@pytest.mark.parametrize("value", [
    "red; } body { display: none", "#fff;background:url(https://evil.example/)", "var(--x)",
    "expression(alert(1))", "rgb(0 0 0)", "#12345", "#gggggg", "transparent", "currentColor",
    "", "</style><script>alert(1)</script>",
])
def test_theme_colours_that_are_not_plain_colours_are_refused(example_report: Report,
                                                             value: str) -> None:
    with pytest.raises(RenderError, match="not a colour"):
        render(example_report, theme={"primary": value})


def test_theme_options_are_checked(example_report: Report) -> None:
    # Declared options: a misspelt or ill-typed one names the format and what it takes.
    with pytest.raises(RenderError, match=r"unknown option 'theme.primay': format 'html' "
                       r"takes theme\.primary \(text\), theme\.accent"):
        render(example_report, theme={"primay": "#000"})
    with pytest.raises(RenderError, match="unknown option 'theme'"):
        render(example_report, theme="#005a9c")
    with pytest.raises(RenderError, match=r"option 'theme\.accent' of format 'html' must be "
                       r"text, not 12"):
        render(example_report, theme={"accent": 12})
    with pytest.raises(RenderError, match="'12', which is not a colour"):
        render(example_report, theme={"accent": "12"})


def test_logo_is_embedded_as_a_data_uri(example_report: Report, tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "logo.png").write_bytes(tiny_png())
    page = render(example_report, theme={"logo": "images/logo.png"}, base_dir=tmp_path)
    tree = lxml.html.document_fromstring(page)
    (src,) = tree.xpath("//header//img/@src")
    import base64

    assert src == "data:image/png;base64," + base64.b64encode(tiny_png()).decode()


def _svg_logo_folder() -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="civicrecord-logo-"))
    (folder / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="8" '
                                     'height="8"><rect width="8" height="8"/></svg>')
    return folder


@pytest.fixture
def report_folder(tmp_path: Path) -> Iterator[Path]:
    """A report folder with a logo inside and a secret file beside it."""
    folder = tmp_path / "report"
    folder.mkdir()
    (folder / "logo.png").write_bytes(tiny_png())
    (tmp_path / "secret.png").write_bytes(tiny_png())
    yield folder


@pytest.mark.parametrize(("logo", "message"), [
    ("../secret.png", r"leaves the report folder \('\.\.'\)"),
    ("sub/../../secret.png", r"leaves the report folder"),
    ("..\\secret.png", r"leaves the report folder"),
    ("/etc/passwd", "absolute path"),
    ("C:/Windows/logo.png", "absolute path"),
    ("missing.png", "was not found"),
    ("", "must be a file path"),
])
def test_logo_paths_stay_inside_the_report_folder(example_report: Report, report_folder: Path,
                                                  logo: str, message: str) -> None:
    with pytest.raises(RenderError, match=message):
        render(example_report, theme={"logo": logo}, base_dir=report_folder)


def test_absolute_logo_path_into_the_folder_is_still_refused(example_report: Report,
                                                              report_folder: Path) -> None:
    with pytest.raises(RenderError, match="absolute path"):
        render(example_report, theme={"logo": str(report_folder / "logo.png")},
               base_dir=report_folder)


def test_symlink_out_of_the_report_folder_is_refused(example_report: Report,
                                                     report_folder: Path) -> None:
    (report_folder / "logo-link.png").symlink_to(report_folder.parent / "secret.png")
    (report_folder / "assets").symlink_to(report_folder.parent, target_is_directory=True)
    for logo in ("logo-link.png", "assets/secret.png"):
        with pytest.raises(RenderError, match="symbolic link"):
            render(example_report, theme={"logo": logo}, base_dir=report_folder)


def test_symlink_inside_the_report_folder_is_fine(example_report: Report,
                                                  report_folder: Path) -> None:
    (report_folder / "alias.png").symlink_to(report_folder / "logo.png")
    assert "data:image/png;base64," in render(example_report, theme={"logo": "alias.png"},
                                              base_dir=report_folder)


def test_logo_must_be_an_image_of_the_type_it_claims(example_report: Report,
                                                     report_folder: Path) -> None:
    (report_folder / "notes.txt").write_text("hello")
    (report_folder / "fake.png").write_text("<svg onload=alert(1)>")
    with pytest.raises(RenderError, match="not an image"):
        render(example_report, theme={"logo": "notes.txt"}, base_dir=report_folder)
    with pytest.raises(RenderError, match="does not contain a image/png"):
        render(example_report, theme={"logo": "fake.png"}, base_dir=report_folder)


def test_logo_needs_the_report_folder(example_report: Report) -> None:
    with pytest.raises(RenderError, match="base_dir"):
        render(example_report, theme={"logo": "logo.png"})


def test_a_user_template_overrides_one_block(example_report: Report, tmp_path: Path) -> None:
    (tmp_path / "report.html.j2").write_text(
        '{% extends "base.html.j2" %}\n'
        "{% block footer %}<footer><p>Mairie de quartier : 04 79 00 00 00</p></footer>"
        "{% endblock %}\n"
        '{% block extra_css %}.site-header { border-bottom-width: 12px; }{% endblock %}\n')
    page = render(example_report, template_dir=tmp_path)
    assert "Mairie de quartier : 04 79 00 00 00" in page
    assert ".site-header { border-bottom-width: 12px; }" in page
    assert "civicrecord " not in page.split("<footer", 1)[1]  # the built-in footer is gone
    assert page.count("<h2") == render(example_report).count("<h2")  # the rest is untouched


def test_a_user_partial_extends_the_builtin_one(example_report: Report, tmp_path: Path) -> None:
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "axis.html.j2").write_text(
        '{% extends "civicrecord/partials/axis.html.j2" %}\n'
        '{% block axis_outcome %}<p class="verdict">Bilan : {{ axis.outcome }}</p>'
        "{% endblock %}\n")
    tree = lxml.html.document_fromstring(render(example_report, template_dir=tmp_path))
    verdicts = [p.text_content() for p in tree.xpath("//p[@class='verdict']")]
    assert verdicts == [f"Bilan : {axis.outcome}" for axis in example_report.axes]
    assert tree.xpath("//div[@class='axis__outcome']") == []
    assert len(tree.xpath("//section[contains(@class,'axis')]//article")) == sum(
        len(axis.actions) for axis in example_report.axes)


@pytest.mark.parametrize(("template", "message"), [
    ("{% extends 'base.html.j2' %}{% block footer %}{% endblok %}",
     r"report\.html\.j2, line 1"),
    ("{{ remember('{0.__class__.__mro__}'.format)(report) }}", "takes a macro"),
    ("{{ report.__class__.__mro__ }}", "SecurityError|unsafe"),
    ("{% include 'partials/nothing.html.j2' %}", "'partials/nothing.html.j2' not found"),
    ("{{ t.no_such_label }}", "UndefinedError"),
])
def test_broken_user_templates_give_a_render_error(example_report: Report, tmp_path: Path,
                                                   template: str, message: str) -> None:
    (tmp_path / "report.html.j2").write_text(template)
    with pytest.raises(RenderError, match=message):
        render(example_report, template_dir=tmp_path)


def test_the_override_examples_in_the_theming_guide_work(example_report: Report,
                                                        tmp_path: Path) -> None:
    guide = (Path(__file__).parent.parent / "docs" / "theming-html.md").read_text()
    examples = re.findall(r"`my-templates/([\w./-]+)`:\n\n```jinja\n(.*?)```", guide, re.S)
    assert [name for name, _ in examples] == ["report.html.j2", "partials/axis.html.j2"]
    for name, template in examples:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(template)
    tree = lxml.html.document_fromstring(render(example_report, template_dir=tmp_path))
    assert tree.xpath("//aside[@class='contact']/p/text()") == [
        "Mairie de quartier des Hauts : 04 79 00 00 00"]
    assert tree.xpath("//footer[@class='site-footer']")  # super() kept the built-in footer
    back_links = tree.xpath("//div[@class='axis__outcome']//a/@href")
    assert back_links == ["#contents"] * len(example_report.axes)
    assert tree.xpath("//nav[@id='contents']")


def test_missing_template_folder_is_a_render_error(example_report: Report,
                                                   tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="does not exist"):
        render(example_report, template_dir=tmp_path / "nope")


def test_a_template_edited_between_two_renders_is_used(example_report: Report,
                                                       tmp_path: Path) -> None:
    """Compiled templates are kept between renders, never past an edit of their file."""
    override = tmp_path / "partials" / "footer.html.j2"
    override.parent.mkdir()
    override.write_text("<footer>first</footer>")
    assert "<footer>first</footer>" in render(example_report, template_dir=tmp_path)
    override.write_text("<footer>second</footer>")
    later = override.stat().st_mtime + 5  # a coarse file system may not see the edit's time
    os.utime(override, (later, later))
    page = render(example_report, template_dir=tmp_path)
    assert "<footer>second</footer>" in page and "first" not in page


def test_templates_read_labels_as_attributes_and_items() -> None:
    labels = Labels(LABELS["fr"])
    assert labels == LABELS["fr"] and dict(labels) == dict(LABELS["fr"])
    assert labels.need == labels["need"] == LABELS["fr"]["need"]
    assert labels["per-year"] == "par an"
    page = jinja2.Environment().from_string('{{ t.contents }}|{{ t["as-of"] }}').render(t=labels)
    assert page == "Sommaire|au"


def test_a_template_cannot_change_what_the_next_render_sees(example_report: Report,
                                                            tmp_path: Path) -> None:
    """Globals outlive a render: labels and colours are read-only to templates."""
    (tmp_path / "report.html.j2").write_text(
        '{% set _ = t.update({"contents": "HACKED"}) %}'
        '{% set _ = status_colours.update({"done": "red"}) %}{% extends "base.html.j2" %}')
    with pytest.raises(RenderError):
        render(example_report, template_dir=tmp_path)
    (tmp_path / "report.html.j2").write_text('{% extends "base.html.j2" %}')
    for page in (render(example_report, template_dir=tmp_path), render(example_report)):
        assert "HACKED" not in page
        assert f"--cr-status-done: {STATUS_COLOURS[ActionStatus.DONE]};" in page


def test_an_overriding_macros_file_is_used_by_every_partial(example_report: Report,
                                                            tmp_path: Path) -> None:
    """Macros answered from memory (status badges) and text still follow an override."""
    builtin = (BUILTIN_TEMPLATES / "macros.html.j2").read_text()
    (tmp_path / "macros.html.j2").write_text(
        builtin.replace('{% set status_badge = remember(status_badge) %}', "")
        .replace('<span class="status__label">', '<span class="status__label mine">')
        .replace("{% set text = text_html %}",
                 "{% macro text(value) %}<p class=\"mine\">{{ value }}</p>{% endmacro %}"))
    tree = lxml.html.document_fromstring(render(example_report, template_dir=tmp_path))
    actions = [action for axis in example_report.axes for action in axis.actions]
    labels = tree.xpath("//article//span[@class='status__label mine']/text()")
    assert labels == [presenter_for("fr").status(action.status) for action in actions]
    descriptions = tree.xpath("//div[@class='action__description']/p[@class='mine']/text()")
    assert descriptions == [action.description for action in actions]


# What a new process does with the template cache is seen in new processes: each
# render below runs in one, and counts the templates it had to compile.
_RENDER_COUNTING_COMPILES = """
import json, sys
import jinja2
import civicrecord

compiled = []
original = jinja2.Environment.compile


def compile_and_count(self, *args, **kwargs):
    compiled.append(1)
    return original(self, *args, **kwargs)


jinja2.Environment.compile = compile_and_count
report_folder, template_dir = sys.argv[1:]
report = civicrecord.load(report_folder)
try:
    page = civicrecord.render(report, "html", template_dir=template_dir or None).decode()
    print(json.dumps({"page": page, "compiled": len(compiled)}))
except civicrecord.RenderError as error:
    print(json.dumps({"error": str(error), "compiled": len(compiled)}))
"""


def _render_in_new_process(cache: Path | str, template_dir: Path | None = None
                           ) -> dict[str, Any]:
    """The example rendered to HTML by a new process using ``cache`` (its page or error,
    and how many templates it compiled)."""
    environment = {**os.environ, CACHE_DIR_VARIABLE: str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", _RENDER_COUNTING_COMPILES, str(EXAMPLE), str(template_dir or "")],
        capture_output=True, text=True, env=environment, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.fixture
def template_cache(tmp_path: Path) -> Path:
    """A cache folder of the test's own, empty."""
    return tmp_path / "cache"


def test_compiled_templates_are_kept_for_the_next_process(template_cache: Path) -> None:
    first = _render_in_new_process(template_cache)
    kept = sorted(template_cache.glob("jinja2/*.cache"))
    assert len(kept) == len(list(BUILTIN_TEMPLATES.rglob("*.j2"))) == first["compiled"]
    assert stat.S_IMODE((template_cache / "jinja2").stat().st_mode) == 0o700
    second = _render_in_new_process(template_cache)
    assert second["page"] == first["page"]
    assert second["compiled"] == 0  # every template came from the cache


def test_the_cache_never_serves_a_stale_user_template(template_cache: Path,
                                                      tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    (templates / "partials").mkdir(parents=True)
    footer = templates / "partials" / "footer.html.j2"
    footer.write_text("<footer>old</footer>")
    moment = footer.stat().st_mtime
    assert "<footer>old</footer>" in _render_in_new_process(template_cache, templates)["page"]
    footer.write_text("<footer>new</footer>")  # same size, and the same time below
    os.utime(footer, (moment, moment))
    page = _render_in_new_process(template_cache, templates)["page"]
    assert "<footer>new</footer>" in page and "<footer>old</footer>" not in page


def test_sandboxed_and_plain_templates_are_cached_apart(template_cache: Path,
                                                        tmp_path: Path) -> None:
    """The sandbox compiles calls differently: its code must never run unsandboxed."""
    _render_in_new_process(template_cache)
    plain = {path.name.split("-")[0] for path in template_cache.glob("jinja2/*.cache")}
    (tmp_path / "templates").mkdir()
    _render_in_new_process(template_cache, tmp_path / "templates")
    both = {path.name.split("-")[0] for path in template_cache.glob("jinja2/*.cache")}
    assert len(plain) == 1 and len(both) == 2
    (tmp_path / "templates" / "report.html.j2").write_text("{{ report.__class__.__mro__ }}")
    failed = _render_in_new_process(template_cache, tmp_path / "templates")
    assert re.search(r"SecurityError|unsafe", failed["error"])


@pytest.mark.parametrize("problem", ["not a folder", "open to others", "damaged files",
                                     "disabled"])
def test_an_unusable_cache_is_harmless(example_report: Report, template_cache: Path,
                                       problem: str) -> None:
    expected = render(example_report)
    _render_in_new_process(template_cache)
    used: Path | str = template_cache
    if problem == "not a folder":
        blocker = template_cache.parent / "file"
        blocker.write_text("")
        used = blocker / "cache"
    elif problem == "open to others":
        (template_cache / "jinja2").chmod(0o777)
    elif problem == "damaged files":
        for path in template_cache.glob("jinja2/*.cache"):
            path.write_bytes(path.read_bytes()[:40] + b"\x00garbage")
    else:
        used = ""
    before = {path: path.read_bytes() for path in template_cache.glob("jinja2/*.cache")}
    assert _render_in_new_process(used)["page"] == expected
    if problem in ("open to others", "not a folder", "disabled"):  # nothing read or written
        assert {path: path.read_bytes()
                for path in template_cache.glob("jinja2/*.cache")} == before


@given(st.one_of(st.none(), st.text(), st.sampled_from([
    "https://www.chambery.fr/?a=1&b=\"2\"", "javascript:alert(1)", "http://x.org/<b>"])),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))))
def test_links_go_to_allowed_addresses_only_and_escape_everything(url: Any, label: str) -> None:
    fragment = str(link_html(url, label))
    wrapper = lxml.html.fragment_fromstring(f"<span>{fragment}</span>")
    assert wrapper.text_content() == label
    anchors = wrapper.xpath("a")
    if link_target(url) is None:
        assert anchors == [] and len(wrapper) == 0
    else:
        assert [anchor.get("href") for anchor in anchors] == [link_target(url)]


_TEXTS = st.lists(st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=8),
    st.sampled_from(["\n", "\n\n", "\r\n", "- ", "* ", "• ", "<b>", "&amp;", '"', " "]),
)).map("".join)


@given(_TEXTS, st.sampled_from(["", "lead", '"><b>']))
def test_text_becomes_its_paragraphs_and_lists_escaped(value: str, css_class: str) -> None:
    fragment = str(text_html(value, **{"class": css_class}))
    expected = blocks(value)
    if not expected:
        assert fragment == ""
        return
    parsed = lxml.html.fragments_fromstring(fragment)
    assert [element.tag for element in parsed] == [
        "ul" if block.kind == "bullets" else "p" for block in expected]
    for element, block in zip(parsed, expected, strict=True):
        assert element.get("class") == (css_class or None)
        if block.kind == "bullets":
            assert [item.text_content() for item in element] == list(block.lines)
        else:
            assert element.text_content() == block.text


def test_cli_renders_html_with_theme_options(example_dir: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "report"
    import shutil

    shutil.copytree(example_dir, folder)
    (folder / "logo.png").write_bytes(tiny_png())
    status = main(["render", str(folder), "-f", "html", "-o", str(tmp_path / "out"),
                   "-O", "theme.primary=#005a9c", "-O", "theme.logo=logo.png"])
    assert status == 0, capsys.readouterr().err
    page = (tmp_path / "out" / "hauts-de-chambery-2020-2026.html").read_text()
    assert "--cr-primary: #005a9c;" in page and "data:image/png;base64," in page
    status = main(["render", str(folder), "-f", "html", "-o", str(tmp_path / "out"),
                   "-O", "theme.primary=red;}*{x:y"])
    assert status == 1 and "not a colour" in capsys.readouterr().err


# --- In Chromium ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    with chromium(chromium_path) as launched:
        yield launched


@pytest.fixture(scope="module")
def example_html(example_report: Report) -> str:
    return render(example_report)


@pytest.mark.chromium
def test_browser_sees_the_structure_without_errors_or_requests(
        browser: Any, example_report: Report, example_html: str) -> None:
    presenter = presenter_for(example_report.language)
    with open_page(browser, example_html) as watch:
        page = watch.page
        assert page.evaluate("document.documentElement.lang") == "fr-FR"
        assert page.locator("h1").all_inner_texts() == [example_report.title]
        assert page.locator("section.axis h2").all_text_contents() == [
            axis.title for axis in example_report.axes]
        h2 = page.locator("h2").all_text_contents()
        assert h2 == [presenter.label(key) for key in ("contents", "introduction",
                                                       "key_figures", "status_overview")] + [
            axis.title for axis in example_report.axes] + [presenter.label("partners"),
                                                           presenter.label("programmes")]
        for landmark in ("body > header", "nav", "main", "body > footer"):
            assert page.locator(landmark).count() == 1, landmark
        text = squash(page.inner_text("body"))
        for _, _, indicator in example_report.indicators():
            assert presenter.indicator_phrase(indicator) in text
        cards = page.locator("section.axis .figure-card")
        assert cards.count() == sum(1 for _ in example_report.indicators())
        chart_counts = page.locator(".chart-row").evaluate_all(
            "rows => rows.map(r => [...r.querySelectorAll('.count strong')]"
            ".map(s => Number(s.textContent)).reduce((a, b) => a + b, 0))")
        assert chart_counts == [len(axis.actions) for axis in example_report.axes]
        assert page.locator(".chart-row svg rect.bar").count() == sum(
            len(row.segments) for row in status_chart(example_report).rows)
        assert page.locator("svg.chart-row__bar").first.bounding_box()["height"] > 10
        assert watch.console_errors == [] and watch.page_errors == []
        assert watch.requests == []


LARKFIELD = Path(__file__).resolve().parent.parent / "examples" / "larkfield"


@pytest.fixture(scope="module")
def larkfield() -> Report:
    return civicrecord.load(LARKFIELD)


@pytest.fixture(scope="module")
def larkfield_html(larkfield: Report) -> str:
    return render(larkfield, base_dir=LARKFIELD)  # its cover picture is read from its folder


def poisoned_larkfield(larkfield: Report) -> Report:
    """Larkfield with hostile texts, its cover's alt text and caption too, but not its path."""
    hostile = poisoned(larkfield)
    assert hostile.cover is not None and larkfield.cover is not None
    return attrs.evolve(hostile, cover=attrs.evolve(hostile.cover, path=larkfield.cover.path))


@pytest.mark.chromium
@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("example", ["hauts_de_chambery", "larkfield"])
def test_axe_finds_no_wcag_aa_violation(browser: Any, example_html: str, larkfield_html: str,
                                        width: int, example: str) -> None:
    html = larkfield_html if example == "larkfield" else example_html
    with open_page(browser, html, width=width, bypass_csp=True) as watch:
        results = run_axe(watch.page)
        assert results["violations"] == [], describe_violations(results["violations"])
        assert {"color-contrast", "document-title", "html-has-lang", "list"} <= {
            rule["id"] for rule in results["passes"]}


@pytest.mark.chromium
def test_the_axe_harness_reports_violations(browser: Any) -> None:
    page = ("<!DOCTYPE html><html><title>t</title><main><p style='color:#bbb'>pâle</p>"
            "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw='></main></html>")
    with open_page(browser, page, bypass_csp=True) as watch:
        results = run_axe(watch.page)
    assert results["testEngine"]["name"] == "axe-core"
    assert {"image-alt", "html-has-lang", "color-contrast"} <= {
        rule["id"] for rule in results["violations"]}


@pytest.mark.chromium
def test_axe_finds_no_violation_with_every_status_and_a_pale_theme(
        browser: Any, rich_report: Report) -> None:
    html = render(rich_report, theme={"primary": "lightyellow", "accent": "#fc0"})
    with open_page(browser, html, width=900, bypass_csp=True) as watch:
        results = run_axe(watch.page)
        assert results["violations"] == [], describe_violations(results["violations"])
        assert watch.page.locator(".status").count() == sum(1 for _ in rich_report.actions())


@pytest.mark.chromium
@pytest.mark.parametrize("width", [375, 1280])
def test_no_horizontal_scrolling(browser: Any, example_html: str, rich_report: Report,
                                 larkfield: Report, width: int) -> None:
    for html in (example_html, render(poisoned(rich_report)),
                 render(larkfield, base_dir=LARKFIELD),
                 render(poisoned_larkfield(larkfield), base_dir=LARKFIELD)):
        with open_page(browser, html, width=width) as watch:
            scroll, inner = watch.page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]")
            assert scroll <= inner


@pytest.mark.chromium
@pytest.mark.parametrize("width", [375, 1280])
def test_change_charts_have_their_text_alternative_and_fit(browser: Any, larkfield: Report,
                                                           larkfield_html: str,
                                                           width: int) -> None:
    """Each figure with a baseline, target or series has its chart, named by its text
    alternative; the change is also written out; charts fit the screen and the page."""
    from civicrecord.change import has_change_data
    from civicrecord.charts import chart_alt_text

    presenter = presenter_for(larkfield.language)
    changing = [i for _, _, i in larkfield.indicators() if has_change_data(i)]
    with open_page(browser, larkfield_html, width=width) as watch:
        page = watch.page
        charts = page.get_by_role("img").filter(has=page.locator("title"))  # not the cover
        names = [charts.nth(n).evaluate("e => e.querySelector('title').textContent")
                 for n in range(charts.count())]
        assert names == [chart_alt_text(i, presenter) for i in changing]
        for indicator in changing:
            card = page.locator(f"#figure-{indicator.id}")
            change = presenter.change_sentence(indicator)
            if change:
                assert squash(card.locator(".figure-card__change").inner_text()) == change
            box = card.locator("svg.cr-chart").bounding_box()
            assert box is not None and 100 < box["width"] <= width
        what = page.locator("#what-changed li")
        assert what.count() == len(changing)
        for medium in ("screen", "print"):
            page.emulate_media(media=medium)
            box = page.locator("svg.cr-chart").first.bounding_box()
            assert box is not None and box["width"] > 100, medium
        assert watch.console_errors == [] and watch.page_errors == []


@pytest.mark.chromium
def test_the_page_watch_sees_requests_dialogs_and_errors(browser: Any) -> None:
    page = ("<!DOCTYPE html><title>t</title><img alt='' src='https://example.invalid/a.png'>"
            "<script>alert('hi'); console.error('oops'); undefinedName();</script>")
    with open_page(browser, page) as watch:
        watch.page.wait_for_timeout(100)
    assert watch.requests == ["https://example.invalid/a.png"]
    assert watch.dialogs == ["alert: hi"] and "oops" in watch.console_errors
    assert any("undefinedName" in error for error in watch.page_errors)


@pytest.mark.chromium
def test_hostile_text_shows_literally_and_runs_nothing(browser: Any, rich_report: Report) -> None:
    report = poisoned(rich_report)
    # Bypass the page's Content-Security-Policy: escaping alone must stop the payloads.
    with open_page(browser, render(report), bypass_csp=True) as watch:
        page = watch.page
        page.wait_for_timeout(200)
        assert watch.dialogs == []
        assert page.evaluate("document.querySelectorAll('script, img, [onerror]').length") == 0
        assert page.evaluate("[...document.links].every(a => a.protocol === 'https:' || "
                             "a.getAttribute('href').startsWith('#'))")
        assert page.locator("h1").text_content() == report.title
        assert page.locator("section.axis h2").all_text_contents() == [
            axis.title for axis in report.axes]
        assert page.locator("article.action h4").all_text_contents() == [
            action.title for _, action in report.actions()]
        text = page.inner_text("body")
        presenter = presenter_for(report.language)
        for _, _, indicator in report.indicators():
            assert presenter.indicator_phrase(indicator) in squash(text)
        assert text.count(PAYLOAD) > 100
        assert "49" not in page.locator("h1").text_content()
        assert watch.requests == [] and watch.page_errors == []


@pytest.mark.chromium
def test_theme_and_logo_take_effect(browser: Any, example_report: Report,
                                    report_folder: Path) -> None:
    html = render(example_report, theme={"primary": "#005a9c", "logo": "logo.png"},
                  base_dir=report_folder)
    with open_page(browser, html) as watch:
        page = watch.page
        assert page.evaluate("getComputedStyle(document.documentElement)"
                             ".getPropertyValue('--cr-primary').trim()") == "#005a9c"
        assert page.evaluate("getComputedStyle(document.querySelector('.site-header'))"
                             ".backgroundColor") == "rgb(0, 90, 156)"
        assert page.evaluate("document.querySelector('.site-header img').naturalWidth") == 4
        assert watch.requests == [] and watch.console_errors == []


@pytest.mark.chromium
def test_named_colours_match_the_browsers(browser: Any) -> None:
    with open_page(browser, "<!DOCTYPE html><title>c</title><p id=p>x</p>") as watch:
        computed = watch.page.evaluate(
            "names => Object.fromEntries(names.map(n => { const p = document.getElementById('p');"
            " p.style.color = n; return [n, getComputedStyle(p).color]; }))",
            list(NAMED_COLOURS))
    for name, value in NAMED_COLOURS.items():
        r, g, b = (int(value[i:i + 2], 16) for i in (0, 2, 4))
        assert computed[name] == f"rgb({r}, {g}, {b})", name


@pytest.mark.chromium
def test_print_layout(browser: Any, example_report: Report, example_html: str,
                      build_dir: Path) -> None:
    with open_page(browser, example_html, media="print") as watch:
        page = watch.page
        assert page.evaluate("getComputedStyle(document.querySelector('nav')).display") == "none"
        breaks = page.locator("section.axis").evaluate_all(
            "s => s.map(e => getComputedStyle(e).breakBefore)")
        assert breaks == ["page"] * len(example_report.axes)
        assert set(page.locator(".figure-card").evaluate_all(
            "s => s.map(e => getComputedStyle(e).breakInside)")) == {"avoid"}
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (build_dir / "screenshots").mkdir(exist_ok=True)
    (build_dir / "screenshots" / "html-print.pdf").write_bytes(pdf)
    sizes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    pages = len(sizes)
    assert pages > len(example_report.axes)
    width, height = (float(v) for v in sizes[0])
    assert width == pytest.approx(595, abs=2) and height == pytest.approx(842, abs=2)  # A4


@pytest.mark.chromium
@pytest.mark.parametrize("width", [1280, 375])
def test_screenshots_for_people(browser: Any, example_report: Report, build_dir: Path,
                                width: int) -> None:
    html = render(example_report)
    with open_page(browser, html, width=width) as watch:
        path = screenshot(watch.page, build_dir / "screenshots" / f"html-{width}.png")
    header = path.read_bytes()[:24]
    assert header.startswith(b"\x89PNG") and struct.unpack(">I", header[16:20])[0] == width
