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
