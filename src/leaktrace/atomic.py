"""Atomic file writes: a reader sees the old file or the whole new one, never a part, even if the
process dies mid-write. The one implementation behind image copies, cache files, the asset
index and the content-addressed blob store.

The bytes go to a new ``.<name>.partial-<random>`` file (created exclusively, with the
final ``mode`` from the start, so it is never more readable than the file it becomes; the
umask applies), are flushed and fsynced, renamed over the target with ``os.replace``, and
the target's folder is fsynced so the rename survives a power cut. On any error the
partial file is removed and the error propagates. Standard library only (a leaf module).

File modes: what leaktrace writes is private to the account that runs it. Files are created
:data:`FILE_MODE` (0600) unless told otherwise (blobs are 0400), and folders made with
:func:`private_dir` are :data:`DIR_MODE` (0700), each set where the file or folder is
created, never by changing the process umask.

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> write_atomic(folder / "a.txt", b"first")
>>> with atomic_writer(folder / "a.txt") as f:
...     _ = f.write(b"second")
>>> (folder / "a.txt").read_bytes(), sorted(p.name for p in folder.iterdir())
(b'second', ['a.txt'])
>>> oct(os.stat(folder / "a.txt").st_mode & 0o777), oct(os.stat(private_dir(folder / "x" / "y")).st_mode & 0o777)
('0o600', '0o700')
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["DIR_MODE", "FILE_MODE", "Staged", "atomic_writer", "fsync_dir", "private_dir", "restrict_dir", "staged", "write_atomic"]

#: Mode of every file leaktrace creates (owner read and write), unless a caller asks for less.
FILE_MODE = 0o600
#: Mode of every folder leaktrace creates (owner only).
DIR_MODE = 0o700

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
        fsync_dir(target.parent)


@contextmanager
def staged(folder: str | os.PathLike[str], name: str = "file", *, mode: int = FILE_MODE) -> Iterator[Staged]:
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
def atomic_writer(path: str | os.PathLike[str], *, mode: int = FILE_MODE) -> Iterator[BinaryIO]:
    """A binary file handle whose bytes replace ``path`` atomically when the block ends without error.

    Parameters
    ----------
    path : path-like
        The file to create or replace; its folder must exist.
    mode : int, permission bits
        The file's mode from creation on (default ``0o600``; ``0o400`` for read-only blobs),
        restricted further by the umask.
    """
    path = Path(path)
    with staged(path.parent, path.name, mode=mode) as stage:
        yield stage.file
        stage.publish(path)


def write_atomic(path: str | os.PathLike[str], data: bytes, *, mode: int = FILE_MODE) -> None:
    """Write ``data`` to ``path`` atomically (see the module notes); ``OSError`` propagates."""
    with atomic_writer(path, mode=mode) as f:
        f.write(data)


def private_dir(path: str | os.PathLike[str], *, mode: int = DIR_MODE) -> Path:
    """The folder ``path``, made (with every missing parent) with ``mode`` if it does not exist.

    Unlike ``Path.mkdir(parents=True)``, which makes the parents with the default mode, each
    folder made here gets ``mode`` (the umask may only restrict it). An existing folder is left
    as it is (see :func:`restrict_dir`).
    """
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=mode)
        except FileExistsError:  # made by another process meanwhile
            pass
    if not path.is_dir():
        raise NotADirectoryError(f"{path}: exists and is not a folder")
    return path


def restrict_dir(path: str | os.PathLike[str], *, mode: int = DIR_MODE) -> bool:
    """Take away the group's and others' access to the folder ``path`` if it is ours and they have
    any; return whether its mode changed. Nothing else about it changes."""
    if os.name != "posix":
        return False
    info = os.stat(path)
    if info.st_uid != os.geteuid() or not info.st_mode & 0o077:
        return False
    try:
        os.chmod(path, (info.st_mode & 0o7777 & ~0o077) | (mode & 0o700))
    except OSError:  # a read-only file system: the folder stays as it is, and can still be read
        return False
    return True


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Make the folder's entries (a rename, a deletion) durable (POSIX; a no-op elsewhere)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
