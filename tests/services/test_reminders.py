"""Remediation reminders: which actions are due (dashboard and e-mail), and the message sent through
an SMTP relay the test starts (aiosmtpd), recorded in the audit log; failures in one line."""

from __future__ import annotations

import socket
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller

from leaktrace import Workspace
from leaktrace.errors import BadInput
from leaktrace.services import reminders
from tests.conftest import record_finding, save

TODAY = date(2026, 11, 20)


class Inbox:
    """The relay's handler: keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def relay():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def workspace(tmp_path):
    """Two cases: an open one with actions overdue, due today, in 3 and in 30 days and one done; a closed one with an overdue action."""
    import numpy as np

    home = tmp_path / "ws"
    Workspace.init(home).close()
    leak = save(tmp_path / "leak.png", np.zeros((24, 32, 3), np.uint8))
    finding = record_finding(home, leak, ["Apex", "Brant"], accused=("Apex",))
    other = record_finding(home, save(tmp_path / "leak2.png", np.ones((24, 32, 3), np.uint8)), ["Apex", "Brant"], accused=("Brant",))
    ws = Workspace(home)
    case = ws.open_case(finding).id
    plan = [("recall the drawings", -2), ("audit Apex's file server", 0), ("sign the new NDA", 3), ("training", 30), ("done already", -5)]
    for text, days in plan:
        ws.update_case(case, add_action=text, due=(TODAY + timedelta(days=days)).isoformat())
    done = next(a.id for a in ws.show_case(case).actions if a.text == "done already")
    ws.update_case(case, action_done=str(done))
    closed = ws.open_case(other).id
    ws.update_case(closed, add_action="closed case's action", due=(TODAY - timedelta(days=9)).isoformat())
    ws.update_case(closed, status="closed")
    yield ws, case
    ws.close()


def test_due_actions_are_those_of_open_cases_overdue_or_due_soon(workspace):
    ws, case = workspace
    due = reminders.due(ws.context, today=TODAY)
    assert [(a.case_id, a.text, a.days_left, a.overdue) for a in due] == [
        (case, "recall the drawings", -2, True),
        (case, "audit Apex's file server", 0, False),
        (case, "sign the new NDA", 3, False),
    ]
    assert due[0].responsible == ("Apex",)
    assert [a.text for a in reminders.due(ws.context, today=TODAY, within_days=0)] == ["recall the drawings", "audit Apex's file server"]
    with pytest.raises(BadInput, match="--within-days must be 0 or more"):
        reminders.due(ws.context, today=TODAY, within_days=-1)


def test_a_reminder_is_one_message_to_every_address_and_an_audit_entry(workspace, relay, monkeypatch):
    ws, case = workspace
    controller, inbox = relay
    settings = ws.context.settings
    import dataclasses

    monkeypatch.setattr(
        ws.context,
        "settings",
        dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=controller.port, notify_email="legal@maker.example, ops@maker.example"),
    )
    run = reminders.send(ws.context, today=TODAY, actor="cron")
    assert run.sent and run.to == ("legal@maker.example", "ops@maker.example") and len(run.actions) == 3
    (message,) = inbox.messages
    assert sorted(message.rcpt_tos) == ["legal@maker.example", "ops@maker.example"]
    text = message.content.decode()
    assert "Subject: leaktrace: 3 remediation actions due, 1 overdue" in text
    assert f"- case {case} (Apex): recall the drawings - 2026-11-18, overdue by 2 days" in text
    assert f"- case {case} (Apex): sign the new NDA - 2026-11-23, due in 3 days" in text
    assert "closed case" not in text and "training" not in text
    entry = ws.list_audit(limit=1)[0]
    assert (entry.action, entry.actor, entry.details["to"]) == ("reminder.sent", "cron", ["legal@maker.example", "ops@maker.example"])
    assert ws.verify_audit().ok


def test_nothing_due_dry_run_and_missing_settings_send_nothing(workspace, relay, monkeypatch):
    ws, _ = workspace
    controller, inbox = relay
    assert reminders.send(ws.context, today=TODAY - timedelta(days=60), within_days=0).reason == "no remediation action is due"
    assert reminders.send(ws.context, today=TODAY, dry_run=True).reason == "a dry run: nothing was sent"
    with pytest.raises(BadInput, match="set the smtp_host and notify_email settings"):
        reminders.send(ws.context, today=TODAY)
    assert inbox.messages == []
    assert all(e.action != "reminder.sent" for e in ws.list_audit())


def test_an_unreachable_relay_is_one_line_and_records_nothing(workspace, monkeypatch):
    import dataclasses

    ws, _ = workspace
    monkeypatch.setattr(
        ws.context, "settings", dataclasses.replace(ws.context.settings, smtp_host="127.0.0.1", smtp_port=_free_port(), notify_email="a@b.example")
    )
    with pytest.raises(reminders.SmtpFailed) as caught:
        reminders.send(ws.context, today=TODAY)
    assert str(caught.value).startswith(f"the reminder could not be sent through 127.0.0.1:{ws.context.settings.smtp_port}: ")
    assert "\n" not in str(caught.value) and caught.value.exit_code == 3
    assert all(e.action != "reminder.sent" for e in ws.list_audit())
