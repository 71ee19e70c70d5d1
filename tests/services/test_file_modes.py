"""Workspace file modes: the folder and every folder in it 0700, every file leaktrace creates in it
0600 (blobs 0400, read-only), set where each is created whatever the umask allows; an older
workspace's folder is made private when it is opened."""

from __future__ import annotations

import os
import stat

import pytest

from leaktrace import Workspace
from tests.conftest import photo, save

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def _modes(home):
    found = {}
    for folder, dirs, files in os.walk(home):
        for name in dirs + files:
            path = os.path.join(folder, name)
            found[os.path.relpath(path, home)] = stat.S_IMODE(os.lstat(path).st_mode)
    return found


def _umask(value: int) -> int:
    return os.umask(value)


def test_every_file_and_folder_of_a_used_workspace_is_the_owners_alone(tmp_path):
    old = _umask(0o002)  # a permissive umask: the modes come from leaktrace, not from it
    try:
        with Workspace.init(tmp_path / "ws") as ws:
            ws.add_recipient("Apex Plastics GmbH")
            ws.add_recipient("Borealis Moulding AB")
            asset = ws.add_assets([save(tmp_path / "bumper.png", photo(3))])[0]
            ws.close()
        with Workspace(tmp_path / "ws", retain_copies=True) as ws:  # copies stay, so their files are checked too
            rows = ws.share(asset["id"], ["Apex Plastics GmbH", "Borealis Moulding AB"], tmp_path / "out")
            ws.trace(rows[1]["path"])
            modes = _modes(ws.home)
    finally:
        _umask(old)
    assert stat.S_IMODE((tmp_path / "ws").stat().st_mode) == 0o700
    blobs = {p for p in modes if p.startswith("blobs/") and len(p) == len("blobs/") + 2 + 1 + 62}
    assert {r["sha256"][2:] for r in rows} <= {p.rsplit("/", 1)[-1] for p in blobs}
    assert {"leaktrace.db", "leaktrace.toml", "master.key", "cache"} <= set(modes)
    assert any(p.endswith("-wal") for p in modes)  # SQLite's WAL while the store was open
    loose = {}
    for path, mode in modes.items():
        if (tmp_path / "ws" / path).is_dir():
            want = 0o700
        elif path in blobs:
            want = 0o400
        else:
            want = 0o600
        if mode != want:
            loose[path] = oct(mode)
    assert loose == {}
    for r in rows:  # the copies written out are private too
        assert stat.S_IMODE((tmp_path / "out" / r["filename"]).stat().st_mode) == 0o600


def test_opening_an_older_workspace_makes_its_folder_private(tmp_path):
    Workspace.init(tmp_path / "ws").close()
    (tmp_path / "ws").chmod(0o755)
    Workspace(tmp_path / "ws").close()
    assert stat.S_IMODE((tmp_path / "ws").stat().st_mode) == 0o700


def test_init_in_an_existing_folder_makes_it_private(tmp_path):
    (tmp_path / "ws").mkdir(mode=0o775)
    Workspace.init(tmp_path / "ws").close()
    assert stat.S_IMODE((tmp_path / "ws").stat().st_mode) == 0o700
