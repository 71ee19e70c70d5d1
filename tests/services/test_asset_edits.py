"""Editing and archiving assets: each change is an audit entry that renews the asset's seal, a hand
edit is still named, an archived asset is still traced but hidden from the lists and never shared."""

from __future__ import annotations

import sqlite3

import cv2
import pytest

from leaktrace import Workspace
from leaktrace.errors import BadInput, Conflict, EvidenceTampered
from leaktrace.services import asset_edits, assets
from tests.conftest import photo, save
from tests.services.test_documents import drawing_pdf


@pytest.fixture()
def ws(tmp_path):
    workspace = Workspace.init(tmp_path / "ws")
    yield workspace
    workspace.close()


def _entries(ws, action):
    return [e for e in reversed(ws.list_audit()) if e.action == action]


def test_an_edit_is_audited_with_the_title_before_and_after(ws, tmp_path):
    a = ws.add_assets([save(tmp_path / "bumper.png", photo(1, (96, 128)))], title="Bumper")[0]
    edited = ws.edit_asset(a.id, title="  Bumper   assembly, rev C ", actor="alice")
    assert (edited.id, edited.title, edited.sha256, edited.carrier) == (a.id, "Bumper assembly, rev C", a.sha256, a.carrier)
    (entry,) = _entries(ws, "asset.edit")
    assert (entry.actor, entry.subject_type, entry.subject_id) == ("alice", "asset", str(a.id))
    assert (entry.details["before"], entry.details["after"]) == ({"title": "Bumper"}, {"title": "Bumper assembly, rev C"})
    assert entry.details["seal"]["sha256"]  # the entry renews the asset's seal
    ws.edit_asset(a.id, title="Bumper assembly, rev C")  # the same title: nothing changes, nothing recorded
    assert len(_entries(ws, "asset.edit")) == 1
    for bad in ("", "   ", "x" * 501):
        with pytest.raises(BadInput):
            ws.edit_asset(a.id, title=bad)
    assert ws.show_asset(a.id).title == "Bumper assembly, rev C"
    assert ws.verify_audit().ok


def test_audit_verify_stays_valid_through_edit_archive_and_restore(ws, tmp_path):
    a = ws.add_assets([save(tmp_path / "a.png", photo(2, (96, 128)))])[0]
    ws.edit_asset(a.id, title="Renamed")
    archived = ws.archive_asset(a.id, actor="bob")
    assert archived.archived_at is not None
    assert ws.verify_audit().ok
    restored = ws.restore_asset(a.id)
    assert restored.archived_at is None
    check = ws.verify_audit()
    assert check.ok, check.reason
    assert [e.action for e in reversed(ws.list_audit()) if e.subject_type == "asset"] == ["asset.add", "asset.edit", "asset.archive", "asset.restore"]
    with pytest.raises(Conflict, match="not archived"):
        ws.restore_asset(a.id)
    ws.archive_asset(a.id)
    with pytest.raises(Conflict, match="archived already"):
        ws.archive_asset(a.id)


def test_a_hand_edit_of_the_title_is_named_and_no_later_edit_launders_it(ws, tmp_path):
    a = ws.add_assets([save(tmp_path / "a.png", photo(3, (96, 128)))], title="Honest")[0]
    ws.edit_asset(a.id, title="Still honest")
    with sqlite3.connect(ws.home / "leaktrace.db") as db:
        db.execute("UPDATE assets SET title = 'Forged' WHERE id = ?", (a.id,))
    check = ws.verify_audit()
    assert not check.ok and (check.problem, check.record) == ("edited", f"asset {a.id}"), check
    assert f"asset {a.id} was changed" in check.reason
    with pytest.raises(EvidenceTampered):
        ws.edit_asset(a.id, title="Covering up")
    with pytest.raises(EvidenceTampered):
        ws.archive_asset(a.id)


def test_a_hand_archive_is_named_too(ws, tmp_path):
    a = ws.add_assets([save(tmp_path / "a.png", photo(4, (96, 128)))])[0]
    with sqlite3.connect(ws.home / "leaktrace.db") as db:
        db.execute("UPDATE assets SET archived_at = '2026-01-01 00:00:00.000000' WHERE id = ?", (a.id,))
    assert not ws.verify_audit().ok


def test_archived_assets_leave_the_lists_but_not_the_store(ws, tmp_path):
    kept, old = (ws.add_assets([save(tmp_path / f"{n}.png", photo(10 + i, (96, 128)))])[0] for i, n in enumerate(("kept", "old")))
    ws.archive_asset(old.id)
    assert [x.id for x in ws.list_assets()] == [kept.id]
    assert [(x.id, x.archived_at is not None) for x in ws.list_assets(archived=True)] == [(old.id, True)]
    assert ws.show_asset(old.id).archived_at is not None  # shown by id: kept for evidence
    assert {x.id for x in assets.all_assets(ws.context)} == {kept.id, old.id}  # what every trace and scan searches


def test_an_archived_asset_is_refused_to_share_until_restored(ws, tmp_path):
    a = ws.add_assets([save(tmp_path / "a.png", photo(5, (96, 128)))])[0]
    ws.add_recipient("Apex")
    ws.archive_asset(a.id)
    with pytest.raises(Conflict) as refused:
        asset_edits.refuse_archived(assets.get(ws.context, a.id))  # what share checks first
    assert str(refused.value) == f"asset {a.id} is archived; restore it first."
    with pytest.raises(Conflict, match=f"asset {a.id} is archived; restore it first"):
        ws.share(a.id, ["Apex"], tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    ws.restore_asset(a.id)
    asset_edits.refuse_archived(assets.get(ws.context, a.id))
    assert len(ws.share(a.id, ["Apex"], tmp_path / "out")) == 1


def test_a_leak_of_an_archived_assets_copy_is_traced_to_its_recipient(ws, tmp_path):
    a = ws.add_assets([save(tmp_path / "drawing.png", photo(6, (256, 384)))])[0]
    for name in ("Apex", "Borealis"):
        ws.add_recipient(name)
    ws.share(a.id, ["Apex", "Borealis"], tmp_path / "out")
    ws.archive_asset(a.id)
    copy = cv2.imread(str(next((tmp_path / "out").glob("*borealis*"))))
    leak = save(tmp_path / "leak.jpg", cv2.cvtColor(copy, cv2.COLOR_BGR2RGB), flag=cv2.IMWRITE_JPEG_QUALITY, quality=85)
    finding = ws.trace(leak)
    assert finding.asset is not None and finding.asset.id == a.id
    assert finding.accused == ("Borealis",)


def test_a_document_is_archived_and_restored_with_its_pages(ws, tmp_path):
    pdf = tmp_path / "tender.pdf"
    pdf.write_bytes(drawing_pdf())
    doc = ws.add_assets([pdf], title="Tender")[0]
    pages = [p.id for p in ws.show_asset(doc.id).page_assets]
    assert pages
    with pytest.raises(BadInput, match="archive the document"):
        ws.archive_asset(pages[0])
    ws.archive_asset(doc.id)
    assert all(ws.show_asset(p).archived_at is not None for p in pages)
    entries = [e for e in _entries(ws, "asset.archive")]
    assert [e.subject_id for e in entries] == [str(doc.id), *map(str, pages)]
    assert entries[0].details["pages"] == pages and all(e.details["document_id"] == doc.id for e in entries[1:])
    assert ws.verify_audit().ok
    ws.restore_asset(doc.id)
    assert all(ws.show_asset(p).archived_at is None for p in [doc.id, *pages])
    assert ws.verify_audit().ok


def test_the_title_of_a_shared_asset_is_frozen_its_reports_name_it(ws, tmp_path):
    a = ws.add_assets([save(tmp_path / "a.png", photo(8, (96, 128)))], title="Bumper rev B")[0]
    ws.add_recipient("Apex")
    assert ws.edit_asset(a.id, title="Bumper, rev B").title == "Bumper, rev B"  # before any share: a typo fixed
    ws.share(a.id, ["Apex"], tmp_path / "out")
    with pytest.raises(Conflict, match="its title no longer changes"):
        ws.edit_asset(a.id, title="Bumper rev C")
    assert ws.show_asset(a.id).title == "Bumper, rev B" and len(_entries(ws, "asset.edit")) == 1
