"""The tables of the store: recipients, assets, shares, copies, findings, cases, audit, users.

A *share* sends one *asset* to several *recipients*; each recipient gets one
fingerprinted *copy* (a file in the blob store, named by its SHA-256). Recipients
and assets carry a random ``key_ref`` fixed at creation; fingerprint seeds are
derived from the master key and these refs, so they must never change.

Every trace is kept as a *finding* (with one *finding score* per recipient tested,
and the leak file and the valid-region mask in the blob store), so its evidence
report can be rebuilt years later without re-running it. A *case* follows a
finding over time (*case events* are its timeline, *remediation actions* its
plan). *Audit entries* form an append-only hash chain (see ``store/audit.py``).
*Users* log into the web app; *tokens* authenticate the REST API (only hashes stored).
A *scan* screens many images (a folder, a crawler's feed) and traces the ones that match;
its *scan items* are its files, keyed by SHA-256, each with its status and finding.
The recipient portal: an *invitation* (only its token's SHA-256 stored) makes a *user* of role
``recipient`` linked to one recipient; that user's *acceptance* of a share's terms and each
*receipt* (one download of a copy made for them at that moment) are sealed records.

All datetimes are timezone-aware UTC, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates
from sqlalchemy.types import TypeDecorator

__all__ = [
    "Asset",
    "AuditEntry",
    "Base",
    "Case",
    "CaseEvent",
    "CaseResponsible",
    "Checkpoint",
    "Copy",
    "Acceptance",
    "Finding",
    "FindingScore",
    "GroupMember",
    "Invitation",
    "Meta",
    "Receipt",
    "Recipient",
    "RecipientGroup",
    "RemediationAction",
    "Scan",
    "ScanItem",
    "Share",
    "Token",
    "User",
    "new_key_ref",
    "utcnow",
]

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


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
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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
    # archived (migration 0010): hidden from the forms and from "all", kept and tested by every trace
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    copies: Mapped[list[Copy]] = relationship(back_populates="recipient", order_by="Copy.id")

    def __repr__(self) -> str:
        return f"Recipient(id={self.id!r}, name={self.name!r})"


class Asset(_KeyRef, Base):
    """A confidential original (an image, a PDF document or one of its pages), with the fingerprint layout chosen for it."""

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
    # the geometric carrier (core.geometry): all NULL when the asset has none (no edges, or
    # registered before it existed)
    geometric_grid_y: Mapped[int | None] = mapped_column(Integer, nullable=True)
    geometric_grid_x: Mapped[int | None] = mapped_column(Integer, nullable=True)
    geometric_amplitude: Mapped[float | None] = mapped_column(Float, nullable=True)  # px RMS per component
    geometric_max_px: Mapped[float | None] = mapped_column(Float, nullable=True)  # px, bound on the displacement
    # what the asset is: "image", "document" or "page" (NULL: an image registered before documents existed). A document's
    # row is the PDF; each of its pages is a row of kind "page" (document_id, page from 1, rendered
    # at dpi as its original: searched, registered and tested like an image).
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    document_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pages: Mapped[int | None] = mapped_column(Integer, nullable=True)  # a document's page count
    dpi: Mapped[float | None] = mapped_column(Float, nullable=True)  # a page's reference resolution, pixels per inch
    # archived (migration 0010): hidden from the forms, still searched by every trace and scan
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    shares: Mapped[list[Share]] = relationship(back_populates="asset", order_by="Share.id")
    #: a page's document (read only: the column is the link)
    document: Mapped[Asset | None] = relationship(primaryjoin="foreign(Asset.document_id) == remote(Asset.id)", viewonly=True)

    @property
    def asset_kind(self) -> str:
        """ "image", "document" or "page"."""
        return self.kind or "image"

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
    # the recipient portal (migration 0009; all NULL for a share delivered by its sender): ``delivery``
    # "portal" when each recipient's user downloads a copy made at that moment; the terms they accept
    # first (an NDA reference or text) and when the share stops being downloadable
    delivery: Mapped[str | None] = mapped_column(String(16), nullable=True)
    terms: Mapped[str | None] = mapped_column(Text, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    asset: Mapped[Asset] = relationship(back_populates="shares")
    copies: Mapped[list[Copy]] = relationship(back_populates="share", order_by="Copy.id")

    def __repr__(self) -> str:
        return f"Share(id={self.id!r}, asset_id={self.asset_id!r})"


class Copy(Base):
    """The fingerprinted file one recipient received in one share.

    ``sha256`` and ``size`` stay for ever; the file itself is kept in the blob store only until
    it is delivered (``delivered_at``) unless the workspace retains copies: the sender keeps no
    copy a supplier could be framed with.
    """

    __tablename__ = "copies"
    __table_args__ = (UniqueConstraint("share_id", "recipient_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("shares.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    psnr: Mapped[float] = mapped_column(Float)
    ssim: Mapped[float] = mapped_column(Float)
    size: Mapped[int | None] = mapped_column(BigInteger)  # bytes of the file; None for copies made before it was kept
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # when the copy left the workspace
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # the portal serves it no more (migration 0009)

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


class Finding(Base):
    """A trace's result, kept whole: the leak, the asset, the alignment and every recipient's test.

    ``homography`` is the JSON list of the 3×3 matrix mapping original (x, y) pixels to leak
    pixels; ``valid_bbox`` is ``[x0, y0, x1, y1]`` (exclusive ends) of the valid region in the
    original's frame and ``valid_mask_sha256`` names its full mask, a PNG blob. ``source_url``,
    ``found_at``, ``captured_by`` and ``custody_note`` are the leak's chain of custody.
    """

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leak_sha256: Mapped[str] = mapped_column(String(64), index=True)
    leak_path: Mapped[str] = mapped_column(Text)
    leak_width: Mapped[int] = mapped_column(Integer)
    leak_height: Mapped[int] = mapped_column(Integer)
    leak_page: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the page (from 1) of a leaked PDF the finding rests on
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"), index=True)
    homography: Mapped[str | None] = mapped_column(Text)
    mirrored: Mapped[bool | None] = mapped_column(Boolean)
    method: Mapped[str | None] = mapped_column(String(40))
    agreement: Mapped[float | None] = mapped_column(Float)
    coverage: Mapped[float | None] = mapped_column(Float)
    inliers: Mapped[int | None] = mapped_column(Integer)
    hypotheses: Mapped[int] = mapped_column(Integer, default=0)
    valid_bbox: Mapped[str | None] = mapped_column(Text)
    valid_mask_sha256: Mapped[str | None] = mapped_column(String(64))
    epsilon: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    n_tests: Mapped[int] = mapped_column(Integer, default=0)
    accused: Mapped[str] = mapped_column(Text, default="[]")
    reason: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)  # where the leak was found
    found_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # when it was found
    captured_by: Mapped[str | None] = mapped_column(String(200))  # who captured the leak file
    custody_note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    software_version: Mapped[str] = mapped_column(String(40))
    elapsed_s: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    asset: Mapped[Asset | None] = relationship()
    scores: Mapped[list[FindingScore]] = relationship(back_populates="finding", order_by="FindingScore.rank")

    def __repr__(self) -> str:
        return f"Finding(id={self.id!r}, asset_id={self.asset_id!r})"


class FindingScore(Base):
    """One recipient's test in one finding (``rank`` 0 is the highest score)."""

    __tablename__ = "finding_scores"
    __table_args__ = (UniqueConstraint("finding_id", "recipient_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)
    recipient_name: Mapped[str] = mapped_column(String(200))
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    p_value: Mapped[float] = mapped_column(Float)
    accused: Mapped[bool] = mapped_column(Boolean)
    statistic: Mapped[str | None] = mapped_column(String(40), nullable=True)  # core.verdict's name of the statistic the score came from

    finding: Mapped[Finding] = relationship(back_populates="scores")

    def __repr__(self) -> str:
        return f"FindingScore(finding_id={self.finding_id!r}, recipient_id={self.recipient_id!r})"


class Case(Base):
    """A leak incident followed over time, opened from a finding."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    nda_ref: Mapped[str | None] = mapped_column(String(200))
    penalty_minor: Mapped[int | None] = mapped_column(BigInteger)  # in the currency's minor units (cents), exact
    penalty_currency: Mapped[str | None] = mapped_column(String(3))  # ISO 4217
    opened_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    finding: Mapped[Finding] = relationship()
    responsibles: Mapped[list[CaseResponsible]] = relationship(back_populates="case", order_by="CaseResponsible.id", cascade="all, delete-orphan")
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.id")
    actions: Mapped[list[RemediationAction]] = relationship(back_populates="case", order_by="RemediationAction.id")

    def __repr__(self) -> str:
        return f"Case(id={self.id!r}, status={self.status!r})"


class CaseResponsible(Base):
    """One recipient held responsible in a case (several when colluders are named)."""

    __tablename__ = "case_responsibles"
    __table_args__ = (UniqueConstraint("case_id", "recipient_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)

    case: Mapped[Case] = relationship(back_populates="responsibles")
    recipient: Mapped[Recipient] = relationship()

    def __repr__(self) -> str:
        return f"CaseResponsible(case_id={self.case_id!r}, recipient_id={self.recipient_id!r})"


class CaseEvent(Base):
    """One change in a case's timeline: who, when, which field, old → new (or a note)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # opened | change | action | action_done | note
    field: Mapped[str | None] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="events")

    def __repr__(self) -> str:
        return f"CaseEvent(id={self.id!r}, case_id={self.case_id!r}, kind={self.kind!r})"


class RemediationAction(Base):
    """One step of a case's remediation plan."""

    __tablename__ = "remediation_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    due: Mapped[date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="actions")

    def __repr__(self) -> str:
        return f"RemediationAction(id={self.id!r}, case_id={self.case_id!r}, done={self.done!r})"


class AuditEntry(Base):
    """One link of the append-only audit chain (written only by ``store/audit.py``).

    ``prev_hash`` is unique: two writers can never both extend the same entry, so the
    chain cannot fork even if locking failed.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_subject_type_subject_id", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"AuditEntry(id={self.id!r}, action={self.action!r})"


class Checkpoint(Base):
    """A signed head of the audit log (as a Certificate Transparency signed tree head): the
    Merkle root of the first ``tree_size`` entries, when, and the Ed25519 signature of the
    workspace's log key (``key_id`` is the SHA-256 of its public key). Copies of these leave
    the machine; the table only remembers which heads were issued."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tree_size: Mapped[int] = mapped_column(Integer)
    root_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(Text)  # base64

    def __repr__(self) -> str:
        return f"Checkpoint(id={self.id!r}, tree_size={self.tree_size!r})"


class User(Base):
    """Someone who logs into the web app, with one role (admin, analyst, auditor; or recipient, then
    ``recipient_id`` is the recipient whose user they are, fixed at the invitation's acceptance)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # no foreign key (as assets.document_id): SQLite adds a plain column in place, no table rebuild
    recipient_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)

    tokens: Mapped[list[Token]] = relationship(back_populates="user", order_by="Token.id")

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, name={self.name!r}, role={self.role!r})"


class Token(Base):
    """An API token of a user; only its SHA-256 is stored."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(back_populates="tokens")

    def __repr__(self) -> str:
        return f"Token(id={self.id!r}, user_id={self.user_id!r}, revoked={self.revoked!r})"


class Scan(Base):
    """A batch of images screened against every asset (``leaktrace scan``); its items say what each became.

    ``sources`` is the JSON list of the sources as given (folders, lists, feeds); ``status`` is
    ``running`` (or stopped without saying so), ``interrupted`` (stopped by the user) or ``done``.
    Bookkeeping, not evidence: a scan is not sealed, each of its findings is (its ``trace`` entry).
    """

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="running")
    sources: Mapped[str] = mapped_column(Text, default="[]")
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    items: Mapped[list[ScanItem]] = relationship(back_populates="scan", order_by="ScanItem.position")

    def __repr__(self) -> str:
        return f"Scan(id={self.id!r}, status={self.status!r})"


class ScanItem(Base):
    """One file of a scan, keyed by its SHA-256 (NULL when it could not be read): ``status`` is
    ``pending``, ``matched`` (``finding_id`` is its finding), ``unmatched`` or ``failed`` (``reason``,
    one line). ``earlier`` marks a file an earlier scan had done (counted, not traced again).
    ``source_url`` and ``found_at`` are the feed's custody fields, given to its trace."""

    __tablename__ = "scan_items"
    __table_args__ = (UniqueConstraint("scan_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    earlier: Mapped[bool] = mapped_column(Boolean, default=False)
    source_url: Mapped[str | None] = mapped_column(Text)
    found_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    scan: Mapped[Scan] = relationship(back_populates="items")
    finding: Mapped[Finding | None] = relationship()

    def __repr__(self) -> str:
        return f"ScanItem(scan_id={self.scan_id!r}, sha256={self.sha256!r}, status={self.status!r})"


class RecipientGroup(Base):
    """A named set of recipients (e.g. a tender's bidders) that a share can be addressed to.

    A share made to a group records each member as its own recipient at share time: the group is
    an address book entry, not evidence, so later changes to it never change a share."""

    __tablename__ = "recipient_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    members: Mapped[list[GroupMember]] = relationship(back_populates="group", order_by="GroupMember.recipient_id", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"RecipientGroup(id={self.id!r}, name={self.name!r})"


class GroupMember(Base):
    """One recipient in one group."""

    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("recipient_groups.id"), primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    group: Mapped[RecipientGroup] = relationship(back_populates="members")
    recipient: Mapped[Recipient] = relationship()


class Invitation(Base):
    """A one-time link that makes a recipient's user: only the token's SHA-256 is stored; it works
    until ``expires_at``, once (``accepted_at``, ``user_id``: the user it made), and not after it is
    cancelled (``cancelled_at``)."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    recipient: Mapped[Recipient] = relationship()

    def __repr__(self) -> str:
        return f"Invitation(id={self.id!r}, recipient_id={self.recipient_id!r})"


class Acceptance(Base):
    """A recipient's user accepted a portal share's terms (their SHA-256, as shown), from an address
    and a browser, before the first download."""

    __tablename__ = "acceptances"
    __table_args__ = (UniqueConstraint("share_id", "recipient_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("shares.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    user_name: Mapped[str] = mapped_column(String(200))
    terms_sha256: Mapped[str] = mapped_column(String(64))
    client: Mapped[str | None] = mapped_column(String(100), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(500), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"Acceptance(share_id={self.share_id!r}, recipient_id={self.recipient_id!r})"


class Receipt(Base):
    """One download through the portal (``id`` is the receipt's number): the copy made for the
    recipient at that moment, by which user, when, from which address and browser, its SHA-256 and
    size, and whether it is byte for byte the copy the share recorded (``matches``)."""

    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("shares.id"), index=True)
    copy_id: Mapped[int] = mapped_column(ForeignKey("copies.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    user_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(String(500))
    matches: Mapped[bool] = mapped_column(Boolean)
    client: Mapped[str | None] = mapped_column(String(100), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(500), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"Receipt(id={self.id!r}, share_id={self.share_id!r}, recipient_id={self.recipient_id!r})"
