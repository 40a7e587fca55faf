"""Render Markdown exactly as the site does (extensions read from mkdocs.yml)."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

import markdown
import yaml

REPO = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def _extensions() -> tuple[list, dict]:
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    names, configs = [], {}
    for item in config["markdown_extensions"]:
        if isinstance(item, dict):
            (name, conf), = item.items()
            names.append(name)
            configs[name] = {k: (v == "true") if v in ("true", "false") else v for k, v in (conf or {}).items()}
        else:
            names.append(item)
    return names, configs


def to_html(text: str) -> str:
    names, configs = _extensions()
    return markdown.markdown(text, extensions=names, extension_configs=configs)


def visible_text(fragment: str) -> str:
    """The text a reader sees: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))
