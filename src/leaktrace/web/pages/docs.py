"""``/docs`` and ``/openapi.json``: the REST API's documentation, for logged-in users only.

FastAPI's own ``/docs`` and ``/redoc`` load Swagger UI and ReDoc from a CDN, which the
Content-Security-Policy forbids (and no installed package ships their assets), so they are off.
Instead ``/docs`` is a server-rendered page listing every route of the OpenAPI document, and
``/openapi.json`` is that document; both need a session or a bearer token, like the API.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from leaktrace.web.deps import AnyUser
from leaktrace.web.pages._render import render

router = APIRouter()
METHODS = ("get", "post", "put", "patch", "delete")


@router.get("/openapi.json")
def openapi(request: Request, user: AnyUser) -> Response:
    return JSONResponse(request.app.openapi())


@router.get("/docs")
def docs(request: Request, user: AnyUser) -> Response:
    doc = request.app.openapi()
    operations = [
        {"method": method.upper(), "path": path, **op}
        for path, item in doc.get("paths", {}).items()
        for method, op in item.items()
        if method in METHODS
    ]
    return render(request, "docs.html", user, info=doc.get("info", {}), operations=operations)
