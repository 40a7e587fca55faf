"""Tests for generator.codebook (loading, validation) and generator.cues (cue compilation)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator import codebook as codebook_module
from generator import cues as cues_module
from generator.codebook import ID_PATTERN, load_codebook
from generator.cues import INFLECTION_SUFFIXES, compile_cue, word_forms
from generator.errors import ProblemsError
from generator.records import Codebook, Cue

ROOT = Path(__file__).resolve().parent.parent
SEED_CODEBOOK = ROOT / "seeds" / "themes.yml"
SCHEMA = ROOT / "generator" / "themes.schema.json"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "codebooks"

MINIMAL_THEME = "  - id: {id}\n    title: T\n    description: D.\n    cues: [word]\n"


def write(tmp_path: Path, text: str, name: str = "themes.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ProblemsError) as info:
        load_codebook(path)
    return [str(p) for p in info.value.problems]


def messages_of(tmp_path: Path, text: str) -> list[str]:
    """Problems as ``line:column: key: message`` (without the file name)."""
    path = write(tmp_path, text)
    return [p.split(":", 1)[1] for p in problems_of(path)]


# -- the starter codebook ------------------------------------------------------------


def test_seed_codebook_loads_cleanly():
    book = load_codebook(SEED_CODEBOOK)
    assert isinstance(book, Codebook)
    assert book.source == str(SEED_CODEBOOK)
    assert len(book.themes) >= 10
    assert len([t for t in book.themes if t.positions]) >= 3
    for theme in book.themes:
        assert 5 <= len(theme.cues) <= 10, theme.id
        assert theme.description.endswith(".")
        for position in theme.positions:
            assert position.cues, (theme.id, position.id)


def test_seed_codebook_validates_against_the_schema():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = yaml.safe_load(SEED_CODEBOOK.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)


def test_seed_codebook_declares_the_schema_for_editors():
    first_line = SEED_CODEBOOK.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../generator/themes.schema.json"


def test_seed_positions_can_be_looked_up_for_pinning():
    book = load_codebook(SEED_CODEBOOK)
    assert book.theme("asymmetry").position("china-dominant").label == "China holds the upper hand"
    assert book.theme("asymmetry").position("nope") is None
    assert book.theme("nope") is None
    assert {"asymmetry", "sanctions", "western-narratives"} <= {t.id for t in book.themes if t.positions}


def test_schema_rejects_what_the_loader_rejects():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    bad = yaml.safe_load((FIXTURES / "ten_mistakes.yml").read_text(encoding="utf-8"))
    assert not validator.is_valid(bad)
    good_regex = {"themes": [{"id": "a", "title": "T", "description": "D", "cues": [{"re": "x+"}]}]}
    assert validator.is_valid(good_regex)
    assert not validator.is_valid({"themes": []})
    assert not validator.is_valid({"themes": [{"id": "a", "title": "T", "description": "D", "cues": []}]})


# -- ten mistakes in one run ------------------------------------------------------------------


def test_ten_mistakes_reported_in_one_run():
    path = FIXTURES / "ten_mistakes.yml"
    f = str(path)
    assert problems_of(path) == [
        f"{f}:4:9: themes[0].id: 'Energy_Trade' is not a valid id: use lowercase letters, digits and single hyphens"
        " (e.g. 'energy-trade')",
        f"{f}:12:15: themes[1].related[0]: a theme cannot be related to itself",
        f"{f}:12:26: themes[1].related[1]: unknown theme 'asymetry'; did you mean 'asymmetry'?",
        f"{f}:17:5: themes[2].cue: unknown key 'cue'; did you mean 'cues'?",
        f"{f}:22:13: themes[2].positions[1].id: duplicate position id 'china-dominant' in theme 'asymmetry'"
        " (first used at line 19)",
        f"{f}:25:5: themes[3].title: missing required key 'title'",
        f"{f}:29:12: themes[4].title: must be text, not a list",
        f"{f}:35:11: themes[5].cues: must list at least one cue",
        f"{f}:36:9: themes[6].id: duplicate theme id 'sanctions' (first used at line 8)",
        f"{f}:45:13: themes[7].cues[1].re: regular expression does not compile: missing ), unterminated subpattern"
        " at position 0",
    ]


def test_file_is_named_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "themes: []\n")
    assert problems_of(Path("themes.yml")) == ["themes.yml:1:9: themes: must list at least one theme"]


# -- focused checks -------------------------------------------------------------------------------


def test_minimal_codebook(tmp_path):
    book = load_codebook(write(tmp_path, "version: 1\nthemes:\n" + MINIMAL_THEME.format(id="a-1")))
    (theme,) = book.themes
    assert theme.id == "a-1" and theme.related == () and theme.positions == ()
    assert theme.cues == (Cue("word", compile_cue("word"), False),)


def test_top_level_must_be_a_mapping(tmp_path):
    assert messages_of(tmp_path, "- a\n- b\n") == ["1:1: must be a mapping, not a list"]


def test_empty_codebook(tmp_path):
    assert messages_of(tmp_path, "# nothing\n") == ["1:1: the codebook is empty; it needs a 'themes' list"]


def test_missing_themes(tmp_path):
    assert messages_of(tmp_path, "version: 1\n") == ["1:1: themes: missing required key 'themes'"]


def test_themes_must_be_a_list(tmp_path):
    assert messages_of(tmp_path, "themes: {a: 1}\n") == ["1:9: themes: must be a list of themes, not a mapping"]


def test_unknown_top_level_key(tmp_path):
    text = "version: 1\nthemez: []\nthemes:\n" + MINIMAL_THEME.format(id="a")
    assert messages_of(tmp_path, text) == ["2:1: themez: unknown key 'themez'; did you mean 'themes'?"]


@pytest.mark.parametrize("version", ["2", "'1'", "true", "1.0"])
def test_version_must_be_1(tmp_path, version):
    text = f"version: {version}\nthemes:\n" + MINIMAL_THEME.format(id="a")
    (message,) = messages_of(tmp_path, text)
    assert message.startswith("1:10: version: unsupported codebook version ")
    assert message.endswith("; supported: 1")


def test_unknown_theme_key_without_close_match(tmp_path):
    text = "themes:\n" + MINIMAL_THEME.format(id="a") + "    colour: red\n"
    assert messages_of(tmp_path, text) == [
        "6:5: themes[0].colour: unknown key 'colour'; expected one of: id, title, description, cues, related, positions"
    ]


def test_unknown_position_key(tmp_path):
    text = (
        "themes:\n"
        + MINIMAL_THEME.format(id="a")
        + "    positions:\n      - id: p\n        lable: L\n        label: L\n        cues: [x]\n"
    )
    assert messages_of(tmp_path, text) == ["8:9: themes[0].positions[0].lable: unknown key 'lable'; did you mean 'label'?"]


def test_missing_theme_keys(tmp_path):
    assert messages_of(tmp_path, "themes:\n  - id: a\n") == [
        "2:5: themes[0].title: missing required key 'title'",
        "2:5: themes[0].description: missing required key 'description'",
        "2:5: themes[0].cues: missing required key 'cues'",
    ]


def test_missing_position_keys(tmp_path):
    text = "themes:\n" + MINIMAL_THEME.format(id="a") + "    positions:\n      - description: only this\n"
    assert messages_of(tmp_path, text) == [
        "7:9: themes[0].positions[0].id: missing required key 'id'",
        "7:9: themes[0].positions[0].label: missing required key 'label'",
        "7:9: themes[0].positions[0].cues: missing required key 'cues'",
    ]


def test_wrong_types(tmp_path):
    text = (
        "themes:\n"
        "  - id: 7\n"
        "    title: T\n"
        "    description: {a: b}\n"
        "    cues: whip hand\n"
        "    related: energy\n"
        "    positions: {id: p}\n"
        "  - just text\n"
    )
    assert messages_of(tmp_path, text) == [
        "2:9: themes[0].id: must be text, not a number",
        "4:18: themes[0].description: must be text, not a mapping",
        "5:11: themes[0].cues: must be a list of cues, not text",
        "6:14: themes[0].related: must be a list of theme ids, not text",
        "7:16: themes[0].positions: must be a list of positions, not a mapping",
        "8:5: themes[1]: must be a mapping, not text",
    ]


def test_wrong_cue_types(tmp_path):
    text = "themes:\n  - id: a\n    title: T\n    description: D.\n    cues: [ok, 3, [x], '  ', {re: 5}, {regex: x}, {re: ''}]\n"
    assert messages_of(tmp_path, text) == [
        "5:16: themes[0].cues[1]: a cue must be a phrase (text) or {re: pattern}, not a number",
        "5:19: themes[0].cues[2]: a cue must be a phrase (text) or {re: pattern}, not a list",
        "5:24: themes[0].cues[3]: a cue must contain at least one word",
        "5:35: themes[0].cues[4].re: must be a regular expression (text), not a number",
        "5:39: themes[0].cues[5].re: missing required key 're'",
        "5:40: themes[0].cues[5].regex: unknown key 'regex'; expected one of: re",
        "5:56: themes[0].cues[6].re: must be a regular expression (text), not empty text",
    ]


def test_empty_strings_are_refused(tmp_path):
    text = "themes:\n  - id: a\n    title: '  '\n    description: ''\n    cues: [x]\n"
    assert messages_of(tmp_path, text) == [
        "3:12: themes[0].title: must not be empty",
        "4:18: themes[0].description: must not be empty",
    ]


def test_empty_position_cue_list(tmp_path):
    text = "themes:\n" + MINIMAL_THEME.format(id="a") + "    positions:\n      - {id: p, label: L, cues: []}\n"
    assert messages_of(tmp_path, text) == ["7:33: themes[0].positions[0].cues: must list at least one cue"]


@pytest.mark.parametrize(
    ("bad", "hint"),
    [
        ("Energy", " (e.g. 'energy')"),
        ("energy_trade", " (e.g. 'energy-trade')"),
        ("energy--trade", " (e.g. 'energy-trade')"),
        ("-energy", " (e.g. 'energy')"),
        ("energy-", " (e.g. 'energy')"),
        ("'énergie'", " (e.g. 'nergie')"),
        ("'!!!'", ""),
    ],
)
def test_malformed_theme_ids(tmp_path, bad, hint):
    text = "themes:\n" + MINIMAL_THEME.format(id=bad)
    shown = bad.strip("'")
    assert messages_of(tmp_path, text) == [
        f"2:9: themes[0].id: '{shown}' is not a valid id: use lowercase letters, digits and single hyphens{hint}"
    ]


def test_malformed_position_id(tmp_path):
    text = "themes:\n" + MINIMAL_THEME.format(id="a") + "    positions:\n      - {id: China Dominant, label: L, cues: [x]}\n"
    assert messages_of(tmp_path, text) == [
        "7:14: themes[0].positions[0].id: 'China Dominant' is not a valid id: use lowercase letters, digits and"
        " single hyphens (e.g. 'china-dominant')"
    ]


@pytest.mark.parametrize("good", ["a", "a1", "energy-trade", "2023-cold-war"])
def test_id_pattern_accepts(good):
    assert ID_PATTERN.match(good)


def test_duplicate_theme_ids_each_reported(tmp_path):
    text = "themes:\n" + "".join(MINIMAL_THEME.format(id="a") for _ in range(3))
    assert messages_of(tmp_path, text) == [
        "6:9: themes[1].id: duplicate theme id 'a' (first used at line 2)",
        "10:9: themes[2].id: duplicate theme id 'a' (first used at line 2)",
    ]


def test_duplicate_position_ids_only_within_a_theme(tmp_path):
    positions = "    positions:\n      - {id: p, label: L, cues: [x]}\n"
    text = "themes:\n" + MINIMAL_THEME.format(id="a") + positions + MINIMAL_THEME.format(id="b") + positions
    book = load_codebook(write(tmp_path, text))
    assert [t.position("p").label for t in book.themes] == ["L", "L"]


def test_related_unknown_without_suggestion(tmp_path):
    text = "themes:\n" + MINIMAL_THEME.format(id="asymmetry") + "    related: [zebra, 3]\n"
    assert messages_of(tmp_path, text) == [
        "6:15: themes[0].related[0]: unknown theme 'zebra'",
        "6:22: themes[0].related[1]: must be a theme id, not a number",
    ]


def test_related_may_point_forward(tmp_path):
    text = "themes:\n" + MINIMAL_THEME.format(id="a") + "    related: [b]\n" + MINIMAL_THEME.format(id="b")
    assert load_codebook(write(tmp_path, text)).theme("a").related == ("b",)


def test_regex_cue_compiles_case_insensitive(tmp_path):
    text = "themes:\n  - id: a\n    title: T\n    description: D.\n    cues: [{re: 'no[- ]limits?'}]\n"
    (cue,) = load_codebook(write(tmp_path, text)).themes[0].cues
    assert cue.is_regex and cue.text == "no[- ]limits?"
    assert cue.pattern.search("a friendship with No-Limits")


def test_yaml_problems_and_codebook_problems_in_one_run(tmp_path):
    text = "themes:\n  - id: a\n    title: T\n    title: U\n    description: no\n    cues: []\n"
    assert messages_of(tmp_path, text) == [
        "4:5: themes[0].title: duplicate key 'title' (first defined at line 3); YAML would silently keep only the last one",
        "5:18: themes[0].description: read as a boolean by YAML; quote it if you mean the word",
        "6:11: themes[0].cues: must list at least one cue",
    ]


def test_yaml_syntax_error_stops_early(tmp_path):
    assert messages_of(tmp_path, "themes:\n\t- id: a\n") == [
        "2:1: a tab is used for indentation; YAML indentation must use spaces"
    ]


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yml"
    assert problems_of(path) == [f"{path}: cannot read the codebook: No such file or directory"]


# -- cue matching -------------------------------------------------------------------------


def finds(cue: str, text: str) -> list[str]:
    return [m.group(0) for m in compile_cue(cue).finditer(text)]


@pytest.mark.parametrize(
    ("cue", "text"),
    [
        ("sanction", "sanctions"),
        ("sanction", "sanctioned"),
        ("sanction", "sanctioning"),
        ("sanctions", "a sanction"),
        ("dictating the terms", "dictate the terms"),
        ("dictating the terms", "dictated the terms"),
        ("dictating the terms", "dictates the terms"),
        ("needier partner", "needier partners"),
        ("needier partner", "Needier Partner"),
        ("whip hand", "whip-hand"),
        ("whip hand", "whip\n  hand"),
        ("whip hand", "whip \u2013 hand"),
        ("war", "wars"),
        ("war", "warring"),
        ("war", "war."),
        ("war", "anti-war"),
        ("war", "(war)"),
        ("ally", "allies"),
        ("ally", "allied"),
        ("allies", "ally"),
        ("drill", "drills"),
        ("joint naval drills", "joint naval drill"),
        ("trade tie", "trade ties"),
        ("Xi's", "Xi\u2019s"),
        ("U.S.", "the U.S. position"),
        ("G7", "a G7 summit"),
        ("cold war", "Cold-War"),
    ],
)
def test_cue_finds_inflections(cue, text):
    assert finds(cue, text), (cue, text, word_forms(cue.split()[0]))


@pytest.mark.parametrize(
    ("cue", "text"),
    [
        ("war", "warm"),
        ("war", "award"),
        ("war", "warden"),
        ("war", "ward"),
        ("war", "wary"),
        ("war", "wares"),
        ("war", "software"),
        ("war", "postwar"),
        ("war", "forewarned"),
        ("war", "Warsaw"),
        ("ally", "all"),
        ("ally", "rally"),
        ("ally", "totally"),
        ("sanction", "sanctity"),
        ("sanction", "sanctuary"),
        ("term", "terminal"),
        ("term", "determine"),
        ("gas", "gasp"),
        ("gas", "Vegas"),
        ("arm", "army"),
        ("arm", "harm"),
        ("cooperation", "Cooper"),
        ("whip hand", "whip and hand"),
        ("whip hand", "hand whip"),
        ("G7", "G77"),
        ("the", "then"),
    ],
)
def test_cue_does_not_find_other_words(cue, text):
    assert finds(cue, text) == [], (cue, text, word_forms(cue))


def test_cue_is_case_insensitive_and_keeps_original_text():
    assert finds("Cold War", "the COLD WAR ended; a cold war began") == ["COLD WAR", "cold war"]


def test_word_forms_are_a_closed_list():
    forms = word_forms("war")
    assert "war" in forms and "wars" in forms and "warring" in forms
    assert all(len(f) <= len("war") + 2 + max(len(s) for s in INFLECTION_SUFFIXES) for f in forms)
    assert r"\w*" not in compile_cue("war").pattern


def test_compile_cue_rejects_empty():
    with pytest.raises(ValueError):
        compile_cue(" - ")


def test_cue_patterns_are_compiled_regexes(tmp_path):
    """Regex cues are compiled at load (so errors are reported); phrase cues compile on first use."""
    book = load_codebook(SEED_CODEBOOK)
    for theme in book.themes:
        for cue in theme.cues + tuple(c for p in theme.positions for c in p.cues):
            compiled = cue.pattern if cue.is_regex else cue.pattern.compiled
            assert isinstance(compiled, re.Pattern)
            assert compiled.flags & re.IGNORECASE
            if not cue.is_regex:
                assert cue.pattern.pattern == compile_cue(cue.text).pattern


def test_module_exports():
    assert callable(cues_module.compile_cue) and callable(codebook_module.load_codebook)
