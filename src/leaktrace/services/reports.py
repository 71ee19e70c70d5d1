"""Evidence reports: a stored finding rendered for legal, as self-contained HTML or PDF.

Everything comes from the store (the finding, the leak file, the original, the share
records of the accused made before the trace, the other traces of the same leak file and
against the same original, the log's entries about the accused's copies, the signed log
head); nothing is re-computed, so a report made years later says what the trace said.
Nothing is drawn from a sealed record that no longer matches its seal (the finding, its
asset, the asset's shares, the recipients named, the finding's cases, the other findings
listed and their assets), nor from a stored file that no longer hashes to its recorded
SHA-256 (the leak, the valid-region mask, the original): the report is refused in one line
and nothing is written. Each report issued is written to the audit log with its SHA-256,
its time, who made it and the settings it printed (key custodians, copy retention,
checkpoint folder); the same time and name are printed in the report.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from leaktrace import imagefiles
from leaktrace.core.keys import key_fingerprint
from leaktrace.errors import BadInput, EvidenceTampered, NotFound
from leaktrace.records import Checkpoint, Finding, InclusionProof
from leaktrace.report import RENDERERS, render
from leaktrace.report.data import AssetEvidence, Candidate, CopyEvent, EvidenceData, LeakEvidence, OtherTrace, ReceiptEvidence, ShareEvidence
from leaktrace.services import assets as assets_service
from leaktrace.services import audit, findings, traces
from leaktrace.services.context import Context
from leaktrace.store import models, queries, seals

FORMATS = tuple(RENDERERS)
#: The audit actions that handle a copy's file on the sender's side.
COPY_ACTIONS = ("copy.deliver", "copy.download", "copy.regenerate", "copy.discard")


def evidence(
    ctx: Context,
    finding_id: int | str,
    *,
    report_at: datetime | None = None,
    report_by: str | None = None,
    checkpoint: Checkpoint | None = None,
    inclusion: InclusionProof | None = None,
) -> EvidenceData:
    """Gather what the report shows about finding ``finding_id`` (made at ``report_at`` by ``report_by``,
    with the signed log head ``checkpoint`` and the finding's ``inclusion`` proof in it).

    Refused (:class:`~leaktrace.errors.EvidenceTampered`, one line) when a sealed record it reads (the
    finding, its asset, the shares of that asset, the recipients named from the recipients table,
    the finding's cases, the other findings listed and their assets) no longer matches its seal, or a
    stored file it reads (the leak, the valid-region mask, the original) no longer has its SHA-256."""
    f = findings.get(ctx, finding_id)
    audit.check_seal(ctx, "finding", f.id)  # the chain, and the finding, before anything is built on them
    sealed: dict[tuple[str, int], None] = {("finding", f.id): None}  # every sealed record read, in the order read
    traced_at = datetime.fromisoformat(f.created_at)
    leak_image = _leak_pixels(ctx, f, _stored_leak(ctx, f))
    asset_evidence, shares, events, hashes = None, [], [], {}
    mask_sha256 = f.alignment.valid_mask_sha256 if f.alignment is not None else None
    if mask_sha256:
        _check_blob(ctx, mask_sha256, "valid-region mask", f.id)
    with ctx.sessions() as session:
        if f.asset is not None:
            asset = assets_service.get(ctx, f.asset.id)
            sealed[("asset", asset.id)] = None
            _check_blob(ctx, asset.sha256, f"original (asset {asset.id})", f.id)
            # the original alone (not prepare(): the report needs no perceptual mask, 4 more bytes per pixel)
            original = imagefiles.read_image(
                ctx.blobs.path(asset.sha256), max_pixels=max(ctx.settings.max_pixels, asset.width * asset.height), max_bytes=2**40
            )
            asset_evidence = AssetEvidence(asset.id, asset.title, asset.sha256, asset.width, asset.height, original, _document_words(session, asset))
            accused = {c.recipient_id: c.recipient for c in f.candidates if c.accused}
            if asset.asset_kind == "page":  # a page is shared with its document: the document's record is read too
                sealed[("asset", asset.document_id)] = None
            shared_as = asset.document_id if asset.asset_kind == "page" else asset.id
            for share in queries.list_shares(session, asset_id=shared_as):
                sealed[("share", share.id)] = None  # whether it is listed rests on its rows too (its time, its copies)
                if share.created_at > traced_at:  # made after the trace: not what the trace tested
                    continue
                for c in share.copies:
                    if c.recipient_id in accused:
                        sealed[("recipient", c.recipient_id)] = None  # the name printed is the recipients table's
                        shares.append(
                            ShareEvidence(
                                share.id,
                                c.recipient.name,
                                share.created_at,
                                share.created_by or "",
                                share.note or "",
                                c.sha256,
                                c.size,
                                ctx.blobs.exists(c.sha256),
                                share.delivery == "portal",
                                _receipts(session, share.id, c.recipient_id, traced_at, sealed),
                            )
                        )
            events = _copy_events(session, shares, accused)
            if mask_sha256:
                hashes["valid region used as evidence (a PNG mask)"] = mask_sha256
        # every case of the finding, closed ones too: which one is open rests on their rows
        sealed.update((("case", cid), None) for cid in session.scalars(select(models.Case.id).where(models.Case.finding_id == f.id)))
        cases = queries.open_cases_of_finding(session, f.id)
        case_ref = f"case {cases[0].id}" if cases else None
        same_leak = [o for o in queries.findings_of_leak(session, f.leak.sha256) if o.id != f.id]
        same_asset = [] if f.asset is None else _findings_of_asset(session, f.asset.id, but=f.id)
        for o in (*same_leak, *same_asset):
            sealed[("finding", o.id)] = None
            if o.asset_id is not None:
                sealed[("asset", o.asset_id)] = None  # its title is printed
        others = tuple(_other(o) for o in same_leak)
        asset_traces = tuple(_other(o) for o in same_asset)
    alignment = findings.alignment(ctx, f)  # with its valid-region mask, decoded from the store (its SHA-256 checked above)
    _check_seals(ctx, sealed)
    return EvidenceData(
        finding_id=str(f.id),
        created_at=traced_at,
        actor=f.actor,
        software_version=f.software_version,
        key_fingerprint=key_fingerprint(ctx.master_key),
        epsilon=f.epsilon,
        threshold=math.nan if f.threshold is None else f.threshold,
        n_tests=f.n_tests or len(f.candidates),
        hypotheses=(f.alignment.hypotheses if f.alignment is not None else 0) or 1,
        leak=LeakEvidence(f.leak.path, f.leak.sha256, f.leak.width, f.leak.height, leak_image, f.leak.page),
        asset=asset_evidence,
        alignment=alignment,
        candidates=tuple(Candidate(c.recipient, c.recipient_id, c.score, c.p_value, c.accused, c.log10_p_bound, c.statistic) for c in f.candidates),
        accused=tuple(f.accused),
        shares=tuple(shares),
        input_hashes=hashes,
        case_ref=case_ref,
        report_at=report_at,
        report_by=report_by,
        custody=f.custody,
        other_traces=others,
        key_custodians=custodians(ctx),
        retain_copies=bool(ctx.settings.retain_copies),
        copy_events=tuple(events),
        checkpoint=checkpoint,
        inclusion=inclusion,
        asset_traces=asset_traces,
        checkpoint_dir=ctx.settings.checkpoint_dir or "",
        **_statistics_of(ctx, f),
    )


def _leak_pixels(ctx: Context, f: Finding, data: bytes):
    """The leak as the finding tested it: the image, or the page of a leaked PDF rendered as it was traced
    (at the resolution its recorded size gives, whatever the settings are today)."""
    if f.leak.page is None:
        return imagefiles.read_image_bytes(data, f.leak.path, max_pixels=ctx.settings.max_pixels, max_bytes=2**40)
    from leaktrace.documents import reading, render

    pdf = reading.open_document(data, f.leak.path, max_pages=2**31, max_pixels=2**62, max_content_bytes=2**62)  # traced already
    box = reading.page_box(pdf.pages[f.leak.page - 1])
    (w, h), (big_h, big_w) = box.size_pt, (f.leak.height, f.leak.width)
    # each side is rounded up: the trace's dpi lies in (72(n − 1)/side, 72n/side] for both
    low, high = max(72.0 * (big_w - 1) / w, 72.0 * (big_h - 1) / h), min(72.0 * big_w / w, 72.0 * big_h / h)
    image = render.render_page(data, f.leak.page - 1, (low + high) / 2, label=f.leak.path)
    if image.shape[:2] != (big_h, big_w):
        raise EvidenceTampered(
            f"page {f.leak.page} of the leaked PDF of finding {f.id} renders at {image.shape[1]}×{image.shape[0]} pixels, not at the "
            f"{big_w}×{big_h} it was traced at; no report is issued from a different rendering."
        )
    return image


def _statistics_of(ctx: Context, f: Finding) -> dict:
    """The statistics the finding's trace tested (:func:`leaktrace.services.traces.statistics_tested`)."""
    if f.asset is None:
        return {"statistics": None, "statistic_names": ()}
    names = traces.statistics_tested(ctx, f)
    return {"statistics": len(names), "statistic_names": names}


def _document_words(session, asset) -> str | None:
    """Which page of which PDF a page asset is, in words (None for an image)."""
    if asset.asset_kind != "page":
        return None
    doc = queries.asset_by_id(session, asset.document_id)
    return (
        f"page {asset.page} of the PDF document '{doc.title}' (asset {doc.id}, {doc.pages} pages, file {doc.filename}, "
        f"SHA-256 {doc.sha256}), rendered at {asset.dpi:g} dpi: the original tested is that rendering"
    )


def _stored_leak(ctx: Context, f: Finding) -> bytes:
    """The bytes of the finding's stored leak file, refused unless they still hash to the SHA-256 it recorded
    (hashed as read: the bytes checked are the bytes drawn)."""
    try:
        data = ctx.blobs.get(f.leak.sha256)
    except NotFound:
        raise EvidenceTampered(
            f"the stored leak file of finding {f.id} (SHA-256 {f.leak.sha256}) is missing from the blob store; no report is issued from it."
        ) from None
    if hashlib.sha256(data).hexdigest() != f.leak.sha256:
        raise EvidenceTampered(_changed_blob("leak file", f.id, f.leak.sha256))
    return data


def _check_blob(ctx: Context, sha256: str, what: str, finding_id: int) -> None:
    """Refuse (one line) when the stored file ``sha256`` (the finding's ``what``) is missing or no longer hashes to it."""
    if ctx.blobs.verify(sha256):
        return
    if not ctx.blobs.exists(sha256):
        raise EvidenceTampered(
            f"the stored {what} of finding {finding_id} (SHA-256 {sha256}) is missing from the blob store; no report is issued from it."
        )
    raise EvidenceTampered(_changed_blob(what, finding_id, sha256))


def _changed_blob(what: str, finding_id: int, sha256: str) -> str:
    return f"the stored {what} of finding {finding_id} no longer has its recorded SHA-256 {sha256} (the file was replaced or altered); no report is issued from it."


def _check_seals(ctx: Context, sealed: dict[tuple[str, int], None]) -> None:
    """Refuse (one line) when any record read for the report no longer matches its latest seal, checked as the
    database holds them now (after they were read). The chain was verified by :func:`audit.check_seal` on the
    finding; the records are checked in one session rather than re-walking the chain once each."""
    with ctx.sessions() as session:
        for kind, record_id in sealed:
            breach = seals.check_record(session, kind, record_id)
            if breach is not None:
                raise EvidenceTampered(f"{breach.reason} The report rests on it: nothing is issued; run 'leaktrace audit verify'.")


def _findings_of_asset(session, asset_id: int, *, but: int) -> list[models.Finding]:
    """Every stored finding whose asset is ``asset_id`` other than finding ``but``, oldest first, with asset and scores loaded."""
    query = (
        select(models.Finding)
        .where(models.Finding.asset_id == asset_id, models.Finding.id != but)
        .options(selectinload(models.Finding.asset), selectinload(models.Finding.scores))
        .order_by(models.Finding.id)
    )
    return list(session.scalars(query))


def custodians(ctx: Context) -> tuple[str, ...]:
    """The holders of the master key named by the ``key_custodians`` setting (empty: not recorded)."""
    return tuple(name.strip() for name in (ctx.settings.key_custodians or "").split(",") if name.strip())


def report(ctx: Context, finding_id: int | str, fmt: str, *, actor: str | None = None) -> bytes:
    """The evidence report of a finding as ``fmt`` ("html" or "pdf") bytes, made by ``actor`` (default: the OS
    account@host) and recorded in the audit log; refused (:class:`~leaktrace.errors.EvidenceTampered`) before
    the signed head is issued when a record or file it rests on no longer matches its seal or SHA-256 (see :func:`evidence`)."""
    if fmt not in FORMATS:
        raise BadInput(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    f = findings.get(ctx, finding_id)  # NotFound first, in one line
    actor = actor or audit.default_actor()
    report_at = datetime.now(UTC)
    # every seal and stored file checked before the signed head is issued: a refusal writes nothing
    ev = evidence(ctx, f.id, report_at=report_at, report_by=actor)
    checkpoint, inclusion = _signed_head(ctx, f, actor)
    ev = dataclasses.replace(ev, checkpoint=checkpoint, inclusion=inclusion)
    data = render(ev, fmt)
    details = {
        "format": fmt,
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "report_at": report_at.isoformat(),
        "evidence_digest": ev.digest(),
        # what the report printed from settings, which the log does not otherwise record
        "key_custodians": list(ev.key_custodians),
        "retain_copies": ev.retain_copies,
        "checkpoint_dir": ev.checkpoint_dir,
    }
    if checkpoint is not None:
        details["checkpoint"] = {"tree_size": checkpoint.tree_size, "root_hash": checkpoint.root_hash}
    audit.record(ctx, actor=actor, action="report", subject_type="finding", subject_id=f.id, details=details)
    return data


def _signed_head(ctx: Context, f: Finding, actor: str) -> tuple[Checkpoint | None, InclusionProof | None]:
    """The signed log head now (issued and recorded by ``actor``), and the inclusion proof of the finding's ``trace`` entry."""
    from leaktrace.services import checkpoints  # the signed log (Ed25519 heads of the Merkle tree)

    with ctx.sessions() as session:
        entries = queries.audit_about(session, "finding", [f.id], actions=("trace",))
        entry_id = entries[0].id if entries else None
    if entry_id is None:  # every stored finding has its trace entry; the seal check refuses one without
        return None, None
    return checkpoints.for_report(ctx, entry_id, actor=actor)


def _other(o) -> OtherTrace:
    """Another stored trace of the same leak file, as the report lists it."""
    accused = tuple(s.recipient_name for s in o.scores if s.accused)
    asset = None if o.asset is None else f"{o.asset.title} (asset {o.asset.id})"
    return OtherTrace(str(o.id), o.created_at, o.actor, accused, asset, o.reason, float(o.epsilon), int(o.n_tests or 0), o.leak_sha256)


def _copy_events(session, shares: list[ShareEvidence], accused: dict[int, str]) -> list[CopyEvent]:
    """Every delivery, download, re-making and discard of the accused's copies in ``shares``, from the log."""
    share_ids = sorted({s.share_id for s in shares})
    out = []
    for e in queries.audit_about(session, "share", share_ids, actions=COPY_ACTIONS) if share_ids else ():
        try:
            details = json.loads(e.details)
        except ValueError:  # audit verify names such an entry; the seal check has refused a broken chain already
            continue
        if not isinstance(details, dict):
            continue
        # a discard names several copies; every other entry names one
        about = details.get("copies") if e.action == "copy.discard" else [details]
        for item in about if isinstance(about, list) else ():
            rid = item.get("recipient_id") if isinstance(item, dict) else None
            if rid in accused:
                out.append(
                    CopyEvent(
                        e.id,
                        e.action,
                        e.at,
                        e.actor,
                        int(e.subject_id),
                        accused[rid],
                        item.get("copy_sha256"),
                        details.get("reason"),
                        details.get("via"),
                        details.get("matches"),
                    )
                )
    return out


def _receipts(session, share_id: int, recipient_id: int, before, sealed: dict) -> tuple[ReceiptEvidence, ...]:
    """The portal's receipts of share ``share_id``'s copy for ``recipient_id`` made before the trace (each sealed record checked with the rest)."""
    from leaktrace.services import portal

    rows = [r for r in portal.receipts_of(session, share_id, recipient_id) if r.at <= before]
    sealed.update((("receipt", r.id), None) for r in rows)
    return tuple(ReceiptEvidence(r.id, r.user_name, r.at, r.sha256) for r in rows)
