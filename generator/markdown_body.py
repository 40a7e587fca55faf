"""Markdown article bodies: paragraphs, ``>`` block quotes and a leading ``# Heading`` title.

A ``.md`` seed's body (after its front matter) is read as plain paragraphs
separated by blank lines; nothing but the first heading and ``>`` quote lines
is interpreted. The block quotes are attributed by
:func:`generator.excerpts.attribute_blockquotes`.
"""

from __future__ import annotations

import re
from types import MappingProxyType

from .blocks import Block, Cleaned, collapse, line_key
from .excerpts import attribute_blockquotes
from .records import BLOCKQUOTE, TEXT

_HEADING = re.compile(r"#{1,6}\s+(?P<title>.*?)\s*#*\s*$")
_QUOTE_LINE = re.compile(r">\s?(?P<text>.*)$")


def parse_markdown(body: str, known_title: str | None = None) -> Cleaned:
    """A Markdown-ish body as plain paragraphs; ``> `` lines are block quotes.

    A first-line ``# Heading`` is the title (and dropped from the body) when no
    title is known or when it repeats the known one. Nothing else is interpreted.
    """
    lines = [line.strip() for line in body.split("\n")]
    fields: dict[str, str] = {}
    removed: list[str] = []
    first = next((i for i, line in enumerate(lines) if line), None)
    if first is not None:
        heading = _HEADING.fullmatch(lines[first])
        if heading and heading.group("title") and (
            not known_title or line_key(known_title) == line_key(heading.group("title"))
        ):
            fields["title"] = heading.group("title")
            removed.append(lines[first])
            lines[first] = ""
    blocks: list[Block] = []
    current: list[str] = []
    quoting = False

    def flush() -> None:
        if current:
            blocks.append(Block(collapse(" ".join(current)), BLOCKQUOTE if quoting else TEXT))
            current.clear()

    for line in lines:
        quote = _QUOTE_LINE.match(line)
        if not line or (quote and not quote.group("text").strip()):
            flush()
            continue
        if bool(quote) != quoting:
            flush()
            quoting = bool(quote)
        current.append(quote.group("text") if quote else line)
    flush()
    return Cleaned(tuple(attribute_blockquotes(blocks)), MappingProxyType(fields), tuple(removed))
