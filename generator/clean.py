"""Remove web copy-paste debris from raw article text and infer its metadata.

A ``.txt`` seed is text copied from a web page: besides the article it holds
navigation labels, share buttons, the title two or three times, a photo credit,
a byline, and so on. :func:`clean_text` turns it into body paragraphs plus the
metadata the text states, and lists every line it dropped, in order.

Rules (all general; nothing here knows a particular site):

* Paragraphs are separated by blank lines; the lines of one paragraph are
  joined with a space (one sentence per line is fine). A dropped line also
  ends a paragraph.
* Lines matching an entry of :data:`FURNITURE` (share/subscribe/cookie/"Read
  more"/"Leave a Reply"/advertising labels...) are dropped wherever they are.
  A comment-section or "related posts" heading (:data:`_TERMINAL`) in the second
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

Block quotes (:func:`mark_blockquotes`): copy-paste loses the ``<blockquote>``
markup, so excerpts are recovered conservatively. An *intro* is a text
paragraph ending with ``:`` that names what it quotes: ``by <Name>``, ``<Name>
reported/wrote/said...``, or a publication (``The Washington Post``, Reuters...)
together with a word such as "story" or "reported". The publication may be
named in the paragraph before the intro ("the Post published two stories. The
first one, by Jane Doe, ...:"). The excerpt is the paragraphs after the intro
up to, not including, the first one in the author's own voice: one that ends
with ``:``, uses "I/my/me" or "!" outside quotation marks, names the quoted
person again (``Abel's story``) or refers back to "this story"/"the piece". If
no such paragraph comes within :data:`MAX_EXCERPT_PARAGRAPHS`, the excerpt ends
at the last paragraph in that window that ends with an ellipsis (``…``/``...``,
the mark of a cut excerpt); failing that, at the paragraphs wholly inside
quotation marks; failing that, nothing is marked. The excerpt's attribution is
what the text names: ``"Jane Doe, The Washington Post"``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date as _date
from types import MappingProxyType

from .records import BLOCKQUOTE, TEXT
from .sentences import split_sentences

log = logging.getLogger(__name__)

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
#: A blockquote excerpt is looked for in this many paragraphs after its intro.
MAX_EXCERPT_PARAGRAPHS = 8
#: Longest title made from the first sentence, in characters.
FALLBACK_TITLE_CHARS = 80

# --------------------------------------------------------------------------
# Page furniture. Each entry: (name, pattern matched against the whole line,
# case-insensitive, after stripping bullets and a trailing colon; the longest
# line, in words, it may match).
# --------------------------------------------------------------------------
FURNITURE: tuple[tuple[str, str, int], ...] = (
    # Facebook Pixel <noscript> text that a copy of the page picks up.
    ("tracking-pixel", r"fbpx", 1),
    # Navigation labels of university/newsroom media sections.
    ("media-nav", r"(faculty|staff|faculty (&|and) staff|in the|school) (media|news)", 5),
    # Sidebar headings listing other articles.
    ("article-lists", r"(recent|latest|popular|featured|trending|top|more) (features|posts|articles|stories|news|reads|videos)"
                      r"|most (read|popular|viewed|shared|emailed)|trending( now)?|editor'?s picks"
                      r"|you (may|might) also (like|enjoy)|recommended( for you| reading| stories)?|read next|up next"
                      r"|what to read next|more from .{1,40}|(popular|latest) now", 8),
    # "Related" headings, alone or with the linked headline after a colon.
    ("related", r"related( (articles?|stories|story|posts?|topics?|content|reading|coverage|news))?( ?:.{0,200})?", 40),
    # Comment-section headings and comment-form labels.
    ("comments", r"leave a (reply|comment)|post a comment|(\d+ )?comments?( \(\d+\))?|show comments|view comments"
                 r"|join the (conversation|discussion)|cancel reply|you must be logged in to post a comment\.?"
                 r"|your email address will not be published\..*|required fields are marked.*"
                 r"|save my name, email, and website.*|post comment|(name|email|website|comment) ?\*?", 30),
    # Share buttons and their labels.
    ("share", r"share( (this|the) (article|story|post|page))?( (on|via) .{1,20})?|click to share.{0,40}"
              r"|(tweet|email|e-mail|print|facebook|twitter|x|linkedin|whatsapp|reddit|telegram|pinterest"
              r"|copy link|copy url|gift (this )?article)( (this|article|story))?", 8),
    # Newsletter and subscription prompts.
    ("subscribe", r"(sign up|sign-up|signup|subscribe|register|join)\b.{0,100}\b(newsletters?|updates|inbox|e-?mails?"
                  r"|alerts|briefing|digest|today|now|here|free)\b.{0,80}|subscribe( now)?|newsletters?( sign[- ]?up)?"
                  r"|.{0,40} newsletter|get (our|the) .{0,40}(newsletter|briefing|updates).{0,60}"
                  r"|already (a subscriber|have an account).{0,60}", 30),
    # Cookie and consent banners (often long).
    ("cookies", r"(we|this (site|website)|our (site|website)) uses? cookies.*|.*\b(accept|reject|manage|allow) (all )?cookies\b.*"
                r"|.*\bcookie (policy|settings|preferences|consent)\b.*|(accept|reject|agree|i agree|got it|ok)( all)?", 80),
    # Advertising labels.
    ("advertising", r"advertisement|advertising|sponsored( content)?|ad|ads by .{1,30}|scroll to continue( with content)?"
                    r"|(story|article) continues below( this)?( advertisement| ad)?|paid (partner )?content", 8),
    # "Read more" style links.
    ("read-more", r"(read|see) (more|the full (story|article|report))( (here|at .{1,40}))?\.?|continue reading.{0,60}"
                  r"|click here.{0,80}|learn more", 15),
    # Tag and topic lists.
    ("tags", r"(tags?|topics?|filed under|categories|category|keywords)\s*:.{0,300}|tags?|topics?", 60),
    # Copyright notices.
    ("copyright", r"(©|\(c\)).{0,200}|copyright (©|\(c\))?\s*\d{4}.{0,200}|.{0,200}all rights reserved\.?", 40),
    # Social "follow us" prompts.
    ("follow", r"follow (us|@\S+)( on .{1,40})?|follow .{1,40} on (twitter|x|facebook|instagram|linkedin|threads|bluesky)", 10),
    # Audio players, reading-time and page widgets, site navigation.
    ("widgets", r"listen to (this|the) (article|story).{0,40}|\d+[- ]min(ute)?s?( read)?|print (this )?(page|article)"
                r"|(font|text) size.{0,20}|skip to (main )?content|back to top|menu|search|home|log ?in|sign in|log ?out"
                r"|close|toggle navigation|open in app|download (the )?app", 8),
)

_FURNITURE = tuple((name, re.compile(pattern, re.IGNORECASE), max_words) for name, pattern, max_words in FURNITURE)
_FURNITURE_MAX_WORDS = max(max_words for _, _, max_words in FURNITURE)
# Cheap pre-checks for the entries whose patterns scan the whole line.
# Cheap pre-checks (a lower-case substring one of which must occur) for the
# entries that may match long lines: most body lines then skip the patterns.
_FURNITURE_HINTS = {
    "related": ("related",),
    "comments": ("comment", "reply", "conversation", "discussion", "email", "required", "save my", "name", "website"),
    "subscribe": ("sign", "subscri", "regist", "join", "newsletter", "get ", "already"),
    "cookies": ("cookie", "accept", "reject", "agree", "got it", "ok"),
    "read-more": ("read", "see", "continue", "click", "learn"),
    "tags": ("tag", "topic", "filed", "categor", "keyword"),
    "copyright": ("©", "(c)", "copyright", "rights reserved"),
}
_FURNITURE_STRIP = " \t•·*|>›»–—-"

#: A comment section or a list of other articles: the rest of the text is not the article.
_TERMINAL = re.compile(
    r"leave a (reply|comment)|post a comment|(\d+ )?comments?( \(\d+\))?|join the (conversation|discussion)"
    r"|related (posts|articles|stories|content)|you (may|might) also (like|enjoy)|more from .{1,40}"
    r"|recommended( for you| reading| stories)?|read next|most (read|popular|viewed)",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------
# Header lines: byline, date, section, photo credit, republication note.
# --------------------------------------------------------------------------
_BYLINE = re.compile(r"(?:(?:written|words|story|text|reporting)\s+)?by\s*:?\s+(?P<rest>\S.*)", re.IGNORECASE)
_BYLINE_NOTE_SEP = re.compile(r"\s+[|—–]\s+|\s+-\s+")
_COMMA = re.compile(r",\s+")
_AND = re.compile(r"\s+(?:and|&)\s+")
_NAME_PARTICLES = frozenset("de da van von der den del della la le bin ibn al el di du dos das ter ten y e".split())
#: Words that make a capitalised phrase after a byline's comma a role, not a co-author.
_ROLE_WORDS = frozenset(
    "writer reporter correspondent editor professor director fellow staff senior chief contributor columnist analyst"
    " researcher associate assistant lecturer president chair head manager officer ambassador secretary minister"
    " bureau special guest news times post journal university institute center centre school college foundation"
    " council press agency service media department group".split()
)

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE_LINE = re.compile(
    rf"""(?:(?P<label>published|posted|updated|last\ updated|first\ published|date|dated)(?:\ on)?\s*:?\s+)?
    (?:(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?\.?,?\s+)?
    (?:(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})
      |(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})\.?,?\s+(?P<y2>\d{{4}})
      |(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}}))
    (?:(?:\s*(?:,|at|\||-|–|—)\s*|\s+)\d{{1,2}}(?:[:.]\d{{2}})?\s*(?:[ap]\.?m\.?)?(?:\s+[a-z]{{2,5}})?)?\.?""",
    re.IGNORECASE | re.VERBOSE,
)

_SECTION_SEP = " | "
SECTION_MAX_WORDS = 8
#: Dropped lines that belong to an article's header (a standfirst is followed by them, a lead is not).
_HEADER_STATUSES = frozenset({"caption", "photo credit", "byline", "date", "section", "title copy"})

_CREDIT = re.compile(
    r"(?:(?:photo|image|picture|photograph|illustration|video|header image|top image)\s+)?credits?\s*:\s*(?P<a>\S.*)"
    r"|(?:photo|image|picture|photograph|illustration)\s+(?:by|via|courtesy(?:\s+of)?)\s*:?\s*(?P<b>\S.*)",
    re.IGNORECASE,
)
CREDIT_MAX_WORDS = 20

_REPUBLISHED = re.compile(
    r"(?:editor['’]?s note\s*:\s*)?"
    r"(?:(?:(?:this|the|a version of this|an earlier version of this)\s+"
    r"(?:article|post|blog post|piece|essay|story|column|commentary|op-ed|analysis|text|interview|newsletter)\s+"
    r"(?:was\s+|is\s+|has\s+been\s+|had\s+been\s+)?(?:originally\s+|first\s+)?)"
    r"|(?:it\s+(?:was|is)\s+)?(?:originally|first)\s+)"
    r"(?:published|appeared|posted|ran|printed)(?:\s+(?:originally|first))?\s+(?:in|on|at|by|with)\s+(?P<a>\S.*)"
    r"|(?:republished|reprinted|cross-?posted|reposted)(?:\s+with\s+permission)?\s+(?:from|with permission of)\s+(?P<b>\S.*)",
    re.IGNORECASE,
)
_REPUBLISHED_SOURCE_END = re.compile(
    rf",\s|\s[—–-]\s|\s\(|\.\s|;|:\s|\shttps?://|\s(?:and|where|under|on\s+\w+day)\s|\s(?:on|in)\s+(?:\d|(?:{_MONTH})\b)",
    re.IGNORECASE,
)
REPUBLISHED_MAX_WORDS = 40

# --------------------------------------------------------------------------
# Text shape.
# --------------------------------------------------------------------------
_WHITESPACE = re.compile(r"\s+")
_ENDS_SENTENCE = re.compile(r"[.!?…:;][\"'”’)\]]*$")
_ENDS_FULL_STOP = re.compile(r"[.,;:][\"'”’)\]]*$")
_HAS_LETTER = re.compile(r"[^\W\d_]")

_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
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


def _key(line: str) -> str:
    """Comparison form of a line: collapsed and case-folded."""
    return collapse(line).casefold()


def furniture_kind(line: str) -> str | None:
    """The :data:`FURNITURE` entry ``line`` matches, or ``None``."""
    words = line.count(" ") + 1
    if words > _FURNITURE_MAX_WORDS:
        return None
    text = line.strip(_FURNITURE_STRIP)
    if text.endswith(":"):
        text = text[:-1].rstrip()
    if not text:
        return "punctuation"
    lowered = text.lower()
    for name, pattern, max_words in _FURNITURE:
        if words > max_words:
            continue
        hint = _FURNITURE_HINTS.get(name)
        if hint and not any(word in lowered for word in hint):
            continue
        if pattern.fullmatch(text):
            return name
    return None


def _is_short_label(line: str) -> bool:
    """A short line without sentence punctuation: a navigation label, a tag."""
    return line.count(" ") < SHORT_LINE_WORDS and not _ENDS_SENTENCE.search(line)


def _is_title_like(line: str) -> bool:
    return (
        len(line) <= TITLE_MAX_CHARS
        and len(line.split()) <= TITLE_MAX_WORDS
        and not _ENDS_FULL_STOP.search(line)
        and _HAS_LETTER.search(line) is not None
    )


def _is_body_like(text: str) -> bool:
    return len(text.split()) >= BODY_MIN_WORDS or sentence_count(text) >= 2


def parse_byline(line: str) -> tuple[str, str | None] | None:
    """``"By Jane Doe, Reporter at X"`` -> ``("Jane Doe", "Reporter at X")``; ``None`` if not a byline."""
    match = _BYLINE.fullmatch(line.strip())
    if not match:
        return None
    rest = match.group("rest").strip()
    note = None
    sep = _BYLINE_NOTE_SEP.search(rest)
    if sep:
        rest, note = rest[: sep.start()], rest[sep.end():].strip() or None
    pieces = _COMMA.split(rest)
    if not _is_names(pieces[0], first=True):
        return None
    names = [pieces[0]]
    index = 1
    while index < len(pieces) and _is_names(pieces[index], first=False):
        names.append(pieces[index])
        index += 1
    extra = ", ".join(pieces[index:]).strip()
    if extra:
        note = f"{extra} | {note}" if note else extra
    author = ", ".join(names).strip().rstrip(",")
    return author, (note.strip() if note else None)


def _is_names(piece: str, first: bool) -> bool:
    """Whether ``piece`` is one or more personal names ("Jane Doe and John Roe")."""
    names = _AND.split(piece.strip())
    for index, name in enumerate(names):
        tokens = name.split()
        if not 1 <= len(tokens) <= 5:
            return False
        if len(tokens) < 2 and not (first and index > 0):
            return False  # "By Monday, ..." is not a byline; a co-author needs a full name
        for token in tokens:
            if token.lower() in _NAME_PARTICLES and token is not tokens[0]:
                continue
            if not token[0].isupper() or not all(ch.isalpha() or ch in ".'’-" for ch in token):
                return False
            if token.strip(".").lower() in _ROLE_WORDS:
                return False
    return True


def parse_date_line(line: str) -> tuple[str, bool] | None:
    """``"March 22, 2023"`` -> ``("2023-03-22", False)``; the flag says it is an "Updated" date."""
    match = _DATE_LINE.fullmatch(line.strip())
    if not match:
        return None
    g = match.groupdict()
    try:
        if g["y1"]:
            year, month, day = int(g["y1"]), _MONTHS[g["m1"][:3].lower()], int(g["d1"])
        elif g["y2"]:
            year, month, day = int(g["y2"]), _MONTHS[g["m2"][:3].lower()], int(g["d2"])
        else:
            year, month, day = int(g["y3"]), int(g["m3"]), int(g["d3"])
        value = _date(year, month, day)
    except (ValueError, KeyError):
        return None
    label = (g["label"] or "").lower()
    return value.isoformat(), "updated" in label


def parse_credit(line: str) -> str | None:
    """``"Credit: Jane Doe/Agency"`` -> ``"Jane Doe/Agency"``."""
    if line.count(" ") >= CREDIT_MAX_WORDS:
        return None
    match = _CREDIT.fullmatch(line.strip())
    if not match:
        return None
    return (match.group("a") or match.group("b")).strip() or None


def parse_republished(line: str) -> str | None:
    """``"This article originally appeared in X."`` -> ``"X"``."""
    if line.count(" ") >= REPUBLISHED_MAX_WORDS:
        return None
    match = _REPUBLISHED.fullmatch(line.strip().strip("*_()[] "))
    if not match:
        return None
    source = (match.group("a") or match.group("b")).strip()
    end = _REPUBLISHED_SOURCE_END.search(source)
    if end:
        source = source[: end.start()]
    source = source.strip().strip("*_\"“”'‘’").rstrip(".!").strip().strip("*_\"“”'‘’")
    if source.lower().startswith("the "):
        source = "The " + source[4:]
    if not source or not source[0].isupper() and not source[0].isdigit() or len(source.split()) > 12:
        return None
    return source


def _is_section(line: str) -> bool:
    return (
        _SECTION_SEP in line
        and len(line.split()) <= SECTION_MAX_WORDS
        and not _ENDS_SENTENCE.search(line)
    )


def clean_text(text: str, known_title: str | None = None) -> Cleaned:
    """Clean raw copied text (already :func:`normalise`-d); see the module docstring.

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
        title_key = _key(title)
        for i in nonblank:
            if status[i] is None and _key(lines[i]) == title_key:
                status[i] = "title copy"
        if known_title and title_index is not None and _key(known_title) != title_key:
            known_key = _key(known_title)
            for i in nonblank:
                if status[i] is None and _key(lines[i]) == known_key:
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
        if i >= half and position > 0 and _TERMINAL.fullmatch(line.strip(_FURNITURE_STRIP).rstrip(":")):
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
        if status[i] is None and _ENDS_SENTENCE.search(lines[i]) and len(lines[i].split()) >= 8:
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
        if _is_section(line):
            status[i] = "section"
            fields.setdefault("section", line)

    candidates = [i for i in head if status[i] is None and _is_title_like(lines[i])]
    title_index = _choose_title(lines, head, status, candidates, byline_index, known_title)
    if title_index is None:
        return None
    status[title_index] = "title"
    fields["title"] = lines[title_index]
    title_key = _key(lines[title_index])

    after = [i for i in head if i > title_index and status[i] is None and _key(lines[i]) != title_key]
    if after:
        s = after[0]
        line = lines[s]
        words = len(line.split())
        followed_by_header = any(
            status[j] in _HEADER_STATUSES or _key(lines[j]) == title_key for j in head if j > s
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
        if status[i] is None and _is_short_label(lines[i]) and _key(lines[i]) != title_key:
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
        known = _key(known_title)
        for i in candidates:
            if _key(lines[i]) == known:
                return i
    counts: dict[str, int] = {}
    for i in head:
        if status[i] in (None, "caption"):
            counts[_key(lines[i])] = counts.get(_key(lines[i]), 0) + 1
    for i in candidates:
        if counts.get(_key(lines[i]), 0) >= 2 and len(lines[i].split()) >= 2:
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
    if not any(_ENDS_SENTENCE.search(lines[i]) for i in kept):
        return  # no sentence at all: nothing tells the labels from the text
    for i in reversed(kept):
        if not _is_short_label(lines[i]):
            return
        status[i] = "navigation"


# --------------------------------------------------------------------------
# Block quotes.
# --------------------------------------------------------------------------
_CAP = r"[A-ZÀ-ÖØ-Þ][\w'’.-]*"
_PARTICLE = r"(?:de|da|van|von|der|den|del|la|le|bin|al|el|di|du)"
_PERSON = rf"{_CAP}(?:\s+(?:{_PARTICLE}\s+)?{_CAP}){{1,3}}"
_BY_PERSONS = re.compile(rf"\bby\s+(?P<who>{_PERSON}(?:(?:,\s+|,?\s+and\s+|\s*&\s*){_PERSON})*)")
_REPORTING_VERBS = (
    r"reported|reports|wrote|writes|noted|notes|observed|observes|explained|explains|argued|argues|concluded"
    r"|concludes|stated|states|said|says|put it|added|adds|summari[sz]ed|summari[sz]es|described|describes"
    r"|announced|announces|warned|warns|declared|declares|told|tells"
)
_REPORTED = re.compile(
    rf"(?P<who>(?:[Tt]he\s+)?{_CAP}(?:\s+{_CAP}){{0,3}})(?:['’]s?)?\s+(?:(?:has|had|then|also|later|once|recently)\s+)?"
    rf"(?:{_REPORTING_VERBS})\b"
)
_ACCORDING = re.compile(rf"\b[Aa]ccording to (?P<who>(?:[Tt]he\s+)?{_CAP}(?:\s+{_CAP}){{0,3}})")
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
_PUBLICATION = re.compile(
    rf"\b(?:[Tt]he\s+)?(?:{_CAP}\s+){{0,3}}(?:{_PUB_WORDS})\b(?![-'’\w])"
    rf"|\b(?:[Tt]he\s+)?(?:{_CAP}\s+){{1,3}}(?:{_PUB_WORDS_AFTER_NAME})\b(?![-'’\w])"
    r"|\b(?:Reuters|Bloomberg|Associated Press|Agence France-Presse|AFP|BBC|CNN|NPR|Politico|Axios|Xinhua|TASS"
    r"|Interfax|Kommersant|Nikkei Asia|Al Jazeera|Foreign Affairs|Foreign Policy)\b"
)
_QUOTED_THING = re.compile(
    r"\b(?:stor(?:y|ies)|articles?|pieces?|reports?|reported|column|op-ed|editorial|essay|excerpts?|passages?"
    r"|coverage|wrote|writes|published|ran|statement|put it)\b",
    re.IGNORECASE,
)
_QUOTED_SPANS = re.compile(r"“[^“”]*”|\"[^\"]*\"")
_FIRST_PERSON = re.compile(r"\b(?:I|I['’](?:m|ve|d|ll)|[Mm]y|[Mm]e|[Mm]ine|[Mm]yself)\b")
_BACK_REFERENCE = re.compile(
    r"\b(?:[Tt]h(?:is|at|ese|ose)|[Bb]oth|[Tt]he (?:first|second|third|other|latter|former))\s+"
    r"(?:one|ones|story|stories|article|articles|piece|pieces|excerpt|passage|account|coverage|framing|take)\b"
)
_NAME_LIST_SEP = re.compile(r",\s+|\s+and\s+|\s*&\s*")
# "The second one, by ...": an intro that continues a list of quoted pieces.
_NEXT_ONE = re.compile(r"(?:(?:and|but|then)\s+)?the\s+(?:second|third|other|latter|next|last|final)\b", re.IGNORECASE)
_ELLIPSIS_END = re.compile(r"(?:…|\.\.\.)\.?[\"'”’)\]]*$")
_WHOLLY_QUOTED = re.compile(r"^[“\"].*[”\"][.,]?$", re.DOTALL)


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


# --------------------------------------------------------------------------
# Markdown bodies.
# --------------------------------------------------------------------------
_HEADING = re.compile(r"#{1,6}\s+(?P<title>.*?)\s*#*\s*$")
_QUOTE_LINE = re.compile(r">\s?(?P<text>.*)$")


def parse_markdown(body: str, known_title: str | None = None) -> Cleaned:
    """A Markdown-ish body as plain paragraphs; ``> `` lines are block quotes.

    A first-line ``# Heading`` is the title (and dropped from the body) when no
    title is known or when it repeats the known one. Nothing else is interpreted.
    """
    lines = [line.strip() for line in body.split("\n")]
    fields: dict[str, str] = {}
    removed: list[str] = []
    first = next((i for i, line in enumerate(lines) if line), None)
    if first is not None:
        heading = _HEADING.fullmatch(lines[first])
        if heading and heading.group("title") and (not known_title or _key(known_title) == _key(heading.group("title"))):
            fields["title"] = heading.group("title")
            removed.append(lines[first])
            lines[first] = ""
    blocks: list[Block] = []
    current: list[str] = []
    quoting = False

    def flush() -> None:
        if current:
            blocks.append(Block(collapse(" ".join(current)), BLOCKQUOTE if quoting else TEXT))
            current.clear()

    for line in lines:
        quote = _QUOTE_LINE.match(line)
        if not line or (quote and not quote.group("text").strip()):
            flush()
            continue
        if bool(quote) != quoting:
            flush()
            quoting = bool(quote)
        current.append(quote.group("text") if quote else line)
    flush()
    return Cleaned(tuple(attribute_blockquotes(blocks)), MappingProxyType(fields), tuple(removed))


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
