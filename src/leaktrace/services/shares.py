"""Shares: send an asset to recipients, each getting its own fingerprinted copy.

One story, however the copies leave:

1. **Make.** Every copy is made, checked against the quality gate and stored durably in the
   blob store, each as soon as it is made (:mod:`leaktrace.services.copies`: no copy's pixels
   or bytes are kept after that). If making fails, the files stored so far are removed.
2. **Record.** The share and its copies (SHA-256 and size of each file) are recorded in one
   transaction with the ``share`` audit entry. Every copy now *waits for delivery*.
3. **Deliver** (:func:`deliver`): each waiting copy is read back from the blob store and written
   into the sender's folder by atomic rename; then, in one transaction, the copies are marked
   delivered (a ``copy.deliver`` entry each) and, unless the workspace retains copies, their
   discard is recorded (``copy.discard``); after that commit their files are deleted
   (:mod:`leaktrace.services.retention`). ``leaktrace share`` delivers into ``--out`` at once;
   a share made on the web waits until its sender downloads each copy, once
   (:func:`leaktrace.services.files.deliver_copy`).

A *portal* share (``portal=True``) is delivered by no one on the sender's side: its copies are made
and gated as above, their SHA-256 and size recorded, and no file is kept; each recipient's user
then downloads a copy made for them at that moment (:mod:`leaktrace.services.portal`), after
accepting the share's ``terms``, until it expires or is revoked (:func:`revoke`).

A process killed at any point leaves no copy file without its record, and no record of a copy
waiting for delivery without its file in the blob store. Killed before 2: files in the blob
store that no record names (no route serves them). Between 2 and 3: copies waiting for delivery
(``leaktrace copy deliver``, or the sender's download, hands them over). During 3: the
delivery is done again in full. After 3's commit: delivered files still stored, which the next
share discards (:func:`leaktrace.services.retention.sweep`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import re
from datetime import timedelta
from pathlib import Path

from leaktrace import imagefiles, records
from leaktrace.errors import BadInput, Conflict, Forbidden, LeaktraceError, NotFound
from leaktrace.services import asset_edits, audit, retention
from leaktrace.services import assets as assets_service
from leaktrace.services import copies as copies_service
from leaktrace.services import groups as groups_service
from leaktrace.services.context import Context, Progress
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import Copy, Share, utcnow

__all__ = ["PORTAL", "VIA", "copy_filename", "deliver", "list_all", "revoke", "share"]

#: How a copy can leave the workspace (the ``via`` of its ``copy.deliver`` entry).
VIA = ("folder", "zip", "download", "portal")
#: ``shares.delivery`` of a share whose recipients download their copies through the portal.
PORTAL = "portal"
#: Longest terms text kept with a share, characters.
MAX_TERMS = 20_000
#: Longest life of a portal share, days.
MAX_EXPIRES_DAYS = 3650


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "recipient"


def copy_filename(asset_filename: str, recipient_name: str, fmt: str) -> str:
    ext = {"JPEG": "jpg", "PDF": "pdf"}.get(fmt, "png")
    return f"{_slug(Path(asset_filename).stem)}--{_slug(recipient_name)}.{ext}"


#: ``--to all``: every recipient of the workspace in use (none archived).
ALL = "all"


def _named(session, to: list[str], groups: list[str] = ()) -> list:
    """The recipients ``to`` names (names or ids, in order), then the members in use of each of ``groups``
    (names or ids), each recipient once. :data:`ALL` names every recipient in use, unless one is called
    that (then it is ambiguous, and refused: a share to everyone must never be a guess). An archived
    recipient named in ``to`` is refused: no new share reaches it."""
    out = []
    for ref in to:
        if ref.strip().lower() != ALL:
            r = queries.recipient_by_name_or_id(session, ref)
            if r.archived_at is not None:
                raise BadInput(f"recipient {r.name!r} is archived: restore it ('leaktrace recipient restore') to share with it.")
            out.append(r)
            continue
        if queries.find_recipient_by_name(session, ref.strip()) is not None:
            raise BadInput(f"a recipient is named {ref.strip()!r}: name them by id, and the others by name or id.")
        everyone = [r for r in queries.list_recipients(session) if r.archived_at is None]
        if not everyone:
            raise BadInput("there is no recipient to share with: add one with 'leaktrace recipient add'.")
        out += everyone
    for ref in groups:
        out += groups_service.members_for_share(session, ref)
    return out


def share(
    ctx: Context,
    asset_id: int | str,
    to: list[str],
    out: Path | None,
    *,
    note: str | None = None,
    actor: str | None = None,
    progress: Progress | None = None,
    via: str = "folder",
    portal: bool = False,
    terms: str | None = None,
    expires_days: float | None = None,
    groups: list[str] | None = None,
) -> list[records.Copy]:
    """Make and record (with its audit entry, run by ``actor``) one fingerprinted copy per recipient:
    those ``to`` names and the members in use of each of ``groups`` (resolved now, each recipient once).

    With a folder ``out``, the copies are delivered into it at once (:func:`deliver`, as ``via``);
    with ``out=None`` they wait in the blob store for their sender to take each one once. With
    ``portal``, no file is kept: each recipient's user downloads a copy made at that moment, after
    accepting ``terms`` (an NDA reference or text), for ``expires_days`` days (None: until revoked).
    """
    actor = actor or audit.default_actor()
    groups = [g for g in (groups or []) if g.strip()]
    if not to and not groups:
        raise BadInput("name at least one recipient with --to, or a group with --to-group.")
    terms = (terms or "").strip() or None
    if terms is not None and len(terms) > MAX_TERMS:
        raise BadInput(f"the terms may have at most {MAX_TERMS} characters (an NDA reference, or its text).")
    if portal and out is not None:
        raise BadInput("a portal share keeps no copy and writes none: its recipients download their own (leave out --out).")
    if expires_days is not None and not portal:
        raise BadInput("--expires-days is for a portal share (--portal): a copy written to a folder cannot expire.")
    if expires_days is not None and not 0 < expires_days <= MAX_EXPIRES_DAYS:
        raise BadInput(f"--expires-days must be more than 0 and at most {MAX_EXPIRES_DAYS}.")
    _check_folder(out)
    asset = assets_service.get(ctx, asset_id)
    asset_edits.refuse_archived(asset)
    with ctx.sessions() as session:
        recipients = []
        for r in _named(session, list(to), groups):
            if r.id not in {x.id for x in recipients}:
                session.expunge(r)
                recipients.append(r)
    retention.sweep(ctx, actor=actor)  # finish what an earlier process left
    prepared = assets_service.prepare(ctx, asset)
    fmt = copies_service.copy_format(asset)
    kept: list[str] = []  # every file stored, to remove if the share fails

    def keep(data: bytes) -> str:
        if portal:  # recorded, not kept: the portal makes each download anew
            return hashlib.sha256(data).hexdigest()
        digest = ctx.blobs.put(data)
        kept.append(digest)
        return digest

    made: list[copies_service.Made] = []  # digests and numbers only
    try:
        for m in copies_service.make(ctx, asset, prepared, recipients, fmt, keep=keep):
            made.append(m)
            if progress:
                progress(len(made), len(recipients), m.recipient.name)
        expires_at = None if expires_days is None else utcnow() + timedelta(days=expires_days)
        share_id = _record_share(ctx, asset, made, fmt, note, actor, portal=portal, terms=terms, expires_at=expires_at)
    except BaseException:
        with contextlib.suppress(LeaktraceError, OSError):
            retention.unlink(ctx, kept)  # what no record needs; the error that stopped the share goes on
        raise
    if out is None:
        return [
            records.Copy(
                m.recipient.name,
                m.recipient.id,
                m.sha256,
                share_id,
                copy_filename(asset.filename, m.recipient.name, fmt),
                round(m.psnr, 2),
                round(m.ssim, 5),
                size=m.size,
                stored=not portal,
                psnr_luminance=None if m.psnr_luminance is None else round(m.psnr_luminance, 2),
            )
            for m in made
        ]
    delivered = deliver(ctx, share_id, out, actor=actor, via=via)
    mark = {m.recipient.id: m.psnr_luminance for m in made}  # measured now, not stored
    return [dataclasses.replace(c, psnr_luminance=None if mark.get(c.recipient_id) is None else round(mark[c.recipient_id], 2)) for c in delivered]


def _record_share(
    ctx: Context, asset, made: list[copies_service.Made], fmt: str, note: str | None, actor: str, *, portal: bool, terms: str | None, expires_at
) -> int:
    with store_db.transaction(ctx.sessions) as session:
        for m in made:  # under the write lock: no delivery elsewhere can discard a file now
            if not portal and not ctx.blobs.exists(m.sha256):
                raise Conflict(f"the copy for {m.recipient.name} was discarded by a delivery running at the same time; share again.")
        record = Share(asset_id=asset.id, note=note, created_by=actor, delivery=PORTAL if portal else None, terms=terms, expires_at=expires_at)
        session.add(record)
        session.flush()
        for m in made:
            session.add(
                Copy(
                    share_id=record.id,
                    recipient_id=m.recipient.id,
                    sha256=m.sha256,
                    filename=copy_filename(asset.filename, m.recipient.name, fmt),
                    psnr=float(m.psnr),
                    ssim=float(m.ssim),
                    size=m.size,
                )
            )
        session.flush()
        copies = [{"recipient_id": m.recipient.id, "sha256": m.sha256, "size": m.size} for m in made]
        details: dict = {"asset_id": asset.id, "note": note, "copies": copies}
        if portal:
            details.update(delivery=PORTAL, expires_at=None if expires_at is None else expires_at.isoformat())
        if terms is not None:
            details["terms_sha256"] = hashlib.sha256(terms.encode("utf-8")).hexdigest()
        audit.append(session, actor, "share", "share", record.id, details)
        return record.id


def deliver(ctx: Context, share_id: int | str, out: Path, *, actor: str | None = None, via: str = "folder") -> list[records.Copy]:
    """Write every copy of share ``share_id`` that waits for delivery into the folder ``out``, once,
    for the share's sender (``actor``); mark them delivered; discard their files unless retained.

    Returns the copies delivered, each with its ``path``. :class:`Conflict` when no copy of the
    share waits, else :class:`Forbidden` for anyone but the sender.
    """
    actor = actor or audit.default_actor()
    if via not in VIA:
        raise ValueError(f"unknown delivery {via!r}; one of {', '.join(VIA)}")
    _check_folder(out)
    number = copies_service.share_number(share_id)
    with ctx.sessions() as session:
        s = queries.share_by_id(session, number)
        if s.delivery == PORTAL:
            raise Conflict(f"share {number} is delivered through the recipient portal: each recipient's user downloads a copy made for them.")
        waiting = [(c.id, c.sha256, c.filename) for c in s.copies if c.delivered_at is None]
        if not waiting:
            raise Conflict(
                f"share {number} has no copy waiting for delivery (each is handed over once); an admin can download a retained copy or regenerate one, with a reason."
            )
        _check_sender(s, actor)
    out.mkdir(parents=True, exist_ok=True)
    for _, sha, filename in waiting:
        imagefiles.write_atomic(out / filename, ctx.blobs.get(sha))  # 0600; one file in memory at a time
    ids = {copy_id for copy_id, _, _ in waiting}
    with store_db.transaction(ctx.sessions) as session:
        s = queries.share_by_id(session, number)
        rows = [c for c in s.copies if c.id in ids and c.delivered_at is None]  # a download elsewhere may have taken one meanwhile
        now = utcnow()
        for c in rows:
            c.delivered_at = now
        session.flush()
        for c in rows:
            audit.append(session, actor, "copy.deliver", "share", number, {"recipient_id": c.recipient_id, "copy_sha256": c.sha256, "via": via})
        digests = retention.record_discard(ctx, session, actor, number, rows)
        delivered = [copy_record(ctx, c, path=str(out / c.filename), stored=c.sha256 not in digests) for c in rows]
    retention.unlink(ctx, digests)
    return delivered


def list_all(ctx: Context) -> list[records.Share]:
    """Every share with its copies, oldest first."""
    with ctx.sessions() as session:
        return [_record(ctx, s) for s in queries.list_shares(session)]


def _record(ctx: Context, s: Share) -> records.Share:
    """The interface record of a stored share and its copies (loaded with their recipients)."""
    copies = tuple(copy_record(ctx, c) for c in s.copies)
    expires = None if s.expires_at is None else s.expires_at.isoformat()
    return records.Share(s.id, s.asset_id, s.note, s.created_by, s.created_at.isoformat(), copies, s.delivery, s.terms, expires)


def copy_record(ctx: Context, c: Copy, *, path: str | None = None, stored: bool | None = None) -> records.Copy:
    """A recorded copy as the interfaces show it (loaded with its recipient); ``stored``: whether the
    workspace still holds its file, looked up unless the caller knows."""
    return records.Copy(
        c.recipient.name,
        c.recipient_id,
        c.sha256,
        c.share_id,
        c.filename,
        round(c.psnr, 2),
        round(c.ssim, 5),
        path=path,
        size=c.size,
        delivered_at=None if c.delivered_at is None else c.delivered_at.isoformat(),
        stored=ctx.blobs.exists(c.sha256) if stored is None else stored,
        revoked_at=None if c.revoked_at is None else c.revoked_at.isoformat(),
    )


def _check_folder(out: Path | None) -> None:
    if out is not None and out.exists() and not out.is_dir():
        raise BadInput(f"{out}: exists and is not a folder.")


def _check_sender(s: Share, actor: str) -> None:
    if s.created_by != actor:
        raise Forbidden(
            f"share {s.id} was made by {s.created_by or 'someone else'}; only they take its copies (an admin can download a retained copy or regenerate one, with a reason)."
        )


def revoke(ctx: Context, share_id: int | str, recipients: list[str] | None = None, *, actor: str | None = None) -> records.Share:
    """Stop the portal serving share ``share_id``'s copies: every one, or only those of ``recipients``
    (names or ids). One ``share.revoke`` entry names the copies revoked now; revoking twice changes nothing.

    A copy already downloaded stays downloaded (its receipts stand); a share delivered by its sender
    has nothing the portal serves, and is refused.
    """
    actor = actor or audit.default_actor()
    number = copies_service.share_number(share_id)
    with store_db.transaction(ctx.sessions) as session:
        s = queries.share_by_id(session, number)
        if s.delivery != PORTAL:
            raise Conflict(f"share {number} was delivered by its sender, not through the recipient portal: there is nothing to revoke.")
        wanted = None if not recipients else {queries.recipient_by_name_or_id(session, ref).id for ref in recipients}
        if wanted is not None:
            missing = wanted - {c.recipient_id for c in s.copies}
            if missing:
                raise NotFound(f"share {number} made no copy for recipient {min(missing)}.")
        now = utcnow()
        rows = [c for c in s.copies if c.revoked_at is None and (wanted is None or c.recipient_id in wanted)]
        for c in rows:
            c.revoked_at = now
        if rows:
            audit.append(session, actor, "share.revoke", "share", number, {"recipients": [c.recipient_id for c in rows], "all": wanted is None})
        session.flush()
        return _record(ctx, s)
