"""Named queries, one per question the services ask of the store.

Each takes an open :class:`~sqlalchemy.orm.Session`. Functions named ``*_by_*``
raise :class:`~leaktrace.errors.NotFound` with a one-line message naming what was
asked for; ``find_*`` return None instead. Lists are ordered by id (creation order)
and load the relations their callers use, so results stay usable after the session closes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from leaktrace.errors import NotFound
from leaktrace.store.models import (
    Asset,
    AuditEntry,
    Case,
    CaseResponsible,
    Copy,
    Finding,
    Meta,
    Recipient,
    RemediationAction,
    Share,
    Token,
    User,
)

__all__ = [
    "action_of_case",
    "asset_by_id",
    "asset_by_sha256",
    "case_by_id",
    "blob_needed",
    "copies_by_sha256",
    "copies_of_asset",
    "copy_of_share",
    "delivered_copies",
    "find_asset_by_sha256",
    "find_copy_by_sha256",
    "find_recipient_by_name",
    "find_token_by_hash",
    "find_user_by_name",
    "finding_by_id",
    "get_meta",
    "list_assets",
    "pages_of_document",
    "list_audit",
    "list_cases",
    "list_findings",
    "list_recipients",
    "list_shares",
    "list_users",
    "open_cases_of_finding",
    "recipient_by_id",
    "recipient_by_name_or_id",
    "recipients_of_asset",
    "set_meta",
    "share_by_id",
    "token_by_id",
    "user_by_name",
]

# ----------------------------------------------------------------------------- recipients


#: The largest id both stores' keys hold (PostgreSQL's INTEGER, 32 bits; SQLite's holds 64): a
#: larger one names no record, on either store, and never reaches the database (where PostgreSQL
#: would refuse it as out of range).
MAX_ID = 2**31 - 1


def _get(session: Session, model: type, key: int, **options):
    """``session.get``, except that an id no key can hold is no record (None), not an OverflowError."""
    if not 1 <= key <= MAX_ID:
        return None
    return session.get(model, key, **options)


def find_recipient_by_name(session: Session, name: str) -> Recipient | None:
    """The recipient called exactly ``name``, or None."""
    return session.scalar(select(Recipient).where(Recipient.name == name))


def recipient_by_id(session: Session, recipient_id: int) -> Recipient:
    """The recipient numbered ``recipient_id``."""
    recipient = _get(session, Recipient, recipient_id)
    if recipient is None:
        raise NotFound(f"no recipient numbered {recipient_id}")
    return recipient


def recipient_by_name_or_id(session: Session, ref: str) -> Recipient:
    """The recipient named ``ref``, else numbered ``ref`` (a name wins over a number)."""
    recipient = find_recipient_by_name(session, ref)
    if recipient is None and ref.strip().isdigit():
        recipient = _get(session, Recipient, int(ref))
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
    asset = asset_by_id(session, asset_id)
    shared = asset.document_id if asset.kind == "page" else asset_id  # a page is shared with its document
    query = (
        select(Recipient)
        .join(Copy, Copy.recipient_id == Recipient.id)
        .join(Share, Share.id == Copy.share_id)
        .where(Share.asset_id == shared)
        .distinct()
        .order_by(Recipient.id)
    )
    return list(session.scalars(query))


# ----------------------------------------------------------------------------- assets


def asset_by_id(session: Session, asset_id: int) -> Asset:
    """The asset numbered ``asset_id``."""
    asset = _get(session, Asset, asset_id)
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


def pages_of_document(session: Session, document_id: int) -> list[Asset]:
    """The pages of document ``document_id``, in page order."""
    return list(session.scalars(select(Asset).where(Asset.document_id == document_id, Asset.kind == "page").order_by(Asset.page)))


# ----------------------------------------------------------------------------- shares and copies

_SHARE_LOADS = (
    selectinload(Share.asset),
    selectinload(Share.copies).selectinload(Copy.recipient),
)


def share_by_id(session: Session, share_id: int) -> Share:
    """The share numbered ``share_id``, with its asset and copies (and their recipients) loaded."""
    share = _get(session, Share, share_id, options=_SHARE_LOADS)
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
    """Every copy ever made of asset ``asset_id`` (a page: of its document), by id, with recipient and share loaded."""
    asset = asset_by_id(session, asset_id)
    shared = asset.document_id if asset.kind == "page" else asset_id
    query = (
        select(Copy)
        .join(Share, Share.id == Copy.share_id)
        .where(Share.asset_id == shared)
        .options(selectinload(Copy.recipient), selectinload(Copy.share))
        .order_by(Copy.id)
    )
    return list(session.scalars(query))


def copies_by_sha256(session: Session, sha256: str) -> list[Copy]:
    """Every copy whose file has SHA-256 ``sha256`` (one recipient shared one asset several times), by id."""
    query = select(Copy).where(Copy.sha256 == sha256.lower()).options(selectinload(Copy.recipient), selectinload(Copy.share)).order_by(Copy.id)
    return list(session.scalars(query))


def copy_of_share(session: Session, share_id: int, recipient_ref: str) -> Copy:
    """The copy share ``share_id`` made for the recipient named or numbered ``recipient_ref``."""
    share = share_by_id(session, share_id)
    recipient = recipient_by_name_or_id(session, recipient_ref)
    for copy in share.copies:
        if copy.recipient_id == recipient.id:
            return copy
    raise NotFound(f"share {share_id} made no copy for {recipient.name!r}.")


def delivered_copies(session: Session, *, since: datetime | None = None) -> list[tuple[int, int, str]]:
    """(share id, copy id, SHA-256) of every copy delivered (at or after ``since``, if given), by copy id."""
    query = select(Copy.share_id, Copy.id, Copy.sha256).where(Copy.delivered_at.is_not(None))
    if since is not None:
        query = query.where(Copy.delivered_at >= since)
    return [tuple(row) for row in session.execute(query.order_by(Copy.id))]


def blob_needed(session: Session, sha256: str, *, keep_delivered: bool) -> bool:
    """Whether a record still needs the stored file ``sha256``: an asset's original, a finding's leak
    or valid-region mask, a copy waiting for delivery (or any copy, when delivered copies are kept)."""
    copies = select(Copy.id).where(Copy.sha256 == sha256)
    if not keep_delivered:  # a portal share's copy waits with no file: it is made at each download
        copies = copies.join(Share, Share.id == Copy.share_id).where(Copy.delivered_at.is_(None), Share.delivery.is_(None))
    for query in (
        copies,
        select(Asset.id).where(Asset.sha256 == sha256),
        select(Finding.id).where((Finding.leak_sha256 == sha256) | (Finding.valid_mask_sha256 == sha256)),
    ):
        if session.scalar(query.limit(1)) is not None:
            return True
    return False


def blob_references(session: Session) -> tuple[set[str], set[str]]:
    """The stored files records name: (every one, those a record needs). Every copy names its
    file, even once delivered; a record needs an asset's original, a finding's leak and mask, and
    a copy's file until it is delivered."""
    needed: set[str] = set(session.scalars(select(Asset.sha256)))
    needed |= set(session.scalars(select(Finding.leak_sha256)))
    needed |= {sha for sha in session.scalars(select(Finding.valid_mask_sha256)) if sha is not None}
    waiting = select(Copy.sha256).join(Share, Share.id == Copy.share_id).where(Copy.delivered_at.is_(None), Share.delivery.is_(None))
    needed |= set(session.scalars(waiting))  # a portal share's copies are made at each download: no file waits
    return needed | set(session.scalars(select(Copy.sha256).where(Copy.delivered_at.is_not(None)))), needed


def find_copy_by_sha256(session: Session, sha256: str) -> Copy | None:
    """The copy whose file has SHA-256 ``sha256`` (a leak that is an untouched copy), or None."""
    query = select(Copy).where(Copy.sha256 == sha256.lower()).options(selectinload(Copy.recipient), selectinload(Copy.share)).order_by(Copy.id)
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


# ----------------------------------------------------------------------------- findings


def finding_by_id(session: Session, finding_id: int) -> Finding:
    """The finding numbered ``finding_id``, with its asset and scores loaded."""
    finding = _get(session, Finding, finding_id, options=(selectinload(Finding.asset), selectinload(Finding.scores)))
    if finding is None:
        raise NotFound(f"no finding numbered {finding_id}")
    return finding


def list_findings(session: Session, *, limit: int | None = None) -> list[Finding]:
    """Findings, newest first, with asset and scores loaded."""
    query = select(Finding).options(selectinload(Finding.asset), selectinload(Finding.scores)).order_by(Finding.id.desc())
    return list(session.scalars(query.limit(limit) if limit else query))


def findings_of_leak(session: Session, leak_sha256: str) -> list[Finding]:
    """Every finding of the leak file with SHA-256 ``leak_sha256``, oldest first, with asset and scores loaded."""
    query = select(Finding).where(Finding.leak_sha256 == leak_sha256.lower()).options(selectinload(Finding.asset), selectinload(Finding.scores))
    return list(session.scalars(query.order_by(Finding.id)))


# ----------------------------------------------------------------------------- cases

_CASE_LOADS = (
    selectinload(Case.finding).selectinload(Finding.asset),
    selectinload(Case.finding).selectinload(Finding.scores),
    selectinload(Case.responsibles).selectinload(CaseResponsible.recipient),
    selectinload(Case.events),
    selectinload(Case.actions),
)


def case_by_id(session: Session, case_id: int) -> Case:
    """The case numbered ``case_id``, with its finding (and its scores), responsible recipients, events and actions loaded."""
    case = _get(session, Case, case_id, options=_CASE_LOADS)
    if case is None:
        raise NotFound(f"no case numbered {case_id}")
    return case


def list_cases(session: Session, *, status: str | None = None) -> list[Case]:
    """Cases, newest first, optionally only those with ``status``."""
    query = select(Case).options(*_CASE_LOADS).order_by(Case.id.desc())
    if status is not None:
        query = query.where(Case.status == status)
    return list(session.scalars(query))


def open_cases_of_finding(session: Session, finding_id: int) -> list[Case]:
    """The cases opened on finding ``finding_id`` that are not closed, loaded like :func:`case_by_id`."""
    query = select(Case).options(*_CASE_LOADS).where(Case.finding_id == finding_id, Case.status != "closed").order_by(Case.id)
    return list(session.scalars(query))


def action_of_case(session: Session, case_id: int, action_id: int) -> RemediationAction:
    """Remediation action ``action_id`` of case ``case_id``."""
    action = _get(session, RemediationAction, action_id)
    if action is None or action.case_id != case_id:
        raise NotFound(f"case {case_id} has no remediation action numbered {action_id}")
    return action


# ----------------------------------------------------------------------------- audit


def list_audit(session: Session, *, limit: int | None = None) -> list[AuditEntry]:
    """Audit entries, newest first (the ``limit`` newest if given)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    return list(session.scalars(query.limit(limit) if limit else query))


def audit_about(session: Session, subject_type: str, subject_ids, *, actions=None) -> list[AuditEntry]:
    """Audit entries about the records ``subject_type`` ``subject_ids``, oldest first, optionally only ``actions``."""
    query = select(AuditEntry).where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id.in_([str(i) for i in subject_ids]))
    if actions is not None:
        query = query.where(AuditEntry.action.in_(list(actions)))
    return list(session.scalars(query.order_by(AuditEntry.id)))


# ----------------------------------------------------------------------------- users and tokens


def find_user_by_name(session: Session, name: str) -> User | None:
    """The user called exactly ``name``, or None."""
    return session.scalar(select(User).where(User.name == name))


def user_by_name(session: Session, name: str) -> User:
    """The user called ``name``."""
    user = find_user_by_name(session, name)
    if user is None:
        raise NotFound(f"no user named {name!r}")
    return user


def login_failures(session: Session, user_id: int) -> tuple[int, datetime | None]:
    """How many ``login.failed`` entries name user ``user_id`` since their last ``login`` or ``user.unlock``, and when the last was."""
    subject = (AuditEntry.subject_type == "user", AuditEntry.subject_id == str(user_id))
    since = session.scalar(select(func.max(AuditEntry.id)).where(*subject, AuditEntry.action.in_(("login", "user.unlock")))) or 0
    count, last = session.execute(
        select(func.count(AuditEntry.id), func.max(AuditEntry.at)).where(*subject, AuditEntry.action == "login.failed", AuditEntry.id > since)
    ).one()
    return int(count), last


def entries_after(session: Session, subject_type: str, subject_id: object, after_id: int, actions: tuple[str, ...]) -> list[AuditEntry]:
    """Audit entries ``actions`` about one record newer than entry ``after_id``, oldest first."""
    query = select(AuditEntry).where(
        AuditEntry.subject_type == subject_type, AuditEntry.subject_id == str(subject_id), AuditEntry.id > after_id, AuditEntry.action.in_(actions)
    )
    return list(session.scalars(query.order_by(AuditEntry.id)))


def list_users(session: Session) -> list[User]:
    """All users, oldest first, with their tokens loaded."""
    return list(session.scalars(select(User).options(selectinload(User.tokens)).order_by(User.id)))


def token_by_id(session: Session, token_id: int) -> Token:
    """The token numbered ``token_id``, with its user loaded."""
    token = _get(session, Token, token_id, options=(selectinload(Token.user),))
    if token is None:
        raise NotFound(f"no token numbered {token_id}")
    return token


def find_token_by_hash(session: Session, token_hash: str) -> Token | None:
    """The token whose SHA-256 is ``token_hash``, with its user loaded, or None."""
    return session.scalar(select(Token).where(Token.token_hash == token_hash).options(selectinload(Token.user)))
