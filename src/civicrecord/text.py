"""Plain report text -> paragraphs and bullet lists, for every renderer alike.

Report texts are plain text, never markup: a blank line separates paragraphs,
and lines starting with ``- `` (or ``* ``, ``• ``) are the items of a bullet
list. Renderers escape what they get from here; nothing is interpreted.
"""

from __future__ import annotations

from attrs import frozen

__all__ = ["Block", "blocks"]

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
