"""blobs: content addressing, idempotent atomic puts, corruption detected."""

from __future__ import annotations

import hashlib
import os

import pytest

from leaktrace.errors import BadInput, NotFound
from leaktrace.store.blobs import BlobStore


def test_put_get_and_layout(tmp_path):
    blobs = BlobStore(tmp_path / "blobs")
    data = b"fingerprinted copy"
    digest = blobs.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert blobs.path(digest) == tmp_path / "blobs" / digest[:2] / digest[2:]
    assert blobs.get(digest) == data and blobs.exists(digest)
    assert list(blobs) == [digest]


def test_put_is_idempotent_and_leaves_no_partial_files(tmp_path):
    blobs = BlobStore(tmp_path)
    first = blobs.put(b"x" * 1000)
    os.utime(blobs.path(first), (1_000_000_000, 1_000_000_000))  # stored long ago
    inode = blobs.path(first).stat().st_ino
    assert blobs.put(b"x" * 1000) == first
    assert blobs.path(first).stat().st_ino == inode  # not written again
    assert blobs.path(first).stat().st_mtime > 1_000_000_000  # but marked as stored now (doctor spares it)
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted([first[:2], first[2:]])


def test_put_file_streams_and_matches_put(tmp_path):
    source = tmp_path / "big.bin"
    data = os.urandom(3 * 2**20 + 17)
    source.write_bytes(data)
    blobs = BlobStore(tmp_path / "blobs")
    digest = blobs.put_file(source)
    assert digest == hashlib.sha256(data).hexdigest() == blobs.put(data)
    assert blobs.verify(digest)
    assert blobs.put_file(source) == digest
    assert [p.name for p in (tmp_path / "blobs").iterdir()] == [digest[:2]]


def test_verify_detects_a_corrupted_blob_and_put_repairs_a_short_one(tmp_path):
    blobs = BlobStore(tmp_path)
    digest = blobs.put(b"evidence")
    assert blobs.verify(digest)
    path = blobs.path(digest)
    os.chmod(path, 0o644)
    path.write_bytes(b"evidencE")
    assert not blobs.verify(digest)
    path.write_bytes(b"evid")
    blobs.put(b"evidence")
    assert blobs.verify(digest)


def test_missing_blobs_and_bad_digests(tmp_path):
    blobs = BlobStore(tmp_path)
    missing = "0" * 64
    assert not blobs.exists(missing) and not blobs.verify(missing)
    with pytest.raises(NotFound, match=f"no stored file with SHA-256 {missing}"):
        blobs.get(missing)
    for bad in ("abc", "../" + "0" * 61, "A" * 64):
        with pytest.raises(BadInput, match="not a SHA-256 hex digest"):
            blobs.path(bad)
    blobs.remove(missing)  # no error


def test_remove(tmp_path):
    blobs = BlobStore(tmp_path)
    digest = blobs.put(b"orphan")
    blobs.remove(digest)
    assert not blobs.exists(digest) and list(blobs) == []


def test_blobs_are_read_only_and_a_failed_put_file_leaves_nothing(tmp_path):
    blobs = BlobStore(tmp_path / "blobs")
    digest = blobs.put(b"evidence")
    assert blobs.path(digest).stat().st_mode & 0o222 == 0
    with pytest.raises(FileNotFoundError):
        blobs.put_file(tmp_path / "missing.jpg")
    assert [p.name for p in (tmp_path / "blobs").rglob("*")] == [digest[:2], digest[2:]]
