"""Images at the limits are added and shared in bounded memory: 100 MP (the default max_pixels) as a
square sheet, and the longest strip accepted (65,535 px, the default max_side_px, at 100:1).

Each command runs in its own process and its peak RSS is read from the kernel (``os.wait4``). The
bound stated in the README (Security) is 4 GB for either command at the defaults; measured on a
2-core machine: the square adds in 2.8 GB and shares to 2 in 2.3 GB, the strip (43 MP) in 2.1 and
3.4 GB (its carrier's basis is dense along its 680 cells of the long side). About two minutes: CI only.
"""

from __future__ import annotations

import os
import subprocess
import sys

import cv2
import numpy as np
import pytest

from tests.conftest import CI_ONLY

#: The README's bound on the peak RSS of `asset add` and `share` at the default limits, in bytes.
BOUND = 4 * 2**30


def _drawing(path, height: int, width: int):
    """Black lines and a word on white: a drawing sheet (compresses to a few MB)."""
    image = np.full((height, width, 3), 255, np.uint8)
    for x in range(0, width, 97):
        cv2.line(image, (x, 0), (x + 50, height - 1), (0, 0, 0), 2)
    cv2.putText(image, "BUMPER", (100, min(height - 50, 300)), cv2.FONT_HERSHEY_SIMPLEX, 8, (0, 0, 0), 12)
    assert cv2.imwrite(str(path), image)
    return path


def _peak(args: list[str], env: dict) -> tuple[int, str, int]:
    """Run ``leaktrace ARGS``; its exit code, its stderr and its peak RSS in bytes."""
    proc = subprocess.Popen([sys.executable, "-m", "leaktrace", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read().decode()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, err, usage.ru_maxrss * 1024


@CI_ONLY
@pytest.mark.parametrize(("height", "width"), [(10_000, 10_000), (656, 65_535)], ids=["100MP-square", "65535px-strip"])
def test_an_image_at_the_limits_is_added_and_shared_in_bounded_memory(tmp_path, height, width):
    env = {**os.environ, "LEAKTRACE_HOME": str(tmp_path / "ws")}
    for args in (["init"], ["recipient", "add", "Apex", "--email", "a@apex.example"], ["recipient", "add", "Brant", "--email", "b@brant.example"]):
        subprocess.run([sys.executable, "-m", "leaktrace", *args], env=env, check=True, capture_output=True)
    sheet = _drawing(tmp_path / "sheet.png", height, width)
    code, err, add_peak = _peak(["asset", "add", str(sheet)], env)
    assert code == 0, err
    code, err, share_peak = _peak(["share", "1", "--to", "all", "--out", str(tmp_path / "out")], env)
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["sheet--apex.png", "sheet--brant.png"]
    assert add_peak < BOUND and share_peak < BOUND, f"add {add_peak / 2**30:.2f} GB, share {share_peak / 2**30:.2f} GB"
