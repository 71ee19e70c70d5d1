"""/groups: the list, the create form (what was typed kept on a refusal), a group's members; the share
forms offer groups, and a share to one reaches its members in use."""

from __future__ import annotations

import io
import zipfile


def _recipient(api, name: str) -> dict:
    return api["analyst"].post("/api/v1/recipients", json={"name": name}).json()


def test_create_add_remove_archive_from_the_pages(pages, api):
    client, csrf = pages["analyst"], pages["analyst"].csrf
    a, b = _recipient(api, "Page group A"), _recipient(api, "Page group B")
    page = client.get("/groups").text
    assert "Create a group" in page and 'data-busy="Creating…"' in page and "Create a group" not in pages["auditor"].get("/groups").text
    assert '<a href="/groups">Recipient groups</a>' in client.get("/recipients").text
    bad = client.post("/groups", data={"csrf_token": csrf, "name": "42", "description": "typed", "member": [str(a["id"])]})
    assert bad.status_code == 400 and "is a number" in bad.text and 'value="typed"' in bad.text
    assert f'value="{a["id"]}" checked' in bad.text  # the ticked members stay ticked
    made = client.post("/groups", data={"csrf_token": csrf, "name": "Page bidders", "member": [str(a["id"])]}, follow_redirects=False)
    assert made.status_code == 303
    where = made.headers["location"]
    page = client.get(where).text
    assert "Page group A" in page and "Group Page bidders created with 1 recipient." in page
    assert client.post(f"{where}/members", data={"csrf_token": csrf}).status_code == 400  # none picked
    assert client.post(f"{where}/members", data={"csrf_token": csrf, "member": [str(b["id"])]}, follow_redirects=False).status_code == 303
    assert 'aria-label="remove Page group B"' in client.get(where).text
    assert client.post(f"{where}/members/remove", data={"csrf_token": csrf, "member": str(a["id"])}, follow_redirects=False).status_code == 303
    assert 'aria-label="remove Page group A"' not in client.get(where).text
    assert client.post(f"{where}/archive", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert ">Page bidders</a>" not in client.get("/groups").text and ">Page bidders</a>" in client.get("/groups?archived=1").text
    assert client.get("/groups/999999").status_code == 404


def test_the_share_forms_offer_groups_and_a_group_share_reaches_its_members_in_use(pages, api, seeded):
    client, csrf = pages["analyst"], pages["analyst"].csrf
    a, b, c = (_recipient(api, f"Zip group {x}") for x in "ABC")
    g = api["analyst"].post("/api/v1/groups", json={"name": "Zip bidders", "members": [a["id"], b["id"], c["id"]]}).json()
    api["analyst"].post(f"/api/v1/recipients/{c['id']}/archive", json={"reason": "gone"})
    for form in ("/share", "/share/portal"):
        assert f'name="group" value="{g["id"]}"' in client.get(form).text
    r = client.post("/share", data={"csrf_token": csrf, "asset_id": str(seeded.asset_id), "group": [str(g["id"])], "to": [str(a["id"])]})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert sorted(names) == sorted(n for n in names if "zip-group-a" in n or "zip-group-b" in n) and len(names) == 2
    r = client.post("/share/portal", data={"csrf_token": csrf, "asset_id": str(seeded.asset_id), "group": [str(g["id"])]}, follow_redirects=False)
    assert r.status_code == 303
    last = api["auditor"].get("/api/v1/shares").json()["data"][-1]
    assert [x["recipient_id"] for x in last["copies"]] == [a["id"], b["id"]] and last["delivery"] == "portal"
    r = client.post("/share", data={"csrf_token": csrf, "asset_id": str(seeded.asset_id), "note": "typed note"})
    assert r.status_code == 400 and "Pick at least one recipient or group." in r.text and 'value="typed note"' in r.text
