"""A small, realistic EvidenceData: a photo, a leak cropped and shrunk from it, 6 recipients."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime, timedelta, timezone

import cv2
import numpy as np
import pytest

from leaktrace.core import bound
from leaktrace.records import Alignment, Checkpoint, Custody, InclusionProof
from leaktrace.report import AssetEvidence, Candidate, CopyEvent, EvidenceData, LeakEvidence, OtherTrace, ShareEvidence
from tests.conftest import photo

HOSTILE = "<script>alert(1)</script>"
ACCUSED = "Dufour Design SARL"
EPSILON = 1e-6
CUSTODIANS = ("M. Keller (CISO)", "A. Okafor")
TRACED = datetime(2025, 4, 17, 14, 3, 22, tzinfo=timezone(timedelta(hours=2)))
REPORTED = datetime(2025, 5, 2, 8, 30, 5, tzinfo=UTC)
CHECKPOINT = Checkpoint("9f2c41d07a5be3c1", 12, "ab" * 32, "2025-05-02T08:30:05+00:00", "cd" * 32, "Q" * 43 + "=", "S" * 86 + "==")
INCLUSION = InclusionProof(9, "ef" * 32, 12, "ab" * 32, ("01" * 32, "23" * 32, "45" * 32, "67" * 32))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_evidence(
    *,
    names=("Apex Plastics GmbH", ACCUSED, "Garnier & Fils", HOSTILE, "Iberforma S.L.", "Jansen BV"),
    leaker: str | None = ACCUSED,
    hypotheses: int = 1,
    leaker_score: float = 23.4,
) -> EvidenceData:
    original = photo(0, (192, 256))  # 192 × 256 RGB
    # the leak: the crop x ∈ [40, 216), y ∈ [30, 162), shrunk by 0.75
    crop = original[30:162, 40:216]
    leak = cv2.resize(crop, (132, 99), interpolation=cv2.INTER_AREA)
    s = 0.75
    homography = np.array([[s, 0, -40 * s], [0, s, -30 * s], [0, 0, 1]], np.float64)
    valid = np.zeros(original.shape[:2], bool)
    valid[32:160, 42:214] = True
    alignment = Alignment(homography, valid, False, 57, float(valid.mean()), 0.96, "features")
    rng = np.random.default_rng(5)
    scores = rng.standard_normal(len(names))
    if leaker is not None:
        scores[names.index(leaker)] = leaker_score
    n_tests = len(names) * hypotheses
    tau = bound.threshold(n_tests, EPSILON)
    accused = bound.accuse(scores, n_tests, EPSILON)
    p = np.minimum(1.0, hypotheses * bound.p_bound(scores))
    logp = bound.log10_p_bound(scores, hypotheses=hypotheses)
    candidates = tuple(
        Candidate(n, i + 1, float(t), float(q), bool(a), float(lp)) for i, (n, t, q, a, lp) in enumerate(zip(names, scores, p, accused, logp))
    )
    accused_names = tuple(c.recipient for c in candidates if c.accused)
    shares = tuple(
        ShareEvidence(7, n, datetime(2025, 3, 4, 9, 12, tzinfo=UTC), "m.keller", "Tender round 1 <NDA T-2027>", _sha(n.encode()), 48213, False)
        for n in accused_names
    )
    events = tuple(
        event
        for n in accused_names
        for event in (
            CopyEvent(4, "copy.deliver", datetime(2025, 3, 4, 9, 13, tzinfo=UTC), "m.keller", 7, n, _sha(n.encode()), None, "folder"),
            CopyEvent(
                11, "copy.regenerate", datetime(2025, 4, 18, 10, 0, tzinfo=UTC), "a.okafor", 7, n, _sha(n.encode()), "legal hold <LH-3>", None, True
            ),
        )
    )
    leak_sha = _sha(leak.tobytes())
    title = "Bumper & grille <draft> (asset 3)"
    others = (
        OtherTrace(
            "F-40", datetime(2025, 4, 16, 9, 0, tzinfo=UTC), "j.moreau", (), None, "no registered asset matches this image", EPSILON, 0, leak_sha
        ),
        OtherTrace("F-45", datetime(2025, 4, 20, 11, 0, tzinfo=UTC), "p.ruiz", accused_names, title, None, EPSILON, n_tests, leak_sha),
    )
    # against the same original: F-45 (the same file) and F-38, a file of the leak with one byte more
    asset_traces = (
        others[1],
        OtherTrace("F-38", datetime(2025, 4, 15, 16, 30, tzinfo=UTC), "r.haas", (), title, None, EPSILON, n_tests, _sha(leak.tobytes() + b"\0")),
    )
    return EvidenceData(
        finding_id="F-42",
        created_at=TRACED,
        actor="j.moreau",
        software_version="0.1.0",
        key_fingerprint="9f2c41d07a5be3c1",
        epsilon=EPSILON,
        threshold=tau,
        n_tests=n_tests,
        hypotheses=hypotheses,
        leak=LeakEvidence("found/leak.jpg", leak_sha, leak.shape[1], leak.shape[0], leak),
        asset=AssetEvidence(3, "Bumper & grille <draft>", _sha(original.tobytes()), original.shape[1], original.shape[0], original),
        alignment=alignment,
        candidates=candidates,
        accused=accused_names,
        shares=shares,
        input_hashes={"settings file": _sha(b"settings")},
        case_ref="CASE-7",
        report_at=REPORTED,
        report_by="legal.office@ws-17",
        custody=Custody("https://social.example/p/8841", "2025-04-16T07:45:00+00:00", "S. Brandt <OSINT>", "screenshot of the post"),
        other_traces=others,
        key_custodians=CUSTODIANS,
        retain_copies=False,
        copy_events=events,
        checkpoint=CHECKPOINT,
        inclusion=INCLUSION,
        asset_traces=asset_traces,
        checkpoint_dir="",
    )


@pytest.fixture
def evidence() -> EvidenceData:
    return make_evidence()


@pytest.fixture
def nobody() -> EvidenceData:
    return make_evidence(leaker=None)


def replace(data: EvidenceData, **changes) -> EvidenceData:
    return dataclasses.replace(data, **changes)
