"""`briefing serve`: a live preview that regenerates when a seed or the codebook changes.

Runs the real command in a temporary project, talks to it over HTTP, edits the
inputs and waits for the served pages to follow. A broken codebook is reported
and the preview keeps serving the last good pages.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.test_build import project  # noqa: F401  (fixture)

ARTICLE = "articles/read-moscow-and-beijing-at-their-word/"
WAIT_SECONDS = 90


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _wait_for(url: str, text: str, server: subprocess.Popen, log: Path) -> str:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, "briefing serve exited:\n" + log.read_text(errors="replace")[-3000:]
        page = _get(url)
        if page is not None and text in page:
            return page
        time.sleep(0.5)
    raise AssertionError(f"{url} never showed {text!r} within {WAIT_SECONDS} s; serve's output ends:\n"
                         + log.read_text(errors="replace")[-3000:])


@pytest.fixture
def serving(project):  # noqa: F811
    port = _free_port()
    log = project / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--seeds", "seeds", "--docs", "docs",
             "--config", "mkdocs.yml", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project, stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ, CI="true"),
        )
        try:
            yield project, f"http://127.0.0.1:{port}/", server, log
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def test_serve_shows_an_edit_to_a_seed(serving):
    project, url, server, log = serving
    _wait_for(url + ARTICLE, "India buys Russian arms", server, log)
    seed = project / "seeds" / "alpha_steppe.txt"
    seed.write_text(seed.read_text(encoding="utf-8").replace("India buys Russian arms", "India buys Russian oil"),
                    encoding="utf-8")
    _wait_for(url + ARTICLE, "India buys Russian oil", server, log)


def test_serve_reports_a_broken_codebook_and_keeps_the_last_good_pages(serving):
    project, url, server, log = serving
    _wait_for(url + ARTICLE, "India buys Russian arms", server, log)
    themes = project / "seeds" / "themes.yml"
    good = themes.read_text(encoding="utf-8")
    themes.write_text(good.replace("themes:", "themes:\n  - id: Bad Id\n    title: x\n    description: x\n"
                                              "    cues: [x]\n", 1), encoding="utf-8")
    deadline = time.monotonic() + WAIT_SECONDS
    while "nothing was written" not in log.read_text(encoding="utf-8", errors="replace"):
        assert time.monotonic() < deadline, "the broken codebook was never reported"
        time.sleep(0.5)
    assert "themes.yml:" in log.read_text(encoding="utf-8", errors="replace")
    assert "India buys Russian arms" in (_get(url + ARTICLE) or "")
    shutil.copy(project / "seeds" / "alpha_steppe.txt", project / "seeds" / "alpha_steppe_copy.txt")
    themes.write_text(good, encoding="utf-8")
    _wait_for(url + "articles/read-moscow-and-beijing-at-their-word-2/", "India buys Russian arms", server, log)


def _session(project: Path) -> tuple:
    from generator import TEMPLATES, pipeline

    templates = project / "templates"
    shutil.copytree(TEMPLATES, templates)
    settings = pipeline.Settings(seeds=project / "seeds", themes=project / "seeds" / "themes.yml",
                                 docs=project / "docs", templates=templates)
    session = pipeline.Session(settings)
    session.generate()
    return session, templates


def test_a_template_error_while_serving_is_reported_and_serving_goes_on(project, monkeypatch, caplog):  # noqa: F811
    from generator import cli

    session, templates = _session(project)
    monkeypatch.setattr(cli, "SERVE_POLL_SECONDS", 0.1)
    page = project / "docs" / "articles" / "read-moscow-and-beijing-at-their-word.md"
    good = page.read_text(encoding="utf-8")
    template = templates / "article.md.j2"
    original = template.read_text(encoding="utf-8")

    def edit() -> None:
        time.sleep(1)
        template.write_text(original + "{% if %}\n", encoding="utf-8")
        deadline = time.monotonic() + 20
        while "TemplateSyntaxError" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.1)
        template.write_text(original.replace("## ", "## Section: ", 1), encoding="utf-8")

    import threading
    editor = threading.Thread(target=edit)
    editor.start()
    # A stand-in for mkdocs serve that stops by itself once the edits are done.
    status = cli._serve_until_stopped([sys.executable, "-c", "import time; time.sleep(6)"], dict(os.environ), session)
    editor.join()
    assert status == 0
    assert "regenerating docs/ failed (TemplateSyntaxError" in caplog.text
    assert "docs/ is left as the last build that completed wrote it" in caplog.text
    assert page.read_text(encoding="utf-8") != good and "## Section: " in page.read_text(encoding="utf-8")


def test_the_preview_server_never_outlives_the_command(project, monkeypatch):  # noqa: F811
    from generator import cli

    session, _ = _session(project)
    monkeypatch.setattr(cli, "SERVE_POLL_SECONDS", 0.1)
    started = []
    real_popen = subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(real_popen(*a, **k)) or started[-1])
    monkeypatch.setattr(cli, "_inputs_mtime", lambda settings: time.monotonic())  # always "changed"
    monkeypatch.setattr(session, "generate", lambda: (_ for _ in ()).throw(RuntimeError("a bug")))
    with pytest.raises(RuntimeError, match="a bug"):
        cli._serve_until_stopped([sys.executable, "-c", "import time; time.sleep(60)"], dict(os.environ), session)
    assert started and started[0].wait(timeout=10) is not None  # terminated, not left running
