"""Issue 10's attacks, tried as the supplier's lawyers' expert would, on one traced workspace:
each one must fail, through the interfaces a real adversary uses (the CLI, the REST API, SQLite).

The finer cases live beside the code (tests/store/test_seals.py, tests/services/test_checkpoints.py,
tests/web/test_permissions.py, tests/test_money.py, tests/services/test_key_shares.py…); this file
is the list a reviewer checks the issue against, one test per attack.
"""

from __future__ import annotations

import json
import sqlite3
import stat
import warnings
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from leaktrace.cli.app import app
from leaktrace.services.workspace import Workspace
from tests.conftest import drawing, record_finding, rewrite_history, save

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient")
    from fastapi.testclient import TestClient

SUPPLIERS = ("Apex Plastics GmbH", "Borealis Moulding AB", "Castellan Composites SpA", "Dunmore Tooling Ltd")
LEAKER = SUPPLIERS[1]
PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """A tender: four suppliers get a drawing, Borealis's copy leaks shrunk and re-encoded, it is
    traced (with its chain of custody), a case is opened, a checkpoint is taken; users of each role."""
    root = tmp_path_factory.mktemp("adversary")
    home = root / "ws"
    ws = Workspace.init(home, key_custodians="M. Keller (CISO), A. Okafor (IT)")
    for name in SUPPLIERS:
        ws.add_recipient(name)
    original = save(root / "bumper.png", drawing())
    asset = ws.add_assets([original], title="Bumper T-2027-14")[0]
    copies = ws.share(asset["id"], list(SUPPLIERS), root / "out", note="tender round 1")
    leaked = cv2.imread(next(c["path"] for c in copies if c["recipient"] == LEAKER))
    h, w = leaked.shape[:2]
    small = cv2.resize(leaked[h // 12 :, : w * 11 // 12], None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)
    leak = root / "leak.jpg"
    cv2.imwrite(str(leak), small, [cv2.IMWRITE_JPEG_QUALITY, 80])
    finding = ws.trace(leak, source_url="https://social.example/p/991", found_at="2026-11-30T09:12:00Z", captured_by="J. Doe, legal")
    assert finding.accused == (LEAKER,)
    case_id = ws.open_case(finding.id, nda="NDA-2026-7")["id"]
    checkpoint = root / "checkpoint.json"
    ws.checkpoint(out=checkpoint)
    tokens = {}
    for role in ("admin", "analyst", "auditor"):
        ws.add_user(role, role, f"{role}-password-1")
        tokens[role] = ws.create_token(role)["token"]
    ws.close()
    return {"root": root, "home": home, "finding": finding.id, "case": case_id, "copies": copies, "checkpoint": checkpoint, "tokens": tokens}


def cli(home: Path, *args, expect: int | None = 0, env: dict | None = None):
    """Run ``leaktrace ARGS --home HOME``; assert the exit code unless ``expect`` is None."""
    result = CliRunner().invoke(app, [*(str(a) for a in args), "--home", str(home)], env=env)
    if expect is not None:
        assert result.exit_code == expect, (result.exit_code, result.stdout, result.stderr)
    return result


@pytest.fixture()
def forged(case, tmp_path):
    """A copy of the traced workspace to tamper with (the module's stays intact)."""
    import shutil

    home = tmp_path / "ws"
    shutil.copytree(case["home"], home)
    return home


# ----------------------------------------------------------------------------- framing by an insider


def test_an_auditor_gets_no_copys_bytes(case):
    from leaktrace.web.app import create_app

    with Workspace(case["home"]) as ws:
        client = TestClient(create_app(ws.settings))
    headers = {"Authorization": f"Bearer {case['tokens']['auditor']}"}
    for c in case["copies"]:
        r = client.post(f"/api/v1/copies/{c['sha256']}", headers=headers)
        assert r.status_code == 403 and r.content[:4] != b"\x89PNG"
    body = {"share_id": case["copies"][0]["share_id"], "recipient": LEAKER, "reason": "curious"}
    for route in ("/api/v1/copies/regenerate", "/api/v1/copies/download"):
        assert client.post(route, json=body, headers=headers).status_code == 403


def test_the_sender_keeps_no_copy_and_re_making_one_is_recorded(case, forged):
    with Workspace(forged) as ws:
        assert not any(ws.context.blobs.exists(c["sha256"]) for c in case["copies"])  # only hashes and sizes stay
        with pytest.raises(Exception, match="reason"):
            ws.regenerate_copy(case["copies"][0]["share_id"], LEAKER, reason="  ")
        made, _ = ws.regenerate_copy(case["copies"][0]["share_id"], LEAKER, reason="legal hold LH-7", actor="a.okafor")
        entry = ws.list_audit(limit=1)[0]
    assert (entry["action"], entry["actor"], entry["details"]["reason"]) == ("copy.regenerate", "a.okafor", "legal hold LH-7")
    assert entry["details"]["matches"] is made.matches


def test_every_workspace_file_is_private(case):
    for path in [case["home"], *case["home"].rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path} is mode {mode:04o}"


def test_the_report_names_the_senders_own_holders_and_copy_handling(case, forged):
    with Workspace(forged) as ws:
        ws.regenerate_copy(case["copies"][0]["share_id"], LEAKER, reason="legal hold LH-7", actor="a.okafor")
        html = ws.report(case["finding"], "html").decode()
    text = " ".join(html.split())
    assert "derives from the copy made for" in text and "copy sent" not in text and "was the one sent" not in text
    assert "M. Keller (CISO)" in text and "legal hold LH-7" in text and "a.okafor" in text
    assert "does not prove" in text.lower() or "not prove" in text.lower()


# ----------------------------------------------------------------------------- rewriting the evidence


def test_a_forged_accusation_is_named_and_its_report_refused(case, forged):
    with sqlite3.connect(forged / "leaktrace.db") as db:
        db.execute("update finding_scores set score = 12.5, accused = 1 where recipient_name = ?", (SUPPLIERS[0],))
    result = cli(forged, "audit", "verify", "--json", expect=1)
    check = json.loads(result.stdout)
    assert (check["ok"], check["record"], check["problem"]) == (False, f"finding {case['finding']}", "edited")
    result = cli(forged, "report", case["finding"], "--format", "html", "--out", forged.parent / "r.html", expect=2)
    assert result.stderr.count("\n") == 1 and f"finding {case['finding']} was changed" in result.stderr
    assert not (forged.parent / "r.html").exists()


def test_an_edited_penalty_is_named(case, forged):
    with sqlite3.connect(forged / "leaktrace.db") as db:
        db.execute("update cases set penalty_minor = 100000000, penalty_currency = 'CNY'")
    check = json.loads(cli(forged, "audit", "verify", "--json", expect=1).stdout)
    assert check["record"] == f"case {case['case']}"
    cli(forged, "case", "update", case["case"], "--note", "launder it", expect=2)  # no change re-seals it


def test_a_rewritten_history_fails_against_an_older_checkpoint(case, forged):
    with sqlite3.connect(forged / "leaktrace.db") as db:
        (trace_entry,) = db.execute("select id from audit_entries where action = 'trace'").fetchone()
    rewrite_history(forged / "leaktrace.db", trace_entry, actor="someone-else")
    assert json.loads(cli(forged, "audit", "verify", "--json").stdout)["ok"]  # the chain alone is fooled
    result = cli(forged, "audit", "verify", "--against", case["checkpoint"], expect=2)
    assert "not extended" in result.stderr or "not extended" in result.stdout


# ----------------------------------------------------------------------------- attribution and custody


def test_an_environment_variable_does_not_choose_the_actor(case, forged, monkeypatch):
    from leaktrace.services.audit import default_actor

    monkeypatch.setenv("LOGNAME", "alice")
    monkeypatch.setenv("USER", "alice")
    cli(forged, "recipient", "add", "Eastgate Mouldings")
    entry = json.loads(cli(forged, "audit", "list", "--limit", "1", "--json").stdout)[0]
    assert entry["action"] == "recipient.add" and entry["actor"] == default_actor() and not entry["actor"].startswith("alice@")


def test_registrations_init_and_key_import_are_audited(case, forged):
    secret = {"LEAKTRACE_KEY_PASSPHRASE": PASSPHRASE}
    cli(forged, "key", "export", forged.parent / "key.backup", env=secret)
    (forged / "master.key").unlink()
    cli(forged, "key", "import", forged.parent / "key.backup", env=secret)
    actions = [e["action"] for e in json.loads(cli(forged, "audit", "list", "--json").stdout)]
    assert {"workspace.init", "asset.add", "recipient.add", "key.export", "key.import"} <= set(actions)
    with Workspace(forged) as ws:
        asset = ws.list_assets()[0]
        entry = next(e for e in ws.list_audit() if e["action"] == "asset.add")
    assert entry["details"]["sha256"] == asset["sha256"]


def test_the_key_backup_is_not_plain(case, forged):
    backup = forged.parent / "key.backup"
    cli(forged, "key", "export", backup, env={"LEAKTRACE_KEY_PASSPHRASE": PASSPHRASE})
    key = (forged / "master.key").read_bytes()
    assert key.hex() not in backup.read_text() and key not in backup.read_bytes()
    (forged / "master.key").unlink()
    result = cli(forged, "key", "import", backup, env={"LEAKTRACE_KEY_PASSPHRASE": "wrong passphrase here"}, expect=2)
    assert result.stderr.count("\n") == 1


def test_the_leaks_chain_of_custody_is_sealed_and_reported(case, forged):
    shown = json.loads(cli(forged, "finding", "show", case["finding"], "--json").stdout)
    assert shown["custody"] == {
        "source_url": "https://social.example/p/991",
        "found_at": "2026-11-30T09:12:00+00:00",
        "captured_by": "J. Doe, legal",
        "note": None,
    }
    with sqlite3.connect(forged / "leaktrace.db") as db:
        db.execute("update findings set found_at = '2026-11-01 00:00:00'")
    assert json.loads(cli(forged, "audit", "verify", "--json", expect=1).stdout)["record"] == f"finding {case['finding']}"


# ----------------------------------------------------------------------------- cases that follow the evidence


def test_a_penalty_on_a_finding_that_accuses_nobody_needs_a_written_reason(case, tmp_path):
    home = tmp_path / "ws"
    Workspace.init(home).close()
    leak = save(tmp_path / "leak.png", np.zeros((24, 32, 3), np.uint8))
    finding = record_finding(home, leak, ["Apex", "Borealis"], ())
    with Workspace(home) as ws:
        case_id = ws.open_case(finding, responsible="Apex", override_reason="named by the supplier's own audit")["id"]
    result = cli(home, "case", "update", case_id, "--penalty-amount", "250.000,00", "--penalty-currency", "EUR", expect=2)
    assert result.stderr.count("\n") == 1 and "Apex" in result.stderr
    cli(home, "case", "update", case_id, "--penalty-amount", "250.000,00", "--penalty-currency", "EUR", "--override-reason", "NDA §7 audit clause")
    shown = json.loads(cli(home, "case", "show", case_id, "--json").stdout)
    assert shown["penalty"]["minor"] == 25_000_000 and shown["penalty"]["currency"] == "EUR"
    assert any(e["kind"] == "override" and "NDA §7 audit clause" in (e["new"] or "") for e in shown["events"])


def test_two_colluders_are_both_responsible(tmp_path):
    home = tmp_path / "ws"
    Workspace.init(home).close()
    leak = save(tmp_path / "leak.png", np.zeros((24, 32, 3), np.uint8))
    finding = record_finding(home, leak, ["Apex", "Borealis", "Castellan"], ("Apex", "Borealis"))
    shown = json.loads(cli(home, "case", "open", "--finding", finding, "--json").stdout)
    assert [r["name"] for r in shown["responsibles"]] == ["Apex", "Borealis"]


@pytest.mark.parametrize(("typed", "stored"), [("250.000,00", 25_000_000), ("250,000.00", 25_000_000), ("250000", 25_000_000), ("250.000", None)])
def test_amounts_are_never_silently_250(tmp_path, typed, stored):
    home = tmp_path / "ws"
    Workspace.init(home).close()
    leak = save(tmp_path / "leak.png", np.zeros((24, 32, 3), np.uint8))
    finding = record_finding(home, leak, ["Apex"], ("Apex",))
    case_id = json.loads(cli(home, "case", "open", "--finding", finding, "--json").stdout)["id"]
    result = cli(home, "case", "update", case_id, "--penalty-amount", typed, "--penalty-currency", "EUR", "--json", expect=None)
    if stored is None:
        assert result.exit_code == 2 and "reads two ways" in result.stderr
    else:
        assert result.exit_code == 0 and json.loads(result.stdout)["penalty"]["minor"] == stored
