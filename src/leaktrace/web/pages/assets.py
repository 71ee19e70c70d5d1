"""``/assets``: the list with thumbnails (a document's pages too; search by title, file name, SHA-256 or
number, filter by kind, paged), the upload form, and the image route behind the thumbnails."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from leaktrace.services import listing
from leaktrace.web import uploads
from leaktrace.web.deps import AssetId, Csrf, WorkspaceDep, require
from leaktrace.web.errors import form_page
from leaktrace.web.pages._lists import Number, Text, numbers, pager
from leaktrace.web.pages._render import KeepForm, flash, redirect, render

router = APIRouter()


@router.get("/assets")
def assets(
    request: Request, ws: WorkspaceDep, user: require("read"), q: Text = "", kind: Text = "", page: Number = "", per_page: Number = ""
) -> Response:
    p = listing.assets(ws.context, q=q, kind=kind, **numbers(page, per_page))
    pages, shared = p.extra["pages"], p.extra["shared"]  # their thumbnails are the pages' renderings
    max_pt = {d: max((g.max_displacement_px * 72.0 / g.dpi for g in ps if g.max_displacement_px and g.dpi), default=0.0) for d, ps in pages.items()}
    limit_mb = request.app.state.web.max_upload_mb
    searching = bool(q.strip() or kind)
    return render(
        request,
        "assets.html",
        user,
        p=p,
        nav=pager(request, p),
        q=q,
        kind=kind,
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
