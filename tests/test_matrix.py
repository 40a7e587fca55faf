"""Cross-linking: agreement and divergence, co-occurring themes, and the matrix exports."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict

from generator.matrix import (AGREE, DIVERGE, NO_POSITION, SINGLE, UNADDRESSED, _co_occurrence, cross_link, matrix_csv,
                             matrix_json)
from generator.records import ArticleAnalysis, CellRow
from generator.themes import match_article
from tests.records_factory import Unreadable, article, codebook, theme, with_fields

BOOK = codebook(
    theme("asymmetry", ("leverage",), {"china-dominant": ("whip hand",), "balanced": ("equal partners",)}),
    theme("energy", ("gas", "pipeline")),
    theme("sanctions", ("sanction",), {"cautious": ("wary",)}),
    theme("arctic", ("arctic",)),
)


def _briefing(*articles):
    analyses = {a.slug: ArticleAnalysis(a.slug, (), (), (), ()) for a in articles}
    rows = {a.slug: CellRow(match_article(a, BOOK), ()) for a in articles}
    return cross_link(tuple(articles), analyses, BOOK, rows)


A = article("a", "China holds the whip hand on gas.", "Sanctions matter. Banks are wary.", title="A | pipe")
B = article("b", "They are equal partners in a gas pipeline.", "Banks are wary of sanctions.", title="=HYPERLINK(1)")


def test_verdicts():
    views = {v.theme.id: v for v in _briefing(A, B).themes}
    assert views["asymmetry"].verdict == DIVERGE
    assert dict(views["asymmetry"].positions) == {"china-dominant": ("a",), "balanced": ("b",)}
    assert views["sanctions"].verdict == AGREE
    assert views["energy"].verdict == NO_POSITION
    assert views["arctic"].verdict == UNADDRESSED and views["arctic"].stances == ()
    assert {v.theme.id: v for v in _briefing(A).themes}["asymmetry"].verdict == SINGLE


def test_co_occurrence_counts_shared_paragraphs():
    views = {v.theme.id: v for v in _briefing(A, B).themes}
    # asymmetry and energy share paragraph 1 of both articles
    assert dict(views["asymmetry"].co_occurring)["energy"] == 2


def _without_cells(briefing) -> dict[str, CellRow]:
    """The briefing's rows, each with cells that cannot be read."""
    return {slug: with_fields(row, cells=Unreadable()) for slug, row in briefing.rows.items()}


def test_co_occurrence_comes_from_each_rows_shared_paragraphs_not_from_its_cells():
    # c: energy has two evidence sentences in paragraph 1 (counted once there), and
    # arctic and sanctions share paragraph 2.
    c = article("c", "The gas flows. The pipeline is built. China holds the whip hand.", "Arctic sanctions bite.")
    briefing = _briefing(A, B, c)
    by_place = defaultdict(set)
    for slug, row in briefing.rows.items():
        for cell in row.cells:
            for ev in cell.evidence:
                by_place[(slug, ev.sentence.paragraph)].add(cell.theme)
    expected = Counter((a, b) for themes in by_place.values() for a in themes for b in themes if a != b)
    assert expected[("energy", "asymmetry")] == 3 and expected[("arctic", "sanctions")] == 1
    shared = _co_occurrence(_without_cells(briefing))
    assert {(a, b): n for a, others in shared.items() for b, n in others.items()} == dict(expected)


def test_theme_views_are_built_from_the_stances_without_reading_any_cell():
    briefing = _briefing(A, B)
    views = cross_link(briefing.articles, briefing.analyses, BOOK, _without_cells(briefing)).themes
    assert views == briefing.themes
    addressed = {(c.article, c.theme): c for row in briefing.rows.values() for c in row.cells if c.addressed}
    assert sorted((s.article, s.theme) for v in views for s in v.stances) == sorted(addressed)
    for s in (s for v in views for s in v.stances):
        cell = addressed[(s.article, s.theme)]
        assert (s.strength, s.position, s.pinned, s.shown) == (cell.strength, cell.position, cell.pinned, cell.shown)
        assert (s.quote, s.paragraph) == (cell.evidence[0].sentence.text, cell.evidence[0].sentence.paragraph)


def test_json_export_shape_and_verbatim_quotes():
    data = json.loads(matrix_json(_briefing(A, B)))
    assert set(data) == {"articles", "themes", "cells"}
    assert data["articles"][0] == {"id": "a", "title": "A | pipe", "source_file": "a.txt"}
    assert len(data["cells"]) == 2 * 4
    cell = next(c for c in data["cells"] if c["article"] == "a" and c["theme"] == "asymmetry")
    assert cell["position"] == "china-dominant" and cell["pinned"] is False
    assert cell["evidence"] == [{"quote": "China holds the whip hand on gas.", "anchor": "articles/a/#p1"}]
    empty = next(c for c in data["cells"] if c["theme"] == "arctic")
    assert empty == {"article": "a", "theme": "arctic", "strength": 0.0, "position": None, "pinned": False,
                     "evidence": []}
    texts = {a.slug: " ".join(p.text for p in a.paragraphs) for a in (A, B)}
    for c in data["cells"]:
        for ev in c["evidence"]:
            assert ev["quote"] in texts[c["article"]]


def test_csv_export_one_row_per_cell_and_no_formula_injection():
    rows = list(csv.DictReader(io.StringIO(matrix_csv(_briefing(A, B)))))
    assert len(rows) == 8
    assert rows[0]["article_title"] == "A | pipe"
    b_rows = [r for r in rows if r["article"] == "b"]
    assert b_rows[0]["article_title"] == "'=HYPERLINK(1)"
    arctic = next(r for r in rows if r["theme"] == "arctic")
    assert arctic["quote"] == "" and arctic["position"] == "" and arctic["strength"] == "0.000"
