"""Content-addressed file storage: every file is named by its SHA-256.

A blob with digest ``abcdef…`` lives at ``root/ab/cdef…``, read-only and private (file 0400,
folders 0700). Writes go through :mod:`leaktrace.atomic` (a partial file, fsynced and renamed
into place, the folder fsynced), so a blob is either absent or whole, even if the process dies
mid-write. Storing the same bytes twice writes nothing but refreshes the file's modification
time (a blob's mtime is when it was last stored: ``leaktrace doctor`` spares young blobs that no
record references yet). :meth:`BlobStore.discard` deletes a blob for good (a delivered copy
that is not retained), its folder fsynced so the deletion survives a power cut.
:meth:`BlobStore.partial_files` lists what an interrupted write left behind.

>>> import tempfile
>>> blobs = BlobStore(Path(tempfile.mkdtemp()))
>>> digest = blobs.put(b"hello")
>>> digest[:12], blobs.get(digest), blobs.verify(digest)
('2cf24dba5fb0', b'hello', True)
>>> blobs.discard(digest), blobs.exists(digest), blobs.discard(digest)
(True, False, False)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from leaktrace.atomic import fsync_dir, private_dir, staged, write_atomic
from leaktrace.errors import BadInput, NotFound

__all__ = ["BlobStore"]

_HEX64 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20
_READ_ONLY = 0o400


class BlobStore:
    """Files under ``root``, addressed by the lowercase hex SHA-256 of their bytes."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"BlobStore({str(self.root)!r})"

    def path(self, sha256: str) -> Path:
        """Where the blob ``sha256`` lives (whether or not it exists)."""
        sha256 = _checked(sha256)
        return self.root / sha256[:2] / sha256[2:]

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        """Store ``data``; return its SHA-256 hex digest. Idempotent."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.is_file() and target.stat().st_size == len(data):
            _touch(target)
            return digest
        private_dir(target.parent)
        write_atomic(target, data, mode=_READ_ONLY)
        return digest

    def put_file(self, source: Path | str) -> str:
        """Store a copy of the file ``source``, streamed; return its SHA-256 hex digest."""
        hasher = hashlib.sha256()
        private_dir(self.root)
        with open(source, "rb") as src, staged(self.root, "blob", mode=_READ_ONLY) as stage:
            size = _copy_hashing(src, stage.file, hasher)
            target = self.path(hasher.hexdigest())
            if not (target.is_file() and target.stat().st_size == size):
                private_dir(target.parent)
                stage.publish(target)
            else:
                _touch(target)
        return hasher.hexdigest()

    def get(self, sha256: str) -> bytes:
        """The bytes of blob ``sha256``; :class:`NotFound` if it is not stored."""
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise NotFound(f"no stored file with SHA-256 {sha256}") from None

    def verify(self, sha256: str) -> bool:
        """Whether blob ``sha256`` exists and its bytes still hash to ``sha256``."""
        hasher = hashlib.sha256()
        try:
            with open(self.path(sha256), "rb") as f:
                for chunk in iter(lambda: f.read(_CHUNK), b""):
                    hasher.update(chunk)
        except FileNotFoundError:
            return False
        return hasher.hexdigest() == sha256

    def discard(self, sha256: str) -> bool:
        """Delete blob ``sha256`` for good if it is stored; return whether it was.

        The folder is fsynced, so a discarded blob does not come back after a power cut.
        """
        path = self.path(sha256)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        fsync_dir(path.parent)
        return True

    def remove(self, sha256: str) -> None:
        """Delete blob ``sha256`` if it is stored (to undo a write whose record failed)."""
        self.discard(sha256)

    def __iter__(self) -> Iterator[str]:
        """The digests of all stored blobs (for checks and backups)."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if len(folder.name) == 2 and folder.is_dir():
                for file in sorted(folder.iterdir()):
                    digest = folder.name + file.name
                    if _HEX64.fullmatch(digest):
                        yield digest

    def partial_files(self) -> Iterator[Path]:
        """Files an interrupted write left (``.<name>.partial-<random>``, see :mod:`leaktrace.atomic`)."""
        if not self.root.is_dir():
            return
        folders = [self.root] + sorted(f for f in self.root.iterdir() if len(f.name) == 2 and f.is_dir())
        for folder in folders:
            yield from sorted(f for f in folder.iterdir() if f.name.startswith(".") and ".partial-" in f.name and f.is_file())


def _touch(path: Path) -> None:
    """Mark an existing blob as stored now (its owner may, whatever its read-only mode)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _checked(sha256: str) -> str:
    if not isinstance(sha256, str) or not _HEX64.fullmatch(sha256):
        raise BadInput(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


def _copy_hashing(src: BinaryIO, dst: BinaryIO, hasher: Any) -> int:
    size = 0
    for chunk in iter(lambda: src.read(_CHUNK), b""):
        hasher.update(chunk)
        dst.write(chunk)
        size += len(chunk)
    return size
