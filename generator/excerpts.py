"""Block-quoted excerpts: recovered from copied text and attributed to the source their intro names.

Copy-paste loses the ``<blockquote>`` markup, so :func:`mark_blockquotes`
recovers excerpts conservatively. An *intro* is a text paragraph ending with ``:`` that names
what it quotes: ``by <Name>``, ``<Name> reported/wrote/said...``, or a
publication (``The Washington Post``, Reuters...) together with a word such as
"story" or "reported". The publication may be named in the paragraph before
the intro ("the Post published two stories. The first one, by Jane Doe,
...:"). The excerpt is the paragraphs after the intro up to, not including,
the first one in the author's own voice: one that ends with ``:``, uses
"I/my/me" or "!" outside quotation marks, names the quoted person again
(``Abel's story``) or refers back to "this story"/"the piece". If no such
paragraph comes within :data:`MAX_EXCERPT_PARAGRAPHS`, the excerpt ends at the
last paragraph in that window that ends with an ellipsis (``…``/``...``, the
mark of a cut excerpt); failing that, at the paragraphs wholly inside
quotation marks; failing that, nothing is marked. The excerpt's attribution is
what the text names: ``"Jane Doe, The Washington Post"``.

Explicit block quotes (Markdown ``>`` lines, HTML ``<blockquote>``) are given
the same attribution by :func:`attribute_blockquotes`.
"""

from __future__ import annotations

import logging
import re

from . import regexes
from .blocks import Block
from .records import BLOCKQUOTE, TEXT
from .sentences import split_sentences

log = logging.getLogger(__name__)

#: A blockquote excerpt is looked for in this many paragraphs after its intro.
MAX_EXCERPT_PARAGRAPHS = 8

_CAP = r"[A-ZÀ-ÖØ-Þ][\w'’.-]*"
_PARTICLE = r"(?:de|da|van|von|der|den|del|la|le|bin|al|el|di|du)"
_PERSON = rf"{_CAP}(?:\s+(?:{_PARTICLE}\s+)?{_CAP}){{1,3}}"
_BY_PERSONS = regexes.compile(rf"\bby\s+(?P<who>{_PERSON}(?:(?:,\s+|,?\s+and\s+|\s*&\s*){_PERSON})*)")
_REPORTING_VERBS = (
    r"reported|reports|wrote|writes|noted|notes|observed|observes|explained|explains|argued|argues|concluded"
    r"|concludes|stated|states|said|says|put it|added|adds|summari[sz]ed|summari[sz]es|described|describes"
    r"|announced|announces|warned|warns|declared|declares|told|tells"
)
_REPORTED = regexes.compile(
    rf"(?P<who>(?:[Tt]he\s+)?{_CAP}(?:\s+{_CAP}){{0,3}})(?:['’]s?)?\s+(?:(?:has|had|then|also|later|once|recently)\s+)?"
    rf"(?:{_REPORTING_VERBS})\b"
)
_ACCORDING = regexes.compile(rf"\b[Aa]ccording to (?P<who>(?:[Tt]he\s+)?{_CAP}(?:\s+{_CAP}){{0,3}})")
_NOT_A_SOURCE = frozenset(
    "he she they it we i you this that these those one someone everyone nobody officials analysts experts critics"
    " others some many most reports sources observers people who which there here and but so as then when while".split()
)
# Words that end a newspaper's name: alone or after up to three capitalised words ("The Post").
_PUB_WORDS = (
    r"Post|Times|Journal|Guardian|Economist|Telegraph|Tribune|Herald|Chronicle|Gazette|Ledger|Monitor|Diplomat"
    r"|Atlantic|New Yorker|Observer|Spectator"
)
# Words that end a publication's name only after at least one capitalised word ("Free Press").
_PUB_WORDS_AFTER_NAME = (
    r"Review|Mail|Star|Express|Daily|Weekly|Record|Register|Press|Standard|Bulletin|Globe|Wire|Independent"
    r"|Magazine|News|Insider|Courier|Dispatch|Sentinel|Inquirer"
)
_PUBLICATION = regexes.compile(
    rf"\b(?:[Tt]he\s+)?(?:{_CAP}\s+){{0,3}}(?:{_PUB_WORDS})\b(?![-'’\w])"
    rf"|\b(?:[Tt]he\s+)?(?:{_CAP}\s+){{1,3}}(?:{_PUB_WORDS_AFTER_NAME})\b(?![-'’\w])"
    r"|\b(?:Reuters|Bloomberg|Associated Press|Agence France-Presse|AFP|BBC|CNN|NPR|Politico|Axios|Xinhua|TASS"
    r"|Interfax|Kommersant|Nikkei Asia|Al Jazeera|Foreign Affairs|Foreign Policy)\b"
)
_QUOTED_THING = regexes.compile(
    r"\b(?:stor(?:y|ies)|articles?|pieces?|reports?|reported|column|op-ed|editorial|essay|excerpts?|passages?"
    r"|coverage|wrote|writes|published|ran|statement|put it)\b",
    re.IGNORECASE,
)
_QUOTED_SPANS = regexes.compile(r"“[^“”]*”|\"[^\"]*\"")
_FIRST_PERSON = regexes.compile(r"\b(?:I|I['’](?:m|ve|d|ll)|[Mm]y|[Mm]e|[Mm]ine|[Mm]yself)\b")
_BACK_REFERENCE = regexes.compile(
    r"\b(?:[Tt]h(?:is|at|ese|ose)|[Bb]oth|[Tt]he (?:first|second|third|other|latter|former))\s+"
    r"(?:one|ones|story|stories|article|articles|piece|pieces|excerpt|passage|account|coverage|framing|take)\b"
)
_NAME_LIST_SEP = regexes.compile(r",\s+|\s+and\s+|\s*&\s*")
# "The second one, by ...": an intro that continues a list of quoted pieces.
_NEXT_ONE = regexes.compile(r"(?:(?:and|but|then)\s+)?the\s+(?:second|third|other|latter|next|last|final)\b", re.IGNORECASE)
_ELLIPSIS_END = regexes.compile(r"(?:…|\.\.\.)\.?[\"'”’)\]]*$")
_WHOLLY_QUOTED = regexes.compile(r"^[“\"].*[”\"][.,]?$", re.DOTALL)


def _the(name: str) -> str:
    name = name.strip().rstrip(",.")
    return "The " + name[4:] if name.startswith("the ") else name


def _last_sentence(text: str) -> str:
    spans = split_sentences(text)
    return text[spans[-1][0]:] if spans else text


def source_from_intro(intro: str, previous: str | None = None, earlier_publication: str | None = None) -> str | None:
    """What an intro paragraph (ending with ``:``) says the next paragraphs quote, or ``None``.

    ``previous`` is the paragraph before the intro; ``earlier_publication`` the
    publication an earlier intro named, used when this one says "The second one...".
    """
    return _intro_source(intro, previous, earlier_publication)[0]


def _intro_source(intro: str, previous: str | None, earlier_publication: str | None) -> tuple[str | None, str | None]:
    """``(attribution, publication)`` named by an intro paragraph."""
    last = _last_sentence(intro)
    persons = None
    by = _BY_PERSONS.search(last)
    if by and not _PUBLICATION.fullmatch(by.group("who")):
        persons = by.group("who")
    publication = None
    for text in (intro, previous if previous and _QUOTED_THING.search(previous) else None):
        if text:
            pub = _PUBLICATION.search(text)
            if pub:
                publication = _the(pub.group(0))
                break
    if publication is None and earlier_publication and _NEXT_ONE.match(last):
        publication = earlier_publication
    speaker = None
    for pattern in (_REPORTED, _ACCORDING):
        for match in pattern.finditer(last):
            tokens = match.group("who").split()
            while tokens and tokens[0].lower() in _NOT_A_SOURCE:
                tokens.pop(0)  # "And Xi said", "He said"
            if tokens:
                speaker = _the(" ".join(tokens))
        if speaker:
            break
    if persons:
        return (f"{persons}, {publication}" if publication and publication not in persons else persons), publication
    if speaker:
        if publication and speaker.split()[-1] in publication:
            return publication, publication
        return speaker, publication
    if publication and _PUBLICATION.search(last) and _QUOTED_THING.search(last):
        return publication, publication
    return None, publication


def _author_voice(text: str, names: list[str]) -> bool:
    """Whether a paragraph reads as the article's author commenting (see module docstring)."""
    if text.rstrip().endswith(":"):
        return True
    outside = _QUOTED_SPANS.sub(" ", text)
    if "!" in outside or _FIRST_PERSON.search(outside) or _BACK_REFERENCE.search(outside):
        return True
    return any(name in outside for name in names)


def _surnames(attribution: str) -> list[str]:
    names = []
    for part in _NAME_LIST_SEP.split(attribution):
        tokens = part.split()
        if tokens and tokens[0] != "The":
            names.append(tokens[-1])
    return names


def mark_blockquotes(blocks: list[Block]) -> list[Block]:
    """Recover block-quoted excerpts introduced by a ``...:`` paragraph (see module docstring)."""
    result = list(blocks)
    publication = None
    i = 0
    while i < len(result) - 1:
        intro = result[i]
        if intro.kind != TEXT or not intro.text.endswith(":"):
            i += 1
            continue
        previous = result[i - 1].text if i > 0 else None
        attribution, named = _intro_source(intro.text, previous, publication)
        publication = named or publication
        if not attribution:
            i += 1
            continue
        names = _surnames(attribution)
        window = result[i + 1: i + 1 + MAX_EXCERPT_PARAGRAPHS]
        end = None
        for k, block in enumerate(window):
            if block.kind != TEXT or _author_voice(block.text, names):
                end = k
                break
        if end is None:  # no comment in the author's voice: only an ellipsis or quotation marks tell
            ends = [k + 1 for k, block in enumerate(window) if _ELLIPSIS_END.search(block.text)]
            if ends:
                end = ends[-1]
            else:
                end = 0
                while end < len(window) and _WHOLLY_QUOTED.match(window[end].text):
                    end += 1
        for k in range(end):
            result[i + 1 + k] = Block(window[k].text, BLOCKQUOTE, attribution)
        if end:
            log.debug("marked %d paragraph(s) after %r as a quote of %s", end, intro.text[-60:], attribution)
        i += 1 + end
    return result


def attribute_blockquotes(blocks: list[Block]) -> list[Block]:
    """Give explicit block quotes (Markdown, HTML) the source their intro paragraph names."""
    result = list(blocks)
    attribution = publication = None
    for i, block in enumerate(result):
        if block.kind != BLOCKQUOTE:
            attribution = None
            continue
        if attribution is None and i > 0 and result[i - 1].kind == TEXT and result[i - 1].text.endswith(":"):
            attribution, named = _intro_source(result[i - 1].text, result[i - 2].text if i > 1 else None, publication)
            publication = named or publication
        if attribution and block.attribution is None:
            result[i] = Block(block.text, BLOCKQUOTE, attribution)
    return result
