"""/audit: the trail newest first (at most one page), and the hash chain verified on demand."""

from __future__ import annotations

import re

from leaktrace.web.pages.audit import PAGE


def test_entries_newest_first(pages, api):
    html = re.sub(r' data-label="[^"]*"', "", pages["auditor"].get("/audit").text)  # the cells' names, for phones
    ids = [int(i) for i in re.findall(r"<tr><td>(\d+)</td><td class=\"nowrap\">", html)]
    assert ids and ids == sorted(ids, reverse=True) and len(ids) <= PAGE == 200
    newest = api["auditor"].get("/api/v1/audit").json()["data"][0]
    assert ids[0] >= newest["id"]
    assert '<span class="action">share</span>' in html and '<span class="action">trace</span>' in html
    assert "The hash chain is intact" not in html  # verified only when asked


def test_verify_shows_the_chain_state(pages, api):
    check = api["auditor"].get("/api/v1/audit/verify").json()
    html = pages["auditor"].get("/audit?verify=1").text
    entries = int(re.search(r"The hash chain is intact: (\d+) entries", html).group(1))
    assert check["ok"] is True and entries >= check["entries"]
    assert pages["auditor"].get("/audit?verify=maybe").status_code == 422


def test_details_are_shortened(pages, seeded):
    html = pages["auditor"].get("/audit").text
    sha = seeded.copies["Apex Plastics GmbH"]
    assert sha not in html and sha[:12] + "…" in html
