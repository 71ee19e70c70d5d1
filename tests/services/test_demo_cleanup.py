"""The seed case of issue 11: the demo's bumper drawing, shared to the demo's twelve suppliers,
leaked as a 1-bit clean-up (a threshold, saved as a 1-bit PNG), is traced to its leaker, and
nobody else is named."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from leaktrace import Workspace, imagefiles
from leaktrace.core.pixels import luminance
from leaktrace.samples import sample_path
from leaktrace.services import demo


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    root = tmp_path_factory.mktemp("cleanup")
    ws = Workspace.init(root / "ws")
    for name, org in demo.SUPPLIERS:
        ws.add_recipient(name, org=org)
    asset = ws.add_assets([sample_path(demo.LEAKED_SAMPLE)])[0]
    rows = ws.share(asset["id"], [name for name, _ in demo.SUPPLIERS], root / "copies")
    yield ws, asset, {r["recipient"]: r["path"] for r in rows}, root
    ws.close()


def _one_bit(path, threshold: int | None) -> np.ndarray:
    y = luminance(imagefiles.read_image(path)).astype(np.uint8)
    if threshold is None:
        _, bw = cv2.threshold(y, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    else:
        bw = np.where(y < threshold, 0, 255).astype(np.uint8)
    return bw


@pytest.mark.parametrize("threshold", [None, 200, 128], ids=["otsu", "at-200", "at-128"])
def test_a_one_bit_cleanup_of_the_demo_drawing_names_its_leaker(shared, threshold):
    ws, asset, copies, root = shared
    assert asset["geometric_carrier"] is not None and asset["max_displacement_px"] <= 0.5
    bw = _one_bit(copies[demo.LEAKER], threshold)
    leak = root / f"cleaned-{threshold}.png"
    cv2.imwrite(str(leak), bw, [cv2.IMWRITE_PNG_BILEVEL, 1])  # a true 1-bit PNG, as a clean-up tool saves it
    assert set(np.unique(imagefiles.read_image(leak))) <= {0, 255}
    finding = ws.trace(leak)
    assert finding.accused == (demo.LEAKER,), [(c.recipient, round(c.score, 2)) for c in finding.candidates[:3]]
    top, second = finding.candidates[0], finding.candidates[1]
    assert top.score >= finding.threshold and second.score < finding.threshold
    assert finding.n_tests % (4 * len(demo.SUPPLIERS)) == 0  # four statistics per recipient and alignment
