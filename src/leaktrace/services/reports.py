"""Evidence reports: a stored finding rendered for legal, as self-contained HTML or PDF.

Everything comes from the store (the finding, the leak file, the original, the share
records of the accused); nothing is re-computed, so a report made years later says
what the trace said. Each report issued is written to the audit log with its SHA-256.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime

from leaktrace import imagefiles
from leaktrace.core.keys import key_fingerprint
from leaktrace.errors import BadInput
from leaktrace.report import RENDERERS, render
from leaktrace.report.data import AssetEvidence, Candidate, EvidenceData, LeakEvidence, ShareEvidence
from leaktrace.services import assets as assets_service
from leaktrace.services import audit, findings
from leaktrace.services.context import Context
from leaktrace.store import queries

FORMATS = tuple(RENDERERS)


def evidence(ctx: Context, finding_id: int | str) -> EvidenceData:
    """Gather what the report shows about finding ``finding_id``."""
    f = findings.get(ctx, finding_id)
    leak_image = imagefiles.read_image_bytes(ctx.blobs.get(f.leak.sha256), f.leak.path, max_pixels=ctx.settings.max_pixels, max_bytes=2**40)
    asset_evidence, shares, hashes = None, [], {"leak": f.leak.sha256}
    if f.asset is not None:
        asset = assets_service.get(ctx, f.asset.id)
        # the original alone (not prepare(): the report needs no perceptual mask, 4 more bytes per pixel)
        original = imagefiles.read_image(
            ctx.blobs.path(asset.sha256), max_pixels=max(ctx.settings.max_pixels, asset.width * asset.height), max_bytes=2**40
        )
        asset_evidence = AssetEvidence(asset.id, asset.title, asset.sha256, asset.width, asset.height, original)
        hashes[f"asset {asset.id} original"] = asset.sha256
        accused = set(f.accused)
        with ctx.sessions() as session:
            for share in queries.list_shares(session, asset_id=asset.id):
                for c in share.copies:
                    if c.recipient.name in accused:
                        shares.append(ShareEvidence(share.id, c.recipient.name, share.created_at, share.created_by or "", share.note or "", c.sha256))
                        hashes[f"copy sent to {c.recipient.name} (share {share.id})"] = c.sha256
            cases = queries.open_cases_of_finding(session, f.id)
            case_ref = f"case {cases[0].id}" if cases else None
    else:
        case_ref = None
    return EvidenceData(
        finding_id=str(f.id),
        created_at=datetime.fromisoformat(f.created_at),
        actor=f.actor,
        software_version=f.software_version,
        key_fingerprint=key_fingerprint(ctx.master_key),
        epsilon=f.epsilon,
        threshold=math.nan if f.threshold is None else f.threshold,
        n_tests=f.n_tests or len(f.candidates),
        hypotheses=(f.alignment.hypotheses if f.alignment is not None else 0) or 1,
        leak=LeakEvidence(f.leak.path, f.leak.sha256, f.leak.width, f.leak.height, leak_image),
        asset=asset_evidence,
        alignment=findings.alignment(ctx, f),  # with its valid-region mask, decoded from the store
        candidates=tuple(Candidate(c.recipient, c.recipient_id, c.score, c.p_value, c.accused) for c in f.candidates),
        accused=tuple(f.accused),
        shares=tuple(sorted(shares, key=lambda s: s.sent_at)),
        input_hashes=hashes,
        case_ref=case_ref,
    )


def report(ctx: Context, finding_id: int | str, fmt: str, *, actor: str | None = None) -> bytes:
    """The evidence report of a finding as ``fmt`` ("html" or "pdf") bytes, recorded in the audit log."""
    if fmt not in FORMATS:
        raise BadInput(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    data = render(evidence(ctx, finding_id), fmt)
    audit.record(
        ctx,
        actor=actor,
        action="report",
        subject_type="finding",
        subject_id=int(finding_id),
        details={"format": fmt, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)},
    )
    return data
