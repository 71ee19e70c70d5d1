"""findings: every trace is stored whole, with its audit entry, and can be loaded back as the same record."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from leaktrace import Workspace, __version__
from leaktrace.errors import NotFound
from tests.conftest import photo, record_finding, save


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    """One real trace: 3 recipients, one asset, a cropped and shrunk JPEG leak of the second copy."""
    tmp = tmp_path_factory.mktemp("findings")
    ws = Workspace.init(tmp / "ws")
    for n in ("Apex", "Borealis", "Castellan"):
        ws.add_recipient(n)
    asset = ws.add_assets([save(tmp / "a.png", photo(5, (256, 384)))])[0]
    copies = ws.share(asset["id"], ["Apex", "Borealis", "Castellan"], tmp / "out", actor="ana")
    image = cv2.imread(copies[1]["path"])
    leak = cv2.resize(image[20:, :340], None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(tmp / "leak.jpg"), leak, [cv2.IMWRITE_JPEG_QUALITY, 85])
    finding = ws.trace(tmp / "leak.jpg", actor="ana")
    yield ws, finding, tmp
    ws.close()


def test_the_trace_is_stored_with_its_id(traced):
    ws, finding, tmp = traced
    assert finding.id is not None and finding.to_dict()["finding_id"] == finding.id
    assert finding.accused == ("Borealis",)
    stored = ws.show_finding(finding.id)
    assert stored["actor"] == "ana" and stored["software_version"] == __version__
    assert stored["accused"] == ["Borealis"] and stored["asset"]["id"] == finding.asset.id
    assert [c["recipient"] for c in stored["candidates"]] == [c.recipient for c in finding.candidates]
    assert [c["accused"] for c in stored["candidates"]] == [True, False, False]
    assert stored["candidates"][0]["score"] == pytest.approx(finding.candidates[0].score, abs=1e-4)
    assert stored["threshold"] == pytest.approx(finding.threshold) and stored["n_tests"] == finding.extra["n_tests"]
    assert ws.context.blobs.get(stored["leak"]["sha256"]) == (tmp / "leak.jpg").read_bytes()


def test_the_alignment_and_valid_region_are_kept(traced):
    ws, finding, _ = traced
    a = ws.show_finding(finding.id)["alignment"]
    np.testing.assert_allclose(a["homography"], finding.alignment.homography)
    x0, y0, x1, y1 = a["valid_bbox"]
    assert 0 <= x0 < x1 <= 384 and 0 <= y0 < y1 <= 256
    loaded = ws.load_finding(finding.id)
    np.testing.assert_array_equal(loaded.alignment.valid_mask, finding.alignment.valid_mask)
    np.testing.assert_allclose(loaded.alignment.homography, finding.alignment.homography)
    assert loaded.to_dict() == {**finding.to_dict(), "elapsed_s": loaded.to_dict()["elapsed_s"]}
    assert loaded.extra["actor"] == "ana"


def test_trace_and_share_are_audited(traced):
    ws, finding, _ = traced
    actions = [(e["action"], e["actor"], e["subject_id"]) for e in ws.list_audit()]
    assert actions[0] == ("trace", "ana", str(finding.id)) and actions[1][:2] == ("share", "ana")
    assert ws.verify_audit()["ok"]


def test_list_is_newest_first_and_unknown_ids_are_refused(traced, tmp_path):
    ws, finding, tmp = traced
    second = record_finding(ws.home, tmp / "leak.jpg", ["Apex"], ("Apex",))
    rows = ws.list_findings()
    assert [r["id"] for r in rows][:2] == [second, finding.id]
    assert ws.list_findings(limit=1)[0]["id"] == second
    for bad in (999, "x"):
        with pytest.raises(NotFound):
            ws.show_finding(bad)
