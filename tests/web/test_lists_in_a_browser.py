"""Every list page searched and paged in Chromium, as a user does it: a page of one row, "Next ›" to the
second, then a search typed into the page's own search form and sent with its button. The server-side
rules (counts, filters, bad parameters) are tests/web/pages/test_lists.py's; this is the page as
used: the form's fields, the pager's links, that the search and the page size survive both. CI or
LEAKTRACE_SLOW."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import CI_ONLY
from tests.web.browser import browser_login, chromium, live, offline_context  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, CI_ONLY]

#: list page → a search the seeded workspace answers with at least one row
SEARCHES = {
    "/recipients": "Borealis",
    "/assets": "Grille",
    "/share": "Grille",
    "/findings": "leak",
    "/cases": "Borealis",
    "/audit": "Borealis",
}

COUNT = re.compile(r"^(\d+)–(\d+) of (\d+)")


def _count(page) -> str:
    return " ".join(page.locator("p.count[role=status]").first.inner_text().split())


@pytest.mark.parametrize("path", sorted(SEARCHES))
def test_a_list_is_paged_and_searched_in_the_browser(chromium, live, seeded, path):  # noqa: F811
    context = offline_context(chromium, live, viewport={"width": 390, "height": 844})
    page = browser_login(context, live, "analyst")
    page.goto(f"{live}{path}?per_page=1")
    first = COUNT.match(_count(page))
    assert first and first.group(1, 2) == ("1", "1"), _count(page)
    total = int(first.group(3))
    if total > 1:
        page.locator("nav.pager a[rel=next]").click()
        page.wait_for_load_state("networkidle")
        assert COUNT.match(_count(page)).group(1, 2, 3) == ("2", "2", str(total)), _count(page)
        assert parse_qs(urlsplit(page.url).query)["per_page"] == ["1"]
    form = page.locator("form.search[role=search]")
    form.locator("input[name=q]").fill(SEARCHES[path])
    form.locator("button:has-text('Search')").click()
    page.wait_for_load_state("networkidle")
    query = parse_qs(urlsplit(page.url).query)
    assert query["q"] == [SEARCHES[path]] and query["per_page"] == ["1"] and "page" not in query
    found = COUNT.match(_count(page))
    assert found and found.group(1, 2) == ("1", "1") and 1 <= int(found.group(3)) <= total, _count(page)
    assert SEARCHES[path].lower() in page.locator("main").inner_text().lower()
    assert context.external == []
    context.close()
