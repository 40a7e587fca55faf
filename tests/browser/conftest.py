"""Browser-test fixtures: one build per session, one static server, one headless Chromium.

- ``built_site``: ``briefing build`` of tests/fixtures/corpus (real CLI, subprocess) into a temp dir.
- ``site_url``: that site/ served on 127.0.0.1:<random port> (http.server in a thread).
- ``browser``: Debian's /usr/bin/chromium driven by Playwright (never a downloaded browser).
  Missing Chromium skips, except when CI=true, where it fails: in CI these tests must run.
- ``page``: a fresh page whose every request is recorded; any request to a host other than
  127.0.0.1 is aborted (nothing leaves the machine) and, like console errors and uncaught
  exceptions, fails the test at teardown.
"""

from __future__ import annotations

import pytest

from . import CHROMIUM, CHROMIUM_ARGS, Built, Recorder, StaticServer, fixture_site_once, open_page, skip_or_fail


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Built:
    return fixture_site_once(tmp_path_factory)


@pytest.fixture(scope="session")
def site_url(built_site: Built):
    with StaticServer(built_site.site) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.is_file():
        skip_or_fail("Chromium not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright not installed (pip install -e '.[test]')")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def page(browser, recorder: Recorder):
    context, page = open_page(browser, recorder)
    yield page
    context.close()
    problems = recorder.problems()
    if problems:
        pytest.fail("pages visited: " + ", ".join(recorder.visited) + "\n" + "\n".join(problems), pytrace=False)
