"""Tests for generator.yamlsafe: the one safe, strict, located YAML reader."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import ProblemsError
from generator.yamlsafe import (
    MAX_YAML_BYTES,
    YamlDoc,
    format_path,
    load_yaml,
    parse_yaml,
    type_name,
    unknown_key_message,
)

BOOL_MSG = "read as a boolean by YAML; quote it if you mean the word"


def problems(text: str | bytes, filename: str = "t.yml") -> list[str]:
    with pytest.raises(ProblemsError) as info:
        load_yaml(text, filename)
    return [str(p) for p in info.value.problems]


# -- plain data and positions -------------------------------------------------


def test_plain_values():
    doc = load_yaml("a: 1\nb: 2.5\nc: true\nd: false\ne: ~\nf: text\ng: [x, 'y']\nh: {i: null}\n", "t.yml")
    assert doc.data == {
        "a": 1,
        "b": 2.5,
        "c": True,
        "d": False,
        "e": None,
        "f": "text",
        "g": ["x", "y"],
        "h": {"i": None},
    }
    assert isinstance(doc, YamlDoc)


def test_dates_stay_the_iso_text_written():
    doc = load_yaml("date: 2023-03-22\nwhen: 2023-03-22 10:30:00\nlist: [2022-12-30]\n", "t.yml")
    assert doc.data == {"date": "2023-03-22", "when": "2023-03-22 10:30:00", "list": ["2022-12-30"]}
    assert type(doc.data["date"]) is str


def test_where_locates_values_and_keys():
    text = "themes:\n  - id: asymmetry\n    cues: [whip hand, needier]\n"
    doc = load_yaml(text, "t.yml")
    assert doc.where(("themes",)) == (2, 3)
    assert doc.where(("themes", 0)) == (2, 5)
    assert doc.where(("themes", 0, "id")) == (2, 9)
    assert doc.where(("themes", 0, "id"), key=True) == (2, 5)
    assert doc.where(("themes", 0, "cues", 1)) == (3, 23)
    # A missing path falls back to its nearest existing parent.
    assert doc.where(("themes", 0, "title")) == (2, 5)
    assert doc.where(("nothing", 3)) == (1, 1)


def test_problem_helper_formats_key_path():
    doc = load_yaml("themes:\n  - id: x\n", "f.yml")
    problem = doc.problem(("themes", 0, "id"), "bad")
    assert str(problem) == "f.yml:2:9: themes[0].id: bad"


def test_line_offset_shifts_lines():
    doc = load_yaml("a: 1\nb: 2\n", "t.md", line_offset=1)
    assert doc.where(("b",)) == (3, 4)
    assert problems_with_offset("a: 1\na: 2\n") == [
        "t.md:3:1: a: duplicate key 'a' (first defined at line 2); YAML would silently keep only the last one"
    ]


def problems_with_offset(text: str) -> list[str]:
    with pytest.raises(ProblemsError) as info:
        load_yaml(text, "t.md", line_offset=1)
    return [str(p) for p in info.value.problems]


def test_empty_document_is_none():
    assert load_yaml("", "t.yml").data is None
    assert load_yaml("# only a comment\n", "t.yml").data is None
    assert load_yaml("", "t.yml").where(("x",)) == (1, 1)


def test_format_path():
    assert format_path(()) == ""
    assert format_path(("themes", 2, "positions", 0, "id")) == "themes[2].positions[0].id"
    assert format_path(("a", "b")) == "a.b"


def test_type_name_and_unknown_key_message():
    assert [type_name(v) for v in ("x", 1, 1.5, True, None, [], {})] == [
        "text",
        "a number",
        "a number",
        "a boolean",
        "empty",
        "a list",
        "a mapping",
    ]
    assert unknown_key_message("cue", ("id", "cues")) == "unknown key 'cue'; did you mean 'cues'?"
    assert unknown_key_message("zzz", ("id", "cues")) == "unknown key 'zzz'; expected one of: id, cues"


# -- duplicate keys -------------------------------------------------------------


def test_duplicate_keys_each_reported_with_first_line():
    text = "title: A\nauthor: B\ntitle: C\nnested:\n  x: 1\n  x: 2\ntitle: D\n"
    assert problems(text) == [
        "t.yml:3:1: title: duplicate key 'title' (first defined at line 1); YAML would silently keep only the last one",
        "t.yml:6:3: nested.x: duplicate key 'x' (first defined at line 5); YAML would silently keep only the last one",
        "t.yml:7:1: title: duplicate key 'title' (first defined at line 1); YAML would silently keep only the last one",
    ]


def test_duplicate_key_keeps_first_value_in_lenient_parse():
    doc, found = parse_yaml("a: 1\na: 2\n", "t.yml")
    assert doc is not None and doc.data == {"a": 1}
    assert doc.where(("a",)) == (1, 4)
    assert len(found) == 1


# -- YAML 1.1 booleans -------------------------------------------------------------


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "On", "OFF", "Y", "N", "yEs"])
def test_yaml11_boolean_words_are_refused(word):
    assert problems(f"answer: {word}\n") == [f"t.yml:1:9: answer: {BOOL_MSG}"]


def test_yaml11_boolean_words_in_lists_and_keys():
    assert problems("list: [a, no, b]\nno: 1\n") == [
        f"t.yml:1:11: list[1]: {BOOL_MSG}",
        f"t.yml:2:1: no: {BOOL_MSG}",
    ]


@pytest.mark.parametrize("text", ["a: true", "a: false", "a: True", "a: FALSE", "a: 'yes'", 'a: "no"', "a: yesterday"])
def test_true_false_and_quoted_words_are_fine(text):
    load_yaml(text, "t.yml")


def test_quoted_yes_is_the_word():
    assert load_yaml("a: 'yes'\nb: \"n\"\n", "t.yml").data == {"a": "yes", "b": "n"}


# -- anchors, aliases, tags -----------------------------------------------------------


def test_aliases_are_refused():
    assert problems("a: &x [1, 2]\nb: *x\n") == [
        "t.yml:1:4: a: anchors and aliases are not supported; remove the anchor and write values out in full (found &x)",
        "t.yml:2:4: b: aliases are not supported; write the value out in full (found *x)",
    ]


def test_undefined_alias_is_located():
    assert problems("a: *nowhere\n") == ["t.yml:1:4: a: aliases are not supported; write the value out in full (found *nowhere)"]


def test_merge_keys_are_refused():
    found = problems("base: &b {x: 1}\nother:\n  <<: *b\n")
    assert "t.yml:3:3: other: merge keys ('<<') are not supported" in found
    assert any("aliases are not supported" in p for p in found)


def test_billion_laughs_is_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghij":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = name
    bomb = "\n".join(lines) + "\n"
    start = time.perf_counter()
    with pytest.raises(ProblemsError) as info:
        load_yaml(bomb, "bomb.yml")
    assert time.perf_counter() - start < 0.5
    messages = [p.message for p in info.value.problems]
    assert any(m.startswith("aliases are not supported") for m in messages)
    assert len(messages) <= 51  # capped, with a "more problems not shown" line
    assert messages[-1].endswith("more problems not shown")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a: !!python/object:os.system {}\n", "!!python/object:os.system"),
        ("a: !!python/object/apply:os.system ['ls']\n", "!!python/object/apply:os.system"),
        ("a: !!python/name:os.system ''\n", "!!python/name:os.system"),
        ("a: !!binary aGVsbG8=\n", "!!binary"),
        ("a: !!set {p, q}\n", "!!set"),
        ("a: !custom value\n", "!custom"),
    ],
)
def test_non_standard_tags_are_located_problems(text, shown):
    assert problems(text) == [
        f"t.yml:1:4: a: the tag '{shown}' is not allowed; only plain text, numbers, booleans, lists and mappings are"
    ]


def test_standard_explicit_tags_are_fine():
    assert load_yaml("a: !!str 123\nb: !!int '7'\n", "t.yml").data == {"a": "123", "b": 7}


# -- size and encoding ---------------------------------------------------------------------


def test_too_large_is_refused_before_parsing():
    big = b"a: [" + b"x," * (MAX_YAML_BYTES // 2) + b"]\n"
    assert problems(big) == [
        f"t.yml: file is too large ({len(big)} bytes); YAML files may be at most 1048576 bytes (1 MiB)"
    ]
    text = "# " + "é" * (MAX_YAML_BYTES // 2)  # fewer characters than bytes
    assert problems(text)[0].startswith("t.yml: file is too large")


def test_exactly_the_limit_is_fine():
    text = "# " + "x" * (MAX_YAML_BYTES - 3) + "\n"
    assert len(text.encode()) == MAX_YAML_BYTES
    assert load_yaml(text.encode(), "t.yml").data is None


def test_non_utf8_bytes_are_located():
    assert problems(b"title: ok\nauthor: Jos\xe9\nurl: \xff\n") == [
        "t.yml:2:12: not valid UTF-8 (byte 0xe9); save the file as UTF-8",
        "t.yml:3:6: not valid UTF-8 (byte 0xff); save the file as UTF-8",
    ]


def test_utf8_bom_is_accepted():
    assert load_yaml("\ufeffa: é\n".encode(), "t.yml").data == {"a": "é"}
    doc = load_yaml("\ufeffa: 1\n", "t.yml")
    assert doc.data == {"a": 1}
    assert doc.where(("a",)) == (1, 4)


def test_control_characters_are_located():
    assert problems("a: ok\nb: \x07\n") == ["t.yml:2:4: the control character U+0007 is not allowed in YAML"]


# -- syntax errors -------------------------------------------------------------------------


def test_tab_indentation_gets_a_human_message():
    assert problems("themes:\n  - id: x\n\ttitle: y\n") == [
        "t.yml:3:1: a tab is used for indentation; YAML indentation must use spaces"
    ]


def test_tab_after_spaces_is_located_at_the_tab():
    assert problems("a:\n  b: 1\n  \tc: 2\n") == [
        "t.yml:3:3: a tab is used for indentation; YAML indentation must use spaces"
    ]


def test_tab_after_colon():
    assert problems("a:\tb\n") == ["t.yml:1:3: a tab is not allowed here; use spaces"]


def test_wrong_indentation_dedent():
    assert problems("themes:\n  - id: x\n    title: y\n   cues: [a]\n") == [
        "t.yml:4:4: wrong indentation: this line does not line up with the block that starts at line 2"
    ]


def test_wrong_indentation_indent():
    assert problems("themes:\n  - id: x\n     title: y\n") == [
        "t.yml:3:11: unexpected ':' here; check this line's indentation against the line above, "
        "or quote a value that contains ': '"
    ]


def test_list_item_out_of_place():
    assert problems("a: 1\n- b\n") == [
        "t.yml:2:1: wrong indentation: a list item '-' does not line up with the block that starts at line 1"
    ]


def test_unclosed_quote():
    assert problems("a: 'abc\nb: 1\n") == ["t.yml:1:4: this quote is never closed"]


def test_missing_colon():
    assert problems("a: 1\nb\nc: 2\n") == [
        "t.yml:2:1: expected 'key: value'; this line has no ':' (or a quote is not closed)"
    ]


def test_unclosed_flow_list():
    assert problems("a: [1, 2\nb: 3\n") == [
        "t.yml:2:2: YAML syntax error: expected ',' or ']', but got ':' (while parsing a flow sequence at line 1)"
    ]


def test_one_document_only():
    assert problems("a: 1\n---\nb: 2\n") == ["t.yml:2:1: only one YAML document is allowed; remove the second '---'"]


def test_deep_nesting_is_refused():
    assert problems("[" * 5000 + "]" * 5000) == ["t.yml: the YAML is nested too deeply"]


# -- keys -------------------------------------------------------------------------------------


def test_non_string_keys():
    assert problems("1: a\ntrue: b\n~: c\n? [x, y]\n: d\n2.5: e\n") == [
        "t.yml:1:1: keys must be text, but '1' is a number; quote it",
        "t.yml:2:1: keys must be text, but 'true' is a boolean; quote it",
        "t.yml:3:1: a key is empty; every key needs a name",
        "t.yml:4:3: keys must be text, not a list",
        "t.yml:6:1: keys must be text, but '2.5' is a number; quote it",
    ]


def test_quoted_number_key_is_text():
    assert load_yaml("'2023': a\n", "t.yml").data == {"2023": "a"}


def test_all_kinds_of_problem_in_one_run():
    text = "a: yes\nb: *x\nc: !!python/object:x {}\na: 2\n3: z\n"
    assert [p.split(": ", 1)[0] for p in problems(text)] == ["t.yml:1:4", "t.yml:2:4", "t.yml:3:4", "t.yml:4:1", "t.yml:5:1"]


# -- robustness -------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab: -[]{}'\"#&*!|>\n\t,?y1.~%@`")), max_size=60))
def test_any_text_gives_data_or_problems(text):
    try:
        doc = load_yaml(text, "fuzz.yml")
    except ProblemsError as err:
        assert err.problems
        assert all(p.file == "fuzz.yml" for p in err.problems)
    else:
        assert isinstance(doc, YamlDoc)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=60))
def test_any_bytes_give_data_or_problems(raw):
    try:
        load_yaml(raw, "fuzz.yml")
    except ProblemsError as err:
        assert err.problems


def test_other_yaml11_number_surprises():
    assert problems("time: 1:30\nmode: 0755\n") == [
        "t.yml:1:7: time: read as a base-60 number by YAML (1:30 is 90); quote it if you mean the text",
        "t.yml:2:7: mode: read as an octal number by YAML (010 is 8); quote it if you mean the text",
    ]
    assert load_yaml("a: 0\nb: 10\nc: -3\nd: 0.5\ne: '1:30'\n", "t.yml").data == {
        "a": 0,
        "b": 10,
        "c": -3,
        "d": 0.5,
        "e": "1:30",
    }
