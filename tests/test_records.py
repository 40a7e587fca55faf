"""The records passed between stages: what their pickles (the analysis cache) keep and defer."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from generator.aliases import load_aliases
from generator.codebook import load_codebook
from generator.deferred import Deferred
from generator.ingest import read_article
from generator.records import Cell, CellRow, Evidence, Sentence
from generator.slugs import slugify
from generator.themes import match_article
from generator.worker import analyse_article

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
CODEBOOK = load_codebook(Path(__file__).resolve().parents[1] / "seeds" / "themes.yml")
DEFERRED = "_deferred_pickle"


def _record():
    article = read_article(CORPUS / "alpha_steppe.txt", CORPUS)
    return article, analyse_article(article, load_aliases(None), 3)


def test_a_pickled_article_and_analysis_read_back_equal_to_the_originals():
    article, analysis = _record()
    back, back_analysis = pickle.loads(pickle.dumps((article, analysis)))
    assert back == article and back_analysis == analysis
    assert back.sentences == article.sentences and back.paragraphs[0].text == article.paragraphs[0].text
    # Pickled again before its paragraphs were read, it still carries them.
    assert pickle.loads(pickle.dumps(pickle.loads(pickle.dumps(article)))) == article


@pytest.mark.parametrize("record", ["article", "analysis", "row"])
def test_each_deferred_field_read_first_is_the_original(record):
    # The first field read unpickles the others: each must be right when it is that field.
    article, analysis = _record()
    row = CellRow(match_article(article, CODEBOOK), (("t", "fingerprint"),))
    original = {"article": article, "analysis": analysis, "row": row}[record]
    assert original._deferred
    for name in original._deferred:
        value = getattr(original, name)
        assert value, f"the fixture should give {name} a value to check"
        assert getattr(pickle.loads(pickle.dumps(original)), name) == value, name


def test_a_deferred_field_with_a_default_is_refused():
    # Its default would be read instead of the pickled value (a class attribute wins over __getattr__).
    with pytest.raises(TypeError, match="Late: deferred fields cannot have defaults: notes"):
        class Late(Deferred):
            _deferred = ("notes",)
            notes: tuple = ()


def test_what_every_rebuild_reads_is_there_without_unpickling_the_text():
    article, analysis = _record()
    row = CellRow(match_article(article, CODEBOOK), (("t", "fingerprint"),))
    back, back_analysis, back_row = pickle.loads(pickle.dumps((article, analysis, row)))
    assert (back.slug, back.meta, back.source_file, back.content_hash, back.word_count, back.listing) == \
        (article.slug, article.meta, article.source_file, article.content_hash, article.word_count, article.listing)
    # the slug of its title alone, which the corpus numbers where titles collide, comes back kept
    assert vars(back)["base_slug"] == back.base_slug == slugify(article.meta.title) != ""
    assert (back_analysis.listing, back_analysis.entity_ids) == (analysis.listing, analysis.entity_ids)
    assert analysis.entity_ids == tuple(m.entity_id for m in analysis.mentions) != ()
    assert (back_row.shown, back_row.computed_for, back_row.shared_paragraphs, back_row.stances) == \
        (row.shown, row.computed_for, row.shared_paragraphs, row.stances)
    assert row.stances and all(s.article == article.slug for s in row.stances)
    # the text, the analysis and the cells were never needed
    assert all(DEFERRED in vars(record) for record in (back, back_analysis, back_row))
    assert back_analysis.mentions == analysis.mentions and back_row.cells == row.cells
    # Once read, the fields are plain attributes; the nested pickle is kept, and pickling the
    # record again (the cache saves its shard) copies it instead of pickling the cells anew.
    assert "mentions" in vars(back_analysis) and "cells" in vars(back_row)
    blob = vars(back_row)[DEFERRED]
    again = pickle.loads(pickle.dumps(back_row))
    assert vars(again)[DEFERRED] == blob and again.cells == row.cells


def test_a_missing_attribute_is_still_an_attribute_error():
    article, _ = _record()
    back = pickle.loads(pickle.dumps(article))
    assert not hasattr(back, "no_such_field")
    assert DEFERRED in vars(back)


def test_a_cell_keeps_what_pages_show_of_it_not_the_cue_that_found_it():
    s = Sentence(paragraph=3, index=1, text="Moscow needs Beijing.", start=0, end=21)
    one = Cell("a", "asymmetry", 0.5, (Evidence(s, "needs"),), "china-leads")
    assert Cell("a", "asymmetry", 0.5, (Evidence(s, "depends on"),), "china-leads").shown == one.shown
    # What theme pages and the matrix show changes it: the quoted text (even at the same
    # place), the position, the strength, the pin.
    edited = Sentence(paragraph=3, index=1, text="Moscow needs Beijing badly.", start=0, end=27)
    others = [
        Cell("a", "asymmetry", 0.5, (Evidence(edited, "needs"),), "china-leads"),
        Cell("a", "asymmetry", 0.5, (Evidence(s, "needs"),), "balanced"),
        Cell("a", "asymmetry", 0.6, (Evidence(s, "needs"),), "china-leads"),
        Cell("a", "asymmetry", 0.5, (Evidence(s, "needs"),), "china-leads", pinned=True),
        Cell("a", "asymmetry", 0.0),
    ]
    assert len({one.shown, *(c.shown for c in others)}) == 1 + len(others)
    assert pickle.loads(pickle.dumps(one)).shown == one.shown
