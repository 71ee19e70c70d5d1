"""``leaktrace finding``: every trace is listed and shown from the store; the trace JSON names its finding."""

from __future__ import annotations

import numpy as np

from tests.conftest import photo, record_finding, save


def test_trace_is_stored_and_shown(cli, tmp_path):
    cli("init")
    cli("asset", "add", save(tmp_path / "a.png", photo(3)))
    noise = np.random.default_rng(0).integers(0, 255, (200, 300, 3), dtype=np.uint8)
    _, finding = cli("trace", save(tmp_path / "noise.png", noise), "--json")
    assert finding["asset"] is None and finding["finding_id"] == 1
    second = record_finding(cli.home, tmp_path / "noise.png", ["Apex", "Borealis"], ("Borealis",))
    _, rows = cli("finding", "list", "--json")
    assert [r["id"] for r in rows] == [second, 1]
    assert rows[1]["asset"] is None and rows[0]["accused"] == ["Borealis"]
    _, shown = cli("finding", "show", second, "--json")
    assert [c["recipient"] for c in shown["candidates"]] == ["Apex", "Borealis"]
    assert shown["alignment"]["valid_bbox"] == [8, 4, 60, 40] and shown["alignment"]["inliers"] == 42
    result, _ = cli("finding", "show", second)
    assert "Borealis" in result.stdout and "Accused: Borealis" in result.stdout
    result, _ = cli("finding", "show", 1)
    assert "No asset" in result.stdout
    result, _ = cli("finding", "list")
    assert "nobody" in result.stdout


def test_unknown_finding(cli):
    cli("init")
    for bad in ("7", "seven"):
        result, _ = cli("finding", "show", bad, expect=2)
        assert result.stderr.startswith("error: no finding numbered") and result.stderr.count("\n") == 1
