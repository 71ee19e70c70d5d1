"""meta: the store remembers which master key the workspace belongs to, and refuses any other."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaktrace.errors import KeyProblem
from leaktrace.services import meta
from leaktrace.store.db import make_engine, session_factory, upgrade
from leaktrace.store.models import Meta


@pytest.fixture()
def sessions(tmp_path):
    url = f"sqlite:///{tmp_path / 'leaktrace.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield session_factory(engine)
    engine.dispose()


def test_a_fresh_store_knows_no_key(sessions):
    assert meta.stored_fingerprint(sessions) is None


def test_the_first_fingerprint_is_kept(sessions):
    meta.remember_key(sessions, "9f2c41d07a5be3c1")
    meta.remember_key(sessions, "0000000000000000")  # never overwritten
    assert meta.stored_fingerprint(sessions) == "9f2c41d07a5be3c1"
    with sessions() as session:
        assert session.get(Meta, meta.KEY_FINGERPRINT).value == "9f2c41d07a5be3c1"
        assert session.query(Meta).count() == 1


def test_check_key_adopts_the_first_key_then_refuses_others(sessions):
    path = Path("/ws/master.key")
    meta.check_key(sessions, "aaaaaaaaaaaaaaaa", path)  # first open: remembered
    assert meta.stored_fingerprint(sessions) == "aaaaaaaaaaaaaaaa"
    meta.check_key(sessions, "aaaaaaaaaaaaaaaa", path)  # the same key: fine
    with pytest.raises(KeyProblem) as caught:
        meta.check_key(sessions, "bbbbbbbbbbbbbbbb", path)
    assert str(caught.value) == (
        "/ws/master.key: this master key (fingerprint bbbbbbbbbbbbbbbb) does not belong to this workspace (expected aaaaaaaaaaaaaaaa)."
    )
    assert meta.stored_fingerprint(sessions) == "aaaaaaaaaaaaaaaa"


def test_a_workspace_remembers_its_own_key(tmp_path):
    from leaktrace import Workspace

    with Workspace.init(tmp_path / "ws") as ws:
        assert meta.stored_fingerprint(ws.context.sessions) == ws.key_fingerprint()
