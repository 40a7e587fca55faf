"""Direct quotations in an article, with their speaker when the text says who.

A quotation is the text between double quotation marks (straight ``"…"`` or
curly ``“…”``) of at least :data:`MIN_QUOTE_WORDS` words; shorter quoted
phrases are scare quotes or titles and are skipped. A quotation may run over
sentence boundaries inside one paragraph; it is bound to the sentence where it
opens. An opening curly mark never closed in its paragraph runs to the end of
the paragraph (the convention for quotations that continue over paragraphs).

The speaker comes only from the words around the quotation, never from a
guess (:mod:`speakers`): a name or a role phrase attached to a speech verb
after or before it, or, for a quotation that is its whole sentence, the end of
the previous sentence. A pronoun ("he said") gives ``None``, as does anything
else not matched: the article's author is never used.
"""

from __future__ import annotations

import logging
import re

from . import speakers
from .aliases import Aliases, builtin_aliases
from .records import Article, Paragraph, Quote

log = logging.getLogger(__name__)

# Fewer words than this between the marks is a scare quote or a title, not a quotation.
MIN_QUOTE_WORDS = 6
# Quotation spans: curly pairs, straight pairs, and a curly opening left open to
# the end of the paragraph. Nested single quotes ('…' / ‘…’) stay inside.
_CURLY = re.compile(r"“([^“”]*)”")
_CURLY_OPEN_TO_END = re.compile(r"“([^“”]*)$")
_STRAIGHT = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w+(?:['’]\w+)*")


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the text inside each pair of quotation marks, in order."""
    spans = [(m.start(1), m.end(1)) for m in _CURLY.finditer(text)]
    unclosed = _CURLY_OPEN_TO_END.search(text)
    if unclosed:
        spans.append((unclosed.start(1), unclosed.end(1)))
    spans.extend((m.start(1), m.end(1)) for m in _STRAIGHT.finditer(text))
    spans.sort()
    # Straight marks inside a curly quotation (or vice versa) are nested, not separate.
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and start < out[-1][1]:
            continue
        out.append((start, end))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop surrounding spaces and a trailing comma/colon/semicolon (punctuation of the attribution)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return start, end


def _sentence_at(paragraph: Paragraph, offset: int) -> int | None:
    """Index of the sentence containing ``offset`` (or the next one, if it falls between sentences)."""
    for i, sentence in enumerate(paragraph.sentences):
        if offset < sentence.end:
            return i
    return len(paragraph.sentences) - 1 if paragraph.sentences else None


def _paragraph_quotes(paragraph: Paragraph, name: speakers.SpeakerNamer) -> list[Quote]:
    text = paragraph.text
    sentences = paragraph.sentences
    if not sentences:
        return []
    spans = _quote_spans(text)
    found: list[Quote] = []
    # For each sentence index: (speaker, closing offset) of the last quotation ending in it.
    last_in_sentence: dict[int, tuple[str | None, int]] = {}
    for n, (inner_start, inner_end) in enumerate(spans):
        start, end = _trim(text, inner_start, inner_end)
        if len(_WORD.findall(text[start:end])) < MIN_QUOTE_WORDS:
            continue
        first = _sentence_at(paragraph, inner_start - 1)
        last = _sentence_at(paragraph, max(inner_end - 1, inner_start))
        if first is None or last is None:
            continue
        open_mark = inner_start - 1
        close_mark = inner_end + 1  # just past the closing mark
        previous_end = spans[n - 1][1] + 1 if n else 0
        next_start = spans[n + 1][0] - 1 if n + 1 < len(spans) else len(text)
        before = text[max(sentences[first].start, previous_end) : open_mark]
        after = text[min(close_mark, len(text)) : min(sentences[last].end, next_start)]
        speaker = speakers.find_speaker(before, after, name)
        if speaker is None and speakers.is_whole_sentence(before, after) and first > 0:
            speaker = speakers.previous_sentence_speaker(paragraph, first, last_in_sentence, name)
        found.append(Quote(text=text[start:end], speaker=speaker, sentence=sentences[first]))
        last_in_sentence[last] = (speaker, min(close_mark, len(text)))
    return found


def find_quotes(article: Article, aliases: Aliases | None = None) -> tuple[Quote, ...]:
    """Direct quotations of :data:`MIN_QUOTE_WORDS` or more words, in text order.

    ``aliases`` (from :func:`generator.aliases.load_aliases`) makes speakers
    canonical ("Xi" -> "Xi Jinping"); by default the built-in gazetteer is used.
    """
    aliases = aliases or builtin_aliases()
    if not any('"' in p.text or "“" in p.text for p in article.paragraphs):
        return ()
    name = speakers.SpeakerNamer(aliases, article)
    quotes: list[Quote] = []
    for paragraph in article.paragraphs:
        if '"' in paragraph.text or "“" in paragraph.text:
            quotes.extend(_paragraph_quotes(paragraph, name))
    return tuple(quotes)
