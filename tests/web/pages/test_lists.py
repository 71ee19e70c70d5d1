"""Every list page searched, filtered and paged on the server: recipients, assets, shares, findings, cases, audit.

A workspace of its own (the session's seeded one stays small for the other tests), its rows made
cheaply through the services: 130 recipients, 3 assets, 7 shares, 13 findings stored without a
trace (one whose leak is a recorded copy), 4 cases, 60 extra audit entries. Each page: a search
narrows the count ("N of M matching, T in all"), pages hold ``per_page`` rows, the pager keeps the
filters, and bad parameters give the first or last page or a 400 in the web's words, never a 500.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from leaktrace.records import Alignment, AssetMatch, Finding, LeakInfo, Match, RecipientScore
from leaktrace.services import findings as findings_service
from leaktrace.services import listing
from leaktrace.services.workspace import Workspace
from leaktrace.web.app import create_app
from tests.conftest import photo, save
from tests.web.conftest import PASSWORDS, ROLES, login

N_RECIPIENTS, N_SHARES, N_FINDINGS, N_ROBOT = 130, 7, 13, 60


class Listed:
    """What the workspace holds, for the assertions."""

    home: Path
    assets: list[int]
    copy_finding: int
    image_finding: int
    accusing: list[int]  # findings that accuse Supplier 001
    cases: list[int]


def _finding(ws: Workspace, leak: Path, ids: dict[str, int], accused: tuple[str, ...], asset: tuple[int, str] | None, actor: str) -> int:
    """Store a finding without running a trace: ``accused`` score 9, the others 0.5."""
    mask = np.zeros((48, 64), bool)
    mask[4:40, 8:60] = True
    alignment = Alignment(np.diag([0.5, 0.5, 1.0]), mask, False, 42, 0.6, 0.93, "features")
    names = ["Supplier 001", "Supplier 002", "Supplier 003"]
    scores = tuple(RecipientScore(n, ids[n], 9.0 if n in accused else 0.5, 1e-18 if n in accused else 0.88, n in accused) for n in names)
    info = LeakInfo(str(leak), hashlib.sha256(leak.read_bytes()).hexdigest(), 96, 64)
    kept = findings_service.alignment_record(ws.context, alignment, hypotheses=1, shape=mask.shape)
    match = None if asset is None else AssetMatch(asset[0], asset[1], Match(42, 0.6, False))
    finding = Finding(info, match, kept, scores, 1e-6, 5.5, len(names), None, 0.25)
    return findings_service.record(ws.context, finding, leak, actor=actor).id


@pytest.fixture(scope="module")
def listed(tmp_path_factory) -> Listed:
    root = tmp_path_factory.mktemp("lists")
    ws = Workspace.init(root / "ws")
    out = Listed()
    out.home = root / "ws"
    for role in ROLES:
        ws.add_user(role, role, PASSWORDS[role], actor="setup")
    ids = {}
    for i in range(1, N_RECIPIENTS + 1):
        r = ws.add_recipient(f"Supplier {i:03d}", org="Tier1 Group" if i % 10 == 0 else None, email=f"s{i}@example.test", actor="setup")
        ids[r.name] = r.id
    titles = ["Bumper assembly", "Door panel", "Bracket"]
    out.assets = [ws.add_assets([save(root / f"a{i}.png", photo(i, (96, 128)))], title=t, actor="setup")[0].id for i, t in enumerate(titles)]
    copies = []
    for i in range(N_SHARES):
        asset = out.assets[0] if i < 5 else out.assets[1]
        rows = ws.share(asset, [f"Supplier {i + 1:03d}"], root / f"out{i}", note=f"round {i + 1}", actor="setup")
        copies.append(Path(rows[0].path))
    out.accusing = []
    for i in range(N_FINDINGS - 1):
        leak = save(root / f"leak{i:02d}.png", photo(100 + i, (64, 96)))
        accused = ("Supplier 001",) if i % 3 == 0 else ()
        asset = (out.assets[i % 2], titles[i % 2])
        fid = _finding(ws, leak, ids, accused, asset, actor="ana" if i < 6 else "ben")
        if accused:
            out.accusing.append(fid)
    out.image_finding = fid
    out.copy_finding = _finding(ws, copies[1], ids, ("Supplier 002",), (out.assets[0], titles[0]), actor="ana")  # its leak IS a copy
    out.cases = [ws.open_case(f, nda=f"NDA-{f}", actor="ana").id for f in out.accusing]
    ws.update_case(out.cases[0], status="notified", actor="ana")
    for i in range(N_ROBOT):
        ws.record_audit("login.failed", actor="robot", details={"name": f"guess{i:02d}", "client": "10.0.0.9"})
    ws.close()
    return out


@pytest.fixture(scope="module")
def client(listed):
    from leaktrace.services.throttle import ClientThrottle

    app = create_app(Workspace(listed.home).settings)
    app.state.workspace.login_throttle = ClientThrottle(free=10**6)
    return login(app, "auditor")


def _count(html: str) -> str:
    return " ".join(html_lib.unescape(re.search(r'<p class="count" role="status">(.*?)</p>', html, re.S).group(1)).split())


def _pager(html: str) -> list[str]:
    nav = re.search(r'<nav class="pager" aria-label="Pages">(.*?)</nav>', html, re.S)
    return [html_lib.unescape(h) for h in re.findall(r'href="([^"]+)"', nav.group(1))] if nav else []


def _rows(html: str, pattern: str) -> list[str]:
    return re.findall(pattern, html)


# page → (search that keeps some, how many it keeps, a cell pattern naming each row)
LISTS = {
    "/recipients": ("Tier1", N_RECIPIENTS // 10, r'<td data-label="name"><a href="/recipients/\d+">(Supplier \d+)</a>', N_RECIPIENTS),
    "/assets": ("b", 2, r"<h3>([^<]+)</h3>", 3),
    "/share": ("door", 2, r'<td data-label="#">(\d+)</td>', N_SHARES),
    "/findings": ("leak0", 10, r'<td data-label="#"><a href="/findings/(\d+)">', N_FINDINGS),
    "/cases": ("NDA", 4, r'<td data-label="#"><a href="/cases/(\d+)">', 4),
}

NOUNS = {"/recipients": "recipients", "/assets": "assets", "/share": "shares", "/findings": "findings", "/cases": "cases"}


@pytest.mark.parametrize("path", sorted(LISTS))
def test_search_and_pages(client, path):
    q, kept, cell, total = LISTS[path]
    per = 2
    first = client.get(f"{path}?per_page={per}")
    assert first.status_code == 200
    assert _count(first.text).startswith(f"1–{per} of {total} ")
    one = _rows(first.text, cell)
    assert len(one) == per
    second = client.get(f"{path}?per_page={per}&page=2")
    two = _rows(second.text, cell)
    assert len(two) == min(per, total - per) and not set(one) & set(two)
    last_number = -(-total // per)
    last = client.get(f"{path}?per_page={per}&page={last_number}")
    assert len(_rows(last.text, cell)) == total - per * (last_number - 1)
    assert "Next ›" not in last.text and "‹ Previous" in last.text
    noun = NOUNS[path]
    found = client.get(f"{path}?q={q}&per_page=1")
    assert _count(found.text) == (f"1–1 of {kept} {noun} matching, {total} in all" if kept < total else f"1–1 of {total} {noun}")
    links = _pager(found.text)
    assert links and all(parse_qs(urlsplit(h).query).get("q") == [q] for h in links)  # the pager keeps the search and the size
    assert all(parse_qs(urlsplit(h).query).get("per_page") == ["1"] for h in links)
    none = client.get(f"{path}?q=no-such-thing-anywhere")
    assert none.status_code == 200 and _count(none.text) == f"No {noun} match ({total} in all)."


def test_recipient_search_by_every_column(client):
    assert _count(client.get("/recipients?q=supplier+07").text) == f"1–10 of 10 recipients matching, {N_RECIPIENTS} in all"  # 070…079
    assert _rows(client.get("/recipients?q=S5@EXAMPLE").text, LISTS["/recipients"][2]) == ["Supplier 005"]  # e-mail, any case
    assert _rows(client.get("/recipients?q=%2342").text, LISTS["/recipients"][2]) == ["Supplier 042"]  # by number
    assert _count(client.get("/recipients?q=%2512").text).startswith("No recipients match")  # % is a literal character, not a wildcard
    assert _count(client.get("/recipients?q=_").text).startswith("No recipients match")


@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "page=0",
        "page=abc",
        "page=1.5",
        "page=" + "9" * 400,
        "page=99999999999999999999",
        "per_page=0",
        "per_page=-5",
        "per_page=x",
        "per_page=100000",
    ],
)
@pytest.mark.parametrize("path", ["/recipients", "/assets", "/share", "/findings", "/cases", "/audit"])
def test_bad_page_numbers_show_a_page(client, path, query):
    r = client.get(f"{path}?{query}")
    assert r.status_code == 200, r.text[:300]
    count = _count(r.text)
    if query.startswith("page=9"):
        assert " of " in count and "Next ›" not in r.text  # past the end: the last page
    elif "page=" in query and not query.startswith("per_page"):
        assert count.startswith("1–")


@pytest.mark.parametrize(
    "url,words",
    [
        ("/findings?asset=abc", "the asset filter takes asset numbers"),
        ("/findings?since=yesterday", "is not a date in the form YYYY-MM-DD"),
        ("/findings?since=2026-12-02&until=2026-12-01", "the dates run backwards"),
        ("/share?asset=-3", "the asset filter takes asset numbers"),
        ("/assets?kind=video", "the kind filter is"),
        ("/cases?status=lost", "unknown case status"),
        ("/audit?action=explode", "unknown audit action"),
        ("/audit?subject=planet+3", "the subject filter is a kind of record"),
    ],
)
def test_bad_filters_are_a_400_in_words(client, url, words):
    r = client.get(url)
    assert r.status_code == 400 and words.lower() in html_lib.unescape(r.text).lower(), r.text[:400]
    assert "Traceback" not in r.text and "/tmp" not in r.text


def test_overlong_text_is_refused_not_a_500(client):
    r = client.get("/recipients?q=" + "x" * 201)
    assert r.status_code == 422 and "Traceback" not in r.text


def test_finding_filters(client, listed):
    cell = LISTS["/findings"][2]

    def ids(query: str) -> set[int]:
        return {int(i) for i in _rows(client.get(f"/findings?per_page=200&{query}").text, cell)}

    assert ids("accused=Supplier+001") == set(listed.accusing)
    assert ids("accused=1") == ids("accused=%231") == set(listed.accusing)  # by number too (recipient 1 is Supplier 001)
    assert ids("accused=nobody") == ids("") - set(listed.accusing) - {listed.copy_finding}
    assert ids(f"asset={listed.assets[1]}") and all(i not in ids(f"asset={listed.assets[0]}") for i in ids(f"asset={listed.assets[1]}"))
    assert ids(f"asset={listed.assets[2]}") == set()
    assert ids("q=ben") == ids("") - ids("q=ana")  # by who traced it
    assert ids("since=2000-01-01") == ids("") and ids("until=2000-01-01") == set()
    both = ids(f"accused=Supplier+001&asset={listed.assets[0]}")
    assert both and both <= set(listed.accusing)
    html = client.get(f"/findings?accused=Supplier+001&asset={listed.assets[0]}&per_page=1").text
    assert all(parse_qs(urlsplit(h).query).get("accused") == ["Supplier 001"] for h in _pager(html))


def test_findings_show_thumbnail_name_and_accused(client, listed):
    html = client.get("/findings?per_page=200").text
    assert f'<img src="/findings/{listed.image_finding}/thumbnail"' in html
    assert f'src="/findings/{listed.copy_finding}/thumbnail"' not in html and "recorded copy: not shown" in html
    assert f'<a href="/findings/{listed.image_finding}" class="leak-name">leak11.png</a>' in html
    assert '<span class="accused">Supplier 001</span>' in html
    r = client.get(f"/findings/{listed.image_finding}/thumbnail")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content.startswith(b"\x89PNG")
    assert r.headers["cache-control"] == "no-store"
    assert client.get(f"/findings/{listed.copy_finding}/thumbnail").status_code == 404  # a supplier's copy is never shown
    assert client.get("/findings/999999/thumbnail").status_code == 404


def test_case_status_filter_keeps_the_search(client, listed):
    html = client.get("/cases?status=notified").text
    assert _rows(html, LISTS["/cases"][2]) == [str(listed.cases[0])]
    assert 'href="/cases?status=open&amp;q=NDA"' in client.get("/cases?q=NDA").text


def test_audit_filters(client, listed):
    row = r'<tr id="entry-(\d+)">'
    robot = client.get("/audit?actor=robot&per_page=200").text
    assert len(_rows(robot, row)) == N_ROBOT and _count(robot).startswith(f"1–{N_ROBOT} of {N_ROBOT} entries matching")
    assert "failed to sign in" in robot and "as “guess07” · from 10.0.0.9" in robot
    shares = client.get("/audit?action=share&per_page=200").text
    assert len(_rows(shares, row)) == N_SHARES and ">shared an asset</a>" in shares
    copies = client.get("/audit?action=copy&per_page=200").text  # a family: every copy.* action
    assert len(_rows(copies, row)) >= N_SHARES and "handed over a copy" in copies
    about = client.get(f"/audit?subject=case+{listed.cases[0]}").text
    assert len(_rows(about, row)) == 2 and "opened a case" in about and "updated a case" in about
    assert "status open → notified" in about
    assert len(_rows(client.get("/audit?subject=case&per_page=200").text, row)) == len(listed.cases) + 1
    assert _rows(client.get("/audit?q=guess42").text, row) and len(_rows(client.get("/audit?q=guess42").text, row)) == 1
    mixed = client.get("/audit?actor=robot&action=trace").text
    assert _count(mixed).startswith("No entries match")
    paged = client.get("/audit?actor=robot&per_page=25&page=2").text
    assert _count(paged).startswith("26–50 of 60")
    assert all(parse_qs(urlsplit(h).query).get("actor") == ["robot"] for h in _pager(paged))


def test_the_service_loads_one_page(listed):
    """The store query returns the page only (the counts come from SQL), for the other interfaces too."""
    with Workspace(listed.home) as ws:
        p = listing.recipients(ws.context, q="supplier", number=3, per_page=20)
        assert [r.name for r in p.items] == [f"Supplier {i:03d}" for i in range(41, 61)]
        assert (p.number, p.pages, p.matched, p.total, p.first, p.last) == (3, 7, N_RECIPIENTS, N_RECIPIENTS, 41, 60)
        end = listing.recipients(ws.context, number=10**6, per_page=50)
        assert end.number == 3 and end.first == 101 and len(end.items) == 30
