"""findings: every trace is stored whole, with its audit entry, and comes back as the same record."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from leaktrace import Workspace, __version__
from leaktrace.core import align
from leaktrace.errors import NotFound
from leaktrace.records import Alignment, Finding, LeakInfo
from leaktrace.services import findings
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
    assert stored["threshold"] == pytest.approx(finding.threshold) and stored["n_tests"] == finding.n_tests == 12  # 3 recipients × 4 statistics
    assert ws.context.blobs.get(stored["leak"]["sha256"]) == (tmp / "leak.jpg").read_bytes()


def test_the_trace_returns_the_stored_record(traced):
    ws, finding, _ = traced
    assert finding == ws.show_finding(finding.id) == ws.list_findings()[-1]
    assert (finding.actor, finding.software_version) == ("ana", __version__) and finding.created_at.endswith("+00:00")
    doc = finding.to_dict()
    assert doc["finding_id"] == doc["id"] and doc["false_accusation_bound"] == doc["epsilon"]
    assert doc["asset"]["match"] == {
        "inliers": finding.alignment.inliers,
        "coverage": round(finding.alignment.coverage, 4),
        "mirrored": finding.alignment.mirrored,
    }


def test_the_alignment_and_valid_region_are_kept(traced):
    ws, finding, _ = traced
    a = ws.show_finding(finding.id)["alignment"]
    np.testing.assert_allclose(a["homography"], finding.alignment.homography)
    assert a["hypotheses"] >= 1 and a["method"] == finding.alignment.method
    x0, y0, x1, y1 = a["valid_bbox"]
    assert 0 <= x0 < x1 <= 384 and 0 <= y0 < y1 <= 256
    engine = findings.alignment(ws.context, finding)  # the mask is decoded only here
    np.testing.assert_array_equal(engine.homography, finding.alignment.homography)
    ys, xs = np.nonzero(engine.valid_mask)
    assert engine.valid_mask.shape == (256, 384) and (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) == (x0, y0, x1, y1)


def test_the_valid_mask_comes_back_exactly_and_its_box_is_in_the_originals_pixels(tmp_path):
    """A large original's valid region is kept on a smaller grid (align.valid_grid); the box is in the original's pixels."""
    (grid_h, grid_w), _ = align.valid_grid((3072, 4096))
    mask = np.zeros((grid_h, grid_w), bool)
    mask[100:400, 256:512] = True
    engine = Alignment(np.diag([0.25, 0.25, 1.0]), mask, False, 12, 0.05, 0.8, "features")
    with Workspace.init(tmp_path / "ws") as ws:
        kept = findings.alignment_record(ws.context, engine, hypotheses=2, shape=(3072, 4096))
        assert (grid_h, grid_w) == (768, 1024) and kept.valid_bbox == (1024, 400, 2048, 1600) and kept.hypotheses == 2
        leak = save(tmp_path / "leak.png", photo(2, (24, 32)))
        info = LeakInfo(str(leak), ws.context.blobs.put_file(leak), 32, 24)
        stored = findings.record(ws.context, Finding(info, None, kept, (), 1e-6, 5.0, 0, "the asset was never shared", 0.1), leak, actor="ana")
        assert stored.alignment == kept and stored.reason == "the asset was never shared"
        np.testing.assert_array_equal(findings.alignment(ws.context, stored).valid_mask, mask)


def test_trace_and_share_are_audited(traced):
    ws, finding, _ = traced
    actions = [(e["action"], e["actor"], e["subject_id"]) for e in ws.list_audit()]
    assert actions[0] == ("trace", "ana", str(finding.id))
    shared = [a for a in actions if a[0].startswith(("share", "copy."))]  # the share, then each copy's delivery and the discard
    assert shared[-1][:2] == ("share", "ana") and {a[0] for a in shared} == {"share", "copy.deliver", "copy.discard"}
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
