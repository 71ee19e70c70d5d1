"""Invitations to the recipient portal, after they are made: list them, cancel a pending one, and
e-mail a new one's link to the invitee.

:func:`leaktrace.services.portal.invite` makes an invitation (its one-time link in that answer
only). :func:`invite` is the same, and when the workspace has an SMTP relay (the ``smtp_host``
setting, the relay :func:`leaktrace.services.reminders.deliver` uses for reminders) it also sends the
link to the invitation's address (``invitation.email`` in the audit log: to whom, never the link).
If the relay fails, the invitation stands and the answer says why it was not sent
(``email_problem``), so the sender can pass the link on by hand.

:func:`cancel` ends a pending invitation (``invitation.cancel``): its link then opens nothing, as
an unknown or expired one. An accepted invitation is not cancelled: its user is (``user disable``).
"""

from __future__ import annotations

import dataclasses
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import select

from leaktrace import records
from leaktrace.errors import BadInput, Conflict, NotFound
from leaktrace.services import audit, portal, reminders
from leaktrace.services.context import Context
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import Invitation, User, utcnow

__all__ = ["STATES", "cancel", "email_link", "invite", "list_all"]

#: An invitation's states (:func:`leaktrace.services.portal.invitation_state`).
STATES = ("pending", "accepted", "cancelled", "expired")


def _record(session, row: Invitation) -> records.Invitation:
    user = session.get(User, row.user_id).name if row.user_id is not None else None
    return portal._invitation_record(row, user=user)


def list_all(ctx: Context, recipient: str | None = None, *, state: str | None = None) -> list[records.Invitation]:
    """Every invitation (of ``recipient``, a name or id, if given; in ``state`` if given), newest first."""
    if state is not None and state not in STATES:
        raise BadInput(f"an invitation's state is one of {', '.join(STATES)}, not {state!r}.")
    with ctx.sessions() as session:
        query = select(Invitation).order_by(Invitation.id.desc())
        if recipient is not None:
            query = query.where(Invitation.recipient_id == queries.recipient_by_name_or_id(session, str(recipient)).id)
        found = [_record(session, row) for row in session.scalars(query)]
    return [i for i in found if state is None or i.state == state]


def _number(invitation_id: int | str) -> int:
    text = str(invitation_id).strip()
    if not text.isdigit() or not 0 < int(text) <= queries.MAX_ID:
        raise NotFound(f"no invitation numbered {invitation_id!r}.")
    return int(text)


def cancel(ctx: Context, invitation_id: int | str, *, actor: str | None = None) -> records.Invitation:
    """Cancel pending invitation ``invitation_id``: its link opens nothing from now on.

    :class:`Conflict` when it was accepted, cancelled or has expired already (nothing changes)."""
    actor = actor or audit.default_actor()
    number = _number(invitation_id)
    with store_db.transaction(ctx.sessions) as session:
        row = session.get(Invitation, number)
        if row is None:
            raise NotFound(f"no invitation numbered {number}.")
        state = portal.invitation_state(row)
        if state != "pending":
            raise Conflict(f"invitation {number} is {state}: only a pending invitation can be cancelled.")
        row.cancelled_at = utcnow()
        session.flush()
        audit.append(session, actor, "invitation.cancel", "invitation", row.id, {"recipient_id": row.recipient_id, "email": row.email})
        return _record(session, row)


def _message(ctx: Context, made: records.Invitation) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"Your invitation to {made.recipient}'s shares (leaktrace recipient portal)"
    message["From"] = ctx.settings.smtp_from
    message["To"] = made.email
    message["Message-ID"] = make_msgid(domain="leaktrace")
    message.set_content(
        "\n".join(
            [
                f"{made.created_by} invites you to the recipient portal of {made.recipient}.",
                "",
                "Open this link to choose a user name and a password (it works once):",
                str(made.link),
                "",
                f"The link expires on {made.expires_at[:16].replace('T', ' ')} UTC. In the portal you see the files shared with "
                f"{made.recipient}, accept their terms, and download your copies.",
                "If you did not expect this message, ignore it: nothing happens without the link.",
            ]
        )
    )
    return message


def email_link(ctx: Context, made: records.Invitation, *, actor: str | None = None) -> None:
    """E-mail invitation ``made``'s link (from the answer that made it) to its address, and record
    ``invitation.email``; :class:`~leaktrace.services.reminders.SmtpFailed` if the relay fails."""
    if not made.link:
        raise BadInput(f"invitation {made.id}'s link is shown only when it is made; make a new invitation to send one.")
    reminders.deliver(ctx, _message(ctx, made), what=f"the invitation for {made.email}")
    audit.record(ctx, actor=actor, action="invitation.email", subject_type="invitation", subject_id=made.id, details={"to": made.email})


def invite(
    ctx: Context,
    recipient: str,
    email: str,
    *,
    expires_days: float = portal.DEFAULT_EXPIRES_DAYS,
    actor: str | None = None,
    base_url: str = "",
    send: bool = True,
) -> records.Invitation:
    """:func:`leaktrace.services.portal.invite`, and with ``send`` and an SMTP relay configured, the
    link e-mailed to ``email`` (``emailed``; or ``email_problem``: why not, the invitation stands)."""
    made = portal.invite(ctx, recipient, email, expires_days=expires_days, actor=actor, base_url=base_url)
    if not send or not ctx.settings.smtp_host:
        return made
    try:
        email_link(ctx, made, actor=actor)
    except reminders.SmtpFailed as exc:
        return dataclasses.replace(made, email_problem=str(exc))
    return dataclasses.replace(made, emailed=True)
