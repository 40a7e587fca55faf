"""Theme evidence, strength and positions for one article x theme."""

from __future__ import annotations

from generator.themes import HALF_STRENGTH_SHARE, theme_cell
from tests.records_factory import article, theme

SANCTIONS = theme("sanctions", ("sanction", "export controls"),
                  {"china-cautious": ("wary", "cut lending"), "china-shields": ("lifeline", "evade")})


def test_inflected_cues_match_and_evidence_is_verbatim_and_located():
    a = article("a", "The weather was mild.", "New sanctions hit banks. Firms are wary of them.")
    cell = theme_cell(a, SANCTIONS)
    assert [e.sentence.text for e in cell.evidence] == ["Firms are wary of them.", "New sanctions hit banks."]
    assert {e.sentence.paragraph for e in cell.evidence} == {2}
    assert cell.position == "china-cautious" and not cell.pinned
    assert [e.sentence.text for e in cell.position_evidence] == ["Firms are wary of them."]


def test_not_addressed_when_nothing_matches():
    cell = theme_cell(article("a", "Nothing relevant here. Still nothing."), SANCTIONS)
    assert cell.strength == 0.0 and cell.evidence == () and cell.position is None
    assert not cell.addressed


def test_tie_between_positions_gives_no_position():
    a = article("a", "Banks are wary. Russia found a lifeline in trade.")
    cell = theme_cell(a, SANCTIONS)
    assert cell.position is None
    assert cell.addressed  # the sentences still count as evidence of the theme


def test_pinned_position_wins_and_is_marked():
    a = article("a", "Banks are wary of sanctions.", pins=(("sanctions", "china-shields"),))
    cell = theme_cell(a, SANCTIONS)
    assert cell.position == "china-shields" and cell.pinned


def test_pin_alone_makes_a_cell_addressed():
    a = article("a", "Unrelated text.", pins=(("sanctions", "china-shields"),))
    assert theme_cell(a, SANCTIONS).addressed


def test_strength_is_share_of_sentences_and_comparable_across_lengths():
    short = article("s", "Sanctions bite. Trade grows. Prices rise. Talks stall.")
    long = article("l", " ".join(["Sanctions bite."] + ["Trade grows."] * 7))
    s, l = theme_cell(short, SANCTIONS).strength, theme_cell(long, SANCTIONS).strength
    assert s == round(0.25 / (0.25 + HALF_STRENGTH_SHARE), 3)
    assert l == round(0.125 / (0.125 + HALF_STRENGTH_SHARE), 3)
    assert 0 < l < s < 1


def test_whole_words_only():
    war = theme("war", ("war",))
    assert not theme_cell(article("a", "A warm welcome and an award."), war).addressed
    assert theme_cell(article("a", "The wars go on."), war).addressed


def test_cue_index_finds_exactly_what_the_cue_regexes_find():
    """The fast token index is an optimisation only: same matches as compile_cue's regexes."""
    from pathlib import Path

    from generator.codebook import load_codebook
    from generator.ingest import load_corpus
    from generator.themes import CueIndex

    repo = Path(__file__).resolve().parents[1]
    book = load_codebook(repo / "seeds" / "themes.yml")
    cues = tuple(c for t in book.themes for c in (*t.cues, *(c for p in t.positions for c in p.cues)))
    index = CueIndex(cues)
    sentences = [s.text for a in load_corpus(repo / "tests" / "fixtures" / "corpus").articles for s in a.sentences]
    sentences += ["The whip-hand is China's.", "Sanctioned, sanctions; SANCTION!", "a warm award for wars",
                  "needier\u2014partners", "needier, partner", "Power of Siberia 2", "U.S.-led sanctions"]
    checked = 0
    for text in sentences:
        expected = {c.text for c in cues if c.pattern.search(text)}
        assert {c.text for c in index.matches(text)} == expected, text
        checked += bool(expected)
    assert checked >= 10
