"""The PDF brochure: the HTML format's page, this plugin's print CSS, and WeasyPrint.

The page comes from civicrecord's public API, never from a copy of the HTML
renderer, so the PDF follows the HTML format's templates, theme options
(colours, logo) and template overrides. The only thing added is
``print.css``, injected as the last ``<style>`` of the page's ``<head>``.

WeasyPrint may fetch ``data:`` URIs only (the page is self-contained: its
logo is a ``data:`` URI): no file on disk and nothing on the network is read
while rendering, whatever a template override says.
"""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

import civicrecord
from civicrecord.model import Report
from civicrecord.plugins import load_plugins
from civicrecord.renderer import RenderContext, RenderError

__all__ = ["PRINT_CSS", "print_html", "write_pdf"]

#: The print stylesheet this plugin adds to the HTML page.
PRINT_CSS = files("civicrecord_pdf").joinpath("print.css").read_text("utf-8")

_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_log = logging.getLogger(__name__)


def print_html(report: Report, context: RenderContext) -> str:
    """The HTML format's page for this report, with the brochure's print CSS added."""
    page = civicrecord.render(
        report, "html",
        template_dir=context.template_dir,
        base_dir=context.base_dir,
        # Built-in formats only: "html" is built in, and other plugins are not needed.
        plugins=load_plugins(entry_points=False),
        **context.options,
    ).decode("utf-8")
    end = _HEAD_END.search(page)
    if end is None:
        raise RenderError("the HTML page has no </head>, so the PDF cannot add its print "
                          "stylesheet: check the HTML template overrides in --template-dir")
    style = f'<style id="civicrecord-pdf">\n{PRINT_CSS}</style>\n'
    return page[:end.start()] + style + page[end.start():]


@contextmanager
def _weasyprint_messages() -> Iterator[list[logging.LogRecord]]:
    """Collect WeasyPrint's log records instead of printing them as they come.

    The HTML page carries CSS meant for browsers (scroll-behavior, text-size-adjust...)
    that WeasyPrint reports as ignored; that is expected and not worth a warning.
    """
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("weasyprint")
    handler, propagate = Collect(logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while WeasyPrint lays the page out.

    WeasyPrint builds styles, boxes and text layouts for the whole document and
    keeps them until the PDF is written: millions of objects that the collector
    would traverse again and again to free nothing (about 15-20 % of a render's
    CPU time). Reference counting still frees what is dropped. The collector is
    switched back on afterwards only if it was on before.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _is_css_notice(record: logging.LogRecord) -> bool:
    """A remark of WeasyPrint's CSS parser (its ``weasyprint/css`` package)."""
    parts = Path(record.pathname).parts
    return any(parts[i:i + 2] == ("weasyprint", "css") for i in range(len(parts) - 1))


def write_pdf(report: Report, context: RenderContext) -> bytes:
    """Lay the print page out with WeasyPrint; fonts are embedded (subset)."""
    try:
        import weasyprint  # type: ignore[import-untyped]
        from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]
    except OSError as error:  # WeasyPrint loads Pango and HarfBuzz when imported
        raise RenderError(
            f"WeasyPrint cannot load its system libraries ({error}); on Debian or Ubuntu: "
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
        ) from None

    html = print_html(report, context)
    fetcher = URLFetcher(allowed_protocols={"data"})
    with _weasyprint_messages() as messages, _without_cyclic_gc():
        document = weasyprint.HTML(string=html, url_fetcher=fetcher)
        pdf = document.write_pdf()
    for record in messages:
        if not _is_css_notice(record):
            _log.warning("WeasyPrint: %s", record.getMessage())
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf() without a target
        raise RenderError("WeasyPrint returned no PDF")
    return pdf
