"""The pixel limit (the max_pixels setting): an image over it is refused in one line that names
the file, its pixel count, the limit and how to raise it, at the CLI (exit 2, no traceback);
raising the setting as the message says accepts it. The web upload: tests/web/test_pixel_limit.py."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.test_imagefiles import make_hostile

#: A PNG header claiming 12000 x 10000 pixels: over the default 100 MP, under Pillow's own 179 MP.
OVER_DEFAULT = make_hostile.bomb_png(12_000, 10_000)
#: Over Pillow's own limit too (2 x Image.MAX_IMAGE_PIXELS): refused the same way, by the setting.
OVER_PILLOW = make_hostile.bomb_png(20_000, 10_000)


def _refusal(path: object, count: int, limit: int) -> str:
    return (
        f"{path}: image too large: {count} pixels ({count / 1e6:.1f} MP), limit {limit} ({limit / 1e6:.1f} MP); "
        f"to accept it, raise the max_pixels setting (e.g. LEAKTRACE_MAX_PIXELS={-(-count // 10**6) * 10**6}, "
        "or max_pixels in leaktrace.toml)"
    )


def _white_png(path: Path, height: int, width: int) -> Path:
    assert cv2.imwrite(str(path), np.full((height, width, 3), 255, np.uint8))
    return path


def _one_line_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert lines[0].startswith("error: ")
    return lines[0][len("error: ") :]


@pytest.mark.parametrize(("data", "count"), [(OVER_DEFAULT, 120_000_000), (OVER_PILLOW, 200_000_000)])
def test_asset_add_over_the_limit_is_one_line_and_exit_2(cli, tmp_path, data, count):
    cli("init")
    path = tmp_path / "a0-drawing.png"
    path.write_bytes(data)
    result, _ = cli("asset", "add", path, expect=2)
    assert _one_line_error(result) == _refusal(path, count, 100_000_000)
    assert result.stdout == ""


def test_raising_the_setting_as_the_refusal_says_accepts_the_image(cli, tmp_path, monkeypatch):
    cli("init")
    path = _white_png(tmp_path / "sheet.png", 1000, 1100)  # 1.1 MP
    monkeypatch.setenv("LEAKTRACE_MAX_PIXELS", "1000000")
    result, _ = cli("asset", "add", path, "--json", expect=2)
    message = _one_line_error(result)
    assert message == _refusal(path, 1_100_000, 1_000_000)
    monkeypatch.setenv("LEAKTRACE_MAX_PIXELS", message.split("LEAKTRACE_MAX_PIXELS=")[1].split(",")[0])
    _, rows = cli("asset", "add", path, "--json")
    assert (rows[0]["width"], rows[0]["height"]) == (1100, 1000)


def test_a_leak_over_the_limit_is_refused_the_same_way(cli, tmp_path):
    cli("init")
    path = tmp_path / "found.png"
    path.write_bytes(OVER_DEFAULT)
    result, _ = cli("trace", path, expect=2)
    assert _one_line_error(result) == _refusal(path, 120_000_000, 100_000_000)
