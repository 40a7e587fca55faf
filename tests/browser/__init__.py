"""Helpers shared by the browser tests and tests/test_offline.py.

Builds the fixture corpus once per test session with the real ``briefing build``
command (a subprocess, exactly what a user runs), serves a folder on 127.0.0.1
with a random free port, and opens Playwright pages that record every request
and console error and block every host but 127.0.0.1. Plain functions, so
``tests/test_offline.py`` can reuse the same build without a browser.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "fixtures" / "corpus"
THEMES = REPO / "seeds" / "themes.yml"
MANIFEST = ".briefing-manifest.json"  # what the generator wrote into a docs folder

# Titles of the fixture articles (what a reader sees as link text).
FIXTURE_TITLES = {
    "alpha_steppe.txt": "Read Moscow and Beijing at Their Word",
    "beta_ledger.txt": "How close are China and Russia, really?",
    "gamma_notes.md": "Summit diplomacy after the BRICS meeting",
    "delta_page.html": "Pipelines and Patience",
}


class BuildError(RuntimeError):
    pass


@dataclass(frozen=True)
class Built:
    root: Path
    config: Path  # copy of mkdocs.yml inside root (docs_dir: docs, site_dir: site)
    docs: Path
    site: Path
    seconds: float


def _briefing_command() -> list[str]:
    script = Path(sys.executable).with_name("briefing")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from generator.cli import main; sys.argv[0] = 'briefing'; main()"]


def hand_written_docs() -> list[str]:
    """Files of the repository's docs/ the generator did not write (about.md, stylesheets/, javascripts/...).

    mkdocs.yml references them (nav, extra_css, extra_javascript), so a build into
    another docs folder needs them; generated pages (listed in the manifest after a
    ``make site``) must not be copied, or the generator would keep them as hand-written.
    """
    source = REPO / "docs"
    manifest = source / MANIFEST
    generated = set(json.loads(manifest.read_text(encoding="utf-8")).get("generated", [])) \
        if manifest.is_file() else set()
    return sorted(rel for rel in (p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file())
                  if rel != MANIFEST and rel not in generated and not rel.startswith(".briefing-cache/"))


def build_fixture_site(root: Path, *extra: str) -> Built:
    """``briefing build`` of the fixture corpus into ``root/docs`` and ``root/site``.

    mkdocs.yml is copied byte for byte next to the docs folder and passed with
    ``--config``, so ``docs_dir: docs`` resolves to our temporary folder and the
    build writes nothing into the repository (without it, ``briefing build
    --docs elsewhere`` writes a derived ``.briefing-mkdocs.yml`` next to the
    repository's mkdocs.yml).
    """
    root.mkdir(parents=True, exist_ok=True)
    docs, site = root / "docs", root / "site"
    docs.mkdir(exist_ok=True)
    for rel in hand_written_docs():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / "docs" / rel, docs / rel)
    config = root / "mkdocs.yml"
    shutil.copy2(REPO / "mkdocs.yml", config)
    cmd = [*_briefing_command(), "build", "--seeds", str(CORPUS), "--themes", str(THEMES),
           "--docs", str(docs), "--site", str(site), "--config", str(config), *extra]
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    seconds = time.monotonic() - started
    if proc.returncode != 0 or not (site / "index.html").is_file():
        raise BuildError(f"`{' '.join(cmd)}` exited {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
    return Built(root, config, docs, site, seconds)


_BUILDS: dict[str, Built | BuildError] = {}


def fixture_site_once(tmp_path_factory) -> Built:
    """The session's one build (shared by tests/browser and tests/test_offline.py)."""
    if "mkdocs" not in _BUILDS:
        try:
            _BUILDS["mkdocs"] = build_fixture_site(tmp_path_factory.mktemp("briefing-build"))
        except BuildError as err:  # remember the failure: don't rebuild for every test
            _BUILDS["mkdocs"] = err
    result = _BUILDS["mkdocs"]
    if isinstance(result, BuildError):
        raise result
    return result


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - keep pytest output clean
        pass


class StaticServer:
    """Serves ``directory`` on 127.0.0.1 with a free port, in a daemon thread."""

    def __init__(self, directory: Path):
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        host, port = self.httpd.server_address[:2]
        self.url = f"http://{host}:{port}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="site-server", daemon=True)

    def __enter__(self) -> "StaticServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


# --------------------------------------------------------------------------- browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_HOSTS = {"127.0.0.1"}
VIEWPORT = {"width": 1280, "height": 900}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    """Skip locally; in CI (CI=true) a missing prerequisite is a failure, never a silent skip."""
    if in_ci():
        pytest.fail(f"{reason} [CI=true: browser tests must run in CI]", pytrace=False)
    pytest.skip(reason)


@dataclass
class Recorder:
    """What one page did: every request URL, outside requests (blocked), console errors."""

    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def clear_problems(self) -> None:
        self.outside.clear()
        self.console_errors.clear()
        self.page_errors.clear()

    def problems(self) -> list[str]:
        out = [f"request to an outside host (blocked): {u}" for u in self.outside]
        out += [f"console error: {m}" for m in self.console_errors]
        out += [f"uncaught exception: {m}" for m in self.page_errors]
        return out


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname in LOCAL_HOSTS


def open_page(browser, recorder: Recorder, **context_options):
    context = browser.new_context(viewport=VIEWPORT, service_workers="block", **context_options)

    def route(route, request):
        if is_local(request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    page.on("request", lambda req: (recorder.requests.append(req.url),
                                    None if is_local(req.url) else recorder.outside.append(req.url)))
    page.on("console", lambda msg: recorder.console_errors.append(f"{msg.text} ({msg.location.get('url')})")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: recorder.page_errors.append(str(exc)))
    page.on("framenavigated", lambda frame: recorder.visited.append(frame.url)
            if frame == page.main_frame else None)
    page.set_default_timeout(10_000)
    return context, page
