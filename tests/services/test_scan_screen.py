"""The scan's cheap screen: leaks of an asset (a whole repost, a 25% crop, a screenshot) pass it, unrelated
images stop there; its decision is the same in this process and in a pool; a hostile file is that file's
failure (the kept decode worker), and the scan goes on.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from leaktrace import Workspace, imagefiles, imageworker
from leaktrace.errors import ImageRejected
from leaktrace.evaluation import attacks
from leaktrace.samples.synthetic import part_drawing
from leaktrace.services import scans
from tests.conftest import CI_ONLY, DATA, photo, save

LEAKS = ("repost", "crop25", "screenshot")


@pytest.fixture(scope="module")
def screened(tmp_path_factory):
    """A workspace with a photo and a drawing as assets; leaks of the photo and unrelated 2 MP JPEGs on disk."""
    root = tmp_path_factory.mktemp("screen")
    asset = photo(5, (900, 1200))
    ws = Workspace.init(root / "ws")
    added = ws.add_assets([save(root / "photo.png", asset), save(root / "drawing.png", part_drawing("bumper", (800, 1131), seed=3))])
    rng = np.random.default_rng(2)
    files = {
        "repost": save(root / "repost.jpg", asset, flag=cv2.IMWRITE_JPEG_QUALITY, value=75),
        "crop25": save(root / "crop25.jpg", attacks.apply("crop25", asset, rng), flag=cv2.IMWRITE_JPEG_QUALITY, value=85),
        "screenshot": save(root / "screenshot.jpg", attacks.apply("screenshot", asset, rng), flag=cv2.IMWRITE_JPEG_QUALITY, value=85),
    }
    noise = cv2.GaussianBlur(rng.normal(0, 1, (1200, 1600, 3)).astype(np.float32), (0, 0), 2.0)
    files["texture"] = save(root / "texture.jpg", cv2.normalize(noise, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8))
    files["other photo"] = save(root / "other.jpg", photo(77, (1200, 1600)))
    yield ws, added[0]["id"], files
    ws.close()


def _screen(ws, files: dict[str, Path]) -> dict[str, scans.Screened]:
    return {name: scans.screen_file(ws.settings, i, str(path)) for i, (name, path) in enumerate(files.items())}


def test_leaks_pass_the_screen_and_unrelated_images_stop_there(screened):
    ws, asset_id, files = screened
    out = _screen(ws, files)
    for name in LEAKS:
        assert (out[name].matched, out[name].asset_id, out[name].stage, out[name].reason) == (True, asset_id, "search", None), name
    for name in ("texture", "other photo"):
        assert (out[name].matched, out[name].stage, out[name].reason) == (False, "screen", None), name  # never decoded whole


def test_the_screen_decides_the_same_in_this_process_and_in_a_pool(screened):
    ws, _, files = screened
    tasks = [(ws.settings, i, str(path)) for i, path in enumerate(files.values())]
    here = {s.item_id: (s.matched, s.asset_id, s.stage, s.reason) for s in scans.InProcess().imap(scans.screen_file, tasks)}
    pool = scans.LocalExecutor(2)
    try:
        there = {s.item_id: (s.matched, s.asset_id, s.stage, s.reason) for s in pool.imap(scans.screen_file, tasks)}
    finally:
        pool.close()
    assert here == there and len(here) == len(files)


@CI_ONLY
@pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::DeprecationWarning", "ignore::FutureWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)
def test_the_screen_decides_the_same_on_ray(screened):
    pytest.importorskip("ray")
    from leaktrace.services.scan_cluster import RayExecutor

    ws, _, files = screened
    tasks = [(ws.settings, i, str(path)) for i, path in enumerate(files.values())]
    here = {s.item_id: (s.matched, s.asset_id, s.stage, s.reason) for s in scans.InProcess().imap(scans.screen_file, tasks)}
    cluster = RayExecutor("auto", 2)
    try:
        there = {s.item_id: (s.matched, s.asset_id, s.stage, s.reason) for s in cluster.imap(scans.screen_file, tasks)}
    finally:
        cluster.close()
    assert here == there


def _segfault_on_bad(path, **limits):
    """A decoder that crashes (SIGSEGV) on files named bad*, as a C decoder could."""
    if Path(path).name.startswith("bad"):
        os.kill(os.getpid(), signal.SIGSEGV)
    return _READ(path, **limits)


_READ = imagefiles.read_image


def test_a_bomb_and_a_crashing_decoder_are_their_files_failures_and_the_scan_goes_on(screened, tmp_path, monkeypatch):
    ws, asset_id, files = screened
    folder = tmp_path / "crawl"
    folder.mkdir()
    (folder / "bad.jpg").write_bytes(files["texture"].read_bytes() + b"crash")
    (folder / "bomb.jpg").write_bytes((DATA / "bomb.jpg").read_bytes())
    (folder / "leak.jpg").write_bytes(files["crop25"].read_bytes())
    (folder / "texture.jpg").write_bytes(files["texture"].read_bytes() + b"again")
    scans._close_decoders()
    monkeypatch.setattr(imagefiles, "read_image", _segfault_on_bad)  # the decode worker is forked after this: it crashes too

    result = scans.scan(ws.context, [folder])

    reasons = {Path(f.path).name: f.reason for f in result.failed}
    assert set(reasons) == {"bad.jpg", "bomb.jpg"}
    assert "the decoder crashed" in reasons["bad.jpg"] and "image too large" in reasons["bomb.jpg"]
    assert [Path(h.path).name for h in result.hits] == ["leak.jpg"] and result.hits[0].asset.id == asset_id
    assert scans.summary(ws.context, result.id).unmatched == 1 and not scans._DECODERS  # the driver's worker is stopped


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _hog() -> bytearray:
    return bytearray(1 << 34)


def _crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def test_the_kept_decode_worker_bounds_each_call_and_comes_back_after_a_failure(screened):
    _, _, files = screened
    worker = imagefiles.resident_worker(10_000_000)
    try:
        first = imagefiles.read_image_resident(worker, files["texture"], budget_s=30, reduce_to_side=400)
        assert first.shape == (300, 400, 3) and np.array_equal(first, imagefiles.read_image(files["texture"], reduce_to_side=400))
        pid = worker._pid
        assert imagefiles.read_image_resident(worker, files["repost"], budget_s=30).shape == (900, 1200, 3) and worker._pid == pid  # one fork
        with pytest.raises(ImageRejected, match="no such file"):
            imagefiles.read_image_resident(worker, files["texture"].with_name("missing.jpg"), budget_s=30)
        assert worker._pid is None  # a refused file may be hostile: its child is not reused
        assert imagefiles.read_image_resident(worker, files["repost"], budget_s=30).shape == (900, 1200, 3)
        os.kill(worker._pid, signal.SIGKILL)  # killed between calls (the OOM killer): the next file never ran, it runs in a new child
        while Path(f"/proc/{worker._pid}/stat").read_text().split(") ")[1][0] != "Z":  # dead (a zombie until the worker reaps it)
            time.sleep(0.01)
        assert np.array_equal(imagefiles.read_image_resident(worker, files["texture"], budget_s=30, reduce_to_side=400), first)
        start = time.monotonic()
        with pytest.raises(imageworker.Overrun, match="time"):
            worker.call(_sleep, 30, seconds=0.5)
        assert time.monotonic() - start < 5 and worker._pid is None
        with pytest.raises(imageworker.Overrun, match="memory"):
            worker.call(_hog, seconds=30)
        with pytest.raises(imageworker.Overrun, match="crash"):
            worker.call(_crash, seconds=30)
        assert np.array_equal(imagefiles.read_image_resident(worker, files["texture"], budget_s=30, reduce_to_side=400), first)
    finally:
        worker.close()
    assert worker._pid is None
