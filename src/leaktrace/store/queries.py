"""Named queries, one per question the services ask of the store.

Each takes an open :class:`~sqlalchemy.orm.Session`. Functions named ``*_by_*``
raise :class:`~leaktrace.errors.NotFound` with a one-line message naming what was
asked for; ``find_*`` return None instead. Lists are ordered by id (creation order)
and load the relations their callers use, so results stay usable after the session closes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from leaktrace.errors import NotFound
from leaktrace.store.models import Asset, Copy, Meta, Recipient, Share

__all__ = [
    "asset_by_id",
    "asset_by_sha256",
    "copies_of_asset",
    "find_asset_by_sha256",
    "find_copy_by_sha256",
    "find_recipient_by_name",
    "get_meta",
    "list_assets",
    "list_recipients",
    "list_shares",
    "recipient_by_id",
    "recipient_by_name_or_id",
    "recipients_of_asset",
    "set_meta",
    "share_by_id",
]

# ----------------------------------------------------------------------------- recipients


def find_recipient_by_name(session: Session, name: str) -> Recipient | None:
    """The recipient called exactly ``name``, or None."""
    return session.scalar(select(Recipient).where(Recipient.name == name))


def recipient_by_id(session: Session, recipient_id: int) -> Recipient:
    """The recipient numbered ``recipient_id``."""
    recipient = session.get(Recipient, recipient_id)
    if recipient is None:
        raise NotFound(f"no recipient numbered {recipient_id}")
    return recipient


def recipient_by_name_or_id(session: Session, ref: str) -> Recipient:
    """The recipient named ``ref``, else numbered ``ref`` (a name wins over a number)."""
    recipient = find_recipient_by_name(session, ref)
    if recipient is None and ref.strip().isdigit():
        recipient = session.get(Recipient, int(ref))
    if recipient is None:
        raise NotFound(f"no recipient named or numbered {ref!r}")
    return recipient


def list_recipients(session: Session) -> list[Recipient]:
    """All recipients, oldest first."""
    return list(session.scalars(select(Recipient).order_by(Recipient.id)))


def recipients_of_asset(session: Session, asset_id: int) -> list[Recipient]:
    """The distinct recipients who received any copy of asset ``asset_id``, by id.

    These are the only people a leak of the asset can be traced to.
    """
    asset_by_id(session, asset_id)
    query = (
        select(Recipient)
        .join(Copy, Copy.recipient_id == Recipient.id)
        .join(Share, Share.id == Copy.share_id)
        .where(Share.asset_id == asset_id)
        .distinct()
        .order_by(Recipient.id)
    )
    return list(session.scalars(query))


# ----------------------------------------------------------------------------- assets


def asset_by_id(session: Session, asset_id: int) -> Asset:
    """The asset numbered ``asset_id``."""
    asset = session.get(Asset, asset_id)
    if asset is None:
        raise NotFound(f"no asset numbered {asset_id}")
    return asset


def find_asset_by_sha256(session: Session, sha256: str) -> Asset | None:
    """The asset whose original file has SHA-256 ``sha256``, or None."""
    return session.scalar(select(Asset).where(Asset.sha256 == sha256.lower()))


def asset_by_sha256(session: Session, sha256: str) -> Asset:
    """The asset whose original file has SHA-256 ``sha256``."""
    asset = find_asset_by_sha256(session, sha256)
    if asset is None:
        raise NotFound(f"no asset with SHA-256 {sha256}")
    return asset


def list_assets(session: Session) -> list[Asset]:
    """All assets, oldest first."""
    return list(session.scalars(select(Asset).order_by(Asset.id)))


# ----------------------------------------------------------------------------- shares and copies

_SHARE_LOADS = (
    selectinload(Share.asset),
    selectinload(Share.copies).selectinload(Copy.recipient),
)


def share_by_id(session: Session, share_id: int) -> Share:
    """The share numbered ``share_id``, with its asset and copies (and their recipients) loaded."""
    share = session.get(Share, share_id, options=_SHARE_LOADS)
    if share is None:
        raise NotFound(f"no share numbered {share_id}")
    return share


def list_shares(session: Session, *, asset_id: int | None = None, recipient_id: int | None = None) -> list[Share]:
    """Shares, oldest first, optionally only of one asset or only those that reached one recipient."""
    query = select(Share).options(*_SHARE_LOADS).order_by(Share.id)
    if asset_id is not None:
        query = query.where(Share.asset_id == asset_id)
    if recipient_id is not None:
        query = query.where(Share.copies.any(Copy.recipient_id == recipient_id))
    return list(session.scalars(query))


def copies_of_asset(session: Session, asset_id: int) -> list[Copy]:
    """Every copy ever made of asset ``asset_id``, by id, with recipient and share loaded."""
    asset_by_id(session, asset_id)
    query = (
        select(Copy)
        .join(Share, Share.id == Copy.share_id)
        .where(Share.asset_id == asset_id)
        .options(selectinload(Copy.recipient), selectinload(Copy.share))
        .order_by(Copy.id)
    )
    return list(session.scalars(query))


def find_copy_by_sha256(session: Session, sha256: str) -> Copy | None:
    """The copy whose file has SHA-256 ``sha256`` (a leak that is an untouched copy), or None."""
    query = (
        select(Copy)
        .where(Copy.sha256 == sha256.lower())
        .options(selectinload(Copy.recipient), selectinload(Copy.share))
        .order_by(Copy.id)
    )
    return session.scalars(query).first()


# ----------------------------------------------------------------------------- workspace facts


def get_meta(session: Session, key: str, default: str | None = None) -> str | None:
    """The workspace fact ``key``, or ``default``."""
    row = session.get(Meta, key)
    return default if row is None else row.value


def set_meta(session: Session, key: str, value: str) -> None:
    """Record the workspace fact ``key`` (replacing an earlier value)."""
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value
