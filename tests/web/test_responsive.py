"""Every page is usable on a phone: at 390 × 844 CSS px (and at 1280) no page is wider than its viewport.

Each page is visited with the seeded data (recipients, assets, a share, findings, a case) by the
role that sees most of it (the analyst has the forms, the admin the Users page), and by the other
one too, since the forms differ. A full-page screenshot (of Swagger UI and ReDoc, the first screen) of each page at each width is taken as the
analyst (Users as the admin); set ``LEAKTRACE_SCREENSHOTS=docs/screenshots`` to keep them there as
``page-width.png``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import CI_ONLY
from tests.web.browser import browser_login, chromium, live, offline_context  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, CI_ONLY]

WIDTHS = {390: 844, 1280: 900}
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 3).map((e) => `${e.tagName.toLowerCase()}.${e.className}`)"""


def pages_of(seeded) -> dict[str, str]:
    """Screenshot name → path of every page of the app (the API viewers included, the error page too)."""
    return {
        "dashboard": "/",
        "recipients": "/recipients",
        "recipient": "/recipients/1",
        "groups": "/groups",
        "invitations": "/invitations",
        "invite": "/recipients/3/invite",
        "assets": "/assets",
        "share": "/share",
        "trace": "/trace",
        "findings": "/findings",
        "finding": f"/findings/{seeded.finding_id}",
        "finding-copy": f"/findings/{seeded.copy_finding_id}",
        "cases": "/cases",
        "case": f"/cases/{seeded.case_id}",
        "monitoring": "/monitoring",
        "audit": "/audit?verify=1",
        "users": "/users",
        "api-routes": "/docs/routes",
        "api-swagger": "/docs",
        "api-redoc": "/redoc",
        "not-found": "/findings/999999",
    }


def _settle(page, path: str) -> None:
    page.wait_for_load_state("networkidle")
    if path == "/docs":
        page.wait_for_selector(".swagger-ui .opblock")
    elif path == "/redoc":
        page.wait_for_selector("#redoc [data-section-id]")


def _keep(page, tmp: Path, name: str, *, full_page: bool = True) -> None:
    path = tmp / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    keep = os.environ.get("LEAKTRACE_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_no_page_is_wider_than_its_viewport(chromium, live, seeded, width, tmp_path):  # noqa: F811
    too_wide = []
    for role in ("analyst", "admin"):
        context = offline_context(chromium, live, viewport={"width": width, "height": WIDTHS[width]}, device_scale_factor=1)
        page = browser_login(context, live, role)
        for name, path in pages_of(seeded).items():
            page.goto(live + path)
            _settle(page, path)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                too_wide.append((role, path, scroll, page.evaluate(WIDEST)))
            if (role == "admin") == (name == "users"):
                _keep(page, tmp_path, f"{name}-{width}", full_page=not name.startswith("api-") or name == "api-routes")  # the viewers: one screen
        assert context.external == [], context.external  # nothing from another origin
        context.close()
    context = offline_context(chromium, live, viewport={"width": width, "height": WIDTHS[width]}, device_scale_factor=1)
    page = context.new_page()
    page.goto(f"{live}/login")
    if page.evaluate("document.documentElement.scrollWidth") > width:
        too_wide.append((None, "/login", page.evaluate("document.documentElement.scrollWidth"), page.evaluate(WIDEST)))
    _keep(page, tmp_path, f"login-{width}")
    context.close()
    assert too_wide == [], too_wide
