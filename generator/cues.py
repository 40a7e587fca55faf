"""Compile phrase cues into patterns that match their words in any inflection.

A phrase cue of the codebook is matched on word stems (:func:`compile_cue`):
"sanction" finds "sanctions" and "sanctioned", "dictating the terms" finds
"dictate the terms", but "war" never finds "warm" or "award". The surface
forms of each cue word come from a closed list of endings checked by the
Snowball stemmer (:func:`word_forms`); theme matching (:mod:`themes`) looks
the same forms up in a token index, so phrase cues are compiled to a regex only
when one is needed (:class:`LazyCuePattern`). Explicit ``{re: ...}`` cues are
compiled as written (:func:`compile_regex_cue`).
"""

from __future__ import annotations

import re
from functools import cache

#: Suffix rule for phrase cues. A cue word matches itself and the forms made by
#: adding ONE of these endings to the word or to its Snowball stem, and only
#: those forms whose stem is the cue word's own stem (the stemmer has the last
#: word, so "war" + "es" = "wares" is refused because it stems to "ware"). A
#: consonant may also be doubled before the endings in DOUBLING_SUFFIXES
#: ("war" -> "warring"). This is a closed list, never ``\w*``: a cue can only
#: ever find inflections of its own words, so "war" cannot match "warm" or "award".
INFLECTION_SUFFIXES = ("s", "es", "e", "ed", "d", "ing", "er", "ers", "est", "ly", "y", "ies", "ied", "ier", "iest")
DOUBLING_SUFFIXES = ("ing", "ed", "er", "est")

#: The stem is used as a second root for suffixes only when the stemmer removed at
#: most this many letters ("dictating" -> "dictat" yes; "cooperation" -> "cooper" no,
#: since that is derivation, not inflection, and would find "Cooper").
MAX_STEM_TRIM = 3

#: Short function words are matched as written, never inflected.
LITERAL_WORDS = frozenset(
    {"a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "with", "and", "or", "as", "is", "be", "its"}
)

#: What may separate the words of a phrase cue in the text: whitespace and hyphens/dashes.
WORD_SEPARATOR = r"[\s\-\u2010\u2011\u2012\u2013\u2014]+"

#: What splits a phrase cue into words.
CUE_WORD_SPLIT = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014]+")

#: A straight or curly apostrophe in a cue matches either in the text.
_APOSTROPHES = "['\u2019]"

_VOWELS = frozenset("aeiouy")


@cache
def _stemmer():
    """The Snowball stemmer, imported when a cue is first compiled: a build that reads the
    codebook back from the cache (which unpickles its cues, so imports this module) but
    analyses nothing in its own process never needs it (~1.5 ms)."""
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def _stem(word: str) -> str:
    return _stemmer().stemWord(word.lower())


def word_forms(word: str) -> tuple[str, ...]:
    """The lowercase surface forms a cue word matches, longest first (see :data:`INFLECTION_SUFFIXES`)."""
    word = word.lower()
    if word in LITERAL_WORDS or not word.isalpha():
        return (word,)
    stem = _stem(word)
    forms = {word}
    roots = [word]
    if len(word) - len(stem) <= MAX_STEM_TRIM:
        roots.append(stem)
        if _stem(stem) == stem:
            forms.add(stem)  # "terms" -> "term"
        if stem.endswith("i") and _stem(stem[:-1] + "y") == stem:
            roots.append(stem[:-1] + "y")  # the stemmer turns a final y into i: "allies" -> "ally"
            forms.add(stem[:-1] + "y")
    for root in roots:
        endings = list(INFLECTION_SUFFIXES)
        if len(root) >= 3 and root[-1] not in _VOWELS and root[-2] in _VOWELS and root[-3] not in _VOWELS:
            endings += [root[-1] + suffix for suffix in DOUBLING_SUFFIXES]
        for ending in endings:
            form = root + ending
            if _stem(form) == stem:
                forms.add(form)
    return tuple(sorted(forms, key=lambda f: (-len(f), f)))


def _literal(word: str) -> str:
    """A word with digits or punctuation ("U.S.", "G7", "Xi's"), matched as written."""
    return "".join(_APOSTROPHES if ch in "'\u2019" else re.escape(ch) for ch in word)


def compile_cue(text: str) -> re.Pattern[str]:
    """Compile a phrase cue: its words in order, each in any inflection of its stem.

    Words may be separated by whitespace or hyphens in the text; matching is
    case-insensitive and on whole words only. Raises ``ValueError`` for a cue
    with no words.
    """
    words = [w for w in CUE_WORD_SPLIT.split(text.strip()) if w]
    if not words:
        raise ValueError("a cue needs at least one word")
    parts = ["(?:" + "|".join(_literal(f) for f in word_forms(w)) + ")" for w in words]
    return re.compile(r"(?<!\w)" + WORD_SEPARATOR.join(parts) + r"(?!\w)", re.IGNORECASE)


class LazyCuePattern:
    """``compile_cue(text)``, compiled on first use.

    Theme matching finds plain-word phrase cues with a token index
    (:class:`themes.CueIndex`) and never needs their regex; compiling all of
    them at load took ~3 ms a cue, most of the start-up of an incremental build.
    Behaves like the compiled pattern for ``search``; its ``repr`` is stable, so
    theme fingerprints do not change from run to run.
    """

    __slots__ = ("text", "_compiled")

    def __init__(self, text: str):
        self.text = text
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = compile_cue(self.text)
        return self._compiled

    @property
    def pattern(self) -> str:
        return self.compiled.pattern

    def search(self, string: str, *args: int) -> re.Match[str] | None:
        return self.compiled.search(string, *args)

    def __getstate__(self) -> str:
        return self.text

    def __setstate__(self, text: str) -> None:
        self.text, self._compiled = text, None

    def __repr__(self) -> str:
        return f"compile_cue({self.text!r})"


def compile_regex_cue(pattern: str) -> re.Pattern[str]:
    """Compile an explicit ``{re: ...}`` cue (case-insensitive); raises ``re.error``."""
    return re.compile(pattern, re.IGNORECASE)


__all__ = [
    "CUE_WORD_SPLIT",
    "INFLECTION_SUFFIXES",
    "LazyCuePattern",
    "WORD_SEPARATOR",
    "compile_cue",
    "compile_regex_cue",
    "word_forms",
]
