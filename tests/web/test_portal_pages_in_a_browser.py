"""The portal's pages in Chromium, at 390 and 1280 px: no sideways scrolling, and axe-core (WCAG 2.1
A/AA) finds no serious or critical violation, for the recipient's user (the portal, a share), the
analyst (the portal share form, an invitation) and the invitee (the link's page). CI or LEAKTRACE_SLOW.
Each page's full screenshot is kept in ``LEAKTRACE_SCREENSHOTS`` when set, as ``test_responsive`` does."""

from __future__ import annotations

import pytest

from leaktrace.services import portal
from tests.conftest import CI_ONLY
from tests.web.browser import browser_login, chromium, live, offline_context  # noqa: F401 (fixtures)
from tests.web.conftest import PASSWORDS, RECIPIENT
from tests.web.test_accessibility import _violations
from tests.web.test_responsive import WIDEST, WIDTHS, _keep

pytestmark = [pytest.mark.slow, CI_ONLY]


def _recipient_page(context, base: str):
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=name]", RECIPIENT)
    page.fill("input[name=password]", PASSWORDS[RECIPIENT])
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{base}/portal")
    return page


#: screenshot names of the portal's pages
NAMES = {"/portal": "portal", "/share/portal": "share-portal"}


def _check(page, base: str, path: str, found: list, wide: list, shots=None) -> None:
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    if shots is not None:
        name = NAMES.get(path) or ("portal-share" if path.startswith("/portal/") else "invite-link" if path.startswith("/invite/") else None)
        if name:
            _keep(page, shots[0], f"{name}-{shots[1]}")
    found += _violations(page, path)
    if page.evaluate("() => document.documentElement.scrollWidth") > page.viewport_size["width"]:
        wide.append((path, page.evaluate(WIDEST)))


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_portal_pages_fit_and_pass_axe(app, chromium, live, seeded, width, tmp_path):  # noqa: F811
    viewport = {"width": width, "height": WIDTHS[width]}
    shots = (tmp_path, width)
    found, wide = [], []
    context = offline_context(chromium, live, viewport=viewport, bypass_csp=True)
    page = _recipient_page(context, live)
    for path in ("/portal", f"/portal/shares/{seeded.portal_share_id}"):
        _check(page, live, path, found, wide, shots)
    context.close()
    context = offline_context(chromium, live, viewport=viewport, bypass_csp=True)
    page = browser_login(context, live, "analyst")
    for path in ("/share/portal", "/recipients/2/invite"):
        _check(page, live, path, found, wide, shots)
    context.close()
    invitation = portal.invite(app.state.workspace.context, "Borealis Moulding AB", "it@borealis.example", actor="tests")
    context = offline_context(chromium, live, viewport=viewport, bypass_csp=True)
    _check(context.new_page(), live, f"/invite/{invitation.token}", found, wide, shots)
    context.close()
    assert found == [], found
    assert wide == [], wide
