#!/usr/bin/env python3
"""Benchmark of the briefing build at 100, 1,000 and 3,000 articles (``make bench``).

Not a test: it prints figures and a verdict against the performance targets and
always exits 0 once the figures are printed (1 if the data set is missing or a
build fails, 2 on a usage error). See ``bench/README.md`` for what is measured
and how.

    .venv/bin/python bench/run.py [--sizes 100,1000,3000] [--keep DIR] [--json FILE]
                                  [--codebook bench|project|PATH] [--repeat 3] [--profile N]
"""

from __future__ import annotations

import argparse
import compileall
import gzip
import hashlib
import io
import json
import os
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("BRIEFING_BENCH_DATA", ROOT.parent / "shared" / "data" / "bbc-summaries"))
CODEBOOKS = {"bench": ROOT / "bench" / "codebook.yml", "project": ROOT / "seeds" / "themes.yml"}
HAND_WRITTEN = ("about.md", "stylesheets", "javascripts")  # what mkdocs.yml's nav/extra_css need
DEFAULT_SIZES = (100, 1000, 3000)
MB = 1024 * 1024

# Targets (see the brief in bench/README.md).
RATIO_MAX, RATIO_AIM = 0.25, 0.10
GROWTH_MAX = 3.3
INC_ARTICLE_MAX, INC_NOTHING_MAX = 0.10, 0.05
RSS_MAX_MB = 400
SEARCH_MAX_BYTES = 1.5 * 1000 * 1000  # 1.5 MB, decimal as a browser's network panel shows it


# --------------------------------------------------------------------------- corpus

@dataclass(frozen=True)
class Base:
    name: str                       # e.g. "politics-001"
    title: str
    paragraphs: tuple[tuple[str, ...], ...]  # sentences per paragraph


def load_bases(data: Path) -> list[Base]:
    bases = []
    for path in sorted((data / "article").glob("*/*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        title, paras, current = lines[0].strip(), [], []
        for line in lines[1:]:
            if line.strip():
                current.append(line.strip())
            elif current:
                paras.append(tuple(current))
                current = []
        if current:
            paras.append(tuple(current))
        bases.append(Base(f"{path.parent.name}-{path.stem}", title, tuple(paras)))
    return bases


_NUMBER = re.compile(r"\d+")


def variant(base: Base, v: int) -> str:
    """Article text of variant ``v`` of ``base``; variant 0 is the original.

    Variant v >= 1: title "<headline> (variant v)"; one sentence dropped (from a
    paragraph of two or more sentences, chosen by v); one number in the body
    increased by v (chosen by v). Nothing is invented, so the summariser,
    quote finder and theme matcher see real text, but every page differs.
    """
    title = base.title if v == 0 else f"{base.title} (variant {v})"
    paras = [list(p) for p in base.paragraphs]
    if v:
        droppable = [(pi, si) for pi, p in enumerate(paras) if len(p) >= 2 for si in range(len(p))]
        if droppable:
            pi, si = droppable[(v * 7) % len(droppable)]
            del paras[pi][si]
        numbers = [(pi, si, m) for pi, p in enumerate(paras) for si, s in enumerate(p)
                   for m in _NUMBER.finditer(s)]
        if numbers:
            pi, si, m = numbers[(v * 3) % len(numbers)]
            s = paras[pi][si]
            paras[pi][si] = s[:m.start()] + str(int(m.group()) + v) + s[m.end():]
    body = "\n\n".join("\n".join(p) for p in paras if p)
    return f"{title}\n\n{body}\n"


def write_corpus(bases: list[Base], n: int, seeds: Path) -> None:
    seeds.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        base, v = bases[i % len(bases)], i // len(bases)
        (seeds / f"{base.name}-v{v:02d}.txt").write_text(variant(base, v), encoding="utf-8")


# Trees the benchmark is done with are moved aside and deleted only when it ends,
# not while it measures. On this machine's ext4 (no journal), creating a file scans
# past every inode of its block group deleted in the last minutes (the kernel's
# `recently_deleted`: an ext4 without a journal avoids reusing an inode for up to
# 5 minutes after its deletion, to help recovery after a crash): measured at
# 1,000 articles, five full generates, each right after deleting the previous
# docs/, took 1.98, 2.13, 2.34, 2.47 and 2.70 s (system CPU 0.45 -> 1.10 s), and
# 1.79-1.86 s (system CPU 0.23-0.31 s) when nothing had been deleted; `perf`
# put a fifth of the run in that scan. A build in CI, or a rebuild, deletes
# nothing first, so the benchmark measures neither generate nor mkdocs build
# behind its own deletions. With less than TRASH_MIN_FREE free, trees are deleted
# at once (and the figures may carry that cost).
TRASH_MIN_FREE = 4 * 1024 * MB


class Trash:
    """Where :func:`discard` puts trees until :meth:`empty`."""

    folder: Path | None = None
    count = 0

    @classmethod
    def empty(cls) -> None:
        if cls.folder is not None:
            shutil.rmtree(cls.folder, ignore_errors=True)


def discard(tree: Path) -> None:
    """Remove ``tree`` from where it is: moved into the trash if there is room (see above)."""
    if not tree.exists():
        return
    if Trash.folder is None or shutil.disk_usage(tree.parent).free < TRASH_MIN_FREE:
        shutil.rmtree(tree, ignore_errors=True)
        return
    Trash.folder.mkdir(parents=True, exist_ok=True)
    Trash.count += 1
    tree.rename(Trash.folder / f"{Trash.count}-{tree.name}")


def reset_docs(docs: Path) -> None:
    """An empty docs folder holding only the hand-written files mkdocs.yml refers to."""
    discard(docs)
    docs.mkdir(parents=True)
    for name in HAND_WRITTEN:
        src = ROOT / "docs" / name
        if src.is_dir():
            shutil.copytree(src, docs / name)
        elif src.is_file():
            shutil.copy2(src, docs / name)


# --------------------------------------------------------------------------- running

@dataclass
class Run:
    seconds: float  # wall clock
    cpu: float      # user + system CPU seconds of the child and the children it reaped (workers)
    rss_mb: float   # largest peak RSS of any single process of the run (os.wait4)
    tree_mb: float  # peak of the summed memory of the whole process tree (sampled PSS)
    rc: int
    log: str = field(repr=False)

    def figures(self) -> dict:
        return {"wall": round(self.seconds, 3), "cpu": round(self.cpu, 3), "rss_mb": round(self.rss_mb, 1),
                "tree_mb": round(self.tree_mb, 1), "written": written_count(self)}


class TreeMemory(threading.Thread):
    """Samples the summed PSS (RSS where PSS is unavailable) of a process and all its descendants.

    ``os.wait4`` only gives the largest single process's peak; a generator that
    fans out to a process pool holds the parent and every worker at once.
    Descendants are found by scanning /proc for parent ids (no CONFIG_PROC_CHILDREN
    needed), every ``interval`` seconds (~4 ms of CPU per scan).
    """

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self._halt = threading.Event()

    @staticmethod
    def _kb(pid: int) -> int:
        for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
            try:
                with open(f"/proc/{pid}/{name}", "rb") as handle:
                    for line in handle:
                        if line.startswith(key.encode()):
                            return int(line.split()[1])
            except (OSError, ValueError):
                continue
        return 0

    def _tree(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", "rb") as handle:
                        stat = handle.read()
                    parents[int(entry)] = int(stat[stat.rindex(b")") + 2:].split()[1])
                except (OSError, ValueError):
                    continue
        tree, frontier = [self.pid], [self.pid]
        while frontier:
            frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
            tree += frontier
        return tree

    def run(self) -> None:
        if not Path("/proc/self/stat").exists():
            return
        while not self._halt.is_set():
            self.peak_kb = max(self.peak_kb, sum(self._kb(pid) for pid in self._tree()))
            self._halt.wait(self.interval)

    def stop(self) -> float:
        self._halt.set()
        self.join()
        return self.peak_kb / 1024


def measure(cmd: list[str], log_file: Path, env: dict | None = None, cwd: Path | None = None) -> Run:
    """Run ``cmd`` in its own process; wall time and that process's own peak RSS (os.wait4)."""
    with open(log_file, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        sampler = TreeMemory(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        tree_mb = sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = log_file.read_text(encoding="utf-8", errors="replace")
    # ru_maxrss is in KiB on Linux
    rss_mb = usage.ru_maxrss / 1024
    return Run(seconds, usage.ru_utime + usage.ru_stime, rss_mb, max(tree_mb, rss_mb), proc.returncode, text)


def briefing_cmd() -> list[str]:
    script = Path(sys.executable).parent / "briefing"
    if not script.exists():
        script = ROOT / ".venv" / "bin" / "briefing"
    if not script.exists():
        found = shutil.which("briefing")
        if not found:
            sys.exit("bench: no `briefing` command; run `make bench` (it installs the venv) first")
        script = Path(found)
    return [str(script)]


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


_WRITTEN = re.compile(r"(\d+) written, (\d+) unchanged, (\d+) removed")


def written_count(run: Run) -> int | None:
    m = _WRITTEN.search(run.log)
    if m:
        return int(m.group(1))
    return 0 if "nothing changed since the last build" in run.log else None


class BuildFailed(RuntimeError):
    pass


def check(run: Run, what: str) -> Run:
    if run.rc != 0:
        tail = "\n".join(run.log.splitlines()[-25:])
        raise BuildFailed(f"{what} failed (exit {run.rc}):\n{tail}")
    return run


# --------------------------------------------------------------------------- edits

_REVISION = re.compile(r"\nThe figures were revised \(revision \d+\)\.$")


def restore_article(path: Path) -> None:
    """The article as the corpus has it, without the sentence :func:`edit_article` adds."""
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(_REVISION.sub("", text) + "\n", encoding="utf-8")


def edit_article(path: Path, revision: int) -> None:
    """One analyst edit: one sentence added at the end of the article as the corpus has it
    (a new paragraph, which changes what its page and the corpus-wide pages show). Each
    round builds the article without it first (:func:`restore_article`), so that every
    round times the same edit: changing only the number of a sentence an earlier round
    added would re-render the article's page alone."""
    restore_article(path)
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{text}\nThe figures were revised (revision {revision + 1}).\n", encoding="utf-8")


_CUE_LINE = re.compile(r"^(\s+- )([A-Za-z][^{}\[\]#\n]*)$", re.M)


def edit_theme(codebook: Path, original: str, revision: int) -> str:
    """Change one cue of the first theme (a plain-phrase list item after the first `cues:`)."""
    start = original.index("cues:")
    m = _CUE_LINE.search(original, start)
    if not m:
        raise BuildFailed(f"no plain cue line to edit in {codebook}")
    new_cue = f"{m.group(2).strip()} {('policy', 'plan', 'deal', 'talks')[revision % 4]}"
    codebook.write_text(original[:m.start(2)] + new_cue + original[m.end(2):], encoding="utf-8")
    return f"{m.group(2).strip()!r} -> {new_cue!r}"


# --------------------------------------------------------------------------- site figures

def tree_size(root: Path) -> tuple[int, int, int]:
    """(du bytes as `du -s` counts them, apparent bytes, file count)."""
    du = apparent = files = 0
    for dirpath, _, names in os.walk(root):
        du += os.lstat(dirpath).st_blocks * 512
        for name in names:
            st = os.lstat(os.path.join(dirpath, name))
            du += st.st_blocks * 512
            apparent += st.st_size
            files += 1
    return du, apparent, files


def largest(root: Path, suffix: str | None) -> tuple[str, int]:
    best = ("", -1)
    for path in root.rglob("*"):
        if path.is_file() and (suffix is None or path.name.endswith(suffix)):
            size = path.stat().st_size
            if size > best[1]:
                best = (path.relative_to(root).as_posix(), size)
    return best


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def search_payload(site: Path) -> dict:
    """Bytes a browser fetches before the first search result (see bench/README.md)."""
    files: list[Path] = []
    if (site / "pagefind").is_dir():
        pf = site / "pagefind"
        kind = "pagefind + Material's index of the other pages"
        # The Search page's UI, then what Pagefind loads for one query.
        files += [p for p in (pf / "pagefind-ui.js", pf / "pagefind-ui.css", pf / "pagefind.js",
                              pf / "pagefind-entry.json") if p.exists()]
        files += sorted(pf.glob("wasm.*.pagefind"))[:1]
        files += sorted(pf.glob("pagefind.*.pf_meta"))[:1]
        chunks = sorted(pf.glob("index/*.pf_index"), key=lambda p: p.stat().st_size)
        files += chunks[-1:]  # worst case: the largest index chunk holds the query's term
        frags = sorted(pf.glob("fragment/*.pf_fragment"), key=lambda p: p.stat().st_size)
        files += frags[-5:]   # first page of results (5), largest fragments
        # Material still loads its own (now small) index on every page: count it too.
        files += [p for p in (site / "search" / "search_index.json",) if p.exists()]
        files += sorted(site.glob("assets/javascripts/workers/search.*.min.js"))
    else:
        kind = "lunr (Material)"
        index = site / "search" / "search_index.json"
        if not index.exists():
            return {"kind": "none", "bytes": 0, "gzip": 0, "files": []}
        files.append(index)
        files += sorted(site.glob("assets/javascripts/workers/search.*.min.js"))
        # What Material's search worker importScripts() for the configured languages:
        # lunr itself is bundled in the worker; English needs nothing else.
        langs = json.loads(index.read_text(encoding="utf-8")).get("config", {}).get("lang", ["en"])
        lunr = site / "assets" / "javascripts" / "lunr"
        extra = []
        for lang in langs:
            if lang == "ja":
                extra.append(lunr / "tinyseg.js")
            if lang in ("hi", "th"):
                extra.append(lunr / "wordcut.js")
            if lang != "en":
                extra.append(lunr / "min" / f"lunr.{lang}.min.js")
        if len(langs) > 1:
            extra.append(lunr / "min" / "lunr.multi.min.js")
        if extra:
            extra.insert(0, lunr / "min" / "lunr.stemmer.support.min.js")
        files += [p for p in extra if p.exists()]
    return {
        "kind": kind,
        "bytes": sum(p.stat().st_size for p in files),
        "gzip": sum(gz(p) for p in files),
        "files": [(p.relative_to(site).as_posix(), p.stat().st_size) for p in files],
    }


SEARCH_QUERY = "economic growth"  # a cue of bench/codebook.yml: it occurs in many BBC articles
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; the bench never downloads a browser


def browser_search(site: Path, query: str = SEARCH_QUERY) -> dict:
    """Search the built site in headless Chromium and count what the browser downloaded.

    Serves ``site`` over HTTP (no compression, so body bytes are transfer bytes), opens
    the page a reader searches from (the Search page with Pagefind, else the home page
    with Material's search box), types ``query`` and waits for the first result. The
    bytes are every response from opening that page to the first result shown: the
    page and its assets as well as the search index. Returns ``{"error": ...}`` when
    Playwright or Chromium is missing or the search shows no result.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"error": "playwright is not installed (it comes with the test extras)"}
    if not CHROMIUM.exists():
        return {"error": f"no {CHROMIUM} (apt-get install chromium)"}
    import functools
    import http.server

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    pagefind = (site / "pagefind").is_dir()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            page = browser.new_page()
            responses: list = []
            page.on("response", lambda response: responses.append(response))
            t0 = time.perf_counter()
            if pagefind:
                page.goto(url + "search/")
                page.locator("#briefing-search input").fill(query)
                first = page.locator(".pagefind-ui__result-link").first
            else:
                page.goto(url)
                page.locator("input.md-search__input").click()
                page.locator("input.md-search__input").fill(query)
                first = page.locator(".md-search-result__item > a.md-search-result__link").first
            first.wait_for(state="visible", timeout=60_000)
            seconds = time.perf_counter() - t0
            sizes = []
            for response in list(responses):
                try:
                    sizes.append((response.url, len(response.body())))
                except Exception:  # a redirect or an aborted request has no body
                    pass
            browser.close()
    except Exception as err:  # the figure is optional; say why it is missing
        return {"error": f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"}
    finally:
        server.shutdown()
    searchy = ("/pagefind/", "/search/search_index.json", "/workers/search")
    return {
        "engine": "pagefind" if pagefind else "lunr",
        "query": query,
        "seconds": seconds,
        "bytes": sum(n for _, n in sizes),
        "search_bytes": sum(n for u, n in sizes if any(k in u for k in searchy)),
        "requests": len(sizes),
    }


# --------------------------------------------------------------------------- one size

PHASES = ("full", "article", "theme", "nothing")
PHASE_LABELS = {"full": "full", "article": "1 article edited", "theme": "1 theme cue edited",
                "nothing": "nothing changed", "serve": "1 article edited, serve"}


@dataclass
class SizeResult:
    n: int
    runs: dict = field(default_factory=dict)   # phase ("full", "article", "theme", "nothing", "mkdocs") -> [figures]
    code_changed: bool = False
    mkdocs_warnings: int = 0
    mkdocs_warning_kinds: dict = field(default_factory=dict)
    docs_du: int = 0      # generated + hand-written pages, without the generator's cache
    docs_files: int = 0
    cache_du: int = 0     # docs/.briefing-cache
    site_du: int = 0
    site_apparent: int = 0
    site_files: int = 0
    largest_page: tuple = ("", 0)
    largest_file: tuple = ("", 0)
    search: dict = field(default_factory=dict)
    browser: dict = field(default_factory=dict)  # browser_search() on the built site
    theme_edit: str = ""
    error: str = ""

    def wall(self, phase: str) -> float:
        return median([r["wall"] for r in self.runs.get(phase, [])])

    def cpu(self, phase: str) -> float:
        return median([r["cpu"] for r in self.runs.get(phase, [])])

    def rss(self, phase: str) -> float:
        return max((r["rss_mb"] for r in self.runs.get(phase, [])), default=float("nan"))

    def tree(self, phase: str) -> float:
        return max((r["tree_mb"] for r in self.runs.get(phase, [])), default=float("nan"))

    def count(self, phase: str) -> int:
        return len(self.runs.get(phase, []))

    def ratio(self, phase: str, base: str = "full", key: str = "wall") -> float:
        """The median over rounds of ``phase``'s time over ``base``'s time in the same round
        (``key``: "wall" or "cpu"); see bench_size."""
        by_round: dict[int, list[float]] = {}
        for r in self.runs.get(phase, []):
            by_round.setdefault(r.get("round", 0), []).append(r[key])
        bases = {r.get("round", 0): r[key] for r in self.runs.get(base, [])}
        return median([median(v) / bases[k] for k, v in by_round.items() if bases.get(k)])

    def pairs(self, phase: str, base: str) -> list[float]:
        bases = {r.get("round", 0): r["wall"] for r in self.runs.get(base, [])}
        return [r["wall"] / bases[r.get("round", 0)] for r in self.runs.get(phase, []) if bases.get(r.get("round", 0))]

    @property
    def gen(self) -> float:
        return self.wall("full")

    @property
    def mk(self) -> float:
        return self.wall("mkdocs")

    @property
    def whole(self) -> float:
        return self.gen + self.mk


def code_fingerprint() -> str:
    """Hash of the generator's code and templates: the benchmark warns if they change mid-run
    (other people edit them, and the generator's cache is keyed by its own code)."""
    digest = hashlib.sha256()
    for folder in (ROOT / "generator", ROOT / "site_templates", ROOT / "mkdocs.yml"):
        paths = [folder] if folder.is_file() else sorted(folder.rglob("*"))
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _warning_kind(line: str) -> str:
    line = re.sub(r"'[^']*'", "'…'", line)
    return re.sub(r"\d+", "N", line)[:140]


def bench_size(n: int, bases: list[Base], work: Path, codebook: Path, repeat: int | None,
               mkdocs_repeat: int | None, cheap: float, say) -> SizeResult:
    res = SizeResult(n)
    code_before = code_fingerprint()
    here = work / f"n{n}"
    discard(here)
    seeds, docs, site, logs = here / "seeds", here / "docs", here / "site", here / "logs"
    logs.mkdir(parents=True)
    write_corpus(bases, n, seeds)
    themes = here / "themes.yml"
    original_codebook = codebook.read_text(encoding="utf-8")
    themes.write_text(original_codebook, encoding="utf-8")
    gen = [*briefing_cmd(), "generate", "--seeds", str(seeds), "--themes", str(themes), "--docs", str(docs)]

    cfg = here / "mkdocs.yml"
    cfg.write_text(f"INHERIT: {json.dumps(str(ROOT / 'mkdocs.yml'))}\n"
                   f"docs_dir: {json.dumps(str(docs))}\nsite_dir: {json.dumps(str(site))}\n", encoding="utf-8")
    mk = [sys.executable, "-m", "mkdocs", "build", "-f", str(cfg)]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    last_mkdocs: list[Run] = []
    article = sorted(seeds.glob("*.txt"))[0]

    def generate(name: str, what: str, rnd: int) -> None:
        run = check(measure(gen, logs / f"{name}-{rnd}.log"), f"generate, {what} (N={n})")
        res.runs.setdefault(name, []).append({**run.figures(), "round": rnd})

    def mkdocs_build(rnd: int) -> None:
        """`mkdocs build` of this round's docs/ (then Pagefind, untimed, as `briefing build` runs it)."""
        discard(site)
        run = check(measure(mk, logs / f"mkdocs-{rnd}.log", env=env, cwd=here), f"mkdocs build (N={n})")
        res.runs.setdefault("mkdocs", []).append({**run.figures(), "round": rnd})
        last_mkdocs[:] = [run]
        if (docs / "search.md").is_file():  # Pagefind mode (large corpora): what `briefing build` runs next
            pf = [sys.executable, "-m", "pagefind", "--site", str(site), "--root-selector", "article",
                  "--exclude-selectors", ".headerlink", "--glob", "{articles,themes}/**/*.html",
                  "--force-language", "en", "--quiet"]
            check(measure(pf, logs / f"pagefind-{rnd}.log", env=env, cwd=here), f"pagefind (N={n})")

    # Rounds: each measures a full generate, every incremental case and a MkDocs build
    # within a minute, so that a ratio compares figures taken under the same machine
    # load (on this shared machine the speed drifts by a third over minutes); the
    # verdict takes the median of each round's ratio.
    rnd = 0
    while True:
        # 1. full generate into a fresh docs/ (hand-written files only, so no cache either),
        # of the corpus as written (without the sentence an earlier round's edit added)
        restore_article(article)
        reset_docs(docs)
        generate("full", "full", rnd)
        # 2. nothing changed
        generate("nothing", "nothing changed", rnd)
        # 3. one article edited (a new edit each round)
        edit_article(article, rnd)
        generate("article", "one article edited", rnd)
        # 4. one cue of one theme edited (a new edit each round), then the codebook restored
        res.theme_edit = edit_theme(themes, original_codebook, rnd)
        generate("theme", "one theme edited", rnd)
        themes.write_text(original_codebook, encoding="utf-8")
        # 5. one article edited, rebuilt in a warm process as `briefing serve` does (bench/warm.py)
        warm = [sys.executable, str(ROOT / "bench" / "warm.py"), str(seeds), str(themes), str(docs),
                str(article), "1"]
        run = check(measure(warm, logs / f"serve-{rnd}.log"), f"warm rebuilds (N={n})")
        res.runs.setdefault("serve", []).extend(
            {**r, "rss_mb": run.rss_mb, "tree_mb": run.tree_mb, "round": rnd}
            for r in json.loads(run.log.strip().splitlines()[-1]))
        # 6. mkdocs build of this docs/
        if mkdocs_repeat is None or rnd < mkdocs_repeat:
            mkdocs_build(rnd)
        rnd += 1
        say(f"N={n}: round {rnd}: full generate {res.runs['full'][-1]['wall']:.1f}s"
            + (f", mkdocs build {res.runs['mkdocs'][-1]['wall']:.1f}s" if res.runs.get("mkdocs") else ""))
        wanted = repeat if repeat is not None else (3 if res.runs["full"][0]["wall"] <= cheap else 1)
        if rnd >= wanted:
            break

    res.docs_du, _, res.docs_files = tree_size(docs)
    if (docs / ".briefing-cache").is_dir():
        res.cache_du, _, cache_files = tree_size(docs / ".briefing-cache")
        res.docs_du -= res.cache_du
        res.docs_files -= cache_files
    warnings = [line for line in last_mkdocs[0].log.splitlines() if line.startswith("WARNING")]
    res.mkdocs_warnings = len(warnings)
    kinds: dict[str, int] = {}
    for line in warnings:
        kinds[_warning_kind(line)] = kinds.get(_warning_kind(line), 0) + 1
    res.mkdocs_warning_kinds = dict(sorted(kinds.items(), key=lambda kv: -kv[1])[:5])

    res.site_du, res.site_apparent, res.site_files = tree_size(site)
    res.largest_page = largest(site, ".html")
    res.largest_file = largest(site, None)
    res.search = search_payload(site)
    say(f"N={n}: generate phases done; searching the site in Chromium")
    res.browser = browser_search(site)
    res.code_changed = code_fingerprint() != code_before
    if res.code_changed:
        say(f"N={n}: WARNING: generator code, templates or mkdocs.yml changed during this measurement")
    return res


# --------------------------------------------------------------------------- report

def human(nbytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(nbytes) < 1000 or unit == "GB":
            return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1000
    return ""


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version
    versions = {}
    for dist in ("mkdocs", "mkdocs-material", "jinja2"):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            versions[dist] = "?"
    # The real current date, SOURCE_DATE_EPOCH or not: this is a benchmark, not build output.
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu or platform.processor() or "?",
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_start": loadavg(),
        **versions,
    }


def table(results: list[SizeResult]) -> str:
    ok = [r for r in results if not r.error]
    width = 18
    head = f"{'':46}" + "".join(f"{'N=' + format(r.n, ','):>{width}}" for r in ok)
    rows = [head, "-" * len(head)]

    def row(label: str, fn) -> None:
        rows.append(f"{label:46}" + "".join(f"{fn(r):>{width}}" for r in ok))

    def runs(r: SizeResult, phase: str) -> str:
        k = r.count(phase)
        return f" [{k}]" if k != 3 else ""

    def inc(r: SizeResult, ph: str) -> str:
        return f"{r.wall(ph):.2f}s{runs(r, ph)} {100 * r.ratio(ph):3.0f}%"

    row("generate, full: wall (median) [runs]", lambda r: f"{r.gen:.2f}s{runs(r, 'full')}")
    row("generate, full: CPU user+sys (median)", lambda r: f"{r.cpu('full'):.2f}s")
    row("generate, full: peak memory, process tree", lambda r: f"{r.tree('full'):.0f} MB")
    row("generate, full: peak RSS, largest process", lambda r: f"{r.rss('full'):.0f} MB")
    row("mkdocs build: wall [runs]", lambda r: f"{r.mk:.2f}s{runs(r, 'mkdocs')}")
    row("mkdocs build: CPU user+sys", lambda r: f"{r.cpu('mkdocs'):.2f}s")
    row("mkdocs build: peak RSS", lambda r: f"{r.rss('mkdocs'):.0f} MB")
    row("generate / mkdocs build (wall, median of rounds)", lambda r: f"{r.ratio('full', 'mkdocs'):.3f}")
    row("    each round", lambda r: " ".join(f"{x:.2f}" for x in r.pairs("full", "mkdocs")))
    row("generate / mkdocs build (CPU)", lambda r: f"{r.ratio('full', 'mkdocs', 'cpu'):.3f}")
    row("whole build, generate + mkdocs (wall)", lambda r: f"{r.whole:.2f}s")
    for phase in ("article", "theme", "nothing", "serve"):
        row(f"incremental, {PHASE_LABELS[phase]}: wall, % full",
            lambda r, ph=phase: inc(r, ph))
        row("    CPU, % of full CPU",
            lambda r, ph=phase: f"{r.cpu(ph):.2f}s {100 * r.ratio(ph, key='cpu'):4.0f}%")
    row("files written: full/article/theme/nothing",
        lambda r: "/".join(str(r.runs[ph][-1]["written"]) for ph in PHASES))
    row("docs/ size (du) / files", lambda r: f"{human(r.docs_du)} / {r.docs_files:,}")
    row("docs/.briefing-cache size (du)", lambda r: human(r.cache_du))
    row("site/ size (du)", lambda r: human(r.site_du))
    row("site/ files", lambda r: f"{r.site_files:,}")
    row("largest page (.html)", lambda r: human(r.largest_page[1]))
    row("search payload before 1st result", lambda r: human(r.search["bytes"]))
    row("    same, gzip-compressed", lambda r: human(r.search["gzip"]))

    def in_browser(r: SizeResult) -> str:
        b = r.browser
        return "n/a" if not b or "error" in b else f"{human(b['bytes'])} in {b['seconds']:.1f}s"
    row(f"Chromium: all bytes to 1st result ({SEARCH_QUERY!r})", in_browser)
    row("    of which search (index, UI, worker)",
        lambda r: human(r.browser["search_bytes"]) if r.browser and "error" not in r.browser else "n/a")
    row("mkdocs warnings", lambda r: f"{r.mkdocs_warnings:,}")
    rows.append("")
    for r in ok:
        rows.append(f"N={r.n:,}: largest page {r.largest_page[0]} ({human(r.largest_page[1])}); "
                    f"largest file {r.largest_file[0]} ({human(r.largest_file[1])})")
        rows.append(f"    search ({r.search['kind']}): "
                    + " + ".join(f"{p} {human(s)}" for p, s in r.search["files"]))
        for kind, k in r.mkdocs_warning_kinds.items():
            rows.append(f"    {k:5} x {kind}")
    for r in results:
        if r.code_changed:
            rows.append(f"N={r.n:,}: WARNING: the generator's code, templates or mkdocs.yml changed while this "
                        f"size was measured; its figures mix versions (and the cache was invalidated)")
        if r.error:
            rows.append(f"N={r.n:,}: FAILED: {r.error}")
    return "\n".join(rows)


def verdict(results: list[SizeResult]) -> tuple[list[str], dict]:
    by_n = {r.n: r for r in results if not r.error}
    lines, flags = [], {}

    def line(key: str, passed: bool | None, text: str) -> None:
        flags[key] = passed
        mark = {True: "PASS", False: "FAIL", None: "n/a "}[passed]
        lines.append(f"  [{mark}] {text}")

    for n in (1000, 3000):
        r = by_n.get(n)
        if r is None:
            line(f"ratio_{n}", None, f"generate <= {RATIO_MAX} x mkdocs build at {n:,}: not measured")
            continue
        ratio = r.ratio("full", "mkdocs")
        aim = "meets the 0.10 aim" if ratio <= RATIO_AIM else "above the 0.10 aim"
        rounds = " ".join(f"{x:.2f}" for x in r.pairs("full", "mkdocs"))
        line(f"ratio_{n}", ratio <= RATIO_MAX,
             f"generate <= {RATIO_MAX} x mkdocs build at {n:,}: {ratio:.3f} wall (rounds: {rounds}), "
             f"{r.ratio('full', 'mkdocs', 'cpu'):.3f} CPU ({aim})")
    a, b = by_n.get(1000), by_n.get(3000)
    if a and b:
        for key, label, fa in (("growth_generate", "generate time (wall)", lambda r: r.gen),
                               ("growth_generate_cpu", "generate time (CPU)", lambda r: r.cpu("full")),
                               ("growth_whole", "whole-build time (wall)", lambda r: r.whole),
                               ("growth_whole_cpu", "whole-build time (CPU)",
                                lambda r: r.cpu("full") + r.cpu("mkdocs")),
                               ("growth_site", "site size", lambda r: r.site_du),
                               ("growth_docs", "docs size", lambda r: r.docs_du)):
            g = fa(b) / fa(a)
            line(key, g <= GROWTH_MAX, f"linear growth, {label}, 3,000 / 1,000 <= {GROWTH_MAX}: {g:.2f}")
    else:
        line("growth", None, "linear growth 3,000 / 1,000: needs both sizes")
    for n, r in sorted(by_n.items()):
        if n < 1000 and max(by_n) >= 1000:
            continue
        fa, fn = r.ratio("article"), r.ratio("nothing")
        ca, cn = r.ratio("article", key="cpu"), r.ratio("nothing", key="cpu")
        line(f"inc_article_{n}", fa <= INC_ARTICLE_MAX,
             f"incremental at {n:,}: one article edited <= 10% of full: {100 * fa:.0f}% wall, {100 * ca:.0f}% CPU")
        line(f"inc_nothing_{n}", fn <= INC_NOTHING_MAX,
             f"incremental at {n:,}: nothing changed <= 5% of full: {100 * fn:.0f}% wall, {100 * cn:.0f}% CPU")
        if r.count("serve"):
            fs, cs = r.ratio("serve"), r.ratio("serve", key="cpu")
            line(f"inc_serve_{n}", fs <= INC_ARTICLE_MAX,
                 f"incremental at {n:,}, in `briefing serve` (a warm process): one article edited <= 10% "
                 f"of full: {100 * fs:.0f}% wall, {100 * cs:.0f}% CPU")
    if b:
        tree, rss = b.tree("full"), b.rss("full")
        line("rss_3000", tree <= RSS_MAX_MB,
             f"peak memory of generate at 3,000 <= {RSS_MAX_MB} MB: {tree:.0f} MB for the process tree "
             f"(largest single process {rss:.0f} MB)")
        seen = b.browser if b.browser and "error" not in b.browser else None
        if seen:  # what Chromium actually downloaded, page and assets included
            line("search_3000", seen["bytes"] <= SEARCH_MAX_BYTES,
                 f"search at 3,000 works in Chromium; downloaded before the first result <= 1.5 MB: "
                 f"{human(seen['bytes'])} ({human(seen['search_bytes'])} of it search), {seen['seconds']:.1f}s")
        else:
            s = b.search["bytes"]
            why = (b.browser or {}).get("error", "not run")
            line("search_3000", s <= SEARCH_MAX_BYTES,
                 f"search payload at 3,000 <= 1.5 MB: {human(s)} ({human(b.search['gzip'])} gzipped), "
                 f"estimated from the files (Chromium check: {why})")
    else:
        line("rss_3000", None, "peak RSS of generate at 3,000: not measured")
        line("search_3000", None, "search payload at 3,000: not measured")
    return lines, flags


def profile(n: int, bases: list[Base], work: Path, codebook: Path, top: int = 15) -> str:
    here = work / f"profile-n{n}"
    discard(here)
    write_corpus(bases, n, here / "seeds")
    reset_docs(here / "docs")
    out = here / "generate.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(out), *briefing_cmd(), "generate",
           "--seeds", str(here / "seeds"), "--themes", str(codebook), "--docs", str(here / "docs")]
    # cProfile sees one process only: analyse in-process when the generator has a worker pool.
    help_text = subprocess.run([*briefing_cmd(), "generate", "--help"], capture_output=True, text=True).stdout
    serial = "--jobs" in help_text
    if serial:
        cmd += ["--jobs", "1"]
    run = check(measure(cmd, here / "profile.log"), f"profiled generate (N={n})")
    buf = io.StringIO()
    pstats.Stats(str(out), stream=buf).sort_stats("cumulative").print_stats(top)
    text = buf.getvalue()
    text = text[text.index("   ncalls"):] if "   ncalls" in text else text
    how = "--jobs 1, cold cache" if serial else "cold"
    return f"(profiled run, {how}: {run.seconds:.1f}s wall, {run.cpu:.1f}s CPU, with cProfile overhead)\n{text}"


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                   help="comma-separated corpus sizes (default: 100,1000,3000)")
    p.add_argument("--keep", type=Path, help="build in DIR and keep corpora, docs, sites and logs there")
    p.add_argument("--json", type=Path, help="also write the figures as JSON to FILE")
    p.add_argument("--codebook", default="bench",
                   help="bench (bench/codebook.yml, BBC topics; default), project (seeds/themes.yml) or a path")
    p.add_argument("--repeat", type=int, default=None,
                   help="runs of each generate measurement, median reported (default: 3 when one full "
                        "generate takes at most --cheap seconds, else 1)")
    p.add_argument("--cheap", type=float, default=20.0, help="see --repeat (default: 20 s)")
    p.add_argument("--mkdocs-repeat", type=int, default=None,
                   help="runs of mkdocs build, each right after a full generate (default: one after each)")
    p.add_argument("--profile", type=int, metavar="N", help="also print a cProfile of one full generate at N")
    args = p.parse_args(argv)
    if args.mkdocs_repeat is not None and args.mkdocs_repeat < 1:
        p.error("--mkdocs-repeat must be at least 1 (the site figures come from a MkDocs build)")
    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        p.error(f"--sizes: expected comma-separated integers, got {args.sizes!r}")
    if not sizes or min(sizes) < 1 or (args.repeat is not None and args.repeat < 1):
        p.error("--sizes and --repeat must be positive")
    codebook = CODEBOOKS.get(args.codebook, Path(args.codebook)).resolve()
    if not codebook.is_file():
        p.error(f"--codebook: no file {codebook}")
    if not (DATA / "article").is_dir():
        print(f"bench: the BBC data set is missing: expected {DATA}/article/<topic>/NNN.txt\n"
              f"(../shared/data/bbc-summaries next to the repository, or set BRIEFING_BENCH_DATA).",
              file=sys.stderr)
        return 1
    bases = load_bases(DATA)
    if not bases:
        print(f"bench: no articles under {DATA}/article", file=sys.stderr)
        return 1

    t0 = time.perf_counter()
    # Measure the generator as installed, with its bytecode compiled: `pip install .`
    # compiles it, but this checkout's editable install leaves it to the first import,
    # which never writes it where PYTHONDONTWRITEBYTECODE is set (as on CI runners),
    # so that every run would compile the package again (~50 ms, a fifth of a
    # nothing-changed run). MkDocs and its plugins were compiled when pip installed them.
    compileall.compile_dir(str(ROOT / "generator"), quiet=1)
    info = machine()
    print(f"briefing benchmark, {info['date']}")
    print(f"machine: {info['nproc']} CPU(s), {info['cpu']}; Python {info['python']}; "
          f"mkdocs {info['mkdocs']}, mkdocs-material {info['mkdocs-material']}, Jinja2 {info['jinja2']}")
    print(f"         {info['platform']}; load average at start {info['loadavg_start']}")
    shown = codebook.relative_to(ROOT) if codebook.is_relative_to(ROOT) else codebook
    print(f"corpus: the {len(bases)} BBC articles of {DATA} reused as variants; codebook {shown}")
    print(flush=True)

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        work, cleanup = args.keep.resolve(), None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="briefing-bench-")
        work = Path(cleanup.name)
    Trash.folder = work / "trash"

    def say(msg: str) -> None:
        print(f"  [{time.perf_counter() - t0:5.0f}s] {msg}", file=sys.stderr, flush=True)

    results: list[SizeResult] = []
    prof_text = ""
    try:
        for n in sizes:
            try:
                results.append(bench_size(n, bases, work, codebook, args.repeat, args.mkdocs_repeat,
                                          args.cheap, say))
            except BuildFailed as err:
                results.append(SizeResult(n, error=str(err)))
                say(f"N={n}: {err}")
        total = time.perf_counter() - t0  # the benchmark proper, without the optional profile
        if args.profile:
            say(f"profiling one full generate at N={args.profile}")
            try:
                prof_text = profile(args.profile, bases, work, codebook)
            except BuildFailed as err:
                prof_text = str(err)
    finally:
        Trash.empty()
        if cleanup:
            cleanup.cleanup()
    info["loadavg_end"] = loadavg()

    print(table(results))
    print()
    vlines, flags = verdict(results)
    print("verdict:")
    print("\n".join(vlines))
    print()
    print(f"total benchmark time: {total:.0f}s ({total / 60:.1f} min; `make bench` budget 15 min"
          f"{', profile not included' if args.profile else ''}); "
          f"load average at end {info['loadavg_end']}")
    if float(info["loadavg_start"].split()[0] if info["loadavg_start"] != "?" else 0) > info["nproc"]:
        print("note: the machine was busy when the benchmark started (load above the CPU count); "
              "wall times are inflated, CPU times are the fairer comparison.")
    if prof_text:
        print(f"\ncProfile of one full generate at N={args.profile:,} (top 15 by cumulative time):")
        print(prof_text.rstrip())
    if args.json:
        payload = {"machine": info, "codebook": str(codebook), "total_seconds": round(total, 1),
                   "verdict": flags, "sizes": [asdict(r) for r in results]}
        args.json.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
