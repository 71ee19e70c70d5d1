"""``/docs``, ``/redoc``, ``/docs/routes`` and ``/openapi.json``: the REST API's documentation, for logged-in users only.

Swagger UI (``/docs``) and ReDoc (``/redoc``) are served from the package (``static/vendor``:
swagger-ui-dist, Apache-2.0; ReDoc's standalone bundle, MIT; their licences beside them), never
from a CDN, so they work offline and under the Content-Security-Policy (no inline script: each page
starts its viewer from a static file). FastAPI's own CDN-loading pages stay off (``docs_url=None``).
``/docs/routes`` lists every route server-side, for a browser without JavaScript. All need a
session or a bearer token, like the API.
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
def swagger(request: Request, user: AnyUser) -> Response:
    return render(request, "apidocs.html", user, viewer="swagger", info=request.app.openapi().get("info", {}))


@router.get("/redoc")
def redoc(request: Request, user: AnyUser) -> Response:
    return render(request, "apidocs.html", user, viewer="redoc", info=request.app.openapi().get("info", {}))


@router.get("/docs/routes")
def routes(request: Request, user: AnyUser) -> Response:
    doc = request.app.openapi()
    operations = [
        {"method": method.upper(), "path": path, **op}
        for path, item in doc.get("paths", {}).items()
        for method, op in item.items()
        if method in METHODS
    ]
    return render(request, "docs.html", user, info=doc.get("info", {}), operations=operations)
