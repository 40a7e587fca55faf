"""Entities and their surface forms: how names are tokenised and looked up in text.

An :class:`Entity` is a canonical name and a kind (person, place,
organisation). A *surface form* is a way the text writes it ("U.S.", "Xi").
Forms and article paragraphs are tokenised the same way (:data:`TOKEN`), so a
:class:`FormTable` (form -> value) can be searched at any token position of a
paragraph's :class:`Tokens`, longest form first (:func:`longest_match`).
The tables are filled by :mod:`generator.aliases` and searched by
:mod:`generator.entities`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from . import regexes

# Entity kinds, in the order mentions are reported.
PERSON = "person"
PLACE = "place"
ORGANISATION = "organisation"
KINDS = (PERSON, PLACE, ORGANISATION)
KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}

# One token: initialisms ("U.S."), dotted abbreviations ("Mr."), or a word that
# may contain apostrophes ("O'Brien") but not a possessive "'s". Hyphens split
# tokens ("Russia-Ukraine" is two mentions); forms are tokenised the same way.
TOKEN = regexes.compile(
    r"(?:[A-Z]\.){2,}"
    r"|(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|Lt|Col|Adm|Sgt|Capt|Jr|Sr|St)\."
    r"|\w+(?:['’](?!s\b)\w+)*"
)
# The same tokens with the text before each one, found in one pass: (gap, token).
_GAP_AND_TOKEN = regexes.compile(rf"(\W*)({TOKEN.pattern})")
_WHITESPACE = regexes.compile(r"\s+")
# Whitespace that would need normalising before a form lookup (not one plain space).
_UNUSUAL_SPACE = regexes.compile(r"[^\S ]| {2,}")
_SLUG_JUNK = regexes.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Entity:
    """A canonical entity: its name and kind."""

    name: str
    kind: str

    @property
    def id(self) -> str:
        return slugify(self.name)


def slugify(name: str) -> str:
    """Stable, ASCII, lowercase, hyphenated id of a canonical name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _SLUG_JUNK.sub("-", ascii_name.lower()).strip("-")


def normalise_spaces(text: str) -> str:
    """``text`` trimmed, with runs of whitespace made one space."""
    return _WHITESPACE.sub(" ", text.strip())


def form_key(text: str) -> tuple[str, str, int] | None:
    """(key, first token, token count) of a surface form, tokenised like article text."""
    tokens = list(TOKEN.finditer(text))
    if not tokens:
        return None
    key = normalise_spaces(text[tokens[0].start() : tokens[-1].end()])
    return key, tokens[0].group(), len(tokens)


class FormTable:
    """Surface forms -> value, looked up longest-first at a token position."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.longest: dict[str, int] = {}  # first token -> most tokens of a form starting with it

    def add(self, form: str, value: Any) -> None:
        parsed = form_key(form)
        if parsed is None:
            return
        key, first, count = parsed
        self.values[key] = value
        if count > self.longest.get(first, 0):
            self.longest[first] = count

    def copy(self) -> FormTable:
        other = FormTable()
        other.values = dict(self.values)
        other.longest = dict(self.longest)
        return other


class Tokens:
    """The tokens of one paragraph, and the text between them (both found in C, not per token)."""

    __slots__ = ("words", "gaps", "_clean")

    def __init__(self, text: str):
        pairs = _GAP_AND_TOKEN.findall(text)
        self.words: list[str] = [word for _, word in pairs]
        # gaps[i] is the text before token i (gaps[0] precedes the first token).
        self.gaps: list[str] = [gap for gap, _ in pairs]
        # Most paragraphs need no whitespace normalisation.
        self._clean = _UNUSUAL_SPACE.search(text) is None

    def __len__(self) -> int:
        return len(self.words)

    def span(self, i: int, j: int) -> str:
        """Normalised text of tokens ``i`` to ``j`` (exclusive)."""
        words, gaps = self.words, self.gaps
        parts = [words[i]]
        for k in range(i + 1, j):
            parts.append(gaps[k])
            parts.append(words[k])
        raw = "".join(parts)
        return raw if self._clean else normalise_spaces(raw)

    def gap(self, i: int) -> str:
        """The text between token ``i - 1`` and token ``i``."""
        return self.gaps[i] if i > 0 else ""


def longest_match(tokens: Tokens, i: int, tables: tuple[FormTable, ...]) -> tuple[int, Any]:
    """Longest form starting at token ``i`` in the first table that has it: (token count, value).

    Returns ``(0, None)`` when nothing matches.
    """
    first = tokens.words[i]
    longest = 0
    for table in tables:
        most = table.longest.get(first, 0)
        if most > longest:
            longest = most
    if not longest:
        return 0, None
    for count in range(min(longest, len(tokens.words) - i), 0, -1):
        key = tokens.span(i, i + count) if count > 1 else first
        for table in tables:
            if key in table.values:
                return count, table.values[key]
    return 0, None
