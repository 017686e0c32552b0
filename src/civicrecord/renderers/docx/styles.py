"""The Word styles the DOCX renderer writes with: the contract with reference documents.

A city restyles its reports by editing these styles in a reference document;
the renderer uses these names and no others, and never sets fonts or colours
itself. Kept free of python-docx and lxml so the list can be read (and documented)
without loading it.
"""

from __future__ import annotations

from attrs import frozen

__all__ = ["REQUIRED_STYLES", "STYLES_ADDED_LATER", "StyleUse"]


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

#: Styles added after cities made their reference documents, and the style used
#: in their place when a reference lacks them.
STYLES_ADDED_LATER = {"Caption": "Normal"}
