"""Invitations after they are made: listed with their state, a pending one cancelled (its link then
opens nothing, as an unknown one), and a new one's link e-mailed through an SMTP relay the test
starts (aiosmtpd), never written to the audit log."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import sqlite3
from datetime import timedelta

import pytest

from leaktrace import Workspace
from leaktrace.errors import BadInput, Conflict, NotFound
from leaktrace.services import invitations, portal
from leaktrace.store.models import utcnow
from tests.services.test_reminders import _free_port, relay  # noqa: F401 - the relay fixture

PASSWORD = "supplier-password-1"


@pytest.fixture
def ws(tmp_path):
    w = Workspace.init(tmp_path / "ws")
    for name in ("Apex Plastics GmbH", "Borealis Tooling AB"):
        w.add_recipient(name)
    yield w
    w.close()


def _smtp(ws, monkeypatch, port: int) -> None:
    monkeypatch.setattr(ws.context, "settings", dataclasses.replace(ws.context.settings, smtp_host="127.0.0.1", smtp_port=port))


def test_invitations_are_listed_with_their_state(ws):
    a = portal.invite(ws.context, "Apex Plastics GmbH", "a@apex.example", actor="analyst")
    b = portal.invite(ws.context, "Apex Plastics GmbH", "b@apex.example", actor="analyst")
    c = portal.invite(ws.context, "Borealis Tooling AB", "c@borealis.example", actor="analyst")
    portal.accept_invitation(ws.context, a.token, "ana", PASSWORD)
    db = sqlite3.connect(ws.home / "leaktrace.db")  # c's week is over
    db.execute("UPDATE invitations SET expires_at = ? WHERE id = ?", ((utcnow() - timedelta(days=1)).replace(tzinfo=None).isoformat(" "), c.id))
    db.commit()
    db.close()
    rows = invitations.list_all(ws.context)
    assert [(i.id, i.state, i.user) for i in rows] == [(c.id, "expired", None), (b.id, "pending", None), (a.id, "accepted", "ana")]
    assert all(i.token is None and i.link is None for i in rows)  # the link was shown once, when made
    assert [i.id for i in invitations.list_all(ws.context, "Apex Plastics GmbH")] == [b.id, a.id]
    assert [i.id for i in invitations.list_all(ws.context, state="pending")] == [b.id]
    with pytest.raises(BadInput, match="one of pending"):
        invitations.list_all(ws.context, state="lost")
    with pytest.raises(NotFound):
        invitations.list_all(ws.context, "Nobody Such")


def test_a_cancelled_invitation_opens_nothing_and_is_audited(ws):
    inv = portal.invite(ws.context, "Apex Plastics GmbH", "a@apex.example", actor="analyst")
    cancelled = invitations.cancel(ws.context, inv.id, actor="analyst")
    assert cancelled.state == "cancelled" and cancelled.cancelled_at
    for attempt in (lambda: portal.find_invitation(ws.context, inv.token), lambda: portal.accept_invitation(ws.context, inv.token, "ana", PASSWORD)):
        with pytest.raises(NotFound, match="^this invitation link is not known; ask the sender for a new one.$"):
            attempt()
    with pytest.raises(Conflict, match="is cancelled: only a pending invitation"):
        invitations.cancel(ws.context, inv.id)
    with pytest.raises(NotFound, match="no invitation numbered 999"):
        invitations.cancel(ws.context, 999)
    with pytest.raises(NotFound):
        invitations.cancel(ws.context, "x; drop")
    entry = ws.list_audit(limit=1)[0]
    assert (entry.action, entry.actor, entry.subject_id, entry.details["email"]) == ("invitation.cancel", "analyst", str(inv.id), "a@apex.example")
    assert ws.verify_audit().ok  # the cancelled column changed under its seal, as a mutable one


def test_an_accepted_invitation_is_not_cancelled(ws):
    inv = portal.invite(ws.context, "Apex Plastics GmbH", "a@apex.example")
    portal.accept_invitation(ws.context, inv.token, "ana", PASSWORD)
    with pytest.raises(Conflict, match="is accepted"):
        invitations.cancel(ws.context, inv.id)


def test_the_link_is_emailed_when_smtp_is_set_and_never_logged(ws, relay, monkeypatch):  # noqa: F811
    controller, inbox = relay
    assert invitations.invite(ws.context, "Apex Plastics GmbH", "a@apex.example", base_url="http://lt.example").emailed is False  # no relay set
    assert inbox.messages == []
    _smtp(ws, monkeypatch, controller.port)
    made = invitations.invite(ws.context, "Apex Plastics GmbH", "buyer@apex.example", actor="analyst", base_url="http://lt.example")
    assert made.emailed and made.email_problem is None
    (message,) = inbox.messages
    assert message.rcpt_tos == ["buyer@apex.example"]
    parsed = email.message_from_bytes(message.content, policy=email.policy.default)
    assert made.link in parsed.get_content() and "Your invitation to Apex Plastics GmbH's shares" in str(parsed["Subject"])
    entry = ws.list_audit(limit=1)[0]
    assert (entry.action, entry.subject_id, entry.details["to"]) == ("invitation.email", str(made.id), "buyer@apex.example")
    assert all(made.token not in str(e.to_dict()) for e in ws.list_audit())
    skipped = invitations.invite(ws.context, "Apex Plastics GmbH", "c@apex.example", send=False)
    assert not skipped.emailed and len(inbox.messages) == 1


def test_a_failing_relay_keeps_the_invitation_and_says_why(ws, monkeypatch):
    _smtp(ws, monkeypatch, _free_port())
    made = invitations.invite(ws.context, "Apex Plastics GmbH", "a@apex.example", base_url="http://lt.example")
    assert not made.emailed and made.link and made.email_problem.startswith("the invitation for a@apex.example could not be sent through 127.0.0.1:")
    assert portal.find_invitation(ws.context, made.token).id == made.id
    assert all(e.action != "invitation.email" for e in ws.list_audit())


@pytest.mark.parametrize("address", ["a@apex.example, boss@evil.example", "Buyer <buyer@evil.example>", "a@apex.example\r\nBcc: x@evil.example"])
def test_an_address_that_mail_software_reads_as_another_recipient_is_refused(ws, address):
    with pytest.raises(BadInput, match="is not one e-mail address"):
        invitations.invite(ws.context, "Apex Plastics GmbH", address, base_url="http://lt.example")
    assert invitations.list_all(ws.context) == []
