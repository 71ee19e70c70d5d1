"""Findings: every trace's result, kept whole so its evidence report can be rebuilt later.

A finding stores the leak file (in the blob store, by SHA-256), the asset, the alignment
(homography, mirrored, method, agreement, coverage, inliers, number of hypotheses), the
valid region (bounding box, and the full mask as a PNG blob), every recipient's score and
p-bound, ε, the threshold, the number of tests, who is accused, who ran the trace, when,
with which software version and how long it took. Nothing is ever re-computed to show it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from leaktrace import imagefiles, records
from leaktrace._version import __version__
from leaktrace.errors import BadInput, NotFound
from leaktrace.records import Alignment, AssetMatch, Finding, LeakInfo, RecipientScore
from leaktrace.services import audit
from leaktrace.services.context import Context
from leaktrace.store import db as store_db
from leaktrace.store import models, queries


def record(ctx: Context, finding: Finding, leak_path: Path, *, actor: str | None) -> int:
    """Store ``finding`` (and the leak file) and its audit entry in one transaction; returns its id."""
    actor = actor or audit.default_actor()
    # A trace has stored the leak already; content-addressed, a blob without its record is harmless.
    if not ctx.blobs.exists(finding.leak.sha256) and ctx.blobs.put_file(leak_path) != finding.leak.sha256:
        raise BadInput(f"{leak_path}: the file changed while it was being traced; trace it again.")
    a = finding.alignment
    mask_sha, bbox = (None, None) if a is None else _store_mask(ctx, a.valid_mask)
    accused = set(finding.accused)
    with store_db.transaction(ctx.sessions) as session:
        row = models.Finding(
            leak_sha256=finding.leak.sha256, leak_path=finding.leak.path, leak_width=finding.leak.width, leak_height=finding.leak.height,
            asset_id=None if finding.asset is None else finding.asset.id,
            homography=None if a is None else json.dumps(np.asarray(a.homography, float).tolist()),
            mirrored=None if a is None else bool(a.mirrored), method=None if a is None else a.method,
            agreement=None if a is None else _finite(a.agreement), coverage=None if a is None else _finite(a.coverage),
            inliers=None if a is None else int(a.inliers), hypotheses=int(finding.extra.get("hypotheses", 0 if a is None else 1)),
            valid_bbox=None if bbox is None else json.dumps(bbox), valid_mask_sha256=mask_sha,
            epsilon=float(finding.false_accusation_bound), threshold=_finite(finding.threshold),
            n_tests=int(finding.extra.get("n_tests", 0)), accused=json.dumps(list(finding.accused)),
            reason=finding.extra.get("reason"), actor=actor, software_version=__version__, elapsed_s=float(finding.elapsed_s),
        )
        session.add(row)
        session.flush()
        for rank, c in enumerate(finding.candidates):
            session.add(models.FindingScore(finding_id=row.id, recipient_id=c.recipient_id, recipient_name=c.recipient, rank=rank,
                                            score=float(c.score), p_value=float(c.p_value), accused=c.recipient in accused))
        audit.append(session, actor, "trace", "finding", row.id, {
            "leak_sha256": finding.leak.sha256, "asset_id": row.asset_id, "accused": list(finding.accused),
            "epsilon": row.epsilon, "n_tests": row.n_tests,
        })
        return row.id


def list_all(ctx: Context, *, limit: int | None = None) -> list[records.StoredFinding]:
    """Every stored finding (the ``limit`` newest if given), newest first."""
    with ctx.sessions() as session:
        return [_stored(f) for f in queries.list_findings(session, limit=limit)]


def get(ctx: Context, finding_id: int | str) -> records.StoredFinding:
    """The stored finding ``finding_id``, with every recipient's score and the alignment."""
    with ctx.sessions() as session:
        return _stored(queries.finding_by_id(session, _number(finding_id)))


def load(ctx: Context, finding_id: int | str) -> Finding:
    """The stored finding as the record a trace returned (alignment and mask included), for reports."""
    with ctx.sessions() as session:
        f = queries.finding_by_id(session, _number(finding_id))
        asset = None if f.asset is None else AssetMatch(f.asset.id, f.asset.title, f.inliers or 0, f.coverage or 0.0, bool(f.mirrored))
        candidates = tuple(RecipientScore(s.recipient_name, s.recipient_id, s.score, s.p_value) for s in f.scores)
        alignment = None
        if f.homography is not None:
            mask = _load_mask(ctx, f.valid_mask_sha256)
            alignment = Alignment(np.array(json.loads(f.homography), float), mask, bool(f.mirrored), f.inliers or 0,
                                  f.coverage or 0.0, f.agreement or 0.0, f.method or "")
        extra = {"reason": f.reason} if f.reason else {"alignment": f.method, "agreement": f.agreement, "n_tested": len(candidates),
                                                      "hypotheses": f.hypotheses, "n_tests": f.n_tests}
        extra.update(actor=f.actor, created_at=f.created_at.isoformat(), software_version=f.software_version)
        return Finding(LeakInfo(f.leak_path, f.leak_sha256, f.leak_width, f.leak_height), asset, candidates, tuple(json.loads(f.accused)),
                       f.epsilon, math.nan if f.threshold is None else f.threshold, f.elapsed_s, extra, id=f.id, alignment=alignment)


def _stored(f: models.Finding) -> records.StoredFinding:
    """The interface record of a stored finding (loaded with its asset and scores)."""
    alignment = None if f.homography is None else records.StoredAlignment(
        tuple(tuple(row) for row in json.loads(f.homography)), f.mirrored, f.method, f.agreement, f.coverage, f.inliers, f.hypotheses,
        None if f.valid_bbox is None else tuple(json.loads(f.valid_bbox)), f.valid_mask_sha256,
    )
    return records.StoredFinding(
        id=f.id, created_at=f.created_at.isoformat(), actor=f.actor, software_version=f.software_version,
        leak=LeakInfo(f.leak_path, f.leak_sha256, f.leak_width, f.leak_height),
        asset=None if f.asset is None else records.AssetRef(f.asset.id, f.asset.title),
        alignment=alignment,
        candidates=tuple(records.StoredScore(s.recipient_name, s.recipient_id, s.score, s.p_value, s.accused) for s in f.scores),
        accused=tuple(json.loads(f.accused)), epsilon=f.epsilon, threshold=f.threshold, n_tests=f.n_tests, reason=f.reason,
        elapsed_s=f.elapsed_s,
    )


def _number(finding_id: int | str) -> int:
    try:
        return int(finding_id)
    except (TypeError, ValueError):
        raise NotFound(f"no finding numbered {finding_id!r}.") from None


def _finite(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _store_mask(ctx: Context, valid_mask: np.ndarray) -> tuple[str, list[int] | None]:
    """Put the valid-region mask in the blob store as a PNG; return its SHA-256 and bounding box."""
    m = np.asarray(valid_mask, bool)  # h w
    ys, xs = np.nonzero(m)
    bbox = None if ys.size == 0 else [int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1]
    return ctx.blobs.put(imagefiles.encode_mask(m)), bbox


def _load_mask(ctx: Context, sha256: str | None) -> np.ndarray:
    if sha256 is None:
        return np.zeros((0, 0), bool)
    return imagefiles.read_image_bytes(ctx.blobs.get(sha256), "mask.png", max_pixels=ctx.settings.max_pixels, max_bytes=None)[..., 0] > 127  # h w
