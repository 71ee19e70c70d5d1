"""Making a share's copies: each is the recipient's exact fingerprint, measured (PSNR exact, SSIM
exact or sampled), gated and stored in the blob store as it is made, and nothing is recorded; a
recorded copy made again from the key and the original, with a reason, is the same file and an audit entry."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from leaktrace import Workspace, imagefiles
from leaktrace.core import embed, geometry, keys, quality
from leaktrace.errors import BadInput, NotFound
from leaktrace.samples.synthetic import soft_ellipses
from leaktrace.services import assets as assets_service
from leaktrace.services import copies
from leaktrace.store import queries
from tests.conftest import photo, save

NAMES = ["Apex Plastics GmbH", "Borealis Tooling AB", "Castellan Composites SpA"]


@pytest.fixture
def home(tmp_path):
    with Workspace.init(tmp_path / "ws") as w:
        for n in NAMES:
            w.add_recipient(n)
    return tmp_path / "ws"


def _setup(ws, tmp_path, image, name="part.png", **params):
    """The asset row, its prepared original and the recipients' rows (detached), as shares.share has them."""
    ctx = ws.context
    asset_id = ws.add_assets([save(tmp_path / name, image, **params)])[0]["id"]
    asset = assets_service.get(ctx, asset_id)
    with ctx.sessions() as session:
        recipients = [queries.recipient_by_name_or_id(session, n) for n in NAMES]
        for r in recipients:
            session.expunge(r)
    return asset, assets_service.prepare(ctx, asset), recipients


def _displaced(ctx, asset, prepared, recipient) -> np.ndarray:
    """The original moved by the recipient's geometric field (itself when the asset has none)."""
    if prepared.geometry is None:
        return prepared.original
    seed = keys.derive_seed(ctx.master_key, asset.key_ref, recipient.key_ref)
    return geometry.displace(prepared.original, keys.signs_from_seed(seed, prepared.geometry.k, carrier="geometric"), prepared.geometry)


def _expected(ctx, asset, prepared, recipient) -> np.ndarray:
    k = prepared.grid[0] * prepared.grid[1]
    signs = keys.signs_from_seed(keys.derive_seed(ctx.master_key, asset.key_ref, recipient.key_ref), k)
    moved = _displaced(ctx, asset, prepared, recipient)
    return embed.embed(moved, signs, strength=asset.strength, grid=prepared.grid, mask=prepared.mask)


def test_each_copy_is_the_recipients_fingerprint_measured_exactly(home, tmp_path):
    with Workspace(home) as ws:
        ctx = ws.context
        asset, prepared, recipients = _setup(ws, tmp_path, photo(1, (120, 160)))
        made = list(copies.make(ctx, asset, prepared, recipients, "PNG"))
        assert [m.recipient.name for m in made] == NAMES
        assert len({m.sha256 for m in made}) == 3  # one fingerprint each
        for m, r in zip(made, recipients):
            want = _expected(ctx, asset, prepared, r)
            data = ctx.blobs.get(m.sha256)
            assert m.size == len(data) and data.startswith(b"\x89PNG")
            assert np.array_equal(imagefiles.read_image_bytes(data, "copy.png"), want)  # bit for bit
            assert m.psnr == pytest.approx(quality.psnr(prepared.original, want), abs=1e-9)  # exact, from the strips
            assert m.ssim == pytest.approx(quality.ssim(prepared.original, want), abs=1e-12)
            assert m.ssim_method == "exact"
            assert prepared.geometry is not None  # a photo has edges: both carriers
            moved = _displaced(ctx, asset, prepared, r)
            assert m.psnr_luminance == pytest.approx(quality.psnr(moved, want), abs=1e-9)  # the luminance mark alone
            assert m.psnr_luminance >= ctx.settings.min_psnr and m.ssim >= ctx.settings.min_ssim
        assert ws.list_shares() == []  # nothing recorded


def test_large_copies_are_sampled_and_the_reference_copy_is_checked(home, tmp_path, monkeypatch):
    monkeypatch.setattr(copies, "SAMPLED_SSIM_FROM", 10_000)  # this 0.02 MP photo counts as large
    calls = []
    exact = quality.ssim
    monkeypatch.setattr(quality, "ssim", lambda a, b: calls.append(1) or exact(a, b))
    with Workspace(home) as ws:
        ctx = ws.context
        asset, prepared, recipients = _setup(ws, tmp_path, photo(2, (120, 160)))
        calls.clear()  # asset add measured its geometric carrier's reference copy
        made = list(copies.make(ctx, asset, prepared, recipients, "PNG"))
        assert len(calls) == 1  # the reference copy only
        for m, r in zip(made, recipients):
            want = _expected(ctx, asset, prepared, r)
            assert m.ssim_method == "sampled"
            assert m.psnr == pytest.approx(quality.psnr(prepared.original, want), abs=1e-9)
            assert abs(m.ssim - exact(prepared.original, want)) < 5e-3  # a few tiles of a 0.02 MP photo


def test_a_copy_missing_the_gate_stops_before_it_is_yielded_and_stored(home, tmp_path):
    with Workspace(home) as plain:  # registered under the usual gate, shared under a stricter one
        _setup(plain, tmp_path, photo(3, (120, 160)))
    with Workspace(home, min_psnr=70.0) as ws:
        ctx = ws.context
        asset, prepared, recipients = _setup(ws, tmp_path, photo(3, (120, 160)))
        before = set(ctx.blobs)
        made = copies.make(ctx, asset, prepared, recipients, "PNG")
        with pytest.raises(BadInput, match=f"asset {asset.id} for {NAMES[0]} misses the quality gate"):
            next(made)
        assert set(ctx.blobs) == before


def test_a_reference_copy_missing_the_gate_stops_before_any_copy(home, tmp_path, monkeypatch):
    monkeypatch.setattr(copies, "SAMPLED_SSIM_FROM", 10_000)
    with Workspace(home) as plain:
        _setup(plain, tmp_path, photo(4, (120, 160)))
    with Workspace(home, min_ssim=0.99999) as ws:
        ctx = ws.context
        asset, prepared, recipients = _setup(ws, tmp_path, photo(4, (120, 160)))
        before = set(ctx.blobs)
        with pytest.raises(BadInput, match="for the reference signs misses the quality gate"):
            next(copies.make(ctx, asset, prepared, recipients, "PNG"))
        assert set(ctx.blobs) == before


def test_jpeg_copies_are_measured_as_received(home, tmp_path):
    with Workspace(home) as ws:
        ctx = ws.context
        asset, prepared, recipients = _setup(ws, tmp_path, soft_ellipses((120, 160)), name="render.jpg", q=int(cv2.IMWRITE_JPEG_QUALITY), v=95)
        made = list(copies.make(ctx, asset, prepared, recipients[:2], "JPEG"))
        for m, r in zip(made, recipients):
            data = ctx.blobs.get(m.sha256)
            assert data.startswith(b"\xff\xd8\xff")
            received = imagefiles.read_image_bytes(data, "copy.jpg")
            assert m.psnr == pytest.approx(quality.psnr(prepared.original, received), abs=1e-9)
            assert m.ssim == pytest.approx(quality.ssim(prepared.original, received), abs=1e-12)
            # what the recipient receives is not the fingerprinted pixels themselves
            assert m.psnr < quality.psnr(prepared.original, _expected(ctx, asset, prepared, r))


def test_no_recipients_no_copies(home, tmp_path):
    with Workspace(home) as ws:
        asset, prepared, _ = _setup(ws, tmp_path, photo(6, (120, 160)))
        assert list(copies.make(ws.context, asset, prepared, [], "PNG")) == []


# ------------------------------------------------------------------------------ regeneration


def _regenerations(ws):
    return [e for e in reversed(ws.list_audit()) if e["action"] == "copy.regenerate"]


def test_a_regenerated_copy_is_the_recorded_file_and_the_act_is_audited(home, tmp_path):
    with Workspace(home) as ws:
        asset_id = ws.add_assets([save(tmp_path / "part.png", photo(7, (120, 160)))])[0]["id"]
        rows = ws.share(asset_id, NAMES, tmp_path / "out")
        before = sorted(ws.context.blobs)
        made, stored = ws.regenerate_copy(rows[0]["share_id"], NAMES[1], reason="court order 12/2027", actor="root@vault")
        assert stored.data == (tmp_path / "out" / rows[1]["filename"]).read_bytes()  # byte for byte
        assert (stored.filename, stored.media_type) == (rows[1]["filename"], "image/png")
        assert made.matches and made.sha256 == made.recorded_sha256 == rows[1]["sha256"] and made.size == len(stored.data)
        assert (made.share_id, made.recipient, made.recipient_id) == (rows[0]["share_id"], NAMES[1], rows[1]["recipient_id"])
        assert sorted(ws.context.blobs) == before  # a regenerated copy is never stored
        (entry,) = _regenerations(ws)
        assert (entry["actor"], entry["subject_type"], entry["subject_id"]) == ("root@vault", "share", str(rows[0]["share_id"]))
        assert {k: v for k, v in entry["details"].items() if k != "seal"} == {
            "recipient_id": rows[1]["recipient_id"],
            "copy_sha256": rows[1]["sha256"],
            "reason": "court order 12/2027",
            "matches": True,
            "regenerated_sha256": rows[1]["sha256"],
        }
        assert ws.verify_audit()["ok"]
        again, _ = ws.regenerate_copy(str(rows[0]["share_id"]), str(rows[2]["recipient_id"]), reason="x")  # ids as text, by recipient id
        assert again.recipient == NAMES[2] and again.matches


def test_a_regeneration_is_checkpointed_off_the_machine_at_once(home, tmp_path):
    """With ``checkpoint_dir`` set, the act is in a signed head kept elsewhere before its bytes are handed out:
    cutting it off the end of the log later is caught."""
    worm = tmp_path / "worm"
    worm.mkdir()
    with Workspace(home, checkpoint_dir=str(worm)) as ws:
        asset_id = ws.add_assets([save(tmp_path / "part.png", photo(7, (120, 160)))])[0]["id"]
        rows = ws.share(asset_id, NAMES, tmp_path / "out")
        ws.regenerate_copy(rows[0]["share_id"], NAMES[1], reason="court order 12/2027")
        (entry,) = _regenerations(ws)
        (exported,) = worm.glob("*.json")
        head = json.loads(exported.read_text())
        assert head["tree_size"] == entry["id"]  # the checkpoint covers the regeneration, and ends with it
        assert ws.verify_audit_against(exported).ok


def test_a_regeneration_that_differs_says_so_and_is_still_recorded(home, tmp_path):
    with Workspace(home) as ws:
        asset_id = ws.add_assets([save(tmp_path / "part.png", photo(7, (120, 160)))])[0]["id"]
        share_id = ws.share(asset_id, NAMES[:1], tmp_path / "out")[0]["share_id"]
    with Workspace(home, png_compression=0) as other:  # another encoder setting: same pixels, other bytes
        made, stored = other.regenerate_copy(share_id, NAMES[0], reason="check")
        assert not made.matches and made.sha256 != made.recorded_sha256
        written = imagefiles.read_image(tmp_path / "out" / made.filename)
        assert np.array_equal(imagefiles.read_image_bytes(stored.data, "copy.png"), written)
        assert _regenerations(other)[0]["details"]["matches"] is False


def test_a_jpeg_copy_regenerates_as_jpeg(home, tmp_path):
    with Workspace(home) as ws:
        path = save(tmp_path / "render.jpg", soft_ellipses((120, 160)), q=int(cv2.IMWRITE_JPEG_QUALITY), v=95)
        row = ws.share(ws.add_assets([path])[0]["id"], NAMES[:1], tmp_path / "out")[0]
        made, stored = ws.regenerate_copy(row["share_id"], NAMES[0], reason="check")
        assert made.matches and stored.media_type == "image/jpeg" and stored.filename.endswith(".jpg")


@pytest.mark.parametrize("reason", [None, "", "   \n\t"])
def test_regenerating_without_a_reason_is_refused_in_one_line(home, tmp_path, reason):
    with Workspace(home) as ws:
        asset_id = ws.add_assets([save(tmp_path / "part.png", photo(7, (120, 160)))])[0]["id"]
        share_id = ws.share(asset_id, NAMES[:1], tmp_path / "out")[0]["share_id"]
        with pytest.raises(BadInput) as caught:
            ws.regenerate_copy(share_id, NAMES[0], reason=reason)
        assert str(caught.value) == "regenerating a copy needs a reason (--reason); it is recorded in the audit log."
        assert _regenerations(ws) == []


def test_regenerating_names_what_is_not_there(home, tmp_path):
    with Workspace(home) as ws:
        asset_id = ws.add_assets([save(tmp_path / "part.png", photo(7, (120, 160)))])[0]["id"]
        share_id = ws.share(asset_id, NAMES[:1], tmp_path / "out")[0]["share_id"]
        with pytest.raises(NotFound, match=f"share {share_id} made no copy for 'Borealis Tooling AB'"):
            ws.regenerate_copy(share_id, NAMES[1], reason="x")
        for bad in (99, "nope"):
            with pytest.raises(NotFound, match="no share numbered"):
                ws.regenerate_copy(bad, NAMES[0], reason="x")
