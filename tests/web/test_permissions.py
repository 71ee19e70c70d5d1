"""THE allow/deny matrix: every (method, route) of the app × {no auth, admin, analyst, auditor}.

A cell is what the request must get:
  401     the API without a token             403     logged in, but the role may not
  LOGIN   a page without a session: 303 to /login
  OK      passed the guard: any answer but 401/403/5xx (the test sends empty or bad bodies,
          so an allowed POST answers 422/400/404 and changes nothing; 501 is OK for reports
          not built yet)
  200     exactly 200 (public routes)         3xx     a redirect that is not to /login
A route of the app that is not in the table fails the test, and so does a stale row.

The fifth role, a recipient's user (``recipient``, of Apex, invited to the portal), is
:data:`RECIPIENT_CELLS`: 404 on every route that is not public or the portal's own, never 403, so
that probing ids tells a supplier nothing (a new route is 404 for them unless listed there).
"""

from __future__ import annotations

import fastapi.routing
import pytest
from starlette.routing import Mount

from tests.web.conftest import ROLES

OK, LOGIN = "OK", "LOGIN"

#            (method, route)                                      no auth  admin  analyst auditor
MATRIX: dict[tuple[str, str], tuple] = {
    # public
    ("GET", "/static"): (200, 200, 200, 200),
    ("GET", "/login"): (200, 200, 200, 200),
    ("POST", "/login"): (403, 401, 401, 401),  # no session: no CSRF token; else a wrong password
    ("POST", "/logout"): (403, "3xx", "3xx", "3xx"),  # no session: no CSRF token
    # the API's documentation: any logged-in user (session or token), no CDN
    ("GET", "/openapi.json"): (LOGIN, 200, 200, 200),
    ("GET", "/docs"): (LOGIN, 200, 200, 200),
    ("GET", "/redoc"): (LOGIN, 200, 200, 200),
    ("GET", "/docs/routes"): (LOGIN, 200, 200, 200),
    # REST API
    ("GET", "/api/v1/recipients"): (401, OK, OK, OK),
    ("POST", "/api/v1/recipients"): (401, 403, OK, 403),
    ("GET", "/api/v1/assets"): (401, OK, OK, OK),
    ("POST", "/api/v1/assets"): (401, 403, OK, 403),
    ("PATCH", "/api/v1/assets/{asset_id}"): (401, 403, OK, 403),  # an empty body: 422
    ("POST", "/api/v1/assets/{asset_id}/archive"): (401, 403, OK, 403),  # the analyst archives the seeded asset…
    ("POST", "/api/v1/assets/{asset_id}/restore"): (401, 403, OK, 403),  # …and restores it (the rows run in this order)
    ("GET", "/api/v1/shares"): (401, OK, OK, OK),
    ("POST", "/api/v1/shares"): (401, 403, OK, 403),
    ("POST", "/api/v1/shares/portal"): (401, 403, OK, 403),
    ("POST", "/api/v1/shares/{share_id}/revoke"): (401, 403, OK, 403),  # the matrix's share was not a portal share: 409
    ("GET", "/api/v1/shares/{share_id}/receipts"): (401, OK, OK, OK),
    ("POST", "/api/v1/recipients/{recipient_id}/invitations"): (401, 403, OK, 403),
    ("PATCH", "/api/v1/recipients/{recipient_id}"): (401, 403, OK, 403),  # an empty body: nothing to change (400)
    ("POST", "/api/v1/recipients/{recipient_id}/archive"): (401, 403, OK, 403),  # no reason: 422
    ("POST", "/api/v1/recipients/{recipient_id}/restore"): (401, 403, OK, 403),  # not archived: 409
    ("GET", "/api/v1/groups"): (401, OK, OK, OK),
    ("POST", "/api/v1/groups"): (401, 403, OK, 403),
    ("GET", "/api/v1/groups/{group_id}"): (401, OK, OK, OK),  # no such group: 404 past the guard
    ("POST", "/api/v1/groups/{group_id}/members"): (401, 403, OK, 403),
    ("DELETE", "/api/v1/groups/{group_id}/members/{recipient_id}"): (401, 403, OK, 403),
    ("POST", "/api/v1/groups/{group_id}/archive"): (401, 403, OK, 403),
    ("GET", "/api/v1/invitations"): (401, OK, OK, OK),
    ("POST", "/api/v1/invitations/{invitation_id}/cancel"): (401, 403, OK, 403),  # the matrix's id names none: 404
    ("POST", "/api/v1/copies/{sha256}"): (401, 403, OK, 403),  # the share's sender, once (the seeded copy: 409, delivered)
    ("POST", "/api/v1/copies/download"): (401, OK, 403, 403),  # a retained copy, with a reason
    ("POST", "/api/v1/copies/regenerate"): (401, OK, 403, 403),  # from key and original, with a reason
    ("POST", "/api/v1/traces"): (401, 403, OK, 403),
    ("GET", "/api/v1/findings"): (401, OK, OK, OK),
    ("GET", "/api/v1/findings/{finding_id}"): (401, OK, OK, OK),
    ("POST", "/api/v1/findings/{finding_id}/report.pdf"): (401, 403, OK, 403),
    ("POST", "/api/v1/findings/{finding_id}/report.html"): (401, 403, OK, 403),
    ("GET", "/api/v1/cases"): (401, OK, OK, OK),
    ("POST", "/api/v1/cases"): (401, 403, OK, 403),
    ("GET", "/api/v1/cases/{case_id}"): (401, OK, OK, OK),
    ("PATCH", "/api/v1/cases/{case_id}"): (401, 403, OK, 403),
    ("GET", "/api/v1/scans"): (401, OK, OK, OK),
    ("GET", "/api/v1/scans/{scan_id}"): (401, OK, OK, OK),
    ("GET", "/api/v1/audit"): (401, OK, OK, OK),
    ("GET", "/api/v1/audit/verify"): (401, OK, OK, OK),
    ("GET", "/api/v1/audit/checkpoint"): (401, OK, OK, OK),  # the newest issued (writes nothing)
    ("POST", "/api/v1/audit/checkpoint"): (401, OK, OK, OK),  # issue one
    ("POST", "/api/v1/audit/verify"): (401, OK, OK, OK),
    ("GET", "/api/v1/users"): (401, OK, 403, 403),
    ("POST", "/api/v1/users"): (401, OK, 403, 403),
    ("PATCH", "/api/v1/users/{name}"): (401, OK, 403, 403),
    ("POST", "/api/v1/users/{name}/unlock"): (401, OK, 403, 403),
    ("POST", "/api/v1/tokens"): (401, OK, 403, 403),
    ("DELETE", "/api/v1/tokens/{token_id}"): (401, OK, 403, 403),
    # pages
    ("GET", "/"): (LOGIN, OK, OK, OK),
    ("GET", "/recipients"): (LOGIN, OK, OK, OK),
    ("POST", "/recipients"): (LOGIN, 403, OK, 403),
    ("GET", "/recipients/{recipient_id}"): (LOGIN, OK, OK, OK),
    ("POST", "/recipients/{recipient_id}"): (LOGIN, 403, OK, 403),  # an empty form: no name (422)
    ("POST", "/recipients/{recipient_id}/archive"): (LOGIN, 403, OK, 403),  # no reason: 422
    ("POST", "/recipients/{recipient_id}/restore"): (LOGIN, 403, OK, 403),  # not archived: 409
    ("GET", "/groups"): (LOGIN, OK, OK, OK),
    ("POST", "/groups"): (LOGIN, 403, OK, 403),
    ("GET", "/groups/{group_id}"): (LOGIN, OK, OK, OK),
    ("POST", "/groups/{group_id}/members"): (LOGIN, 403, OK, 403),
    ("POST", "/groups/{group_id}/members/remove"): (LOGIN, 403, OK, 403),
    ("POST", "/groups/{group_id}/archive"): (LOGIN, 403, OK, 403),
    ("GET", "/assets"): (LOGIN, OK, OK, OK),
    ("POST", "/assets"): (LOGIN, 403, OK, 403),
    ("POST", "/assets/{asset_id}/archive"): (LOGIN, 403, OK, 403),  # archived, then (after the edit's 400: no title) restored
    ("POST", "/assets/{asset_id}/edit"): (LOGIN, 403, OK, 403),
    ("POST", "/assets/{asset_id}/restore"): (LOGIN, 403, OK, 403),
    ("GET", "/assets/{asset_id}/image"): (LOGIN, OK, OK, OK),
    ("GET", "/assets/{asset_id}/thumbnail"): (LOGIN, OK, OK, OK),
    ("GET", "/share"): (LOGIN, OK, OK, OK),
    ("POST", "/share"): (LOGIN, 403, OK, 403),
    ("GET", "/share/progress/{token}"): (LOGIN, 403, OK, 403),  # whoever may share reads its progress
    ("POST", "/share/{share_id}/copies.zip"): (LOGIN, 403, OK, 403),  # the share's sender, once (the seeded share: 409)
    ("GET", "/trace"): (LOGIN, OK, OK, OK),
    ("POST", "/trace"): (LOGIN, 403, OK, 403),
    ("GET", "/findings"): (LOGIN, OK, OK, OK),
    ("GET", "/findings/{finding_id}"): (LOGIN, OK, OK, OK),
    ("GET", "/findings/{finding_id}/leak"): (LOGIN, OK, OK, OK),
    ("GET", "/findings/{finding_id}/thumbnail"): (LOGIN, OK, OK, OK),  # never of a leak that is a copy (404)
    ("POST", "/findings/{finding_id}/leak"): (LOGIN, OK, 403, 403),  # an admin's download with a reason (a copy: copy.download)
    ("POST", "/findings/{finding_id}/report.pdf"): (LOGIN, 403, OK, 403),
    ("POST", "/findings/{finding_id}/report.html"): (LOGIN, 403, OK, 403),
    ("GET", "/cases"): (LOGIN, OK, OK, OK),
    ("POST", "/cases"): (LOGIN, 403, OK, 403),
    ("GET", "/cases/{case_id}"): (LOGIN, OK, OK, OK),
    ("POST", "/cases/{case_id}"): (LOGIN, 403, OK, 403),
    ("GET", "/monitoring"): (LOGIN, OK, OK, OK),
    ("GET", "/monitoring/{scan_id}"): (LOGIN, OK, OK, OK),
    ("GET", "/audit"): (LOGIN, OK, OK, OK),
    ("GET", "/users"): (LOGIN, OK, 403, 403),
    ("POST", "/users"): (LOGIN, OK, 403, 403),
    ("POST", "/users/{name}/disabled"): (LOGIN, OK, 403, 403),
    ("POST", "/users/{name}/unlock"): (LOGIN, OK, 403, 403),
    ("POST", "/tokens"): (LOGIN, OK, 403, 403),
    ("POST", "/tokens/revoke"): (LOGIN, OK, 403, 403),
    # the recipient portal: a recipient's user only (its cells in RECIPIENT_CELLS; staff: 404, as staff pages to them); an invitation
    ("GET", "/portal"): (LOGIN, 404, 404, 404),
    ("GET", "/portal/shares/{share_id}"): (LOGIN, 404, 404, 404),
    ("POST", "/portal/shares/{share_id}/accept"): (LOGIN, 404, 404, 404),
    ("POST", "/portal/shares/{share_id}/download"): (LOGIN, 404, 404, 404),  # never a copy to staff
    ("GET", "/share/portal"): (LOGIN, OK, OK, OK),
    ("POST", "/share/portal"): (LOGIN, 403, OK, 403),
    ("POST", "/share/portal/{share_id}/revoke"): (LOGIN, 403, OK, 403),  # the matrix's share was not a portal share: 409
    ("GET", "/recipients/{recipient_id}/invite"): (LOGIN, OK, OK, OK),
    ("POST", "/recipients/{recipient_id}/invite"): (LOGIN, 403, OK, 403),
    ("GET", "/invitations"): (LOGIN, OK, OK, OK),
    ("POST", "/invitations/{invitation_id}/cancel"): (LOGIN, 403, OK, 403),
    ("GET", "/invite/{token}"): (404, 404, 404, 404),  # an unknown link
    ("POST", "/invite/{token}"): (403, OK, OK, OK),  # no session: no CSRF token; else an empty form (422)
}
WHO = (None, *ROLES)

#: What the recipient's user gets on each route: 404 unless listed (the portal's share routes are
#: probed with the matrix's share, one Apex received from its sender, not through the portal: 404 too).
RECIPIENT_CELLS: dict[tuple[str, str], object] = {
    ("GET", "/static"): 200,
    ("GET", "/login"): 200,
    ("POST", "/login"): 401,
    ("POST", "/logout"): "3xx",
    ("GET", "/portal"): 200,
    ("POST", "/invite/{token}"): OK,
}

#: The leak routes again, for a finding whose leak file is byte for byte a recorded copy
#: (``seeded.copy_finding_id``, a trace of an untouched copy): the leak IS that copy, so only an admin
#: who gives a reason gets it, recorded as ``copy.download``. The matrix sends no reason: 400.
COPY_LEAK: dict[tuple[str, str], tuple] = {
    ("GET", "/findings/{finding_id}/leak"): (LOGIN, 400, 403, 403),  # a GET carries no reason: the admin's form POSTs it
    ("POST", "/findings/{finding_id}/leak"): (LOGIN, 400, 403, 403),
}

#: Every route that can answer with a copy's bytes (one file, or a zip of them).
COPY_BYTES = {
    ("POST", "/api/v1/copies/{sha256}"),
    ("POST", "/api/v1/copies/download"),
    ("POST", "/api/v1/copies/regenerate"),
    ("POST", "/share"),
    ("POST", "/share/{share_id}/copies.zip"),
}


def app_routes(app) -> set[tuple[str, str]]:
    """Every (method, path) the app answers (HEAD aside), including routes of included routers."""
    iterate = getattr(fastapi.routing, "iter_route_contexts", None)
    routes = list(iterate(app.routes)) if iterate else list(app.routes)
    out = set()
    for r in routes:
        if isinstance(getattr(r, "route", r), Mount) or getattr(r, "methods", None) is None:
            out.add(("GET", r.path))
            continue
        out |= {(m, r.path) for m in r.methods if m != "HEAD"}
    return out


def test_every_route_is_in_the_matrix(app):
    routes = app_routes(app)
    missing = sorted(routes - set(MATRIX))
    stale = sorted(set(MATRIX) - routes)
    assert not missing, f"routes missing from the permission matrix: {missing}"
    assert not stale, f"matrix rows for routes that no longer exist: {stale}"


def test_no_route_hands_an_auditor_a_copy(app):
    """The routes that serve copies are the listed ones, and the matrix (run above) holds the auditor
    at 403 on each, an admin off the sender's one-time delivery, an analyst off the privileged acts."""
    serving = {(m, p) for m, p in app_routes(app) if "/copies" in p or (m, p) == ("POST", "/share")}
    assert serving == COPY_BYTES
    for route in COPY_BYTES:
        anonymous, admin, analyst, auditor = MATRIX[route]
        assert auditor == 403 and anonymous in (401, LOGIN, 403), route
        assert (admin == 403) != (analyst == 403), route  # never both: sending is the analyst's, the privileged acts the admin's
    leak_routes = {(m, p) for m, p in app_routes(app) if p.endswith("/leak")}
    assert leak_routes == set(COPY_LEAK)  # the other routes that can answer with a copy's bytes: a leak that is one
    for route, (anonymous, admin, analyst, auditor) in COPY_LEAK.items():
        assert (anonymous, analyst, auditor) == (LOGIN, 403, 403) and admin != 403, route


def _url(path: str, seeded, *, finding_id: int | None = None) -> str:
    if path == "/static":
        return "/static/style.css"
    return path.format(
        finding_id=seeded.finding_id if finding_id is None else finding_id,
        case_id=seeded.case_id,
        asset_id=seeded.asset_id,
        share_id=seeded.share_id,
        sha256=next(iter(seeded.copies.values())),
        recipient_id=1,
        group_id=999999,  # none: the group routes answer 404 past the guard and change nothing
        name="nobody-such",
        token_id=999999,
        invitation_id=999999,
        scan_id=1,  # the seeded workspace has none: 404 past the guard
        token="tok-12345678",
    )


def _request(client, method: str, path: str, url: str, *, page: bool):
    data = {}
    if page and method == "POST":
        data = {"csrf_token": getattr(client, "csrf", "")}
        if path == "/login":
            data.update(name="admin", password="wrong-password")
    if method in {"POST", "PATCH"} and not page:
        return client.request(method, url, json={}, follow_redirects=False)
    return client.request(method, url, data=data or None, follow_redirects=False)


def _judge(expected, r) -> bool:
    location = r.headers.get("location", "")
    if expected == LOGIN:
        return r.status_code == 303 and location.startswith("/login")
    if expected == OK:
        return r.status_code not in (401, 403) and (r.status_code < 500 or r.status_code == 501) and not location.startswith("/login")
    if expected == "3xx":
        return 300 <= r.status_code < 400
    return r.status_code == expected


@pytest.mark.parametrize("method,path", sorted(MATRIX), ids=lambda v: v)
def test_matrix(method, path, api, pages, anon, seeded):
    _check(MATRIX, method, path, _url(path, seeded), api, pages, anon)


@pytest.mark.parametrize("method,path", sorted(COPY_LEAK), ids=lambda v: v)
def test_matrix_of_a_leak_that_is_a_copy(method, path, api, pages, anon, seeded):
    _check(COPY_LEAK, method, path, _url(path, seeded, finding_id=seeded.copy_finding_id), api, pages, anon)


def _check(matrix, method, path, url, api, pages, anon):
    is_page = not path.startswith("/api/")
    failures = []
    for who, expected in zip(WHO, matrix[(method, path)]):
        client = anon if who is None else (pages[who] if is_page else api[who])
        if path == "/logout" and who is not None:  # a logout ends its session for good: log out a session of its own
            from tests.web.conftest import login

            client = login(client.app, who)
        saved = dict(client.cookies)
        try:
            r = _request(client, method, path, url, page=is_page)
        finally:
            client.cookies.clear()
            client.cookies.update(saved)  # /logout must not log the shared clients out
        if not _judge(expected, r):
            failures.append(f"{who or 'no auth'}: expected {expected}, got {r.status_code} {r.text[:160]!r}")
    assert not failures, f"{method} {path}\n" + "\n".join(failures)


@pytest.mark.parametrize("method,path", sorted(MATRIX), ids=lambda v: v)
def test_matrix_of_the_recipient_role(method, path, api, portal_client, seeded):
    """The fifth column: a recipient's user, by session on pages and by token on the API."""
    from tests.web.conftest import RECIPIENT, login

    is_page = not path.startswith("/api/")
    expected = RECIPIENT_CELLS.get((method, path), 404)
    client = portal_client if is_page else api[RECIPIENT]
    if path == "/logout":
        client = login(client.app, RECIPIENT)
    saved = dict(client.cookies)
    try:
        r = _request(client, method, path, _url(path, seeded), page=is_page)
    finally:
        client.cookies.clear()
        client.cookies.update(saved)
    assert _judge(expected, r), f"recipient: {method} {path}: expected {expected}, got {r.status_code} {r.text[:160]!r}"
    assert r.status_code != 403 or (method, path) == ("POST", "/invite/{token}"), "a recipient is never told a route exists"


def test_recipient_cells_name_routes_of_the_app(app):
    assert set(RECIPIENT_CELLS) <= app_routes(app)


def test_forbidden_changes_nothing(api, seeded):
    before = api["analyst"].get("/api/v1/recipients").json()["count"]
    for role in ("admin", "auditor"):
        r = api[role].post("/api/v1/recipients", json={"name": f"Sneaky {role}"})
        assert r.status_code == 403
        assert r.json() == {"error": r.json()["error"], "status": 403}
    assert api["analyst"].get("/api/v1/recipients").json()["count"] == before


def test_auditor_sees_no_forms(pages, seeded):
    for path in (
        "/recipients",
        "/assets",
        "/share",
        "/trace",
        f"/cases/{seeded.case_id}",
        f"/findings/{seeded.finding_id}",
        f"/findings/{seeded.copy_finding_id}",
    ):
        html = pages["auditor"].get(path).text
        assert 'method="post" action="/logout"' in html
        assert html.count('method="post"') == 1, f"{path} shows a form to an auditor"
