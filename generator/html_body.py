"""Saved HTML pages: the main text and the metadata of the page, with trafilatura (offline).

:func:`parse_html` gives the same :class:`~generator.blocks.Cleaned` blocks as
the ``.txt`` cleaner and :func:`generator.markdown_body.parse_markdown`, plus the
fields the page states (title, author, date, site name, URL, description), which
:mod:`generator.ingest` merges with the sidecar. Block quotes stay block quotes,
attributed by :func:`generator.excerpts.attribute_blockquotes`. The XML that
trafilatura returns is parsed without entities or network access.
"""

from __future__ import annotations

import re

from .blocks import Block, Cleaned, collapse, normalise
from .errors import Problem, UnreadableInput
from .excerpts import attribute_blockquotes
from .records import BLOCKQUOTE

HTML_NO_TEXT_MESSAGE = "no article text found in the HTML page"
HTML_FAILED_MESSAGE = "could not extract text from the HTML page: {reason}"

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)


def parse_html(text: str, display: str) -> tuple[Cleaned, dict[str, str]]:
    """Main text and metadata of a saved HTML page, via trafilatura (no network)."""
    try:
        import trafilatura
        from lxml import etree

        xml = trafilatura.extract(
            text,
            output_format="xml",
            with_metadata=True,
            favor_precision=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            include_formatting=False,
            deduplicate=False,
        )
        if not xml:
            raise UnreadableInput([Problem(display, message=HTML_NO_TEXT_MESSAGE)])
        doc = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    except UnreadableInput:
        raise
    except Exception as err:  # trafilatura/lxml failures must not become tracebacks
        reason = f"{type(err).__name__}: {err}"
        raise UnreadableInput([Problem(display, message=HTML_FAILED_MESSAGE.format(reason=reason))]) from None

    structured: dict[str, str] = {}
    for attribute, name in (("title", "title"), ("author", "author"), ("date", "date"),
                            ("sitename", "outlet"), ("url", "url"), ("description", "subtitle")):
        value = _plain(doc.get(attribute) or "")
        if value:
            structured[name] = value
    if "url" in structured and not structured["url"].lower().startswith(("http://", "https://")):
        del structured["url"]
    if "date" in structured and not _ISO_DATE.fullmatch(structured["date"]):
        del structured["date"]

    blocks: list[Block] = []
    removed: list[str] = []
    title_key = collapse(structured.get("title", "")).casefold()
    main = doc.find("main")
    for element in (main if main is not None else []):
        tag = element.tag
        if tag == "quote":
            parts = element.findall("p") or [element]
            for part in parts:
                value = _plain("".join(part.itertext()))
                if value:
                    blocks.append(Block(value, BLOCKQUOTE))
        elif tag == "list":
            for item in element.iter("item"):
                value = _plain("".join(item.itertext()))
                if value:
                    blocks.append(Block(value))
        else:
            value = _plain("".join(element.itertext()))
            if not value:
                continue
            if tag == "head" and not blocks and value.casefold() == title_key:
                removed.append(value)
                continue
            blocks.append(Block(value))
    if not blocks:
        raise UnreadableInput([Problem(display, message=HTML_NO_TEXT_MESSAGE)])
    subtitle = structured.get("subtitle", "")
    if subtitle and blocks[0].text.startswith(subtitle.rstrip(".…")[:60]):
        del structured["subtitle"]  # a meta description that only repeats the first paragraph
    return Cleaned(tuple(attribute_blockquotes(blocks)), {}, tuple(removed)), structured


def _plain(value: str) -> str:
    """Plain text for a field that came out of HTML: no tags, whitespace collapsed."""
    return collapse(_TAG.sub(" ", normalise(value)))
