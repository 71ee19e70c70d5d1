"""Every page with a form a role may not use says so and says who may (``_render.NEEDS``), for each
role: "Adding recipients needs the analyst role; you are admin.", never a silently missing form."""

from __future__ import annotations

import html

import pytest

from leaktrace.services import permissions
from leaktrace.web.pages import _render
from tests.web.conftest import ROLES

CELLS = [(route, role) for route in sorted(_render.NEEDS) for role in ROLES]


def _url(route: str, app, seeded) -> str:
    group_id = None
    if "{group_id}" in route:
        from leaktrace.services import groups

        ctx = app.state.workspace.context
        found = [g for g in groups.list_all(ctx) if g.name == "Needs test group"]
        group_id = found[0].id if found else groups.create(ctx, "Needs test group", members=["3"], actor="analyst").id
    return route.format(recipient_id=3, finding_id=seeded.finding_id, case_id=seeded.case_id, group_id=group_id)


@pytest.mark.parametrize("route,role", CELLS, ids=[f"{role}:{route}" for route, role in CELLS])
def test_a_page_says_what_the_role_may_not_do_and_who_may(route, role, app, pages, seeded):
    r = pages[role].get(_url(route, app, seeded))
    assert r.status_code == 200, (route, role, r.status_code)
    missing = [(action, doing) for action, doing in _render.NEEDS[route] if not permissions.can(role, action)]
    for action, doing in _render.NEEDS[route]:
        roles = " or ".join(permissions.roles_that_can(action))
        sentence = f"{doing} needs the {roles} role; you are {role}."
        assert (sentence in html.unescape(r.text)) == ((action, doing) in missing), (route, role, sentence)
    if len(missing) == len(_render.NEEDS[route]):  # no form of the page is theirs: only the log-out form is shown
        assert r.text.count('method="post"') == 1, (route, role)


def test_every_route_of_the_table_is_a_page_of_the_app(app):
    from tests.web.test_permissions import app_routes

    assert {("GET", route) for route in _render.NEEDS} <= app_routes(app)


def test_no_notice_for_a_recipients_user_or_without_a_user():
    from leaktrace.records import User

    assert _render.needs(None, "/recipients") == []
    assert _render.needs(User(1, "ana", permissions.RECIPIENT, False, "2026-01-01"), "/recipients") == []
    assert _render.needs(User(2, "bo", "admin", False, "2026-01-01"), "/recipients") == ["Adding recipients needs the analyst role; you are admin."]
