"""Paragraph blocks: what the cleaners produce, and the text helpers they share.

:class:`Block` is one paragraph of cleaned text (plain, or a block quote with
its attribution) and :class:`Cleaned` the result of cleaning one article body:
its blocks, the metadata the text states and the lines dropped.
:func:`generator.clean.clean_text` (copied web text), :func:`generator.markdown_body.parse_markdown`
and the HTML reader in :mod:`generator.ingest` all build them, with the helpers
here: :func:`normalise` (line ends, odd spaces, invisible characters),
:func:`collapse` (runs of whitespace), :func:`first_sentence` (a fallback title)
and :func:`line_key` (the comparison form of a line).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from . import regexes
from .records import TEXT
from .sentences import split_sentences

#: Longest title made from the first sentence, in characters.
FALLBACK_TITLE_CHARS = 80

_WHITESPACE = regexes.compile(r"\s+")
#: A line ending like a sentence (or a clause: ``:``/``;``), before closing quotes and brackets.
ENDS_SENTENCE = regexes.compile(r"[.!?…:;][\"'”’)\]]*$")

_NEWLINES = regexes.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
# Spaces that should split like a space; invisible characters that copy-paste
# leaves behind; control characters (NUL is refused before we get here).
_TRANSLATE = {0x00A0: " ", 0x202F: " ", 0x2007: " ", 0x2009: " ", 0x200A: " ", 0x09: " ",
              0xFEFF: None, 0x200B: None, 0x2060: None, 0x00AD: None}
_TRANSLATE.update({c: None for c in range(0x00, 0x20) if c not in (0x09, 0x0A)})
_TRANSLATE.update({c: None for c in range(0x7F, 0xA0)})


@dataclass(frozen=True)
class Block:
    """One paragraph of cleaned text, before it is numbered and split into sentences."""

    text: str
    kind: str = TEXT
    attribution: str | None = None


def _frozen_fields() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Cleaned:
    """The result of cleaning: body paragraphs, metadata stated by the text, dropped lines."""

    blocks: tuple[Block, ...]
    fields: Mapping[str, str] = field(default_factory=_frozen_fields)  # Metadata field name -> value
    removed_lines: tuple[str, ...] = ()


def normalise(text: str) -> str:
    """Unify line ends (CRLF, lone CR...) to ``\\n`` and non-breaking spaces to spaces.

    Drops invisible characters (zero-width space, stray byte order marks, soft
    hyphens) and control characters. Curly quotes and dashes are kept as they are.
    """
    return _NEWLINES.sub("\n", text).translate(_TRANSLATE)


def collapse(text: str) -> str:
    """Runs of whitespace to one space, trimmed."""
    if "  " in text or "\n" in text:
        return _WHITESPACE.sub(" ", text).strip()
    return text.strip()


def sentence_count(text: str) -> int:
    """The number of sentences in ``text``, by the project's sentence splitter."""
    return len(split_sentences(text))


def first_sentence(text: str, limit: int = FALLBACK_TITLE_CHARS) -> str:
    """The first sentence of ``text``, cut at a word boundary to ``limit`` characters (with "…")."""
    text = collapse(text)
    spans = split_sentences(text)
    sentence = (text[spans[0][0]:spans[0][1]] if spans else text).strip()
    if len(sentence) > limit:
        cut = sentence.rfind(" ", 0, limit)
        sentence = sentence[: cut if cut > limit // 2 else limit].rstrip(" ,;:-–—") + "…"
    return sentence


def line_key(line: str) -> str:
    """Comparison form of a line: collapsed and case-folded."""
    return collapse(line).casefold()
