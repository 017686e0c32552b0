"""Decidim's HTML descriptions -> civicrecord's plain text: the words kept, every tag gone.

Decidim stores descriptions as HTML from its rich-text editor (``<p>``,
``<ul><li>``, ``<strong>``, ``<a href>``, sometimes ``<img>`` or ``<iframe>``).
A report's texts are plain text, never markup, so the HTML is read with the
standard library's HTML parser (the tokeniser browsers' rules describe, which
copes with broken markup) and only its text comes out: paragraphs separated by
a blank line, list items as ``- `` lines, a link's address after its words.
Entities are decoded once (``&lt;b&gt;`` is the text ``<b>``, which renderers
then escape); what scripts, styles and embedded frames hold is dropped.
"""

from __future__ import annotations

import html.parser
import re

__all__ = ["html_to_text"]

# Elements that end a paragraph; their text is never run into the next one's.
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tr", "ul",
})
# Elements whose content is not text for readers.
_DROPPED = frozenset({"script", "style", "template", "iframe", "object", "noscript", "svg",
                      "math", "head", "title", "textarea", "select"})
# Elements that cannot have content, so never have an end tag to wait for.
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})
# HTML's white space, which collapses; a no-break space is text and stays.
_SPACES = re.compile(r"[ \t\n\f\r]+")
#: Starts of a line that civicrecord reads as a bullet, and what a paragraph gets instead.
_BULLET_LOOKALIKES = {"- ": "– ", "* ": "∗ ", "• ": "◦ "}


class _TextCollector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []  # finished paragraphs and "- item" lines
        self.kinds: list[str] = []  # "paragraph" or "item", per block
        self.words: list[str] = []  # the block being read
        self.in_item = 0
        self.dropped: list[str] = []  # open elements whose content is dropped
        self.links: list[str | None] = []  # addresses of the open links

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropped:
            if tag not in _VOID:
                self.dropped.append(tag)
            return
        if tag in _DROPPED:
            self.dropped.append(tag)
        elif tag == "li":
            self.end_block()
            self.in_item += 1
        elif tag in _BLOCKS:
            self.end_block()
        elif tag == "br":
            self.words.append("\n")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append(href.strip() if re.match(r"https?://", href.strip(), re.I)
                              else None)
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.words.append(f" {alt} ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.dropped:
            # Close up to the matching element; a stray end tag closes nothing.
            if tag in self.dropped:
                while self.dropped and self.dropped.pop() != tag:
                    pass
            return
        if tag == "li":
            self.end_block()
            self.in_item = max(0, self.in_item - 1)
        elif tag in _BLOCKS:
            self.end_block()
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                shown = "".join(self.words)
                if href not in shown:
                    self.words.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self.dropped:
            # A line break in the source is white space; only <br> breaks a line.
            self.words.append(_SPACES.sub(" ", data))

    def end_block(self) -> None:
        lines = [_SPACES.sub(" ", line).strip(" ") for line in "".join(self.words).split("\n")]
        text = "\n".join(line for line in lines if line)
        self.words = []
        if text:
            self.blocks.append(text)
            self.kinds.append("item" if self.in_item else "paragraph")


def html_to_text(markup: str) -> str:
    """The text of an HTML fragment, in civicrecord's plain-text conventions."""
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    collector.end_block()
    parts: list[str] = []
    previous = ""
    for text, kind in zip(collector.blocks, collector.kinds, strict=True):
        if kind == "item":
            # Line breaks inside an item are spaces: the item stays one bullet.
            item = "- " + " ".join(text.split("\n"))
            if previous == "item":
                parts[-1] += "\n" + item
            else:
                parts.append(item)
        else:
            if text[:2] in _BULLET_LOOKALIKES:
                # A paragraph, not a bullet, whatever it starts with: a look-alike mark.
                text = _BULLET_LOOKALIKES[text[:2]] + text[2:]
            parts.append(text)
        previous = kind
    return "\n\n".join(parts)
