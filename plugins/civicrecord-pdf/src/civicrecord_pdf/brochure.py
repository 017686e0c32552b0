"""The PDF brochure: the report as JSON data, laid out by Typst (the ``typst`` wheel).

The report reaches the template as data only: :func:`civicrecord_pdf.data.brochure_data`
writes every phrase in the report's language, and the template reads it with
``json(bytes(sys.inputs.report))``. Nothing of the report is ever written into
Typst markup, so there is no escaping to get wrong.

What Typst may read: the template (built in, or ``report.typ`` in the theme
folder), the brochure package shipped here (``@civicrecord/brochure``), the
fonts of the ``manimgx-fonts`` package, of Typst itself and of the theme folder
(never the machine's), and files inside the report folder, which is the
compilation's root (the theme's logo).

The report's pictures never reach Typst as files: each is published by
:func:`civicrecord.pictures.published` (upright, without metadata, scaled to
the width it is printed) and its bytes travel in ``sys.inputs.pictures``, a
JSON list of each picture's size and byte values, which the template turns back into
bytes with ``bytes(array)`` (Typst reads no base64). Nothing is written
anywhere, and a report without pictures never loads Pillow.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
from importlib.resources import files
from pathlib import Path
from typing import Any

from civicrecord.model import Report
from civicrecord.renderer import RenderContext, RenderError
from civicrecord_pdf.data import brochure_data, picture_widths
from civicrecord_pdf.theme import theme_data, theme_from_options

__all__ = ["ENTRY_TEMPLATE", "PACKAGES", "TEMPLATE", "compile_inputs", "font_paths",
           "timestamp", "write_pdf"]

#: The folder of Typst files shipped with the plugin: the entry template and packages.
TEMPLATES = Path(str(files("civicrecord_pdf") / "typst"))
#: The built-in entry template; ``report.typ`` in the theme folder replaces it.
ENTRY_TEMPLATE = "report.typ"
TEMPLATE = TEMPLATES / ENTRY_TEMPLATE
#: Local Typst packages (``@civicrecord/brochure:0.1.0``), for templates to import.
PACKAGES = TEMPLATES
_FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
_log = logging.getLogger(__name__)


def font_paths(template_dir: Path | None) -> list[str]:
    """The folders Typst takes fonts from: the manimgx-fonts package, manimgx-fonts-cjk
    where it is installed (``civicrecord-pdf[cjk]``), then the theme folder's fonts."""
    import manimgx_fonts  # type: ignore[import-untyped]

    folders = [str(Path(manimgx_fonts.__file__).parent)]
    try:
        import manimgx_fonts_cjk  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        pass
    else:
        folders.append(str(Path(manimgx_fonts_cjk.__file__).parent))
    if template_dir is not None:
        for folder in (template_dir, template_dir / "fonts"):
            if folder.is_dir() and any(p.suffix.lower() in _FONT_SUFFIXES
                                       for p in folder.iterdir()):
                folders.append(str(folder))
    return folders


def timestamp(report: Report) -> datetime.datetime:
    """The PDF's creation date: ``SOURCE_DATE_EPOCH`` if set, else the report's own date.

    The report's publication date, or else the last day of its period: never the
    clock, so the same input gives the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        except (ValueError, OverflowError, OSError):
            raise RenderError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds "
                              "since 1970: set it to an integer or unset it") from None
    year, month, day = (report.published.earliest() if report.published is not None
                        else report.period.end.latest())
    return datetime.datetime(year, month, day, tzinfo=datetime.UTC)


def compile_inputs(report: Report, context: RenderContext) -> dict[str, str]:
    """What the template receives through ``sys.inputs``: the report and the theme, as JSON,
    and, when the report has pictures, their published bytes (``pictures``)."""
    theme = theme_from_options(context.options, context.base_dir)
    inputs = {
        "report": json.dumps(brochure_data(report, context.language), ensure_ascii=False),
        "theme": json.dumps(theme_data(theme)),
    }
    shelf = picture_widths(report)
    if shelf:
        from civicrecord.pictures import published

        shown = [published(picture, context.base_dir, width) for picture, width in shelf]
        inputs["pictures"] = json.dumps(
            [{"width": p.width, "height": p.height, "data": list(p.content)} for p in shown],
            separators=(",", ":"))
    return inputs


def _template(context: RenderContext) -> Path:
    if context.template_dir is not None:
        custom = context.template_dir / ENTRY_TEMPLATE
        if custom.is_file():
            return custom
    return TEMPLATE


def write_pdf(report: Report, context: RenderContext) -> bytes:
    """Lay the brochure out with Typst: tagged PDF/UA-1, fonts embedded, fixed date."""
    import typst

    inputs = compile_inputs(report, context)
    template = _template(context)
    root = context.base_dir if context.base_dir is not None else TEMPLATES
    options: dict[str, Any] = dict(
        root=str(root),
        font_paths=font_paths(context.template_dir),
        ignore_system_fonts=True,
        sys_inputs=inputs,
        pdf_standards=["ua-1"],
        package_path=str(PACKAGES),
        timestamp=timestamp(report),
    )
    try:
        pdf, warnings = typst.compile_with_warnings(template.read_bytes(), **options)
    except typst.TypstError as error:
        where = "your template " + str(template) if template != TEMPLATE else "the brochure"
        hints = [*error.hints]
        if "could not be displayed" in error.message:
            # PDF/UA-1 refuses a character no font has, rather than print a box.
            hints.append("no font of the brochure has this character: put a font that has "
                         "it (.ttf or .otf) in the fonts/ folder of a theme folder given "
                         "with --template-dir")
        raise RenderError(f"Typst could not lay out {where}: {error.message}"
                          + "".join(f"\n  hint: {hint}" for hint in hints)) from None
    for warning in warnings:
        _log.warning("Typst: %s", warning.message)
    if not isinstance(pdf, bytes):  # pragma: no cover - one PDF, not pages
        raise RenderError("Typst returned no PDF")
    return pdf
