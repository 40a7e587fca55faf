"""Page furniture: the lines a web page wraps around an article, and how to spot them.

Text copied from a web page picks up share buttons, newsletter prompts, cookie
banners, "Read more" links, tag lists, comment-form labels and the like.
:data:`FURNITURE` names each kind with one pattern; :func:`furniture_kind`
says which one a line is, and :func:`starts_page_tail` recognises the
comment-section or "related posts" heading after which nothing is the article
(:func:`generator.clean.clean_text` applies both). Nothing here knows a
particular site.
"""

from __future__ import annotations

import re

from . import regexes

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

_FURNITURE = tuple((name, regexes.compile(pattern, re.IGNORECASE), max_words) for name, pattern, max_words in FURNITURE)
_FURNITURE_MAX_WORDS = max(max_words for _, _, max_words in FURNITURE)
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
# The same hints as one compiled alternation per entry (a search in C instead of
# a Python loop of substring tests for every line).
_HINT_RES = {name: regexes.compile("|".join(re.escape(word) for word in words)) for name, words in _FURNITURE_HINTS.items()}
#: Bullets, separators and dashes stripped from both ends of a line before matching.
_FURNITURE_STRIP = " \t•·*|>›»–—-"

#: A comment section or a list of other articles: the rest of the text is not the article.
_TERMINAL = regexes.compile(
    r"leave a (reply|comment)|post a comment|(\d+ )?comments?( \(\d+\))?|join the (conversation|discussion)"
    r"|related (posts|articles|stories|content)|you (may|might) also (like|enjoy)|more from .{1,40}"
    r"|recommended( for you| reading| stories)?|read next|most (read|popular|viewed)",
    re.IGNORECASE,
)


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
        hint = _HINT_RES.get(name)
        if hint is not None and hint.search(lowered) is None:
            continue
        if pattern.fullmatch(text):
            return name
    return None


def starts_page_tail(line: str) -> bool:
    """Whether ``line`` is a comment-section or "related posts" heading (:data:`_TERMINAL`)."""
    return _TERMINAL.fullmatch(line.strip(_FURNITURE_STRIP).rstrip(":")) is not None
