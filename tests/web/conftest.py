"""Web fixtures: one seeded workspace per session (users of every role, a share, a finding, a case),
the app over it, and clients logged in as each role (API by token, pages by session cookie)."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pytest

with warnings.catch_warnings():  # starlette's TestClient warns about httpx at import
    warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient")
    from fastapi.testclient import TestClient

from leaktrace.services.workspace import Workspace
from leaktrace.web.app import create_app
from tests.conftest import photo, save

ROLES = ("admin", "analyst", "auditor")
#: The user of recipient Apex, invited to the portal (named like its role, as the staff users are).
RECIPIENT = "recipient"
PASSWORDS = {role: f"{role}-password-1" for role in (*ROLES, RECIPIENT)}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Seeded:
    """What the session workspace holds: ids and secrets the tests use."""

    home: Path
    settings: object
    tokens: dict[str, str] = field(default_factory=dict)
    asset_id: int = 0
    copies: dict[str, str] = field(default_factory=dict)  # recipient → sha256
    copy_files: dict[str, Path] = field(default_factory=dict)  # recipient → the delivered file (the workspace keeps none)
    share_id: int = 0
    finding_id: int = 0
    copy_finding_id: int = 0  # a trace of Apex's untouched copy of a second asset: its leak file IS a recorded copy
    copy_share_id: int = 0  # the share that made it
    copy_leak: bytes = b""  # that copy's bytes
    case_id: int = 0
    image: Path | None = None
    leak: bytes = b""
    portal_share_id: int = 0  # a portal share to Apex and Borealis, with terms
    other_portal_share_id: int = 0  # a portal share to Borealis only: Apex's user must never see it
    portal_copies: dict[str, str] = field(default_factory=dict)  # recipient → recorded sha256 of the portal share


def leak_from(copy_png: bytes, *, quality: int = 80) -> bytes:
    """A leak made from a copy: cropped (about 70% of the area) and re-encoded as JPEG."""
    image = cv2.imdecode(np.frombuffer(copy_png, np.uint8), cv2.IMREAD_COLOR)
    h, w = image.shape[:2]
    ok, data = cv2.imencode(".jpg", image[h // 16 : h - h // 10, w // 16 : w - w // 12], [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return data.tobytes()


def tiny_pdf(pages: int = 1, *, seed: int = 0) -> bytes:
    """A small vector PDF (300 × 200 pt pages of strokes and a Bézier; ``seed`` moves them, so
    different seeds are different documents) for the document tests: registered in ~0.3 s."""
    import io

    import pikepdf

    pdf = pikepdf.new()
    for i in range(pages):
        pdf.add_blank_page(page_size=(300, 200))
        k = seed + i
        lines = b" ".join(
            f"{20 + j * 13 + k} 20 m {280 - j * 9} {180 - j * 5 - k % 7} l S {30 + j * 7} 180 m {270 - j * 11} {25 + j * 4 + k % 5} l S".encode()
            for j in range(12)
        )
        pdf.pages[i].obj.Contents = pdf.make_stream(b"0.5 w " + lines + b" 1 w 50 50 m 100 150 150 60 250 140 c S 40 40 220 120 re S")
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


@pytest.fixture(scope="session")
def seeded(tmp_path_factory) -> Seeded:
    root = tmp_path_factory.mktemp("web")
    ws = Workspace.init(root / "ws")
    s = Seeded(root / "ws", ws.settings)
    for role in ROLES:
        ws.add_user(role, role, PASSWORDS[role], actor="setup")
        s.tokens[role] = ws.create_token(role, name="tests", actor="setup")["token"]
    ws.add_recipient("Apex Plastics GmbH", org="Apex", email="tender@apex.example")
    ws.add_recipient("Borealis Moulding AB", org="Borealis")
    ws.add_recipient("Castellan Composites SpA")
    s.image = save(root / "bumper.png", photo(3))
    s.asset_id = ws.add_assets([s.image], title="Bumper assembly")[0]["id"]
    rows = ws.share(
        s.asset_id, ["Apex Plastics GmbH", "Borealis Moulding AB", "Castellan Composites SpA"], root / "out", note="Tender round 1", actor="setup"
    )
    s.copies = {r["recipient"]: r["sha256"] for r in rows}
    s.copy_files = {r["recipient"]: Path(r["path"]) for r in rows}
    s.share_id = rows[0]["share_id"]
    s.leak = leak_from(Path(rows[1]["path"]).read_bytes())  # Borealis leaked
    leak_path = root / "leak.jpg"
    leak_path.write_bytes(s.leak)
    finding = ws.trace(leak_path, actor="setup")
    assert finding.accused == ("Borealis Moulding AB",)
    s.finding_id = finding.id
    s.case_id = ws.open_case(finding.id, actor="setup")["id"]
    bracket = ws.add_assets([save(root / "bracket.png", photo(5))], title="Bracket")[0]["id"]  # its own asset: other tests' shares stay apart
    (apex,) = ws.share(bracket, ["Apex Plastics GmbH"], root / "out-bracket", note="Bracket, Apex only", actor="setup")
    s.copy_share_id, s.copy_leak = apex["share_id"], Path(apex["path"]).read_bytes()
    s.copy_finding_id = ws.trace(apex["path"], actor="setup").id
    from leaktrace.services import portal
    from leaktrace.services import shares as shares_service

    grille = ws.add_assets([save(root / "grille.png", photo(7))], title="Grille")[0]["id"]
    rows = shares_service.share(
        ws.context, grille, ["Apex Plastics GmbH", "Borealis Moulding AB"], None, portal=True, terms="NDA T-2027-14", actor="setup"
    )
    s.portal_share_id, s.portal_copies = rows[0]["share_id"], {r["recipient"]: r["sha256"] for r in rows}
    s.other_portal_share_id = shares_service.share(ws.context, grille, ["Borealis Moulding AB"], None, portal=True, actor="setup")[0]["share_id"]
    invitation = portal.invite(ws.context, "Apex Plastics GmbH", "buyer@apex.example", actor="setup")
    portal.accept_invitation(ws.context, invitation.token, RECIPIENT, PASSWORDS[RECIPIENT])
    s.tokens[RECIPIENT] = ws.create_token(RECIPIENT, name="tests", actor="setup")["token"]
    ws.close()
    return s


@pytest.fixture(scope="session")
def app(seeded):
    from leaktrace.services.throttle import ClientThrottle

    app = create_app(seeded.settings)
    # Every TestClient comes from one address ("testclient"): the shared app does not back off on it
    # (tests/web/pages/test_auth.py checks the back-off on an app and addresses of its own).
    app.state.workspace.login_throttle = ClientThrottle(free=10**6)
    return app


@pytest.fixture(scope="session")
def anon(app) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="session")
def api(app, seeded):
    """``api[role]``: a client whose every request carries that role's bearer token; ``api[None]`` has none."""
    clients = {None: TestClient(app, raise_server_exceptions=False)}
    for role in (*ROLES, RECIPIENT):
        clients[role] = TestClient(app, headers={"Authorization": f"Bearer {seeded.tokens[role]}"}, raise_server_exceptions=False)
    return clients


def login(app, role: str, *, client: TestClient | None = None) -> TestClient:
    """A client with a session cookie for ``role``; ``client.csrf`` is the session's form token."""
    client = client or TestClient(app, raise_server_exceptions=False)
    token = CSRF.search(client.get("/login").text).group(1)
    r = client.post("/login", data={"name": role, "password": PASSWORDS[role], "csrf_token": token, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    client.csrf = CSRF.search(client.get("/portal" if role == RECIPIENT else "/").text).group(1)
    return client


@pytest.fixture(scope="session")
def pages(app):
    """``pages[role]``: a logged-in browser-like client (session cookie + CSRF token)."""
    return {role: login(app, role) for role in ROLES}


@pytest.fixture(scope="session")
def portal_client(app):
    """The recipient's user (of Apex) signed in to the portal (session cookie + CSRF token)."""
    return login(app, RECIPIENT)
