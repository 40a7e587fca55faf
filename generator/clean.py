"""Remove web copy-paste debris from raw article text and infer its metadata.

A ``.txt`` seed is text copied from a web page: besides the article it holds
navigation labels, share buttons, the title two or three times, a photo credit,
a byline, and so on. :func:`clean_text` turns it into body paragraphs plus the
metadata the text states, and lists every line it dropped, in order.

Rules (all general; nothing here knows a particular site):

* Paragraphs are separated by blank lines; the lines of one paragraph are
  joined with a space (one sentence per line is fine). A dropped line also
  ends a paragraph.
* Lines matching an entry of :data:`generator.furniture.FURNITURE` (share/subscribe/cookie/"Read
  more"/"Leave a Reply"/advertising labels...) are dropped wherever they are.
  A comment-section or "related posts" heading (:func:`generator.furniture.starts_page_tail`) in the second
  half of the text drops everything after it.
* The *head* is everything before the first body paragraph (one with at least
  two sentences or :data:`BODY_MIN_WORDS` words). In the head:

  - a standalone byline ``By Name[, Note]`` gives ``author`` (and
    ``author_note``); ``By Jane Doe and John Roe`` gives both names;
  - a standalone date line (``March 22, 2023``, ``22 March 2023``,
    ``2023-03-22``, optionally ``Published``/weekday/time) gives ``date`` as
    ``YYYY-MM-DD``; ``Updated ...`` lines are dropped but never used; numeric
    dates like ``03/04/2023`` are ambiguous and left alone;
  - a short line containing `` | `` (``Flashpoints | Diplomacy``) gives ``section``;
  - the title is the first line repeated in the head, else the line just above
    the byline, else the first title-like line (short, no final full stop);
    later copies of it are dropped anywhere in the text;
  - ``subtitle`` is the first line after the title if it is one sentence and
    either short (<= :data:`STANDFIRST_SHORT_WORDS` words) or followed by more
    header material (caption, credit, byline...) rather than by the body;
  - other short lines without sentence punctuation are navigation and dropped.

* ``Credit: ...`` / ``Photo by ...`` lines give ``photo_credit``; the line
  right above one, in the same block, is the image caption and is dropped too.
* ``This article originally appeared in X`` / ``First published on X`` /
  ``Republished from X`` lines give ``republished_from`` = X.
* Short lines without sentence punctuation at the very end (tag lists) go.
* Nothing is invented: no author or date unless the text states one.
* Block-quoted excerpts are then recovered (:mod:`generator.excerpts`).

The line tables and parsers live in their own modules: page furniture in
:mod:`generator.furniture`, header lines (byline, date, section, credit,
republication note) in :mod:`generator.headerlines`; the :class:`Block` and
:class:`Cleaned` records and the shared text helpers in :mod:`generator.blocks`.
"""

from __future__ import annotations

import re
from types import MappingProxyType

from .blocks import ENDS_SENTENCE, Block, Cleaned, collapse, line_key, sentence_count
from .excerpts import mark_blockquotes
from .furniture import furniture_kind, starts_page_tail
from .headerlines import is_section, parse_byline, parse_credit, parse_date_line, parse_republished

#: A paragraph with this many words (or two sentences) starts the body.
BODY_MIN_WORDS = 40
#: Lines with at most this many words and no sentence punctuation are
#: navigation when they sit in the head or at the very end.
SHORT_LINE_WORDS = 6
#: A one-sentence line after the title this short is a standfirst.
STANDFIRST_SHORT_WORDS = 15
#: Longest standfirst, in words.
STANDFIRST_MAX_WORDS = 45
#: Longest title, in words and characters.
TITLE_MAX_WORDS = 30
TITLE_MAX_CHARS = 250
#: The head (title, byline, date...) is looked for in this many non-blank lines.
HEAD_MAX_LINES = 30
#: Dropped lines that belong to an article's header (a standfirst is followed by them, a lead is not).
_HEADER_STATUSES = frozenset({"caption", "photo credit", "byline", "date", "section", "title copy"})

_ENDS_FULL_STOP = re.compile(r"[.,;:][\"'”’)\]]*$")
_HAS_LETTER = re.compile(r"[^\W\d_]")


def _is_short_label(line: str) -> bool:
    """A short line without sentence punctuation: a navigation label, a tag."""
    return line.count(" ") < SHORT_LINE_WORDS and not ENDS_SENTENCE.search(line)


def _is_title_like(line: str) -> bool:
    return (
        len(line) <= TITLE_MAX_CHARS
        and len(line.split()) <= TITLE_MAX_WORDS
        and not _ENDS_FULL_STOP.search(line)
        and _HAS_LETTER.search(line) is not None
    )


def _is_body_like(text: str) -> bool:
    return len(text.split()) >= BODY_MIN_WORDS or sentence_count(text) >= 2


def clean_text(text: str, known_title: str | None = None) -> Cleaned:
    """Clean raw copied text (already :func:`generator.blocks.normalise`-d); see the module docstring.

    ``known_title`` (from a sidecar) helps find the title line and its copies.
    """
    lines = [line.strip() for line in text.split("\n")]
    status: list[str | None] = [None] * len(lines)  # None: kept; otherwise why it was dropped
    fields: dict[str, str] = {}
    nonblank = [i for i, line in enumerate(lines) if line]
    if not nonblank:
        return Cleaned(())

    _mark_anywhere(lines, nonblank, status, fields)
    head = _head_lines(lines, nonblank, status)
    title_index = _mark_head(lines, head, status, fields, known_title)

    title = lines[title_index] if title_index is not None else known_title
    if title:
        title_key = line_key(title)
        for i in nonblank:
            if status[i] is None and line_key(lines[i]) == title_key:
                status[i] = "title copy"
        if known_title and title_index is not None and line_key(known_title) != title_key:
            known_key = line_key(known_title)
            for i in nonblank:
                if status[i] is None and line_key(lines[i]) == known_key:
                    status[i] = "title copy"

    _mark_tail(lines, nonblank, status)

    blocks: list[Block] = []
    current: list[str] = []
    removed: list[str] = []
    for i, line in enumerate(lines):
        if line and status[i] is None:
            current.append(line)
            continue
        if line:
            removed.append(line)
        if current:
            blocks.append(Block(collapse(" ".join(current))))
            current = []
    if current:
        blocks.append(Block(collapse(" ".join(current))))
    return Cleaned(tuple(mark_blockquotes(blocks)), MappingProxyType(fields), tuple(removed))


def _mark_anywhere(lines: list[str], nonblank: list[int], status: list[str | None], fields: dict[str, str]) -> None:
    """Furniture, photo credits (and their captions), republication notes, comment sections."""
    half = nonblank[len(nonblank) // 2]
    for position, i in enumerate(nonblank):
        line = lines[i]
        if status[i] is not None:
            continue
        source = parse_republished(line)
        if source:
            status[i] = "republished"
            fields.setdefault("republished_from", source)
            continue
        credit = parse_credit(line)
        if credit:
            status[i] = "photo credit"
            fields.setdefault("photo_credit", credit)
            if i > 0 and lines[i - 1] and status[i - 1] is None and not _is_body_like(lines[i - 1]):
                status[i - 1] = "caption"
            continue
        if i >= half and position > 0 and starts_page_tail(line):
            for j in nonblank[position:]:
                if status[j] is None:
                    status[j] = "comments/related"
            return
        kind = furniture_kind(line)
        if kind:
            status[i] = kind


def _head_lines(lines: list[str], nonblank: list[int], status: list[str | None]) -> list[int]:
    """Indexes of the non-blank lines before the first body paragraph (see module docstring)."""
    window = nonblank[:HEAD_MAX_LINES]
    block: list[int] = []
    for i in window + [len(lines)]:
        kept = i < len(lines) and status[i] is None
        if kept and (not block or block[-1] == i - 1):
            block.append(i)
            continue
        if block and _is_body_like(" ".join(lines[j] for j in block)):
            return [j for j in window if j < block[0]]
        block = [i] if kept else []
    # No body paragraph near the top: the head is the lines before the first full sentence.
    for i in window:
        if status[i] is None and ENDS_SENTENCE.search(lines[i]) and len(lines[i].split()) >= 8:
            return [j for j in window if j < i]
    return window[:1]


def _mark_head(
    lines: list[str], head: list[int], status: list[str | None], fields: dict[str, str], known_title: str | None
) -> int | None:
    """Byline, date, section, title and standfirst in the head; return the title's line index."""
    byline_index = None
    for i in head:
        if status[i] is not None:
            continue
        line = lines[i]
        byline = parse_byline(line)
        if byline:
            status[i] = "byline"
            if byline_index is None:
                byline_index = i
                fields["author"] = byline[0]
                if byline[1]:
                    fields["author_note"] = byline[1]
            continue
        date = parse_date_line(line)
        if date:
            status[i] = "date"
            if not date[1]:
                fields.setdefault("date", date[0])
            continue
        if is_section(line):
            status[i] = "section"
            fields.setdefault("section", line)

    candidates = [i for i in head if status[i] is None and _is_title_like(lines[i])]
    title_index = _choose_title(lines, head, status, candidates, byline_index, known_title)
    if title_index is None:
        return None
    status[title_index] = "title"
    fields["title"] = lines[title_index]
    title_key = line_key(lines[title_index])

    after = [i for i in head if i > title_index and status[i] is None and line_key(lines[i]) != title_key]
    if after:
        s = after[0]
        line = lines[s]
        words = len(line.split())
        followed_by_header = any(
            status[j] in _HEADER_STATUSES or line_key(lines[j]) == title_key for j in head if j > s
        )
        if (
            sentence_count(line) == 1
            and words <= STANDFIRST_MAX_WORDS
            and not line.endswith(":")
            and (words <= STANDFIRST_SHORT_WORDS or followed_by_header)
            and (s == 0 or not lines[s - 1] or status[s - 1] is not None)  # a line of its own
            and (s + 1 >= len(lines) or not lines[s + 1] or status[s + 1] is not None)
        ):
            status[s] = "subtitle"
            fields["subtitle"] = line
    for i in head:
        if status[i] is None and _is_short_label(lines[i]) and line_key(lines[i]) != title_key:
            status[i] = "navigation"
    return title_index


def _choose_title(
    lines: list[str],
    head: list[int],
    status: list[str | None],
    candidates: list[int],
    byline_index: int | None,
    known_title: str | None,
) -> int | None:
    if known_title:
        known = line_key(known_title)
        for i in candidates:
            if line_key(lines[i]) == known:
                return i
    counts: dict[str, int] = {}
    for i in head:
        if status[i] in (None, "caption"):
            counts[line_key(lines[i])] = counts.get(line_key(lines[i]), 0) + 1
    for i in candidates:
        if counts.get(line_key(lines[i]), 0) >= 2 and len(lines[i].split()) >= 2:
            return i
    if byline_index is not None:
        before = [i for i in candidates if i < byline_index]
        if before:
            return before[-1]
    for i in candidates:
        if len(lines[i].split()) >= 3:
            return i
    return candidates[0] if candidates else None


def _mark_tail(lines: list[str], nonblank: list[int], status: list[str | None]) -> None:
    """Drop short label lines (tags, "Topics") after the last real paragraph."""
    kept = [i for i in nonblank if status[i] is None]
    if not any(ENDS_SENTENCE.search(lines[i]) for i in kept):
        return  # no sentence at all: nothing tells the labels from the text
    for i in reversed(kept):
        if not _is_short_label(lines[i]):
            return
        status[i] = "navigation"
