"""The Python API: a workspace is created once, opened by path, and keeps its key private."""

from __future__ import annotations

import stat

import pytest

from leaktrace import Workspace
from leaktrace.errors import KeyProblem, SettingRejected, WorkspaceExists, WorkspaceMissing


def test_init_open_and_settings(tmp_path):
    ws = Workspace.init(tmp_path / "ws", epsilon=1e-9)
    assert stat.S_IMODE((ws.home / "master.key").stat().st_mode) == 0o600
    fingerprint = ws.key_fingerprint()
    ws.close()
    again = Workspace(tmp_path / "ws")
    assert again.settings.epsilon == 1e-9 and again.key_fingerprint() == fingerprint
    assert {row["name"] for row in again.settings_table()} >= {"epsilon", "database_url"}
    again.close()
    with pytest.raises(WorkspaceExists):
        Workspace.init(tmp_path / "ws")


def test_missing_workspace_and_unsafe_settings(tmp_path):
    with pytest.raises(WorkspaceMissing):
        Workspace(tmp_path / "none")
    with pytest.raises(SettingRejected):
        Workspace.init(tmp_path / "loose", epsilon=0.01)
    assert not (tmp_path / "loose" / "master.key").exists()


PASS = "correct horse battery staple"


def test_key_backup_round_trip(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    backup = ws.export_key(tmp_path / "backup.key", passphrase=PASS).path
    (ws.home / "master.key").unlink()
    ws.close()
    other = Workspace.init(tmp_path / "other")
    other_backup = other.export_key(tmp_path / "other.key", passphrase=PASS).path
    other.close()
    restored = Workspace(tmp_path / "ws")
    with pytest.raises(KeyProblem):
        restored.import_key(other_backup, passphrase=PASS)
    assert restored.import_key(backup, passphrase=PASS).restored
    restored.close()
    assert Workspace(tmp_path / "ws").list_recipients() == []


def test_an_older_workspace_is_upgraded_on_open(tmp_path):
    from alembic import command

    from leaktrace.store.db import current_revision, head_revision, make_engine, migrations_config

    ws = Workspace.init(tmp_path / "ws")
    ws.add_recipient("Apex")
    url = ws.settings.resolved_database_url
    ws.close()
    engine = make_engine(url)
    config = migrations_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    engine.dispose()
    assert current_revision(url) == "0001"
    with Workspace(tmp_path / "ws") as again:
        assert again.list_findings() == [] and [r["name"] for r in again.list_recipients()] == ["Apex"]
    assert current_revision(url) == head_revision()
