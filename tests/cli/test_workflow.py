"""The CLI end to end: init, recipients, assets, share, trace, keys — and their --json contracts."""

from __future__ import annotations

import os
import stat

import cv2
import numpy as np

from tests.conftest import drawing, photo, save


def test_init_makes_a_private_key_and_refuses_a_second_init(cli):
    result, info = cli("init", "--json")
    key = cli.home / "master.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and key.stat().st_size == 32
    assert key.read_bytes().hex() not in result.stdout + result.stderr
    assert (cli.home / "leaktrace.db").exists() and set(info) >= {"home", "key_fingerprint"}
    result, _ = cli("init", expect=2)
    assert result.stderr.count("\n") == 1 and "already exists" in result.stderr


def test_recipients_and_assets(cli, tmp_path):
    cli("init")
    result, _ = cli("recipient", "add", "Apex Plastics GmbH", "--email", "a@apex.example")
    assert result.stdout.strip() == "1"
    cli("recipient", "add", "Borealis AB")
    result, _ = cli("recipient", "add", "Apex Plastics GmbH", expect=2)
    assert "already exists" in result.stderr
    _, rows = cli("recipient", "list", "--json")
    assert [r["name"] for r in rows] == ["Apex Plastics GmbH", "Borealis AB"]

    a = save(tmp_path / "a.png", photo(1))
    b = save(tmp_path / "b.png", drawing())
    _, added = cli("asset", "add", a, b, "--json")
    assert all(set(r) >= {"height", "id", "path", "sha256", "width"} for r in added)  # fields are only ever added
    assert (added[0]["width"], added[0]["height"]) == (480, 320)
    _, again = cli("asset", "add", a, "--json")
    assert again[0]["id"] == added[0]["id"]
    _, listed = cli("asset", "list", "--json")
    assert len(listed) == 2


def test_share_then_trace_names_the_leaker(cli, tmp_path):
    cli("init")
    names = [f"Supplier {c}" for c in "ABCDEF"]
    for n in names:
        cli("recipient", "add", n)
    src = save(tmp_path / "draft.png", photo(2, (384, 576)))
    _, (asset,) = cli("asset", "add", src, "--json")
    args = ["share", asset["id"], "--out", tmp_path / "out", "--json"]
    for n in names:
        args += ["--to", n]
    _, copies = cli(*args)
    assert len(copies) == len(names) and all(set(c) >= {"path", "recipient", "recipient_id", "sha256"} for c in copies)
    leaker = copies[3]
    image = cv2.imread(leaker["path"])
    h, w = image.shape[:2]
    leak = cv2.resize(image[h // 8 :, : w * 7 // 8], None, fx=0.7, fy=0.7, interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(tmp_path / "leak.jpg"), leak, [cv2.IMWRITE_JPEG_QUALITY, 75])
    _, finding = cli("trace", tmp_path / "leak.jpg", "--json")
    assert {"leak", "asset", "candidates", "accused", "false_accusation_bound", "elapsed_s", "finding_id"} <= set(finding)  # README
    assert isinstance(finding["finding_id"], int)
    assert set(finding["leak"]) >= {"path", "sha256", "width", "height"}  # fields are only ever added
    assert finding["asset"]["id"] == asset["id"] and set(finding["asset"]["match"]) == {"inliers", "coverage", "mirrored"}
    assert finding["accused"] == [leaker["recipient"]]
    assert finding["false_accusation_bound"] == 1e-6
    assert {c["recipient"] for c in finding["candidates"]} == set(names)
    top = finding["candidates"][0]
    assert top["recipient"] == leaker["recipient"] and top["score"] > 8 and top["p_value"] < 1e-12
    assert all(c["score"] < 5 for c in finding["candidates"][1:])
    result, _ = cli("trace", tmp_path / "leak.jpg")
    assert "Accused: " + leaker["recipient"] in result.stdout


def test_unrelated_image_matches_no_asset(cli, tmp_path):
    cli("init")
    cli("asset", "add", save(tmp_path / "a.png", photo(3)))
    noise = np.random.default_rng(0).integers(0, 255, (200, 300, 3), dtype=np.uint8)
    _, finding = cli("trace", save(tmp_path / "noise.png", noise), "--json")
    assert finding["asset"] is None and finding["accused"] == [] and finding["candidates"] == []


def test_key_export_and_import(cli, tmp_path, monkeypatch):
    cli("init")
    backup = tmp_path / "key.backup"
    monkeypatch.setenv("LEAKTRACE_KEY_PASSPHRASE", "correct horse battery staple")
    result, _ = cli("key", "export", backup)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600 and "without it" in result.stderr
    original = (cli.home / "master.key").read_bytes()
    (cli.home / "master.key").unlink()
    result, _ = cli("recipient", "list", expect=2)
    assert "missing" in result.stderr
    cli("key", "import", backup)
    assert (cli.home / "master.key").read_bytes() == original
    cli("recipient", "list")


def test_settings_json_lists_every_setting(cli):
    from leaktrace.settings import SETTINGS

    cli("init")
    _, rows = cli("settings", "--json")
    assert [r["name"] for r in rows] == [s.name for s in SETTINGS]
    assert os.environ["LEAKTRACE_HOME"]
