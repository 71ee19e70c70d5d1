"""Assets: originals validated before anything is stored, duplicates found by hash, what the
fingerprint needs fixed once per asset."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from leaktrace import Workspace
from leaktrace.core import embed, quality
from leaktrace.errors import BadInput, ImageRejected, NotFound
from leaktrace.services import asset_cache, assets
from tests.conftest import DATA, drawing, photo, save


@pytest.fixture()
def ws(tmp_path):
    workspace = Workspace.init(tmp_path / "ws")
    yield workspace
    workspace.close()


def test_an_asset_fixes_its_grid_and_a_strength_that_meets_the_quality_target(ws, tmp_path):
    added = ws.add_assets([save(tmp_path / "bumper.png", drawing())], title="Bumper")[0]
    assert (added.title, added.width, added.height, added.duplicate) == ("Bumper", 540, 360, False)
    asset = assets.get(ws.context, added.id)
    prepared = assets.prepare(ws.context, asset)
    assert prepared.original.shape == (360, 540, 3) and prepared.mask.shape == (360, 540)
    signs = np.where(np.arange(asset.grid_y * asset.grid_x) % 3, 1, -1).astype(np.int8)
    copy = embed.embed(prepared.original, signs, strength=asset.strength, grid=prepared.grid, mask=prepared.mask)
    assert quality.psnr(prepared.original, copy) == pytest.approx(ws.settings.target_psnr, abs=0.3)
    assert asset_cache.original_view(ws.context, asset).shape == (360, 540)


def test_the_same_bytes_twice_are_one_asset(ws, tmp_path):
    path = save(tmp_path / "photo.png", photo(1))
    first = ws.add_assets([path])[0]
    again = ws.add_assets([path], title="another title")[0]
    assert again.duplicate and again.id == first.id and again.title == first.title
    assert [a.id for a in ws.list_assets()] == [first.id]


def test_one_bad_file_stores_nothing(ws, tmp_path):
    good = save(tmp_path / "good.png", photo(2))
    with pytest.raises(ImageRejected, match="truncated.png"):
        ws.add_assets([good, DATA / "truncated.png"])
    assert ws.list_assets() == []
    assert not ws.context.blobs.exists(hashlib.sha256(good.read_bytes()).hexdigest())


def test_assets_are_listed_oldest_first_and_unknown_ids_refused(ws, tmp_path):
    ids = [ws.add_assets([save(tmp_path / f"p{i}.png", photo(10 + i))])[0].id for i in range(3)]
    assert [a.id for a in ws.list_assets()] == ids
    for bad in (999, "x", None):
        with pytest.raises(NotFound, match="no asset numbered"):
            assets.get(ws.context, bad)


def test_each_new_asset_leaves_an_audit_entry_with_the_originals_hash(ws, tmp_path):
    from leaktrace.services import audit

    path = save(tmp_path / "bumper.png", photo(3, (120, 160)))
    added = ws.add_assets([path], title="Bumper", actor="ana")[0]
    ws.add_assets([path])  # a duplicate changes nothing: no entry
    other = ws.add_assets([save(tmp_path / "door.png", photo(4, (96, 128)))])[0]  # no actor: the OS account and host
    entries = [e for e in reversed(ws.list_audit()) if e.action == "asset.add"]
    assert [(e.actor, e.subject_type, e.subject_id) for e in entries] == [
        ("ana", "asset", str(added.id)),
        (audit.default_actor(), "asset", str(other.id)),
    ]
    details = entries[0].details
    assert {k: details[k] for k in ("sha256", "title", "filename", "format", "width", "height")} == {
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "title": "Bumper",
        "filename": "bumper.png",
        "format": "PNG",
        "width": 160,
        "height": 120,
    }
    assert ws.verify_audit().ok


def test_a_drawing_gets_a_geometric_carrier_chosen_from_the_image_and_recorded(ws, tmp_path):
    from leaktrace.core import geometry

    added = ws.add_assets([save(tmp_path / "bumper.png", drawing())], title="Bumper")[0]
    assert added.geometric_carrier == geometry.grid_for((360, 540))
    assert added.geometric_amplitude_px in geometry.AMPLITUDES and added.max_displacement_px == ws.settings.geometric_max_px == 0.5
    (entry,) = [e for e in ws.list_audit() if e.action == "asset.add"]
    assert entry.details["geometric"] == {"grid": list(added.geometric_carrier), "amplitude_px": added.geometric_amplitude_px, "max_px": 0.5}
    flat = ws.add_assets([save(tmp_path / "grey.png", np.full((200, 300, 3), 128, np.uint8))])[0]
    assert flat.geometric_carrier is None and flat.geometric_amplitude_px is None  # nothing to move


def test_the_geometric_carrier_can_be_turned_off_for_new_assets(tmp_path):
    with Workspace.init(tmp_path / "ws") as w:
        w.add_recipient("Apex")
        w.add_recipient("Borealis")
    with Workspace(tmp_path / "ws", geometric_amplitude_px=0.0) as w:
        added = w.add_assets([save(tmp_path / "bumper.png", drawing())])[0]
        assert added.geometric_carrier is None
        rows = w.share(added.id, ["Apex", "Borealis"], tmp_path / "out")
        assert all(r["psnr"] >= 45.0 and r["psnr_luminance"] is None for r in rows)  # the luminance mark alone, as before
        finding = w.trace(rows[1]["path"])
        assert finding.accused == ("Borealis",) and finding.n_tests == 2 * (finding.alignment.hypotheses or 1)  # one statistic


def test_an_image_whose_reference_copy_misses_the_gate_is_refused_before_anything_is_stored(tmp_path):
    Workspace.init(tmp_path / "ws").close()
    good = save(tmp_path / "good.png", photo(1, (120, 160)))
    noisy = save(tmp_path / "noisy.png", np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8))
    with Workspace(tmp_path / "ws", min_ssim=0.9999) as ws:  # a gate no mark can pass
        before = set(ws.context.blobs)
        with pytest.raises(BadInput, match=r"^good\.png: a fingerprinted copy misses the quality gate \(PSNR .*\); nothing was registered"):
            ws.add_assets([good, noisy])  # the first file already misses it: the second is never stored
        assert ws.list_assets() == [] and set(ws.context.blobs) == before  # neither file was stored
    with Workspace(tmp_path / "ws") as ws:  # under the usual gate the same photo is registered
        assert [a.filename for a in ws.add_assets([good])] == ["good.png"]
