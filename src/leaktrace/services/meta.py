"""Workspace facts kept in the store: which master key the workspace belongs to.

Opening a workspace reads these facts; it writes only when one is missing (a store made
before the fact was kept), and then without waiting for another process's write lock.
"""

from __future__ import annotations

from pathlib import Path

from leaktrace.errors import Busy, KeyProblem
from leaktrace.store import db as store_db
from leaktrace.store.models import Meta

KEY_FINGERPRINT = "master_key_fingerprint"


def remember_key(sessions, fingerprint: str, *, wait: bool = True) -> None:
    """Record the fingerprint of the workspace's master key (the key itself is never stored)."""
    with store_db.transaction(sessions, wait=wait) as session:
        row = session.get(Meta, KEY_FINGERPRINT)
        if row is None:
            session.add(Meta(key=KEY_FINGERPRINT, value=fingerprint))


def stored_fingerprint(sessions) -> str | None:
    with sessions() as session:
        row = session.get(Meta, KEY_FINGERPRINT)
        return None if row is None else row.value


def check_key(sessions, fingerprint: str, path: Path) -> None:
    """Refuse a master key that is not the one this workspace was created with."""
    expected = stored_fingerprint(sessions)
    if expected is None:
        try:  # remembered by the first open that finds the store free; a read need not wait for it
            remember_key(sessions, fingerprint, wait=False)
        except Busy:
            pass
    elif expected != fingerprint:
        raise KeyProblem(f"{path}: this master key (fingerprint {fingerprint}) does not belong to this workspace (expected {expected}).")
