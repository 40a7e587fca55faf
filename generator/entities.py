"""People, places and organisations mentioned in an article, found without an ML model.

Three sources, all deterministic and offline:

* **Gazetteer** and **aliases file** (:mod:`generator.aliases`): surface forms
  of known entities, matched case-sensitively on whole words, longest form first.
* **Person rule**: a capitalised name introduced by a title ("Chinese President
  Xi Jinping", "Lord Palmerston", "spokesman Dmitry Peskov"), or a name of two
  or more words next to a speech verb ("Alexander Gabuev said", "said Alexander
  Gabuev", "according to Alexander Gabuev"). Once a person is found, the same
  surname alone anywhere in the article counts for that person ("Gabuev";
  "Xi" for "Xi Jinping", family name first). A surname shared by two people of
  the article, or that is also a gazetteer/alias form, is not used alone.

Decisions: demonyms and adjectives ("Chinese", "Russian") are not mentions of
the country; named events and eras ("Cold War") are not entities; sentence
openers, pronouns, months and days never start a name. Counting is by
occurrence (every match counts), grouped by canonical name and kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .aliases import Aliases, Gazetteer, builtin_aliases
from .entity_forms import KIND_ORDER, PERSON, TOKEN, Entity, FormTable, Tokens, longest_match, normalise_spaces
from .records import Article, Mention

# A person's name has at most this many words after its title is removed;
# longer capitalised runs are headlines or titles of works, not names.
MAX_NAME_WORDS = 4

# Speech verbs that, next to a capitalised name of two or more words, make it
# a person ("Alexander Gabuev said", "said Alexander Gabuev").
SPEECH_VERBS = frozenset(
    """said says say told tells wrote writes noted notes argued argues warned warns added adds
    declared declares stated states explained explains insisted insists claimed claims observed
    observes remarked remarks asked asks replied replies concluded stressed stresses emphasised
    emphasized suggested suggests acknowledged admitted announced announces complained recalled
    recalls quipped cautioned predicted maintained contended believes believed thinks thought
    told""".split()
)

# Gaps allowed between the words of one capitalised name run.
_NAME_GAP = re.compile(r"[ \t\u00a0]+|-|‐")


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _capitalised_runs(tokens: Tokens) -> Iterable[tuple[int, int]]:
    """Maximal runs of capitalised tokens joined by spaces (or hyphens: "Jong-un")."""
    words, gaps = tokens.words, tokens.gaps
    n = len(words)
    capitalised = [i for i, w in enumerate(words) if w[0].isupper()]
    done = 0
    for i in capitalised:
        if i < done:
            continue
        j = i + 1
        while j < n:
            gap = gaps[j]
            if (gap == " " and words[j][0].isupper()) or (
                gap != " " and _NAME_GAP.fullmatch(gap) and (words[j][0].isupper() or gap in ("-", "‐"))
            ):
                j += 1
            else:
                break
        yield i, j
        done = j


class _PeopleFinder:
    """Applies the person rule to one article."""

    def __init__(self, aliases: Aliases):
        self.aliases = aliases
        self.gaz = aliases.gazetteer
        self.found: dict[str, None] = {}  # person names in order of first appearance

    def _preceded_by_title(self, tokens: Tokens, a: int) -> bool:
        """A lowercase title ("leader", "spokesman") right before token ``a``."""
        if a == 0 or tokens.words[a - 1] not in self.gaz.lowercase_title_ends:
            return False
        for count in (2, 1):
            i = a - count
            if i < 0 or not _NAME_GAP.fullmatch(tokens.gap(a) or " "):
                continue
            key = tokens.span(i, a)
            if key in self.gaz.titles.values and not _is_capitalised(key):
                return True
        return False

    def _speech_next_to(self, tokens: Tokens, a: int, b: int) -> bool:
        """A speech verb right after tokens a..b (or after "of the Carnegie Endowment"), or right before."""
        words, n = tokens.words, len(tokens)
        k = b
        if k < n and words[k] in ("of", "at", "from") and tokens.gap(k).isspace():
            k += 1
            if k < n and words[k] == "the":
                k += 1
            while k < n and _is_capitalised(words[k]) and tokens.gap(k).isspace():
                k += 1
        if k < n and words[k] in SPEECH_VERBS and tokens.gap(k).isspace():
            return True
        if a > 0 and tokens.gap(a).isspace():
            if words[a - 1] in SPEECH_VERBS:
                return True
            if a > 1 and words[a - 1] == "to" and words[a - 2] in ("according", "According"):
                return True
        return False

    def scan(self, tokens: Tokens) -> None:
        gaz, forms = self.gaz, self.aliases.forms
        words = tokens.words
        for a, b in _capitalised_runs(tokens):
            titled = self._preceded_by_title(tokens, a)
            if b - a == 1 and not titled:
                continue  # one capitalised word without a title is never a new person
            # Well-known people (gazetteer or aliases) inside the run.
            i = a
            while i < b:
                if words[i] not in forms.longest:
                    i += 1
                    continue
                count, value = longest_match(tokens, i, (forms,))
                if count and isinstance(value, Entity) and value.kind == PERSON and count > 1:
                    self.found.setdefault(value.name)
                i += count or 1
            # Strip sentence openers, demonyms and titles from the front.
            keep_from = None  # a kept title ("Lord") starts the name
            i = a
            while i < b:
                word = tokens.words[i]
                if word in gaz.stopwords:
                    i += 1
                    continue
                count, _ = longest_match(tokens, i, (gaz.demonyms,))
                if count and i + count <= b:
                    i += count
                    continue
                count, kept = longest_match(tokens, i, (gaz.titles,))
                if count and i + count < b:
                    titled = True
                    keep_from = i if kept else None
                    i += count
                    continue
                break
            start = keep_from if keep_from is not None else i
            if i >= b:
                continue
            # Cut the name where a known place or organisation begins ("Xi Jinping Moscow").
            end = i
            while end < b:
                count, value = longest_match(tokens, end, (forms,))
                if end > i and count and (value is None or value.kind != PERSON):
                    break
                if tokens.words[end] in gaz.stopwords:
                    break
                end += 1
            name_words = words[i:end]
            if not name_words or len(name_words) > MAX_NAME_WORDS:
                continue
            if any(w in gaz.organisation_words for w in name_words):
                continue
            name = tokens.span(start, end)
            count, value = longest_match(tokens, i, (forms,))
            if count == end - i and value is None:
                continue  # ignored form or event
            if count == end - i and value.kind != PERSON:
                continue  # a known place or organisation, not a person
            if titled or (len(name_words) > 1 and self._speech_next_to(tokens, a, b)):
                self.found.setdefault(name)


def _surname(name: str, gaz: Gazetteer) -> str | None:
    words = [m.group() for m in TOKEN.finditer(name)]
    while len(words) > 1 and gaz.titles.values.get(words[0]):
        words = words[1:]  # "Lord Palmerston" -> "Palmerston"
    if len(words) < 2 and name == words[0]:
        return None
    return words[0] if words[0] in gaz.family_name_first else words[-1]


def people_index(article: Article, aliases: Aliases | None = None, tokenised: list[Tokens] | None = None) -> dict[str, str]:
    """Surface forms of the article's people -> canonical person name.

    Holds the full names found by the person rule and their surnames (when not
    ambiguous and not already a gazetteer/alias form). :mod:`generator.quotes`
    uses it to name speakers the same way mentions are named.
    """
    aliases = aliases or builtin_aliases()
    cached = _LAST_PEOPLE_INDEX[0]
    if cached is not None and cached[0] is article and cached[1] is aliases:
        return cached[2]  # find_mentions and find_quotes on the same article share one scan
    tokenised = tokenised if tokenised is not None else [Tokens(p.text) for p in article.paragraphs]
    finder = _PeopleFinder(aliases)
    for tokens in tokenised:
        finder.scan(tokens)
    forms = aliases.forms.values
    index: dict[str, str] = {}
    multi = []
    for name in finder.found:
        known = aliases.lookup(name)
        if known is not None and known.kind == PERSON:
            canonical = known.name
        else:
            canonical = name
        index[normalise_spaces(name)] = canonical
        if " " in canonical:
            multi.append(canonical)
    surnames: dict[str, set[str]] = {}
    for canonical in dict.fromkeys(multi):
        surname = _surname(canonical, aliases.gazetteer)
        if surname and surname not in aliases.gazetteer.stopwords:
            surnames.setdefault(surname, set()).add(canonical)
    for surname, owners in surnames.items():
        existing = forms.get(surname, False)
        if existing is not False and not (existing is not None and existing.kind == PERSON and existing.name in owners):
            continue  # a gazetteer/alias form wins
        if len(owners) == 1:
            index[surname] = next(iter(owners))
    _LAST_PEOPLE_INDEX[0] = (article, aliases, index)
    return index


# The last article's people index (identity-keyed, one entry: no growth over a corpus).
_LAST_PEOPLE_INDEX: list[tuple[Article, Aliases, dict[str, str]] | None] = [None]


def resolve_name(surface: str, aliases: Aliases | None, people: Mapping[str, str]) -> str:
    """Canonical name of a name as written: aliases first, then the article's people, else as written."""
    aliases = aliases or builtin_aliases()
    key = normalise_spaces(surface)
    entity = aliases.lookup(key)
    if entity is not None:
        return entity.name
    return people.get(key, key)


def find_mentions(article: Article, aliases: Aliases | None = None) -> tuple[Mention, ...]:
    """Every person, place and organisation the article mentions, with counts and paragraphs.

    Ordered by kind (person, place, organisation), then count (descending),
    then name.
    """
    aliases = aliases or builtin_aliases()
    tokenised = [Tokens(p.text) for p in article.paragraphs]
    people = FormTable()
    for form, canonical in people_index(article, aliases, tokenised).items():
        people.add(form, Entity(canonical, PERSON))
    tables = (aliases.forms, people)
    counts: dict[Entity, int] = {}
    where: dict[Entity, set[int]] = {}
    base_first, people_first = aliases.forms.longest, people.longest
    for paragraph, tokens in zip(article.paragraphs, tokenised):
        # Only words that start some form are looked at (most words start none).
        candidates = [i for i, w in enumerate(tokens.words) if w in base_first or w in people_first]
        done = 0  # tokens before this index are part of an earlier match
        for i in candidates:
            if i < done:
                continue
            count, value = longest_match(tokens, i, tables)
            if count and value is not None:
                counts[value] = counts.get(value, 0) + 1
                where.setdefault(value, set()).add(paragraph.number)
            done = i + count
    mentions = [
        Mention(entity_id=e.id, name=e.name, kind=e.kind, paragraphs=tuple(sorted(where[e])), count=c)
        for e, c in counts.items()
    ]
    mentions.sort(key=lambda m: (KIND_ORDER[m.kind], -m.count, m.name))
    return tuple(mentions)
