"""/trace: the upload form for analysts; a traced leak lands on its finding page."""

from __future__ import annotations

import re

from tests.conftest import DATA


def test_the_form(pages, seeded):
    html = pages["analyst"].get("/trace").text
    assert 'enctype="multipart/form-data"' in html and "Up to 50 MB." in html
    assert f'<option value="{seeded.asset_id}">#{seeded.asset_id} Bumper assembly</option>' in html
    auditor = pages["auditor"].get("/trace").text
    assert "Tracing a leak needs the analyst role; you are auditor." in auditor and 'name="file"' not in auditor


def test_a_traced_leak_lands_on_its_finding(pages, api, seeded):
    client = pages["analyst"]
    r = client.post(
        "/trace",
        data={"csrf_token": client.csrf, "asset_id": str(seeded.asset_id)},
        files={"file": ("found on forum.jpg", seeded.leak, "image/jpeg")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and re.fullmatch(r"/findings/\d+", r.headers["location"])
    finding_id = int(r.headers["location"].rsplit("/", 1)[1])
    f = api["auditor"].get(f"/api/v1/findings/{finding_id}").json()
    assert f["accused"] == ["Borealis Moulding AB"] and f["actor"] == "analyst"
    assert f["leak"]["path"] == "upload:found on forum.jpg"  # the upload's name, not the temporary file
    assert "Accused: <strong>Borealis Moulding AB</strong>" in client.get(r.headers["location"]).text


def test_the_form_records_the_chain_of_custody(pages, api, seeded):
    client = pages["analyst"]
    assert all(f'name="{n}"' in client.get("/trace").text for n in ("source_url", "found_at", "captured_by", "note"))
    data = {"csrf_token": client.csrf, "asset_id": "", "source_url": "https://forum.example/t/<b>1</b>", "found_at": "2026-01-05T09:15+01:00"}
    data |= {"captured_by": "", "note": "two lines,\r\nas typed"}
    r = client.post("/trace", data=data, files={"file": ("found.jpg", seeded.leak, "image/jpeg")}, follow_redirects=False)
    assert r.status_code == 303, r.text
    f = api["auditor"].get(r.headers["location"].replace("/findings/", "/api/v1/findings/")).json()
    assert f["custody"] == {
        "source_url": "https://forum.example/t/<b>1</b>",
        "found_at": "2026-01-05T08:15:00+00:00",
        "captured_by": None,
        "note": "two lines,\nas typed",
    }
    html = client.get(r.headers["location"]).text
    assert '<a href="https://forum.example/t/&lt;b&gt;1&lt;/b&gt;" rel="noopener noreferrer nofollow">' in html  # escaped, never markup
    assert "<dt>found</dt><dd>2026-01-05 08:15 UTC</dd>" in html and "captured by" not in html
    r = client.post("/trace", data={"csrf_token": client.csrf, "found_at": "soon"}, files={"file": ("leak.jpg", seeded.leak, "image/jpeg")})
    assert r.status_code == 400 and "“When it was found” &#39;soon&#39; is not an ISO 8601 date" in r.text  # the field's label, not the CLI's flag
    assert 'value="soon"' in r.text


def test_refusals(pages, seeded):
    client = pages["analyst"]
    r = client.post("/trace", data={"csrf_token": client.csrf}, files={"file": ("t.png", (DATA / "truncated.png").read_bytes(), "image/png")})
    assert r.status_code == 400 and "t.png" in r.text
    r = client.post("/trace", data={"csrf_token": client.csrf}, files={"file": ("leak.pdf", b"%PDF-1.4", "application/pdf")})
    assert r.status_code == 400 and "leak.pdf" in r.text and "not a readable PDF" in r.text  # a leaked PDF is traced; a broken one refused
    r = client.post("/trace", data={"csrf_token": client.csrf, "asset_id": "987654"}, files={"file": ("leak.jpg", seeded.leak, "image/jpeg")})
    assert r.status_code == 404
    auditor = pages["auditor"]
    r = auditor.post("/trace", data={"csrf_token": auditor.csrf}, files={"file": ("leak.jpg", seeded.leak, "image/jpeg")})
    assert r.status_code == 403


def test_a_traced_page_names_its_document(pages, api):
    """The form offers a document's pages (a leak is of a page), and the finding of a page's leak names the page and its document."""
    import cv2
    import numpy as np

    from leaktrace.documents import render
    from tests.web.conftest import tiny_pdf

    client = pages["analyst"]
    doc = (
        api["analyst"].post("/api/v1/assets", files={"file": ("memo.pdf", tiny_pdf(2, seed=31), "application/pdf")}, data={"title": "Memo"}).json()[0]
    )
    html = client.get("/trace").text
    group = html.split(f'<optgroup label="#{doc["id"]} Memo (PDF)">')[1].split("</optgroup>")[0]
    page_ids = [int(i) for i in re.findall(r'<option value="(\d+)">#\d+ page \d of Memo</option>', group)]
    assert len(page_ids) == 2 and f'<option value="{doc["id"]}">' not in html
    (x,) = api["analyst"].post("/api/v1/shares", json={"asset_id": doc["id"], "to": ["Borealis Moulding AB"]}).json()
    pdf = api["analyst"].post(x["download"]).content
    ok, png = cv2.imencode(".png", np.ascontiguousarray(render.render_page(pdf, 1, doc["dpi"])[..., ::-1]))
    r = client.post("/trace", data={"csrf_token": client.csrf}, files={"file": ("page.png", png.tobytes(), "image/png")}, follow_redirects=False)
    assert r.status_code == 303, r.text
    f = api["auditor"].get(r.headers["location"].replace("/findings", "/api/v1/findings")).json()
    assert (f["asset"]["id"], f["asset"]["page"], f["asset"]["document"]) == (page_ids[1], 2, {"id": doc["id"], "title": "Memo"})
    assert f"<dt>document</dt><dd>page 2 of #{doc['id']} Memo</dd>" in client.get(r.headers["location"]).text
