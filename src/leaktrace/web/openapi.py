"""The REST API's OpenAPI document says how to authenticate: every ``/api`` operation needs a bearer token.

Authentication is checked by the routes' own dependency (:mod:`leaktrace.web.deps`), which reads the
``Authorization`` header itself, so FastAPI would not declare it: clients, the API documentation and the
schema fuzzer (``tests/web/test_openapi_fuzz.py``, whose ``ignored_auth`` check replays each request
without credentials) learn it from this declaration.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

__all__ = ["install"]

SCHEME = {"type": "http", "scheme": "bearer", "description": "An API token: `leaktrace token create USER`."}


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` declare the bearer scheme on every ``/api`` operation (built once, then cached)."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
            doc.setdefault("components", {})["securitySchemes"] = {"bearer": SCHEME}
            for path, item in doc.get("paths", {}).items():
                if path.startswith("/api/"):
                    for operation in item.values():
                        operation["security"] = [{"bearer": []}]
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
