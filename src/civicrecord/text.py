"""Plain report text -> paragraphs and bullet lists, for every renderer alike.

Report texts are plain text, never markup: a blank line separates paragraphs,
and lines starting with ``- `` (or ``* ``, ``• ``) are the items of a bullet
list. Renderers escape what they get from here; nothing is interpreted.
"""

from __future__ import annotations

import re

from attrs import frozen

__all__ = ["LINK_SCHEMES", "Block", "blocks", "link_target"]

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
    if any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in url):
        return None
    if _WEB_ADDRESS.fullmatch(url) or _MAIL_ADDRESS.fullmatch(url):
        return url
    return None
