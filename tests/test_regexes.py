"""generator.regexes: the analysis's regular expressions, made from programs a build kept,
are the patterns re.compile makes; a build keeps them and a later one uses them; anything
wrong with a kept program falls back to re.compile."""

from __future__ import annotations

import importlib
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

from generator import buildstate, pipeline, regexes

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "fixtures" / "corpus"
# The modules whose patterns go through regexes.compile (the analysis's, imported by a worker).
ANALYSIS = ("speakers", "excerpts", "furniture", "headerlines", "sentences", "entity_forms", "blocks")
IMPORTS = "; ".join(f"import generator.{name}" for name in ANALYSIS)


def _kept() -> dict:
    """Every program the analysis modules' patterns are made from, as a build keeps them."""
    for name in ANALYSIS:
        importlib.import_module(f"generator.{name}")
    kept = regexes.programs(missing=True)  # as a build whose cache has none keeps them
    assert kept is not None and len(kept) >= 65
    return kept


def _in_fresh_python(tmp_path: Path, code: str) -> str:
    """``code`` run by a new interpreter, given ``kept`` (the programs in kept.pickle), and
    checked to have generated no program (``regexes._program`` is never called); its output."""
    script = tmp_path / "fresh.py"
    script.write_text(f"""
import pickle, re, sys
from generator import regexes
kept = pickle.loads(open({str(tmp_path / 'kept.pickle')!r}, "rb").read())
generated = []
regexes._program = lambda pattern, flags: generated.append(pattern) or sys.exit("generated " + pattern[:40])
{code}
assert not generated, generated
""")
    proc = subprocess.run([sys.executable, str(script)], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_every_analysis_pattern_made_from_its_program_is_the_one_re_compile_makes():
    """Equal as re.Pattern compares them (pattern, flags and the engine's program), with the
    same groups, for the pattern and flags each module asked for: quote attribution,
    sentence splitting and the rest match as before."""
    for (pattern, flags), program in _kept().items():
        made, expected = regexes._sre.compile(*program), re.compile(pattern, flags)
        assert made == expected, pattern[:60]
        assert (made.flags, made.groups, made.groupindex) == (expected.flags, expected.groups, expected.groupindex)


def test_a_fresh_interpreter_makes_every_analysis_pattern_from_the_kept_programs_without_parsing(tmp_path):
    (tmp_path / "kept.pickle").write_bytes(pickle.dumps(_kept()))
    out = _in_fresh_python(tmp_path, f"""
regexes.adopt(kept)
{IMPORTS}
assert regexes.programs() is None  # nothing new to keep
made = {{key: regexes.compile(*key) for key in kept}}
assert all(pattern == re.compile(*key) for key, pattern in made.items())
print(len(made))
""")
    assert int(out) == len(_kept())


def test_a_worker_adopts_the_programs_of_its_cache_before_it_imports_the_analysis(tmp_path):
    """worker.init, then the analysis of an article, with no analysis pattern parsed: the
    programs come from the cache (buildstate.saved_regexes), which then has nothing new to
    be given (see worker._built)."""
    seeds, cache = tmp_path / "seeds", tmp_path / "cache"
    seeds.mkdir()
    shutil.copy(CORPUS / "alpha_steppe.txt", seeds)
    shutil.copy(REPO / "seeds" / "themes.yml", seeds)
    pipeline.generate(pipeline.Settings(seeds=seeds, themes=seeds / "themes.yml", docs=tmp_path / "docs",
                                        cache=cache, workers=1))
    (tmp_path / "kept.pickle").write_bytes(pickle.dumps(buildstate.saved_regexes(cache)))
    out = _in_fresh_python(tmp_path, f"""
from generator import buildstate, worker
worker.init(None, {str(seeds / 'themes.yml')!r}, 3, {str(cache)!r})
work, built = worker.process(({str(seeds / 'alpha_steppe.txt')!r}, {str(seeds)!r}))
print(work.article.slug, sorted(built or ()))
""")
    assert out == "read-moscow-and-beijing-at-their-word []"


def test_each_cache_gets_the_programs_and_a_store_that_lacks_some_is_completed(tmp_path, monkeypatch):
    """A process that builds into two cache folders gives each its programs, though it
    adopted them from the first (as a `briefing serve` or a test run may); a store missing
    a program (the code gained a pattern) is rewritten whole by the next build that
    analyses an article."""
    monkeypatch.setattr(regexes, "_given", dict(_kept()))  # adopted: nothing new to keep
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(CORPUS / "alpha_steppe.txt", seeds)
    shutil.copy(REPO / "seeds" / "themes.yml", seeds)
    for folder in ("one", "two"):
        pipeline.generate(pipeline.Settings(seeds=seeds, themes=seeds / "themes.yml", docs=tmp_path / folder,
                                            workers=1))
        assert len(buildstate.saved_regexes(tmp_path / folder / ".briefing-cache")) >= 65  # type: ignore[arg-type]
    cache = tmp_path / "two" / ".briefing-cache"
    kept = buildstate.saved_regexes(cache)
    lacking = dict(list(kept.items())[1:])  # type: ignore[union-attr]
    buildstate.keep(cache / buildstate.REGEXES, regexes.interpreter(), lacking)
    article = seeds / "alpha_steppe.txt"
    article.write_text(article.read_text() + "\nA paragraph added.\n")
    subprocess.run([sys.executable, "-m", "generator", "generate", "--seeds", str(seeds), "--themes",
                    str(seeds / "themes.yml"), "--docs", str(tmp_path / "two"), "--jobs", "1", "-q"], cwd=REPO, check=True, capture_output=True)
    assert buildstate.saved_regexes(cache) == kept


def test_a_program_that_does_not_fit_its_pattern_or_that_the_interpreter_refuses_is_not_used(monkeypatch):
    monkeypatch.setattr(regexes, "_given", {})
    monkeypatch.setattr(regexes, "_made", {})
    monkeypatch.setattr(regexes, "_fresh", set())
    text = r"(?P<who>[A-Z]\w+) (?:said|says)"
    regexes.adopt({(text, 0): (text, 32, [1, 2, 3], 0, {}, (None,))})  # refused: not a valid program
    assert regexes.compile(text) == re.compile(text)
    said = r"\bsaid\b"
    regexes.adopt({
        (said, 0): regexes._program(text, 0),  # another pattern's
        (said, int(re.M)): regexes._program(said, 0),  # made without the flags asked for
        (r"\s+", 0): 5, "not a key": (), (r"\d", 0): None,  # damaged
    })
    assert regexes._given == {(text, 0): (text, 32, [1, 2, 3], 0, {}, (None,))}
    assert regexes.compile(said) == re.compile(said) and regexes.compile(said, re.M) == re.compile(said, re.M)
    assert regexes.compile(r"\s+") == re.compile(r"\s+")
    assert regexes.programs() is not None  # generated here: worth keeping
    regexes.adopt("not programs")
    assert regexes.compile(said) == re.compile(said)


def test_the_cache_keeps_programs_for_this_interpreter_only(tmp_path):
    assert sys.implementation.cache_tag in buildstate.REGEXES  # two interpreters, two files
    program = ("a", 32, [], 0, {}, ())
    buildstate.keep(tmp_path / buildstate.REGEXES, regexes.interpreter(), {("a", 0): program})
    assert buildstate.saved_regexes(tmp_path) == {("a", 0): program}
    buildstate.keep(tmp_path / buildstate.REGEXES, ("another interpreter",), {})
    assert buildstate.saved_regexes(tmp_path) is None
    assert buildstate.saved_regexes(None) is None
    (tmp_path / buildstate.REGEXES).write_bytes(b"damaged")
    assert buildstate.saved_regexes(tmp_path) is None
