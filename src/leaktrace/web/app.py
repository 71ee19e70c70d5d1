"""``create_app(settings)``: the FastAPI application of one workspace (nothing is built at import).

One :class:`~leaktrace.services.workspace.Workspace` serves every request; the pages use a
signed session cookie (secret in the workspace, mode 0600), the REST API under ``/api/v1``
bearer tokens. The API documentation (Swagger UI at ``/docs``, ReDoc at ``/redoc``, both served from
the package, no CDN) is for logged-in users.
"""

from __future__ import annotations

import os
from importlib import resources

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from leaktrace._version import __version__
from leaktrace.services.workspace import Workspace
from leaktrace.settings import Settings
from leaktrace.web import config as web_config
from leaktrace.web import errors, limits, openapi, security, templating
from leaktrace.web.api import router as api_router
from leaktrace.web.attribution import AuditAttribution
from leaktrace.web.pages import router as pages_router
from leaktrace.web.uploads import check_content_length

SESSION_COOKIE = "leaktrace_session"


def create_app(settings: Settings, *, max_upload_mb: float | None = None, secure_cookies: bool | None = None) -> FastAPI:
    """The web app and REST API for the workspace at ``settings.home``.

    Parameters
    ----------
    settings : Settings
        The resolved workspace settings (``leaktrace.settings.load(home)``).
    max_upload_mb : float, optional
        Largest upload accepted, in MB (default: ``LEAKTRACE_WEB_MAX_UPLOAD_MB`` or 50).
    secure_cookies : bool, optional
        Send the session cookie over HTTPS only (default: ``LEAKTRACE_WEB_SECURE_COOKIES``
        or false, for http://localhost).
    """
    overrides = {k: v for k, v in settings.to_dict().items() if k != "home"}
    workspace = Workspace(settings.home, **overrides)
    web = web_config.load(workspace.settings, max_upload_mb=max_upload_mb, secure_cookies=secure_cookies)
    app = FastAPI(
        title="leaktrace",
        version=__version__,
        summary="Trace a leaked image to the recipient whose fingerprinted copy it was, with a proven false-accusation bound.",
        dependencies=[Depends(check_content_length)],
        docs_url=None,  # FastAPI's pages load a CDN: /docs, /redoc and /openapi.json are pages behind login (web/pages/docs.py)
        redoc_url=None,
        openapi_url=None,
    )
    app.state.workspace = workspace
    app.state.web = web
    app.state.templates = templating.make(Jinja2Templates)
    app.add_middleware(limits.BodyLimits)  # inside the session middleware: credentials and size checked before a body is read
    app.add_middleware(AuditAttribution)  # each request's entries name the admin who minted its token, if one did
    app.add_middleware(
        SessionMiddleware,
        secret_key=web.session_secret,
        session_cookie=SESSION_COOKIE,
        max_age=web_config.SESSION_MAX_AGE_S,
        same_site="lax",
        https_only=web.secure_cookies,
    )
    errors.install(app)
    security.install(app)
    static = resources.files("leaktrace.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(api_router)
    app.include_router(pages_router)
    openapi.install(app)
    app.router.on_shutdown.append(workspace.close)
    return app


def from_environment() -> FastAPI:
    """The app of the workspace named by ``LEAKTRACE_HOME`` (a uvicorn factory).

    ``leaktrace serve`` runs it, and so can ``uvicorn --factory leaktrace.web.app:from_environment``
    (e.g. with several workers behind a TLS proxy). Upload limit and cookie flags come from
    ``LEAKTRACE_WEB_MAX_UPLOAD_MB`` and ``LEAKTRACE_WEB_SECURE_COOKIES``.
    """
    return create_app(Workspace(os.environ.get("LEAKTRACE_HOME") or None).settings)
