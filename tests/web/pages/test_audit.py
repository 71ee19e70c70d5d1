"""/audit: the trail newest first as readable rows (raw JSON under <details>), one page at a time, and the hash chain verified on demand.

The filters by actor, action and subject, and paging, are in tests/web/pages/test_lists.py."""

from __future__ import annotations

import json
import re

from leaktrace.services.listing import PER_PAGE


def test_entries_newest_first(pages, api):
    html = pages["auditor"].get("/audit").text
    ids = [int(i) for i in re.findall(r'<tr id="entry-(\d+)">', html)]
    assert ids and ids == sorted(ids, reverse=True) and len(ids) <= PER_PAGE == 50
    newest = api["auditor"].get("/api/v1/audit").json()["data"][0]
    assert ids[0] >= newest["id"]
    assert ">shared an asset</a>" in html and ">traced a leak</a>" in html  # actions in words
    assert "The hash chain is intact" not in html  # verified only when asked


def test_verify_shows_the_chain_state(pages, api):
    check = api["auditor"].get("/api/v1/audit/verify").json()
    html = pages["auditor"].get("/audit?verify=1").text
    entries = int(re.search(r"The hash chain is intact: (\d+) entries", html).group(1))
    assert check["ok"] is True and entries >= check["entries"]
    assert pages["auditor"].get("/audit?verify=maybe").status_code == 422


def test_rows_read_as_words_with_the_raw_entry_beside(pages, api, seeded):
    """The share entry: who, 'shared an asset', a link to the share, the recipients by name; its JSON under <details>."""
    entry = next(
        e for e in api["auditor"].get("/api/v1/audit?limit=1000").json()["data"] if e["action"] == "share" and e["subject_id"] == str(seeded.share_id)
    )
    html = pages["auditor"].get(f"/audit?subject=share+{entry['subject_id']}&action=share").text
    row = re.search(rf'<tr id="entry-{entry["id"]}">(.*?)</tr>', html, re.S).group(1)
    assert f'<a href="/share?q=%23{entry["subject_id"]}">share #{entry["subject_id"]}</a>' in row
    assert '<a href="/audit?actor=setup"' in row and ">shared an asset</a>" in row
    summary = re.search(r'<span class="summary">(.*?)</span>', row).group(1)
    assert summary.startswith(f"asset #{entry['details']['asset_id']} · to ")
    assert all(name in summary for name in ("Apex Plastics GmbH", "Borealis Moulding AB", "Castellan Composites SpA"))
    raw = re.search(r'<pre class="raw">(.*?)</pre>', row, re.S).group(1)
    assert json.loads(raw.replace("&#34;", '"').replace("&quot;", '"').replace("&#39;", "'")) == entry["details"]  # the stored details, whole
    assert entry["hash"] in row


def test_summaries_shorten_hashes(pages, seeded):
    html = pages["auditor"].get("/audit?action=trace").text
    sha = seeded.copies["Apex Plastics GmbH"]
    summaries = " ".join(re.findall(r'<span class="summary">(.*?)</span>', html))
    assert "accused Borealis Moulding AB" in summaries and sha not in summaries
