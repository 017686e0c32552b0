"""Word (DOCX): the document a council would have made by hand, in the city's own styles.

Like pandoc's ``--reference-doc``, the look comes from a reference document:
its styles, page setup and header (a logo) are kept, its body is replaced by
the report, and only the styles in :data:`REQUIRED_STYLES` are used. Without
one, the reference.docx shipped beside this module is used (its source is
:mod:`.build_reference`); ``civicrecord reference-docx`` writes it for a city
to restyle.

Registering this format and its command is cheap: lxml is loaded when a
report is rendered, python-docx only to read a city's own reference. See
docs/theming-docx.md.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from civicrecord.command import Command
from civicrecord.model import Report
from civicrecord.plugins.hookspecs import hookimpl
from civicrecord.renderer import RenderContext, Renderer
from civicrecord.renderers.docx.styles import REQUIRED_STYLES, StyleUse

if TYPE_CHECKING:
    from civicrecord.presentation import Presenter

__all__ = ["REQUIRED_STYLES", "StyleUse", "reference_docx", "register_commands",
           "register_renderers", "render_docx"]

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_DEFAULT = "the default reference document"


def reference_docx() -> bytes:
    """The default reference document: every required style, one sample paragraph each."""
    return files(__name__).joinpath("reference.docx").read_bytes()


def render_docx(report: Report, context: RenderContext) -> bytes:
    """The report as a .docx file, styled by ``context.reference_docx`` if given.

    The same report and reference give the same bytes. A reference lacking
    one of :data:`REQUIRED_STYLES`, or that is not a Word file, raises
    :class:`civicrecord.RenderError` saying which.
    """
    from civicrecord.presentation import presenter_for
    from civicrecord.renderers.docx import package
    from civicrecord.renderers.docx.body import write_parts

    path = context.reference_docx
    if path is None:
        reference = package.prepared(reference_docx(), _DEFAULT, report.language)
    else:
        reference = package.prepared(package.read_reference(path),
                                     f"reference document {path}", report.language)
    presenter = presenter_for(report.language)
    # When the document was made, as the report says: published, else the period's end.
    when = datetime.datetime(*(report.published or report.period.end).earliest(),
                             tzinfo=datetime.UTC)
    parts = write_parts(reference, report, presenter, context.base_dir)
    parts[reference.core_part] = package.core_properties(_properties(report, presenter), when)
    return package.write_package(parts, when)


def _properties(report: Report, presenter: Presenter) -> dict[str, str]:
    """The file properties from the report; nothing of the reference's author or dates."""
    neighbourhood = report.neighbourhood
    period = presenter.reporting_period(report.period)
    about = f"{neighbourhood.name}, {neighbourhood.city}, {period}"
    keywords: list[str] = []
    for word in (neighbourhood.name, neighbourhood.city, period,
                 *(programme.name for programme in report.programmes)):
        if word and word not in keywords and len("; ".join([*keywords, word])) <= 255:
            keywords.append(word)
    return {"dc:title": report.title,
            "dc:subject": f"{report.subtitle} – {about}" if report.subtitle else about,
            "dc:creator": report.authority.name, "cp:keywords": "; ".join(keywords),
            "dc:description": "", "cp:lastModifiedBy": report.authority.name,
            "cp:revision": "1", "cp:category": "", "dc:language": report.language,
            "cp:contentStatus": "", "dc:identifier": report.id, "cp:version": ""}


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("output", type=Path, metavar="OUT", help="the .docx file to write")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")


def _write_reference(args: argparse.Namespace) -> int:
    from civicrecord.output import OutputError, write_atomically

    if args.output.exists() and not args.force:
        print(f"civicrecord: error: {args.output} exists; pass --force to replace it",
              file=sys.stderr)
        return 1
    if args.output.is_dir():
        print(f"civicrecord: error: {args.output} is a folder; name the .docx file to write",
              file=sys.stderr)
        return 2
    try:
        write_atomically(args.output, reference_docx())
    except OutputError as error:
        print(f"civicrecord: error: {error}", file=sys.stderr)
        return 1
    print(args.output)
    print(f"next: change its styles in Word or LibreOffice, then run: civicrecord render "
          f"REPORT -f docx --reference-docx {args.output}", file=sys.stderr)
    return 0


@hookimpl
def register_renderers() -> list[Renderer]:
    return [Renderer(name="docx", extension="docx", media_type=MEDIA_TYPE,
                     description="Word document, styled by a reference document "
                     "(--reference-docx)", render=render_docx)]


@hookimpl
def register_commands() -> list[Command]:
    return [Command("reference-docx", "write the default Word reference document, to restyle "
                    "and pass back with render --reference-docx", _configure, _write_reference)]
