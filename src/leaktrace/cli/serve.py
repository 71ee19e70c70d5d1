"""``leaktrace serve``: the web app and REST API of a workspace (uvicorn).

The CLI does not import the web package (the two interfaces stay independent): it names
uvicorn's factory ``leaktrace.web.app:from_environment`` and passes the workspace and the
web options through the environment.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from leaktrace.cli._common import HomeOpt, JsonOpt, emit_json, err, guarded
from leaktrace.services.workspace import Workspace

FACTORY = "leaktrace.web.app:from_environment"


@guarded
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (keep 127.0.0.1 unless behind a TLS proxy).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    secure_cookies: Annotated[
        bool | None,
        typer.Option(
            "--secure-cookies/--no-secure-cookies",
            help="Send the session cookie over HTTPS only (default: LEAKTRACE_WEB_SECURE_COOKIES, else off).",
            show_default=False,
        ),
    ] = None,
    max_upload_mb: Annotated[
        float | None, typer.Option(help="Largest upload, in MB (default: LEAKTRACE_WEB_MAX_UPLOAD_MB, else 50).", show_default=False)
    ] = None,
    home: HomeOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Serve the web pages and the REST API (/api/v1, docs at /docs) of the workspace."""
    import uvicorn

    settings = Workspace(home).settings  # refuses a missing workspace before binding the port
    os.environ["LEAKTRACE_HOME"] = str(settings.home)
    if secure_cookies is not None:
        os.environ["LEAKTRACE_WEB_SECURE_COOKIES"] = "true" if secure_cookies else "false"
    if max_upload_mb is not None:
        os.environ["LEAKTRACE_WEB_MAX_UPLOAD_MB"] = str(max_upload_mb)
    url = f"http://{host}:{port}"
    if json_:
        emit_json({"url": url, "home": str(settings.home), "api": f"{url}/api/v1", "docs": f"{url}/docs"})
    else:
        err.print(f"leaktrace serving {settings.home} at {url} (API {url}/api/v1, docs {url}/docs); Ctrl-C to stop.")
    uvicorn.run(FACTORY, factory=True, host=host, port=port, log_level="warning", proxy_headers=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
