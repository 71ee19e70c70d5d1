"""``leaktrace copy deliver/download/regenerate``: a copy's bytes leave only by an audited act, and a
privileged one (download, regenerate) only with a reason; ``share`` keeps no copy behind."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from leaktrace import Workspace
from tests.conftest import photo, save

NAMES = ["Apex", "Borealis"]


@pytest.fixture
def ws(cli, tmp_path):
    cli("init")
    for n in NAMES:
        cli("recipient", "add", n)
    _, (asset,) = cli("asset", "add", save(tmp_path / "plan.png", photo(6, (120, 160))), "--json")
    _, rows = cli("share", asset["id"], "--to", "Apex", "--to", "Borealis", "--out", tmp_path / "out", "--json")
    cli.asset, cli.rows = asset, rows
    return cli


def _audit(cli, action):
    _, entries = cli("audit", "list", "--json")
    return [e for e in reversed(entries) if e["action"] == action]


def test_share_delivers_then_keeps_only_hashes_and_sizes(ws, tmp_path):
    for r in ws.rows:
        assert r["delivered_at"] and not r["stored"] and r["size"] == Path(r["path"]).stat().st_size
    with Workspace(ws.home) as w:
        assert not any(w.context.blobs.exists(r["sha256"]) for r in ws.rows)
    assert [e["details"]["copy_sha256"] for e in _audit(ws, "copy.deliver")] == [r["sha256"] for r in ws.rows]
    assert len(_audit(ws, "copy.discard")) == 1
    result, _ = ws("shares")
    assert "waiting" not in result.stdout and "retained" not in result.stdout


def test_regenerate_writes_the_same_file_and_records_who_and_why(ws, tmp_path):
    out = tmp_path / "again.png"
    result, made = ws("copy", "regenerate", "--share", "1", "--recipient", "Borealis", "--reason", "court order 7", "--out", out, "--json")
    assert made["matches"] and made["path"] == str(out) and made["sha256"] == ws.rows[1]["sha256"]
    assert out.read_bytes() == Path(ws.rows[1]["path"]).read_bytes() and result.stderr == ""
    (entry,) = _audit(ws, "copy.regenerate")
    assert entry["details"]["reason"] == "court order 7" and entry["details"]["matches"] is True
    assert entry["details"]["recipient_id"] == ws.rows[1]["recipient_id"] and entry["actor"].count("@") == 1  # the OS user and host
    result, _ = ws("copy", "regenerate", "--share", "1", "--recipient", "1", "--reason", "x", "--out", tmp_path)  # a folder: its own name
    assert result.stdout.strip() == str(tmp_path / ws.rows[0]["filename"])


def test_a_regeneration_that_differs_warns_in_one_line(ws, tmp_path):
    (ws.home / "leaktrace.toml").write_text("png_compression = 0\n")
    result, _ = ws("copy", "regenerate", "--share", "1", "--recipient", "Apex", "--reason", "x", "--out", tmp_path / "a.png")
    assert result.stderr.startswith("warning: the regenerated file's SHA-256 ") and result.stderr.count("\n") == 1
    assert _audit(ws, "copy.regenerate")[-1]["details"]["matches"] is False


@pytest.mark.parametrize("reason", [[], ["--reason", ""], ["--reason", "  "]])
def test_without_a_reason_regenerate_and_download_are_refused_in_one_line(ws, tmp_path, reason):
    for verb in ("regenerate", "download"):
        result, _ = ws("copy", verb, "--share", "1", "--recipient", "Apex", *reason, "--out", tmp_path / "x.png", expect=2)
        act = "regenerating" if verb == "regenerate" else "downloading"
        assert result.stderr == f"error: {act} a copy needs a reason (--reason); it is recorded in the audit log.\n"
    assert not (tmp_path / "x.png").exists() and _audit(ws, "copy.regenerate") == []


def test_download_needs_a_retained_copy(ws, tmp_path):
    result, _ = ws("copy", "download", "--share", "1", "--recipient", "Apex", "--reason", "audit", "--out", tmp_path / "x.png", expect=2)
    assert "was not retained after delivery; regenerate it" in result.stderr and result.stderr.count("\n") == 1
    (ws.home / "leaktrace.toml").write_text("retain_copies = true\n")
    _, rows = ws("share", ws.asset["id"], "--to", "Apex", "--out", tmp_path / "out2", "--json")
    _, got = ws("copy", "download", "--share", rows[0]["share_id"], "--recipient", "Apex", "--reason", "audit", "--out", tmp_path / "x.png", "--json")
    assert hashlib.sha256((tmp_path / "x.png").read_bytes()).hexdigest() == rows[0]["sha256"] and got["path"] == str(tmp_path / "x.png")
    assert _audit(ws, "copy.download")[0]["details"]["reason"] == "audit"
    result, _ = ws("shares")
    assert "; copies 1 retained" in result.stdout


def test_deliver_hands_over_waiting_copies_once(ws, tmp_path):
    with Workspace(ws.home) as w:
        waiting = w.share(ws.asset["id"], ["Apex"], None)  # as an interrupted share leaves them; same OS user
    result, _ = ws("shares")
    assert "; copies 1 waiting for delivery" in result.stdout
    _, rows = ws("copy", "deliver", "--share", waiting[0]["share_id"], "--out", tmp_path / "late", "--json")
    assert hashlib.sha256(Path(rows[0]["path"]).read_bytes()).hexdigest() == waiting[0]["sha256"]
    result, _ = ws("copy", "deliver", "--share", waiting[0]["share_id"], "--out", tmp_path / "late", expect=2)
    assert "has no copy waiting for delivery" in result.stderr
    assert json.loads(json.dumps(rows))[0]["delivered_at"]
