"""CI definitions: the GitHub workflows are valid, and .ci/run ends with exactly `make test`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def test_workflows_match_the_github_workflow_schema():
    assert [p.name for p in WORKFLOWS] == ["site.yml", "test.yml"]
    # check-jsonschema ships the GitHub workflow schema (vendored): no network needed.
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         *map(str, WORKFLOWS)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_site_workflow_builds_strict_and_deploys_main_to_pages():
    text = (REPO / ".github" / "workflows" / "site.yml").read_text()
    assert "run: make site" in text and "run: make check" in text
    assert "actions/upload-pages-artifact" in text and "actions/deploy-pages" in text
    assert "github.ref == 'refs/heads/main'" in text


def test_ci_run_ends_with_exactly_make_test():
    lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()
             if line.strip() and not line.strip().startswith("#")]
    assert lines[-1] == "make test"
    assert "make site" in (REPO / "README.md").read_text() and "make test" in (REPO / "README.md").read_text()
