"""/recipients: the list for every role, the add form for analysts; refusals show the form again with the message;
/recipients/ID: edit, archive (hidden from the share forms, listed under ?archived=1) and restore."""

from __future__ import annotations

import re


def test_the_list_shows_every_recipient(pages, api):
    html = re.sub(r' data-label="[^"]*"', "", pages["auditor"].get("/recipients").text)  # the cells' names, for phones
    for r in api["auditor"].get("/api/v1/recipients").json()["data"]:
        assert f'<td>{r["id"]}</td><td><a href="/recipients/{r["id"]}">{r["name"]}</a>' in html.replace("&amp;", "&")
    assert "tender@apex.example" in html
    assert "Add a recipient" not in html  # an auditor gets no form
    assert "Add a recipient" in pages["analyst"].get("/recipients").text


def test_an_analyst_adds_a_recipient(pages, api):
    client = pages["analyst"]
    r = client.post(
        "/recipients", data={"csrf_token": client.csrf, "name": "  Pages  Recipients Ltd ", "email": " ", "org": "PR"}, follow_redirects=False
    )
    assert (r.status_code, r.headers["location"]) == (303, "/recipients")
    row = next(x for x in api["auditor"].get("/api/v1/recipients").json()["data"] if x["name"] == "Pages Recipients Ltd")
    assert (row["org"], row["email"]) == ("PR", None)
    assert f"Recipient Pages Recipients Ltd registered (id {row['id']})." in client.get("/recipients").text


def test_refusals(pages):
    client = pages["analyst"]
    r = client.post("/recipients", data={"csrf_token": client.csrf, "name": "Apex Plastics GmbH"})
    assert r.status_code == 409 and "already exists" in r.text and 'role="alert"' in r.text  # the form again, with the message
    assert 'value="Apex Plastics GmbH"' in r.text
    r = client.post("/recipients", data={"csrf_token": client.csrf, "name": "123"})
    assert r.status_code == 400 and "is a number" in r.text
    assert client.post("/recipients", data={"csrf_token": client.csrf, "name": "x" * 201}).status_code == 422
    assert client.post("/recipients", data={"csrf_token": client.csrf}).status_code == 422
    auditor = pages["auditor"]
    r = auditor.post("/recipients", data={"csrf_token": auditor.csrf, "name": "Auditor Made Ltd"})
    assert r.status_code == 403 and "Auditor Made Ltd" not in auditor.get("/recipients").text


def test_a_recipient_is_edited_archived_and_restored_from_its_page(pages, api):
    client = pages["analyst"]
    csrf = client.csrf
    r = api["analyst"].post("/api/v1/recipients", json={"name": "Page Edit Ltd", "org": "PE"}).json()
    page = client.get(f"/recipients/{r['id']}").text
    assert 'value="Page Edit Ltd"' in page and 'data-busy="Saving…"' in page and "Archive recipient" in page
    assert "Save changes" not in pages["auditor"].get(f"/recipients/{r['id']}").text  # an auditor reads, changes nothing
    bad = client.post(f"/recipients/{r['id']}", data={"csrf_token": csrf, "name": "Apex Plastics GmbH", "org": "Typed Org"})
    assert bad.status_code == 409 and "already exists" in bad.text and 'value="Typed Org"' in bad.text  # what was typed, kept
    ok = client.post(f"/recipients/{r['id']}", data={"csrf_token": csrf, "name": "Page Edited Ltd", "org": "PE2"}, follow_redirects=False)
    assert (ok.status_code, ok.headers["location"]) == (303, f"/recipients/{r['id']}")
    assert "Recipient Page Edited Ltd changed." in client.get(f"/recipients/{r['id']}").text
    assert client.post(f"/recipients/{r['id']}/archive", data={"csrf_token": csrf}).status_code == 422  # no reason
    done = client.post(f"/recipients/{r['id']}/archive", data={"csrf_token": csrf, "reason": "left the market"}, follow_redirects=False)
    assert done.status_code == 303
    assert "Restore recipient" in client.get(f"/recipients/{r['id']}").text
    assert "Page Edited Ltd" not in client.get("/recipients").text
    assert "Page Edited Ltd" in client.get("/recipients?archived=1").text
    for form in ("/share", "/share/portal"):  # no share form offers it
        assert f'name="to" value="{r["id"]}"' not in client.get(form).text
    assert 'name="to" value="1"' in client.get("/share").text
    assert client.post(f"/recipients/{r['id']}/restore", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert f'name="to" value="{r["id"]}"' in client.get("/share").text
    assert client.post(f"/recipients/{r['id']}/restore", data={"csrf_token": csrf}).status_code == 409
    assert pages["auditor"].get("/recipients/999999").status_code == 404
