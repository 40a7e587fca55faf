"""generator.regexes: the analysis's regular expressions, made from programs a build kept,
are the patterns re.compile makes; anything wrong with a kept program falls back to it."""

from __future__ import annotations

import importlib
import pickle
import re
import subprocess
import sys
from pathlib import Path

from generator import buildstate, regexes

REPO = Path(__file__).resolve().parents[1]
# The modules whose patterns go through regexes.compile (the analysis's, imported by a worker).
ANALYSIS = ("speakers", "excerpts", "furniture", "headerlines", "sentences", "entity_forms", "blocks")


def _patterns(module) -> list[re.Pattern]:
    found = []
    for value in vars(module).values():
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if isinstance(item, tuple):  # furniture's (name, pattern, words) entries
                items += item
            elif isinstance(item, re.Pattern):
                found.append(item)
    return found


def test_every_analysis_pattern_is_the_one_re_compile_makes():
    """Equal as re.Pattern compares them (pattern, flags and the engine's program), with the
    same groups: quote attribution, sentence splitting and the rest match as before."""
    checked = 0
    for name in ANALYSIS:
        for pattern in _patterns(importlib.import_module(f"generator.{name}")):
            again = re.compile(pattern.pattern, pattern.flags)
            assert pattern == again, (name, pattern.pattern[:60])
            assert (pattern.groups, pattern.groupindex) == (again.groups, again.groupindex)
            checked += 1
    assert checked >= 45


def test_a_program_is_kept_and_a_fresh_interpreter_makes_the_pattern_from_it_without_parsing(tmp_path):
    """What a build keeps (regexes.programs, pickled) serves another process of the same
    interpreter: it imports every analysis module with the parser unavailable, and gets
    the patterns re.compile makes."""
    for name in ANALYSIS:
        importlib.import_module(f"generator.{name}")
    kept = regexes.programs(missing=True)  # as a build whose cache has none keeps them
    assert kept is not None and len(kept) >= 60
    store = tmp_path / "programs.pickle"
    store.write_bytes(pickle.dumps(kept))
    script = f"""
import pickle, re, sys
from generator import regexes
kept = pickle.loads(open({str(store)!r}, "rb").read())
regexes.adopt(kept)
parse, analysis = re._parser.parse, {{pattern for pattern, _ in kept}}
def refuse(pattern, flags=0):
    assert pattern not in analysis, "parsed again: " + pattern[:40]
    return parse(pattern, flags)
re._parser.parse = refuse
import generator.speakers, generator.excerpts, generator.furniture, generator.headerlines
import generator.sentences, generator.entity_forms, generator.blocks
assert regexes.programs() is None  # nothing new to keep
re._parser.parse = parse
from generator import speakers
assert speakers._AFTER[0] == re.compile(speakers._AFTER[0].pattern)
assert speakers._AFTER[0].search(", Mr Smith said.").group("speaker") == "Mr Smith"
print("ok")
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True)
    assert proc.stdout.strip() == "ok", proc.stderr


def test_a_program_the_interpreter_refuses_or_for_another_pattern_falls_back_to_re_compile(monkeypatch):
    monkeypatch.setattr(regexes, "_given", {})
    monkeypatch.setattr(regexes, "_made", {})
    monkeypatch.setattr(regexes, "_fresh", set())
    text = r"(?P<who>[A-Z]\w+) (?:said|says)"
    regexes.adopt({(text, 0): (text, 32, [1, 2, 3], 0, {}, (None,))})  # not a valid program
    assert regexes.compile(text) == re.compile(text)
    other = r"\bsaid\b"
    regexes.adopt({(other, 0): regexes._program(text, 0)})  # another pattern's program
    made = regexes.compile(other)
    assert made == re.compile(other) and made.pattern == other
    assert regexes.programs() is not None  # generated here: worth keeping
    regexes.adopt("not programs")  # a damaged store adopts nothing
    assert regexes.compile(other) == re.compile(other)


def test_the_cache_keeps_programs_for_this_interpreter_only(tmp_path):
    buildstate.keep(tmp_path / buildstate.REGEXES, regexes.interpreter(), {("a", 0): ("a", 32, [], 0, {}, ())})
    assert buildstate.saved_regexes(tmp_path) == {("a", 0): ("a", 32, [], 0, {}, ())}
    buildstate.keep(tmp_path / buildstate.REGEXES, ("another interpreter",), {})
    assert buildstate.saved_regexes(tmp_path) is None
    assert buildstate.saved_regexes(None) is None
    (tmp_path / buildstate.REGEXES).write_bytes(b"damaged")
    assert buildstate.saved_regexes(tmp_path) is None
