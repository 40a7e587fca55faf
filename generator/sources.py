"""Where the articles are: which files of the seeds folder are inputs, and their sidecars.

Light on purpose (no text processing is imported): the nothing-changed check of
:mod:`generator.buildstate` lists and stats every input before deciding whether
anything needs to be read at all.
"""

from __future__ import annotations

import os
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, ProblemsError
from .site import settled_at

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
    return [Path(path) for _, path, _ in _inputs(Path(seeds_dir))]


def _inputs(seeds_dir: Path) -> list[tuple[str, str, bool]]:
    """(relative POSIX path, path, whether its sidecar was listed) of each input, sorted."""
    top = str(seeds_dir)
    found: list[tuple[str, str, bool]] = []
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        rel_root = os.path.relpath(root, top).replace(os.sep, "/")
        prefix = "" if rel_root == "." else rel_root + "/"
        # Compared as a case-insensitive, normalising file system (macOS, Windows) would
        # resolve them: there `x.txt` finds its sidecar under the name `X.yml` too.
        names = {_folded(n) for n in files}
        for name in files:
            if name.startswith((".", "_")) or name.lower() in NOT_ARTICLES:
                continue
            stem, suffix = os.path.splitext(name)
            if suffix.lower() not in ARTICLE_SUFFIXES:
                continue
            found.append((prefix + name, os.path.join(root, name), _folded(stem + SIDECAR_SUFFIX) in names))
    found.sort(key=lambda item: item[0])
    return found


@dataclass(frozen=True)
class Survey:
    """The inputs of a seeds folder and their stats (see :func:`_stat`; ``None``: could not stat)."""

    seeds: Path
    files: tuple[str, ...]  # as listed; see :meth:`path`
    rels: tuple[str, ...]  # POSIX paths relative to ``seeds``
    stats: tuple[tuple | None, ...]
    # Per input: were its files last changed at least a timestamp tick before the survey
    # (:func:`generator.site.settled_at`)? If not, an edit within that tick could leave
    # the stat as it is, so the stat proves nothing about the content.
    settled: tuple[bool, ...]
    taken_ns: int  # when the survey began

    def path(self, i: int) -> Path:
        """The path of input ``i`` (made when asked: a rebuild needs those of a few inputs only,
        and a thousand ``Path`` objects cost ~2 ms)."""
        return Path(self.files[i])


def survey(seeds_dir: Path) -> Survey:
    """List and stat every input once (the nothing-changed check and the cache both use it).
    Sidecars are known from the folder listing, so an input without one costs one ``stat``."""
    taken = time.time_ns()
    found = _inputs(Path(seeds_dir))
    stats: list[tuple | None] = []
    for _, path, has_sidecar in found:
        try:
            stats.append(_stat(path, path[: -len(os.path.splitext(path)[1])] + SIDECAR_SUFFIX if has_sidecar else None))
        except OSError:
            stats.append(None)
    settled = tuple(st is not None and settled_at(st[1], st[2], taken)
                    and (st[4] == -1 or settled_at(st[5], st[6], taken)) for st in stats)
    return Survey(Path(seeds_dir), tuple(p for _, p, _ in found), tuple(r for r, _, _ in found),
                  tuple(stats), settled, taken)


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def _stat(path: str, sidecar: str | None) -> tuple:
    """What tells whether an input or its sidecar may have changed without reading them:
    size, modification and change times, inode (the sidecar's are -1 when it has none).
    The change time catches an edit that kept the size and restored the modification
    time (``touch -r``, ``rsync -t``, coarse file-system clocks); the inode, a file
    replaced by another."""
    s = os.stat(path)
    try:
        if sidecar is None:
            raise FileNotFoundError
        t = os.stat(sidecar)
    except FileNotFoundError:  # none (a name that only folds alike), or removed since the listing
        return (s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino, -1, -1, -1, -1)
    return (s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino, t.st_size, t.st_mtime_ns, t.st_ctime_ns, t.st_ino)


def sidecar_path(path: Path) -> Path:
    """The sidecar of an input: ``foo.txt`` -> ``foo.yml``."""
    return path.with_suffix(SIDECAR_SUFFIX)
