"""The recipient portal: a supplier's user fetches their own copies, and each download is a receipt.

1. **Invite** (:func:`invite`, an analyst): a one-time link for one recipient, with an expiry; only
   the token's SHA-256 is stored (``invitation.create``).
2. **Accept the invitation** (:func:`accept_invitation`, the invitee): a user name and a password
   (the rules of :mod:`leaktrace.services.users`) make a user of role ``recipient`` linked to that
   recipient (``user.add``, then ``invitation.accept``); the link works once.
3. **The portal** (:func:`shares_for`): the portal shares (``share --portal``) addressed to that
   recipient, and nothing else: never another recipient's name, copy or share, nor any finding,
   case, asset list or audit entry. A share of another recipient, or one that does not exist, is
   the same :class:`NotFound`.
4. **Terms** (:func:`accept_terms`): before the first download, the user accepts the share's terms
   (its NDA reference or text, or :data:`DEFAULT_TERMS`); the acceptance is a sealed record
   (``terms.accept``) with the SHA-256 of the text shown, the client's address and browser.
5. **Download** (:func:`download`): the copy is made for that recipient at that moment by
   :func:`leaktrace.services.copies.make` (the engine every share uses), so no other recipient's
   copy can be served and no file need wait in the store; kept only when ``retain_copies`` is on.
   Each download is a sealed :class:`~leaktrace.store.models.Receipt` (``portal.download``): who,
   when, from which address and browser, the file's SHA-256 and size, and whether it is byte for
   byte the copy the share recorded. The first one also marks the copy delivered (``copy.deliver``,
   via "portal"). A revoked (:func:`leaktrace.services.shares.revoke`) or expired share is not served.

A receipt proves that this user, signed in with this password, took this file at this time; it
does not prove who else saw it afterwards.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from leaktrace import records
from leaktrace.addresses import checked_address
from leaktrace.errors import BadInput, Conflict, NotFound
from leaktrace.records import StoredFile
from leaktrace.services import assets as assets_service
from leaktrace.services import audit, users
from leaktrace.services import copies as copies_service
from leaktrace.services.context import Context
from leaktrace.services.permissions import RECIPIENT
from leaktrace.services.shares import PORTAL
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import Acceptance, Copy, Invitation, Receipt, Share, User, utcnow

__all__ = [
    "DEFAULT_EXPIRES_DAYS",
    "DEFAULT_TERMS",
    "accept_invitation",
    "accept_terms",
    "download",
    "find_invitation",
    "invite",
    "receipts",
    "receipts_of",
    "share_for",
    "shares_for",
    "terms_of",
]

INVITE_PREFIX = "inv_"
#: Days an invitation link works by default, and at most.
DEFAULT_EXPIRES_DAYS = 7
MAX_EXPIRES_DAYS = 90
#: The path of an invitation link (the web app's accept page), after the base URL.
INVITE_PATH = "/invite/"
#: What a recipient's user accepts before the first download of a share that states no terms.
DEFAULT_TERMS = (
    "This file is confidential and is made for {recipient} alone. It carries an invisible mark that "
    "identifies {recipient}'s copy: do not pass it on, publish it or let others copy it."
)
_MAX_CLIENT, _MAX_AGENT = 100, 500


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _iso(when) -> str | None:
    return None if when is None else when.isoformat()


def _invitation_record(row: Invitation, *, user: str | None = None, token: str | None = None, link: str | None = None) -> records.Invitation:
    return records.Invitation(
        row.id,
        row.recipient.name,
        row.recipient_id,
        row.email,
        row.created_by,
        row.created_at.isoformat(),
        row.expires_at.isoformat(),
        _iso(row.accepted_at),
        user,
        token,
        link,
        _iso(row.cancelled_at),
        invitation_state(row),
    )


def invitation_state(row: Invitation) -> str:
    """``accepted``, ``cancelled``, ``expired`` or ``pending`` (the link works), as of now."""
    if row.accepted_at is not None:
        return "accepted"
    if row.cancelled_at is not None:
        return "cancelled"
    return "expired" if row.expires_at <= utcnow() else "pending"


def invite(
    ctx: Context,
    recipient: str,
    email: str,
    *,
    expires_days: float = DEFAULT_EXPIRES_DAYS,
    actor: str | None = None,
    base_url: str = "",
) -> records.Invitation:
    """A one-time invitation for a user of ``recipient`` (name or id), sent to ``email``, valid
    ``expires_days`` days; its ``token`` and ``link`` (``base_url`` + ``/invite/<token>``) are in
    this answer only, never again."""
    actor = actor or audit.default_actor()
    email = checked_address(email)
    if not 0 < expires_days <= MAX_EXPIRES_DAYS:
        raise BadInput(f"an invitation expires after more than 0 and at most {MAX_EXPIRES_DAYS} days, not {expires_days}.")
    token = INVITE_PREFIX + secrets.token_urlsafe(32)
    with store_db.transaction(ctx.sessions) as session:
        r = queries.recipient_by_name_or_id(session, str(recipient))
        if r.archived_at is not None:
            raise Conflict(f"recipient {r.name!r} is archived: restore it before inviting its users.")
        row = Invitation(
            recipient_id=r.id, email=email, token_hash=_token_hash(token), created_by=actor, expires_at=utcnow() + timedelta(days=expires_days)
        )
        session.add(row)
        session.flush()
        details = {"recipient_id": r.id, "email": email, "expires_at": row.expires_at.isoformat()}
        audit.append(session, actor, "invitation.create", "invitation", row.id, details)
        session.refresh(row)
        return _invitation_record(row, token=token, link=base_url.rstrip("/") + INVITE_PATH + token)


def _open_invitation(session, token: str) -> Invitation:
    """The invitation ``token`` opens, if it can still be used (else one :class:`NotFound` line)."""
    row = None
    if isinstance(token, str) and token.startswith(INVITE_PREFIX) and len(token) < 100:
        row = session.scalars(select(Invitation).where(Invitation.token_hash == _token_hash(token))).first()
    if row is not None and row.accepted_at is not None:
        raise NotFound("this invitation link was used already; sign in, or ask the sender for a new one.")
    if row is None or row.cancelled_at is not None or row.expires_at <= utcnow():  # cancelled or expired: as if unknown
        raise NotFound("this invitation link is not known; ask the sender for a new one.")
    return row


def find_invitation(ctx: Context, token: str) -> records.Invitation:
    """The invitation ``token`` opens (for the page that asks for a name and password)."""
    with ctx.sessions() as session:
        return _invitation_record(_open_invitation(session, token))


def accept_invitation(ctx: Context, token: str, name: str, password: str) -> records.User:
    """Use invitation ``token``: make the user ``name`` with ``password``, of role ``recipient``,
    linked to the invitation's recipient; the link works no more."""
    name = " ".join(name.split())
    problem = users.name_problem(name)
    if problem is not None:
        raise BadInput(problem)
    if len(password) < users.MIN_PASSWORD:
        raise BadInput(f"the password of {name!r} must have at least {users.MIN_PASSWORD} characters.")
    with ctx.sessions() as session:
        _open_invitation(session, token)  # refused before the hashing work
    password_hash = users._hasher.hash(password)
    with store_db.transaction(ctx.sessions) as session:
        row = _open_invitation(session, token)  # again, under the write lock: used once
        if queries.find_user_by_name(session, name) is not None:
            raise BadInput(f"a user named {name!r} already exists; choose another name.")
        user = User(name=name, role=RECIPIENT, password_hash=password_hash, disabled=False, recipient_id=row.recipient_id)
        session.add(user)
        session.flush()
        audit.append(
            session, name, "user.add", "user", user.id, {"name": name, "role": RECIPIENT, "recipient_id": row.recipient_id, "invitation": row.id}
        )
        row.accepted_at, row.user_id = utcnow(), user.id
        session.flush()
        audit.append(session, name, "invitation.accept", "invitation", row.id, {"recipient_id": row.recipient_id, "user": name, "user_id": user.id})
        return users._record(user)


# ----------------------------------------------------------------------------- the portal


def _recipient_of(session, user: records.User) -> int:
    """The recipient whose user ``user`` is (a portal of someone else: :class:`NotFound`)."""
    row = session.get(User, user.id)
    if row is None or row.disabled or row.role != RECIPIENT or row.recipient_id is None or row.name != user.name:
        raise NotFound("there is no portal for this user; the portal is for recipients' users, invited by the sender.")
    return row.recipient_id


def _copy_for(session, share_id: int | str, recipient_id: int) -> Copy:
    """Share ``share_id``'s copy for the recipient, if it is a portal share addressed to them; else
    the same :class:`NotFound` as for a share that does not exist (nothing tells them apart)."""
    try:
        number = copies_service.share_number(share_id)
    except BadInput:
        raise NotFound(f"no share numbered {share_id!r}.") from None
    share = session.get(Share, number)
    copy = None
    if share is not None and share.delivery == PORTAL:
        copy = session.scalars(select(Copy).where(Copy.share_id == number, Copy.recipient_id == recipient_id)).first()
    if copy is None:
        raise NotFound(f"no share numbered {number}.")
    return copy


def terms_of(share: Share, recipient_name: str) -> str:
    """The terms a recipient's user accepts for ``share``: its own, or :data:`DEFAULT_TERMS`."""
    return share.terms or DEFAULT_TERMS.format(recipient=recipient_name)


def _state(copy: Copy) -> str:
    if copy.revoked_at is not None:
        return "revoked"
    if copy.recipient.archived_at is not None:
        return "closed"
    if copy.share.expires_at is not None and copy.share.expires_at <= utcnow():
        return "expired"
    return "available"


def _receipt_record(row: Receipt, recipient: str) -> records.Receipt:
    return records.Receipt(
        row.id, row.share_id, recipient, row.recipient_id, row.user_name, row.at.isoformat(), row.sha256, row.size, row.filename, row.matches,
        row.client, row.user_agent,
    )  # fmt: skip


def receipts_of(session, share_id: int, recipient_id: int) -> list[Receipt]:
    """The receipts of share ``share_id``'s downloads by ``recipient_id``'s users, oldest first."""
    query = select(Receipt).where(Receipt.share_id == share_id, Receipt.recipient_id == recipient_id).order_by(Receipt.id)
    return list(session.scalars(query))


def _portal_share(session, copy: Copy) -> records.PortalShare:
    share, recipient = copy.share, copy.recipient.name
    accepted = session.scalars(select(Acceptance.id).where(Acceptance.share_id == share.id, Acceptance.recipient_id == copy.recipient_id)).first()
    title = share.asset.title
    return records.PortalShare(
        share.id,
        title,
        copy.filename,
        share.created_at.isoformat(),
        terms_of(share, recipient),
        _iso(share.expires_at),
        _state(copy),
        accepted is not None,
        tuple(_receipt_record(r, recipient) for r in receipts_of(session, share.id, copy.recipient_id)),
    )


def shares_for(ctx: Context, user: records.User) -> list[records.PortalShare]:
    """The portal shares addressed to ``user``'s recipient, newest first."""
    with ctx.sessions() as session:
        recipient_id = _recipient_of(session, user)
        query = (
            select(Copy)
            .join(Share, Share.id == Copy.share_id)
            .where(Copy.recipient_id == recipient_id, Share.delivery == PORTAL)
            .order_by(Copy.share_id.desc())
        )
        return [_portal_share(session, c) for c in session.scalars(query)]


def share_for(ctx: Context, user: records.User, share_id: int | str) -> records.PortalShare:
    """Share ``share_id`` as ``user`` sees it in the portal; :class:`NotFound` unless it is addressed to their recipient."""
    with ctx.sessions() as session:
        return _portal_share(session, _copy_for(session, share_id, _recipient_of(session, user)))


def _servable(copy: Copy) -> None:
    if copy.recipient.archived_at is not None:
        raise Conflict(
            f"the sender archived {copy.recipient.name} on {copy.recipient.archived_at:%Y-%m-%d %H:%M} UTC: its portal downloads nothing more."
        )
    state = _state(copy)
    if state == "revoked":
        raise Conflict(f"share {copy.share_id} was revoked by its sender on {copy.revoked_at:%Y-%m-%d %H:%M} UTC: it can no longer be downloaded.")
    if state == "expired":
        raise Conflict(f"share {copy.share_id} expired on {copy.share.expires_at:%Y-%m-%d %H:%M} UTC: it can no longer be downloaded.")


def _cut(text: str | None, n: int) -> str | None:
    return None if not text else text[:n]


def accept_terms(
    ctx: Context, user: records.User, share_id: int | str, *, client: str | None = None, user_agent: str | None = None
) -> records.Acceptance:
    """Record that ``user`` accepted share ``share_id``'s terms (once per recipient; again: the first stands)."""
    with store_db.transaction(ctx.sessions) as session:
        copy = _copy_for(session, share_id, _recipient_of(session, user))
        _servable(copy)
        name = copy.recipient.name
        row = session.scalars(select(Acceptance).where(Acceptance.share_id == copy.share_id, Acceptance.recipient_id == copy.recipient_id)).first()
        if row is None:
            text = terms_of(copy.share, name)
            row = Acceptance(
                share_id=copy.share_id,
                recipient_id=copy.recipient_id,
                user_id=user.id,
                user_name=user.name,
                terms_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                client=_cut(client, _MAX_CLIENT),
                user_agent=_cut(user_agent, _MAX_AGENT),
                at=utcnow(),
            )
            session.add(row)
            session.flush()
            details = {"share_id": copy.share_id, "recipient_id": copy.recipient_id, "user": user.name, "terms_sha256": row.terms_sha256}
            audit.append(session, user.name, "terms.accept", "acceptance", row.id, details)
        return records.Acceptance(row.id, row.share_id, name, row.user_name, row.at.isoformat(), row.terms_sha256)


def download(
    ctx: Context, user: records.User, share_id: int | str, *, client: str | None = None, user_agent: str | None = None
) -> tuple[records.Receipt, StoredFile]:
    """Make share ``share_id``'s copy for ``user``'s recipient now, record its receipt, and hand it over.

    :class:`NotFound` unless the share is addressed to their recipient; :class:`Conflict` before the
    terms are accepted, or once the share is revoked or expired. The receipt's entry is committed
    before the bytes are returned.
    """
    with ctx.sessions() as session:
        copy = _copy_for(session, share_id, _recipient_of(session, user))
        _servable(copy)
        accepted = session.scalars(select(Acceptance.id).where(Acceptance.share_id == copy.share_id, Acceptance.recipient_id == copy.recipient_id))
        if accepted.first() is None:
            raise Conflict(f"accept the terms of share {copy.share_id} before its first download.")
        number, asset_id, recorded, filename, recipient = copy.share_id, copy.share.asset_id, copy.sha256, copy.filename, copy.recipient
        session.expunge(recipient)
    asset = assets_service.get(ctx, asset_id)
    files: list[bytes] = []

    def hold(data: bytes) -> str:  # made for this download; stored only when copies are retained
        files.append(data)
        return ctx.blobs.put(data) if ctx.settings.retain_copies else hashlib.sha256(data).hexdigest()

    fmt = copies_service.copy_format(asset)
    (made,) = copies_service.make(ctx, asset, assets_service.prepare(ctx, asset), [recipient], fmt, keep=hold)
    with store_db.transaction(ctx.sessions) as session:
        copy = _copy_for(session, number, _recipient_of(session, user))
        _servable(copy)  # revoked while the copy was made: nothing is handed over
        row = Receipt(
            share_id=number,
            copy_id=copy.id,
            recipient_id=copy.recipient_id,
            user_id=user.id,
            user_name=user.name,
            sha256=made.sha256,
            size=made.size,
            filename=filename,
            matches=made.sha256 == recorded,
            client=_cut(client, _MAX_CLIENT),
            user_agent=_cut(user_agent, _MAX_AGENT),
            at=utcnow(),
        )
        session.add(row)
        session.flush()
        if copy.delivered_at is None:
            copy.delivered_at = row.at
            session.flush()
            deliver = {"recipient_id": copy.recipient_id, "copy_sha256": recorded, "via": "portal", "receipt": row.id}
            audit.append(session, user.name, "copy.deliver", "share", number, deliver)
        details = {
            "share_id": number,
            "recipient_id": copy.recipient_id,
            "user": user.name,
            "copy_sha256": made.sha256,
            "size": made.size,
            "matches": row.matches,
            "client": row.client,
            "user_agent": row.user_agent,
        }
        audit.append(session, user.name, "portal.download", "receipt", row.id, details)
        receipt = _receipt_record(row, recipient.name)
    return receipt, StoredFile(files[0], filename, copies_service.MEDIA_TYPES[fmt])


def receipts(ctx: Context, share_id: int | str) -> list[records.Receipt]:
    """Every receipt of share ``share_id``, oldest first (for the sender: which recipient's user took which file)."""
    number = copies_service.share_number(share_id)
    with ctx.sessions() as session:
        queries.share_by_id(session, number)  # NotFound for no such share
        rows = session.scalars(select(Receipt).where(Receipt.share_id == number).order_by(Receipt.id))
        return [_receipt_record(r, queries.recipient_by_id(session, r.recipient_id).name) for r in rows]
