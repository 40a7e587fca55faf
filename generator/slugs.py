"""File-name-safe, unique slugs for article pages.

A slug is ASCII ``[a-z0-9-]``: the title is NFKD-normalised, anything that is
not ASCII is dropped, every other run of non-alphanumerics becomes one hyphen,
and the result is cut to at most :data:`MAX_LENGTH` characters at a word
boundary. It is never empty (:data:`FALLBACK`) and never a reserved page name
(``index``), so a title such as ``..`` or ``/etc/passwd`` is harmless.

No library: python-slugify would add a dependency (and text-unidecode) for the
same dozen lines; dropping non-ASCII rather than transliterating is what the
site needs (slugs only have to be safe and stable, the title is shown as is).
"""

from __future__ import annotations

import logging
import re
import unicodedata

log = logging.getLogger(__name__)

#: Longest slug produced by :func:`slugify` (before a ``-2`` collision suffix).
MAX_LENGTH = 60
#: Slug for a title with no ASCII letters or digits.
FALLBACK = "article"
#: Names that would clash with pages the site writes itself.
RESERVED = frozenset({"index"})

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    """A safe slug for ``title``: ``"What, exactly, is…?"`` -> ``"what-exactly-is"``."""
    ascii_text = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode("ascii")
    slug = _NON_ALNUM.sub("-", ascii_text.lower()).strip("-")
    slug = _cut(slug, MAX_LENGTH)
    if not slug:
        slug = FALLBACK
    if slug in RESERVED:
        slug = f"{slug}-{FALLBACK}"
    return slug


def _cut(slug: str, limit: int) -> str:
    """Cut ``slug`` to ``limit`` characters, at a hyphen when there is one."""
    if len(slug) <= limit:
        return slug
    head = slug[: limit + 1]  # keep one more so a word that ends exactly at the limit survives
    cut = head.rfind("-")
    return (head[:cut] if cut > 0 else slug[:limit]).strip("-")


def unique_slugs(titles_in_order: list[str], bases: list[str] | None = None) -> list[str]:
    """Slugs for ``titles_in_order``, made unique with ``-2``, ``-3``… in that order.
    ``bases``: the titles' :func:`slugify`, when they are known already.

    Deterministic: the first article with a given slug keeps it. Linear in the
    number of titles, even when all of them collide.
    """
    used: set[str] = set()
    next_suffix: dict[str, int] = {}
    result = []
    for i, title in enumerate(titles_in_order):
        base = bases[i] if bases is not None else slugify(title)
        slug = base
        if slug in used:
            n = next_suffix.get(base, 2)
            while True:
                suffix = f"-{n}"
                slug = _cut(base, MAX_LENGTH - len(suffix)) + suffix
                n += 1
                if slug not in used:
                    break
            next_suffix[base] = n
            log.debug("slug %r is taken; using %r for %r", base, slug, title)
        used.add(slug)
        result.append(slug)
    return result
