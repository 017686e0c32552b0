"""civicrecord-pdf: the Typst brochure read back with poppler-utils.

pdftotext gives the text (every axis, action and figure, in reading order, and
the page each axis starts on), pdfinfo the page size, count, tagging and
metadata, pdffonts the fonts (all embedded, none from the machine).
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tomllib
import unicodedata
import zlib
from importlib import metadata
from importlib.resources import files
from pathlib import Path

import attrs
import civicrecord_pdf
import pytest
from civicrecord_pdf.brochure import compile_inputs, font_paths
from civicrecord_pdf.data import brochure_data

import civicrecord
from civicrecord.model import PartialDate, Report
from civicrecord.plugins import PluginSet, load_plugins
from civicrecord.presentation import presenter_for
from civicrecord.renderer import RenderContext, RenderError

REPO = Path(__file__).resolve().parents[3]
REPO_EXAMPLE = REPO / "examples" / "hauts_de_chambery"
PACKAGED_EXAMPLE = Path(str(files("civicrecord") / "examples" / "hauts_de_chambery"))
EXAMPLE = REPO_EXAMPLE if REPO_EXAMPLE.is_dir() else PACKAGED_EXAMPLE
HOSTILE = REPO / "tests" / "hostile"


def _png(width: int, height: int) -> bytes:
    """A plain red PNG, written by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xc8\x10\x2e" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


PNG = _png(40, 20)

#: Typst's own syntax: markup, code, math, labels, references, raw, escapes, comments.
TYPST_PAYLOADS = [
    "#set page(fill: red) #pagebreak() #read(\"/etc/passwd\")",
    "#{ panic(\"typst-code-ran\") }",
    "$x^2 + y_1$ and $$",
    "*bold* _emph_ `raw` ```py print(1)```",
    "@intro <label> #label(\"x\") #ref(<x>)",
    "\\ \\# \\u{41} ] ) } [ ( {",
    "// line comment /* block comment */ end",
    "= Heading? - list + enum / term: description ~ -- --- ...",
    "#import \"@preview/cetz:0.3.0\": * #include \"/report.yaml\"",
]


def _injection_payloads() -> list[str]:
    """The HTML and Word injection corpus of tests/test_injection.py, read, not imported."""
    source = REPO / "tests" / "test_injection.py"
    if not source.is_file():
        return []
    for node in ast.parse(source.read_text("utf-8")).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "PAYLOADS"
                for target in node.targets):
            payloads = ast.literal_eval(node.value)
            assert isinstance(payloads, list)
            return [str(payload) for payload in payloads]
    raise AssertionError("tests/test_injection.py has no PAYLOADS list")


PAYLOADS = _injection_payloads() + TYPST_PAYLOADS
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Fields that hold codes and cannot carry text (the validator would refuse a payload).
_CODES = {"language", "unit", "currency", "id", "url", "places", "partners", "programmes"}


def poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found:
        return found
    message = f"{tool} not found: install the Debian package 'poppler-utils'"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{message} (CI=true: a missing tool is a failure, not a skip)")
    pytest.skip(message)


def run(*command: str | Path, env: dict[str, str] | None = None) -> str:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True,
                          check=True, timeout=120, env=env).stdout


def normal(text: str) -> str:
    """Words as a reader sees them: ligatures split, spaces of every kind alike,
    invisible format characters (word joiners, soft hyphens) and hyphens left out
    (pdftotext joins a word cut at a line end, dropping its hyphen)."""
    text = re.sub("[\u00ad-]\\s*", "", unicodedata.normalize("NFKC", text))
    return " ".join("".join(c for c in text if unicodedata.category(c) != "Cf").split())


def poison(value: object, payload: str, name: str = "") -> object:
    """Every free-text field of ``value`` with ``payload`` prepended."""
    if attrs.has(type(value)):
        return attrs.evolve(value, **{  # type: ignore[misc]
            field.name: poison(getattr(value, field.name), payload, field.name)
            for field in attrs.fields(type(value))
        })
    if isinstance(value, tuple):
        return tuple(poison(item, payload, name) for item in value)
    if isinstance(value, str) and name not in _CODES:
        return f"{payload} {value}"
    return value


@pytest.fixture(scope="module")
def plugins() -> PluginSet:
    return load_plugins([civicrecord_pdf], entry_points=False)


@pytest.fixture(scope="module")
def report() -> Report:
    return civicrecord.load(EXAMPLE)


@pytest.fixture(scope="module")
def pdf(report: Report, plugins: PluginSet, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return civicrecord.write(report, "pdf", tmp_path_factory.mktemp("pdf"), plugins=plugins,
                             base_dir=EXAMPLE)


def write_pdf(path: Path, report: Report, plugins: PluginSet, **options: object) -> Path:
    path.write_bytes(civicrecord.render(report, "pdf", plugins=plugins, **options))  # type: ignore[arg-type]
    return path


def all_text(pdf: Path) -> str:
    return normal(run(poppler("pdftotext"), pdf, "-"))


def stream_text(pdf: Path) -> str:
    """The text in the order the PDF draws it (``-raw``): the order Typst lays it out
    and tags it, left column before right, where pdftotext's own guess at columns
    may read two balanced columns across."""
    return normal(run(poppler("pdftotext"), "-raw", pdf, "-"))


def page_text(pdf: Path, page: int) -> str:
    return normal(run(poppler("pdftotext"), "-f", str(page), "-l", str(page), pdf, "-"))


def info(pdf: Path) -> dict[str, str]:
    lines = run(poppler("pdfinfo"), pdf).splitlines()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":")
                                                            for line in lines)}


def page_count(pdf: Path) -> int:
    return int(info(pdf)["Pages"])


# --- the plugin as installed ------------------------------------------------------------


def test_the_plugin_is_found_through_its_entry_point() -> None:
    [entry] = [ep for ep in metadata.entry_points(group="civicrecord") if ep.name == "pdf"]
    assert entry.value == "civicrecord_pdf"
    found = load_plugins(entry_points=True)
    assert found.plugin_of("pdf").distribution == "civicrecord-pdf"
    assert found.renderer("pdf").media_type == "application/pdf"


def test_importing_the_plugin_does_not_import_typst() -> None:
    probe = "import sys, civicrecord_pdf; print('typst' in sys.modules)"
    assert run(sys.executable, "-c", probe).strip() == "False"


def test_weasyprint_is_gone_from_the_plugins_dependencies() -> None:
    requires = metadata.requires("civicrecord-pdf") or []
    assert not [r for r in requires if r.lower().startswith("weasyprint")]
    assert any(r.startswith("typst") for r in requires)


# --- the data the template receives ---------------------------------------------------------


def test_the_template_receives_the_report_as_json_with_the_presenters_phrases(
        report: Report) -> None:
    inputs = compile_inputs(report, RenderContext(language=report.language, base_dir=EXAMPLE))
    assert set(inputs) == {"report", "theme"}
    data = json.loads(inputs["report"])
    assert data == json.loads(json.dumps(brochure_data(report)))
    say = presenter_for(report.language)
    assert data["labels"]["need"] == say.label("need")
    assert data["period"] == say.reporting_period(report.period)
    assert [axis["title"] for axis in data["axes"]] == [axis.title for axis in report.axes]
    phrases = [card["phrase"] for axis in data["axes"] for card in axis["figures"]]
    assert phrases == [say.indicator_phrase(i) for _axis, _action, i in report.indicators()]
    first = report.axes[0].actions[0]
    assert data["axes"][0]["actions"][0]["status_label"] == say.status(first.status)
    # The example's figures have no baseline, target or series: no change chart.
    assert all(card["chart"] is None for card in data["key_figures"])


def test_theme_options_are_the_html_formats_and_checked(report: Report, tmp_path: Path) -> None:
    context = RenderContext(language=report.language,
                            options={"theme": {"primary": "navy", "accent": "#c8102e"}})
    theme = json.loads(compile_inputs(report, context)["theme"])
    assert (theme["primary"], theme["accent"], theme["logo"]) == ("#000080", "#c8102e", None)
    with pytest.raises(RenderError, match="theme"):
        compile_inputs(report, RenderContext(language=report.language,
                                             options={"theme": {"colour": "red"}}))
    with pytest.raises(RenderError, match="not a colour"):
        compile_inputs(report, RenderContext(language=report.language,
                                             options={"theme": {"primary": "red; x"}}))
    with pytest.raises(RenderError, match=r"\.\."):
        compile_inputs(report, RenderContext(language=report.language, base_dir=tmp_path,
                                             options={"theme": {"logo": "../logo.png"}}))


# --- the brochure -----------------------------------------------------------------------------


def test_a4_pages_tagged_pdf_ua_with_title_and_language(pdf: Path, report: Report) -> None:
    assert pdf.read_bytes().startswith(b"%PDF-")
    found = info(pdf)
    assert re.fullmatch(r"595\.\d+ x 841\.\d+ pts \(A4\)", found["Page size"])
    assert found["Title"] == report.title
    assert found["Tagged"] == "yes"
    meta = run(poppler("pdfinfo"), "-meta", pdf)
    assert "<pdfuaid:part>1</pdfuaid:part>" in meta
    assert f"<rdf:li>{report.language}</rdf:li>" in meta  # dc:language


def test_the_example_fits_in_sixteen_pages(pdf: Path, report: Report) -> None:
    assert len(report.axes) + 2 <= page_count(pdf) <= 16


def test_every_font_is_embedded_and_none_comes_from_the_machine(pdf: Path) -> None:
    lines = run(poppler("pdffonts"), pdf).splitlines()[2:]
    assert lines, "the PDF uses no font?"
    shipped = {"NotoSans", "NotoEmoji", "NotoSansSymbols", "DejaVuSansMono",
               "LibertinusSerif", "NewCM", "NewComputerModern"}
    for line in lines:
        columns = line.split()
        assert columns[-5] == "yes", f"font not embedded: {line}"
        assert columns[-3] == "yes", f"no ToUnicode map, text not extractable: {line}"
        family = columns[0].split("+", 1)[-1].split("-")[0]
        assert any(family.startswith(name) for name in shipped), line


def test_fonts_come_from_the_package_and_the_theme_folder_only(tmp_path: Path) -> None:
    import manimgx_fonts  # type: ignore[import-untyped]

    packaged = font_paths(None)
    assert packaged[0] == str(Path(manimgx_fonts.__file__).parent)
    assert all("manimgx_fonts" in Path(folder).name for folder in packaged)
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "City.otf").write_bytes(b"")
    assert font_paths(tmp_path) == [*packaged, str(tmp_path / "fonts")]


def test_every_name_of_the_example_is_in_the_text(pdf: Path, report: Report) -> None:
    text = all_text(pdf)
    names = [report.title, report.authority.name, report.neighbourhood.name,
             *(place.name for place in report.neighbourhood.places),
             *(partner.name for partner in report.partners),
             *(programme.name for programme in report.programmes)]
    missing = [name for name in names if normal(name) not in text]
    assert missing == []


def test_every_axis_action_and_figure_is_in_the_text_in_reading_order(
        pdf: Path, report: Report) -> None:
    text = stream_text(pdf)
    say = presenter_for(report.language)
    # Start after the contents and the key figures, which name the axes first.
    position = text.find(normal(report.axes[0].need))
    assert position > 0
    for axis in report.axes:
        found = text.find(normal(axis.title), position - len(normal(axis.title)) - 400)
        assert found >= 0, axis.title
        position = text.find(normal(axis.need), found)
        assert position > found, axis.title
        for action in axis.actions:
            found = text.find(normal(action.title), position)
            assert found > 0, action.title
            position = found
        for indicator in (*axis.indicators, *(i for a in axis.actions for i in a.indicators)):
            assert normal(say.indicator_phrase(indicator)) in text[found:], indicator.id


def test_the_cover_then_the_contents_with_each_axiss_real_page(pdf: Path,
                                                               report: Report) -> None:
    cover = page_text(pdf, 1)
    assert normal(report.title) in cover and "Page" not in cover
    if report.subtitle:
        assert normal(report.subtitle) in cover
    assert normal(report.authority.name) in cover
    say = presenter_for(report.language)
    contents = page_text(pdf, 2)
    assert contents.find(normal(say.label("contents"))) < contents.find(
        normal(report.axes[0].title))
    pages = page_count(pdf)
    previous = 2
    for axis in report.axes:
        # Leaders may touch the title and the number or not, depending on the font.
        entry = re.search(re.escape(normal(axis.title)) + r"[\s.]*?(\d+)(?:\s|$)", contents)
        assert entry is not None, f"no page number for {axis.title!r} in {contents!r}"
        page = int(entry[1])
        assert previous < page <= pages
        assert normal(axis.title) in page_text(pdf, page), (axis.title, page)
        # The axis opens its page: nothing of the previous axis is on it.
        assert page_text(pdf, page).find(normal(axis.title)) < 200
        previous = page


def _fill(pdf: Path) -> list[float]:
    """How far down each page its text goes, between the header and the footer (0 to 1)."""
    layout = run(poppler("pdftotext"), "-bbox-layout", pdf, "-")
    fills = []
    for page in re.findall(r"<page [^>]*>.*?</page>", layout, re.DOTALL):
        height = float(re.search(r'height="([\d.]+)"', page)[1])  # type: ignore[index]
        top, bottom = 20 / 25.4 * 72, height - 18 / 25.4 * 72  # the page's margins
        lowest = max((float(y) for y in re.findall(r'<block [^>]*yMax="([\d.]+)"', page)
                      if top < float(y) < bottom), default=top)
        fills.append((lowest - top) / (bottom - top))
    return fills


def test_no_page_is_less_than_a_third_full_but_the_cover_and_ends_of_axes(
        pdf: Path, report: Report) -> None:
    contents = page_text(pdf, 2)
    say = presenter_for(report.language)
    starts = []
    for title in [axis.title for axis in report.axes] + [say.label("partners")]:
        entry = re.search(re.escape(normal(title)) + r"[\s.]*?(\d+)(?:\s|$)", contents)
        assert entry is not None, title
        starts.append(int(entry[1]))
    fills = _fill(pdf)
    # An axis ends on the page before the next one (or the partners) opens; the
    # document ends on its last page. The page before the first axis is no end.
    ends = {start - 1 for start in starts[1:]} | {len(fills)}
    short = [(page, round(fill, 2)) for page, fill in enumerate(fills, start=1)
             if page != 1 and page not in ends and fill < 1 / 3]
    assert short == []


def test_pages_after_the_cover_are_numbered_n_of_m(pdf: Path) -> None:
    pages = page_count(pdf)
    for page in range(2, pages + 1):
        assert f"Page {page} / {pages}" in page_text(pdf, page), page


def test_same_bytes_from_two_processes(report: Report, tmp_path: Path) -> None:
    outputs = []
    for name in ("one", "two"):
        run(Path(sys.executable).parent / "civicrecord", "render", EXAMPLE, "-f", "pdf",
            "-o", tmp_path / name)
        outputs.append(next((tmp_path / name).glob("*.pdf")).read_bytes())
    assert outputs[0] == outputs[1]


def test_the_creation_date_is_the_reports_or_source_date_epoch(
        report: Report, plugins: PluginSet, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    published = attrs.evolve(report, published=PartialDate(2026, 3, 14))
    found = info(write_pdf(tmp_path / "a.pdf", published, plugins))
    assert "Mar 14" in found["CreationDate"] and "2026" in found["CreationDate"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 14 November 2023
    found = info(write_pdf(tmp_path / "b.pdf", published, plugins))
    assert "Nov 14" in found["CreationDate"] and "2023" in found["CreationDate"]


def test_what_changed_and_the_change_charts_are_in_the_brochure(plugins: PluginSet,
                                                                tmp_path: Path) -> None:
    from civicrecord.change import has_change_data

    english = REPO / "examples" / "larkfield"
    if not english.is_dir():
        pytest.skip("the English example is not in this checkout")
    report = civicrecord.load(english)
    data = brochure_data(report)
    cards = {card["id"]: card for axis in data["axes"] for card in axis["figures"]}
    say = presenter_for(report.language)
    changing = [i for _axis, _action, i in report.indicators() if has_change_data(i)]
    assert changing, "the English example has figures that change"
    for indicator in changing:
        card = cards[indicator.id]
        assert card["chart"].startswith("<svg") and card["chart_alt"], indicator.id
    text = all_text(write_pdf(tmp_path / "larkfield.pdf", report, plugins, base_dir=english))
    for indicator in changing:
        # Once in "what changed", once on the figure's card in its axis.
        assert text.count(normal(say.change_sentence(indicator))) >= 2, indicator.id


# --- report text is text ------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: re.sub(r"\W+", "-", p)[:30])
def test_payload_is_printed_verbatim_and_changes_nothing(
        report: Report, plugins: PluginSet, payload: str, tmp_path: Path) -> None:
    poisoned = poison(report, payload)
    assert isinstance(poisoned, Report)
    pdf = write_pdf(tmp_path / "poisoned.pdf", poisoned, plugins, base_dir=EXAMPLE)
    text = all_text(pdf)
    # At least every axis title, need and outcome carries it, word for word.
    if _BIDI_CONTROLS.isdisjoint(payload):
        assert text.count(normal(payload)) >= 3 * len(report.axes), normal(payload)
    else:  # a right-to-left override shows its words reversed, as it should
        for word in normal(payload).split():
            assert max(text.count(word), text.count(word[::-1])) >= 3 * len(report.axes), word
    assert info(pdf)["Tagged"] == "yes"
    cover = page_text(pdf, 1)  # the cover is still the cover
    assert normal(report.title) in cover and "Page" not in cover


# --- hostile texts ----------------------------------------------------------------------------

#: Characters the validator accepts that fonts often lack: emoji (with joiners and
#: variation selectors), line and paragraph separators, symbols, other scripts.
UNUSUAL = ("😀 🏘️ 👩‍👩‍👧 🇫🇷 ✅ ⚠️ ☎ ★ ✓ → ⇒ ∑ ≤ ≠ ∞ √ ─ ┼ ■ ▲ ● ◆ ⠁ ⌘ № ™ ℃ € £ ¥ ₹ "
           "Ω Ж Ἀθῆναι ع א Ա ა क ত ไทย ኢትዮጵያ ½ ¼ ² ³ ﬁ « » „ “ ” ‹ › … – — "
           "line\u2028separator para\u2029separator zero\u200bwidth soft\u00adhyphen")


def test_unusual_characters_print_without_a_missing_glyph(report: Report, plugins: PluginSet,
                                                          tmp_path: Path) -> None:
    # PDF/UA-1 makes Typst refuse any character none of its fonts can show, so a
    # missing glyph would be an error here, never a box on the page.
    unusual = attrs.evolve(report, subtitle=UNUSUAL, axes=(
        attrs.evolve(report.axes[0], title=f"{report.axes[0].title} {UNUSUAL}"),
        *report.axes[1:]))
    text = all_text(write_pdf(tmp_path / "unusual.pdf", unusual, plugins))
    for word in ("😀", "🏘", "✅", "∑", "┼", "⠁", "Ἀθῆναι", "ไทย", "ኢትዮጵያ", "separator"):
        assert word in text, word


def test_a_character_no_font_has_is_an_error_not_a_box(report: Report, plugins: PluginSet
                                                      ) -> None:
    # Egyptian hieroglyphs are in none of the fonts, with or without the CJK extra.
    with pytest.raises(RenderError, match=r"𓀀(.|\n)*hint: no font of the brochure"):
        civicrecord.render(attrs.evolve(report, subtitle="𓀀"), "pdf", plugins=plugins)


def _valid_hostile_cases() -> list[Path]:
    manifest = HOSTILE / "manifest.toml"
    if not manifest.is_file():
        return []
    cases = tomllib.loads(manifest.read_text("utf-8"))["case"]
    return [HOSTILE / "cases" / case["file"] for case in cases if case["exit"] == 0]


@pytest.mark.parametrize("case", _valid_hostile_cases(), ids=lambda path: path.name)
def test_every_valid_hostile_case_prints(case: Path, plugins: PluginSet, tmp_path: Path) -> None:
    hostile = civicrecord.load(case)
    pdf = write_pdf(tmp_path / "hostile.pdf", hostile, plugins)
    assert normal(hostile.title) in page_text(pdf, 1)
    assert info(pdf)["Tagged"] == "yes"


# --- themes -------------------------------------------------------------------------------------


def test_the_theme_logo_is_on_the_cover(report: Report, plugins: PluginSet,
                                        tmp_path: Path) -> None:
    folder = tmp_path / "report"
    shutil.copytree(EXAMPLE, folder)
    (folder / "logo.png").write_bytes(PNG)
    pdf = write_pdf(tmp_path / "logo.pdf", report, plugins, base_dir=folder,
                    theme={"logo": "logo.png", "primary": "#8a1538"})
    images = run(poppler("pdfimages"), "-list", "-f", "1", "-l", "1", pdf).splitlines()[2:]
    assert len(images) == 1


def test_a_citys_own_template_replaces_the_brochure(report: Report, plugins: PluginSet,
                                                    tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "report.typ").write_text(
        '#import "@civicrecord/brochure:0.1.0": brochure, text-blocks\n'
        "#let report = json(bytes(sys.inputs.report))\n"
        "#let theme = json(bytes(sys.inputs.theme))\n"
        "#show: brochure.with(report, theme)\n"
        "#heading(level: 1)[Contact]\n"
        "Mairie de quartier des Hauts : 04 79 00 00 00\n", "utf-8")
    pdf = write_pdf(tmp_path / "own.pdf", report, plugins, base_dir=EXAMPLE, template_dir=theme)
    pages = page_count(pdf)
    assert "Mairie de quartier des Hauts : 04 79 00 00 00" in page_text(pdf, pages)
    assert "Contact" in page_text(pdf, 2)  # in the contents, with its page


def test_the_readmes_worked_example_of_a_citys_template_works(
        report: Report, plugins: PluginSet, tmp_path: Path) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    [example] = re.findall(r"```typ\n(.*?)```", readme, re.DOTALL)
    theme = tmp_path / "my-theme"
    theme.mkdir()
    (theme / "report.typ").write_text(example, "utf-8")
    folder = tmp_path / "report"
    shutil.copytree(EXAMPLE, folder)
    (folder / "logo.png").write_bytes(PNG)
    pdf = write_pdf(tmp_path / "city.pdf", report, plugins, base_dir=folder,
                    template_dir=theme, theme={"logo": "logo.png"})
    pages = page_count(pdf)
    assert "Mairie de quartier des Hauts : 04 79 00 00 00" in page_text(pdf, pages)
    assert re.search(rf"Contact[\s.]*{pages}\b", page_text(pdf, 2))


def test_a_broken_template_is_a_render_error_naming_it(report: Report, plugins: PluginSet,
                                                       tmp_path: Path) -> None:
    (tmp_path / "report.typ").write_text("#let x = (\n", "utf-8")
    with pytest.raises(RenderError, match=r"report\.typ"):
        civicrecord.render(report, "pdf", plugins=plugins, template_dir=tmp_path)


def test_a_template_cannot_read_outside_the_report_folder(report: Report, plugins: PluginSet,
                                                          tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret", "utf-8")
    folder = tmp_path / "report"
    folder.mkdir()
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "report.typ").write_text('#read("../secret.txt")\n', "utf-8")
    with pytest.raises(RenderError):
        civicrecord.render(report, "pdf", plugins=plugins, template_dir=theme,
                           base_dir=folder)


# --- pictures and maps ------------------------------------------------------------------------

LARKFIELD = REPO / "examples" / "larkfield"


def _larkfield() -> Report:
    if not LARKFIELD.is_dir():
        pytest.skip("the English example is not in this checkout")
    return civicrecord.load(LARKFIELD)


def alt_texts(pdf: bytes) -> list[str]:
    """The ``/Alt`` entries of the PDF's structure tree, in file order, decoded.

    Typst compresses the structure tree into object streams: each Flate stream is
    inflated and read for ``/Alt`` followed by a literal ``(...)`` or a hex
    ``<FEFF...>`` (UTF-16) string.
    """
    texts = []
    for start in re.finditer(rb"stream\r?\n", pdf):
        body = pdf[start.end():pdf.find(b"endstream", start.end())]
        try:
            plain = zlib.decompressobj().decompress(body)
        except zlib.error:
            continue
        for found in re.finditer(rb"/Alt\s*(\(|<)", plain):
            at = found.end()
            if found.group(1) == b"<":
                digits = plain[at:plain.index(b">", at)].decode("ascii")
                raw = bytes.fromhex(digits)
                texts.append(raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff")
                             else raw.decode("latin-1"))
                continue
            depth, out = 1, bytearray()
            while depth:
                char = plain[at:at + 1]
                at += 1
                if char == b"\\":
                    escaped = plain[at:at + 1]
                    at += 1
                    out += {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(escaped, escaped)
                    continue
                depth += {b"(": 1, b")": -1}.get(char, 0)
                if depth:
                    out += char
            texts.append(out.decode("latin-1"))
    return texts


def images(pdf: Path) -> list[tuple[int, int, int]]:
    """Each picture drawn: (page, width, height) in pixels, from ``pdfimages -list``."""
    rows = run(poppler("pdfimages"), "-list", pdf).splitlines()[2:]
    return [(int(row.split()[0]), int(row.split()[3]), int(row.split()[4])) for row in rows]


def test_the_english_examples_cover_picture_is_printed_with_its_alt_text(
        plugins: PluginSet, tmp_path: Path) -> None:
    report = _larkfield()
    assert report.cover is not None and report.cover.caption and report.cover.credit
    pdf = write_pdf(tmp_path / "larkfield.pdf", report, plugins, base_dir=LARKFIELD)
    assert info(pdf)["Tagged"] == "yes"
    from civicrecord.pictures import published

    shown = published(report.cover, LARKFIELD, 2000)
    assert images(pdf) == [(1, shown.width, shown.height)]
    assert " ".join(report.cover.alt.split()) in alt_texts(pdf.read_bytes())
    assert "Figure" in run(poppler("pdfinfo"), "-struct", pdf)
    cover = page_text(pdf, 1)
    for words in (report.cover.caption, report.cover.credit, report.cover.licence):
        assert words and normal(words) in cover


def _jpeg_with_metadata(width: int, height: int) -> bytes:
    """A JPEG whose EXIF says to turn it a quarter (orientation 6) and holds a camera name."""
    import io

    from PIL import Image

    picture = Image.new("RGB", (width, height), (30, 120, 60))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to show
    exif[0x010F] = "SecretCameraMaker"
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _webp(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 16, 46)).save(out, "WEBP", lossless=True)
    return out.getvalue()


@pytest.fixture(scope="module")
def pictured(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path]:
    """A copy of the English example with the authority's logo (PNG), a picture on its
    first axis (WebP) and one on an action of its second axis (a JPEG taken sideways,
    with EXIF)."""
    from civicrecord.model import Picture

    report = _larkfield()
    folder = tmp_path_factory.mktemp("pictured") / "larkfield"
    shutil.copytree(LARKFIELD, folder)
    (folder / "pictures" / "courtyard.webp").write_bytes(_webp(300, 150))
    (folder / "pictures" / "hub.jpg").write_bytes(_jpeg_with_metadata(120, 60))
    (folder / "pictures" / "logo.png").write_bytes(PNG)
    axis = attrs.evolve(report.axes[0], pictures=(Picture(
        "pictures/courtyard.webp", alt="Axis picture: the courtyard of Heron Court",
        caption="The courtyard after the works", credit="Photo: Axis Credit"),))
    second = report.axes[1]
    action = attrs.evolve(second.actions[0], pictures=(Picture(
        "pictures/hub.jpg", alt="Action picture: the hub's front door",
        caption="The hub's front door", licence="CC BY 4.0"),))
    second = attrs.evolve(second, actions=(action, *second.actions[1:]))
    logo = Picture("pictures/logo.png", alt="Logo of Northbridge Borough Council")
    return attrs.evolve(report, logo=logo, axes=(axis, second, *report.axes[2:])), folder


def _page_of(pdf: Path, words: str) -> int:
    return next(page for page in range(1, page_count(pdf) + 1)
                if normal(words) in page_text(pdf, page))


def test_axis_and_action_pictures_are_printed_where_they_belong(
        pictured: tuple[Report, Path], plugins: PluginSet, tmp_path: Path) -> None:
    report, folder = pictured
    pdf = write_pdf(tmp_path / "pictured.pdf", report, plugins, base_dir=folder)
    axis, action = report.axes[0], report.axes[1].actions[0]
    # The axis's opening page is the one with its need (its title is in the contents too).
    assert axis.need
    axis_page, action_page = _page_of(pdf, axis.need[:40]), _page_of(pdf, action.title)
    # The WebP at the axis's opening; the JPEG upright (turned by its EXIF) with its action.
    assert (axis_page, 300, 150) in images(pdf)
    assert (action_page, 60, 120) in images(pdf)
    assert (1, 40, 20) in images(pdf)  # the logo, on the cover
    assert len(images(pdf)) == 4
    assert b"SecretCameraMaker" not in pdf.read_bytes()
    alts = alt_texts(pdf.read_bytes())
    order = ["Logo of Northbridge Borough Council", "Axis picture: the courtyard of Heron Court",
             "Action picture: the hub's front door"]
    assert sorted(order, key=alts.index) == order

    def drawn(page: int) -> str:  # in the order it is drawn: pdftotext may mix columns
        return normal(run(poppler("pdftotext"), "-raw", "-f", str(page), "-l", str(page),
                          pdf, "-"))

    assert "The courtyard after the works Photo: Axis Credit" in drawn(axis_page)
    assert f"{normal(action.description or '')} The hub's front door CC BY 4.0" \
        in drawn(action_page)
    # In reading order: the axis's need, its picture, then its actions.
    text = stream_text(pdf)
    assert text.index(normal(axis.need[:40])) < text.index("The courtyard after the works") \
        < text.index(normal(axis.actions[0].title))


def test_pictures_travel_as_bytes_beside_the_data(pictured: tuple[Report, Path]) -> None:
    report, folder = pictured
    inputs = compile_inputs(report, RenderContext(language=report.language, base_dir=folder))
    data = json.loads(inputs["report"])
    pictures = [bytes(p["data"]) for p in json.loads(inputs["pictures"])]
    assert [p["index"] for p in (data["cover"], data["logo"], *data["axes"][0]["pictures"],
                                 *data["axes"][1]["actions"][0]["pictures"])] == [0, 1, 2, 3]
    assert pictures[0].startswith(b"\x89PNG") and pictures[2][8:12] == b"WEBP"
    assert pictures[3].startswith(b"\xff\xd8") and b"SecretCameraMaker" not in pictures[3]
    assert data["axes"][0]["pictures"][0]["alt"] == report.axes[0].pictures[0].alt


def test_same_bytes_with_pictures_from_two_processes(pictured: tuple[Report, Path],
                                                     tmp_path: Path) -> None:
    report, folder = pictured
    script = ("import sys, civicrecord, civicrecord_pdf, pickle\n"
              "from civicrecord.plugins import load_plugins\n"
              "report = pickle.load(open(sys.argv[1], 'rb'))\n"
              "sys.stdout.buffer.write(civicrecord.render(report, 'pdf', base_dir=sys.argv[2],"
              " plugins=load_plugins([civicrecord_pdf], entry_points=False)))\n")
    import pickle

    saved = tmp_path / "report.pickle"
    saved.write_bytes(pickle.dumps(report))
    outputs = [subprocess.run([sys.executable, "-c", script, str(saved), str(folder)],
                              capture_output=True, check=True, timeout=300).stdout
               for _ in range(2)]
    assert outputs[0].startswith(b"%PDF-") and outputs[0] == outputs[1]
    assert len(images(_written(tmp_path / "one.pdf", outputs[0]))) == 4


def _written(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def test_a_report_without_pictures_never_imports_pillow(tmp_path: Path) -> None:
    probe = ("import sys, civicrecord, civicrecord_pdf\n"
             "from civicrecord.plugins import load_plugins\n"
             f"report = civicrecord.load({str(EXAMPLE)!r})\n"
             "assert report.cover is None and report.logo is None\n"
             f"civicrecord.render(report, 'pdf', base_dir={str(EXAMPLE)!r}, "
             "plugins=load_plugins([civicrecord_pdf], entry_points=False))\n"
             "print('PIL' in sys.modules)\n")
    assert run(sys.executable, "-c", probe).strip() == "False"


def test_place_names_link_to_their_map_when_they_have_coordinates(
        plugins: PluginSet, tmp_path: Path) -> None:
    from civicrecord.presentation import map_url

    report = _larkfield()
    hood = report.neighbourhood
    placed = [attrs.evolve(place, latitude=53.4012, longitude=-1.5051)
              if place.id == "heron-court" else place for place in hood.places]
    report = attrs.evolve(report, neighbourhood=attrs.evolve(hood, places=tuple(placed)))
    heron = next(place for place in placed if place.id == "heron-court")
    url = map_url(heron)
    assert url is not None
    pdf = write_pdf(tmp_path / "map.pdf", report, plugins, base_dir=LARKFIELD)
    action = next(a for _, a in report.actions() if "heron-court" in a.places)
    links = [line.split() for line in run(poppler("pdfinfo"), "-url", pdf).splitlines()[1:]]
    assert [int(page) for page, _kind, target in links if target == url] == \
        [_page_of(pdf, action.title)]
    # Places without coordinates stay plain text, joined as the language joins lists.
    data = brochure_data(report)
    facts = [fact for axis in data["axes"] for item in axis["actions"]
             for fact in item["facts"] if "parts" in fact]
    assert [part["url"] for fact in facts for part in fact["parts"]] == [url]
    assert all("".join(p["text"] for p in fact["parts"]) == fact["value"] for fact in facts)


def test_a_citys_template_using_the_pieces_prints_the_pictures(
        pictured: tuple[Report, Path], plugins: PluginSet, tmp_path: Path) -> None:
    """The brochure's pieces read the pictures from sys.inputs when not given them."""
    report, folder = pictured
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "report.typ").write_text(
        '#import "@civicrecord/brochure:0.1.0": cover, default-fonts\n'
        "#let report = json(bytes(sys.inputs.report))\n"
        "#let theme = json(bytes(sys.inputs.theme))\n"
        "#set document(title: report.title)\n"
        "#set text(lang: report.language, font: default-fonts)\n"
        "#cover(report, theme)\n", "utf-8")
    pdf = write_pdf(tmp_path / "own.pdf", report, plugins, base_dir=folder, template_dir=theme)
    assert sorted(images(pdf)) == [(1, 40, 20), (1, 960, 600)]
    assert "Logo of Northbridge Borough Council" in alt_texts(pdf.read_bytes())
