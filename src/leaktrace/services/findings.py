"""Findings: every trace's result, kept whole so its evidence report can be rebuilt later.

A finding stores the leak file (in the blob store, by SHA-256), the asset, the alignment
(homography, mirrored, method, agreement, coverage, inliers, number of hypotheses), the
valid region (bounding box, and the full mask as a PNG blob), every recipient's score and
p-bound, ε, the threshold, the number of tests, who is accused, who ran the trace, when,
with which software version and how long it took, and the leak's chain of custody (where and
when it was found, who captured it: :mod:`leaktrace.services.custody`). Nothing is ever
re-computed to show it.
"""

from __future__ import annotations

import json
import math
import sys
from datetime import datetime
from pathlib import Path

import numpy as np

from leaktrace import imagefiles
from leaktrace._version import __version__
from leaktrace.core import bound
from leaktrace.errors import BadInput
from leaktrace.records import Alignment, AssetMatch, AssetRef, Custody, Finding, FindingAlignment, LeakInfo, Match, RecipientScore
from leaktrace.services import audit, ids
from leaktrace.services.context import Context
from leaktrace.store import db as store_db
from leaktrace.store import models, queries


def alignment_record(ctx: Context, alignment: Alignment, *, hypotheses: int, shape: tuple[int, int]) -> FindingAlignment:
    """What a finding keeps of the engine's ``alignment`` (one of ``hypotheses`` tested) on an
    original of ``shape`` (H, W): its numbers, and its valid-region mask, put in the blob store
    now as a PNG (content-addressed: a blob without its finding is harmless)."""
    mask = np.asarray(alignment.valid_mask, bool)  # h w, on the valid region's own grid
    return FindingAlignment(
        homography=tuple(tuple(float(v) for v in row) for row in np.asarray(alignment.homography, float)),
        mirrored=bool(alignment.mirrored),
        method=alignment.method,
        agreement=_finite(alignment.agreement),
        coverage=_finite(alignment.coverage),
        inliers=int(alignment.inliers),
        hypotheses=int(hypotheses),
        valid_bbox=_bbox(mask, shape),
        valid_mask_sha256=ctx.blobs.put(imagefiles.encode_mask(mask)),
    )


def record(ctx: Context, finding: Finding, leak_path: Path, *, actor: str | None) -> Finding:
    """Store ``finding`` (and the leak file), its chain of custody and its audit entry in one
    transaction; returns it as stored: with its id, when, by whom and with which version.

    ``finding.custody`` is stored as given (:func:`leaktrace.services.traces.trace` has checked
    it with :func:`leaktrace.services.custody.parse`); its ``found_at`` must carry its zone.
    """
    actor = actor or audit.default_actor()
    custody = finding.custody or Custody()
    # A trace has stored the leak already; content-addressed, a blob without its record is harmless.
    if not ctx.blobs.exists(finding.leak.sha256) and ctx.blobs.put_file(leak_path) != finding.leak.sha256:
        raise BadInput(f"{leak_path}: the file changed while it was being traced; trace it again.")
    a = finding.alignment
    with store_db.transaction(ctx.sessions) as session:
        row = models.Finding(
            leak_sha256=finding.leak.sha256,
            leak_path=finding.leak.path,
            leak_width=finding.leak.width,
            leak_height=finding.leak.height,
            leak_page=finding.leak.page,
            asset_id=None if finding.asset is None else finding.asset.id,
            homography=None if a is None else json.dumps([list(r) for r in a.homography]),
            mirrored=None if a is None else a.mirrored,
            method=None if a is None else a.method,
            agreement=None if a is None else a.agreement,
            coverage=None if a is None else a.coverage,
            inliers=None if a is None else a.inliers,
            hypotheses=0 if a is None else a.hypotheses,
            valid_bbox=None if a is None or a.valid_bbox is None else json.dumps(list(a.valid_bbox)),
            valid_mask_sha256=None if a is None else a.valid_mask_sha256,
            epsilon=float(finding.epsilon),
            threshold=_finite(finding.threshold),
            n_tests=int(finding.n_tests),
            accused=json.dumps(list(finding.accused)),
            reason=finding.reason,
            source_url=custody.source_url,
            found_at=None if custody.found_at is None else datetime.fromisoformat(custody.found_at),
            captured_by=custody.captured_by,
            custody_note=custody.note,
            actor=actor,
            software_version=__version__,
            elapsed_s=float(finding.elapsed_s),
        )
        session.add(row)
        session.flush()
        for rank, c in enumerate(finding.candidates):
            session.add(
                models.FindingScore(
                    finding_id=row.id,
                    recipient_id=c.recipient_id,
                    recipient_name=c.recipient,
                    rank=rank,
                    score=float(c.score),
                    p_value=float(c.p_value),
                    accused=bool(c.accused),
                    statistic=c.statistic,
                )
            )
        details = {
            "leak_sha256": finding.leak.sha256,
            "asset_id": row.asset_id,
            "accused": list(finding.accused),
            "epsilon": row.epsilon,
            "n_tests": row.n_tests,
        }
        if finding.custody is not None:
            details["custody"] = finding.custody.to_dict()
        audit.append(session, actor, "trace", "finding", row.id, details)
        finding_id = row.id
    return get(ctx, finding_id)


def list_all(ctx: Context, *, limit: int | None = None) -> list[Finding]:
    """Every stored finding (the ``limit`` newest if given), newest first."""
    with ctx.sessions() as session:
        return [_finding(f) for f in queries.list_findings(session, limit=limit)]


def get(ctx: Context, finding_id: int | str) -> Finding:
    """The stored finding ``finding_id``, with every recipient's score and the alignment (its mask stays a blob)."""
    with ctx.sessions() as session:
        return _finding(queries.finding_by_id(session, _number(finding_id)))


def alignment(ctx: Context, finding: Finding) -> Alignment | None:
    """The engine's :class:`Alignment` a stored ``finding`` used, its valid-region mask decoded
    from the store (for the evidence report); None when nothing was aligned."""
    a = finding.alignment
    if a is None:
        return None
    return Alignment(
        np.array(a.homography, float),
        _load_mask(ctx, a.valid_mask_sha256),
        bool(a.mirrored),
        a.inliers or 0,
        a.coverage or 0.0,
        a.agreement or 0.0,
        a.method or "",
    )


def _finding(f: models.Finding) -> Finding:
    """The record of a stored finding (loaded with its asset and scores)."""
    alignment = (
        None
        if f.homography is None
        else FindingAlignment(
            tuple(tuple(row) for row in json.loads(f.homography)),
            f.mirrored,
            f.method,
            f.agreement,
            f.coverage,
            f.inliers,
            f.hypotheses,
            None if f.valid_bbox is None else tuple(json.loads(f.valid_bbox)),
            f.valid_mask_sha256,
        )
    )
    asset = (
        None
        if f.asset is None
        else AssetMatch(f.asset.id, f.asset.title, Match(f.inliers or 0, f.coverage or 0.0, bool(f.mirrored)), **page_of(f.asset))
    )
    return Finding(
        leak=LeakInfo(f.leak_path, f.leak_sha256, f.leak_width, f.leak_height, f.leak_page),
        asset=asset,
        alignment=alignment,
        candidates=tuple(
            RecipientScore(s.recipient_name, s.recipient_id, s.score, s.p_value, s.accused, _log10_p(s.score, f, s.p_value), s.statistic)
            for s in f.scores
        ),
        epsilon=f.epsilon,
        threshold=f.threshold,
        n_tests=f.n_tests,
        reason=f.reason,
        elapsed_s=f.elapsed_s,
        id=f.id,
        created_at=f.created_at.isoformat(),
        actor=f.actor,
        software_version=f.software_version,
        custody=_custody(f),
    )


def page_of(asset: models.Asset) -> dict:
    """``page`` and ``document`` of an :class:`AssetMatch` when ``asset`` is a document's page (else nothing)."""
    if asset.kind != "page" or asset.document is None:
        return {}
    return {"page": asset.page, "document": AssetRef(asset.document.id, asset.document.title)}


def _custody(f: models.Finding) -> Custody | None:
    """The stored chain of custody of a finding; None when the analyst gave none of it."""
    if f.source_url is None and f.found_at is None and f.captured_by is None and f.custody_note is None:
        return None
    return Custody(f.source_url, None if f.found_at is None else f.found_at.isoformat(), f.captured_by, f.custody_note)


def _log10_p(score: float, f: models.Finding, p_value: float | None = None) -> float:
    """log10 of a stored score's p-bound (which underflows to 0.0 from T ≈ 38.6), for the tests per
    recipient the finding made: n_tests / N, the h alignments times the m statistics (core.verdict).
    A leaked PDF's recipients were tested on different numbers of pages: its stored p-value, when it
    neither underflowed nor reached 1, is that recipient's own bound."""
    if f.leak_page is not None and p_value is not None and sys.float_info.min <= p_value < 1.0:
        return float(math.log10(p_value))
    n = len(f.scores)
    per_recipient = f.n_tests // n if n and f.n_tests else (f.hypotheses or 1)
    return float(bound.log10_p_bound(score, hypotheses=max(1, per_recipient)))


def _number(finding_id: int | str) -> int:
    return ids.number(finding_id, "finding")


def _finite(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _bbox(mask: np.ndarray, shape: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """Bounding box (x0, y0, x1, y1, exclusive ends) of ``mask``'s True pixels, in the pixels of an
    original of ``shape`` (H, W) whose frame the mask covers at its own resolution; None if empty."""
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        return None
    sy, sx = shape[0] / mask.shape[0], shape[1] / mask.shape[1]
    return (
        max(0, math.floor(xs.min() * sx)),
        max(0, math.floor(ys.min() * sy)),
        min(int(shape[1]), math.ceil((xs.max() + 1) * sx)),
        min(int(shape[0]), math.ceil((ys.max() + 1) * sy)),
    )


def _load_mask(ctx: Context, sha256: str | None) -> np.ndarray:
    if sha256 is None:
        return np.zeros((0, 0), bool)
    return imagefiles.read_image_bytes(ctx.blobs.get(sha256), "mask.png", max_pixels=ctx.settings.max_pixels, max_bytes=None)[..., 0] > 127  # h w
