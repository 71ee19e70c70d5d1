"""What every service needs: the context of an open workspace, and its key file.

Services take a :class:`Context` (settings, store, blobs, master key); the
:class:`~leaktrace.services.workspace.Workspace` facade builds it once and passes it on.
Kept apart from the facade so that the services never import the facade back.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leaktrace import settings as settings_mod
from leaktrace.errors import KeyProblem
from leaktrace.store.blobs import BlobStore

KEY_FILE = "master.key"
KEY_BYTES = 32
Progress = Callable[[int, int, str], None]


@dataclass
class Context:
    """What every service needs: resolved settings, the store, the blobs and the key."""

    settings: settings_mod.Settings
    engine: Any
    sessions: Any
    blobs: BlobStore
    master_key: bytes

    @property
    def home(self) -> Path:
        return self.settings.home


def key_path(home: Path) -> Path:
    """Where the workspace at ``home`` keeps its master key."""
    return home / KEY_FILE


def read_master_key(home: Path) -> bytes:
    """The master key of the workspace at ``home``, refused if missing, malformed or readable by others."""
    path = key_path(home)
    if not path.exists():
        raise KeyProblem(f"{path}: the master key is missing; restore it with 'leaktrace key import BACKUP' (without it no copy can be traced).")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyProblem(f"{path}: the master key is readable by others (mode {mode:04o}); run 'chmod 600 {path}'.")
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise KeyProblem(f"{path}: the master key must be {KEY_BYTES} bytes, found {len(key)}.")
    return key


def write_secret(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file created with mode 0600 (never world-readable, even briefly)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
