"""Stored files for the interfaces: an asset's original, a recorded copy, a finding's leak, each
with its bytes as stored, its file name and its media type; only what is recorded is handed out,
and a copy only to its share's sender once, or to an admin with a reason (each act audited)."""

from __future__ import annotations

import hashlib
import json

import cv2
import pytest

from leaktrace import Workspace
from leaktrace.errors import BadInput, Conflict, EvidenceTampered, Forbidden, NotFound
from leaktrace.records import StoredFile
from leaktrace.services import files
from tests.conftest import photo, record_finding, save


@pytest.fixture
def ws(tmp_path):
    w = Workspace.init(tmp_path / "ws")
    w.add_recipient("Apex Plastics GmbH")
    yield w
    w.close()


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"\x89PNG\r\n\x1a\n\x00", "image/png"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"RIFF\x00\x00\x00\x00WEBP", "image/webp"),
        (b"GIF89a", "image/gif"),
        (b"II*\x00", "image/tiff"),
        (b"MM\x00*", "image/tiff"),
        (b"BM\x00\x00", "image/bmp"),
        (b"%PDF-1.7", "application/pdf"),
        (b"", "application/octet-stream"),
        (b"\x89PN", "application/octet-stream"),  # a truncated magic
    ],
)
def test_media_type_from_the_first_bytes(data, kind):
    assert files.media_type(data) == kind


def test_an_assets_file_is_its_original_under_its_registered_name(ws, tmp_path):
    path = save(tmp_path / "Bumper Rev C.png", photo(0, (96, 128)))
    asset_id = ws.add_assets([path])[0]["id"]
    got = files.asset_file(ws.context, asset_id)
    assert isinstance(got, StoredFile)
    assert (got.data, got.filename, got.media_type) == (path.read_bytes(), "Bumper Rev C.png", "image/png")
    assert files.asset_file(ws.context, str(asset_id)).data == got.data  # ids as the interfaces pass them
    jpeg = save(tmp_path / "render.jpg", photo(1, (96, 128)), q=int(cv2.IMWRITE_JPEG_QUALITY), v=90)
    other = ws.add_assets([jpeg])[0]["id"]
    assert files.asset_file(ws.context, other).media_type == "image/jpeg"


@pytest.mark.parametrize("asset_id", [999, "nope"])
def test_an_unknown_asset_has_no_file(ws, asset_id):
    with pytest.raises(NotFound):
        files.asset_file(ws.context, asset_id)


def _details(ws, action):
    return [{k: v for k, v in e["details"].items() if k != "seal"} for e in reversed(ws.list_audit()) if e["action"] == action]


def test_a_waiting_copy_is_delivered_once_to_its_sender_under_the_name_the_share_gave_it(ws, tmp_path):
    asset_id = ws.add_assets([save(tmp_path / "bumper.png", photo(3, (96, 128)))])[0]["id"]
    row = ws.share(asset_id, ["Apex Plastics GmbH"], None, actor="ana")[0]
    with pytest.raises(Forbidden, match="waits for its sender, ana; only they can take it"):
        files.deliver_copy(ws.context, row["sha256"], actor="bob")
    got = files.deliver_copy(ws.context, row["sha256"].upper(), actor="ana")  # the digest in either case
    assert (got.filename, got.media_type) == ("bumper--apex-plastics-gmbh.png", "image/png")
    assert hashlib.sha256(got.data).hexdigest() == row["sha256"] and len(got.data) == row["size"]
    assert not ws.context.blobs.exists(row["sha256"])  # discarded once delivered
    assert _details(ws, "copy.deliver") == [{"recipient_id": row["recipient_id"], "copy_sha256": row["sha256"], "via": "download"}]
    assert _details(ws, "copy.discard") == [{"copies": [{"recipient_id": row["recipient_id"], "copy_sha256": row["sha256"]}], "reason": "delivered"}]
    with pytest.raises(Conflict, match="was delivered on .* UTC and is handed over once"):
        files.deliver_copy(ws.context, row["sha256"], actor="ana")
    assert ws.list_shares()[0]["copies"][0]["delivered_at"] is not None and ws.verify_audit()["ok"]


def test_only_recorded_copies_are_handed_out(ws, tmp_path):
    """A blob that is not a copy (here the asset's original) is not served by its digest."""
    path = save(tmp_path / "bumper.png", photo(4, (96, 128)))
    asset = ws.add_assets([path])[0]
    assert ws.context.blobs.exists(asset["sha256"])
    with pytest.raises(NotFound, match=asset["sha256"]):
        files.deliver_copy(ws.context, asset["sha256"].upper(), actor="ana")
    with pytest.raises(NotFound):
        files.deliver_copy(ws.context, "0" * 64, actor="ana")


def test_a_retained_copy_is_downloaded_with_a_reason_and_a_discarded_one_is_not(ws, tmp_path):
    asset_id = ws.add_assets([save(tmp_path / "bumper.png", photo(3, (96, 128)))])[0]["id"]
    gone = ws.share(asset_id, ["Apex Plastics GmbH"], tmp_path / "out")[0]
    with pytest.raises(NotFound, match=f"the copy share {gone['share_id']} made for Apex Plastics GmbH was not retained"):
        files.download_copy(ws.context, gone["share_id"], "Apex Plastics GmbH", reason="audit")
    ws.close()
    with Workspace(ws.home, retain_copies=True) as keeping:
        kept = keeping.share(asset_id, ["Apex Plastics GmbH"], tmp_path / "out2")[0]
        with pytest.raises(BadInput, match="downloading a copy needs a reason"):
            files.download_copy(keeping.context, kept["share_id"], "Apex Plastics GmbH", reason=" ")
        got = files.download_copy(keeping.context, kept["share_id"], str(kept["recipient_id"]), reason="court order", actor="root@vault")
        assert got.data == (tmp_path / "out2" / kept["filename"]).read_bytes()
        entry = next(e for e in keeping.list_audit() if e["action"] == "copy.download")
        assert (entry["actor"], entry["subject_type"], entry["subject_id"]) == ("root@vault", "share", str(kept["share_id"]))
        assert _details(keeping, "copy.download") == [{"recipient_id": kept["recipient_id"], "copy_sha256": kept["sha256"], "reason": "court order"}]
        path = keeping.context.blobs.path(kept["sha256"])  # a stored copy that no longer hashes to its record is not handed out
        path.chmod(0o600)
        path.write_bytes(b"forged")
        with pytest.raises(EvidenceTampered, match="no longer hashes"):
            files.download_copy(keeping.context, kept["share_id"], "Apex Plastics GmbH", reason="again")


def test_a_findings_leak_is_the_file_as_it_was_found(ws, tmp_path):
    leak = save(tmp_path / "found on forum.png", photo(2, (48, 64)))
    ws.close()
    finding_id = record_finding(ws.home, leak, ["Apex Plastics GmbH"])
    with Workspace(ws.home) as again:
        got = files.leak_file(again.context, finding_id)
        assert (got.data, got.filename, got.media_type) == (leak.read_bytes(), "found on forum.png", "image/png")
        leak.unlink()  # the stored bytes, not the file on disk
        assert files.leak_file(again.context, str(finding_id)).data == got.data
        with pytest.raises(NotFound):
            files.leak_file(again.context, finding_id + 1)


def test_a_leak_that_is_byte_for_byte_a_copy_is_handed_over_as_a_copy(ws, tmp_path):
    """Tracing an untouched copy stores the supplier's exact copy as the leak: it goes to an admin (or the
    local operator) with a reason, as copy.download, never to whoever reads; other leaks stay as they were."""
    asset_id = ws.add_assets([save(tmp_path / "bumper.png", photo(3, (96, 128)))])[0]["id"]
    row = ws.share(asset_id, ["Apex Plastics GmbH"], tmp_path / "out", actor="ana")[0]
    copy = tmp_path / "out" / row["filename"]
    ws.close()
    copy_finding = record_finding(ws.home, copy, ["Apex Plastics GmbH"], ("Apex Plastics GmbH",))
    other = record_finding(ws.home, save(tmp_path / "other.png", photo(2, (48, 64))), ["Apex Plastics GmbH"])
    with Workspace(ws.home) as again:
        (made,) = files.leak_copies(again.context, copy_finding)
        assert (made.share_id, made.recipient, made.sha256, made.stored) == (row["share_id"], "Apex Plastics GmbH", row["sha256"], True)
        assert files.leak_copies(again.context, other) == []
        entries = len(again.list_audit())
        assert files.leak_file(again.context, other, role="auditor").filename == "other.png"  # not a copy: as before, no entry
        what = f"the leak file of finding {copy_finding} is byte for byte the copy share {row['share_id']} made for Apex Plastics GmbH"
        for role in ("auditor", "analyst"):
            with pytest.raises(Forbidden, match=f"^{what}; only an admin may download it, with a reason recorded in the audit log.$") as exc:
                files.leak_file(again.context, copy_finding, role=role, reason="curious", actor=role)
            assert exc.value.http_status == 403
        for role in ("admin", None):
            with pytest.raises(BadInput, match=f"^{what}: downloading it needs a reason"):
                files.leak_file(again.context, copy_finding, role=role, reason="  ")
        assert len(again.list_audit()) == entries
        got = files.leak_file(again.context, copy_finding, role="admin", reason="court  order", actor="root")
        assert got.data == copy.read_bytes() and got.filename == row["filename"]
        entry = again.list_audit()[0]
        assert (entry["actor"], entry["action"], entry["subject_type"], entry["subject_id"]) == (
            "root",
            "copy.download",
            "share",
            str(row["share_id"]),
        )
        assert _details(again, "copy.download") == [
            {"recipient_id": row["recipient_id"], "copy_sha256": row["sha256"], "reason": "court order", "via": "leak", "finding_id": copy_finding}
        ]
        path = again.context.blobs.path(row["sha256"])  # the bytes are checked against the copy's SHA-256 first
        path.chmod(0o600)
        path.write_bytes(b"forged")
        with pytest.raises(EvidenceTampered, match="no longer hashes"):
            files.leak_file(again.context, copy_finding, reason="again")
        assert len(again.list_audit()) == entries + 1


def test_a_download_is_checkpointed_off_the_machine_at_once(ws, tmp_path):
    worm = tmp_path / "worm"
    worm.mkdir()
    ws.close()
    with Workspace(ws.home, retain_copies=True, checkpoint_dir=str(worm)) as keeping:
        asset_id = keeping.add_assets([save(tmp_path / "bumper.png", photo(3, (96, 128)))])[0]["id"]
        kept = keeping.share(asset_id, ["Apex Plastics GmbH"], tmp_path / "out")[0]
        files.download_copy(keeping.context, kept["share_id"], "Apex Plastics GmbH", reason="court order")
        entry = next(e for e in keeping.list_audit() if e["action"] == "copy.download")
        (exported,) = worm.glob("*.json")
        assert json.loads(exported.read_text())["tree_size"] == entry["id"]
