"""``leaktrace share`` and ``shares``: one fingerprinted copy per recipient, the --json shapes, refusals."""

from __future__ import annotations

import hashlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.conftest import photo, save

NAMES = ["Apex", "Borealis", "Castellan"]


@pytest.fixture
def ws(cli, tmp_path):
    cli("init")
    for n in NAMES:
        cli("recipient", "add", n)
    original = photo(6, (160, 224))
    _, (asset,) = cli("asset", "add", save(tmp_path / "plan.png", original), "--json")
    cli.asset, cli.original = asset, original
    return cli


def test_share_json_gives_each_copy(ws, tmp_path):
    _, rows = ws("share", ws.asset["id"], "--to", "Apex", "--to", "3", "--out", tmp_path / "out", "--note", "round 1", "--json")
    assert all(set(r) >= {"path", "recipient", "recipient_id", "sha256"} for r in rows)  # the README's shape; fields are only added
    assert {r["share_id"] for r in rows} == {1} and [r["filename"] for r in rows] == [Path(r["path"]).name for r in rows]
    assert [(r["recipient"], r["recipient_id"]) for r in rows] == [("Apex", 1), ("Castellan", 3)]  # by name or by id
    for r in rows:
        path = Path(r["path"])
        assert path.parent == tmp_path / "out" and hashlib.sha256(path.read_bytes()).hexdigest() == r["sha256"]
        copy = cv2.imread(str(path))[..., ::-1]
        diff = copy.astype(float) - ws.original
        assert copy.shape == ws.original.shape and np.abs(diff).max() > 0  # marked
        # edges moved by a fraction of a pixel change by tens of levels: the luminance mark alone meets the PSNR gate
        assert r["psnr_luminance"] >= 45.0 and r["ssim"] >= 0.99
    assert rows[0]["sha256"] != rows[1]["sha256"]


def test_share_text_and_shares_listing(ws, tmp_path):
    result, _ = ws("share", ws.asset["id"], "--to", "Borealis", "--out", tmp_path / "out", "--note", "tender")
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"Borealis: {tmp_path / 'out'}") and " (PSNR " in line and " dB, SSIM " in line
    psnr = float(line.split("PSNR ")[1].split(" dB")[0])
    assert 25.0 <= psnr <= 60.0 and 45.0 <= float(line.split("luminance mark ")[1].split(" dB")[0]) <= 60.0
    _, shares = ws("shares", "--json")
    (share,) = shares
    assert {"id", "asset_id", "note", "created_by", "created_at", "copies"} <= set(share)
    assert (share["id"], share["asset_id"], share["note"]) == (1, ws.asset["id"], "tender")
    (copy,) = share["copies"]
    assert copy["recipient"] == "Borealis" and copy["psnr"] == pytest.approx(psnr, abs=0.05) and copy["ssim"] >= 0.99
    result, _ = ws("shares")
    assert result.stdout.startswith(f"share 1: asset {ws.asset['id']} to Borealis on ") and result.stdout.rstrip().endswith("(tender)")


@pytest.mark.parametrize(
    "args, words",
    [
        (["--to", "Nobody Ltd"], "Nobody Ltd"),
        (["--to", "99"], "99"),
    ],
)
def test_unknown_recipients_exit_2_and_share_nothing(ws, tmp_path, args, words):
    result, _ = ws("share", ws.asset["id"], "--to", "Apex", *args, "--out", tmp_path / "out", "--json", expect=2)
    assert result.stderr.startswith("error: ") and words in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    _, shares = ws("shares", "--json")
    assert shares == []


def test_bad_asset_or_out_exit_2(ws, tmp_path):
    (tmp_path / "a-file").write_text("x")
    for asset, out, words in (
        ("7", tmp_path / "out", "no asset numbered 7"),
        ("seven", tmp_path / "out", "seven"),
        (ws.asset["id"], tmp_path / "a-file", "is not a folder"),
    ):
        result, _ = ws("share", asset, "--to", "Apex", "--out", out, expect=2)
        assert result.stderr.startswith("error: ") and words in result.stderr, result.stderr
    result, _ = ws("share", ws.asset["id"], "--out", tmp_path / "out", expect=2)  # --to is required
    assert "--to" in result.stderr


def test_share_a_document_writes_one_pdf_per_recipient(ws, tmp_path):
    from tests.web.conftest import tiny_pdf

    (tmp_path / "sketch.pdf").write_bytes(tiny_pdf(2))
    _, (doc,) = ws("asset", "add", tmp_path / "sketch.pdf", "--json")
    result, _ = ws("share", doc["id"], "--to", "Apex", "--to", "Borealis", "--out", tmp_path / "pdfs")
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["Apex", "Borealis"]
    for name, line in zip(("apex", "borealis"), lines, strict=True):
        path = tmp_path / "pdfs" / f"sketch--{name}.pdf"
        assert line.startswith(f"{name.title()}: {path} (worst page's rendering: PSNR ") and " dB, SSIM " in line
        assert path.read_bytes().startswith(b"%PDF-") and line.endswith(f", {path.stat().st_size / 1e3:.1f} kB)")
    _, (share,) = ws("shares", "--json")
    assert share["asset_id"] == doc["id"] and [c["filename"] for c in share["copies"]] == ["sketch--apex.pdf", "sketch--borealis.pdf"]


def test_a_page_is_shared_through_its_document(ws, tmp_path):
    from tests.web.conftest import tiny_pdf

    (tmp_path / "sketch.pdf").write_bytes(tiny_pdf(1))
    _, (doc,) = ws("asset", "add", tmp_path / "sketch.pdf", "--json")
    result, _ = ws("share", doc["id"] + 1, "--to", "Apex", "--out", tmp_path / "pdfs", expect=2)
    assert result.stderr.startswith("error: ") and "share the document" in result.stderr and result.stderr.count("\n") == 1
