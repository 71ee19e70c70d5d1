"""``recipient invite`` (the link e-mailed with an SMTP relay set, else printed; ``--no-email``),
``recipient invitations`` (listed with their state) and ``recipient uninvite`` (a pending one cancelled)."""

from __future__ import annotations

import email
import email.policy

import pytest

from tests.services.test_reminders import _free_port, relay  # noqa: F401 - the relay fixture


@pytest.fixture
def ws(cli):
    cli("init")
    for name in ("Apex", "Borealis"):
        cli("recipient", "add", name)
    return cli


def test_invite_without_a_relay_prints_the_link(ws):
    result, _ = ws("recipient", "invite", "Apex", "--email", "buyer@apex.example", "--base-url", "https://lt.example")
    assert result.stdout.split()[-1].startswith("https://lt.example/invite/inv_") and "e-mailed" not in result.stdout


def test_invite_emails_the_link_with_a_relay_unless_told_not_to(ws, relay, monkeypatch):  # noqa: F811
    controller, inbox = relay
    monkeypatch.setenv("LEAKTRACE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LEAKTRACE_SMTP_PORT", str(controller.port))
    result, _ = ws("recipient", "invite", "Apex", "--email", "buyer@apex.example", "--base-url", "https://lt.example")
    assert "e-mailed to buyer@apex.example" in result.stdout and "/invite/" not in result.stdout  # the link went to the invitee only
    (message,) = inbox.messages
    body = email.message_from_bytes(message.content, policy=email.policy.default).get_content()
    assert "https://lt.example/invite/inv_" in body
    result, made = ws("recipient", "invite", "Apex", "--email", "b@apex.example", "--no-email", "--json")
    assert made["emailed"] is False and made["link"] and len(inbox.messages) == 1


def test_a_failing_relay_prints_the_link_and_why(ws, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LEAKTRACE_SMTP_PORT", str(_free_port()))
    result, _ = ws("recipient", "invite", "Apex", "--email", "buyer@apex.example")
    assert "not e-mailed: the invitation for buyer@apex.example could not be sent" in result.stdout
    assert "/invite/inv_" in result.stdout.split()[-1]


def test_invitations_are_listed_and_a_pending_one_cancelled(ws):
    _, a = ws("recipient", "invite", "Apex", "--email", "a@apex.example", "--json")
    _, b = ws("recipient", "invite", "Borealis", "--email", "b@borealis.example", "--json")
    _, rows = ws("recipient", "invitations", "--json")
    assert [(r["id"], r["state"]) for r in rows] == [(b["id"], "pending"), (a["id"], "pending")]
    assert all(r["token"] is None and r["link"] is None for r in rows)
    _, rows = ws("recipient", "invitations", "Apex", "--json")
    assert [r["id"] for r in rows] == [a["id"]]
    result, _ = ws("recipient", "uninvite", str(a["id"]))
    assert f"invitation {a['id']} for a@apex.example (Apex) cancelled" in result.stdout
    result, _ = ws("recipient", "invitations")
    assert "Borealis" in result.stdout and "state" in result.stdout
    _, rows = ws("recipient", "invitations", "--json")
    assert [r["state"] for r in rows] == ["pending", "cancelled"] and rows[1]["cancelled_at"]
    _, rows = ws("recipient", "invitations", "--state", "pending", "--json")
    assert [r["id"] for r in rows] == [b["id"]]
    result, _ = ws("recipient", "uninvite", str(a["id"]), expect=None)
    assert result.exit_code != 0 and "only a pending invitation can be cancelled" in result.stderr
    result, _ = ws("recipient", "uninvite", "999", expect=None)
    assert result.exit_code != 0 and "no invitation numbered 999" in result.stderr
