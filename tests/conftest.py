"""Shared fixtures: small synthetic images, a workspace in a temporary folder, the CLI runner."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

DATA = Path(__file__).parent / "data"


def photo(seed: int = 0, size: tuple[int, int] = (320, 480)) -> np.ndarray:
    """A small photo-like RGB image: textured shapes over a noisy gradient."""
    rng = np.random.default_rng(seed)
    h, w = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.stack([80 + 100 * yy / h, 120 + 60 * xx / w, 140 - 50 * yy / h], -1)
    noise = cv2.resize(rng.standard_normal((h // 8, w // 8)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    img += 25 * noise[..., None]
    for _ in range(18):
        c = tuple(int(v) for v in rng.integers(0, 255, 3))
        center = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        if rng.random() < 0.5:
            cv2.circle(img, center, int(rng.integers(8, 50)), c, -1)
        else:
            cv2.rectangle(img, center, (center[0] + int(rng.integers(10, 80)), center[1] + int(rng.integers(10, 60))), c, -1)
    img += rng.normal(0, 4, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def drawing(size: tuple[int, int] = (360, 540)) -> np.ndarray:
    """A small line drawing: thin dark lines, hatching and text on white paper."""
    h, w = size
    img = np.full((h, w), 255, np.uint8)
    cv2.rectangle(img, (8, 8), (w - 9, h - 9), 0, 1)
    for sign, x0 in ((-1, w // 2 - 6), (1, w // 2 + 6)):
        pts = np.array([[x0, 60], [x0 + sign * 180, 50], [x0 + sign * 240, 90], [x0 + sign * 230, 160], [x0, 170]], np.int32)
        cv2.polylines(img, [pts], False, 0, 2, cv2.LINE_AA)
        for i in range(4):
            x = x0 + sign * (30 + 45 * i)
            cv2.rectangle(img, (min(x, x + sign * 30), 90), (max(x, x + sign * 30), 130), 0, 1)
            for k in range(0, 30, 6):
                cv2.line(img, (x + sign * k, 130), (x + sign * min(k + 15, 30), 100), 0, 1, cv2.LINE_AA)
    for i in range(6):
        cv2.putText(img, f"NOTE {i}: TOL +/-0.{i} MM", (30, 220 + 18 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.4, 0, 1, cv2.LINE_AA)
    cv2.rectangle(img, (w - 200, h - 70), (w - 20, h - 20), 0, 1)
    cv2.putText(img, "BUMPER REV C", (w - 190, h - 40), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1, cv2.LINE_AA)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)


def save(path: Path, image: np.ndarray, **params) -> Path:
    ok = cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR), *([list(params.values())] if params else []))
    assert ok
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli(runner, tmp_path, monkeypatch):
    """Run a leaktrace command on a workspace in a temporary folder; returns (result, parsed JSON or None)."""
    from leaktrace.cli.app import app

    home = tmp_path / "ws"
    monkeypatch.setenv("LEAKTRACE_HOME", str(home))
    monkeypatch.chdir(tmp_path)

    def run(*args: str, expect: int | None = 0):
        result = runner.invoke(app, [str(a) for a in args])
        if expect is not None:
            assert result.exit_code == expect, (result.exit_code, result.stdout, result.stderr, result.exception)
        parsed = None
        if "--json" in args and result.exit_code == 0:
            parsed = json.loads(result.stdout)
        return result, parsed

    run.home = home
    return run


def record_finding(home: Path, leak: Path, names: list[str], accused: tuple[str, ...] = (), *, actor: str = "tester") -> int:
    """Store a synthetic finding (no trace run) naming recipients ``names`` of a fresh workspace at ``home``.

    The recipients are created if missing; ``accused`` get score 9, the others 0.5. Returns the finding id.
    """
    from leaktrace import Workspace
    from leaktrace.errors import Conflict
    from leaktrace.records import Alignment, Finding, LeakInfo, RecipientScore
    from leaktrace.services import findings

    import hashlib

    with Workspace(home) as ws:
        ids = {}
        for n in names:
            try:
                ids[n] = ws.add_recipient(n)["id"]
            except Conflict:
                ids[n] = next(r["id"] for r in ws.list_recipients() if r["name"] == n)
        mask = np.zeros((48, 64), bool)
        mask[4:40, 8:60] = True
        alignment = Alignment(np.diag([0.5, 0.5, 1.0]), mask, False, 42, 0.6, 0.93, "features")
        scores = tuple(RecipientScore(n, ids[n], 9.0 if n in accused else 0.5, 1e-18 if n in accused else 0.88, n in accused)
                       for n in names)
        info = LeakInfo(str(leak), hashlib.sha256(leak.read_bytes()).hexdigest(), 32, 24)
        kept = findings.alignment_record(ws.context, alignment, hypotheses=1, shape=mask.shape)
        finding = Finding(info, None, kept, scores, 1e-6, 5.5, len(names), None, 0.25)
        return findings.record(ws.context, finding, leak, actor=actor).id
