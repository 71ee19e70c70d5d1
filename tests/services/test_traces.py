"""Tracing a leak in a workspace: the finding is reproducible, uses the cached registration features and keeps the chain of custody."""

from __future__ import annotations

from datetime import UTC, datetime

import cv2
import numpy as np
import pytest

from leaktrace import Workspace
from leaktrace.records import Custody
from leaktrace.store import models
from tests.conftest import photo, save


def test_trace_twice_same_finding_and_cached_features(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    original = save(tmp_path / "asset.png", photo(4, (360, 540)))
    asset = ws.add_assets([original])[0]
    cached = list((ws.home / "cache").glob("*.registration"))
    assert len(cached) == 1  # computed when the asset was added
    for name in ("Apex", "Borealis", "Castellan"):
        ws.add_recipient(name)
    ws.share(asset["id"], ["Apex", "Borealis", "Castellan"], tmp_path / "out")
    copy = next((tmp_path / "out").glob("*borealis*"))
    leak = cv2.imread(str(copy))[40:320, 60:480]
    leak = save(tmp_path / "leak.jpg", cv2.cvtColor(leak, cv2.COLOR_BGR2RGB), flag=cv2.IMWRITE_JPEG_QUALITY, quality=85)
    first = ws.trace(leak)
    second = ws.trace(leak)
    assert first.accused == second.accused == ("Borealis",)
    assert [c.score for c in first.candidates] == [c.score for c in second.candidates]
    np.testing.assert_array_equal(first.alignment.homography, second.alignment.homography)
    # a missing cache file is rebuilt, and the finding is unchanged
    cached[0].unlink()
    third = ws.trace(leak)
    assert [c.score for c in third.candidates] == [c.score for c in first.candidates]
    rebuilt = list((ws.home / "cache").glob("*.registration"))
    assert len(rebuilt) == 1
    ws.close()


class _NoHits:
    """An asset index that finds nothing: every trace takes the feature-free fallback."""

    def search(self, leak, k=1):
        return []

    def search_details(self, leak, k=1):
        return []


def test_fallback_tries_the_assets_nearest_by_hash_first(tmp_path, monkeypatch):
    from leaktrace.services import search, traces

    ws = Workspace.init(tmp_path / "ws")
    for seed in (11, 12, 13):  # older assets that look nothing like the leak
        ws.add_assets([save(tmp_path / f"other-{seed}.png", photo(seed, (300, 450)))])
    leaked = ws.add_assets([save(tmp_path / "leaked.png", photo(4, (300, 450)))])[0]
    ws.add_recipient("Apex")
    ws.add_recipient("Borealis")
    ws.share(leaked["id"], ["Apex", "Borealis"], tmp_path / "out")
    copy = cv2.cvtColor(cv2.imread(str(next((tmp_path / "out").glob("*apex*")))), cv2.COLOR_BGR2RGB)
    leak = save(tmp_path / "leak.jpg", copy, flag=cv2.IMWRITE_JPEG_QUALITY, quality=85)
    monkeypatch.setattr(search, "index_for", lambda ctx, assets: _NoHits())
    monkeypatch.setattr(traces, "FALLBACK_ASSETS", 1)  # only one try: it must be the nearest
    finding = ws.trace(leak)
    assert finding.asset is not None and finding.asset.id == leaked["id"]
    assert finding.accused == ("Apex",)
    ws.close()


def test_the_chain_of_custody_is_stored_with_the_finding_and_its_audit_entry(tmp_path):
    from leaktrace.errors import BadInput

    ws = Workspace.init(tmp_path / "ws")
    asset = ws.add_assets([save(tmp_path / "asset.png", photo(6, (256, 384)))])[0]
    ws.add_recipient("Apex")
    ws.add_recipient("Borealis")
    ws.share(asset["id"], ["Apex", "Borealis"], tmp_path / "out")
    copy = cv2.cvtColor(cv2.imread(str(next((tmp_path / "out").glob("*apex*")))), cv2.COLOR_BGR2RGB)
    leak = save(tmp_path / "leak.jpg", copy[20:, 30:], flag=cv2.IMWRITE_JPEG_QUALITY, quality=85)
    entries = len(ws.list_audit())
    with pytest.raises(BadInput, match="--found-at 2027-01-05T14:30 has no time zone"):
        ws.trace(leak, found_at="2027-01-05T14:30", captured_by="J. Doe")
    assert ws.list_findings() == [] and len(ws.list_audit()) == entries  # refused before anything is traced or stored
    finding = ws.trace(
        leak, source_url="https://forum.example/t/123", found_at="2026-01-05T14:30+01:00", captured_by=" J.  Doe ", note="saved from the thread"
    )
    assert finding.accused == ("Apex",)
    expected = Custody("https://forum.example/t/123", "2026-01-05T13:30:00+00:00", "J. Doe", "saved from the thread")
    assert finding.custody == expected == ws.show_finding(finding.id).custody == ws.list_findings()[0].custody
    assert finding.to_dict()["custody"] == {
        "source_url": "https://forum.example/t/123",
        "found_at": "2026-01-05T13:30:00+00:00",
        "captured_by": "J. Doe",
        "note": "saved from the thread",
    }
    entry = ws.list_audit(limit=1)[0]
    assert (entry.action, entry.subject_type, entry.subject_id) == ("trace", "finding", str(finding.id))
    assert entry.details["custody"] == finding.to_dict()["custody"]
    with ws.context.sessions() as session:  # in the finding's own row (what its seal covers)
        row = session.get(models.Finding, finding.id)
        assert (row.source_url, row.found_at, row.captured_by, row.custody_note) == (
            "https://forum.example/t/123",
            datetime(2026, 1, 5, 13, 30, tzinfo=UTC),
            "J. Doe",
            "saved from the thread",
        )
    bare = ws.trace(leak, found_at="2026-01-05")  # one field given; the others stay empty
    assert bare.custody == Custody(found_at="2026-01-05T00:00:00+00:00")
    nothing = ws.trace(leak)
    assert nothing.custody is None and nothing.to_dict()["custody"] is None and "custody" not in ws.list_audit(limit=1)[0].details
    ws.close()


def test_the_chain_of_custody_is_sealed_with_its_finding(tmp_path):
    import sqlite3

    ws = Workspace.init(tmp_path / "ws")
    asset = ws.add_assets([save(tmp_path / "asset.png", photo(7, (200, 300)))])[0]
    ws.add_recipient("Apex")
    ws.share(asset["id"], ["Apex"], tmp_path / "out")
    leak = save(tmp_path / "leak.jpg", cv2.cvtColor(cv2.imread(str(next((tmp_path / "out").glob("*apex*")))), cv2.COLOR_BGR2RGB))
    finding = ws.trace(leak, found_at="2026-01-05T10:00Z", captured_by="J. Doe")
    assert ws.verify_audit().ok
    ws.close()
    for column, forged in (("found_at", "2026-01-04 10:00:00.000000"), ("captured_by", "someone else")):
        with sqlite3.connect(tmp_path / "ws" / "leaktrace.db") as db:
            (kept,) = db.execute(f"select {column} from findings where id = ?", (finding.id,)).fetchone()
            db.execute(f"update findings set {column} = ? where id = ?", (forged, finding.id))
        with Workspace(tmp_path / "ws") as ws:
            check = ws.verify_audit()
            assert not check.ok and check.record == f"finding {finding.id}", (column, check)
        with sqlite3.connect(tmp_path / "ws" / "leaktrace.db") as db:
            db.execute(f"update findings set {column} = ? where id = ?", (kept, finding.id))
    with Workspace(tmp_path / "ws") as ws:
        assert ws.verify_audit().ok
