"""The API documentation is served from the package: Swagger UI at /docs and ReDoc at /redoc render
in an offline browser, reference no other origin, and their vendored assets (and licences) are served."""

from __future__ import annotations

import re

import pytest

from tests.web.browser import browser_login, chromium, live, offline_context  # noqa: F401 (fixtures)

ASSETS = (
    "/static/vendor/swagger-ui/swagger-ui-bundle.js",
    "/static/vendor/swagger-ui/swagger-ui.css",
    "/static/vendor/swagger-ui/LICENSE",
    "/static/vendor/redoc/redoc.standalone.js",
    "/static/vendor/redoc/LICENSE",
    "/static/apidocs.js",
    "/static/apidocs.css",
)
EXTERNAL = re.compile(r"""https?://""")


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/routes"])
def test_the_docs_pages_reference_no_other_origin(pages, path):
    r = pages["auditor"].get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert not EXTERNAL.search(r.text), EXTERNAL.findall(r.text)
    for ref in re.findall(r"""(?:src|href)="([^"]+)\"""", r.text):
        assert ref.startswith("/"), ref


def test_the_vendored_assets_are_served(anon):
    for path in ASSETS:
        r = anon.get(path)
        assert r.status_code == 200 and len(r.content) > 100, path
    assert "Apache License" in anon.get("/static/vendor/swagger-ui/LICENSE").text
    assert "MIT" in anon.get("/static/vendor/redoc/LICENSE").text


def test_the_docs_pages_need_a_login(anon):
    for path in ("/docs", "/redoc", "/docs/routes"):
        r = anon.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path


@pytest.mark.slow
def test_swagger_ui_and_redoc_render_offline(chromium, live):  # noqa: F811
    context = offline_context(chromium, live, viewport={"width": 1280, "height": 900})
    page = browser_login(context, live, "auditor")
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{live}/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() >= 20  # one per operation
    assert "/api/v1/findings/{finding_id}" in page.locator("#swagger-ui").inner_text()

    page.goto(f"{live}/redoc")
    page.wait_for_selector("#redoc [data-section-id]", timeout=20_000)
    assert "/api/v1/findings/{finding_id}" in page.locator("#redoc").inner_text() or page.locator("#redoc [data-section-id]").count() >= 20
    assert context.external == [] and errors == []
    context.close()
