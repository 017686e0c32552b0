"""Plain report text: the characters it may hold, its paragraphs and lists, its links.

Report texts are plain text, never markup: a blank line separates paragraphs,
and lines starting with ``- `` (or ``* ``, ``• ``) are the items of a bullet
list. Renderers escape what they get from here; nothing is interpreted.

The rules for characters and links live here once: validation refuses what
they refuse, and renderers apply the same rules to a report built in Python,
which skipped validation.
"""

from __future__ import annotations

import re

from attrs import frozen

__all__ = [
    "ILLEGAL_CHARACTERS",
    "LINK_SCHEMES",
    "Block",
    "blocks",
    "illegal_characters",
    "link_target",
    "without_illegal_characters",
]

#: Characters no report text may hold: the C0 controls but tab, line feed and
#: carriage return, DEL and the C1 controls, lone surrogates, U+FFFE and U+FFFF.
#: XML (DOCX, HTML's XML form, SVG) forbids most of them outright; the rest are
#: invisible controls that only ever arrive by pasting from a PDF or Word.
ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

#: The only kinds of address a report may link to: never ``javascript:`` or ``data:``.
LINK_SCHEMES = ("http", "https", "mailto")
_WEB_ADDRESS = re.compile(r"https?://[^\s/?#.][^\s/?#]*[^\s]*", re.IGNORECASE)
_MAIL_ADDRESS = re.compile(r"mailto:[^\s@:/]+@[^\s@/]+", re.IGNORECASE)

_BULLETS = ("- ", "* ", "• ")


@frozen
class Block:
    """A paragraph (one item in ``lines``) or a bullet list (one line per item)."""

    kind: str  # "paragraph" or "bullets"
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def blocks(text: str) -> list[Block]:
    """Split text into paragraphs and bullet lists; single line breaks are spaces."""
    result: list[Block] = []
    for chunk in text.replace("\r\n", "\n").replace("\r", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        paragraph: list[str] = []
        bullets: list[str] = []
        for line in lines:
            if line.startswith(_BULLETS):
                if paragraph:
                    result.append(Block("paragraph", (" ".join(paragraph),)))
                    paragraph = []
                bullets.append(line[2:].strip())
            elif bullets and not paragraph and line and not line.startswith(_BULLETS) \
                    and chunk.split("\n")[0].strip().startswith(_BULLETS):
                bullets[-1] = f"{bullets[-1]} {line}"
            else:
                if bullets:
                    result.append(Block("bullets", tuple(bullets)))
                    bullets = []
                paragraph.append(line)
        if paragraph:
            result.append(Block("paragraph", (" ".join(paragraph),)))
        if bullets:
            result.append(Block("bullets", tuple(bullets)))
    return result


def link_target(url: object) -> str | None:
    """``url`` if it is an address a report may link to, else None.

    One rule for every URL field, used by validation and by every renderer
    that makes links: ``http``, ``https`` or ``mailto``, no spaces and no
    control characters. A report built in Python, which skipped validation,
    still cannot smuggle ``javascript:`` into a page.
    """
    if not isinstance(url, str) or url != url.strip():
        return None
    if any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in url):  # even tab, line feed
        return None
    if _WEB_ADDRESS.fullmatch(url) or _MAIL_ADDRESS.fullmatch(url):
        return url
    return None


def illegal_characters(text: str) -> list[tuple[int, str]]:
    """The position and code (``U+0007``) of each character :data:`ILLEGAL_CHARACTERS` matches."""
    return [(match.start(), f"U+{ord(match.group()):04X}")
            for match in ILLEGAL_CHARACTERS.finditer(text)]


def without_illegal_characters(text: str) -> str:
    """``text`` with every character :data:`ILLEGAL_CHARACTERS` matches removed."""
    return ILLEGAL_CHARACTERS.sub("", text)
