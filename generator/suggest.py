"""Suggest candidate themes: key phrases that recur across the corpus but no theme covers.

Candidates are two- and three-word phrases of content words (no stop word at
either end, none inside but "of"/"and") that occur in at least
``MIN_ARTICLES`` articles (or ``MIN_OCCURRENCES`` times in a one-article
corpus) and that no cue of the codebook matches. The output is a YAML snippet
in the codebook's own schema, ready to paste and edit.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import yaml

from .matrix import Briefing
from .slugs import slugify

MIN_ARTICLES = 2
MIN_OCCURRENCES = 3
MAX_SUGGESTIONS = 10
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
# Function words that make poor phrase boundaries (a short general English list).
STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each even ever few for from further had has
have having he her here hers him his how however i if in into is it its itself just last least less
like made make many may me might more most much must my new no nor not now of off on once one only or
other our ours out over own per said same say says she should since so some such than that the their
them then there these they this those through to too under until up upon us very was we were what when
where whether which while who whom whose why will with within without would year years yet you your
mr ms dr according told also first second two three four five six many much still
""".split())
_INNER_OK = frozenset({"of", "and"})


def _phrases(text: str) -> list[str]:
    words = [w.lower().replace("’", "'") for w in _WORD.findall(text)]
    found = []
    for n in (2, 3):
        for i in range(len(words) - n + 1):
            gram = words[i:i + n]
            if gram[0] in STOP_WORDS or gram[-1] in STOP_WORDS:
                continue
            if any(w in STOP_WORDS and w not in _INNER_OK for w in gram[1:-1]):
                continue
            if any(len(w) < 3 for w in (gram[0], gram[-1])):
                continue
            found.append(" ".join(gram))
    return found


def candidates(briefing: Briefing) -> list[tuple[str, int, int]]:
    """(phrase, articles, occurrences), best first, not matched by any cue."""
    per_article: dict[str, set[str]] = defaultdict(set)
    total: Counter[str] = Counter()
    for article in briefing.articles:
        for sentence in article.sentences:
            for phrase in _phrases(sentence.text):
                total[phrase] += 1
                per_article[phrase].add(article.slug)
    cues = [c.pattern for t in briefing.codebook.themes for c in (*t.cues, *(c for p in t.positions for c in p.cues))]
    single = len(briefing.articles) == 1
    ranked = []
    for phrase, count in total.items():
        spread = len(per_article[phrase])
        if (spread < MIN_ARTICLES and not single) or count < (MIN_OCCURRENCES if single else MIN_ARTICLES):
            continue
        if any(p.search(phrase) for p in cues):
            continue
        ranked.append((phrase, spread, count))
    ranked.sort(key=lambda t: (-t[1], -t[2], -len(t[0].split()), t[0]))
    # Drop a phrase contained in a better-ranked one (keep "joint naval drills", not "naval drills").
    kept: list[tuple[str, int, int]] = []
    for item in ranked:
        if not any(item[0] in k[0] or k[0] in item[0] for k in kept):
            kept.append(item)
        if len(kept) == MAX_SUGGESTIONS:
            break
    return kept


def suggest_themes(briefing: Briefing) -> str:
    found = candidates(briefing)
    if not found:
        return "# No recurring phrase is left uncovered by the codebook's cues.\n"
    lines = ["# Candidate themes: phrases that recur across the corpus but match no cue.",
             "# Paste under `themes:` in the codebook, then write a real description.", ""]
    taken = {t.id for t in briefing.codebook.themes}
    for phrase, spread, count in found:
        theme_id = slugify(phrase)
        if theme_id in taken:
            theme_id += "-2"
        entry = [{"id": theme_id, "title": phrase.capitalize(),
                  "description": f"Candidate: '{phrase}' recurs in {spread} article(s), {count} time(s).",
                  "cues": [phrase]}]
        lines.append(f"# in {spread} article(s), {count} occurrence(s)")
        lines.append(yaml.safe_dump(entry, sort_keys=False, allow_unicode=True, width=100).rstrip())
    return "\n".join(lines) + "\n"
