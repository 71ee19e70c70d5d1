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


@pytest.fixture
def document(ws, tmp_path):
    """A two-page PDF registered as asset 1 (its pages: assets 2 and 3), and the text ``asset add`` printed."""
    from tests.web.conftest import tiny_pdf

    path = tmp_path / "sketch.pdf"
    path.write_bytes(tiny_pdf(2))
    result, _ = ws("asset", "add", path, "--title", "Sketch")
    return path, result.stdout


def test_add_a_document(ws, document):
    path, text = document
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert text == f"{path}: registered as asset 1 (a document of 2 pages, sha256 {sha[:12]}…)\n"
    _, (row,) = ws("asset", "add", path, "--json")
    assert (row["id"], row["kind"], row["pages"], row["format"], row["duplicate"], row["sha256"]) == (1, "document", 2, "PDF", True, sha)


def test_list_shows_kind_and_pages(ws, document, tmp_path):
    ws("asset", "add", save(tmp_path / "bumper.png", photo(3, (96, 128))))
    _, rows = ws("asset", "list", "--json")
    assert [(r["id"], r["kind"], r["pages"], r["document_id"]) for r in rows] == [(1, "document", 2, None), (4, "image", None, None)]  # no page rows
    assert {"id", "title", "filename", "sha256", "format", "width", "height", "created_at", "carrier", "strength"} <= set(rows[0])
    result, _ = ws("asset", "list")
    header, doc, image = (next(line for line in result.stdout.splitlines() if word in line) for word in ("kind", "Sketch", "bumper"))
    assert [c.strip() for c in header.strip("┃").split("┃")] == ["id", "title", "kind", "file", "size", "pages", "sha256"]
    assert [c.strip() for c in doc.strip("│").split("│")][1:6] == ["Sketch", "document", "sketch.pdf", "", "2"]
    assert [c.strip() for c in image.strip("│").split("│")][1:6] == ["bumper", "image", "bumper.png", "128x96", ""]


def _document_settings(ws) -> tuple[float, float]:
    """The workspace's ``document_amplitude_pt`` and ``document_max_pt``."""
    from leaktrace import Workspace

    with Workspace(ws.home) as w:
        return w.settings.document_amplitude_pt, w.settings.document_max_pt


def test_show_a_document_lists_its_pages(ws, document):
    rms_pt, max_pt = _document_settings(ws)
    _, doc = ws("asset", "show", "1", "--json")
    pages = doc["page_assets"]
    assert [(p["id"], p["kind"], p["page"], p["document_id"]) for p in pages] == [(2, "page", 1, 1), (3, "page", 2, 1)]
    result, _ = ws("asset", "show", "1")
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Asset 1: Sketch (sketch.pdf, PDF document of 2 pages, sha256 {doc['sha256']}")
    rows = [[c.strip() for c in line.strip("│").split("│")] for line in lines if line.startswith("│")]
    assert len(rows) == 2
    for row, p in zip(rows, pages, strict=True):
        gy, gx = p["geometric_carrier"]
        px = p["dpi"] / 72  # pixels per point
        assert row[:5] == [str(p["page"]), str(p["id"]), f"{p['width']}x{p['height']}", f"{p['dpi']:g}", f"{gy}x{gx}"]
        assert [float(v) for v in row[5:]] == pytest.approx([p["geometric_amplitude_px"], rms_pt, p["max_displacement_px"], max_pt], abs=6e-4)
        assert p["max_displacement_px"] == pytest.approx(max_pt * px, abs=1e-4)  # document_max_pt, in pixels of the rendering (to_dict rounds)


def test_show_a_page_names_its_document(ws, document):
    rms_pt, max_pt = _document_settings(ws)
    result, _ = ws("asset", "show", "3")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Asset 3: page 2 of document 'Sketch' (asset 1), rendered at 150 dpi (625x417, sha256 ")
    assert "moving its lines only" in lines[1]
    assert (
        lines[2].startswith("Geometric carrier: ")
        and f"({rms_pt:.3f} pt); no point moves more than {max_pt * 150 / 72:.3f} px ({max_pt:.3f} pt, {max_pt * 25.4 / 72:.3f} mm on the page)."
        in lines[2]
    )
    _, page = ws("asset", "show", "3", "--json")
    assert (page["kind"], page["document_id"], page["page"], page["dpi"]) == ("page", 1, 2, 150.0)


def test_a_document_and_images_in_one_call_are_refused(ws, document, tmp_path):
    path, _ = document
    result, _ = ws("asset", "add", save(tmp_path / "a.png", photo(1, (64, 96))), path, expect=2)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_edit_archive_restore_and_list_archived(ws, tmp_path):
    """``--json`` of edit, archive and restore is ``asset show``'s shape (plus ``archived_at``); ``list`` hides the archived."""
    ws("asset", "add", save(tmp_path / "a.png", photo(3, (96, 128))), save(tmp_path / "b.png", photo(4, (96, 128))))
    _, edited = ws("asset", "edit", "1", "--title", "Bumper, rev C", "--json")
    _, shown = ws("asset", "show", "1", "--json")
    assert edited == shown and edited["title"] == "Bumper, rev C" and edited["archived_at"] is None
    _, archived = ws("asset", "archive", "1", "--json")
    assert set(archived) == set(shown) and archived["archived_at"] and archived["sha256"] == shown["sha256"]
    _, listed = ws("asset", "list", "--json")
    _, old = ws("asset", "list", "--archived", "--json")
    assert [a["id"] for a in listed] == [2] and [(a["id"], a["archived_at"]) for a in old] == [(1, archived["archived_at"])]
    result, _ = ws("asset", "list", "--archived")
    assert "Bumper" in result.stdout and "archived" in result.stdout and archived["archived_at"][:10] in result.stdout
    result, _ = ws("asset", "archive", "1", expect=2)
    assert result.stderr.strip().endswith("asset 1 is archived already.") and "\n" not in result.stderr.strip()
    result, _ = ws("asset", "restore", "1")
    assert result.stdout.startswith("Asset 1 (Bumper, rev C) restored")
    _, listed = ws("asset", "list", "--json")
    assert [a["id"] for a in listed] == [1, 2]
    result, _ = ws("asset", "edit", "1", "--title", "  ", expect=2)
    assert "an asset needs a title" in result.stderr
    _, check = ws("audit", "verify", "--json")
    assert check["ok"]


def test_audit_verify_says_tampered_after_a_hand_edit_of_a_title(ws, tmp_path):
    import sqlite3

    ws("asset", "add", save(tmp_path / "a.png", photo(5, (96, 128))))
    ws("asset", "edit", "1", "--title", "Honest")
    with sqlite3.connect(ws.home / "leaktrace.db") as db:
        db.execute("UPDATE assets SET title = 'Forged' WHERE id = 1")
    result, _ = ws("audit", "verify", expect=1)
    assert "tampered" in result.stderr and "asset 1 was changed" in result.stderr
