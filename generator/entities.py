"""People, places and organisations mentioned in an article, found without an ML model.

Three sources, all deterministic and offline:

* **Gazetteer** (``generator/data/entities.yml``, shipped with the package):
  organisations and acronyms, cities and regions, a few well-known people, and
  countries from :mod:`pycountry` (name, common name, official name) with
  short English forms added ("U.S.", "Britain"). Forms are matched
  case-sensitively on whole words, longest form first.
* **Aliases file** (the analyst's ``aliases.yml``, merged over the gazetteer):
  maps surface forms to a canonical name and kind, and lists forms never counted.
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

import functools
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycountry

from .errors import Problem, ProblemsError
from .records import Article, Mention
from .yamlsafe import YamlDoc, load_yaml

log = logging.getLogger(__name__)

# Entity kinds, in the order mentions are reported.
PERSON = "person"
PLACE = "place"
ORGANISATION = "organisation"
KINDS = (PERSON, PLACE, ORGANISATION)
KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}

# The built-in gazetteer, shipped as package data.
GAZETTEER_PATH = Path(__file__).parent / "data" / "entities.yml"
GAZETTEER_NAME = "generator/data/entities.yml"  # how problems in it are located

# Top-level keys of the analyst's aliases file, and of one alias entry.
ALIASES_FILE_KEYS = ("aliases", "ignore")
ALIAS_ENTRY_KEYS = ("name", "kind")

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

# One token: initialisms ("U.S."), dotted abbreviations ("Mr."), or a word that
# may contain apostrophes ("O'Brien") but not a possessive "'s". Hyphens split
# tokens ("Russia-Ukraine" is two mentions); forms are tokenised the same way.
_TOKEN = re.compile(
    r"(?:[A-Z]\.){2,}"
    r"|(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|Lt|Col|Adm|Sgt|Capt|Jr|Sr|St)\."
    r"|\w+(?:['’](?!s\b)\w+)*"
)
# The same tokens with the text before each one, found in one pass: (gap, token).
_GAP_AND_TOKEN = re.compile(rf"(\W*)({_TOKEN.pattern})")
_WHITESPACE = re.compile(r"\s+")
# Whitespace that would need normalising before a form lookup (not one plain space).
_UNUSUAL_SPACE = re.compile(r"[^\S ]| {2,}")
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
# Gaps allowed between the words of one capitalised name run.
_NAME_GAP = re.compile(r"[ \t\u00a0]+|-|‐")


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


def _normalise(text: str) -> str:
    return _WHITESPACE.sub(" ", text.strip())


def _form_key(text: str) -> tuple[str, str, int] | None:
    """(key, first token, token count) of a surface form, tokenised like article text."""
    tokens = list(_TOKEN.finditer(text))
    if not tokens:
        return None
    key = _normalise(text[tokens[0].start() : tokens[-1].end()])
    return key, tokens[0].group(), len(tokens)


class _FormTable:
    """Surface forms -> value, looked up longest-first at a token position."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.longest: dict[str, int] = {}  # first token -> most tokens of a form starting with it

    def add(self, form: str, value: Any) -> None:
        parsed = _form_key(form)
        if parsed is None:
            return
        key, first, count = parsed
        self.values[key] = value
        if count > self.longest.get(first, 0):
            self.longest[first] = count

    def copy(self) -> _FormTable:
        other = _FormTable()
        other.values = dict(self.values)
        other.longest = dict(self.longest)
        return other


@dataclass(frozen=True)
class _Gazetteer:
    """The rules and word lists of the built-in gazetteer (shared by every Aliases)."""

    titles: _FormTable  # title form -> True (kept in name) / False
    family_name_first: frozenset[str]
    stopwords: frozenset[str]
    organisation_words: frozenset[str]
    demonyms: _FormTable  # demonym -> country/region name
    forms: _FormTable  # surface form -> Entity, or None for "never counted"
    lowercase_title_ends: frozenset[str]  # last words of lowercase titles ("leader")


class Aliases:
    """Surface forms -> canonical entities: the gazetteer with an analyst's aliases merged over it."""

    def __init__(self, gazetteer: _Gazetteer, forms: _FormTable, source: str):
        self.gazetteer = gazetteer
        self.forms = forms
        self.source = source  # the aliases file, or "" for the built-in gazetteer only

    def lookup(self, surface: str) -> Entity | None:
        """The entity a surface form stands for (``None`` if unknown or ignored)."""
        parsed = _form_key(surface)
        return self.forms.values.get(parsed[0]) if parsed else None

    def is_ignored(self, surface: str) -> bool:
        parsed = _form_key(surface)
        return bool(parsed) and parsed[0] in self.forms.values and self.forms.values[parsed[0]] is None


# --------------------------------------------------------------------------- loading


def _check_list_of_strings(doc: YamlDoc, path: tuple, problems: list[Problem]) -> list[str]:
    value = doc.data
    for part in path:
        value = value[part]
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(doc.problem(path, "expected a list of names"))
        return []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            out.append(item.strip())
        else:
            problems.append(doc.problem((*path, i), "expected a non-empty name"))
    return out


def _check_aliases(
    doc: YamlDoc, known: Mapping[str, Any], problems: list[Problem]
) -> tuple[dict[str, Entity], list[str]]:
    """Validate an aliases document (``aliases:`` and ``ignore:``); collect located problems."""
    data = doc.data
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        problems.append(doc.problem((), "expected a mapping with the keys: " + ", ".join(ALIASES_FILE_KEYS)))
        return {}, []
    aliases: dict[str, Entity] = {}
    raw = data.get("aliases")
    if raw is not None and not isinstance(raw, dict):
        problems.append(doc.problem(("aliases",), "expected a mapping of surface form -> {name, kind}"))
        raw = None
    for surface, entry in (raw or {}).items():
        path = ("aliases", surface)
        if not isinstance(surface, str):
            continue  # load_yaml has already reported a key that is not a string
        if not surface.strip() or _form_key(surface) is None:
            problems.append(doc.problem(path, "a surface form must contain a word", key=True))
            continue
        if isinstance(entry, str):
            entry = {"name": entry}
        elif not isinstance(entry, dict):
            problems.append(doc.problem(path, "expected {name: ..., kind: person|place|organisation}"))
            continue
        for key in entry:
            if key not in ALIAS_ENTRY_KEYS:
                problems.append(
                    doc.problem((*path, key), "unknown key; expected: " + ", ".join(ALIAS_ENTRY_KEYS), key=True)
                )
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(doc.problem((*path, "name"), "name is required: the canonical name"))
            continue
        name = _normalise(name)
        kind = entry.get("kind")
        if kind is None:
            existing = known.get(name)
            if existing is None:
                problems.append(
                    doc.problem(
                        path, f"kind is required ({', '.join(KINDS)}): '{name}' is not a known entity"
                    )
                )
                continue
            kind = existing.kind
        elif kind not in KINDS:
            problems.append(doc.problem((*path, "kind"), f"unknown kind {kind!r}; expected one of: {', '.join(KINDS)}"))
            continue
        aliases[surface.strip()] = Entity(name, kind)
    ignore = _check_list_of_strings(doc, ("ignore",), problems) if "ignore" in data else []
    return aliases, ignore


def _country_forms(overrides: Mapping[str, Any]) -> Iterable[tuple[str, Entity]]:
    """(surface form, entity) for every pycountry country, with the gazetteer's corrections."""
    for country in pycountry.countries:
        override = overrides.get(country.alpha_3) or {}
        common = getattr(country, "common_name", None)
        name = override.get("name") or common or country.name
        entity = Entity(name, PLACE)
        forms = [name, country.name, common, getattr(country, "official_name", None), *override.get("forms", ())]
        for form in forms:
            # "Korea, Republic of" and "Holy See (Vatican City State)" are index
            # forms, not prose: leave them out.
            if form and "," not in form and "(" not in form:
                yield form.removeprefix("the "), entity


def _strings(doc: YamlDoc, key: str, problems: list[Problem]) -> list[str]:
    return _check_list_of_strings(doc, (key,), problems) if key in doc.data else []


def _named_forms(doc: YamlDoc, key: str, problems: list[Problem]) -> dict[str, list[str]]:
    """``canonical: [other forms]`` sections (places, organisations, people)."""
    raw = doc.data.get(key) or {}
    if not isinstance(raw, dict):
        problems.append(doc.problem((key,), "expected a mapping of canonical name -> list of forms"))
        return {}
    return {name: _check_list_of_strings(doc, (key, name), problems) for name in raw}


@functools.lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    """Load and check the built-in gazetteer once per process."""
    doc = load_yaml(GAZETTEER_PATH.read_text(encoding="utf-8"), GAZETTEER_NAME)
    problems: list[Problem] = []
    titles = _FormTable()
    name_titles = set(_strings(doc, "name_titles", problems))
    for title in _strings(doc, "titles", problems):
        titles.add(title, title in name_titles)
    demonyms = _FormTable()
    for demonym, target in (doc.data.get("demonyms") or {}).items():
        demonyms.add(demonym, target)

    forms = _FormTable()
    countries = doc.data.get("countries") or {}
    for form, entity in _country_forms(countries):
        forms.add(form, entity)
    for key, kind in (("places", PLACE), ("organisations", ORGANISATION), ("people", PERSON)):
        for name, others in _named_forms(doc, key, problems).items():
            for form in (name, *others):
                forms.add(form, Entity(name, kind))
    for event in _strings(doc, "events", problems):
        forms.add(event, None)
    family_name_first = frozenset(_strings(doc, "family_name_first", problems))
    stopwords = frozenset(_strings(doc, "stopwords", problems))
    organisation_words = frozenset(_strings(doc, "organisation_words", problems))
    known = {e.name: e for e in forms.values.values() if e is not None}
    aliases, ignore = _check_aliases(
        YamlDoc({"aliases": doc.data.get("aliases"), "ignore": doc.data.get("ignore")}, GAZETTEER_NAME),
        known,
        problems,
    )
    if problems:
        raise ProblemsError(problems)
    for surface, entity in aliases.items():
        forms.add(surface, entity)
    for surface in ignore:
        forms.add(surface, None)
    return _Gazetteer(
        titles=titles,
        family_name_first=family_name_first,
        stopwords=stopwords,
        organisation_words=organisation_words,
        demonyms=demonyms,
        forms=forms,
        lowercase_title_ends=frozenset(
            key.split()[-1] for key in titles.values if not key[0].isupper()
        ),
    )


@functools.lru_cache(maxsize=1)
def _builtin_aliases() -> Aliases:
    gazetteer = _gazetteer()
    return Aliases(gazetteer, gazetteer.forms, "")


def load_aliases(path: Path | None) -> Aliases:
    """The built-in gazetteer, with the analyst's aliases file at ``path`` merged over it.

    ``path=None`` gives the built-in gazetteer alone. The file has two optional
    keys: ``aliases`` (surface form -> ``{name, kind}``; ``kind`` may be left out
    when ``name`` is already a known entity) and ``ignore`` (surface forms never
    counted). Unknown keys, unknown kinds and malformed entries raise
    :class:`ProblemsError` with every problem located (``file:line:column``).
    """
    if path is None:
        return _builtin_aliases()
    path = Path(path)
    gazetteer = _gazetteer()
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ProblemsError([Problem(str(path), None, None, "", f"cannot read the aliases file: {err.strerror}")])
    doc = load_yaml(raw, str(path))
    problems: list[Problem] = []
    if isinstance(doc.data, dict):
        for key in doc.data:
            if key not in ALIASES_FILE_KEYS:
                problems.append(
                    doc.problem((key,), "unknown key; expected one of: " + ", ".join(ALIASES_FILE_KEYS), key=True)
                )
    known = {e.name: e for e in gazetteer.forms.values.values() if e is not None}
    aliases, ignore = _check_aliases(doc, known, problems)
    if problems:
        raise ProblemsError(problems)
    forms = gazetteer.forms.copy()
    for surface, entity in aliases.items():
        forms.add(surface, entity)
        if _form_key(entity.name) and _form_key(entity.name)[0] not in forms.values:
            forms.add(entity.name, entity)  # the canonical name is a form of itself
    for surface in ignore:
        forms.add(surface, None)
    log.debug("aliases: %d aliases and %d ignored forms from %s", len(aliases), len(ignore), path)
    return Aliases(gazetteer, forms, str(path))


# --------------------------------------------------------------------------- matching


class _Tokens:
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
        return raw if self._clean else _normalise(raw)

    def gap(self, i: int) -> str:
        """The text between token ``i - 1`` and token ``i``."""
        return self.gaps[i] if i > 0 else ""


def _match(tokens: _Tokens, i: int, tables: tuple[_FormTable, ...]) -> tuple[int, Any]:
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


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _capitalised_runs(tokens: _Tokens) -> Iterable[tuple[int, int]]:
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

    def _preceded_by_title(self, tokens: _Tokens, a: int) -> bool:
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

    def _speech_next_to(self, tokens: _Tokens, a: int, b: int) -> bool:
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

    def scan(self, tokens: _Tokens) -> None:
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
                count, value = _match(tokens, i, (forms,))
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
                count, _ = _match(tokens, i, (gaz.demonyms,))
                if count and i + count <= b:
                    i += count
                    continue
                count, kept = _match(tokens, i, (gaz.titles,))
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
                count, value = _match(tokens, end, (forms,))
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
            count, value = _match(tokens, i, (forms,))
            if count == end - i and value is None:
                continue  # ignored form or event
            if count == end - i and value.kind != PERSON:
                continue  # a known place or organisation, not a person
            if titled or (len(name_words) > 1 and self._speech_next_to(tokens, a, b)):
                self.found.setdefault(name)


def _surname(name: str, gaz: _Gazetteer) -> str | None:
    words = [m.group() for m in _TOKEN.finditer(name)]
    while len(words) > 1 and gaz.titles.values.get(words[0]):
        words = words[1:]  # "Lord Palmerston" -> "Palmerston"
    if len(words) < 2 and name == words[0]:
        return None
    return words[0] if words[0] in gaz.family_name_first else words[-1]


def people_index(article: Article, aliases: Aliases | None = None, tokenised: list[_Tokens] | None = None) -> dict[str, str]:
    """Surface forms of the article's people -> canonical person name.

    Holds the full names found by the person rule and their surnames (when not
    ambiguous and not already a gazetteer/alias form). :mod:`generator.quotes`
    uses it to name speakers the same way mentions are named.
    """
    aliases = aliases or _builtin_aliases()
    cached = _LAST_PEOPLE_INDEX[0]
    if cached is not None and cached[0] is article and cached[1] is aliases:
        return cached[2]  # find_mentions and find_quotes on the same article share one scan
    tokenised = tokenised if tokenised is not None else [_Tokens(p.text) for p in article.paragraphs]
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
        index[_normalise(name)] = canonical
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
    aliases = aliases or _builtin_aliases()
    key = _normalise(surface)
    entity = aliases.lookup(key)
    if entity is not None:
        return entity.name
    return people.get(key, key)


def find_mentions(article: Article, aliases: Aliases | None = None) -> tuple[Mention, ...]:
    """Every person, place and organisation the article mentions, with counts and paragraphs.

    Ordered by kind (person, place, organisation), then count (descending),
    then name.
    """
    aliases = aliases or _builtin_aliases()
    tokenised = [_Tokens(p.text) for p in article.paragraphs]
    people = _FormTable()
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
            count, value = _match(tokens, i, tables)
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
