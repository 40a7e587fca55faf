#!/usr/bin/env python3
"""One-article rebuilds in a warm process, as ``briefing serve`` runs them (used by run.py).

    python bench/warm.py SEEDS THEMES DOCS ARTICLE RUNS

Builds once through :class:`generator.pipeline.Session` (what ``briefing serve``
uses), makes one untimed edit and rebuild so that the session holds the cache,
then times RUNS rebuilds, each after appending a sentence to ARTICLE as the corpus
has it (the edit of run.py's "one article edited" phase; before each, the article
is restored and rebuilt, untimed, so that every run times the same edit). Prints
one JSON object: per run, wall and CPU seconds of the rebuild alone (the process is
already running, as the server is) and the number of files written.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import edit_article, restore_article  # noqa: E402  (the same edit as the cold phase)

from generator import pipeline  # noqa: E402


def main(argv: list[str]) -> int:
    seeds, themes, docs, article, runs = Path(argv[0]), Path(argv[1]), Path(argv[2]), Path(argv[3]), int(argv[4])
    session = pipeline.Session(pipeline.Settings(seeds=seeds, themes=themes, docs=docs))
    session.generate()
    edit_article(article, 100)
    session.generate()  # loads the cache into the session
    pipeline.collect_garbage()
    out = []
    for r in range(runs):
        restore_article(article)
        session.generate()
        pipeline.collect_garbage()
        edit_article(article, 101 + r)
        wall, cpu = time.perf_counter(), time.process_time()
        result = session.generate()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        out.append({"wall": round(wall, 4), "cpu": round(cpu, 4),
                    "written": len(result.report.written) if result.report else 0})
        pipeline.collect_garbage()  # as the server does while idle between rebuilds
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
