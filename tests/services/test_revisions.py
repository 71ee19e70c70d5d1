"""Revisions of one drawing (issue 15, item 4): a leak of rev B is identified as rev B and traced to
rev B's leaker; a leak showing only what all revisions share is tested as one family, one bound."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from leaktrace import Workspace
from leaktrace.core import bound, revisions
from leaktrace.samples.synthetic import random_drawing
from tests.conftest import save


def _revisions(image: np.ndarray) -> list[np.ndarray]:
    """Rev A, B (a line and a hole added, lower left) and C (B's line moved by 12 px), RGB uint8."""
    a = image[..., 0].copy()
    h, w = a.shape
    p, q = (int(0.12 * w), int(0.55 * h)), (int(0.30 * w), int(0.62 * h))
    b = a.copy()
    cv2.line(b, p, q, 0, 2, cv2.LINE_AA)
    cv2.circle(b, (int(0.40 * w), int(0.45 * h)), 10, 0, 2, cv2.LINE_AA)
    c = b.copy()
    cv2.line(c, p, q, 255, 5)
    cv2.line(c, (p[0], p[1] + 12), (q[0], q[1] + 12), 0, 2, cv2.LINE_AA)
    return [cv2.cvtColor(v, cv2.COLOR_GRAY2RGB) for v in (a, b, c)]


@pytest.fixture(scope="module")
def revised(tmp_path_factory):
    """A workspace holding rev A, B and C of one drawing, each shared to its own two recipients."""
    tmp = tmp_path_factory.mktemp("revisions")
    ws = Workspace.init(tmp / "ws")
    ids = []
    for rev, image in zip("ABC", _revisions(random_drawing(5, (720, 960)))):
        asset = ws.add_assets([save(tmp / f"rev{rev}.png", image)])[0]
        ids.append(asset["id"])
        names = [f"{rev}-one", f"{rev}-two"]
        for name in names:
            ws.add_recipient(name)
        ws.share(asset["id"], names, tmp / f"out{rev}")
    copy = cv2.cvtColor(cv2.imread(str(next((tmp / "outB").glob("*b-two*")))), cv2.COLOR_BGR2RGB)
    yield ws, ids, copy, tmp
    ws.close()


@pytest.mark.parametrize(
    "attack",
    [
        lambda c: c,
        lambda c: cv2.resize(c, (c.shape[1] // 2, c.shape[0] // 2), interpolation=cv2.INTER_AREA),
        lambda c: c[int(0.32 * c.shape[0]) : int(0.82 * c.shape[0]), int(0.06 * c.shape[1]) : int(0.56 * c.shape[1])],  # 25 %, the edits inside
    ],
    ids=["whole", "downscale50", "crop25-edits"],
)
def test_a_leak_of_rev_b_is_rev_b_and_its_leaker(revised, attack):
    ws, ids, copy, tmp = revised
    leak = save(tmp / "leak.jpg", np.ascontiguousarray(attack(copy)), flag=cv2.IMWRITE_JPEG_QUALITY, quality=80)
    f = ws.trace(leak)
    assert f.asset.id == ids[1]
    assert f.accused == ("B-two",)
    assert f.reason is None
    assert {c.recipient for c in f.candidates} == {"B-one", "B-two"}  # rev A's and C's recipients not even tested


def test_a_crop_all_revisions_share_is_one_family_under_one_bound(revised):
    ws, ids, copy, tmp = revised
    h, w = copy.shape[:2]
    leak = save(tmp / "shared-part.png", np.ascontiguousarray(copy[: h // 2, w // 2 :]))  # upper right: identical in A, B, C
    f = ws.trace(leak)
    assert "near-identical" in f.reason and "one family" in f.reason
    assert {c.recipient for c in f.candidates} == {f"{r}-{n}" for r in "ABC" for n in ("one", "two")}
    per_member = f.n_tests // 6  # tests per recipient (statistics × alignments)
    assert f.n_tests == 6 * per_member and per_member >= 1
    assert f.threshold == pytest.approx(bound.threshold(f.n_tests, f.epsilon))  # the bound pays for every member
    assert not any(name[0] in "AC" for name in f.accused)  # never rev A's or rev C's recipients
    if f.accused:  # the leaker's own copy signs name the revision
        assert f.accused == ("B-two",) and f.asset.id == ids[1]


def test_distinguish_sees_a_moved_line_and_admits_a_tie():
    a = np.full((200, 260), 255, np.float32)
    cv2.rectangle(a, (20, 20), (240, 180), 0, 1)
    b = a.copy()
    cv2.line(b, (40, 120), (120, 150), 0, 2)
    c = a.copy()
    cv2.line(c, (40, 132), (120, 162), 0, 2)  # rev C: B's line moved by 12 px
    inside = [np.ones(a.shape, bool)] * 3
    leak = cv2.GaussianBlur(b, (0, 0), 0.8) * 0.9 + 10  # softened, tone changed
    d = revisions.distinguish(leak, [a, b, c], inside)
    assert d.chosen == (1,) and d.differing >= revisions.MIN_DIFFERING
    part = (slice(None), slice(150, None))  # right of every edit
    tie = revisions.distinguish(leak[part], [v[part] for v in (a, b, c)], [m[part] for m in inside])
    assert tie.chosen == (0, 1, 2) and tie.differing == 0
