"""/recipients: the list for every role, the add form for analysts; refusals show the form again with the message."""

from __future__ import annotations

import re


def test_the_list_shows_every_recipient(pages, api):
    html = re.sub(r' data-label="[^"]*"', "", pages["auditor"].get("/recipients").text)  # the cells' names, for phones
    for r in api["auditor"].get("/api/v1/recipients").json()["data"]:
        assert f"<td>{r['id']}</td><td>{r['name']}</td>" in html.replace("&amp;", "&")
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
