"""What a build leaves for the next one: the nothing-changed stamp and the page memo.

Kept apart from the analysis (:mod:`generator.work`) and light to import, so that
a build whose inputs have not changed since the last one (the common case in
``briefing serve`` and in CI re-runs) answers in a few hundredths of a second.

* **Stamp.** A fingerprint of everything a build reads (the generator's code,
  settings, codebook, aliases, templates, and every input's size and
  modification time), saved with every generated file's digest and signature
  (:class:`LastBuild`). Same stamp and untouched pages: nothing to do. Otherwise
  the writer uses those outputs to skip reading back pages that cannot have
  changed.
* **Page memo.** Rendered article pages (and their rows of the matrix exports)
  by :func:`generator.pagekeys.article_page_key`, so that an incremental build
  renders only the articles that changed; kept in a :class:`Shelf` (also used
  for the analysis cache, :mod:`generator.analysis_cache`).

Both live in the cache folder (``docs/.briefing-cache`` by default) as pickles
written by this program: as trusted as the code, and safe to delete at any time.
"""

from __future__ import annotations

import hashlib
import mmap
import operator
import os
import pickle
import re
import struct
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import regexes
from .site import Output, WriteReport, signature, write_all
from .sources import Survey

if TYPE_CHECKING:
    from .records import Codebook

CACHE_FORMAT = 4  # bump when the layout of a cached record changes
# Anything that goes wrong reading a cache file (truncated, foreign, written by a
# version whose classes no longer exist) makes it a miss: the cache is advisory.
UNREADABLE = Exception


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of the generator's own source and data files: a new version invalidates the cache.
    Listed with ``os.scandir`` rather than ``Path.rglob`` (~0.8 ms of every build at ~100
    entries, against ~0.1 ms)."""
    digest = hashlib.sha256(f"format {CACHE_FORMAT}".encode())
    for rel, path in sorted(_package_files(os.path.dirname(os.path.abspath(__file__)), "")):
        with open(path, "rb") as handle:
            digest.update(rel.encode() + b"\0" + handle.read())
    return digest.hexdigest()


def _package_files(folder: str, prefix: str) -> list[tuple[str, str]]:
    """(POSIX path relative to the package, path) of each source and data file under ``folder``."""
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                found += _package_files(entry.path, f"{prefix}{entry.name}/")
            elif entry.name.endswith((".py", ".yml", ".json")) and entry.is_file():
                found.append((prefix + entry.name, entry.path))
    return found


def inputs_stamp(survey: Survey, files: list[Path | None], settings_repr: str) -> str:
    """A fingerprint of everything a build reads, from file metadata (no file is read but small ones).

    ``files``: the codebook, aliases file and templates, hashed by content; articles and
    sidecars by size and modification time (as the per-article stat index does).
    """
    digest = hashlib.sha256(f"{code_fingerprint()}|{settings_repr}|"
                            f"{os.environ.get('SOURCE_DATE_EPOCH', '')}".encode())
    for path in files:
        if path is not None and path.is_file():
            digest.update(str(path).encode() + b"\0" + path.read_bytes())
    for rel, stat, ok in zip(survey.rels, survey.stats, survey.settled, strict=True):
        # An input changed within a timestamp tick of this survey may change again without
        # its stat showing it: then this stamp must not match the next build's.
        digest.update(f"{rel}|{stat if stat is not None else 'missing'}|{'' if ok else survey.taken_ns}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class LastBuild:
    """What the last successful build saved: its inputs stamp, each generated file as it left
    it (:class:`~generator.site.Output`, kept pickled until first read: a build whose stamp
    differs needs them only to write, after its analysis workers have started), the
    signatures of hand-written files it found at generated paths and kept, and its result."""

    stamp: str
    pickled_outputs: bytes
    result: object
    kept: Mapping[str, tuple[int, int, int, int] | None] = field(default_factory=dict)

    @cached_property
    def outputs(self) -> Mapping[str, Output]:
        return pickle.loads(self.pickled_outputs)

    def untouched(self, docs: Path) -> bool:
        """Every file the build generated, or kept, still carries the signature it left it with
        (a kept hand-written page that is deleted must give way to the generated one).

        A file rewritten within the timestamp tick of the build's own write keeps its
        signature (see :data:`generator.site.RACY_FINE_NS`); that edit then shows at the next
        build whose inputs changed, whose writer reads such files back."""
        return bool(self.outputs) and all(
            sig is not None and signature(docs / rel) == sig  # None: no signature to compare (Windows)
            for rel, sig in [*((r, o.signature) for r, o in self.outputs.items()), *self.kept.items()])


def last_build(cache_dir: Path | None) -> LastBuild | None:
    saved = read_pickle(cache_dir / "last-build.pickle") if cache_dir is not None else None
    return saved if isinstance(saved, LastBuild) else None


def stamp_matches(last: LastBuild | None, stamp: str, docs: Path) -> object | None:
    """The saved result of the last build if its inputs stamp is ``stamp`` and its outputs are untouched."""
    if last is None or last.stamp != stamp or not last.untouched(docs):
        return None
    return last.result


def save_stamp(cache_dir: Path | None, stamp: str, docs: Path, report: WriteReport, saved: object) -> None:
    if cache_dir is None:
        return
    kept = {rel: signature(docs / rel) for rel in report.kept_hand_written}
    write_pickle(cache_dir / "last-build.pickle", LastBuild(stamp, pickled(dict(report.outputs)), saved, kept))


class Shelf:
    """A store of hex-digest keys -> picklable values, in one pickle per key prefix.

    With 16 shards, saving after a one-article edit rewrites a sixteenth of the
    store (4 MB of the 68 MB of records at 3,000 articles) instead of all of it.
    More shards would make that smaller but cost more files: on this project's
    machine creating a file costs 0.05-1 ms whatever its size (writing 1,000
    small files took 0.04-1 s, 100 files of ten times the size 0.02 s), and 512
    shards made a full build create a third more files than its pages alone.
    Each shard carries ``tag``; shards written under another tag (other
    settings, an older generator) are ignored. What the entries hold in bulk is
    read back as views of the shard file, not copied, if ``mapped`` (see
    :func:`load_shard`). Writes are atomic; a shard that no longer has keys is
    deleted, so the store holds exactly what was last saved.
    """

    PREFIX_CHARS = 1

    def __init__(self, folder: Path, tag: str = "", mapped: bool = True):
        self.folder = folder
        self.tag = tag
        self.shards: dict[str, dict[str, object]] = {}
        try:
            files = sorted(folder.glob("*.pickle"))
        except OSError:
            files = []
        for file in files:
            data = read_shard(file, tag, mapped)
            if isinstance(data, dict):
                self.shards[file.stem] = data

    @classmethod
    def key(cls, owner: str, digest: str) -> str:
        """The key of an entry that belongs to ``owner`` (an article's file): its shard is
        named by ``owner`` alone, so that a new version of the entry (an edit) goes to
        the shard of the old one, and a save rewrites one shard, not two."""
        return hashlib.sha256(owner.encode()).hexdigest()[: cls.PREFIX_CHARS] + digest

    def as_dict(self) -> dict[str, object]:
        return {k: v for shard in self.shards.values() for k, v in shard.items()}

    def get(self, key: str) -> object | None:
        return self.shards.get(key[: self.PREFIX_CHARS], {}).get(key)

    def save(self, entries: dict[str, object], same: Callable[[object, object], bool] = operator.eq) -> None:
        """Make the store hold exactly ``entries``, rewriting only the shards that changed
        (or that are no longer on disk: the folder may have been emptied since it was read,
        while a long-running process kept this shelf). ``same``: whether a shard as read
        and as it would be written hold the same (by default: equal dictionaries)."""
        grouped: dict[str, dict[str, object]] = {}
        for key in sorted(entries):
            grouped.setdefault(key[: self.PREFIX_CHARS], {})[key] = entries[key]
        try:
            present = {file.stem for file in self.folder.glob("*.pickle")}
        except OSError:
            present = set()
        for prefix, data in grouped.items():
            if prefix not in present or prefix not in self.shards or not same(self.shards[prefix], data):
                write_shard(self.folder / f"{prefix}.pickle", self.tag, data)
        # Shards no longer needed, shards of another tag, and temporaries a killed save left.
        for prefix in present - grouped.keys():
            (self.folder / f"{prefix}.pickle").unlink(missing_ok=True)
        for leftover in self.folder.glob("*.pickle.tmp*"):
            leftover.unlink(missing_ok=True)
        self.shards = grouped


# A shard file: this line; the length of the pickle, the number of its out-of-band
# buffers and the length of each (little-endian 64-bit; pickle protocol 5: the nested
# pickles of records, see deferred.Deferred, and the exports' bytes, see
# matrix.ExportRows); the pickle of (tag, entries); then the buffers. Read back from a
# mapped file, the buffers are views of it, never copied: a one-article rebuild at 1,000
# articles reads 18 MB of shards, of which it reads the nested pickles of one article
# only, and the exports' rows once, to join the exports. Fresh memory costs ~3.4 us per
# 4 KB page on this project's machine (a virtual machine), ~0.85 ms per MB: copied out,
# that rebuild's shards took 14 ms (records) and 6.4 ms (rows) to read, against 9 and
# 2.7 ms as views.
SHARD_MAGIC = b"briefing shard 1\n"


def write_shard(path: Path, tag: object, entries: dict[str, object]) -> None:
    """Write one shard of a :class:`Shelf` (see :data:`SHARD_MAGIC`), atomically."""
    buffers: list[pickle.PickleBuffer] = []
    head = pickle.dumps((tag, entries), protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    lengths = struct.pack(f"<{len(raws) + 2}Q", len(head), len(raws), *(len(r) for r in raws))
    write_atomic(path, b"".join([SHARD_MAGIC, lengths, head, *raws]))


def read_shard(path: Path, tag: object, mapped: bool = True) -> object | None:
    """The entries of a shard written with ``tag`` (see :func:`write_shard`); None if it is
    missing, unreadable or of another tag. ``mapped``: see :func:`load_shard`."""
    stored = load_shard(path, mapped)
    return stored[1] if stored is not None and stored[0] == tag else None


def load_shard(path: Path, mapped: bool = True) -> tuple[object, object] | None:
    """The tag and entries of a shard (see :func:`write_shard`), None if it is missing or
    unreadable. ``mapped`` (on POSIX, where a mapped file can be replaced): the file is
    mapped and the buffers are views of it, which stay valid because :func:`write_atomic`
    never changes a cache file in place (it renames a new file over it; the old one lives
    on, unnamed, while mapped). A program that rewrote a shard in place meanwhile would
    change them, or crash this process (SIGBUS) if it cut the file short: a long-running
    process (``briefing serve``) reads shards into memory instead (``mapped=False``),
    still without a copy per buffer."""
    try:
        with open(path, "rb") as handle:
            try:
                whole: object = (mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
                                 if mapped and os.name == "posix" else None)
            except (OSError, ValueError):  # a file system that cannot map files; an empty file
                whole = None
            data = memoryview(whole if whole is not None else handle.read())
        if data[:len(SHARD_MAGIC)] != SHARD_MAGIC:
            return None
        pos = len(SHARD_MAGIC) + 16
        head_len, count = struct.unpack_from("<2Q", data, pos - 16)
        # Each buffer is named by one opcode of the pickle, and its length by 8 bytes here.
        if count > head_len or count > (len(data) - pos) // 8:
            return None
        lengths = struct.unpack_from(f"<{count}Q", data, pos)
        pos += 8 * count
        if pos + head_len + sum(lengths) != len(data):  # cut short, or more than was written
            return None
        head = data[pos:pos + head_len]
        pos += head_len
        buffers = []
        for n in lengths:
            buffers.append(data[pos:pos + n])
            pos += n
        tag, entries = pickle.loads(head, buffers=buffers)
    except UNREADABLE:
        return None
    return tag, entries


# What earlier versions kept in the cache folder, removed by prune_legacy: one
# file per article in two-hex-digit folders, single-file stores, and the page memo
# as a shelf.
_LEGACY_FILES = ("pages.pickle", "articles.pickle")
_LEGACY_SHELVES = ("pages",)
_LEGACY_FOLDER = re.compile(r"[0-9a-f]{2}")


def prune_legacy(cache_dir: Path | None) -> None:
    """Remove what an earlier layout of the cache left (it would never be read again),
    and temporaries of a killed save."""
    if cache_dir is None or not cache_dir.is_dir():
        return
    for name in _LEGACY_FILES:
        (cache_dir / name).unlink(missing_ok=True)
    for name in _LEGACY_SHELVES:
        shelf = cache_dir / name
        if shelf.is_dir() and all(f.is_file() and ".pickle" in f.name for f in shelf.iterdir()):
            for f in shelf.iterdir():
                f.unlink()
            shelf.rmdir()
    for entry in cache_dir.iterdir():
        if entry.is_dir() and _LEGACY_FOLDER.fullmatch(entry.name):
            files = list(entry.iterdir())
            if all(f.suffix == ".pickle" and f.is_file() for f in files):
                for f in files:
                    f.unlink()
                entry.rmdir()
        elif entry.is_file() and ".tmp" in entry.name and entry.name.split(".tmp")[-1].isdigit():
            entry.unlink(missing_ok=True)


def pickled(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def write_pickle(path: Path, value: object) -> None:
    """Pickle ``value`` to ``path`` atomically (see :func:`write_atomic`)."""
    write_atomic(path, pickled(value))


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``: to a temporary file beside it, then renamed to ``path``
    once the previous file is deleted (the previous file stays if the new one cannot be
    written). Renamed over the previous file, the new one would be sent to disk at once
    by ext4 (``auto_da_alloc``, on by default, which guards programs that do not
    ``fsync`` against losing the file they replace in a power cut): the five cache files
    of a one-article rebuild at 1,000 articles took 5.8-6.4 ms to write that way on this
    project's machine, 1.6-2.2 ms this way. A cache file needs no such guard: the cache
    is used under the build lock (:func:`site.exclusive`), and a file missing or
    unreadable (a build killed between the two steps, a power cut) is recomputed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
    try:
        try:
            write_all(fd, data)  # in pieces: see site.WRITE_PIECE_BYTES (cache shards reach megabytes)
        finally:
            os.close(fd)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    os.replace(tmp, path)


def read_pickle(path: Path) -> object | None:
    """What ``path`` holds, or None if it is missing or unreadable (the cache is advisory)."""
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except UNREADABLE:
        return None


def kept(path: Path, key: object) -> object | None:
    """The value pickled in ``path`` with ``key`` (see :func:`keep`), if the key is ``key``."""
    try:
        kept_key, value = read_pickle(path)  # type: ignore[misc]  # None: nothing to unpack
    except (TypeError, ValueError):
        return None
    return value if kept_key == key else None


def keep(path: Path, key: object, value: object) -> None:
    """Pickle ``value`` to ``path`` with the ``key`` it was made from (see :func:`kept`)."""
    write_pickle(path, (key, value))


CODEBOOK = "codebook.pickle"


def _codebook_key(path: Path, raw: bytes) -> tuple[str, str, str]:
    return code_fingerprint(), str(path), hashlib.sha256(raw).hexdigest()


def saved_codebook(cache_dir: Path | None, path: Path, raw: bytes) -> object | None:
    """The codebook the last successful build validated from ``path``, if the file still has
    the bytes ``raw`` and the generator the same code; None otherwise (it is then read and
    validated again). Spares a rebuild parsing the YAML, and importing the parser."""
    return kept(cache_dir / CODEBOOK, _codebook_key(path, raw)) if cache_dir is not None else None


def read_codebook(cache_dir: Path | None, path: Path) -> tuple[Codebook, bytes | None]:
    """The codebook at ``path``: the one a successful build kept (:func:`saved_codebook`),
    else read and validated (raises :class:`~generator.errors.ProblemsError`); and the bytes
    it was parsed from, for :func:`save_codebook` (None: it came from the cache)."""
    try:
        raw: bytes | None = path.read_bytes()
    except OSError:
        raw = None  # load_codebook reports it
    if raw is not None and (codebook := saved_codebook(cache_dir, path, raw)) is not None:
        return codebook, None  # type: ignore[return-value]
    from .codebook import load_codebook

    return load_codebook(path, raw), raw


def save_codebook(cache_dir: Path | None, path: Path, raw: bytes, codebook: object) -> None:
    """Keep the codebook a successful build validated from the bytes ``raw`` of ``path``."""
    if cache_dir is not None:
        keep(cache_dir / CODEBOOK, _codebook_key(path, raw), codebook)


class PageMemo:
    """What the renderer keeps of one build for the next (see
    :func:`generator.render.render_site`): ``page-memo.pickle``, read by every rebuild,
    holds small entries (digests of the pages, the print page's parts, the corpus-wide
    listings); the shelf ``rows/`` holds every article's part of the matrix exports
    (megabytes), read only by a build that makes the exports again.

    The small entries are one file, rewritten whole when they change: ~0.46 MB at 1,000
    articles. A one-article edit changes a dozen of them (its page, the page groups it
    shows in), which in a shelf of 16 shards rewrote 12 files (~5 ms on this project's
    machine, against ~1.5 ms for the one file)."""

    FILE = "page-memo.pickle"

    def __init__(self, cache_dir: Path, mapped: bool = True):
        self.folder, self.mapped = cache_dir, mapped
        saved = kept(cache_dir / self.FILE, CACHE_FORMAT)
        self.pages: dict[str, object] = saved if isinstance(saved, dict) else {}
        self._saved = dict(self.pages) if isinstance(saved, dict) else None
        self._rows: Shelf | None = None
        self._row_entries: dict[str, object] | None = None

    def rows(self) -> dict[str, object]:
        """The export rows by key, read when first asked for (and saved by :meth:`save` only then)."""
        if self._row_entries is None:
            self._rows = Shelf(self.folder / "rows", mapped=self.mapped)
            self._row_entries = self._rows.as_dict()
        return self._row_entries

    def save(self) -> None:
        """Make the cache hold what the renderer left in :attr:`pages` and :meth:`rows`."""
        if self.pages != self._saved or not (self.folder / self.FILE).is_file():
            keep(self.folder / self.FILE, CACHE_FORMAT, self.pages)
            self._saved = dict(self.pages)
        if self._rows is not None and self._row_entries is not None:
            self._rows.save(self._row_entries)


GAZETTEER = "gazetteer.pickle"


def saved_gazetteer(cache_dir: Path | None, source: str) -> object | None:
    """The built-in gazetteer a build kept, if it was built from ``source`` (see
    :func:`generator.aliases.gazetteer_source`); spares an analysis building it
    (and importing pycountry), ~40 ms of a worker that analyses one article."""
    return kept(cache_dir / GAZETTEER, source) if cache_dir is not None else None


# Per interpreter (see regexes.interpreter): two Pythons sharing a cache folder would
# otherwise replace each other's programs at every build.
REGEXES = f"regex-programs.{sys.implementation.cache_tag}.pickle"


def saved_regexes(cache_dir: Path | None) -> object | None:
    """The programs of the analysis's regular expressions a build kept, if this interpreter
    made them (see :mod:`generator.regexes`): spares a worker that analyses one article
    ~28 ms of compiling them."""
    return kept(cache_dir / REGEXES, regexes.interpreter()) if cache_dir is not None else None


def save_built(cache_dir: Path, built: dict[str, bytes]) -> None:
    """Keep what an analysis built for the cache folder, each file pickled with what it was
    made from as :func:`keep` would have: the gazetteer (see :func:`saved_gazetteer`) and
    the programs of regular expressions (see :func:`saved_regexes`)."""
    for name, data in built.items():
        if name in (GAZETTEER, REGEXES):  # never a path from elsewhere
            write_atomic(cache_dir / name, data)


def page_memo(cache_dir: Path | None, mapped: bool = True) -> PageMemo | None:
    """The memo of rendered pages (see :class:`PageMemo`), or None without a cache.
    ``mapped``: see :func:`load_shard`."""
    return PageMemo(cache_dir, mapped) if cache_dir is not None else None


def render_salt(templates: Path, aliases_file: Path | None, k: int) -> str:
    """What every rendered page depends on besides its own inputs: code, templates, settings."""
    digest = hashlib.sha256(f"{code_fingerprint()}|k={k}".encode())
    for path in sorted(p for p in Path(templates).rglob("*") if p.is_file()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    if aliases_file is not None and aliases_file.is_file():
        digest.update(aliases_file.read_bytes())
    return digest.hexdigest()
