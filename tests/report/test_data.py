"""data: EvidenceData checks what it is given, orders what it shows, and digests every stated value."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from leaktrace.errors import BadInput
from leaktrace.records import Alignment
from leaktrace.report.data import AssetEvidence, Candidate, EvidenceData, LeakEvidence, ShareEvidence
from tests.report.conftest import ACCUSED, EPSILON, make_evidence, replace

SENT = datetime(2025, 3, 4, 9, 12, tzinfo=UTC)


def test_the_fixture_is_what_the_report_states(evidence):
    assert evidence.accused == (ACCUSED,) and evidence.epsilon == EPSILON and evidence.n_tests == 6
    assert evidence.threshold == pytest.approx(np.sqrt(2 * np.log(6 / EPSILON)))
    assert [c.recipient for c in evidence.candidates if c.accused] == [ACCUSED]
    assert evidence.candidates[0].recipient == ACCUSED and evidence.candidates[0].score == 23.4
    assert evidence.leak.image.shape == (99, 132, 3) and evidence.asset.image.shape == (192, 256, 3)


def test_candidates_are_shown_by_score_and_shares_by_date(evidence):
    scores = [c.score for c in evidence.candidates]
    assert scores == sorted(scores, reverse=True)
    reordered = replace(evidence, candidates=tuple(reversed(evidence.candidates)))
    assert [c.recipient for c in reordered.candidates] == [c.recipient for c in evidence.candidates]
    early, late = (ShareEvidence(i, ACCUSED, SENT + timedelta(days=d), "m.keller", "", "ab" * 32) for i, d in ((1, 0), (2, 9)))
    assert [s.share_id for s in replace(evidence, shares=(late, early)).shares] == [1, 2]
    assert isinstance(replace(evidence, accused=[ACCUSED]).accused, tuple)


def test_input_hashes_are_read_only_copies(evidence):
    given = {"settings file": "00" * 32}
    data = replace(evidence, input_hashes=given)
    given["settings file"] = "ff" * 32
    assert data.input_hashes["settings file"] == "00" * 32
    with pytest.raises(TypeError):
        data.input_hashes["other"] = "11" * 32
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.actor = "someone else"


@pytest.mark.parametrize(
    "image, shape",
    [
        (np.zeros((8, 8, 3), np.float32), "float32 (8, 8, 3)"),
        (np.zeros((8, 8), np.uint8), "uint8 (8, 8)"),
        (np.zeros((8, 8, 4), np.uint8), "uint8 (8, 8, 4)"),
        (np.zeros((0, 8, 3), np.uint8), "uint8 (0, 8, 3)"),
    ],
)
def test_images_must_be_rgb_uint8(image, shape):
    with pytest.raises(BadInput) as caught:
        LeakEvidence("leak.jpg", "0" * 64, 8, 8, image)
    assert str(caught.value) == f"the leak image must be an (H, W, 3) uint8 array, got {shape}"
    with pytest.raises(BadInput, match="the original image must be"):
        AssetEvidence(1, "Plan", "0" * 64, 8, 8, image)


def test_times_must_carry_their_zone(evidence):
    with pytest.raises(BadInput, match=r"created_at must be a timezone-aware datetime, got 2025-04-17T14:03:22"):
        replace(evidence, created_at=datetime(2025, 4, 17, 14, 3, 22))
    with pytest.raises(BadInput, match="share 7's sent_at must be a timezone-aware datetime"):
        ShareEvidence(7, ACCUSED, datetime(2025, 3, 4), "m.keller", "", "ab" * 32)


@pytest.mark.parametrize("eps", [0.0, 1.0, -1e-6, 2.0])
def test_epsilon_must_be_a_probability(evidence, eps):
    with pytest.raises(BadInput, match="epsilon must be in \\(0, 1\\)"):
        replace(evidence, epsilon=eps)


def test_the_valid_mask_must_lie_on_the_original(evidence):
    al = evidence.alignment
    # the valid region may be kept at a resolution of its own, but on the original's frame
    smaller = Alignment(al.homography, np.ones((96, 128), bool), al.mirrored, al.inliers, al.coverage, al.agreement, al.method)
    assert replace(evidence, alignment=smaller).alignment.valid_mask.shape == (96, 128)
    wrong = Alignment(al.homography, np.ones((96, 200), bool), al.mirrored, al.inliers, al.coverage, al.agreement, al.method)
    with pytest.raises(BadInput) as caught:
        replace(evidence, alignment=wrong)
    assert str(caught.value) == "the valid mask is 200×96, not the shape of the 256×192 original"
    assert replace(evidence, asset=None, alignment=wrong).asset is None  # no original: nothing to check against


def test_the_digest_is_stable_and_independent_of_candidate_order(evidence):
    digest = evidence.digest()
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert make_evidence().digest() == digest  # the same evidence, built again
    assert replace(evidence, candidates=tuple(reversed(evidence.candidates))).digest() == digest
    copied = replace(
        evidence, leak=LeakEvidence(evidence.leak.path, evidence.leak.sha256, evidence.leak.width, evidence.leak.height, evidence.leak.image.copy())
    )
    assert copied.digest() == digest  # pixels enter by value, not identity


def _changed_images(e):
    leak = e.leak.image.copy()
    leak[0, 0, 0] ^= 1
    original = e.asset.image.copy()
    original[5, 5, 2] ^= 1
    mask = e.alignment.valid_mask.copy()
    mask[100, 100] = ~mask[100, 100]
    al = e.alignment
    return {
        "leak pixel": {"leak": LeakEvidence(e.leak.path, e.leak.sha256, e.leak.width, e.leak.height, leak)},
        "original pixel": {"asset": AssetEvidence(e.asset.id, e.asset.title, e.asset.sha256, e.asset.width, e.asset.height, original)},
        "mask pixel": {"alignment": Alignment(al.homography, mask, al.mirrored, al.inliers, al.coverage, al.agreement, al.method)},
        "homography": {"alignment": Alignment(al.homography + 1e-12, al.valid_mask, al.mirrored, al.inliers, al.coverage, al.agreement, al.method)},
    }


@pytest.mark.parametrize(
    "what",
    [
        "finding_id",
        "actor",
        "software_version",
        "key_fingerprint",
        "epsilon",
        "threshold",
        "n_tests",
        "hypotheses",
        "case_ref",
        "accused",
        "input_hashes",
        "created_at",
        "score",
        "leak pixel",
        "original pixel",
        "mask pixel",
        "homography",
        "no asset",
        "share note",
        "share sender",
        "asset traces",
        "other trace's leak file",
        "checkpoint_dir",
    ],
)
def test_every_stated_value_enters_the_digest(evidence, what):
    e = evidence
    c0 = e.candidates[0]
    changes = {
        "finding_id": {"finding_id": "F-43"},
        "actor": {"actor": "x"},
        "software_version": {"software_version": "0.1.1"},
        "key_fingerprint": {"key_fingerprint": "0" * 16},
        "epsilon": {"epsilon": 1e-7},
        "threshold": {"threshold": e.threshold + 1e-9},
        "n_tests": {"n_tests": 7},
        "hypotheses": {"hypotheses": 2},
        "case_ref": {"case_ref": None},
        "accused": {"accused": ()},
        "input_hashes": {"input_hashes": {}},
        "created_at": {"created_at": e.created_at + timedelta(seconds=1)},
        "score": {"candidates": (Candidate(c0.recipient, c0.recipient_id, c0.score + 1e-9, c0.p_value, c0.accused), *e.candidates[1:])},
        "no asset": {"asset": None},
        "share note": {"shares": tuple(dataclasses.replace(s, note=s.note + ".") for s in e.shares)},
        "share sender": {"shares": tuple(dataclasses.replace(s, sent_by="eve") for s in e.shares)},
        "asset traces": {"asset_traces": e.asset_traces[:1]},
        "other trace's leak file": {"other_traces": (dataclasses.replace(e.other_traces[0], leak_sha256="0" * 64), *e.other_traces[1:])},
        "checkpoint_dir": {"checkpoint_dir": "/mnt/worm"},
        **_changed_images(e),
    }[what]
    assert replace(e, **changes).digest() != e.digest()


def test_a_minimal_record_without_asset_or_alignment(nobody):
    data = EvidenceData(
        finding_id="F-1",
        created_at=SENT,
        actor="analyst",
        software_version="0.1.0",
        key_fingerprint="ab12",
        epsilon=1e-6,
        threshold=5.76,
        n_tests=16,
        hypotheses=1,
        leak=LeakEvidence("leak.jpg", "0" * 64, 8, 8, np.zeros((8, 8, 3), np.uint8)),
        asset=None,
        alignment=None,
        candidates=(),
        accused=(),
        shares=(),
        input_hashes={},
    )
    assert data.case_ref is None and dict(data.input_hashes) == {} and len(data.digest()) == 64
    assert nobody.accused == () and not any(c.accused for c in nobody.candidates)
