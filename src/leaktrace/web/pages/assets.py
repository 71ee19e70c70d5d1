"""``/assets``: the list with thumbnails (a document's pages too; search by title, file name, SHA-256 or
number, filter by kind, in use or archived, paged), the upload form, each asset's title, archive and
restore forms, and the image route behind the thumbnails."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from leaktrace.errors import BadInput
from leaktrace.services import listing
from leaktrace.web import uploads
from leaktrace.web.deps import AssetId, Csrf, WorkspaceDep, require
from leaktrace.web.errors import form_page
from leaktrace.web.pages._lists import Number, Text, numbers, pager
from leaktrace.web.pages._render import KeepForm, flash, redirect, render

router = APIRouter()


@router.get("/assets")
def assets(
    request: Request,
    ws: WorkspaceDep,
    user: require("read"),
    q: Text = "",
    kind: Text = "",
    state: Text = "",
    page: Number = "",
    per_page: Number = "",
) -> Response:
    """``state``: blank for the assets in use, "archived" for the archived ones."""
    if state not in ("", "archived"):
        raise BadInput(f"the state filter is 'archived' or blank (in use), not {state!r}.")
    p = listing.assets(ws.context, q=q, kind=kind, archived=state == "archived", **numbers(page, per_page))
    pages, shared = p.extra["pages"], p.extra["shared"]  # their thumbnails are the pages' renderings
    max_pt = {d: max((g.max_displacement_px * 72.0 / g.dpi for g in ps if g.max_displacement_px and g.dpi), default=0.0) for d, ps in pages.items()}
    limit_mb = request.app.state.web.max_upload_mb
    searching = bool(q.strip() or kind or state)
    return render(
        request,
        "assets.html",
        user,
        p=p,
        nav=pager(request, p),
        q=q,
        kind=kind,
        state=state,
        searching=searching,
        pages=pages,
        max_pt=max_pt,
        shared=shared,
        limit_mb=limit_mb,
    )


@form_page("/assets")
def _assets_again(request: Request) -> Response:
    return assets(request, request.app.state.workspace, request.state.user)


@router.post("/assets")
def add_asset(
    request: Request,
    ws: WorkspaceDep,
    user: require("assets"),
    _: Csrf,
    _form: KeepForm,
    file: Annotated[UploadFile, File()],
    title: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    with uploads.saved(file, request.app.state.web.max_upload_bytes, what="asset", documents=True) as path:
        row = ws.add_assets([path], title=title.strip() or path.stem, actor=user.name)[0]
    state = "was already registered as" if row.duplicate else "registered as"
    what = f"a document of {row.pages} page{'' if row.pages == 1 else 's'}" if row.kind == "document" else f"{row.width}×{row.height}"
    flash(request, f"{path.name} {state} asset {row.id} ({what}).")
    return redirect("/assets")


@form_page("/assets/{asset_id}/edit", "/assets/{asset_id}/archive", "/assets/{asset_id}/restore")
def _asset_again(request: Request) -> Response:
    """The list narrowed to the asset whose form failed (in use or archived), with what was typed."""
    ws, number = request.app.state.workspace, request.path_params["asset_id"]
    archived = ws.show_asset(number).archived_at is not None
    return assets(request, ws, request.state.user, q=str(number), state="archived" if archived else "")


def _back(archived: bool) -> Response:
    """Back to the list the form was on: the assets in use, or the archived ones (no referer is sent: the policy is no-referrer)."""
    return redirect("/assets?state=archived" if archived else "/assets")


@router.post("/assets/{asset_id}/edit")
def edit_asset(
    asset_id: AssetId,
    request: Request,
    ws: WorkspaceDep,
    user: require("assets"),
    _: Csrf,
    _form: KeepForm,
    title: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    before = ws.show_asset(asset_id).title
    a = ws.edit_asset(asset_id, title=title, actor=user.name)
    flash(request, f"Asset {a.id} is now titled “{a.title}”." if a.title != before else "Nothing changed.", "ok" if a.title != before else "info")
    return _back(a.archived_at is not None)


@router.post("/assets/{asset_id}/archive")
def archive_asset(asset_id: AssetId, request: Request, ws: WorkspaceDep, user: require("assets"), _: Csrf, _form: KeepForm) -> Response:
    a = ws.archive_asset(asset_id, actor=user.name)
    pages = f" with its {a.pages} page{'' if a.pages == 1 else 's'}" if a.kind == "document" else ""
    flash(request, f"Asset {a.id} ({a.title}){pages} archived: still traced, no longer offered or shared. Find it under State: archived.")
    return _back(False)


@router.post("/assets/{asset_id}/restore")
def restore_asset(asset_id: AssetId, request: Request, ws: WorkspaceDep, user: require("assets"), _: Csrf, _form: KeepForm) -> Response:
    a = ws.restore_asset(asset_id, actor=user.name)
    flash(request, f"Asset {a.id} ({a.title}) restored: it can be shared again.")
    return _back(True)


@router.get("/assets/{asset_id}/thumbnail")
def asset_thumbnail(asset_id: AssetId, ws: WorkspaceDep, user: require("read")) -> Response:
    """A small PNG of the original (a document's first page), for the list (never cached by the browser: it is evidence)."""
    f = ws.asset_thumbnail(asset_id)
    return Response(f.data, media_type=f.media_type, headers={"Cache-Control": "no-store"})


@router.get("/assets/{asset_id}/image")
def asset_image(asset_id: AssetId, ws: WorkspaceDep, user: require("read")) -> Response:
    """The original, for thumbnails (only to logged-in users; never cached: it is evidence). A document
    page's original is its rendering (a PNG); a document's is its PDF."""
    f = ws.asset_file(asset_id)
    return Response(f.data, media_type=f.media_type, headers={"Cache-Control": "no-store"})
