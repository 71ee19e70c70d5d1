"""``leaktrace asset add/list/show``: the --json shapes, duplicates reported not stored twice, bad files exit 2."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from tests.conftest import DATA, drawing, photo, save


@pytest.fixture
def ws(cli):
    cli("init")
    return cli


def test_add_json_gives_what_was_registered(ws, tmp_path):
    a = save(tmp_path / "a.png", photo(1, (120, 200)))
    b = save(tmp_path / "plan.jpg", drawing((150, 210)))
    _, rows = ws("asset", "add", a, b, "--json")
    assert all(set(r) >= {"height", "id", "path", "sha256", "width"} for r in rows)  # the README's shape; fields are only added
    assert [(r["duplicate"], r["title"], r["filename"]) for r in rows] == [(False, "a", "a.png"), (False, "plan", "plan.jpg")]
    assert [(r["id"], r["path"], r["width"], r["height"]) for r in rows] == [(1, str(a), 200, 120), (2, str(b), 210, 150)]
    assert rows[1]["sha256"] == hashlib.sha256(b.read_bytes()).hexdigest()


def test_add_text_reports_duplicates(ws, tmp_path):
    a = save(tmp_path / "a.png", photo(2, (96, 128)))
    result, _ = ws("asset", "add", a)
    sha = hashlib.sha256(a.read_bytes()).hexdigest()
    assert result.stdout == f"{a}: registered as asset 1 (128x96, sha256 {sha[:12]}…)\n"
    copy = tmp_path / "same-bytes.png"
    copy.write_bytes(a.read_bytes())
    result, _ = ws("asset", "add", copy)
    assert result.stdout == f"{copy}: already registered as asset 1 (128x96, sha256 {sha[:12]}…)\n"
    _, listed = ws("asset", "list", "--json")
    assert len(listed) == 1


def test_list_json_and_table(ws, tmp_path):
    _, empty = ws("asset", "list", "--json")
    assert empty == []
    ws("asset", "add", save(tmp_path / "bumper.png", photo(3, (96, 128))), "--title", "Bumper rev C")
    _, (row,) = ws("asset", "list", "--json")
    assert {"id", "title", "filename", "sha256", "format", "width", "height", "created_at"} <= set(row)
    assert (row["id"], row["title"], row["filename"], row["format"], row["width"], row["height"]) == (1, "Bumper rev C", "bumper.png", "PNG", 128, 96)
    result, _ = ws("asset", "list")
    line = next(line for line in result.stdout.splitlines() if "Bumper rev C" in line)
    assert "bumper.png" in line and "128x96" in line and row["sha256"][:12] + "…" in line


def test_title_defaults_to_the_file_name(ws, tmp_path):
    ws("asset", "add", save(tmp_path / "grille.png", photo(4, (64, 96))))
    _, (row,) = ws("asset", "list", "--json")
    assert row["title"] == "grille"


@pytest.mark.parametrize("name", ["truncated.png", "empty.png", "text.png", "missing.png"])
def test_a_bad_file_exits_2_and_nothing_is_stored(ws, tmp_path, name):
    good = save(tmp_path / "good.png", photo(5, (64, 96)))
    path = DATA / name if name != "missing.png" else tmp_path / name
    result, _ = ws("asset", "add", good, path, "--json", expect=2)
    assert result.stderr.startswith("error: ") and name in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""
    _, listed = ws("asset", "list", "--json")
    assert listed == []  # every file is checked before any is stored


def test_add_needs_a_file(ws):
    result, _ = ws("asset", "add", expect=2)
    assert "Missing argument" in " ".join(result.stderr.split())


def test_add_leaves_an_audit_entry_with_the_originals_hash(ws, tmp_path):
    a = save(tmp_path / "a.png", photo(3, (96, 128)))
    ws("asset", "add", a, "--title", "Bumper")
    ws("asset", "add", a)  # already registered: no second entry
    _, entries = ws("audit", "list", "--json")
    added = [e for e in entries if e["action"] == "asset.add"]
    assert [(e["subject_type"], e["subject_id"]) for e in added] == [("asset", "1")]
    details = added[0]["details"]
    assert (details["sha256"], details["title"], details["filename"], details["width"], details["height"]) == (
        hashlib.sha256(a.read_bytes()).hexdigest(),
        "Bumper",
        "a.png",
        128,
        96,
    )


def test_show_states_both_carriers_and_the_displacement_bound(ws, tmp_path):
    plan = save(tmp_path / "plan.png", drawing((360, 540)))
    ws("asset", "add", plan)
    result, _ = ws("asset", "show", "1")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Asset 1: plan (plan.png, PNG, 540x360, sha256 ")
    assert lines[1].startswith("Luminance carrier: ") and " signs), strength " in lines[1]
    assert (
        lines[2].startswith("Geometric carrier: ") and "px RMS per axis; no line moves more than 0.50 px (0.042 mm printed at 300 dpi)." in lines[2]
    )
    _, doc = ws("asset", "show", "1", "--json")
    assert doc["geometric_carrier"] is not None and 0 < doc["geometric_amplitude_px"] <= 0.15 and doc["max_displacement_px"] == 0.5


def test_show_says_when_an_image_has_no_edges_to_move(ws, tmp_path):
    flat = save(tmp_path / "flat.png", np.full((200, 300, 3), 128, np.uint8))
    ws("asset", "add", flat)
    result, _ = ws("asset", "show", "1")
    assert "Geometric carrier: none" in result.stdout
    _, doc = ws("asset", "show", "1", "--json")
    assert doc["geometric_carrier"] is None and doc["max_displacement_px"] is None


def test_show_of_an_unknown_asset_is_one_line(ws):
    result, _ = ws("asset", "show", "7", expect=None)
    assert result.exit_code == 2 and result.stderr == "error: no asset numbered 7\n"
    assert "Traceback" not in result.stdout + result.stderr and len((result.stdout + result.stderr).strip().splitlines()) == 1
