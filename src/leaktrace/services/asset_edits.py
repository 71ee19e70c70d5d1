"""Editing and archiving assets: a title corrected, an old drawing put away.

What a copy and a finding rest on never changes once an asset is registered: its file, key
reference and fingerprint layout. Only its ``title`` and ``archived_at`` may change
(:data:`leaktrace.store.seals.SEALED`), and each change is an audit entry about the asset, so its
seal is renewed with the change and an edit made straight in the database is still named by
``audit verify``.

An archived asset is kept for evidence and still searched by every trace and scan (a leak of an
old drawing must still be traced); it is hidden from the share forms and from ``asset list``
(unless asked for) and is not shared again until it is restored. Archiving a document archives its
pages with it, in one transaction, one entry per record (each page is sealed on its own).
"""

from __future__ import annotations

from sqlalchemy import func, select

from leaktrace import records
from leaktrace.errors import BadInput, Conflict
from leaktrace.services import assets, audit, ids
from leaktrace.services.context import Context
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import Asset, Finding, Share, utcnow

#: The longest title an asset may have, characters (the web form's limit too).
MAX_TITLE = 500


def edit(ctx: Context, ref: int | str, *, title: str, actor: str | None = None) -> records.Asset:
    """Give asset ``ref`` a new title (whitespace runs made one space), with an ``asset.edit`` entry
    holding the title before and after; the same title again changes nothing and records nothing.
    The title is frozen once the asset was shared or a finding rests on it (:class:`Conflict`): their
    reports name it, and a report made again must say what it said."""
    new = " ".join((title or "").split())
    if not new:
        raise BadInput("an asset needs a title.")
    if len(new) > MAX_TITLE:
        raise BadInput(f"an asset's title may have at most {MAX_TITLE} characters.")
    number = ids.number(ref, "asset")
    with store_db.transaction(ctx.sessions) as session:
        asset = queries.asset_by_id(session, number)
        before = asset.title
        if new != before and (
            session.scalar(select(func.count()).select_from(Share).where(Share.asset_id == asset.id))
            or session.scalar(select(func.count()).select_from(Finding).where(Finding.asset_id == asset.id))
        ):
            raise Conflict(
                f"asset {asset.id} has shares or findings that name it, and their reports must keep saying what they said: "
                "its title no longer changes (archive it and register the new revision instead)."
            )
        if new != before:
            asset.title = new
            audit.append(session, actor, "asset.edit", "asset", asset.id, {"before": {"title": before}, "after": {"title": new}})
        return assets.record(asset)


def archive(ctx: Context, ref: int | str, *, actor: str | None = None) -> records.Asset:
    """Archive asset ``ref`` (a document with its pages): kept and still traced, hidden from the forms,
    refused to ``share``. One ``asset.archive`` entry per record changed."""
    return _set_archived(ctx, ref, archived=True, actor=actor)


def restore(ctx: Context, ref: int | str, *, actor: str | None = None) -> records.Asset:
    """Bring archived asset ``ref`` (a document with its pages) back to the forms and to ``share``."""
    return _set_archived(ctx, ref, archived=False, actor=actor)


def refuse_archived(asset: Asset) -> None:
    """Refuse (:class:`Conflict`, one line) to send copies of an archived asset."""
    if asset.archived_at is not None:
        raise Conflict(f"asset {asset.id} is archived; restore it first.")


def _set_archived(ctx: Context, ref: int | str, *, archived: bool, actor: str | None) -> records.Asset:
    verb = "archive" if archived else "restore"
    number = ids.number(ref, "asset")
    with store_db.transaction(ctx.sessions) as session:
        asset = queries.asset_by_id(session, number)
        if asset.asset_kind == "page":
            raise BadInput(f"asset {asset.id} is page {asset.page} of document {asset.document_id}: {verb} the document.")
        if (asset.archived_at is not None) == archived:
            raise Conflict(f"asset {asset.id} is {'archived already' if archived else 'not archived'}.")
        rows = [asset, *queries.pages_of_document(session, asset.id)] if asset.asset_kind == "document" else [asset]
        when = utcnow() if archived else None
        for row in rows:
            row.archived_at = when
        for row in rows:
            details: dict = {"archived_at": None if when is None else when.isoformat()}
            if row is not asset:
                details["document_id"] = asset.id
            elif len(rows) > 1:
                details["pages"] = [p.id for p in rows[1:]]
            audit.append(session, actor, f"asset.{verb}", "asset", row.id, details)
        return assets.record(asset)
