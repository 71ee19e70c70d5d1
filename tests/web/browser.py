"""Browser fixtures over the session's seeded app: ``live`` serves it with uvicorn in a thread on a free
port, ``chromium`` is Debian's Chromium driven by Playwright, ``browser_login`` signs a context in.

Import them into a test module (``from tests.web.browser import chromium, live``); each module gets its
own server and browser (module scope: one Playwright at a time, as Playwright's sync API requires). Skipped when
/usr/bin/chromium or Playwright is absent. The browser is offline: every request to another origin
is aborted and recorded (``context.external``), so a page that needs the internet shows it.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from tests.web.conftest import PASSWORDS
from tests.web.test_e2e import ARGS, CHROMIUM


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live(app):
    """The seeded app at ``http://127.0.0.1:PORT`` (uvicorn in a daemon thread, stopped at the end)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed; the browser tests need Debian's chromium")
    pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed; the browser tests need Debian's chromium")
    pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def offline_context(chromium, live: str, **options):
    """A browser context that may reach ``live`` only: other requests are aborted and listed in ``context.external``."""
    context = chromium.new_context(**options)
    context.external = []

    def route(r):
        if r.request.url.startswith(live) or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            context.external.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return context


def browser_login(context, live: str, role: str):
    """A page of ``context`` signed in as ``role`` (one of the seeded users), on the dashboard."""
    page = context.new_page()
    page.goto(f"{live}/login")
    page.fill("input[name=name]", role)
    page.fill("input[name=password]", PASSWORDS[role])
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{live}/")
    return page
