"""The asset cache: what a trace needs of an original, built once at registration and
memory-mapped afterwards, so no trace decodes a full-size original."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from leaktrace import Workspace, imagefiles
from leaktrace.services import asset_cache, assets
from tests.conftest import photo, save


@pytest.fixture()
def workspace(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    path = save(tmp_path / "original.png", photo(7, (360, 540)))
    asset_id = ws.add_assets([path])[0]["id"]
    ws.add_recipient("Apex")
    ws.share(asset_id, ["Apex"], tmp_path / "out")
    yield ws, asset_id, tmp_path
    ws.close()


def test_registering_an_asset_builds_its_view(workspace):
    ws, asset_id, _ = workspace
    asset = assets.get(ws.context, asset_id)
    folder = asset_cache._view_path(ws.context, asset.sha256)
    assert (folder / "meta.json").exists() and (folder / "luma0.npy").exists()
    view = asset_cache.original_view(ws.context, asset)
    assert view.shape == (360, 540) and isinstance(view.levels[0][0], np.memmap)
    assert view.features is not None and view.features.shape == (360, 540)


def test_a_trace_never_decodes_the_original(workspace, monkeypatch):
    ws, asset_id, tmp_path = workspace
    copy = next((tmp_path / "out").iterdir())
    asset = assets.get(ws.context, asset_id)
    original_file = str(ws.context.blobs.path(asset.sha256))
    asset_cache._OPEN.clear()  # as a new process
    read = imagefiles.read_image

    def refuse_original(path, **kwargs):
        assert str(path) != original_file, "the trace decoded the original"
        return read(path, **kwargs)

    monkeypatch.setattr(imagefiles, "read_image", refuse_original)
    finding = ws.trace(copy)
    assert finding.accused == ("Apex",)


def test_a_missing_or_damaged_view_is_rebuilt(workspace):
    ws, asset_id, tmp_path = workspace
    asset = assets.get(ws.context, asset_id)
    folder = asset_cache._view_path(ws.context, asset.sha256)
    before = asset_cache.original_view(ws.context, asset).levels[1][0].copy()
    asset_cache._OPEN.clear()
    (folder / "meta.json").write_text("{not json")
    rebuilt = asset_cache.original_view(ws.context, asset)  # unreadable: built again from the original
    np.testing.assert_array_equal(rebuilt.levels[1][0], before)
    assert '"version"' in (folder / "meta.json").read_text()
    asset_cache._OPEN.clear()
    shutil.rmtree(folder)
    again = asset_cache.original_view(ws.context, asset)  # missing: built and stored again
    assert (folder / "meta.json").exists()
    np.testing.assert_array_equal(again.levels[1][0], before)
    finding = ws.trace(next((tmp_path / "out").iterdir()))
    assert finding.accused == ("Apex",)


def test_the_view_written_strip_by_strip_is_the_view_in_memory(workspace):
    """The cache writes the pyramid level by level as it is made (never all of it in memory):
    its files hold exactly the levels describe_original builds, readable as np.save's, and the
    registration features come from the same working luminance."""
    from leaktrace.core import align, views

    ws, asset_id, tmp_path = workspace
    asset = assets.get(ws.context, asset_id)
    original = imagefiles.read_image(tmp_path / "original.png")
    expected = views.describe_original(original)
    folder = asset_cache._view_path(ws.context, asset.sha256)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["meta.json", "work.npy"] + [f"{n}{k}.npy" for k in range(len(expected.levels)) for n in ("luma", "mask")]
    )
    for k, (luma, mask) in enumerate(expected.levels):
        np.testing.assert_array_equal(np.load(folder / f"luma{k}.npy"), luma)
        np.testing.assert_array_equal(np.load(folder / f"mask{k}.npy").view(np.uint16), mask.view(np.uint16))
        assert np.load(folder / f"mask{k}.npy").dtype == np.float16
    np.testing.assert_array_equal(np.load(folder / "work.npy"), expected.work)
    cached = asset_cache.registration_features(ws.context, asset)
    direct = align.registration_features(original)
    np.testing.assert_array_equal(cached.points, direct.points)
    np.testing.assert_array_equal(cached.descriptors, direct.descriptors)


def test_a_lower_pixel_limit_does_not_lock_a_stored_original_out(workspace, monkeypatch):
    """An original passed the limit when it was added; its view is rebuilt from it even if
    max_pixels was lowered since (only new images are refused)."""
    import dataclasses

    ws, asset_id, _ = workspace
    asset = assets.get(ws.context, asset_id)
    monkeypatch.setattr(ws.context, "settings", dataclasses.replace(ws.context.settings, max_pixels=1000))
    asset_cache._OPEN.clear()
    shutil.rmtree(asset_cache._view_path(ws.context, asset.sha256))
    assert asset_cache.original_view(ws.context, asset).levels[0][0].shape == (360, 540)
