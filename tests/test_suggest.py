"""`briefing suggest-themes`: recurring phrases that no cue covers, as a YAML snippet of the codebook schema."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import yaml

from generator.cli import run
from generator.matrix import cross_link
from generator.records import ArticleAnalysis, CellRow
from generator.suggest import candidates, suggest_themes
from generator.themes import match_article
from tests.records_factory import article, codebook, theme

REPO = Path(__file__).resolve().parents[1]


def _briefing(book, *articles):
    analyses = {a.slug: ArticleAnalysis(a.slug, (), (), (), ()) for a in articles}
    rows = {a.slug: CellRow(match_article(a, book), ()) for a in articles}
    return cross_link(tuple(articles), analyses, book, rows)


def test_recurring_uncovered_phrases_are_proposed_and_covered_ones_are_not():
    book = codebook(theme("energy", ("gas pipeline",)))
    a = article("a", "Joint naval drills began in the Pacific. A new gas pipeline opened.")
    b = article("b", "Observers watched the joint naval drills closely. The gas pipeline was late.")
    found = [phrase for phrase, _, _ in candidates(_briefing(book, a, b))]
    assert found[0] == "joint naval drills"
    assert not any("gas pipeline" in phrase for phrase in found)


def test_output_is_a_valid_codebook_snippet():
    book = codebook(theme("energy", ("gas pipeline",)))
    a = article("a", "Joint naval drills began. Joint naval drills ended.")
    b = article("b", "More joint naval drills are planned.")
    snippet = suggest_themes(_briefing(book, a, b))
    entries = yaml.safe_load(snippet)
    assert entries[0]["id"] == "joint-naval-drills" and entries[0]["cues"] == ["joint naval drills"]
    assert set(entries[0]) == {"id", "title", "description", "cues"}


def test_cli_prints_yaml_for_the_fixture_corpus():
    out = io.StringIO()
    with redirect_stdout(out):
        assert run(["suggest-themes", "-q", "--seeds", str(REPO / "tests" / "fixtures" / "corpus"),
                    "--themes", str(REPO / "seeds" / "themes.yml"), "--no-cache"]) == 0
    text = out.getvalue()
    assert text.startswith("# ")
    parsed = yaml.safe_load(text)
    assert parsed is None or all({"id", "title", "description", "cues"} <= set(e) for e in parsed)
