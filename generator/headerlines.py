"""Metadata lines in an article's header: byline, date line, section, photo credit, republication note.

Each parser takes one line of copied web text and returns what it states, or
``None`` when the line is not of its kind; :func:`generator.clean.clean_text`
decides where in the text each kind is looked for. The rules:

* a byline ``By Name[, Note]`` gives the author (and a note such as a role);
  ``By Jane Doe and John Roe`` gives both names (:func:`parse_byline`);
* a date line (``March 22, 2023``, ``22 March 2023``, ``2023-03-22``,
  optionally ``Published``/weekday/time) gives ``YYYY-MM-DD`` and whether it is
  an ``Updated`` date; numeric dates like ``03/04/2023`` are ambiguous and are
  not dates here (:func:`parse_date_line`);
* a short line containing `` | `` (``Flashpoints | Diplomacy``) is a section
  (:func:`is_section`);
* ``Credit: ...`` / ``Photo by ...`` gives the photo credit (:func:`parse_credit`);
* ``This article originally appeared in X`` / ``First published on X`` /
  ``Republished from X`` gives X (:func:`parse_republished`).
"""

from __future__ import annotations

import re
from datetime import date as _date

from . import regexes
from .blocks import ENDS_SENTENCE

_BYLINE = regexes.compile(r"(?:(?:written|words|story|text|reporting)\s+)?by\s*:?\s+(?P<rest>\S.*)", re.IGNORECASE)
_BYLINE_NOTE_SEP = regexes.compile(r"\s+[|—–]\s+|\s+-\s+")
_COMMA = regexes.compile(r",\s+")
_AND = regexes.compile(r"\s+(?:and|&)\s+")
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
_DATE_LINE = regexes.compile(
    rf"""(?:(?P<label>published|posted|updated|last\ updated|first\ published|date|dated)(?:\ on)?\s*:?\s+)?
    (?:(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?\.?,?\s+)?
    (?:(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})
      |(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})\.?,?\s+(?P<y2>\d{{4}})
      |(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}}))
    (?:(?:\s*(?:,|at|\||-|–|—)\s*|\s+)\d{{1,2}}(?:[:.]\d{{2}})?\s*(?:[ap]\.?m\.?)?(?:\s+[a-z]{{2,5}})?)?\.?""",
    re.IGNORECASE | re.VERBOSE,
)

_SECTION_SEP = " | "
#: Longest section line ("Flashpoints | Diplomacy"), in words.
SECTION_MAX_WORDS = 8

_CREDIT = regexes.compile(
    r"(?:(?:photo|image|picture|photograph|illustration|video|header image|top image)\s+)?credits?\s*:\s*(?P<a>\S.*)"
    r"|(?:photo|image|picture|photograph|illustration)\s+(?:by|via|courtesy(?:\s+of)?)\s*:?\s*(?P<b>\S.*)",
    re.IGNORECASE,
)
#: A photo-credit line has fewer spaces than this (about as many words at most).
CREDIT_MAX_WORDS = 20

_REPUBLISHED = regexes.compile(
    r"(?:editor['’]?s note\s*:\s*)?"
    r"(?:(?:(?:this|the|a version of this|an earlier version of this)\s+"
    r"(?:article|post|blog post|piece|essay|story|column|commentary|op-ed|analysis|text|interview|newsletter)\s+"
    r"(?:was\s+|is\s+|has\s+been\s+|had\s+been\s+)?(?:originally\s+|first\s+)?)"
    r"|(?:it\s+(?:was|is)\s+)?(?:originally|first)\s+)"
    r"(?:published|appeared|posted|ran|printed)(?:\s+(?:originally|first))?\s+(?:in|on|at|by|with)\s+(?P<a>\S.*)"
    r"|(?:republished|reprinted|cross-?posted|reposted)(?:\s+with\s+permission)?\s+(?:from|with permission of)\s+(?P<b>\S.*)",
    re.IGNORECASE,
)
_REPUBLISHED_SOURCE_END = regexes.compile(
    rf",\s|\s[—–-]\s|\s\(|\.\s|;|:\s|\shttps?://|\s(?:and|where|under|on\s+\w+day)\s|\s(?:on|in)\s+(?:\d|(?:{_MONTH})\b)",
    re.IGNORECASE,
)
#: A republication note has fewer spaces than this (about as many words at most).
REPUBLISHED_MAX_WORDS = 40


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


def is_section(line: str) -> bool:
    """A short ``Section | Subsection`` line without sentence punctuation."""
    return (
        _SECTION_SEP in line
        and len(line.split()) <= SECTION_MAX_WORDS
        and not ENDS_SENTENCE.search(line)
    )
