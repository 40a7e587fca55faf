"""generator.buildstate: the shards of the cache's shelves, read back without copying what they hold;
the fingerprint of the generator's code."""

from __future__ import annotations

import copy
import os
import pickle
import struct
import tracemalloc
from pathlib import Path

import pytest

from generator import buildstate
from generator.matrix import ExportRows
from records_factory import article, mapped_views

ON_POSIX = pytest.mark.skipif(os.name != "posix", reason="shards are mapped on POSIX only")


def _entries() -> dict[str, object]:
    record = article("steppe", "Xi met Putin in Moscow.", "They signed a deal on gas.", title="Steppe")
    # As a build stores it: pickled once (its paragraphs become one nested pickle), read back.
    stored = pickle.loads(pickle.dumps(record, protocol=5))
    return {"0abc": (stored, ExportRows(b'{"article": "steppe"}', b"", b"steppe,gas\n"))}


def test_a_shard_reads_back_what_was_written_under_its_tag_only(tmp_path):
    path = tmp_path / "0.pickle"
    entries = _entries()
    buildstate.write_shard(path, "settings-1", entries)
    back = buildstate.read_shard(path, "settings-1")
    assert back == entries
    (record, rows), = back.values()
    assert record.paragraphs[1].text == "They signed a deal on gas."
    assert rows.csv_rows == b"steppe,gas\n" and rows.json_cells == b""
    assert buildstate.read_shard(path, "settings-2") is None


@ON_POSIX
def test_what_a_shard_holds_in_bulk_is_read_as_views_of_the_mapped_file_not_copied(tmp_path):
    path = tmp_path / "0.pickle"
    buildstate.write_shard(path, "t", _entries())
    (record, rows), = buildstate.read_shard(path, "t").values()
    assert mapped_views([record, rows]) == 4  # the nested pickle and the three export parts


def test_a_shard_read_unmapped_holds_no_view_of_the_file_and_the_same_entries(tmp_path):
    """As a long-running ``briefing serve`` reads them: what a program might rewrite in place
    later cannot change or crash the records read."""
    path = tmp_path / "0.pickle"
    entries = _entries()
    buildstate.write_shard(path, "t", entries)
    back = buildstate.read_shard(path, "t", mapped=False)
    assert back == entries
    (record, rows), = back.values()
    assert vars(record)["_deferred_pickle"] and mapped_views([record, rows]) == 0
    path.write_bytes(b"\0" * path.stat().st_size)  # rewritten in place
    assert record.paragraphs[1].text == "They signed a deal on gas." and rows.csv_rows == b"steppe,gas\n"


_HEADER = struct.Struct("<2Q")


@pytest.mark.parametrize("mapped", [True, False])
@pytest.mark.parametrize("damage", ["cut short", "grown", "old format", "empty", "foreign", "countless"])
def test_a_damaged_or_foreign_shard_is_a_miss(tmp_path, damage, mapped):
    path = tmp_path / "0.pickle"
    buildstate.write_shard(path, "t", _entries())
    data = path.read_bytes()
    magic = buildstate.SHARD_MAGIC
    path.write_bytes({
        "cut short": data[:-3],
        "grown": data + b"\0",
        "old format": pickle.dumps(("t", _entries())),
        "empty": b"",
        "foreign": magic + bytes(range(40)),
        # A header claiming a million empty buffers: refused before any is sliced.
        "countless": magic + _HEADER.pack(0, 1_000_000) + bytes(8 * 1_000_000),
    }[damage])
    tracemalloc.start()
    try:
        assert buildstate.read_shard(path, "t", mapped) is None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < path.stat().st_size + 2**20  # nothing made per buffer the header claims
    assert buildstate.read_shard(tmp_path / "missing.pickle", "t", mapped) is None


def test_records_read_from_a_shard_outlive_its_replacement_and_can_be_stored_again(tmp_path):
    """A build reads a shard, then rewrites it (an edit): the records it read from the old file
    still read their text, and a shard written from them holds the same."""
    path = tmp_path / "0.pickle"
    entries = _entries()
    buildstate.write_shard(path, "t", entries)
    read = buildstate.read_shard(path, "t")
    buildstate.write_shard(path, "t", {"1def": ExportRows(b"other", b"", b"")})
    (record, rows), = read.values()
    assert record.paragraphs[0].text == "Xi met Putin in Moscow." and rows.json_article == b'{"article": "steppe"}'
    again = tmp_path / "1.pickle"
    buildstate.write_shard(again, "t", read)
    assert buildstate.read_shard(again, "t") == entries


@pytest.mark.parametrize("protocol", [4, 5])
def test_records_read_from_a_shard_pickle_as_any_other(tmp_path, protocol):
    """As the worker pool and ``copy`` pickle them (protocol 4 for a pool's queues), in band."""
    path = tmp_path / "0.pickle"
    buildstate.write_shard(path, "t", _entries())
    (record, rows), = buildstate.read_shard(path, "t").values()
    back_record, back_rows = pickle.loads(pickle.dumps((record, rows), protocol=protocol))
    assert back_record == record and back_rows == rows and type(back_rows.csv_rows) is bytes
    assert copy.copy(rows) == rows


def test_the_code_fingerprint_covers_every_source_and_data_file_of_the_package(tmp_path):
    """buildstate.code_fingerprint hashes these files (a new version of any of them
    invalidates the cache): .py, .yml and .json files, in sub-folders too, by POSIX path."""
    (tmp_path / "data").mkdir()
    (tmp_path / "__pycache__").mkdir()
    for name in ("a.py", "data/entities.yml", "data/x.json", "__pycache__/a.cpython-311.pyc", "notes.txt"):
        (tmp_path / name).write_text(name)
    found = sorted(buildstate._package_files(str(tmp_path), ""))
    assert found == [(rel, str(tmp_path / rel)) for rel in ("a.py", "data/entities.yml", "data/x.json")]
    package = Path(buildstate.__file__).parent
    assert {rel for rel, _ in buildstate._package_files(str(package), "")} >= {"buildstate.py", "data/entities.yml"}
