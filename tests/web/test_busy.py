"""The busy state (static/busy.js): a form that runs work says so, disables its button, and a double
click sends one request; a form that answers with a file is sent by fetch and usable again when the
file has arrived; without JavaScript the forms post as before.

The posts are answered by the test (Playwright's routing holds them), so the seeded workspace does
not change and the busy state can be looked at while the request is running.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.web.browser import browser_login, chromium, live, offline_context  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow
PDF = b"%PDF-1.7\n% a stand-in report\n"


def _hold(context, pattern: str) -> list:
    """Hold every POST to ``pattern`` (other requests pass): the held routes, in order."""
    held = []

    def route(r):
        if r.request.method == "POST":
            held.append(r)
        else:
            r.continue_()

    context.route(pattern, route)
    return held


# While a post's navigation is pending the page cannot be evaluated from the test: the page reports its
# own state (just after busy.js has run) on the console, and tries to submit the form once more.
WATCH = """document.addEventListener("submit", (event) => {
  const form = event.target, button = form.querySelector("button");
  setTimeout(() => {
    console.log("busy-state " + JSON.stringify({ disabled: button.disabled, text: button.textContent, busy: form.getAttribute("aria-busy") }));
    if (!window.__again) { window.__again = true; form.requestSubmit(); }
  }, 0);
}, true);"""


def test_a_double_clicked_trace_sends_one_request_and_says_it_is_working(chromium, live, seeded):  # noqa: F811
    context = offline_context(chromium, live, viewport={"width": 1280, "height": 900})
    page = browser_login(context, live, "analyst")
    held = _hold(context, f"{live}/trace")
    page.goto(f"{live}/trace")
    page.add_init_script(WATCH)
    page.reload()
    states = []
    page.on("console", lambda m: states.append(json.loads(m.text.split(" ", 1)[1])) if m.text.startswith("busy-state ") else None)
    page.set_input_files("input[name=file]", str(seeded.image))
    page.dblclick("form[action='/trace'] button", no_wait_after=True)
    page.wait_for_timeout(800)
    assert len(held) == 1  # two clicks and a requestSubmit(): one post
    assert states and states[0] == {"disabled": True, "text": "Tracing…", "busy": "true"}
    held[0].fulfill(status=200, content_type="text/html", body="<!doctype html><title>traced</title><p>traced</p>")
    page.wait_for_selector("text=traced")
    assert len(held) == 1
    context.close()


def test_a_report_download_is_busy_until_the_file_arrives_then_usable_again(chromium, live, seeded):  # noqa: F811
    context = offline_context(chromium, live, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = browser_login(context, live, "analyst")
    held = _hold(context, f"{live}/findings/{seeded.finding_id}/report.pdf")
    page.goto(f"{live}/findings/{seeded.finding_id}")
    button = page.locator("button:has-text('Download report (PDF)')")
    button.dblclick()
    page.wait_for_timeout(400)
    assert len(held) == 1
    busy = page.locator("form[action$='/report.pdf'] button")
    assert busy.is_disabled() and busy.inner_text() == "Writing the report…"
    assert "csrf_token=" in (held[0].request.post_data or "")  # the form's own fields, sent by fetch
    with page.expect_download() as info:
        held[0].fulfill(
            status=200, body=PDF, headers={"Content-Type": "application/pdf", "Content-Disposition": 'attachment; filename="finding-1.pdf"'}
        )
    assert info.value.suggested_filename == "finding-1.pdf"
    assert Path(info.value.path()).read_bytes() == PDF
    page.wait_for_function("() => !document.querySelector(\"form[action$='/report.pdf'] button\").disabled")
    assert busy.inner_text() == "Download report (PDF)" and page.url.endswith(f"/findings/{seeded.finding_id}")
    busy.click()  # usable again: a second report is a second request
    page.wait_for_timeout(400)
    assert len(held) == 2
    held[1].fulfill(status=409, content_type="text/html", body="<!doctype html><title>Conflict</title><p class='code'>409</p><p>refused</p>")
    page.wait_for_selector("text=refused")  # an answer that is no file replaces the page, as a post would
    context.close()


def test_without_javascript_the_forms_post_as_before(chromium, live, seeded):  # noqa: F811
    context = offline_context(chromium, live, viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = browser_login(context, live, "analyst")
    held = _hold(context, f"{live}/findings/{seeded.finding_id}/report.pdf")
    page.goto(f"{live}/findings/{seeded.finding_id}")
    page.click("button:has-text('Download report (PDF)')", no_wait_after=True)
    page.wait_for_timeout(600)
    assert len(held) == 1 and held[0].request.is_navigation_request()
    held[0].fulfill(status=200, content_type="text/html", body="<!doctype html><p>posted</p>")
    page.wait_for_selector("text=posted")
    context.close()
