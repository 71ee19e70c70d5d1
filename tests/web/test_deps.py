"""deps: who is asking (bearer token under /api, session cookie on pages), what their role allows, CSRF on forms."""

from __future__ import annotations

import typing

import pytest
from starlette.requests import Request

from leaktrace.errors import Forbidden
from leaktrace.records import UserView
from leaktrace.services import permissions
from leaktrace.web import deps
from tests.web.conftest import CSRF, TestClient


def _check(annotated):
    _, depends = typing.get_args(annotated)
    return depends.dependency


def _user(role: str, name: str = "ana") -> UserView:
    return UserView(1, name, role, False, "2025-01-01T00:00:00+00:00")


def _request(authorization: str | None) -> Request:
    headers = [] if authorization is None else [(b"authorization", authorization.encode())]
    return Request({"type": "http", "method": "GET", "path": "/api/v1/cases", "headers": headers})


@pytest.mark.parametrize(
    "header, token",
    [
        ("Bearer lt_abc", "lt_abc"),
        ("bearer lt_abc", "lt_abc"),
        ("BEARER   lt_abc  ", "lt_abc"),
        (None, None),
        ("", None),
        ("Bearer", None),
        ("Bearer   ", None),
        ("Basic dXNlcjpwdw==", None),
        ("lt_abc", None),
    ],
)
def test_bearer_header_parsing(header, token):
    assert deps._bearer(_request(header)) == token


@pytest.mark.parametrize("role, action", [(r, a) for r in permissions.ROLES for a in permissions.ACTIONS])
def test_require_follows_the_permission_table(role, action):
    check = _check(deps.require(action))
    assert check.__name__ == f"require_{action}"
    user = _user(role)
    if permissions.can(role, action):
        assert check(user) is user
    else:
        with pytest.raises(Forbidden) as caught:
            check(user)
        assert str(caught.value) == f"ana ({role}) may not {deps._VERBS[action]}; that needs {permissions.needs_words(action)}."


def test_every_action_has_words_and_unknown_actions_fail_at_import():
    assert set(deps._VERBS) == set(permissions.ACTIONS)
    with pytest.raises(ValueError, match="unknown action 'launch'"):
        deps.require("launch")


def test_require_role():
    check = _check(deps.require_role("admin", "auditor"))
    assert check(_user("auditor")).role == "auditor"
    with pytest.raises(Forbidden) as caught:
        check(_user("analyst"))
    assert str(caught.value) == "only admin or auditor users may do this; you are analyst."


def test_can_for_templates():
    assert deps.can(_user("analyst"), "traces") and not deps.can(_user("auditor"), "traces")
    assert not deps.can(None, "read")


# ----------------------------------------------------------------------------- over HTTP


def test_the_api_needs_a_bearer_token(api, app, seeded):
    r = api[None].get("/api/v1/cases")
    assert r.status_code == 401 and r.json()["error"] == ("this API needs an 'Authorization: Bearer <token>' header; create a token as an admin.")
    lower = TestClient(app, headers={"Authorization": f"bearer {seeded.tokens['auditor']}"})
    assert lower.get("/api/v1/cases").status_code == 200
    basic = TestClient(app, headers={"Authorization": "Basic YWRtaW46YWRtaW4="}, raise_server_exceptions=False)
    assert basic.get("/api/v1/cases").status_code == 401
    assert api[None].get("/api/v1/cases", headers={"Authorization": "Bearer lt_forged"}).json()["error"] == "unknown or revoked API token."


def test_role_refusals_name_the_user_and_the_action(api):
    r = api["auditor"].post("/api/v1/recipients", json={"name": "Deps Test Ltd"})
    assert (r.status_code, r.json()["error"]) == (403, "auditor (auditor) may not change recipients; that needs the analyst role.")
    r = api["admin"].post("/api/v1/traces", files={"file": ("x.png", b"\x89PNG", "image/png")})
    assert (r.status_code, r.json()["error"]) == (403, "admin (admin) may not trace leaks; that needs the analyst role.")
    r = api["analyst"].get("/api/v1/users")
    assert (r.status_code, r.json()["error"]) == (403, "analyst (analyst) may not manage users; that needs the admin role.")


def _login(app, name, password):
    client = TestClient(app, raise_server_exceptions=False)
    token = CSRF.search(client.get("/login").text).group(1)
    r = client.post("/login", data={"name": name, "password": password, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def test_a_disabled_users_session_ends(api, app):
    assert api["admin"].post("/api/v1/users", json={"name": "deps-dora", "role": "auditor", "password": "dora-password-1"}).status_code == 201
    client = _login(app, "deps-dora", "dora-password-1")
    assert client.get("/recipients").status_code == 200
    assert api["admin"].patch("/api/v1/users/deps-dora", json={"disabled": True}).status_code == 200
    r = client.get("/recipients", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/recipients")
    api["admin"].patch("/api/v1/users/deps-dora", json={"disabled": False})
    r = client.get("/recipients", follow_redirects=False)  # the session was cleared: log in again
    assert r.status_code == 303


def test_pages_without_a_session_redirect_with_next(anon):
    r = anon.get("/cases?status=open", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/cases?status=open")


def test_csrf_token_is_per_session_and_checked(pages, app):
    client = pages["analyst"]
    first = CSRF.search(client.get("/recipients").text).group(1)
    assert CSRF.search(client.get("/recipients").text).group(1) == first == client.csrf
    for data in (
        {"name": "Deps CSRF Ltd"},
        {"name": "Deps CSRF Ltd", "csrf_token": "stale"},
        {"name": "Deps CSRF Ltd", "csrf_token": pages["auditor"].csrf},
    ):
        r = client.post("/recipients", data=data, follow_redirects=False)
        assert r.status_code == 403 and "security token is missing or stale" in r.text
    assert "Deps CSRF Ltd" not in client.get("/recipients").text


def test_a_post_is_authenticated_once(api, app, monkeypatch):
    """The body limits check the token before the body is read; the route reuses that user."""
    ws = app.state.workspace
    calls = []
    real = ws.user_for_token
    monkeypatch.setattr(ws, "user_for_token", lambda token, **kw: calls.append(token) or real(token, **kw))
    r = api["analyst"].post("/api/v1/recipients", json={"name": "Once Only GmbH"})
    assert r.status_code == 201 and len(calls) == 1
