"""Atomic file writes: a reader sees the old file or the whole new one, never a part, even if the
process dies mid-write. The one implementation behind image copies, cache files, the asset
index and the content-addressed blob store.

The bytes go to a new ``.<name>.partial-<random>`` file (created exclusively, with the
final ``mode`` from the start, so it is never more readable than the file it becomes; the
umask applies), are flushed and fsynced, renamed over the target with ``os.replace``, and
the target's folder is fsynced so the rename survives a power cut. On any error the
partial file is removed and the error propagates. Standard library only (a leaf module).

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> write_atomic(folder / "a.txt", b"first")
>>> with atomic_writer(folder / "a.txt") as f:
...     _ = f.write(b"second")
>>> (folder / "a.txt").read_bytes(), sorted(p.name for p in folder.iterdir())
(b'second', ['a.txt'])
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["Staged", "atomic_writer", "staged", "write_atomic"]

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


class Staged:
    """A partial file being written; :meth:`publish` moves it into place. Use through :func:`staged`."""

    def __init__(self, path: Path, file: BinaryIO) -> None:
        self.path = path
        self.file = file
        self.published: Path | None = None

    def write(self, data: bytes) -> int:
        return self.file.write(data)

    def publish(self, target: str | os.PathLike[str]) -> None:
        """Fsync the bytes, rename them over ``target`` (same filesystem) and fsync its folder."""
        target = Path(target)
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.path, target)
        self.published = target
        _fsync_dir(target.parent)


@contextmanager
def staged(folder: str | os.PathLike[str], name: str = "file", *, mode: int = 0o644) -> Iterator[Staged]:
    """A new partial file in ``folder``, for a write whose target is known only at the end
    (a content-addressed blob is named by the hash of what was written). Unless
    :meth:`Staged.publish` was called, the partial file is removed on leaving the block.
    """
    path = Path(folder) / f".{name}.partial-{secrets.token_hex(6)}"
    fd = os.open(path, _FLAGS, mode)
    file = os.fdopen(fd, "wb")
    stage = Staged(path, file)
    try:
        yield stage
    finally:
        file.close()
        if stage.published is None:
            path.unlink(missing_ok=True)


@contextmanager
def atomic_writer(path: str | os.PathLike[str], *, mode: int = 0o644) -> Iterator[BinaryIO]:
    """A binary file handle whose bytes replace ``path`` atomically when the block ends without error.

    Parameters
    ----------
    path : path-like
        The file to create or replace; its folder must exist.
    mode : int, permission bits
        The file's mode from creation on (``0o444`` for read-only blobs, ``0o600`` for secrets),
        restricted further by the umask.
    """
    path = Path(path)
    with staged(path.parent, path.name, mode=mode) as stage:
        yield stage.file
        stage.publish(path)


def write_atomic(path: str | os.PathLike[str], data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` atomically (see the module notes); ``OSError`` propagates."""
    with atomic_writer(path, mode=mode) as f:
        f.write(data)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
