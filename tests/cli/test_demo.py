"""``leaktrace demo``: how its result is told, in words and as JSON (the full demo runs in `make demo`)."""

from __future__ import annotations

import pytest

from leaktrace import Workspace
from leaktrace.cli import demo as demo_cli
from leaktrace.records import AssetMatch, Finding, LeakInfo, Match, RecipientScore


@pytest.fixture
def fake_run(monkeypatch, tmp_path):
    """The demo service replaced by a canned run on a real (empty) workspace: the CLI only formats."""
    calls = []
    ws = Workspace.init(tmp_path / "ws")
    finding = Finding(
        LeakInfo(str(tmp_path / "demo-out" / "leak-social-media.jpg"), "cd" * 32, 1080, 720),
        AssetMatch(2, "Bumper drawing", Match(88, 0.71, False)),
        None,
        (RecipientScore("Hokuto Precision KK", 8, 14.2, 1.6e-44, True), RecipientScore("Apex Plastics GmbH", 1, -0.7, 1.0, False)),
        1e-6,
        6.06,
        12,
        None,
        2.5,
        id=1,
    )
    setup = {
        "home": str(ws.home),
        "recipients": 12,
        "assets": {"photo_grille": 1, "drawing_bumper": 2},
        "copies": str(tmp_path / "demo-out" / "copies"),
        "leak": finding.leak.path,
        "leaker": "Hokuto Precision KK",
        "checkpoint": str(tmp_path / "demo-out" / "checkpoint-1.json"),
        "document": {
            "asset": 4,
            "pages": 6,
            "leak": str(tmp_path / "demo-out" / "leak-tender-screenshot.png"),
            "leaker": "Castellan Composites SpA",
            "page": 4,
            "finding": 2,
            "accused": ["Castellan Composites SpA"],
        },
        "admin": {"name": "admin", "password": "pw-shown-once"},
        "users": [{"name": "analyst", "role": "analyst", "password": "pw-analyst"}, {"name": "admin", "role": "admin", "password": "pw-shown-once"}],
        "portal": {
            "recipient": "Apex Plastics GmbH",
            "share": 9,
            "asset": 1,
            "nda": "NDA T-2027-14",
            "terms": "NDA T-2027-14, section 4 (demo): …",
            "url": "http://127.0.0.1:8000",
            "invitation": {
                "id": 1,
                "email": "buyer@apexplastics.example",
                "link": "http://127.0.0.1:8000/invite/inv_abc",
                "expires_at": "2026-12-09T03:00:00+00:00",
            },
            "users": [],
        },
    }

    def run(home, out, *, progress=None):
        calls.append((home, out, progress))
        return ws, setup, finding

    monkeypatch.setattr(demo_cli.demo_service, "run", run)
    return calls, setup, finding


def test_demo_json(cli, fake_run, tmp_path):
    calls, setup, finding = fake_run
    _, doc = cli("demo", "--home", tmp_path / "ws", "--out", tmp_path / "demo-out", "--json")
    assert set(doc) == {"setup", "finding"}
    assert doc["setup"] == setup and doc["finding"] == finding.to_dict()
    assert doc["finding"]["accused"] == ["Hokuto Precision KK"]
    ((home, out, progress),) = calls
    assert (home, out, progress) == (tmp_path / "ws", tmp_path / "demo-out", None)


def test_demo_text(cli, fake_run, tmp_path):
    _, setup, _ = fake_run
    result, _ = cli("demo", "--out", tmp_path / "demo-out")
    out = result.stdout
    assert out.startswith(f"Workspace {setup['home']}: 12 suppliers, assets photo_grille=1, drawing_bumper=2.\n")
    assert "The copy of 'Hokuto Precision KK' was leaked" in out and "Accused: Hokuto Precision KK." in out
    assert f"leaktrace finding show 1 --home {setup['home']}" in out
    assert f"leaktrace audit verify --against {setup['checkpoint']}" in out
    assert "Web app user 'analyst' (analyst) created with password pw-analyst (shown only now)." in out
    assert "Web app user 'admin' (admin) created with password pw-shown-once (shown only now)." in out
    assert "log in as 'analyst' to share, trace and open cases" in out
    assert "The tender package (a 6-page PDF, asset 4)" in out and "was traced to page 4: it names Castellan Composites SpA" in out
    assert "Recipient portal: share 9 (asset 1) waits for 'Apex Plastics GmbH' under the terms of NDA T-2027-14." in out
    assert "\nhttp://127.0.0.1:8000/invite/inv_abc\n" in out and "valid until 2026-12-09T03:00 UTC" in out


def test_demo_default_out_folder(cli, fake_run):
    calls, *_ = fake_run
    cli("demo", "--json")
    assert calls[0][1].name == "demo-out"


def test_demo_refuses_an_unsafe_workspace_before_any_work(cli, tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "leaktrace.toml").write_text("epsilon = 0.5\n")
    result, _ = cli("demo", "--home", tmp_path / "bad", "--out", tmp_path / "o", "--json", expect=2)
    assert result.stderr.startswith("error: setting epsilon must be in (0, 1e-3]") and result.stderr.count("\n") == 1
    assert not (tmp_path / "o").exists() and not (tmp_path / "bad" / "master.key").exists()
