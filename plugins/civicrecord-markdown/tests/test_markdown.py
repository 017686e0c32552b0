"""civicrecord-markdown: the report as CommonMark, checked through pandoc's reading of it.

pandoc converts the output to HTML; the tests read the HTML's structure (a
heading per axis, a list item per figure, a table row per key figure) and check
that report text, however hostile, comes out as text and never as markup.
"""

from __future__ import annotations

import itertools
import os
import shutil
import string
import subprocess
import unicodedata
from importlib import metadata
from importlib.resources import files
from pathlib import Path

import attrs
import civicrecord_markdown
import lxml.html
import pytest
from civicrecord_markdown.writer import block_start, cell, heading_text, inline
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import civicrecord
from civicrecord.model import Breakdown, BreakdownKind, BreakdownPart, Report, Source
from civicrecord.plugins import load_plugins
from civicrecord.presentation import presenter_for
from civicrecord.text import blocks

REPO_EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "hauts_de_chambery"
PACKAGED_EXAMPLE = Path(str(files("civicrecord") / "examples" / "hauts_de_chambery"))
EXAMPLE = REPO_EXAMPLE if REPO_EXAMPLE.is_dir() else PACKAGED_EXAMPLE


@pytest.fixture(scope="module")
def pandoc() -> str:
    found = shutil.which("pandoc")
    if found:
        return found
    message = "pandoc not found: install the Debian package 'pandoc'"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{message} (CI=true: a missing tool is a failure, not a skip)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def plugins() -> object:
    return load_plugins([civicrecord_markdown], entry_points=False)


@pytest.fixture(scope="module")
def report() -> Report:
    return civicrecord.load(EXAMPLE)


def render(report: Report, plugins: object) -> str:
    data = civicrecord.render(report, "markdown", plugins=plugins)  # type: ignore[arg-type]
    return data.decode("utf-8")


def to_html(pandoc: str, markdown: str, reader: str = "gfm") -> lxml.html.HtmlElement:
    html = subprocess.run([pandoc, "-f", reader, "-t", "html"], input=markdown,
                          capture_output=True, text=True, check=True, timeout=60).stdout
    return lxml.html.fragment_fromstring(html, create_parent="body")


def text_of(element: lxml.html.HtmlElement) -> str:
    return plain(element.text_content())


def plain(text: str) -> str:
    """Whitespace collapsed, and NFC as pandoc writes it (Unicode, not markup)."""
    return unicodedata.normalize("NFC", " ".join(text.split()))


def section(root: lxml.html.HtmlElement, heading: str) -> list[lxml.html.HtmlElement]:
    """The elements after the ``h2`` whose text is ``heading``, up to the next ``h2``."""
    [start] = [h for h in root.iter("h2") if text_of(h) == plain(heading)]
    elements = []
    for element in start.itersiblings():
        if element.tag == "h2":
            break
        elements.append(element)
    return elements


# --- the plugin as installed ------------------------------------------------------------


def test_the_plugin_is_found_through_its_entry_point() -> None:
    [entry] = [ep for ep in metadata.entry_points(group="civicrecord") if ep.name == "markdown"]
    assert entry.value == "civicrecord_markdown"
    assert entry.dist is not None and entry.dist.name == "civicrecord-markdown"
    found = load_plugins(entry_points=True)
    assert found.plugin_of("markdown").distribution == "civicrecord-markdown"
    renderer = found.renderer("markdown")
    assert (renderer.extension, renderer.media_type) == (
        "md", "text/markdown; charset=utf-8; variant=CommonMark")


def test_output_is_utf8_and_deterministic(report: Report, plugins: object) -> None:
    first = civicrecord.render(report, "markdown", plugins=plugins)  # type: ignore[arg-type]
    assert first == civicrecord.render(report, "markdown", plugins=plugins)  # type: ignore[arg-type]
    text = first.decode("utf-8")
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "Chambéry" in text and "\r" not in text


def test_the_presentations_no_break_spaces_are_kept(report: Report, plugins: object) -> None:
    markdown = render(report, plugins)
    say = presenter_for(report.language)
    for _axis, _action, figure in report.indicators():
        assert block_start(say.indicator_phrase(figure)) in markdown
    assert "350\u202f000\u00a0€" in markdown
    assert f"**{say.label('status')}**\u00a0: " in markdown
    for _axis, action in report.actions():
        for milestone in action.milestones:
            assert f"- {say.date(milestone.date)}\u00a0: {inline(milestone.title)}" in markdown


# --- structure, as pandoc reads it ------------------------------------------------------------


def test_headings_follow_the_report(pandoc: str, report: Report, plugins: object) -> None:
    root = to_html(pandoc, render(report, plugins))
    say = presenter_for(report.language)
    assert [text_of(h) for h in root.iter("h1")] == [report.title]
    assert [text_of(h) for h in root.iter("h2")] == [
        say.label("introduction"), say.label("status_overview"),
        *(plain(axis.title) for axis in report.axes),
        say.label("key_figures"), say.label("partners"), say.label("programmes")]
    for axis in report.axes:
        elements = section(root, axis.title)
        h3 = [text_of(e) for e in elements if e.tag == "h3"]
        expected = [say.label("need"), say.label("actions"), say.label("outcome")]
        if axis.indicators:
            expected.append(say.label("figures"))
        assert h3 == expected
        assert [text_of(e) for e in elements if e.tag == "h4"] == [
            plain(action.title) for action in axis.actions]
        paragraphs = [text_of(e) for e in elements if e.tag == "p"]
        for text in (axis.need, axis.outcome):
            for block in blocks(text):
                if block.kind == "paragraph":
                    assert plain(block.text) in paragraphs


def test_every_action_has_its_status_and_every_figure_its_phrase(
        pandoc: str, report: Report, plugins: object) -> None:
    root = to_html(pandoc, render(report, plugins))
    say = presenter_for(report.language)
    items = [text_of(li) for li in root.iter("li")]
    for _axis, action in report.actions():
        assert plain(f"{say.label('status')}\u00a0: {say.status(action.status)}") in items
    for _axis, _action, figure in report.indicators():
        phrase = plain(say.indicator_phrase(figure))
        assert any(item.startswith(phrase) for item in items), phrase
        if figure.source:
            assert any(item.startswith(phrase) and item.endswith(f"{figure.source.name})")
                       for item in items)


def test_key_figures_table_has_a_row_per_figure(pandoc: str, report: Report,
                                               plugins: object) -> None:
    root = to_html(pandoc, render(report, plugins))
    say = presenter_for(report.language)
    [table] = [e for e in section(root, say.label("key_figures")) if e.tag == "table"]
    header = [text_of(th) for th in table.iter("th")]
    assert header == [say.label(k) for k in ("axis", "indicator", "value", "period", "source")]
    rows = [[text_of(td) for td in tr.iter("td")] for tr in table.iter("tr")][1:]
    figures = list(report.indicators())
    assert len(rows) == len(figures)
    for row, (axis, _action, figure) in zip(rows, figures, strict=True):
        assert row[0] == plain(axis.title)
        assert row[1].lower().startswith(plain(figure.label).lower())
        assert row[4] == (figure.source.name if figure.source else "")
        if not isinstance(figure.value, str):
            assert plain(say.number(figure.value)) in row[2]


@pytest.mark.parametrize("example", ["hauts_de_chambery", "larkfield"])
def test_status_table_counts_each_axis_actions_by_status(pandoc: str, plugins: object,
                                                         example: str) -> None:
    """As the HTML chart: a row per numbered axis, a column per status that occurs (in
    STATUS_ORDER), each count as the presenter writes it, a total column and row."""
    from collections import Counter

    from civicrecord.presentation import STATUS_ORDER

    report = civicrecord.load(EXAMPLE.parent / example)
    say = presenter_for(report.language)
    root = to_html(pandoc, civicrecord.render(
        report, "markdown", base_dir=EXAMPLE.parent / example,
        plugins=plugins).decode("utf-8"))  # type: ignore[arg-type]
    [table] = [e for e in section(root, say.label("status_overview")) if e.tag == "table"]
    counts = [Counter(action.status for action in axis.actions) for axis in report.axes]
    every = Counter(action.status for _axis, action in report.actions())
    statuses = [status for status in STATUS_ORDER if every[status]]
    assert len(statuses) >= 3  # the examples mix statuses: the columns are tested
    assert [text_of(th) for th in table.iter("th")] == [
        say.label("axis"), *map(say.status, statuses), say.label("total")]
    rows = [[text_of(td) for td in tr.iter("td")] for tr in table.iter("tr")][1:]
    assert rows == [
        *([plain(f"{number}. {axis.title}"), *(say.number(count[s]) for s in statuses),
           say.number(len(axis.actions))]
          for number, (axis, count) in enumerate(zip(report.axes, counts, strict=True), 1)),
        [say.label("total"), *(say.number(every[s]) for s in statuses),
         say.number(sum(every.values()))]]
    assert [td.get("style") for td in table.iter("td")][1:len(statuses) + 2] == [
        "text-align: right;"] * (len(statuses) + 1)


def test_a_report_without_actions_has_no_status_table(report: Report,
                                                      plugins: object) -> None:
    idle = attrs.evolve(report, axes=tuple(attrs.evolve(axis, actions=())
                                           for axis in report.axes))
    say = presenter_for(report.language)
    assert say.label("status_overview") not in render(idle, plugins)
    assert say.label("status_overview") in render(report, plugins)


def test_strict_commonmark_readers_see_the_same_headings(pandoc: str, report: Report,
                                                         plugins: object) -> None:
    markdown = render(report, plugins)
    gfm, strict = to_html(pandoc, markdown, "gfm"), to_html(pandoc, markdown, "commonmark")
    for tag in ("h1", "h2", "h3", "h4", "li"):
        assert [text_of(e) for e in gfm.iter(tag)] == [text_of(e) for e in strict.iter(tag)]


# --- hostile text --------------------------------------------------------------------

HOSTILE = [
    "*not emphasis* and _not this_ nor **that**",
    "[a link](javascript:alert(1)) and ![an image](x.png) and <https://evil.example>",
    "<script>alert('x')</script> <b>bold</b> &amp; &#65; &copy;",
    "`code` and ``more code`` ~~struck~~ ~sub~ ^sup^ $x^2$ :smile: @citation",
    "# not a heading ## nor | this #",
    "1. not a list",
    "- not a bullet either",
    "> not a quote | not | a | table |",
    "+ plus = equals : colon (i) roman a) letter %comment {.class} \\backslash\\",
    "[^1]: not a footnote [ ] not a task [x] done",
    # Left as typed, as they mean nothing where they stand; the starts are escaped.
    "2021. (a) not a list: 17.2%, 3) a_b, R&D &amp x < 5 #1 -5 +3 1.5 a|b C# :)",
    "(iv) not a fancy list",
    "+ not a bullet, nor - this",
    "---",
    ": not a definition",
    "| not a line block",
    "_not emphasis_ nor snake_case_ &copy",
]
#: The hostile texts written as paragraphs of an action's description.
PARAGRAPHS = [*HOSTILE[1:4], *HOSTILE[10:]]


def hostile_report(report: Report) -> Report:
    axis = report.axes[0]
    action = attrs.evolve(axis.actions[0], title=HOSTILE[0],
                          description="\n\n".join(PARAGRAPHS) + "\n\n- " + HOSTILE[6])
    figure = attrs.evolve(
        next(f for _a, _b, f in report.indicators()), label=HOSTILE[3],
        source=Source(name=HOSTILE[8], url="javascript:alert(1)"),
        breakdowns=(Breakdown("x", BreakdownKind.PART_OF_TOTAL,
                              (BreakdownPart(HOSTILE[2], 1),)),))
    axis = attrs.evolve(axis, title=HOSTILE[4], need=HOSTILE[5], outcome=HOSTILE[7],
                        actions=(action, *axis.actions[1:]), indicators=(figure,))
    return attrs.evolve(report, title=HOSTILE[9], subtitle=HOSTILE[1],
                        axes=(axis, *report.axes[1:]))


@pytest.mark.parametrize("reader", ["gfm", "commonmark", "commonmark_x"])
def test_hostile_report_text_never_becomes_markup(pandoc: str, report: Report,
                                                  plugins: object, reader: str) -> None:
    hostile = hostile_report(report)
    clean_root = to_html(pandoc, render(report, plugins), reader)
    root = to_html(pandoc, render(hostile, plugins), reader)
    for tag in ("script", "b", "img", "code", "del", "sub", "sup", "blockquote", "ol",
                "input", "section", "math", "dl", "hr", "h5", "h6"):
        assert list(root.iter(tag)) == [], tag
    assert not root.xpath("//*[contains(@class, 'math') or contains(@class, 'citation')"
                          " or contains(@class, 'emoji') or contains(@class, 'footnote')]")
    # Links are only the report's own http(s) links, as many as without the hostile text.
    assert all(a.get("href", "").startswith("http") for a in root.iter("a"))
    assert len(list(root.iter("a"))) == len(list(clean_root.iter("a")))
    for tag in ("em", "strong"):
        assert len(list(root.iter(tag))) == len(list(clean_root.iter(tag))), tag
    if reader == "commonmark_x":
        return  # its "smart" extension rewrites quotes and dashes: structure only
    texts = {text_of(e) for e in root.iter("h1", "h2", "h4", "p", "li", "td")}
    assert plain(HOSTILE[9]) in texts  # title (h1)
    assert plain(HOSTILE[4]) in texts  # axis title (h2)
    if reader == "gfm":  # tables are an extension CommonMark does not have
        assert plain(f"1. {HOSTILE[4]}") in texts  # its status table cell
    assert plain(HOSTILE[0]) in texts  # action title (h4)
    for line in (*PARAGRAPHS, HOSTILE[5], HOSTILE[6], HOSTILE[7]):
        assert plain(line) in texts, line
    assert any(plain(HOSTILE[8]) in text for text in texts)  # source name
    assert any(text.startswith(plain(HOSTILE[3])) for text in texts)  # figure label


# A property: any line of text written through inline()/block_start() reads back as
# exactly that text, as a paragraph, a list item, a heading and a table cell.
# Random characters rarely form markup, so most texts are made of the pieces markup
# is made of: "*a*", "- x", "[b](c)", "&amp;", "1. ", "https://w"...
_TOKENS = ["*", "**", "_", "__", "`", "``", "[", "]", "(", ")", "](", "![", "<", ">", "</",
           "#", "## ", "- ", "+ ", "* ", "1. ", "2) ", "a. ", "iv) ", "(1) ", "> ", "=", "---",
           ":", ":smile:", ": ", "~", "~~", "^", "$", "&", "&amp;", "&#65;", "|", "\\", "{",
           "}", "{.c}", "@", "@key", "x@y.fr", "https://", "www.", "%", "[^1]", "[ ] ",
           " ", " ", "a", "b", "é", "42", "\u00a0", "'", '"', "--", "...", "17.2%", "2021.",
           "a_b", "_a", "&a", "&amp", ";", "&#1", "< ", "<a", "(a) ", "| ", "C#", " #", "+3", "-5",
           "www", "http", "://", ":)"]
_TEXT = st.one_of(
    st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=12).map("".join),
    st.text(alphabet=st.one_of(st.sampled_from(string.punctuation + " 0123456789aiv"),
                               st.characters(blacklist_categories=(
                                   "Cc", "Cs", "Co", "Cn", "Zl", "Zp"))),
            min_size=1, max_size=40),
).map(plain).filter(bool)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TEXT, min_size=2, max_size=6))
@example(["&amp", "x"]).via("an entity completed by the writer's ;")
@example(["a :smile", "x"]).via("an emoji completed by the writer's :")
@example(["x <", "b>"]).via("a tag completed by the next piece")
def test_pieces_written_side_by_side_read_back_as_their_text(pandoc: str,
                                                               texts: list[str]) -> None:
    """An escape is decided by the piece's own text: the writer's "; " and ": " after
    it ("&amp" + "; ", ":smile" + ": ") never complete markup."""
    lines = []
    for first, second in itertools.pairwise(texts):
        lines += [f"{block_start(first)}; {inline(second)}", f"{block_start(first)}: "
                  f"{inline(second)}", f"x {inline(first)}{inline(second)}"]
    for reader in ("gfm", "commonmark"):
        root = to_html(pandoc, "\n\n".join(lines) + "\n", reader)
        expected = [plain(t) for first, second in itertools.pairwise(texts)
                    for t in (f"{first}; {second}", f"{first}: {second}",
                              f"x {first}{second}")]
        assert [text_of(e) for e in root] == expected, (reader, lines)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TEXT, min_size=1, max_size=6))
def test_any_text_reads_back_literally(pandoc: str, texts: list[str]) -> None:
    parts = []
    for text in texts:
        parts += [block_start(text), f"- {block_start(text)}", f"## {heading_text(text)}",
                  f"| {cell(text)} |\n| --- |"]
    markdown = "\n\n".join(parts) + "\n"
    for reader in ("gfm", "commonmark"):
        root = to_html(pandoc, markdown, reader)
        read_back = [text_of(e) for e in root if e.tag in ("p", "ul", "h2", "table")]
        if reader == "commonmark":  # no tables: the cell is a paragraph of pipes
            read_back = [t for i, t in enumerate(read_back) if i % 4 != 3]
            expected = [t for text in texts for t in (text, text, text)]
        else:
            expected = [t for text in texts for t in (text, text, text, text)]
        assert read_back == expected, (reader, markdown)


def test_only_addresses_a_report_may_link_to_become_links() -> None:
    from civicrecord_markdown.writer import _link

    assert _link("Ville", "https://example.org/a\\b<c>") == (
        "[Ville](<https://example.org/a%5Cb%3Cc%3E>)")
    assert _link("Mairie", "mailto:mairie@example.org") == (
        "[Mairie](<mailto:mairie@example.org>)")
    assert _link("Ville", "https://example.org/a b") == "Ville"  # as validation and HTML say
    assert _link("Ville", "javascript:alert(1)") == "Ville"
    assert _link("Ville", "file:///etc/passwd") == "Ville"
    assert _link("Ville", None) == "Ville"


def test_pictures_show_with_alt_text_caption_and_credit(pandoc: str, report: Report,
                                                        plugins: object,
                                                        tmp_path: Path) -> None:
    """Each picture where it stands, the published one (no EXIF) embedded as data:."""
    import base64
    import io

    from PIL import Image

    photo = Image.new("RGB", (3000, 1500), (20, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    out = io.BytesIO()
    photo.save(out, "JPEG", exif=exif)
    (tmp_path / "photo.jpg").write_bytes(out.getvalue())
    hostile = "*Park* <b>[x](y)</b>"
    first = report.axes[0]
    action = attrs.evolve(first.actions[0], pictures=(civicrecord.Picture(
        "photo.jpg", f"The park {hostile}", caption=f"Caption {hostile}", credit="(a) City",
        licence="CC BY 4.0"),))
    pictured = attrs.evolve(report, cover=civicrecord.Picture("photo.jpg", "Cover photo"),
                            axes=(attrs.evolve(first, actions=(action, *first.actions[1:])),
                                  *report.axes[1:]))
    markdown = civicrecord.render(pictured, "markdown", base_dir=tmp_path,
                                  plugins=plugins).decode("utf-8")  # type: ignore[arg-type]
    assert "photo.jpg" not in markdown
    root = to_html(pandoc, markdown)
    images = root.xpath("//img")
    assert [image.get("alt") for image in images] == ["Cover photo", f"The park {hostile}"]
    for image in images:
        kind, data = image.get("src").split(",", 1)
        assert kind == "data:image/jpeg;base64"
        published = Image.open(io.BytesIO(base64.b64decode(data)))
        assert published.width == 1408 and len(published.getexif()) == 0
    caption = images[1].getparent().getnext()
    assert text_of(caption) == f"Caption {hostile} ((a) City, CC BY 4.0)"
    assert caption.xpath(".//b") == []


def test_a_place_with_coordinates_links_to_its_map(pandoc: str, report: Report,
                                                   plugins: object) -> None:
    """As on the web page: the place's name, linked to the map built from its numbers."""
    places = tuple(attrs.evolve(place, latitude=45.5751, longitude=5.9309)
                   if place.id == "les-combes" else place
                   for place in report.neighbourhood.places)
    located = attrs.evolve(report, neighbourhood=attrs.evolve(report.neighbourhood,
                                                              places=places))
    root = to_html(pandoc, render(located, plugins))
    links = [a for a in root.iter("a") if "openstreetmap" in a.get("href", "")]
    assert {text_of(a) for a in links} == {"Les Combes"}
    assert {a.get("href") for a in links} == {
        "https://www.openstreetmap.org/?mlat=45.5751&mlon=5.9309#map=17/45.5751/5.9309"}
