"""The search backend behind trace, by the index_backend setting: brute, ann (persistent) and auto."""

from __future__ import annotations

import sqlite3

import pytest

from leaktrace import Workspace
from leaktrace.errors import SettingRejected
from leaktrace.services import search
from leaktrace.settings import SETTINGS, load
from tests.conftest import photo, save


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """Three small photo-like assets and a cropped, JPEG-compressed leak of the second."""
    folder = tmp_path_factory.mktemp("images")
    assets = [save(folder / f"asset{seed}.png", photo(seed, (240, 320))) for seed in (11, 12, 13)]
    leak = save(folder / "leak.jpg", photo(12, (240, 320))[30:220, 40:300], flag=1, quality=85)  # 1 = IMWRITE_JPEG_QUALITY
    return assets, leak


def _workspace(tmp_path, images, backend):
    ws = Workspace.init(tmp_path / "ws", index_backend=backend)
    ids = [row["id"] for row in ws.add_assets(images[0])]
    return ws, ids


def test_ann_backend_finds_the_asset_and_keeps_its_index(tmp_path, images):
    ws, ids = _workspace(tmp_path, images, "ann")
    ann_file = ws.home / "cache" / "assets.ann"
    assert not ann_file.exists()  # built by the first trace, not by adding assets
    assert ws.trace(images[1]).asset.id == ids[1]
    assert ann_file.exists()
    saved = ann_file.stat().st_mtime_ns
    assert ws.trace(images[1]).asset.id == ids[1]
    assert ann_file.stat().st_mtime_ns == saved  # in step with the store: not rewritten

    # A deleted index is rebuilt; so are the features cache files it reads.
    ann_file.unlink()
    for cached in (ws.home / "cache").glob("*.features"):
        cached.unlink()
    assert ws.trace(images[1]).asset.id == ids[1]
    assert ann_file.exists() and len(list((ws.home / "cache").glob("*.features"))) >= 1

    # A damaged index is rebuilt too.
    ann_file.write_bytes(b"not an index")
    assert ws.trace(images[1]).asset.id == ids[1]
    assert ann_file.stat().st_size > 1000
    assert sorted(search.ann(ws.context, _assets(ws)).asset_ids()) == ids
    ws.close()


def test_ann_index_follows_new_assets(tmp_path, images):
    ws, ids = _workspace(tmp_path, (images[0][:1],), "ann")
    ws.trace(images[1])  # builds the index of one asset
    new = ws.add_assets(images[0][1:])
    assert ws.trace(images[1]).asset.id == new[0]["id"]
    assert sorted(search.ann(ws.context, _assets(ws)).asset_ids()) == [ids[0]] + [row["id"] for row in new]
    ws.close()


def test_brute_backend_keeps_no_index_file(tmp_path, images):
    ws, ids = _workspace(tmp_path, images, "brute")
    assert ws.trace(images[1]).asset.id == ids[1]
    assert not (ws.home / "cache" / "assets.ann").exists()
    ws.close()


def test_auto_is_brute_for_a_small_workspace_and_ann_for_a_large_one(tmp_path, images, monkeypatch):
    ws, ids = _workspace(tmp_path, images, "auto")
    ann_file = ws.home / "cache" / "assets.ann"
    assert ws.trace(images[1]).asset.id == ids[1]
    assert not ann_file.exists()
    monkeypatch.setattr(search, "AUTO_ANN_FROM", 3)
    assert ws.trace(images[1]).asset.id == ids[1]
    assert ann_file.exists()
    ws.close()


def test_every_setting_value_has_a_backend_and_others_are_refused(tmp_path):
    (setting,) = [s for s in SETTINGS if s.name == "index_backend"]
    assert set(setting.choices) == set(search.BACKENDS) and setting.default == "auto"
    assert load(tmp_path, {"index_backend": "ann"}).index_backend == "ann"
    with pytest.raises(SettingRejected, match="index_backend must be one of auto, brute, ann"):
        load(tmp_path, {"index_backend": "faiss"})
    with pytest.raises(SettingRejected, match="index_backend"):
        load(tmp_path, environ={"LEAKTRACE_INDEX_BACKEND": "Brute"})


def _assets(ws):
    from leaktrace.services import assets

    return assets.all_assets(ws.context)


def test_a_restored_store_that_reuses_an_id_is_detected_and_never_answered_wrong(tmp_path, images):
    """A database restored from a backup gives asset 2 to another file than the one indexed as 2:
    `check` names it stale, and the next trace replaces the entry and finds the right asset."""
    assets, leak = images
    ws = Workspace.init(tmp_path / "ws", index_backend="ann")
    first = ws.add_assets(assets[:1])[0]["id"]
    live, copy = sqlite3.connect(ws.home / "leaktrace.db"), sqlite3.connect(tmp_path / "backup.db")
    live.backup(copy)
    live.close(), copy.close()
    indexed = ws.add_assets([assets[2]])[0]["id"]  # the file indexed under the second id
    assert ws.trace(assets[2]).asset.id == indexed
    assert search.check(ws.context).in_step
    ws.close()

    for suffix in ("-wal", "-shm"):
        (ws.home / f"leaktrace.db{suffix}").unlink(missing_ok=True)
    (ws.home / "leaktrace.db").write_bytes((tmp_path / "backup.db").read_bytes())  # the restore: the second asset was never added
    ws = Workspace(ws.home)
    reused = ws.add_assets([assets[1]])[0]["id"]  # another file, the same id
    assert reused == indexed
    found = search.check(ws.context)
    assert (found.in_use, found.entries, found.stale, found.missing, found.in_step) == (True, 2, (reused,), (), False)

    assert ws.trace(leak).asset.id == reused  # a leak of the file the store now calls `reused`
    assert search.check(ws.context).in_step
    assert search.ann(ws.context, _assets(ws)).digest_of(reused) == ws.show_asset(reused).sha256
    assert ws.trace(assets[0]).asset.id == first
    ws.close()


def test_rebuild_makes_the_index_anew_and_reports_progress(tmp_path, images):
    ws, ids = _workspace(tmp_path, images, "brute")
    seen = []
    result = search.rebuild(ws.context, progress=lambda done, total, what: seen.append((done, total)))
    assert (result.kept, result.in_use, result.entries, result.assets, result.in_step) == (True, False, 3, 3, True)
    assert seen[-1] == (3, 3)
    (ws.home / "cache" / "assets.ann").write_bytes(b"damaged")
    damaged = search.check(ws.context)
    assert (damaged.kept, damaged.readable, damaged.in_step) == (False, False, False)
    ws.close()
