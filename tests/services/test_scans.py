"""Scans: a folder, a list or a feed screened against every asset; hits traced and stored, the rest counted.

One workspace for the module (an asset shared to three recipients); each test scans files of its own
(crops at other offsets, other noise), so the scans never see each other's files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from sqlalchemy import func, select

from leaktrace import Workspace
from leaktrace.errors import BadInput, NotFound
from leaktrace.services import scans
from leaktrace.store import models
from tests.conftest import DATA, photo, save

NAMES = ("Apex", "Borealis", "Castellan")


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """A workspace with one asset shared to three recipients, and the copies' pixels (BGR) by name."""
    root = tmp_path_factory.mktemp("scans")
    ws = Workspace.init(root / "ws")
    asset = ws.add_assets([save(root / "bumper.png", photo(4, (240, 360)))])[0]
    for name in NAMES:
        ws.add_recipient(name)
    ws.share(asset["id"], list(NAMES), root / "out")
    copies = {name: cv2.imread(str(next((root / "out").glob(f"*{name.lower()}*")))) for name in NAMES}
    yield ws, asset, copies
    ws.close()


def leak(copy: np.ndarray, folder: Path, name: str, *, offset: int, quality: int = 85) -> Path:
    """A leak of ``copy``: cropped to about 70% of the area at ``offset`` px and saved as JPEG."""
    h, w = copy.shape[:2]
    crop = copy[offset : offset + int(h * 0.82), offset : offset + int(w * 0.85)]
    path = folder / name
    assert cv2.imwrite(str(path), crop, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return path


def unrelated(folder: Path, seed: int) -> list[Path]:
    """Images that show no asset: noise, and another synthetic photo."""
    noise = save(folder / f"noise-{seed}.png", np.random.default_rng(seed).integers(0, 255, (180, 260, 3), dtype=np.uint8))
    return [noise, save(folder / f"other-{seed}.jpg", photo(1000 + seed, (200, 300)))]


def findings_count(ws) -> int:
    with ws.context.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(models.Finding)))


def test_a_folder_scan_traces_the_leaks_counts_the_rest_and_names_bad_files(shared, tmp_path):
    ws, asset, copies = shared
    folder = tmp_path / "crawl"
    (folder / "deep" / "er").mkdir(parents=True)
    leak(copies["Borealis"], folder, "b.jpg", offset=10)
    leak(copies["Castellan"], folder / "deep" / "er", "c.jpg", offset=14, quality=75)
    unrelated(folder, 1)
    unrelated(folder / "deep", 2)
    shutil.copy(DATA / "truncated.png", folder / "truncated.png")
    (folder / "notes.txt.png").write_text("not an image")
    (folder / ".hidden.png").write_bytes(b"skipped: hidden")
    before = findings_count(ws)

    result = scans.scan(ws.context, [folder], workers=2)

    assert (result.images, result.matched, result.errors) == (8, 2, 2)
    by_name = {Path(h.path).name: h for h in result.hits}
    assert set(by_name) == {"b.jpg", "c.jpg"}
    assert by_name["b.jpg"].accused == ("Borealis",) and by_name["c.jpg"].accused == ("Castellan",)
    for hit in result.hits:
        assert hit.asset.id == asset["id"] and hit.asset.title == "bumper"
        stored = ws.show_finding(hit.finding_id)
        assert stored.accused == hit.accused and stored.leak.sha256 == hit.sha256 and stored.leak.path == hit.path
    # every non-matching image is counted, never stored: only the two hits made findings
    assert findings_count(ws) == before + 2
    reasons = {Path(f.path).name: f.reason for f in result.failed}
    assert set(reasons) == {"truncated.png", "notes.txt.png"}
    assert all(r.startswith(str(folder)) and "\n" not in r for r in reasons.values())
    state = scans.summary(ws.context, result.id)
    assert (state.status, state.unmatched, state.pending, state.earlier) == ("done", 4, 0, 0)
    assert state.finished_at is not None and scans.result(ws.context, result.id) == result


def test_a_second_scan_of_the_same_files_finds_them_done(shared, tmp_path):
    ws, _, copies = shared
    folder = tmp_path / "again"
    folder.mkdir()
    leak(copies["Apex"], folder, "a.jpg", offset=6)
    unrelated(folder, 3)
    first = scans.scan(ws.context, [folder])
    count = findings_count(ws)

    shutil.copy(folder / "a.jpg", tmp_path / "a-renamed.jpg")  # the same bytes under another name: the same file
    second = scans.scan(ws.context, [folder, tmp_path / "a-renamed.jpg"])

    assert findings_count(ws) == count  # nothing traced again
    assert second.id != first.id and (second.images, second.matched, second.errors) == (3, 1, 0)
    assert [(h.sha256, h.finding_id, h.accused) for h in second.hits] == [(h.sha256, h.finding_id, h.accused) for h in first.hits]
    assert second.hits[0].accused == ("Apex",)
    assert scans.summary(ws.context, second.id).earlier == 3


def test_an_interrupted_scan_keeps_what_it_did_and_resume_finishes_it(shared, tmp_path):
    ws, _, copies = shared
    folder = tmp_path / "stopped"
    folder.mkdir()
    leak(copies["Borealis"], folder, "1-leak.jpg", offset=3)
    for seed in (4, 5):
        unrelated(folder, seed)
    leak(copies["Apex"], folder, "9-leak.jpg", offset=5)
    calls = []

    def stop_after_two() -> bool:
        calls.append(1)
        return len(calls) > 2

    stopped = scans.scan(ws.context, [folder], should_stop=stop_after_two)
    state = scans.summary(ws.context, stopped.id)
    assert state.status == "interrupted" and 0 < state.pending < state.images == 6
    assert scans.list_all(ws.context)[0].id == stopped.id

    done = scans.run(ws.context, stopped.id)
    state = scans.summary(ws.context, stopped.id)
    assert (state.status, state.pending, state.matched, state.unmatched) == ("done", 0, 2, 4)
    assert sorted(h.accused for h in done.hits) == [("Apex",), ("Borealis",)]
    assert len({h.finding_id for h in done.hits}) == 2
    # a finished scan resumed again does nothing
    assert scans.run(ws.context, stopped.id) == done


def test_a_feed_gives_each_finding_its_custody_and_bad_lines_their_reason(shared, tmp_path):
    ws, _, copies = shared
    leak(copies["Castellan"], tmp_path, "found.jpg", offset=8)
    (noise,) = unrelated(tmp_path, 6)[:1]
    lines = [
        {"path": "found.jpg", "source_url": "https://forum.example/t/1", "found_at": "2026-11-30T10:00+01:00", "crawler": "extra keys are ignored"},
        {"path": str(noise), "source_url": "https://forum.example/t/2"},
        {"path": "found-later.jpg", "found_at": "not a date"},
        {"source_url": "https://forum.example/t/3"},
    ]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(line) for line in lines) + "\n{not json\n\n")

    result = scans.scan(ws.context, [feed])

    assert (result.images, result.matched, result.errors) == (5, 1, 3)
    (hit,) = result.hits
    custody = ws.show_finding(hit.finding_id).custody
    assert (custody.source_url, custody.found_at) == ("https://forum.example/t/1", "2026-11-30T09:00:00+00:00")
    reasons = [f.reason for f in result.failed]
    assert "--found-at 'not a date' is not an ISO 8601" in reasons[0]
    assert reasons[1] == f'{feed} line 4: a feed line needs "path", the file to scan.'
    assert reasons[2].startswith(f"{feed} line 5: not a JSON object")


def test_sources_lists_stdin_and_single_images(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    image = save(tmp_path / "sub" / "x.png", photo(2, (64, 64)))
    listing = tmp_path / "sub" / "list.txt"
    listing.write_text("# a crawler's list\nx.png\n\n/elsewhere/y.jpg\n")
    monkeypatch.chdir(tmp_path)
    assert [i.path for i in scans.plan([listing])] == [str(image), "/elsewhere/y.jpg"]
    assert [i.path for i in scans.plan(["-"], stdin=["sub/x.png", ""])] == [str(image)]
    assert [i.path for i in scans.plan([image])] == [str(image)]
    with pytest.raises(BadInput, match="nowhere: no such file or folder to scan"):
        scans.plan(["nowhere"])


def test_unknown_scans_and_workers(shared):
    ws, _, _ = shared
    with pytest.raises(NotFound, match="no scan numbered 999"):
        scans.summary(ws.context, 999)
    with pytest.raises(BadInput, match="--workers must be at least 1"):
        scans.run(ws.context, 1, workers=0)


def test_the_work_function_takes_and_returns_plain_values(shared, tmp_path):
    import pickle

    ws, _, copies = shared
    path = leak(copies["Apex"], tmp_path, "w.jpg", offset=2)
    screened = scans.screen_file(ws.context.settings, 7, str(path))
    assert screened.matched and screened.reason is None and screened.item_id == 7
    assert pickle.loads(pickle.dumps(screened)) == screened
    (noise,) = unrelated(tmp_path, 9)[:1]
    assert not scans.screen_file(ws.context.settings, 8, str(noise)).matched
