#!/usr/bin/env python3
"""Per-article cost of each analysis stage, on one core (``make bench`` runs it first).

Not a test: it prints milliseconds per article for reading and cleaning, the
summary and key points, quotes, entities and theme matching, over the 60 BBC
articles of ``../shared/data/bbc-summaries`` (or ``$BRIEFING_BENCH_DATA``; best of ``--repeat`` passes, each
on freshly read records so that no per-record cache helps), and the total
against the issue's target of 5 ms per article (sumy's summarizers take 7-10 ms).

    .venv/bin/python bench/stages.py [--repeat 5] [--codebook bench|project|PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import entities, quotes, summarize, themes  # noqa: E402
from generator.aliases import load_aliases  # noqa: E402
from generator.codebook import load_codebook  # noqa: E402
from generator.ingest import read_article  # noqa: E402

DATA = Path(os.environ.get("BRIEFING_BENCH_DATA", ROOT.parent / "shared" / "data" / "bbc-summaries")) / "article"
CODEBOOKS = {"bench": ROOT / "bench" / "codebook.yml", "project": ROOT / "seeds" / "themes.yml"}
TARGET_MS = 5.0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench/stages.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=5, help="passes; the fastest is shown (default 5)")
    p.add_argument("--codebook", default="bench", help="bench (default), project or a path")
    args = p.parse_args(argv)
    if not DATA.is_dir():
        print(f"bench/stages.py: no data set at {DATA}", file=sys.stderr)
        return 1
    codebook = load_codebook(CODEBOOKS.get(args.codebook, Path(args.codebook)))
    aliases = load_aliases(None)
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp)
        for source in sorted(DATA.rglob("*.txt")):
            shutil.copy(source, seeds / f"{source.parent.name}-{source.name}")
        paths = sorted(seeds.iterdir())
        stages: list[tuple[str, Callable]] = [
            ("read and clean", lambda path: read_article(path, seeds)),
            # together, as the pipeline runs them: key points reuse the summary's scoring
            ("summary and key points", lambda a: (summarize.summarize(a, 3), summarize.key_points(a, summary_k=3))),
            ("quotes and speakers", lambda a: quotes.find_quotes(a, aliases)),
            ("entities", lambda a: entities.find_mentions(a, aliases)),
            (f"themes ({len(codebook.themes)})", lambda a: themes.match_article(a, codebook)),
        ]
        best = {name: float("inf") for name, _ in stages}
        for _ in range(max(1, args.repeat)):
            articles = None
            for name, stage in stages:
                items = paths if articles is None else articles
                start = time.perf_counter()
                out = [stage(item) for item in items]
                best[name] = min(best[name], (time.perf_counter() - start) / len(items) * 1000)
                if articles is None:
                    articles = out
    print(f"analysis per article, one core, {len(paths)} BBC articles (best of {args.repeat}):")
    for name, ms in best.items():
        print(f"  {name:24} {ms:6.2f} ms")
    total = sum(best.values())
    verdict = "PASS" if total <= TARGET_MS else "FAIL"
    print(f"  {'total':24} {total:6.2f} ms   [{verdict}] target <= {TARGET_MS:.0f} ms per article")
    return 0


if __name__ == "__main__":
    sys.exit(main())
