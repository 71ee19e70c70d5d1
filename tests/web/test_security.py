"""security: the headers on every answer, the docs behind login, ids bounded (404, never 500), GET never writes."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from leaktrace.web.app import create_app
from leaktrace.web.security import CSP
from tests.conftest import photo, save
from tests.web.conftest import TestClient, login
from tests.web.test_permissions import _url, app_routes

HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
HUGE = (2**63, 10**30)
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)


def _client(who, path, api, pages, anon):
    if who is None:
        return anon
    return api[who] if path.startswith("/api/") else pages[who]


def _send(client, method: str, url: str):
    data = {"csrf_token": client.csrf} if method == "POST" and hasattr(client, "csrf") else None
    if url.startswith("/api/") and method in {"POST", "PATCH"}:
        return client.request(method, url, json={}, follow_redirects=False)
    return client.request(method, url, data=data, follow_redirects=False)


def _has_headers(r, path: str) -> list[str]:
    wrong = [f"{k}: {r.headers.get(k)!r}" for k, v in HEADERS.items() if r.headers.get(k) != v]
    cache = r.headers.get("cache-control")
    if not path.startswith("/static") and cache != "no-store":
        wrong.append(f"cache-control: {cache!r}")
    return wrong


def test_every_route_answers_with_the_security_headers(app, api, pages, anon, seeded):
    failures = []
    for method, path in sorted(app_routes(app)):
        if (method, path) == ("POST", "/logout"):
            continue  # would end the shared sessions; checked below with its own client
        for who in (None, "admin", "analyst"):
            r = _send(_client(who, path, api, pages, anon), method, _url(path, seeded))
            if wrong := _has_headers(r, path):
                failures.append(f"{method} {path} as {who}: {r.status_code} {wrong}")
    assert not failures, "\n".join(failures)
    r = login(app, "auditor").post("/logout", data={"csrf_token": "x"}, follow_redirects=False)
    assert not _has_headers(r, "/logout") and r.status_code == 403


def test_errors_and_static_files_carry_them_too(app, anon, seeded, monkeypatch):
    for r in (anon.get("/no-such-page"), anon.get("/api/v1/no-such"), anon.get("/static/missing.css"), anon.get("/static/style.css")):
        assert all(r.headers.get(k) == v for k, v in HEADERS.items()), r.url
    assert anon.get("/static/style.css").headers.get("cache-control") != "no-store"  # static files may be cached
    assert anon.get("/api/v1/no-such").headers["cache-control"] == "no-store"

    def boom(*a, **k):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(app.state.workspace, "list_recipients", boom)
    client = TestClient(app, raise_server_exceptions=False)
    r = client.get("/api/v1/recipients", headers={"Authorization": f"Bearer {seeded.tokens['auditor']}"})
    assert r.status_code == 500 and r.json()["status"] == 500
    assert not _has_headers(r, "/api/v1/recipients")  # the 500 answer too (outside the server-error middleware)


def test_hsts_only_when_cookies_are_secure(seeded, anon):
    assert "strict-transport-security" not in anon.get("/login").headers
    app = create_app(seeded.settings, secure_cookies=True)
    try:
        r = TestClient(app).get("/login")
        assert r.headers["strict-transport-security"].startswith("max-age=31536000")
        assert TestClient(app).get("/static/style.css").headers["strict-transport-security"]
    finally:
        app.state.workspace.close()


def test_the_csp_forbids_inline_script_and_no_template_has_any(pages, seeded):
    directives = dict(d.strip().split(" ", 1) for d in CSP.split(";"))
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert (directives["frame-ancestors"], directives["object-src"], directives["base-uri"]) == ("'none'", "'none'", "'none'")
    assert directives["form-action"] == "'self'" and "unsafe" not in CSP and "http" not in CSP
    web = resources.files("leaktrace.web")
    templates = [t for t in (web / "templates").iterdir() if t.name.endswith(".html")]
    assert len(templates) >= 15
    for t in templates:
        assert not INLINE.search(t.read_text(encoding="utf-8")), t.name
    for path in ("/", "/share", "/assets", "/trace", f"/findings/{seeded.finding_id}", f"/cases/{seeded.case_id}", "/audit", "/users", "/docs"):
        html = pages["admin"].get(path).text
        assert not INLINE.search(html), path
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), path  # nothing loaded from another origin


def test_the_api_docs_need_a_login_and_load_nothing_from_a_cdn(api, pages, anon):
    for path in ("/docs", "/redoc", "/docs/routes", "/openapi.json"):
        r = anon.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
        assert api[None].get(path, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert api["auditor"].get("/openapi.json").json()["info"]["title"] == "leaktrace"  # a token
    assert pages["auditor"].get("/openapi.json").json()["paths"]  # a session
    html = api["auditor"].get("/docs/routes").text  # the server-rendered list (no JavaScript)
    assert "/api/v1/findings/{finding_id}" in html and "cdn" not in html.lower() and not INLINE.search(html)
    for viewer in ("/docs", "/redoc"):  # Swagger UI and ReDoc from the package (tests/web/test_apidocs.py renders them)
        html = api["auditor"].get(viewer).text
        assert (
            "cdn" not in html.lower()
            and re.findall(r"<script src=\"([^\"]+)\"", html)
            and all(s.startswith("/static/") for s in re.findall(r"<script src=\"([^\"]+)\"", html))
        )
    assert pages["auditor"].get("/docs/oauth2-redirect").status_code == 404


def test_ids_out_of_range_are_not_found_on_every_id_route(app, api, pages, seeded):
    routes = sorted((m, p) for m, p in app_routes(app) if re.search(r"\{\w+_id\}", p))
    assert len(routes) >= 14
    failures = []
    for method, path in routes:
        for huge in HUGE:
            url = re.sub(r"\{\w+_id\}", str(huge), path)
            answers = [_send(_client(who, path, api, pages, None), method, url) for who in ("admin", "analyst")]
            if any(r.status_code >= 500 for r in answers) or 404 not in [r.status_code for r in answers]:
                failures.append(f"{method} {url}: {[r.status_code for r in answers]}")
            for r in answers:
                if r.status_code == 404 and path.startswith("/api/"):
                    assert r.json() == {"error": f"no {_kind(path)} numbered {huge}.", "status": 404}
    assert not failures, "\n".join(failures)


def _kind(path: str) -> str:
    """What a 404 calls the record of ``path``'s id (``{group_id}``: a recipient group)."""
    kind = re.search(r"\{(\w+)_id\}", path).group(1)
    return {"group": "recipient group"}.get(kind, kind)


def test_ids_out_of_range_in_forms_and_bodies(api, pages, seeded):
    analyst, admin = pages["analyst"], pages["admin"]
    for huge in HUGE:
        assert analyst.post("/cases", data={"csrf_token": analyst.csrf, "finding_id": str(huge)}).status_code == 404
        assert analyst.post("/share", data={"csrf_token": analyst.csrf, "asset_id": str(huge), "to": ["1"]}).status_code == 404
        assert admin.post("/tokens/revoke", data={"csrf_token": admin.csrf, "token_id": str(huge)}).status_code == 404
        assert api["analyst"].post("/api/v1/cases", json={"finding_id": huge}).status_code == 404
        assert api["analyst"].post("/api/v1/shares", json={"asset_id": huge, "to": ["1"]}).status_code == 404
        assert api["analyst"].post("/api/v1/shares", json={"asset_id": seeded.asset_id, "to": [str(huge)]}).status_code == 404
        assert api["admin"].delete(f"/api/v1/tokens/{huge}").status_code == 404
        form = {"csrf_token": analyst.csrf, "asset_id": str(huge)}
        assert analyst.post("/trace", data=form, files={"file": ("leak.jpg", seeded.leak, "image/jpeg")}).status_code == 404
        change = {"csrf_token": analyst.csrf, "remove_responsible": str(huge), "action_done": str(huge)}
        assert analyst.post(f"/cases/{seeded.case_id}", data=change).status_code == 404
        assert api["analyst"].patch(f"/api/v1/cases/{seeded.case_id}", json={"action_done": huge}).status_code == 404
        assert api["analyst"].patch(f"/api/v1/cases/{seeded.case_id}", json={"remove_responsible": [str(huge)]}).status_code == 404
        r = api["analyst"].post("/api/v1/traces", data={"asset_id": str(huge)}, files={"file": ("leak.jpg", seeded.leak, "image/jpeg")})
        assert r.json() == {"error": f"no asset numbered {huge}.", "status": 404}
        assert api["auditor"].get(f"/api/v1/audit?limit={huge}").status_code == 422


@pytest.mark.parametrize("huge", HUGE)
def test_ids_out_of_range_on_the_cli_exit_2(cli, tmp_path, huge):
    cli("init")
    cli("asset", "add", save(tmp_path / "a.png", photo(1)))  # asset 1, to share with a recipient numbered huge
    extras = {("share",): ("--to", "x", "--out", "copies"), ("report",): ("--out", "r.html")}
    commands = [(*args, str(huge), *extras.get(args, ())) for args in (("finding", "show"), ("case", "show"), ("report",), ("share",))]
    commands += [
        ("case", "open", "--finding", str(huge)),
        ("copy", "download", "--share", str(huge), "--recipient", "x", "--reason", "audit", "--out", "x.png"),
        ("token", "revoke", str(huge)),
        ("share", "1", "--to", str(huge), "--out", "copies"),  # a recipient by number
    ]
    for args in commands:
        result, _ = cli(*args, expect=2)
        assert result.stderr.strip() == result.stderr.strip().splitlines()[0] and str(huge) in result.stderr, args


def test_no_get_route_writes_to_the_audit_log(app, api, pages, anon, seeded):
    ws = app.state.workspace
    before = len(ws.list_audit())
    gets = sorted(p for m, p in app_routes(app) if m == "GET")
    assert len(gets) >= 25
    for path in gets:
        for who in (None, "admin", "analyst", "auditor"):
            for finding_id in (seeded.finding_id, seeded.copy_finding_id):
                _send(_client(who, path, api, pages, anon), "GET", _url(path, seeded, finding_id=finding_id))
        pages["admin"].get("/audit?verify=1")
    assert len(ws.list_audit()) == before
    assert api["auditor"].post("/api/v1/audit/checkpoint").status_code == 200  # issuing one is a POST, and it is recorded
    assert len(ws.list_audit()) == before + 1
    latest = api["auditor"].get("/api/v1/audit/checkpoint").json()
    assert latest["tree_size"] == before and len(ws.list_audit()) == before + 1  # GET: the newest as issued, nothing written


def _sha256(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


def _engine(seeded):
    from sqlalchemy import create_engine

    return create_engine(seeded.settings.resolved_database_url)


def _dump(seeded) -> list[str]:
    """Every row of every table, in primary-key order, as text: a dump through SQLAlchemy, so the
    same on SQLite and PostgreSQL."""
    from sqlalchemy import MetaData, select

    engine = _engine(seeded)
    try:
        tables = MetaData()
        tables.reflect(engine)
        with engine.connect() as db:
            return [
                f"{table.name} {tuple(row)!r}"
                for table in tables.sorted_tables
                for row in db.execute(select(table).order_by(*(table.primary_key.columns or table.columns)))
            ]
    finally:
        engine.dispose()


def test_no_get_route_writes_the_database_not_even_a_tokens_last_use(app, api, pages, anon, seeded):
    """Every GET route, by every role's token (each one's last use due, as if unused for an hour): the
    whole database dumps the same before and after; a POST with the same token then writes its last use."""
    from sqlalchemy import text

    engine = _engine(seeded)
    with engine.begin() as db:
        db.execute(text("UPDATE tokens SET last_used_at = NULL"))
    before = _dump(seeded)
    gets = sorted(p for m, p in app_routes(app) if m == "GET")
    for path in gets:
        for who in (None, "admin", "analyst", "auditor"):
            _send(_client(who, path, api, pages, anon), "GET", _url(path, seeded, finding_id=seeded.finding_id))
            if path.startswith("/api/"):
                api[who].head(_url(path, seeded, finding_id=seeded.finding_id))
    after = _dump(seeded)
    assert after == before, [line for line in after if line not in before][:5]
    assert api["auditor"].post("/api/v1/audit/checkpoint").status_code == 200
    with engine.connect() as db:
        used = {
            role: db.execute(text("SELECT last_used_at FROM tokens WHERE token_hash = :h"), {"h": _sha256(seeded.tokens[role])}).scalar_one()
            for role in ("admin", "auditor")
        }
    engine.dispose()
    assert used["auditor"] is not None and used["admin"] is None  # a write uses its token; the GETs did not
