"""End to end in a real browser: log in, add recipients, upload an asset, share (zip), leak one copy,
trace it, see the accused supplier, open a case, update it, download the report.

Runs ``leaktrace serve`` in a subprocess on a free port against a temporary workspace and drives
Debian's Chromium with Playwright. Skipped when /usr/bin/chromium or Playwright is absent.
Set ``LEAKTRACE_SCREENSHOTS=DIR`` to keep the screenshots (docs/screenshots is made that way).
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import photo, save
from tests.web.conftest import leak_from

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SUPPLIERS = [
    ("Apex Plastics GmbH", "Apex"),
    ("Borealis Moulding AB", "Borealis"),
    ("Castellan Composites SpA", "Castellan"),
    ("Delta Tooling Ltd", "Delta Tooling"),
]
LEAKER = "Castellan Composites SpA"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed; the browser test needs Debian's chromium")
    pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
    from leaktrace.services.workspace import Workspace

    root = tmp_path_factory.mktemp("e2e")
    ws = Workspace.init(root / "ws")
    ws.add_user("ana", "analyst", "ana-password-1", actor="setup")
    ws.close()
    port = _free_port()
    cli = Path(sys.executable).with_name("leaktrace")
    cmd = [
        str(cli) if cli.exists() else sys.executable,
        *([] if cli.exists() else ["-m", "leaktrace"]),
        "serve",
        "--home",
        str(root / "ws"),
        "--port",
        str(port),
    ]
    log = root / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"leaktrace serve exited: {log.read_text()}")
            time.sleep(0.1)
    yield url, root
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def _shot(page, tmp: Path, name: str) -> Path:
    path = tmp / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("LEAKTRACE_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)
    return path


def test_the_analysts_day_in_a_browser(server, browser, tmp_path):
    url, root = server
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    timings = {}

    page.goto(f"{url}/")
    assert page.url.startswith(f"{url}/login")
    page.fill("input[name=name]", "ana")
    page.fill("input[name=password]", "ana-password-1")
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{url}/")

    page.goto(f"{url}/recipients")
    for name, org in SUPPLIERS:
        page.fill("input[name=name]", name)
        page.fill("input[name=org]", org)
        page.click("button:has-text('Add recipient')")
        page.wait_for_selector(f"text=Recipient {name} registered")
    assert page.locator("tbody tr").count() == len(SUPPLIERS)

    original = save(tmp_path / "bumper-render.png", photo(11, (360, 540)))
    page.goto(f"{url}/assets")
    page.set_input_files("input[name=file]", str(original))
    page.fill("input[name=title]", "Front bumper render")
    page.click("button:has-text('Upload')")
    page.wait_for_selector("text=registered as asset 1")
    page.wait_for_function("() => { const i = document.querySelector('.tile img'); return i && i.complete; }")
    assert page.locator(".tile img").evaluate("img => img.naturalWidth") == 480  # the thumbnail route works: 540 px wide, shown at 480
    _shot(page, tmp_path, "assets")

    page.goto(f"{url}/share")
    for name, _ in SUPPLIERS:
        page.check(f"label.check:has-text('{name}') input")
    page.fill("input[name=note]", "Tender T-2027-14, round 1")
    _shot(page, tmp_path, "share")
    with page.expect_download() as info:
        page.click("button:has-text('Make copies')")
    archive = zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes()))
    names = archive.namelist()
    assert len(names) == len(SUPPLIERS)
    leaked = next(n for n in names if "castellan" in n)
    leak = tmp_path / "found-on-social-media.jpg"
    leak.write_bytes(leak_from(archive.read(leaked), quality=75))

    page.goto(f"{url}/trace")
    page.set_input_files("input[name=file]", str(leak))
    start = time.perf_counter()
    page.click("button:has-text('Trace')")
    page.wait_for_url(f"{url}/findings/*")
    timings["trace+finding"] = time.perf_counter() - start
    verdict = page.locator(".verdict").inner_text()
    assert f"Accused: {LEAKER}" in verdict
    assert page.locator("svg.chart .bar.hot").count() == 1
    assert page.locator("tr.hot td").first.inner_text() == LEAKER
    page.wait_for_function("() => { const i = document.querySelector('img.leak'); return i && i.complete; }")
    assert page.locator("img.leak").first.evaluate("img => img.naturalWidth") > 0
    finding_url = page.url
    _shot(page, tmp_path, "finding")

    start = time.perf_counter()
    page.goto(finding_url)
    timings["finding page"] = time.perf_counter() - start

    page.click("button:has-text('Open case')")
    page.wait_for_url(f"{url}/cases/*")
    page.select_option("select[name=status]", "notified")
    page.fill("input[name=nda]", "NDA-2027-14/Castellan")
    page.fill("input[name=add_action]", "Supplier restricts tender folders to named engineers")
    page.fill("input[name=due]", "2027-03-31")
    page.fill("textarea[name=note]", "Supplier's CISO informed by phone; written statement requested.")
    page.click("button:has-text('Save changes')")
    page.wait_for_selector("text=updated")
    timeline = page.locator("ol.timeline").inner_text()
    assert "opened the case" in timeline and "notified" in timeline and "Supplier restricts" in timeline
    _shot(page, tmp_path, "case")

    report = page.locator("a:has-text('Download report (PDF)')")
    page.goto(finding_url)
    if report.count():
        with page.expect_download() as info:
            page.click("a:has-text('Download report (PDF)')")
        assert Path(info.value.path()).read_bytes()[:5] == b"%PDF-"

    start = time.perf_counter()
    page.goto(f"{url}/")
    timings["dashboard"] = time.perf_counter() - start
    assert LEAKER in page.locator("body").inner_text()
    _shot(page, tmp_path, "dashboard")

    page.goto(f"{url}/audit?verify=1")
    assert "The hash chain is intact" in page.locator("body").inner_text()
    _shot(page, tmp_path, "audit")
    print("\nbrowser timings (s): " + ", ".join(f"{k} {v:.2f}" for k, v in timings.items()))
    context.close()
