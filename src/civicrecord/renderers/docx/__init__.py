"""Word (DOCX): the document a council would have made by hand, in the city's own styles.

Like pandoc's ``--reference-doc``, the look comes from a reference document:
its styles, page setup and header (a logo) are kept, its body is replaced by
the report, and only the styles in :data:`REQUIRED_STYLES` are used, never a
font or colour of the renderer's own: a city restyles its reports by editing
those styles. Without one, the reference.docx shipped beside this module is
used (built by tools/build_reference_docx.py); ``civicrecord reference-docx``
writes it for a city to restyle.

Registering this format and its command is cheap: lxml is loaded only when a
report is rendered. See docs/theming-docx.md.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from attrs import frozen

from civicrecord.command import Command
from civicrecord.model import Report
from civicrecord.plugins.hookspecs import hookimpl
from civicrecord.renderer import RenderContext, Renderer

if TYPE_CHECKING:
    from civicrecord.presentation import Presenter

__all__ = ["REQUIRED_STYLES", "StyleUse", "reference_docx", "register_commands",
           "register_renderers", "render_docx"]

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@frozen
class StyleUse:
    """A style the renderer applies: its name as Word shows it, its kind and where."""

    name: str
    kind: str  # "paragraph", "character" or "table"
    use: str


#: Every style the DOCX renderer uses; a reference document must define them all.
REQUIRED_STYLES: tuple[StyleUse, ...] = (
    StyleUse("Title", "paragraph", "The report's title, on the cover."),
    StyleUse("Subtitle", "paragraph", "The report's subtitle, under the title."),
    StyleUse("Cover Details", "paragraph",
             "Who publishes the report, the neighbourhood and the period, on the cover."),
    StyleUse("Front Heading", "paragraph",
             "Headings inside the introduction, what changed and the key figures (the "
             "situation, the aim, each axis's changes, the status of the actions), kept out "
             "of the table of contents."),
    StyleUse("Normal", "paragraph",
             "Body text: needs, outcomes, the introduction, a partner's or programme's name, "
             "the key figures' source, the status chart."),
    StyleUse("TOC Heading", "paragraph", "The title of the table of contents."),
    StyleUse("TOC 1", "paragraph",
             "Table of contents entries, with their page numbers after a tab (dot leaders)."),
    StyleUse("Heading 1", "paragraph",
             "A chapter, which opens a page: the introduction, what changed, the key "
             "figures, each numbered axis, the partners, the programmes."),
    StyleUse("Heading 2", "paragraph",
             "The need, the actions and the outcome of an axis."),
    StyleUse("List Bullet", "paragraph",
             "An action (title and status), a figure in what changed, and bullet points in "
             "body text."),
    StyleUse("List Bullet 2", "paragraph", "Bullet points in an action's description."),
    StyleUse("List Continue", "paragraph",
             "An action's description, under its bullet; a partner's or programme's; a "
             "figure's change in what changed."),
    StyleUse("Action Details", "paragraph",
             "An action's places, partners, programmes, dates, milestones and budget; a "
             "figure's baseline, target, direction, values over time, note and source."),
    StyleUse("Key Figure", "paragraph",
             "A key figure's callout: its number, the sentence that explains it, its change "
             "and its chart."),
    StyleUse("Caption", "paragraph",
             "A picture's caption, then its credit and licence, under the picture."),
    StyleUse("Header", "paragraph", "The page header (the report's title)."),
    StyleUse("Footer", "paragraph", "The page footer (the page number)."),
    StyleUse("Strong", "character",
             "An action's title; the labels of details (\"Lieux\", \"Budget\"); the "
             "name of a partner or programme."),
    StyleUse("Action Status", "character", "An action's status (\"Réalisé\", \"In progress\")."),
    StyleUse("Key Figure Number", "character", "The big number of a key figure's callout."),
    StyleUse("Key Figures Table", "table",
             "The summary table of key figures (indicator, value, period; the source "
             "when the figures have different ones); its header row repeats on each page."),
)


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
    reference = package.prepared(
        reference_docx() if path is None else package.read_reference(path),
        "the default reference document" if path is None else f"reference document {path}",
        report.language)
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
                     "(--reference-docx)", render=render_docx,
                     options=())]  # no -O: its look is the reference document's


@hookimpl
def register_commands() -> list[Command]:
    return [Command("reference-docx", "write the default Word reference document, to restyle "
                    "and pass back with render --reference-docx", _configure, _write_reference)]
