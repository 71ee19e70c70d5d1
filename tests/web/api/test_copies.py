"""/api/v1/copies: a copy's bytes leave only to its share's sender, once, or to an admin with a
reason; never to an auditor; each act in the audit log; nothing else by hash."""

from __future__ import annotations

import hashlib
import warnings

import cv2
import numpy as np
import pytest

from leaktrace.services.workspace import Workspace
from leaktrace.web.app import create_app
from tests.conftest import photo, save
from tests.web.conftest import PASSWORDS, ROLES, login

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def keeping(tmp_path_factory):
    """A workspace that retains copies, its app, a client per role (and ``bob``, a second analyst),
    and a REST share by ``analyst`` whose two copies wait for delivery."""
    root = tmp_path_factory.mktemp("keeping")
    ws = Workspace.init(root / "ws", retain_copies=True)
    tokens = {}
    for name, role in (*((r, r) for r in ROLES), ("bob", "analyst")):
        ws.add_user(name, role, PASSWORDS.get(name, "bob-password-1"), actor="setup")
        tokens[name] = ws.create_token(name, actor="setup")["token"]
    for name in ("Apex Plastics GmbH", "Borealis Moulding AB"):
        ws.add_recipient(name)
    asset_id = ws.add_assets([save(root / "bumper.png", photo(3, (120, 160)))])[0]["id"]
    ws.close()
    app = create_app(Workspace(root / "ws").settings)
    api = {n: TestClient(app, headers={"Authorization": f"Bearer {t}"}, raise_server_exceptions=False) for n, t in tokens.items()}
    r = api["analyst"].post("/api/v1/shares", json={"asset_id": asset_id, "to": ["Apex Plastics GmbH", "Borealis Moulding AB"]})
    assert r.status_code == 201, r.text
    yield app, api, r.json()
    app.state.workspace.close()


def _audit(api, action):
    return [e for e in reversed(api["auditor"].get("/api/v1/audit").json()["data"]) if e["action"] == action]


def test_only_the_sender_takes_a_waiting_copy_and_only_once(keeping):
    app, api, rows = keeping
    apex = rows[0]
    assert apex["stored"] and apex["delivered_at"] is None and apex["download"] == f"/api/v1/copies/{apex['sha256']}"
    for who, words in (("auditor", "may not share assets"), ("admin", "may not share assets"), ("bob", "waits for its sender, analyst")):
        r = api[who].post(apex["download"])
        assert r.status_code == 403 and words in r.json()["error"], (who, r.text)
    r = api["analyst"].post(apex["download"].upper().replace("/API/V1/COPIES/", "/api/v1/copies/"))  # the digest in either case
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and hashlib.sha256(r.content).hexdigest() == apex["sha256"]
    assert r.headers["content-disposition"] == 'attachment; filename="bumper--apex-plastics-gmbh.png"' and r.headers["cache-control"] == "no-store"
    image = cv2.imdecode(np.frombuffer(r.content, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (120, 160, 3)
    again = api["analyst"].post(apex["download"])
    assert again.status_code == 409 and "is handed over once" in again.json()["error"]
    (entry,) = [e for e in _audit(api, "copy.deliver") if e["details"]["copy_sha256"] == apex["sha256"]]
    assert entry["actor"] == "analyst" and entry["subject_type"] == "share" and entry["details"]["via"] == "download"
    assert entry["details"]["recipient_id"] == apex["recipient_id"]
    assert app.state.workspace.context.blobs.verify(apex["sha256"])  # this workspace retains copies


def test_an_admin_downloads_a_retained_copy_with_a_reason(keeping):
    app, api, rows = keeping
    body = {"share_id": rows[0]["share_id"], "recipient": "Apex Plastics GmbH"}
    for who in ("auditor", "analyst", "bob"):
        assert api[who].post("/api/v1/copies/download", json={**body, "reason": "curious"}).status_code == 403
    r = api["admin"].post("/api/v1/copies/download", json=body)
    assert r.status_code == 400 and r.json() == {
        "error": "downloading a copy needs a reason (--reason); it is recorded in the audit log.",
        "status": 400,
    }
    r = api["admin"].post("/api/v1/copies/download", json={**body, "reason": "legal hold LH-3"})
    assert r.status_code == 200 and hashlib.sha256(r.content).hexdigest() == rows[0]["sha256"]
    (entry,) = _audit(api, "copy.download")
    assert (entry["actor"], entry["subject_id"]) == ("admin", str(rows[0]["share_id"]))
    assert {k: v for k, v in entry["details"].items() if k != "seal"} == {
        "recipient_id": rows[0]["recipient_id"],
        "copy_sha256": rows[0]["sha256"],
        "reason": "legal hold LH-3",
    }


def test_an_admin_regenerates_a_copy_with_a_reason(keeping):
    app, api, rows = keeping
    body = {"share_id": rows[1]["share_id"], "recipient": str(rows[1]["recipient_id"]), "reason": "court order"}
    for who in ("auditor", "analyst"):
        assert api[who].post("/api/v1/copies/regenerate", json=body).status_code == 403
    assert api["admin"].post("/api/v1/copies/regenerate", json={**body, "reason": " "}).status_code == 400
    r = api["admin"].post("/api/v1/copies/regenerate", json=body)
    assert r.status_code == 200 and r.headers["x-leaktrace-copy-matches"] == "true"
    assert hashlib.sha256(r.content).hexdigest() == r.headers["x-leaktrace-copy-sha256"] == rows[1]["sha256"]
    (entry,) = _audit(api, "copy.regenerate")
    assert entry["actor"] == "admin" and entry["details"]["reason"] == "court order" and entry["details"]["matches"] is True
    assert api["admin"].post("/api/v1/copies/regenerate", json={**body, "share_id": 999}).status_code == 404
    assert api["admin"].post("/api/v1/copies/regenerate", json={"reason": "x"}).status_code == 422


def test_an_auditor_gets_no_copy_by_any_route_even_a_retained_one(keeping):
    app, api, rows = keeping
    body = {"share_id": rows[0]["share_id"], "recipient": "Apex Plastics GmbH", "reason": "audit"}
    for row in rows:
        assert api["auditor"].post(f"/api/v1/copies/{row['sha256']}").status_code == 403
    assert api["auditor"].post("/api/v1/copies/download", json=body).status_code == 403
    assert api["auditor"].post("/api/v1/copies/regenerate", json=body).status_code == 403
    page = login(app, "auditor")
    assert page.post(f"/share/{rows[0]['share_id']}/copies.zip", data={"csrf_token": page.csrf}).status_code == 403
    assert page.post("/share", data={"csrf_token": page.csrf, "asset_id": "1", "to": ["1"]}).status_code == 403


def test_a_delivered_copy_unknown_or_malformed_hashes(api, seeded):
    sha = seeded.copies["Apex Plastics GmbH"]  # delivered into the share's folder, and discarded
    r = api["analyst"].post(f"/api/v1/copies/{sha}")
    assert r.status_code == 409 and "is handed over once" in r.json()["error"]
    r = api["analyst"].post(f"/api/v1/copies/{'0' * 64}")
    assert r.status_code == 404 and r.json() == {"error": f"no copy with SHA-256 {'0' * 64}.", "status": 404}
    leak_sha = hashlib.sha256(seeded.leak).hexdigest()  # stored as a blob, but not a copy: never served here
    assert api["analyst"].post(f"/api/v1/copies/{leak_sha}").status_code == 404
    for bad in ("abc", "g" * 64, "0" * 63, "0" * 65):
        r = api["analyst"].post(f"/api/v1/copies/{bad}")
        assert r.status_code == 422 and set(r.json()) == {"error", "status"}
    assert api[None].post(f"/api/v1/copies/{sha}").status_code == 401
    r = api["admin"].post("/api/v1/copies/download", json={"share_id": seeded.share_id, "recipient": "Apex Plastics GmbH", "reason": "x"})
    assert r.status_code == 404 and "was not retained after delivery" in r.json()["error"]
