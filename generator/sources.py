"""Where the articles are: which files of the seeds folder are inputs, and their sidecars.

Light on purpose (no text processing is imported): the nothing-changed check of
:mod:`generator.buildstate` lists and stats every input before deciding whether
anything needs to be read at all.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import Problem, ProblemsError

#: Article input suffixes (lower case).
ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm"})
#: Sidecar suffix: ``foo.txt`` may have ``foo.yml``.
SIDECAR_SUFFIX = ".yml"
#: File names that are never articles (compared case-insensitively).
NOT_ARTICLES = frozenset({"readme.md"})


def check_seeds(seeds_dir: Path) -> Path:
    """``seeds_dir`` as a Path, or a problem if it is not a folder."""
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.is_dir():
        raise ProblemsError([Problem(str(seeds_dir), message="seeds folder not found")])
    return seeds_dir


def discover(seeds_dir: Path) -> list[Path]:
    """Article inputs under ``seeds_dir``, recursively, sorted by relative POSIX path.

    Skips hidden files and folders, anything whose name starts with ``_``,
    ``README.md``, YAML files and any other suffix. Symbolic links to folders
    are not followed.
    """
    seeds_dir = Path(seeds_dir)
    found: list[tuple[str, Path]] = []
    for root, dirs, files in os.walk(seeds_dir):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        rel_root = Path(root).relative_to(seeds_dir)
        for name in files:
            if name.startswith((".", "_")) or name.lower() in NOT_ARTICLES:
                continue
            if Path(name).suffix.lower() not in ARTICLE_SUFFIXES:
                continue
            rel = (rel_root / name).as_posix()
            found.append((rel, Path(root) / name))
    found.sort(key=lambda item: item[0])
    return [path for _, path in found]


def sidecar_path(path: Path) -> Path:
    """The sidecar of an input: ``foo.txt`` -> ``foo.yml``."""
    return path.with_suffix(SIDECAR_SUFFIX)
