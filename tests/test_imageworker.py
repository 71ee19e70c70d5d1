"""The stoppable decode: a forked child with a time budget and a memory cap (leaktrace.imageworker),
and the refusals it gives at the decoder entry (imagefiles.read_image's ``budget_s``) and the CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
from PIL import Image, ImageFile

from leaktrace import imagefiles, imageworker
from leaktrace.errors import ImageRejected


def _children() -> list[int]:
    """This process's live children (a killed worker must not stay a zombie)."""
    try:
        with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children") as f:
            return [int(pid) for pid in f.read().split()]
    except OSError:  # pragma: no cover - no procfs
        return []


def test_the_child_fills_the_shared_buffer_and_answers():
    def fill(buffer):
        np.frombuffer(buffer, np.uint8, count=6)[:] = [1, 2, 3, 4, 5, 6]
        return (2, 3)

    buffer, shape = imageworker.run(fill, 6, seconds=10, memory_bytes=1 << 28)
    assert shape == (2, 3)
    assert np.frombuffer(buffer, np.uint8, count=6).tolist() == [1, 2, 3, 4, 5, 6]


def test_a_refusal_in_the_child_comes_back_whole():
    def fill(buffer):
        raise ImageRejected("leak.png", "truncated or corrupt image")

    with pytest.raises(ImageRejected) as caught:
        imageworker.run(fill, 1, seconds=10, memory_bytes=1 << 28)
    assert (caught.value.path, caught.value.reason) == ("leak.png", "truncated or corrupt image")


def test_a_child_over_its_budget_is_killed_at_the_budget():
    def fill(buffer):
        time.sleep(60)

    before = _children()  # other tests' processes (a fork server, Ray) may be running
    start = time.monotonic()
    with pytest.raises(imageworker.Overrun) as caught:
        imageworker.run(fill, 1, seconds=0.5, memory_bytes=1 << 28)
    assert caught.value.kind == "time"
    assert time.monotonic() - start < 5
    assert set(_children()) <= set(before)


def test_a_child_over_its_memory_cap_fails_there_not_here():
    def fill(buffer):
        return np.ones(1 << 28, np.uint8).sum()  # 256 MB against a cap of 64 MB

    with pytest.raises(imageworker.Overrun) as caught:
        imageworker.run(fill, 1, seconds=30, memory_bytes=1 << 26)
    assert caught.value.kind == "memory"


def test_a_crashing_decoder_is_a_refusal_and_this_process_goes_on():
    def fill(buffer):
        os.kill(os.getpid(), signal.SIGSEGV)

    before = _children()
    with pytest.raises(imageworker.Overrun) as caught:
        imageworker.run(fill, 1, seconds=30, memory_bytes=1 << 28)
    assert caught.value.kind == "crash"
    assert set(_children()) <= set(before)


@pytest.fixture(scope="module")
def photo_png(tmp_path_factory):
    """A 12 MP photo-like PNG: decoding it takes well over 20 ms and needs about 100 MB."""
    rng = np.random.default_rng(5)
    small = rng.integers(0, 256, (300, 400, 3), np.uint8)
    path = tmp_path_factory.mktemp("worker") / "photo.png"
    assert cv2.imwrite(str(path), cv2.resize(small, (4000, 3000), interpolation=cv2.INTER_CUBIC))
    return path


def test_the_worker_decodes_the_same_pixels(photo_png):
    assert np.array_equal(imagefiles.read_image(photo_png, budget_s=30), imagefiles.read_image(photo_png))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "TIFF", "GIF", "BMP"])
def test_the_worker_decodes_every_format_the_same(tmp_path, fmt):
    rng = np.random.default_rng(1)
    path = tmp_path / f"small.{fmt.lower()}"
    image = Image.fromarray(rng.integers(0, 256, (37, 53, 3), np.uint8))
    (image.convert("P") if fmt == "GIF" else image).save(path, fmt)
    assert np.array_equal(imagefiles.read_image(path, budget_s=30), imagefiles.read_image(path))


def test_exif_orientation_is_applied_in_the_worker(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the result's sides are swapped
    path = tmp_path / "rotated.jpg"
    Image.fromarray(np.zeros((20, 30, 3), np.uint8)).save(path, "JPEG", exif=exif.tobytes())
    assert imagefiles.read_image(path, budget_s=30).shape == (30, 20, 3)


def test_a_decode_over_the_budget_is_refused_in_one_line(photo_png):
    with pytest.raises(ImageRejected) as caught:
        imagefiles.read_image(photo_png, budget_s=0.02)
    assert caught.value.reason == (
        "decoding took over 0.02 s; to accept it, raise the decode_budget_s setting (e.g. LEAKTRACE_DECODE_BUDGET_S=1, or decode_budget_s in leaktrace.toml)"
    )


def test_a_decode_over_its_memory_is_refused_in_one_line(photo_png, monkeypatch):
    """The decoder here asks for 256 MB more than a cap of 64 MB (fresh memory: Pillow's own block cache,
    warm from earlier decodes in this process, would need none)."""
    real = imagefiles._to_rgb_piece

    def hungry(im):
        np.ones(1 << 28, np.uint8).sum()
        return real(im)

    monkeypatch.setattr(imagefiles, "_to_rgb_piece", hungry)
    monkeypatch.setattr(imagefiles, "DECODE_BYTES_PER_PIXEL", 0)
    monkeypatch.setattr(imagefiles, "DECODE_SLACK_BYTES", 64 << 20)
    with pytest.raises(ImageRejected, match=r": decoding needs more than 64 MB for 12000000 pixels \(a decompression bomb"):
        imagefiles.read_image(photo_png, budget_s=30)


def test_a_crash_inside_the_decoder_is_a_refusal(photo_png, monkeypatch):
    def crash(self):
        os.kill(os.getpid(), signal.SIGSEGV)

    monkeypatch.setattr(Image.Image, "load", crash)
    monkeypatch.setattr(ImageFile.ImageFile, "load", crash)
    with pytest.raises(ImageRejected) as caught:
        imagefiles.read_image(photo_png, budget_s=30)
    assert caught.value.reason == "truncated or corrupt image (the decoder crashed)"


def test_the_cli_refuses_a_slow_leak_in_one_line(tmp_path, photo_png):
    home = tmp_path / "ws"
    env = {**os.environ, "LEAKTRACE_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "leaktrace", "init"], env=env, check=True, capture_output=True)
    done = subprocess.run(
        [sys.executable, "-m", "leaktrace", "trace", str(photo_png)], env={**env, "LEAKTRACE_DECODE_BUDGET_S": "0.02"}, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: {photo_png}: decoding took over 0.02 s; to accept it, raise the decode_budget_s setting "
        "(e.g. LEAKTRACE_DECODE_BUDGET_S=1, or decode_budget_s in leaktrace.toml)"
    ]


def test_a_hard_address_space_limit_set_before_is_kept(photo_png):
    """Under ``ulimit -v`` (a hard limit below what the worker would ask for) the decode still works and nothing raises it."""
    script = (
        "import resource, sys\n"
        "from leaktrace import imagefiles\n"
        "vm = int(open('/proc/self/statm').read().split()[0]) * resource.getpagesize()\n"
        "resource.setrlimit(resource.RLIMIT_AS, (vm + (700 << 20), vm + (700 << 20)))\n"  # below the worker's 1.3 GB more
        f"print(imagefiles.read_image({str(photo_png)!r}, budget_s=30).shape)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "(3000, 4000, 3)", "")


def test_a_decoder_giving_more_pixels_than_announced_is_refused(photo_png, monkeypatch):
    real = imagefiles._to_rgb_piece

    def bigger(im):
        return np.concatenate([real(im), real(im)])  # twice the rows the header said

    monkeypatch.setattr(imagefiles, "_to_rgb_piece", bigger)
    monkeypatch.setattr(imagefiles, "_STRIP_PIXELS", 1 << 30)  # one piece
    with pytest.raises(ImageRejected, match="truncated or corrupt image$"):
        imagefiles.read_image(photo_png, budget_s=30)


def test_a_worker_dies_with_its_parent(tmp_path):
    """kill -9 of the process waiting for a decode leaves no decoder running."""
    pid_file = tmp_path / "child.pid"
    script = (
        "import os, time\n"
        "from leaktrace import imageworker\n"
        f"def fill(buffer):\n    open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n    time.sleep(120)\n"
        "imageworker.run(fill, 1, seconds=120, memory_bytes=1 << 28)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 30
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    child = int(pid_file.read_text())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
