"""The demo: a tender with 12 suppliers, 3 confidential assets, one leak, one trace.

Runs on the bundled samples. It uses (and creates if needed) a real workspace and
leaves it in place, so every other command can explore it afterwards. Running it
again reuses what is there. The trace is stored as a finding like any other, and the web
app's users the story needs are created with random passwords (reported only when they are
created), so ``leaktrace serve`` works right after: ``analyst`` (recipients, assets, shares,
traces, cases and reports) and ``admin`` (users, tokens and settings; by separation of
duties, an admin does not share or trace).

The recipient portal's part (:func:`_portal`): one render is shared through the portal with
:data:`PORTAL_SUPPLIER` under the terms of :data:`NDA`, and an invitation link for a user of that
supplier is made (for the address ``leaktrace serve`` listens on by default, :data:`SERVE_URL`), so
that a newcomer can sign up as the supplier, accept the terms and download its copy. The link is
shown once, so each run makes a new one (and cancels the demo's earlier pending ones) until someone
has signed up with it; it is never e-mailed, even with an SMTP relay set.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from leaktrace import imagefiles
from leaktrace.errors import Conflict, WorkspaceMissing
from leaktrace.evaluation import attacks
from leaktrace.records import Finding
from leaktrace.samples import DOCUMENTS, SAMPLES, document_path, sample_path
from leaktrace.services.context import Progress
from leaktrace.services.workspace import Workspace

SUPPLIERS = [
    ("Apex Plastics GmbH", "Apex Plastics"),
    ("Borealis Moulding AB", "Borealis"),
    ("Castellan Composites SpA", "Castellan"),
    ("Delta Tooling Ltd", "Delta Tooling"),
    ("Elbe Stanztechnik GmbH", "Elbe"),
    ("Fenwick Lighting Ltd", "Fenwick"),
    ("Garonne Design SARL", "Garonne"),
    ("Hokuto Precision KK", "Hokuto"),
    ("Iberia Trim SL", "Iberia Trim"),
    ("Jura Surface AG", "Jura"),
    ("Kestrel Engineering Inc", "Kestrel"),
    ("Lumen Paintshop BV", "Lumen"),
]
LEAKER = "Hokuto Precision KK"
LEAKED_SAMPLE = "drawing_bumper"
#: The tender package's leak: a screenshot of the front bumper drawing (page 4) of this supplier's PDF.
DOCUMENT_LEAKER = "Castellan Composites SpA"
DOCUMENT_PAGE = 4
NOTE = "Tender T-2027-14, round 1 (demo)"
ADMIN = "admin"
#: The web app's users the demo creates, (name, role): the analyst tells the story, the admin manages its users.
USERS = (("analyst", "analyst"), (ADMIN, "admin"))
#: The recipient portal's part: which supplier, which sample, under which terms.
PORTAL_SUPPLIER = "Apex Plastics GmbH"
PORTAL_EMAIL = "buyer@apexplastics.example"
PORTAL_SAMPLE = "render_photo"
PORTAL_NOTE = "Tender T-2027-14, round 2: through the recipient portal (demo)"
NDA = "NDA T-2027-14"
PORTAL_TERMS = (
    f"{NDA}, section 4 (demo): this render is confidential and made for {PORTAL_SUPPLIER} alone. It carries an "
    f"invisible mark that identifies {PORTAL_SUPPLIER}'s copy. Do not pass it on, publish it or upload it anywhere; "
    "a breach costs the penalty of section 9."
)
#: Where ``leaktrace serve`` listens by default: the invitation link's base.
SERVE_URL = "http://127.0.0.1:8000"


def open_or_init(home: str | Path | None) -> Workspace:
    try:
        return Workspace(home)
    except WorkspaceMissing:
        return Workspace.init(home)


def run(home: str | Path | None, out: Path, *, progress: Progress | None = None) -> tuple[Workspace, dict, Finding]:
    """Set up the tender, leak one supplier's copy through a social-media chain, trace it."""
    ws = open_or_init(home)
    for name, org in SUPPLIERS:
        try:
            ws.add_recipient(name, org=org, email=f"tender@{org.lower().replace(' ', '')}.example")
        except Conflict:
            pass
    asset_ids = {}
    for key, title in SAMPLES.items():
        asset_ids[key] = ws.add_assets([sample_path(key)], title=title)[0]["id"]
    copies_dir = out / "copies"
    names = [name for name, _ in SUPPLIERS]
    shared = {s["asset_id"] for s in ws.list_shares() if s["note"] == NOTE}
    copies = {}
    for i, (key, asset_id) in enumerate(asset_ids.items()):
        existing = {n: _copy_path(copies_dir, key, n) for n in names}
        if asset_id not in shared or not all(Path(p).exists() for p in existing.values()):
            existing = {r["recipient"]: r["path"] for r in ws.share(asset_id, names, copies_dir, note=NOTE)}
        copies[key] = existing
        if progress:
            progress(i + 1, len(asset_ids), f"shared {key}")
    leaked_copy = copies[LEAKED_SAMPLE][LEAKER]
    leak_path = out / "leak-social-media.jpg"
    image = imagefiles.read_image(Path(leaked_copy))
    leak = attacks.ATTACKS["social"](image, np.random.default_rng(7))
    imagefiles.write_atomic(leak_path, imagefiles.encode_image(leak, "JPEG", quality=80))
    finding = ws.trace(
        leak_path,
        source_url="https://social.example/demo/post/4711",
        found_at=datetime.now(UTC).replace(microsecond=0),
        captured_by="demo analyst",
        note="saved from the post as published (demo)",
    )
    document = _document_leak(ws, out, names)
    portal_part = _portal(ws, asset_ids[PORTAL_SAMPLE])
    checkpoint = out / f"checkpoint-{finding.id}.json"
    if not checkpoint.exists():
        ws.checkpoint(out=checkpoint)
    setup = {
        "home": str(ws.home),
        "recipients": len(SUPPLIERS),
        "assets": asset_ids,
        "copies": str(copies_dir),
        "leak": str(leak_path),
        "leaker": LEAKER,
        "checkpoint": str(checkpoint),
        "document": document,
        "admin": None,
        "users": _users(ws),
        "portal": portal_part,
    }
    setup["admin"] = next(({"name": u["name"], "password": u["password"]} for u in setup["users"] if u["name"] == ADMIN), None)
    return ws, setup, finding


def _document_leak(ws: Workspace, out: Path, names: list[str]) -> dict:
    """Share the tender package (PDF) with every supplier, leak a screenshot of one drawing page
    of one supplier's copy, and trace it: the document part of the demo."""
    from leaktrace.documents import render

    ((key, title),) = DOCUMENTS.items()
    document = ws.add_assets([document_path(key)], title=title)[0]
    folder = out / "copies"
    copy = folder / f"{key.replace('_', '-')}--{DOCUMENT_LEAKER.lower().replace(' ', '-')}.pdf"
    if not copy.exists() or document["id"] not in {s["asset_id"] for s in ws.list_shares() if s["note"] == NOTE}:
        shared = {c["recipient"]: c["path"] for c in ws.share(document["id"], names, folder, note=NOTE)}
        copy = Path(shared[DOCUMENT_LEAKER])
    page = render.render_page(copy.read_bytes(), DOCUMENT_PAGE - 1, 110)  # a viewer at 110 dpi
    h, w = page.shape[:2]
    leak_path = out / "leak-tender-screenshot.png"
    imagefiles.write_atomic(leak_path, imagefiles.encode_image(page[h // 12 : h * 2 // 3, w // 40 : w * 5 // 8], "PNG"))  # the front view
    finding = ws.trace(leak_path, captured_by="demo analyst", note="screenshot of a drawing page posted in a forum (demo)")
    accused = [c.recipient for c in finding.candidates if c.accused]
    return {
        "asset": document["id"],
        "pages": document["pages"],
        "leak": str(leak_path),
        "leaker": DOCUMENT_LEAKER,
        "page": finding.asset and finding.asset.page,
        "finding": finding.id,
        "accused": accused,
    }


def _portal(ws: Workspace, asset_id: int, *, base_url: str = SERVE_URL) -> dict:
    """Share asset ``asset_id`` through the portal with :data:`PORTAL_SUPPLIER` (once), and unless a
    user of that supplier has signed up already, a new invitation link (the demo's earlier pending
    ones cancelled: only the newest link works)."""
    from leaktrace.services import invitations
    from leaktrace.services.shares import PORTAL

    share = next((s for s in ws.list_shares() if s.note == PORTAL_NOTE and s.delivery == PORTAL), None)
    if share is None:
        share_id = ws.share(asset_id, [PORTAL_SUPPLIER], None, note=PORTAL_NOTE, portal=True, terms=PORTAL_TERMS)[0]["share_id"]
    else:
        share_id = share.id
    ctx = ws.context
    joined = [i.user for i in invitations.list_all(ctx, PORTAL_SUPPLIER, state="accepted") if i.user]
    invitation = None
    if not joined:
        for old in invitations.list_all(ctx, PORTAL_SUPPLIER, state="pending"):
            if old.email == PORTAL_EMAIL:
                invitations.cancel(ctx, old.id)
        made = invitations.invite(ctx, PORTAL_SUPPLIER, PORTAL_EMAIL, base_url=base_url, send=False)
        invitation = {"id": made.id, "email": made.email, "link": made.link, "expires_at": made.expires_at}
    return {
        "recipient": PORTAL_SUPPLIER,
        "share": share_id,
        "asset": asset_id,
        "nda": NDA,
        "terms": PORTAL_TERMS,
        "url": base_url,
        "invitation": invitation,
        "users": joined,
    }


def _users(ws: Workspace) -> list[dict]:
    """Create each of :data:`USERS` that does not exist yet, with a random password: the ones made now, with their passwords."""
    existing = {u["name"] for u in ws.list_users()}
    made = []
    for name, role in USERS:
        if name not in existing:
            password = secrets.token_urlsafe(12)
            ws.add_user(name, role, password)
            made.append({"name": name, "role": role, "password": password})
    return made


def _copy_path(folder: Path, sample: str, recipient: str) -> str:
    from leaktrace.services.shares import copy_filename

    return str(folder / copy_filename(f"{sample}.png", recipient, "PNG"))
