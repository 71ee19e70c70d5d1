"""``leaktrace case remind``: the due actions listed, sent through the relay the settings name, or one line saying why not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from leaktrace import Workspace
from tests.conftest import record_finding, save
from tests.services.test_reminders import Inbox, _free_port

KEYS = {"sent", "to", "actions", "reason"}
ACTION_KEYS = {"case_id", "action_id", "text", "due", "days_left", "responsible", "case_status", "overdue"}


def _case(cli, tmp_path) -> int:
    cli("init")
    finding = record_finding(cli.home, save(tmp_path / "leak.png", np.zeros((24, 32, 3), np.uint8)), ["Apex"], accused=("Apex",))
    today = datetime.now(UTC).date()
    with Workspace(cli.home) as ws:
        case = ws.open_case(finding).id
        ws.update_case(case, add_action="recall the drawings", due=(today - timedelta(days=1)).isoformat())
    return case


def test_a_dry_run_lists_and_sends_nothing(cli, tmp_path):
    case = _case(cli, tmp_path)
    result, _ = cli("case", "remind", "--dry-run")
    assert result.stdout.splitlines()[0].startswith(f"case {case}  action 1  ")
    assert result.stdout.splitlines()[-1] == "a dry run: nothing was sent"
    _, doc = cli("case", "remind", "--dry-run", "--json")
    assert set(doc) == KEYS and set(doc["actions"][0]) == ACTION_KEYS
    assert (doc["sent"], doc["actions"][0]["overdue"], doc["actions"][0]["days_left"]) == (False, True, -1)


def test_without_a_relay_it_says_which_settings_in_one_line(cli, tmp_path):
    _case(cli, tmp_path)
    result, _ = cli("case", "remind", expect=2)
    assert result.stderr.strip().splitlines() == [
        "error: a reminder needs an SMTP relay and addresses: set the smtp_host and notify_email settings (see the README's Settings)."
    ]


def test_it_sends_through_the_relay(cli, tmp_path, monkeypatch):
    from aiosmtpd.controller import Controller

    _case(cli, tmp_path)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        monkeypatch.setenv("LEAKTRACE_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("LEAKTRACE_SMTP_PORT", str(controller.port))
        monkeypatch.setenv("LEAKTRACE_NOTIFY_EMAIL", "legal@maker.example")
        result, _ = cli("case", "remind")
    finally:
        controller.stop()
    assert result.stdout.splitlines()[-1] == "sent to legal@maker.example"
    assert len(inbox.messages) == 1 and "recall the drawings" in inbox.messages[0].content.decode()
