"""Golden build: the fixture corpus renders to exactly the committed pages in tests/golden/.

Any change to what a reader sees shows up here as a diff to review. After an
intended change, regenerate with ``BRIEFING_UPDATE_GOLDEN=1 .venv/bin/python -m
pytest tests/test_golden.py`` and commit the new golden files with the change.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
from pathlib import Path

from generator import pipeline

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"
CORPUS = REPO / "tests" / "fixtures" / "corpus"


def test_fixture_build_matches_golden_pages(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    seeds = tmp_path / "seeds"
    shutil.copytree(CORPUS, seeds)
    docs = tmp_path / "docs"
    pipeline.generate(pipeline.Settings(seeds=seeds, themes=REPO / "seeds" / "themes.yml", docs=docs,
                                        cache=False))
    generated = json.loads((docs / ".briefing-manifest.json").read_text())["generated"]
    if os.environ.get("BRIEFING_UPDATE_GOLDEN") == "1":
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel in generated:
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(docs / rel, GOLDEN / rel)
    expected = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file())
    assert sorted(generated) == expected
    for rel in generated:
        got, want = (docs / rel).read_text(encoding="utf-8"), (GOLDEN / rel).read_text(encoding="utf-8")
        if got != want:
            diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "golden", "now"))
            raise AssertionError(f"{rel} differs from tests/golden/{rel}:\n{diff[:4000]}")
