"""The tables of the store: recipients, assets, shares, copies and workspace facts.

A *share* sends one *asset* to several *recipients*; each recipient gets one
fingerprinted *copy* (a file in the blob store, named by its SHA-256). Recipients
and assets carry a random ``key_ref`` fixed at creation; fingerprint seeds are
derived from the master key and these refs, so they must never change.

All datetimes are timezone-aware UTC, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates
from sqlalchemy.types import TypeDecorator

__all__ = ["Asset", "Base", "Copy", "Meta", "Recipient", "Share", "new_key_ref", "utcnow"]

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


def new_key_ref() -> str:
    """A fresh random reference, 32 hex characters (128 bits)."""
    return secrets.token_hex(16)


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime stored as UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: leaktrace stores timezone-aware UTC only")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class _KeyRef:
    """Gives a row its ``key_ref`` at construction (not at flush) and refuses to change it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("key_ref", new_key_ref())
        super().__init__(**kwargs)

    @validates("key_ref")
    def _fixed(self, key: str, value: str) -> str:
        current = self.__dict__.get("key_ref")
        if current is not None and current != value:
            raise ValueError(f"{type(self).__name__}.key_ref never changes: fingerprints derive from it")
        return value


class Recipient(_KeyRef, Base):
    """Someone who receives copies."""

    __tablename__ = "recipients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_ref: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    org: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    copies: Mapped[list[Copy]] = relationship(back_populates="recipient", order_by="Copy.id")

    def __repr__(self) -> str:
        return f"Recipient(id={self.id!r}, name={self.name!r})"


class Asset(_KeyRef, Base):
    """A confidential original image, with the fingerprint layout chosen for it."""

    __tablename__ = "assets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_ref: Mapped[str] = mapped_column(String(32), unique=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    filename: Mapped[str] = mapped_column(String(500))
    format: Mapped[str] = mapped_column(String(8))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    grid_y: Mapped[int] = mapped_column(Integer)
    grid_x: Mapped[int] = mapped_column(Integer)
    strength: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    shares: Mapped[list[Share]] = relationship(back_populates="asset", order_by="Share.id")

    def __repr__(self) -> str:
        return f"Asset(id={self.id!r}, title={self.title!r}, sha256={self.sha256[:12]!r}…)"


class Share(Base):
    """One act of sending an asset to recipients."""

    __tablename__ = "shares"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    asset: Mapped[Asset] = relationship(back_populates="shares")
    copies: Mapped[list[Copy]] = relationship(back_populates="share", order_by="Copy.id")

    def __repr__(self) -> str:
        return f"Share(id={self.id!r}, asset_id={self.asset_id!r})"


class Copy(Base):
    """The fingerprinted file one recipient received in one share."""

    __tablename__ = "copies"
    __table_args__ = (UniqueConstraint("share_id", "recipient_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("shares.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    psnr: Mapped[float] = mapped_column(Float)
    ssim: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    share: Mapped[Share] = relationship(back_populates="copies")
    recipient: Mapped[Recipient] = relationship(back_populates="copies")

    def __repr__(self) -> str:
        return f"Copy(id={self.id!r}, share_id={self.share_id!r}, recipient_id={self.recipient_id!r})"


class Meta(Base):
    """Workspace facts as key → value text (the master key's fingerprint, for one)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"Meta(key={self.key!r})"
