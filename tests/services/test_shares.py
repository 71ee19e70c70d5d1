"""Sharing: each copy is the recipient's exact fingerprint, stored as made, recorded, then delivered
once and discarded (unless retained), every step in the audit log."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from leaktrace import Workspace, imagefiles
from leaktrace.core import embed, geometry, keys, quality
from leaktrace.errors import BadInput, Conflict, Forbidden
from leaktrace.services import assets as assets_service
from leaktrace.services import copies as copies_service
from leaktrace.services import retention
from leaktrace.services import shares as shares_service
from tests.conftest import drawing, photo, save

NAMES = ["Apex Plastics GmbH", "Borealis Tooling AB", "Castellan Composites SpA"]


@pytest.fixture
def ws(tmp_path):
    w = Workspace.init(tmp_path / "ws")
    for n in NAMES:
        w.add_recipient(n)
    yield w
    w.close()


def _asset(ws, tmp_path, image, name="bumper.png", **params):
    return ws.add_assets([save(tmp_path / name, image, **params)])[0]["id"]


def _expected_copy(ws, asset_id, recipient_name):
    ctx = ws.context
    asset = assets_service.get(ctx, asset_id)
    prepared = assets_service.prepare(ctx, asset)
    r = next(x for x in ws.list_recipients() if x["name"] == recipient_name)
    with ctx.sessions() as session:
        from leaktrace.store import queries

        key_ref = queries.recipient_by_name_or_id(session, str(r["id"])).key_ref
    seed = keys.derive_seed(ctx.master_key, asset.key_ref, key_ref)
    signs = keys.signs_from_seed(seed, prepared.grid[0] * prepared.grid[1])
    moved = prepared.original
    if prepared.geometry is not None:
        moved = geometry.displace(prepared.original, keys.signs_from_seed(seed, prepared.geometry.k, carrier="geometric"), prepared.geometry)
    return prepared.original, embed.embed(moved, signs, strength=asset.strength, grid=prepared.grid, mask=prepared.mask)


def test_each_file_is_the_recipients_exact_copy_and_its_record(ws, tmp_path):
    asset_id = _asset(ws, tmp_path, drawing())
    seen = []
    rows = ws.share(asset_id, NAMES, tmp_path / "out", note="round 1", progress=lambda i, n, what: seen.append((i, n, what)))
    assert seen == [(i + 1, 3, n) for i, n in enumerate(NAMES)]
    stored = ws.list_shares()[-1]
    assert [c["sha256"] for c in stored["copies"]] == [r["sha256"] for r in rows]
    for r, listed in zip(rows, stored["copies"]):
        data = Path(r["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == r["sha256"] and r["size"] == listed["size"] == len(data)
        assert r["delivered_at"] == listed["delivered_at"] is not None and not r["stored"] and not listed["stored"]
        assert not ws.context.blobs.exists(r["sha256"])  # delivered, so discarded: the record keeps its hash and size
        original, want = _expected_copy(ws, asset_id, r["recipient"])
        got = imagefiles.read_image_bytes(data, "copy.png")
        assert np.array_equal(got, want)  # the file is embed()'s copy, bit for bit
        assert r["psnr"] == round(quality.psnr(original, want), 2)
        assert r["ssim"] == round(quality.ssim(original, want), 5)  # under 2 MP: exact
        assert r["share_id"] == stored["id"] and r["path"].endswith(".png")


def test_png_compression_setting_is_used(ws, tmp_path):
    asset_id = _asset(ws, tmp_path, photo(3))
    fast = ws.share(asset_id, NAMES[:1], tmp_path / "fast")[0]
    ws.close()
    with Workspace(ws.home, png_compression=0) as stored:
        raw = stored.share(asset_id, NAMES[:1], tmp_path / "raw")[0]
    size_fast, size_raw = (len(Path(r["path"]).read_bytes()) for r in (fast, raw))
    assert size_raw > 320 * 480 * 3 > size_fast
    assert fast["sha256"] != raw["sha256"] and fast["psnr"] == raw["psnr"]  # same pixels, other bytes


def test_large_images_are_checked_on_a_reference_copy_and_sampled_tiles(ws, tmp_path, monkeypatch):
    monkeypatch.setattr(copies_service, "SAMPLED_SSIM_FROM", 100_000)  # this 0.17 MP photo counts as large
    calls = []
    real = quality.ssim
    monkeypatch.setattr(quality, "ssim", lambda a, b: calls.append(1) or real(a, b))
    asset_id = _asset(ws, tmp_path, photo(4, (360, 480)))
    calls.clear()  # asset add measured its geometric carrier's reference copy
    rows = ws.share(asset_id, NAMES, tmp_path / "out")
    assert len(calls) == 1  # the reference copy, once per share; every copy on sampled tiles
    for r in rows:
        original, want = _expected_copy(ws, asset_id, r["recipient"])
        assert abs(r["ssim"] - real(original, want)) < 2e-3
        assert r["psnr"] == round(quality.psnr(original, want), 2)  # exact either way


def test_quality_gate_refuses_before_anything_is_recorded_or_written(ws, tmp_path, monkeypatch):
    asset_id = _asset(ws, tmp_path, photo(5))
    ws.close()
    with Workspace(ws.home, min_psnr=70.0) as strict:
        with pytest.raises(BadInput, match="misses the quality gate"):
            strict.share(asset_id, NAMES, tmp_path / "out")
        assert strict.list_shares() == []
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    monkeypatch.setattr(copies_service, "SAMPLED_SSIM_FROM", 100_000)
    with Workspace(ws.home, min_ssim=0.99999) as strict:
        with pytest.raises(BadInput, match="reference signs"):  # the reference copy fails first
            strict.share(asset_id, NAMES, tmp_path / "out")


def test_jpeg_originals_get_jpeg_copies_measured_as_received(ws, tmp_path):
    import cv2

    asset_id = _asset(ws, tmp_path, photo(6), name="render.jpg", q=int(cv2.IMWRITE_JPEG_QUALITY), v=95)
    rows = ws.share(asset_id, NAMES[:2], tmp_path / "out")
    for r in rows:
        assert r["path"].endswith(".jpg")
        original, _ = _expected_copy(ws, asset_id, r["recipient"])
        received = imagefiles.read_image(r["path"])
        assert r["psnr"] == round(quality.psnr(original, received), 2)
        assert r["ssim"] == round(quality.ssim(original, received), 5)


def test_copies_are_stored_one_by_one_as_they_are_made(ws, tmp_path):
    asset_id = _asset(ws, tmp_path, drawing())
    ctx = ws.context
    asset = assets_service.get(ctx, asset_id)
    with ctx.sessions() as session:
        from leaktrace.store import queries

        recipients = [queries.recipient_by_name_or_id(session, n) for n in NAMES]
        for r in recipients:
            session.expunge(r)
    made = copies_service.make(ctx, asset, assets_service.prepare(ctx, asset), recipients, "PNG")
    first = next(made)
    assert ctx.blobs.verify(first.sha256) and first.size == ctx.blobs.path(first.sha256).stat().st_size
    assert first.recipient.name == NAMES[0] and first.ssim_method == "exact"
    rest = list(made)
    assert [m.recipient.name for m in rest] == NAMES[1:]
    assert ws.list_shares() == []  # making copies records nothing: shares.share does, after all are stored


def test_share_refuses_bad_input(ws, tmp_path):
    asset_id = _asset(ws, tmp_path, drawing())
    with pytest.raises(BadInput):
        shares_service.share(ws.context, asset_id, [], tmp_path / "out")
    (tmp_path / "file").write_text("x")
    with pytest.raises(BadInput, match="not a folder"):
        shares_service.share(ws.context, asset_id, NAMES[:1], tmp_path / "file")


def test_memory_does_not_grow_with_the_number_of_recipients(ws, tmp_path):
    import tracemalloc

    names = [f"Supplier {i:02d}" for i in range(60)]
    for n in names:
        ws.add_recipient(n)
    asset_id = _asset(ws, tmp_path, photo(7))  # copies of about 0.3 MB each
    ws.share(asset_id, names[:2], tmp_path / "warm")  # caches, imports
    peaks = {}
    for n in (10, 60):
        tracemalloc.start()
        try:
            ws.share(asset_id, names[:n], tmp_path / f"out-{n}")
            peaks[n] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peaks[60] - peaks[10] < 2e6, peaks  # keeping every copy's bytes would add 50 × 0.3 MB


# ------------------------------------------------------------------------------ delivery and retention


def _entries(ws, action):
    return [e for e in reversed(ws.list_audit()) if e["action"] == action]


def test_a_delivered_copy_is_discarded_and_every_step_is_in_the_audit_log(ws, tmp_path):
    asset_id = _asset(ws, tmp_path, photo(3))
    rows = ws.share(asset_id, NAMES, tmp_path / "out", actor="ana@host")
    share_id = rows[0]["share_id"]
    delivered = _entries(ws, "copy.deliver")
    assert [(e["actor"], e["subject_type"], e["subject_id"]) for e in delivered] == [("ana@host", "share", str(share_id))] * 3
    assert [{k: v for k, v in e["details"].items() if k != "seal"} for e in delivered] == [
        {"recipient_id": r["recipient_id"], "copy_sha256": r["sha256"], "via": "folder"} for r in rows
    ]
    (discard,) = _entries(ws, "copy.discard")
    assert discard["details"]["copies"] == [{"recipient_id": r["recipient_id"], "copy_sha256": r["sha256"]} for r in rows]
    assert discard["details"]["reason"] == "delivered" and discard["id"] > delivered[-1]["id"]
    assert _entries(ws, "share")[0]["details"]["copies"] == [
        {"recipient_id": r["recipient_id"], "sha256": r["sha256"], "size": Path(r["path"]).stat().st_size} for r in rows
    ]
    assert sorted(ws.context.blobs) == [ws.list_assets()[0]["sha256"]]  # the original alone: no copy stays
    assert ws.verify_audit()["ok"]


def test_retain_copies_keeps_the_files_and_records_no_discard(ws, tmp_path):
    asset_id = _asset(ws, tmp_path, photo(3))
    ws.close()
    with Workspace(ws.home, retain_copies=True) as keeping:
        rows = keeping.share(asset_id, NAMES[:2], tmp_path / "out")
        assert all(keeping.context.blobs.verify(r["sha256"]) for r in rows)
        assert all(r["stored"] and r["delivered_at"] for r in rows)
        assert _entries(keeping, "copy.discard") == [] and len(_entries(keeping, "copy.deliver")) == 2
    with Workspace(ws.home) as later:  # retaining switched off: the next share discards what was kept
        later.share(asset_id, NAMES[2:], tmp_path / "out2")
        swept = [e for e in _entries(later, "copy.discard") if e["details"]["reason"] == "found stored after delivery"]
        assert [c["copy_sha256"] for c in swept[0]["details"]["copies"]] == [r["sha256"] for r in rows]
        assert not any(later.context.blobs.exists(r["sha256"]) for r in rows)
        assert later.verify_audit()["ok"]


def test_copies_made_without_a_folder_wait_for_their_sender_once(ws, tmp_path):
    asset_id = _asset(ws, tmp_path, photo(3))
    rows = ws.share(asset_id, NAMES[:2], None, actor="ana")
    assert all(r["stored"] and r["delivered_at"] is None and r["path"] is None for r in rows)
    assert all(ws.context.blobs.verify(r["sha256"]) for r in rows) and not (tmp_path / "out").exists()
    share_id = rows[0]["share_id"]
    with pytest.raises(Forbidden, match=f"share {share_id} was made by ana; only they"):
        ws.deliver_copies(share_id, tmp_path / "out", actor="bob")
    got = ws.deliver_copies(share_id, tmp_path / "out", actor="ana", via="zip")
    assert [hashlib.sha256(Path(r["path"]).read_bytes()).hexdigest() for r in got] == [r["sha256"] for r in rows]
    assert not any(ws.context.blobs.exists(r["sha256"]) for r in rows)
    assert {e["details"]["via"] for e in _entries(ws, "copy.deliver")} == {"zip"}
    with pytest.raises(Conflict, match=f"share {share_id} has no copy waiting for delivery"):
        ws.deliver_copies(share_id, tmp_path / "again", actor="ana")


def test_a_file_another_record_needs_is_never_discarded(ws, tmp_path):
    """The same recipient's copy of the same asset is the same file: one share waiting for it keeps it."""
    asset_id = _asset(ws, tmp_path, photo(3))
    waiting = ws.share(asset_id, NAMES[:1], None, actor="ana")[0]
    done = ws.share(asset_id, NAMES[:1], tmp_path / "out", actor="ana")[0]
    assert done["sha256"] == waiting["sha256"] and ws.context.blobs.verify(waiting["sha256"])
    assert _entries(ws, "copy.discard") == []  # nothing went
    ws.deliver_copies(waiting["share_id"], tmp_path / "later", actor="ana")
    assert not ws.context.blobs.exists(waiting["sha256"])


def test_a_leak_that_is_an_untouched_copy_keeps_its_file(ws, tmp_path):
    asset_id = _asset(ws, tmp_path, photo(3))
    row = ws.share(asset_id, NAMES, tmp_path / "out")[1]
    finding = ws.trace(row["path"])
    assert finding.leak.sha256 == row["sha256"] and finding.accused == (NAMES[1],)
    ws.share(asset_id, NAMES[:1], tmp_path / "out2")  # its sweep leaves the leak alone
    assert ws.context.blobs.verify(row["sha256"])


def test_a_process_killed_after_delivery_leaves_files_the_next_share_discards(ws, tmp_path, monkeypatch):
    asset_id = _asset(ws, tmp_path, photo(3))
    monkeypatch.setattr(retention, "unlink", lambda ctx, digests: 0)  # killed right after the delivery's commit
    rows = ws.share(asset_id, NAMES[:2], tmp_path / "out")
    assert all(ws.context.blobs.exists(r["sha256"]) for r in rows) and len(_entries(ws, "copy.discard")) == 1
    monkeypatch.undo()
    ws.share(asset_id, NAMES[2:], tmp_path / "out2")
    assert not any(ws.context.blobs.exists(r["sha256"]) for r in rows)
    assert [e["details"]["reason"] for e in _entries(ws, "copy.discard")] == ["delivered", "found stored after delivery", "delivered"]
    assert ws.verify_audit()["ok"]


def test_a_failed_share_leaves_no_copy_in_the_blob_store(ws, tmp_path, monkeypatch):
    asset_id = _asset(ws, tmp_path, photo(5))
    real = copies_service.make

    def dies_after_two(*args, **kwargs):
        for i, m in enumerate(real(*args, **kwargs)):
            if i == 2:
                raise KeyboardInterrupt
            yield m

    monkeypatch.setattr(copies_service, "make", dies_after_two)
    with pytest.raises(KeyboardInterrupt):
        ws.share(asset_id, NAMES, tmp_path / "out")
    assert ws.list_shares() == [] and sorted(ws.context.blobs) == [ws.list_assets()[0]["sha256"]]


def test_to_all_shares_with_every_recipient_once(ws, tmp_path):
    asset = _asset(ws, tmp_path, photo((96, 128)))
    rows = ws.share(asset, ["all", NAMES[1]], tmp_path / "out")
    assert sorted(r.recipient for r in rows) == sorted(NAMES)  # every recipient, each once


def test_to_all_is_refused_when_a_recipient_is_named_all(ws, tmp_path):
    asset = _asset(ws, tmp_path, photo((96, 128)))
    ws.add_recipient("all")
    with pytest.raises(BadInput, match="a recipient is named 'all': name them by id"):
        ws.share(asset, ["all"], tmp_path / "out")
    assert ws.list_shares() == []
