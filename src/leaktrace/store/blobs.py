"""Content-addressed file storage: every file is named by its SHA-256.

A blob with digest ``abcdef…`` lives at ``root/ab/cdef…``. Writes go to a temporary
file in ``root``, are fsynced and renamed into place, so a blob is either absent
or whole, even if the process dies mid-write. Storing the same bytes twice is a no-op.

>>> import tempfile
>>> blobs = BlobStore(Path(tempfile.mkdtemp()))
>>> digest = blobs.put(b"hello")
>>> digest[:12], blobs.get(digest), blobs.verify(digest)
('2cf24dba5fb0', b'hello', True)
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from leaktrace.errors import BadInput, NotFound

__all__ = ["BlobStore"]

_HEX64 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20


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
            return digest
        tmp = self._temp()
        try:
            with open(tmp, "xb") as f:
                f.write(data)
                _sync(f)
            self._move_into_place(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return digest

    def put_file(self, source: Path | str) -> str:
        """Store a copy of the file ``source``, streamed; return its SHA-256 hex digest."""
        hasher = hashlib.sha256()
        tmp = self._temp()
        try:
            with open(source, "rb") as src, open(tmp, "xb") as f:
                _copy_hashing(src, f, hasher)
                _sync(f)
            target = self.path(hasher.hexdigest())
            if not (target.is_file() and target.stat().st_size == tmp.stat().st_size):
                self._move_into_place(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
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

    def remove(self, sha256: str) -> None:
        """Delete blob ``sha256`` if it is stored (to undo a write whose record failed)."""
        self.path(sha256).unlink(missing_ok=True)

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

    # ----------------------------------------------------------------- helpers

    def _temp(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root / f".blob.partial-{secrets.token_hex(8)}"

    def _move_into_place(self, tmp: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o444)
        os.replace(tmp, target)
        _fsync_dir(target.parent)


def _checked(sha256: str) -> str:
    if not isinstance(sha256, str) or not _HEX64.fullmatch(sha256):
        raise BadInput(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


def _copy_hashing(src: BinaryIO, dst: BinaryIO, hasher: Any) -> None:
    for chunk in iter(lambda: src.read(_CHUNK), b""):
        hasher.update(chunk)
        dst.write(chunk)


def _sync(f: BinaryIO) -> None:
    f.flush()
    os.fsync(f.fileno())


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
