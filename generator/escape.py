"""Escaping of untrusted text for the generated Markdown, and link safety.

Article text, metadata and codebook prose are untrusted: they must reach the
reader as the same visible characters and never as Markdown structure, HTML,
Jinja syntax or a link. The rule is simple and total:

* ``&``, ``<`` and ``>`` become HTML entities, so no tag, comment or entity
  from the input survives;
* every other ASCII punctuation character that any enabled Markdown extension
  gives meaning to is backslash-escaped (``pymdownx.escapeall`` is enabled in
  ``mkdocs.yml`` so that any escaped character renders as itself);
* runs of white space (newlines included) collapse to one space, so the text
  can never start a block (heading, list, quote, code block, front matter,
  admonition, reference definition, attribute list) of its own.

Trusted Markdown produced by the generator itself is wrapped in :class:`Md`,
which the template layer passes through untouched.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote, urlsplit

# Characters with a meaning somewhere in Python-Markdown or the enabled
# pymdown extensions, and % so that "{%" never appears. Left out on purpose:
# , ; ? ' " / @ (no enabled syntax
# uses them) so that the generated Markdown stays readable.
MD_SPECIAL = "\\`*_{}[]()#+-.!|~^=:$%"
_ESCAPE_TABLE = {ord(c): "\\" + c for c in MD_SPECIAL}
_ESCAPE_TABLE.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"})
# C0/C1 control characters, deleted (tab, newline and CR are white space, folded).
_DROP_CONTROLS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)])
# One pass of str.translate deletes the control characters and escapes the rest
# (an escape never adds white space, so collapsing white space afterwards with
# str.split, whose white space is re's \s, gives the same text as doing it first).
_ESCAPE_AND_DROP = {**_ESCAPE_TABLE, **_DROP_CONTROLS}


class Md(str):
    """A Markdown fragment built by the generator from trusted parts."""

    __slots__ = ()


def md_escape(text: object) -> Md:
    """Escape untrusted ``text`` so that it renders as exactly its visible characters."""
    if isinstance(text, Md):
        return text
    if text is None:
        return Md("")
    text = str(text)
    return _escaped_short(text) if len(text) <= MEMO_MAX_CHARS else _escaped(text)


# Titles, labels and short quotes recur across theme, matrix and index pages and
# are memoised; paragraphs are escaped each time (memoising them would only keep
# every article's text alive in a long-running `briefing serve`).
MEMO_MAX_CHARS = 300


def _escaped(text: str) -> Md:
    return Md(" ".join(text.translate(_ESCAPE_AND_DROP).split()))


_escaped_short = lru_cache(maxsize=1 << 14)(_escaped)


def html_escape(text: object) -> str:
    """Escape for an HTML attribute or element body (used in inline SVG and attributes)."""
    plain = " ".join(str(text).translate(_DROP_CONTROLS).split())
    return (
        plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace('"', "&quot;").replace("'", "&#39;")
    )


def safe_url(url: str | None) -> str | None:
    """Return ``url`` percent-encoded for a Markdown link if it is http(s), else None."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    # Keep the URL's own reserved characters; encode what could end the link.
    return quote(url, safe=":/?#@!$&'*+,;=%~-._")


def md_link(text: object, href: str) -> Md:
    """A Markdown link with escaped text. ``href`` must come from the generator or safe_url."""
    return Md(f"[{md_escape(text)}]({href})")
