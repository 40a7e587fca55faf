"""Shared fixtures: paths of the repository and of the read-only ../shared material."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
BBC = SHARED / "data" / "bbc-summaries"


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def bbc() -> Path:
    if not BBC.is_dir():
        pytest.skip("../shared/data/bbc-summaries not present (a user's clone has no ../shared)")
    return BBC
