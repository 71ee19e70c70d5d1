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


# --------------------------------------------------------------------------- shape and work bounds (issue 13)

#: A whole PNG 1 pixel wide and 50000 high (274 bytes): fine to decode, but the carrier grid
#: follows the shape and cost 5 GB in the square of the long side before it was refused.
STRIP = make_hostile.zero_png(1, 50_000)


def _measured_asset_add(tmp_path: Path, image: Path) -> tuple[str, float, float]:
    """``leaktrace init`` then ``leaktrace asset add image`` in their own processes: the second's
    stderr, wall time in seconds and peak RSS in MB (capped at 3 GB of address space so that a
    regression fails here instead of swapping the machine)."""
    import os
    import subprocess
    import sys
    import time

    env = {**os.environ, "LEAKTRACE_HOME": str(tmp_path / "ws"), "OPENBLAS_NUM_THREADS": "1"}
    subprocess.run([sys.executable, "-m", "leaktrace", "init"], env=env, check=True, capture_output=True)

    # A small launcher runs leaktrace and reports that child's own peak: a child forked from this
    # test process would start its peak RSS at the whole test run's size.
    launcher = (
        "import os, resource, subprocess, sys\n"
        "cap = lambda: resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
        "p = subprocess.Popen([sys.executable, '-m', 'leaktrace', 'asset', 'add', sys.argv[1]], stdout=subprocess.DEVNULL, preexec_fn=cap)\n"
        "_, status, usage = os.wait4(p.pid, 0)\n"
        "print(usage.ru_maxrss, os.waitstatus_to_exitcode(status))\n"
    )
    err = tmp_path / "stderr.txt"
    with open(err, "wb") as sink:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", launcher, str(image)], env=env, stdout=subprocess.PIPE, stderr=sink, check=True)
        seconds = time.perf_counter() - start
    maxrss_kb, code = (int(v) for v in done.stdout.split())
    stderr = err.read_bytes()
    peak_mb = maxrss_kb / 1024
    assert code == 2, stderr.decode()
    return stderr.decode(), seconds, peak_mb


def test_a_one_pixel_strip_is_refused_fast_with_small_memory(tmp_path):
    path = tmp_path / "strip.png"
    path.write_bytes(STRIP)
    stderr, seconds, peak_mb = _measured_asset_add(tmp_path, path)
    assert stderr.strip() == f"error: {path}: image too elongated: 1 x 50000 pixels; leaktrace reads images up to 100 times longer than wide"
    assert seconds < 5 and peak_mb < 300, (seconds, peak_mb)


def test_a_hundred_million_pixel_row_is_one_line_not_a_memory_error(cli, tmp_path):
    """10^8 x 1 is at the pixel limit, not over it: the longest side (max_side_px) refuses it from the header."""
    cli("init")
    path = tmp_path / "row.png"
    path.write_bytes(make_hostile.zero_png(100_000_000, 1))
    result, _ = cli("asset", "add", path, expect=2)
    assert _one_line_error(result) == (
        f"{path}: image too long: 100000000 x 1 pixels, longest side allowed 65535; to accept it, raise the max_side_px setting "
        "(e.g. LEAKTRACE_MAX_SIDE_PX=100000000, or max_side_px in leaktrace.toml)"
    )
    result, _ = cli("trace", path, expect=2)
    assert "image too long: 100000000 x 1 pixels" in _one_line_error(result)


def test_the_longest_side_is_a_setting(cli, tmp_path, monkeypatch):
    cli("init")
    path = _white_png(tmp_path / "wide.png", 20, 1500)
    monkeypatch.setenv("LEAKTRACE_MAX_SIDE_PX", "1000")
    result, _ = cli("asset", "add", path, expect=2)
    assert _one_line_error(result).endswith(
        "image too long: 1500 x 20 pixels, longest side allowed 1000; to accept it, raise the max_side_px "
        "setting (e.g. LEAKTRACE_MAX_SIDE_PX=1500, or max_side_px in leaktrace.toml)"
    )
    monkeypatch.setenv("LEAKTRACE_MAX_SIDE_PX", "1500")
    _, rows = cli("asset", "add", path, "--json")
    assert (rows[0]["width"], rows[0]["height"]) == (1500, 20)


def test_a_jpeg_repeating_one_scan_is_refused_before_decoding(cli, tmp_path):
    import time

    cli("init")
    path = tmp_path / "scans.jpg"
    path.write_bytes(make_hostile.many_scans_jpeg(1024, 3000))  # 43 kB, 1.1 s of CPU to decode on every route
    start = time.perf_counter()
    result, _ = cli("asset", "add", path, expect=2)
    assert (
        _one_line_error(result) == f"{path}: too many JPEG scans: more than 100 (a progressive JPEG has about 10; each one is a pass over the image)"
    )
    result, _ = cli("trace", path, expect=2)
    assert "too many JPEG scans" in _one_line_error(result)
    assert time.perf_counter() - start < 5.0  # both refused before decoding (the message says so); slack for a loaded machine
