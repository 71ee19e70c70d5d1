"""``/share``: pick an asset and recipients (in use; or groups, each reaching its members in use), download the fingerprinted copies as one zip.

The zip is the copies' one delivery to their sender (``copy.deliver``, via ``zip``): after it,
the workspace keeps each copy's SHA-256 and size, not its file, unless it retains copies. A
share whose copies still wait for delivery (made through the REST API, or interrupted before
its zip) lists a button for its sender that posts to ``/share/<id>/copies.zip``, which works once.

While the copies are made, the page polls ``/share/progress/<token>`` (a token its script
puts in the form) and shows how many are done; without the script the form works the same.
The zip is written to a temporary file and streamed, so no copy is held in memory.
"""

from __future__ import annotations

import re
import threading
import zipfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from leaktrace.errors import BadInput
from leaktrace.services import groups as groups_service
from leaktrace.services import listing
from leaktrace.services import recipients as recipients_service
from leaktrace.services import shares as shares_service
from leaktrace.web import uploads
from leaktrace.web.deps import AssetId, Csrf, ShareId, WorkspaceDep, require
from leaktrace.web.errors import form_page
from leaktrace.web.pages._lists import Number, Text, numbers, pager
from leaktrace.web.pages._render import KeepForm, render

router = APIRouter()

#: (user, token) → (copies made, copies asked for, last recipient, finished); the newest 256 are kept.
_PROGRESS: dict[tuple[str, str], tuple[int, int, str, bool]] = {}
_PROGRESS_LOCK = threading.Lock()
_PROGRESS_KEEP = 256
_TOKEN = re.compile(r"[A-Za-z0-9-]{8,64}")


def _set_progress(key: tuple[str, str], value: tuple[int, int, str, bool]) -> None:
    with _PROGRESS_LOCK:
        _PROGRESS.pop(key, None)
        _PROGRESS[key] = value
        while len(_PROGRESS) > _PROGRESS_KEEP:
            _PROGRESS.pop(next(iter(_PROGRESS)))


@router.get("/share")
def share_form(
    request: Request,
    ws: WorkspaceDep,
    user: require("read"),
    asset: Text = "",
    q: Text = "",
    recipient: Text = "",
    page: Number = "",
    per_page: Number = "",
) -> Response:
    """The share form (``asset``: the one it picks) over the list of shares (of that asset, when
    given; searched by ``q``, to ``recipient``, paged)."""
    p = listing.shares(ws.context, q=q, asset=asset, recipient=recipient, **numbers(page, per_page))
    assets = ws.list_assets()
    selected = int(asset) if asset.strip().isdigit() else None
    return render(
        request,
        "share.html",
        user,
        assets=assets,
        recipients=recipients_service.list_all(ws.context, archived=False),
        everyone=ws.list_recipients(),
        groups=groups_service.list_all(ws.context),
        p=p,
        nav=pager(request, p),
        q=q,
        recipient=recipient,
        asset=asset,
        searching=bool(q.strip() or recipient.strip() or asset.strip()),
        selected=selected,
        titles={a.id: a.title for a in ws.list_assets(archived=None)},
        retain_copies=ws.settings.retain_copies,
    )


@form_page("/share")
def _share_again(request: Request) -> Response:
    asset = (request.state.form.get("asset_id") or [""])[0]
    return share_form(request, request.app.state.workspace, request.state.user, asset=asset if asset.isdigit() else "")


@router.get("/share/progress/{token}")
def share_progress(token: str, user: require("shares")) -> dict:
    """How far the share the page started with ``token`` has come (zeros when unknown)."""
    with _PROGRESS_LOCK:
        done, total, recipient, finished = _PROGRESS.get((user.name, token), (0, 0, "", False))
    return {"done": done, "total": total, "recipient": recipient, "finished": finished}


@router.post("/share")
def share(
    request: Request,
    ws: WorkspaceDep,
    user: require("shares"),
    _: Csrf,
    _form: KeepForm,
    asset_id: Annotated[AssetId, Form()],
    to: Annotated[list[str] | None, Form()] = None,
    group: Annotated[list[str] | None, Form()] = None,
    note: Annotated[str, Form(max_length=2000)] = "",
    progress: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    if not to and not group:
        raise BadInput("pick at least one recipient or group.")
    key = (user.name, progress) if _TOKEN.fullmatch(progress) else None
    report = (lambda done, total, what: _set_progress(key, (done, total, what, False))) if key else None
    folder = uploads.temp_folder()
    try:
        rows = shares_service.share(
            ws.context,
            asset_id,
            list(to or []),
            Path(folder.name) / "copies",
            note=note.strip() or None,
            actor=user.name,
            progress=report,
            via="zip",
            groups=list(group or []),
        )
    except BaseException:
        folder.cleanup()
        raise
    if key:
        _set_progress(key, (len(rows), len(rows), "", True))
    return _zip(folder, rows, f"share-{rows[0].share_id if rows else 'new'}-asset-{asset_id}.zip")


@router.post("/share/{share_id}/copies.zip")
def waiting_copies(ws: WorkspaceDep, user: require("shares"), _: Csrf, share_id: ShareId) -> Response:
    """The copies of a share that still wait for delivery, as one zip, once, for the share's sender."""
    folder = uploads.temp_folder()
    try:
        rows = ws.deliver_copies(share_id, Path(folder.name) / "copies", actor=user.name, via="zip")
    except BaseException:
        folder.cleanup()
        raise
    return _zip(folder, rows, f"share-{share_id}-copies.zip")


def _zip(folder, rows: list, name: str) -> Response:
    """Stream the delivered copies in ``folder`` as one zip; the folder goes when the answer is sent."""
    try:
        archive_path = Path(folder.name) / "share.zip"
        with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_STORED) as archive:  # images are compressed already
            for r in rows:
                archive.write(r.path, r.filename)
    except BaseException:
        folder.cleanup()
        raise
    return FileResponse(
        archive_path,
        media_type="application/zip",
        background=BackgroundTask(folder.cleanup),
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
