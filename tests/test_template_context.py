"""Each template has one documented context dataclass; pin that they agree both ways."""

from __future__ import annotations

import dataclasses

import pytest
from jinja2 import nodes

from generator import contexts, render

TEMPLATES = {
    "home.md.j2": (contexts.HomePage, set()),
    "article.md.j2": (contexts.ArticlePage, set()),
    "theme.md.j2": (contexts.ThemePage, set()),
    "matrix.md.j2": (contexts.MatrixPage, set()),
    "print.md.j2": (contexts.PrintPage, set()),
    "print_source.md.j2": (contexts.PrintSource, set()),
    "print_theme.md.j2": (contexts.ThemePage, {"front_title", "pagefind", "listing", "hidden", "cues", "positions",
                                               "silent", "related", "co_occurring"}),
    "search.md.j2": (contexts.SearchPage, set()),
    "matrix_theme.md.j2": (contexts.MatrixThemePage, set()),
    "articles.md.j2": (contexts.IndexPage, {"entities", "note"}),
    "themes.md.j2": (contexts.IndexPage, {"entities", "pages", "note", "searchable"}),
    "entities.md.j2": (contexts.IndexPage, {"rows", "pages", "searchable"}),
}


def _page_attributes(name: str) -> set[str]:
    env = render.environment()
    source = env.loader.get_source(env, name)[0]
    tree = env.parse(source)
    return {
        node.attr for node in tree.find_all(nodes.Getattr)
        if isinstance(node.node, nodes.Name) and node.node.name == "page"
    }


def test_every_template_is_pinned():
    on_disk = {p.name for p in render.TEMPLATES.glob("*.md.j2") if not p.name.startswith("_")}
    assert on_disk == set(TEMPLATES)


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_uses_exactly_its_context(name):
    context, unused = TEMPLATES[name]
    fields = {f.name for f in dataclasses.fields(context)}
    used = _page_attributes(name)
    assert used <= fields, f"{name} uses {sorted(used - fields)} not in {context.__name__}"
    assert fields - unused <= used, f"{context.__name__} fields {sorted(fields - unused - used)} unused by {name}"


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_contexts_are_frozen(name):
    context, _ = TEMPLATES[name]
    assert context.__dataclass_params__.frozen


def test_every_context_is_pinned():
    declared = {c for c in vars(contexts).values()
                if dataclasses.is_dataclass(c) and (c.__doc__ or "").startswith("Context of ")}
    assert declared == {context for context, _ in TEMPLATES.values()}
