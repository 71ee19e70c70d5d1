"""End to end in a real browser, the recipient portal: an analyst shares through the portal and
invites a supplier's user; the supplier signs up from the link, accepts the terms and downloads its
copy; that file, leaked through a social-media chain, is traced to that supplier; the evidence report
shows the receipt. Same server and Chromium as ``test_e2e`` (skipped without them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import CI_ONLY, photo, save
from tests.web.conftest import leak_from
from tests.web.test_e2e import _shot, browser, server  # noqa: F401  (module fixtures)

pytestmark = [pytest.mark.slow, CI_ONLY]  # a minute in Chromium: in CI, or with LEAKTRACE_SLOW=1
SUPPLIERS = ("Apex Plastics GmbH", "Castellan Composites SpA")
LEAKER = "Castellan Composites SpA"


def _social_media(data: bytes) -> bytes:
    """A repost chain: cropped and recompressed, then recompressed again at a lower quality."""
    return leak_from(leak_from(data, quality=85), quality=70)


def test_a_supplier_downloads_its_copy_and_the_report_shows_the_receipt(server, browser, tmp_path):  # noqa: F811
    url, _ = server
    analyst = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = analyst.new_page()
    page.goto(f"{url}/login")
    page.fill("input[name=name]", "ana")
    page.fill("input[name=password]", "ana-password-1")
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/recipients")
    for name in SUPPLIERS:
        if page.locator(f"td:has-text('{name}')").count() == 0:
            page.fill("input[name=name]", name)
            page.click("button:has-text('Add recipient')")
            page.wait_for_selector(f"text=Recipient {name} registered")
    page.goto(f"{url}/assets")
    page.set_input_files("input[name=file]", str(save(tmp_path / "grille-render.png", photo(13, (320, 480)))))
    page.fill("input[name=title]", "Grille render")
    page.click("button:has-text('Upload')")
    page.wait_for_selector("text=registered as asset")

    page.goto(f"{url}/share/portal")
    page.select_option("select[name=asset_id]", page.locator("select[name=asset_id] option", has_text="Grille render").get_attribute("value"))
    for name in SUPPLIERS:
        page.check(f"label.check:has-text('{name}') input")
    page.fill("textarea[name=terms]", "NDA T-2027-14, §4: the drawings stay with the named engineers.")
    page.fill("input[name=expires_days]", "14")
    page.click("button:has-text('Share through the portal')")
    page.wait_for_selector("text=copies recorded for the recipient portal")

    page.goto(f"{url}/recipients")
    page.locator("tr", has_text=LEAKER).locator("a:has-text('Invite a user')").click()
    page.fill("input[name=email]", "it@castellan.example")
    page.click("button:has-text('Make an invitation link')")
    link = page.locator("code.link").inner_text().strip()
    assert "/invite/inv_" in link
    _shot(page, tmp_path, "portal-invite")

    supplier = browser.new_context(accept_downloads=True, viewport={"width": 390, "height": 844})
    sp = supplier.new_page()
    sp.goto(link)
    sp.fill("input[name=name]", "carla")
    sp.fill("input[name=password]", "castellan-password-1")
    sp.fill("input[name=password_again]", "castellan-password-1")
    sp.click("button:has-text('Create my account')")
    sp.wait_for_url(f"{url}/portal")
    body = sp.locator("body").inner_text()
    assert "Grille render" in body and "Apex" not in body
    sp.click("a:has-text('Grille render')")
    assert "NDA T-2027-14" in sp.locator("blockquote.terms").inner_text()
    sp.click("button:has-text('I accept these terms')")
    sp.wait_for_selector("text=Terms accepted")
    with sp.expect_download() as info:
        sp.click("button:has-text('Download')")
    copy = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename.endswith("--castellan-composites-spa.png")
    sp.reload()
    assert "#" in sp.locator("td[data-label=receipt]").first.inner_text()
    _shot(sp, tmp_path, "portal-share-390")
    assert sp.evaluate("() => document.documentElement.scrollWidth") <= 390

    leak = tmp_path / "found-on-social-media.jpg"
    leak.write_bytes(_social_media(copy))
    page.goto(f"{url}/trace")
    page.set_input_files("input[name=file]", str(leak))
    page.click("button:has-text('Trace')")
    page.wait_for_url(f"{url}/findings/*")
    assert f"Accused: {LEAKER}" in page.locator(".verdict").inner_text()
    with page.expect_download() as info:
        page.click("button:has-text('Report (HTML)')")
    report = Path(info.value.path()).read_text(encoding="utf-8")
    assert re.search(rf"Received by {LEAKER}(&#39;|')s user carla on .*?\(receipt #\d+\)", report), report[-3000:]
    analyst.close()
    supplier.close()
