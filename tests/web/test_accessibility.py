"""Every page passes axe-core (WCAG 2.1 A and AA rules) without a "serious" or "critical" violation, at 390 and 1280 px.

axe-core (tests/web/vendor/axe-core, MPL-2.0, never served by leaktrace) is evaluated in each page by
Playwright, past the app's CSP (the page's own policy is not what is tested here), on every page of
tests/web/test_responsive.py as the analyst (Users as the admin; not the vendored Swagger UI and ReDoc)
and the login page. A violation is reported with its rule, its impact and the first elements it names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CI_ONLY
from tests.web.browser import browser_login, chromium, live, offline_context  # noqa: F401 (fixtures)
from tests.web.test_responsive import WIDTHS, _settle, pages_of

pytestmark = [pytest.mark.slow, CI_ONLY]

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
RUN = """async () => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']});
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({rule: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}));
}"""


def _violations(page, path: str) -> list:
    page.evaluate(AXE + ";undefined")
    return [(path, v["rule"], v["impact"], v["nodes"]) for v in page.evaluate(RUN)]


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_no_page_has_a_serious_accessibility_violation(chromium, live, seeded, width):  # noqa: F811
    found = []
    viewport = {"width": width, "height": WIDTHS[width]}
    for role in ("analyst", "admin"):
        context = offline_context(chromium, live, viewport=viewport, bypass_csp=True)
        page = browser_login(context, live, role)
        for name, path in pages_of(seeded).items():
            if (role == "admin") != (name == "users") or name in ("api-swagger", "api-redoc"):  # the vendored viewers are theirs
                continue
            page.goto(live + path)
            _settle(page, path)
            found += _violations(page, path)
        context.close()
    context = offline_context(chromium, live, viewport=viewport, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live}/login")
    found += _violations(page, "/login")
    context.close()
    assert found == [], found
