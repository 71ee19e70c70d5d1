"""``leaktrace scan``: the --json contract exactly, text output, stdin, list/show, resume, and Ctrl-C in a real process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest

from tests.conftest import CI_ONLY, DATA, photo, save

HIT_KEYS = {"path", "sha256", "finding_id", "asset", "accused"}


@pytest.fixture
def crawl(cli, tmp_path):
    """A workspace with an asset shared to Apex and Borealis, and a folder: a leak of Borealis's copy, two unrelated images, a truncated PNG."""
    cli("init")
    cli("asset", "add", save(tmp_path / "bumper.png", photo(4, (240, 360))))
    for name in ("Apex", "Borealis"):
        cli("recipient", "add", name)
    cli("share", "1", "--to", "Apex", "--to", "Borealis", "--out", tmp_path / "out")
    copy = cv2.imread(str(next((tmp_path / "out").glob("*borealis*"))))
    folder = tmp_path / "crawl"
    folder.mkdir()
    assert cv2.imwrite(str(folder / "leak.jpg"), copy[12:210, 15:320], [cv2.IMWRITE_JPEG_QUALITY, 80])
    save(folder / "noise.png", np.random.default_rng(0).integers(0, 255, (150, 200, 3), dtype=np.uint8))
    save(folder / "other.jpg", photo(77, (160, 240)))
    (folder / "truncated.png").write_bytes((DATA / "truncated.png").read_bytes())
    return folder


def test_scan_json_is_the_contract_exactly(cli, crawl):
    _, doc = cli("scan", crawl, "--json")
    assert set(doc) == {"id", "images", "matched", "errors", "hits", "failed"}
    assert (doc["id"], doc["images"], doc["matched"], doc["errors"]) == (1, 4, 1, 1)
    (hit,) = doc["hits"]
    assert set(hit) == HIT_KEYS and set(hit["asset"]) == {"id", "title"}
    assert hit["path"] == str(crawl / "leak.jpg") and hit["asset"] == {"id": 1, "title": "bumper"} and hit["accused"] == ["Borealis"]
    _, finding = cli("finding", "show", str(hit["finding_id"]), "--json")
    assert finding["accused"] == ["Borealis"] and finding["leak"]["sha256"] == hit["sha256"]
    (failed,) = doc["failed"]
    assert set(failed) == {"path", "reason"} and failed["path"] == str(crawl / "truncated.png")
    assert failed["reason"].startswith(str(crawl / "truncated.png")) and "\n" not in failed["reason"]
    # show prints the same document; list counts it
    assert cli("scan", "show", "1", "--json")[1] == doc
    _, listed = cli("scan", "list", "--json")
    assert [(s["id"], s["status"], s["images"], s["matched"], s["unmatched"], s["errors"], s["pending"]) for s in listed] == [
        (1, "done", 4, 1, 2, 1, 0)
    ]
    _, findings = cli("finding", "list", "--json")
    assert len(findings) == 1  # the unrelated images stored nothing


def test_scan_text_stdin_and_a_second_scan(cli, crawl):
    result, _ = cli("scan", "run", crawl)
    assert "Scan 1: 4 files, 1 showing an asset, 2 matching none, 1 failed." in result.stdout
    assert "Borealis" in result.stdout and "failed: " in result.stdout
    runner_input = "\n".join(str(p) for p in sorted(crawl.iterdir())) + "\n"
    from typer.testing import CliRunner

    from leaktrace.cli.app import app

    again = CliRunner().invoke(app, ["scan", "-", "--json"], input=runner_input)
    assert again.exit_code == 0, again.stderr
    doc = json.loads(again.stdout)
    assert (doc["images"], doc["matched"], doc["errors"]) == (4, 1, 1)
    assert doc["hits"][0]["finding_id"] == 1  # done by scan 1: not traced again
    shown, _ = cli("scan", "show", "2")
    assert "3 done by an earlier scan (not traced again)" in shown.stdout
    assert len(cli("finding", "list", "--json")[1]) == 1


def test_scan_errors(cli, crawl):
    result, _ = cli("scan", "show", "5", expect=2)
    assert "no scan numbered 5" in result.stderr
    result, _ = cli("scan", crawl / "missing", expect=2)
    assert "no such file or folder to scan" in result.stderr
    cli("scan", crawl, "--workers", "0", expect=2)
    assert cli("scan", "list", "--json")[1] == []  # a refused scan stores nothing


def test_ctrl_c_stops_a_scan_cleanly_and_resume_finishes_it(cli, crawl, tmp_path):
    from leaktrace import Workspace
    from leaktrace.services import scans

    for seed in range(60):
        save(crawl / f"n{seed:03d}.png", np.random.default_rng(100 + seed).integers(0, 255, (200, 280, 3), dtype=np.uint8))
    env = {**os.environ, "LEAKTRACE_HOME": str(cli.home)}
    process = subprocess.Popen(
        [sys.executable, "-m", "leaktrace", "scan", str(crawl), "--workers", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    with Workspace(cli.home) as ws:
        while time.monotonic() < deadline:  # until the scan has stored a few of its files
            listed = scans.list_all(ws.context)
            if listed and listed[0].pending < listed[0].images - 3:
                break
            time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, (stdout, stderr)
    assert "finish it with 'leaktrace scan resume 1'" in stderr and "Traceback" not in stderr
    _, (state,) = cli("scan", "list", "--json")
    assert state["status"] == "interrupted" and 0 < state["pending"] < state["images"] - 3 and state["images"] == 64
    _, doc = cli("scan", "resume", "1", "--workers", "2", "--json")
    assert (doc["images"], doc["matched"], doc["errors"]) == (64, 1, 1)
    assert cli("scan", "list", "--json")[1][0]["status"] == "done"
    assert len(cli("finding", "list", "--json")[1]) == 1


@CI_ONLY
@pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning", "ignore::DeprecationWarning", "ignore::FutureWarning"
)
def test_scan_on_a_local_ray_cluster_prints_the_same_contract(cli, crawl):
    pytest.importorskip("ray")
    _, doc = cli("scan", crawl, "--ray", "auto", "--workers", "2", "--json")
    assert (doc["images"], doc["matched"], doc["errors"]) == (4, 1, 1)
    assert doc["hits"][0]["accused"] == ["Borealis"] and doc["failed"][0]["path"] == str(crawl / "truncated.png")


def test_scan_ray_at_an_address_nobody_answers_is_one_line(cli, crawl):
    pytest.importorskip("ray")
    result, _ = cli("scan", crawl, "--ray", "127.0.0.1:9", expect=2)
    assert result.stderr.strip().splitlines() == ["error: --ray 127.0.0.1:9: no Ray cluster answers there (Connection refused)."]
    result, _ = cli("scan", crawl, "--ray", "head-without-port", expect=2)
    assert "not 'auto' nor an address HOST:PORT" in result.stderr
