"""Who said a quotation: the speaker the words around it name, or ``None``.

The speaker comes only from the words around the quotation, never from a guess:

* after it: ``“…,” Xi said`` / ``“…,” said Alexander Gabuev of the Carnegie
  Endowment`` / ``“…,” according to X`` / ``“…,” as Lord Palmerston put it``;
* before it: ``X said (that) “…”`` / ``X told Y: “…”`` / ``X wrote in … that
  “…”`` / ``according to X, “…”`` / ``As one Russian state official put it,
  “…”`` / ``a State Department spokesperson said “…”`` / ``Lord Palmerston's
  dictum that “…”`` / ``in the words of X, “…”``;
* for a quotation that is its whole sentence: the end of the previous sentence
  of the same paragraph (``Gabuev put it bluntly.`` / ``…,” Xi said.``), or the
  speaker of a quotation that ends the previous sentence (a quote continued).

A speaker is a name (capitalised words, optionally "of/at/from the <Org>") or a
role phrase (determiner + up to four words + a role noun: "one Russian state
official", "a State Department spokesperson"). Titles and demonyms in front of
a name are dropped ("Chinese President Xi Jinping" -> "Xi Jinping"), and names
are made canonical through the aliases and the article's people
(:func:`generator.entities.people_index`): "Xi" -> "Xi Jinping". A pronoun
("he said") gives ``None``, as does anything else not matched: the article's
author is never used, and block-quote paragraphs get the same treatment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from . import regexes
from .aliases import Aliases
from .entities import people_index
from .records import Article, Paragraph, Sentence

# Characters of text between a speech verb and the opening mark that may still
# belong to the attribution ("told reporters in Beijing on Tuesday that").
MAX_VERB_TO_QUOTE_CHARS = 80
# Words allowed after the speech verb at the end of a previous sentence that
# attributes a following whole-sentence quotation ("Gabuev put it bluntly.").
MAX_TRAILING_ATTRIBUTION_WORDS = 4

# Speech verbs (and "put it") that attribute a quotation to its subject.
_VERBS = (
    r"(?:said|says|say|told|tells|wrote|writes|noted|notes|argued|argues|warned|warns|added|adds"
    r"|declared|declares|stated|states|explained|explains|insisted|insists|claimed|claims|observed"
    r"|observes|remarked|remarks|asked|asks|replied|replies|continued|concluded|stressed|stresses"
    r"|emphasi[sz]ed|suggested|suggests|acknowledged|admitted|announced|complained|recalled|quipped"
    r"|cautioned|predicted|maintained|contended|conceded|joked|mused|tweeted|posted|put\s+it|puts\s+it)"
)
# Adverbs and auxiliaries allowed between a speaker and the verb ("Xi has often said").
_ADVERBS = r"(?:(?:has|have|had|once|also|later|then|recently|famously|bluntly|memorably|often|publicly|privately|reportedly)\s+)"
# A capitalised word of a name ("Jinping", "Mr.", "O'Brien", "U.S.").
_CAP = r"[A-Z][\w.-]*(?:['’](?!s\b)\w+)?"
# A name: capitalised words, with the usual lowercase particles ("Lula da Silva").
_NAME = rf"{_CAP}(?:\s+(?:(?:de|da|do|dos|van|von|der|den|bin|ibn|al|el|la|le|du)\s+)?{_CAP}){{0,5}}"
# An organisation after "of/at/from (the)": "the Carnegie Endowment for International Peace".
_ORG = rf"{_CAP}(?:\s+(?:(?:for|of|and|on|&)\s+)?{_CAP}){{0,6}}"
_AFFILIATION = rf"\s+(?:of|at|from|with)\s+(?:the\s+)?{_ORG}"
# Role phrases: "one Russian state official", "a State Department spokesperson".
_ROLE_NOUNS = (
    r"(?:officials?|spokes(?:person|man|woman)|diplomats?|analysts?|experts?|sources?|ministers?|"
    r"advis[eo]rs?|officers?|commentators?|observers?|scholars?|researchers?|professors?|lawmakers?|"
    r"legislators?|senators?|ambassadors?|envoys?|generals?|commanders?|representatives?|aides?|"
    r"insiders?|leaders?|presidents?|premiers?|chancellors?|secretar(?:y|ies)|negotiators?|historians?|"
    r"economists?|journalists?|columnists?|editorials?|statements?|reports?|communiqu[eé]s?|veterans?|"
    r"residents?|activists?|critics?|supporters?|fighters?|soldiers?|executives?|bankers?|traders?|"
    r"strategists?|academics?|fellows?|directors?|chiefs?|heads?|members?|delegates?|participants?)"
)
_ROLE_DETERMINERS = r"(?:[Aa]n?|[Tt]he|[Oo]ne|[Aa]nother|[Tt]wo|[Tt]hree|[Ss]everal|[Ss]ome|[Mm]any|[Oo]ther)"
# Words a role phrase never runs through (they start a clause, not a role).
_ROLE_STOP = r"(?:to|in|on|at|of|for|with|by|from|and|or|but|that|who|which|whom|as|said|says|told|when|while|is|was|are|were)"
_ROLE = (
    rf"{_ROLE_DETERMINERS}\s+(?:(?!{_ROLE_STOP}\b)[\w’'-]+\s+){{0,4}}?{_ROLE_NOUNS}\b"
    rf"(?:\s+(?:for|of|at|from|in)\s+(?:the\s+)?{_ORG})?"
)
_SPEAKER = rf"(?<![\w’'.-])(?P<speaker>{_ROLE}|{_NAME}(?:{_AFFILIATION})?)"
_ROLE_PHRASE = regexes.compile(_ROLE)
_TRAILING_AFFILIATION = regexes.compile(rf"{_AFFILIATION}$")
_INITIAL_AT_END = regexes.compile(r"(?:\b[A-Z]\.)+$|\b(?:Jr|Sr)\.$")
_PRONOUN = r"(?:he|she|they|it|we|I|you|He|She|They|It|We|You)"
# Nouns for paraphrase attributions: "Lord Palmerston's dictum that “…”".
_SAYING_NOUNS = (
    r"(?:dictum|maxim|remark|words|phrase|line|observation|quip|adage|warning|formula|aphorism|"
    r"assertion|claim|description|comment|statement|verdict|motto|slogan|injunction|advice|question|answer)"
)
_LEAD = r"^[\s,;:—–-]*"  # punctuation between a closing mark and the attribution

# After a quotation (anchored at the closing mark).
_AFTER_PRONOUN = regexes.compile(rf"{_LEAD}(?:{_PRONOUN}\s+{_ADVERBS}{{0,2}}{_VERBS}\b|{_VERBS}\s+{_PRONOUN}\b)")
_AFTER = (
    regexes.compile(rf"{_LEAD}(?:(?:as|according\s+to)\s+)?{_SPEAKER}\s+{_ADVERBS}{{0,2}}{_VERBS}\b"),
    regexes.compile(rf"{_LEAD}{_VERBS}\s+{_SPEAKER}"),
    regexes.compile(rf"{_LEAD}according\s+to\s+{_SPEAKER}"),
)
# Before a quotation (anchored at the opening mark). The text between verb and
# mark may not contain another speech verb: the nearest attribution wins.
_BETWEEN = rf"(?:\s+(?:(?!\b{_VERBS}\b)[^“”\"]){{0,{MAX_VERB_TO_QUOTE_CHARS}}}?)?"
_BEFORE_PRONOUN = regexes.compile(rf"\b{_PRONOUN}\s+{_ADVERBS}{{0,2}}{_VERBS}\b{_BETWEEN}[\s,:]*$")
_BEFORE = (
    regexes.compile(rf"{_SPEAKER}['’]s\s+(?:[\w-]+\s+){{0,2}}?{_SAYING_NOUNS}\s*(?:that|was|is|:)?\s*[,:]?\s*$"),
    regexes.compile(rf"\b[Ii]n\s+the\s+words\s+of\s+{_SPEAKER}\s*[,:]?\s*$"),
    regexes.compile(rf"\b[Aa]ccording\s+to\s+{_SPEAKER}\s*[,:]?\s*$"),
    regexes.compile(rf"{_SPEAKER}\s+{_ADVERBS}{{0,2}}{_VERBS}\b{_BETWEEN}[\s,:]*$"),
)
# The end of a previous sentence that attributes a whole-sentence quotation.
_PREVIOUS = regexes.compile(
    rf"{_SPEAKER}\s+{_ADVERBS}{{0,2}}{_VERBS}(?:\s+[\w’'-]+){{0,{MAX_TRAILING_ATTRIBUTION_WORDS}}}\s*[.:]\s*$"
)
_PREVIOUS_PRONOUN = regexes.compile(
    rf"\b{_PRONOUN}\s+{_ADVERBS}{{0,2}}{_VERBS}(?:\s+[\w’'-]+){{0,{MAX_TRAILING_ATTRIBUTION_WORDS}}}\s*[.:]\s*$"
)
# Punctuation and marks only: nothing that could say who speaks.
_ONLY_PUNCTUATION = regexes.compile(r"[\s\"“”'‘’.,;:!?—–()-]*")
_DETERMINER = regexes.compile(rf"{_ROLE_DETERMINERS}\b")


class SpeakerNamer:
    """Turns a matched speaker phrase into a normalised, canonical speaker."""

    def __init__(self, aliases: Aliases, article: Article):
        self.aliases = aliases
        self.article = article
        self._people: Mapping[str, str] | None = None
        gaz = aliases.gazetteer
        self.stopwords = gaz.stopwords
        self.titles = gaz.titles
        self.demonyms = gaz.demonyms

    def __call__(self, phrase: str) -> str | None:
        phrase = " ".join(phrase.split()).rstrip(",;:")
        if phrase.endswith(".") and not _INITIAL_AT_END.search(phrase):
            phrase = phrase[:-1]  # the sentence's full stop, not an initial ("John F.")
        role = _DETERMINER.match(phrase)
        if role and _ROLE_PHRASE.fullmatch(phrase):
            # Role phrase: lowercase determiner, words as written.
            return phrase[: role.end()].lower() + phrase[role.end() :]
        name, sep, affiliation = self._split_affiliation(phrase)
        name = self._strip_front(name)
        if not name:
            return None
        entity = self.aliases.lookup(name)
        canonical = entity.name if entity is not None else self.people.get(name, name)
        return f"{canonical}{sep}{affiliation}" if affiliation else canonical

    @property
    def people(self) -> Mapping[str, str]:
        """The article's people, computed on first need (most quotations have no named speaker)."""
        if self._people is None:
            self._people = people_index(self.article, self.aliases)
        return self._people

    @staticmethod
    def _split_affiliation(phrase: str) -> tuple[str, str, str]:
        m = _TRAILING_AFFILIATION.search(phrase)
        if not m:
            return phrase, "", ""
        return phrase[: m.start()], " ", phrase[m.start() :].strip()

    def _strip_front(self, name: str) -> str:
        """Drop sentence openers, demonyms and titles before a name (keep "Lord")."""
        words = name.split()
        while words:
            first = words[0]
            if first in self.stopwords:
                words = words[1:]
                continue
            dropped = False
            for table in (self.demonyms, self.titles):
                for count in (3, 2, 1):
                    key = " ".join(words[:count])
                    if len(words) > count and key in table.values and table.values[key] is not True:
                        words = words[count:]
                        dropped = True
                        break
                if dropped:
                    break
            if not dropped:
                break
        if words and words[0] in self.stopwords:
            return ""
        return " ".join(words)


def _speaker_from(context: str, patterns: tuple[re.Pattern[str], ...], name: SpeakerNamer) -> str | None:
    for pattern in patterns:
        m = pattern.search(context)
        if m:
            speaker = name(m.group("speaker"))
            if speaker:
                return speaker
    return None


def find_speaker(before: str, after: str, name: SpeakerNamer) -> str | None:
    if _AFTER_PRONOUN.match(after):
        return None  # "…,” he said: the text does not name the speaker here
    speaker = _speaker_from(after, _AFTER, name)
    if speaker:
        return speaker
    if _BEFORE_PRONOUN.search(before):
        return None
    return _speaker_from(before, _BEFORE, name)


def is_whole_sentence(before: str, after: str) -> bool:
    return _ONLY_PUNCTUATION.fullmatch(before) is not None and _ONLY_PUNCTUATION.fullmatch(after) is not None


def previous_sentence_speaker(
    paragraph: Paragraph,
    first: int,
    last_in_sentence: Mapping[int, tuple[str | None, int]],
    name: SpeakerNamer,
) -> str | None:
    """Speaker of a whole-sentence quotation from the sentence right before it."""
    previous: Sentence = paragraph.sentences[first - 1]
    # A continued quotation: the previous sentence ends with an attributed quotation.
    if first - 1 in last_in_sentence:
        speaker, close = last_in_sentence[first - 1]
        tail = paragraph.text[close : previous.end]
        if speaker and _ONLY_PUNCTUATION.fullmatch(tail):
            return speaker
    if _PREVIOUS_PRONOUN.search(previous.text):
        return None
    return _speaker_from(previous.text, (_PREVIOUS,), name)
