"""permissions: the one table of who may do what (admin manages, analyst works, auditor reads)."""

from __future__ import annotations

import pytest

from leaktrace.errors import Forbidden
from leaktrace.services import permissions as p

ADMIN = {"read", "users", "tokens", "settings", "copies"}  # copies: download a retained one, regenerate one (with a reason)
ANALYST = {"read", "recipients", "assets", "shares", "traces", "cases", "reports"}


def test_the_table():
    assert p.ROLES == ("admin", "analyst", "auditor")
    assert set(p.PERMISSIONS) == {*p.ROLES, p.RECIPIENT}  # a recipient's user: invited, never a role given
    assert p.PERMISSIONS[p.RECIPIENT] == {"portal"}
    assert len(p.ACTIONS) == len(set(p.ACTIONS)) == 12
    for role in p.ROLES:
        assert p.PERMISSIONS[role] <= set(p.ACTIONS)
    allowed = {role: {a for a in p.ACTIONS if p.can(role, a)} for role in p.ROLES}
    assert allowed == {"admin": ADMIN, "analyst": ANALYST, "auditor": {"read"}}
    # every action is someone's (the portal is a recipient's user's alone), and only reading is every staff role's
    assert set().union(*allowed.values()) == set(p.ACTIONS) - {"portal"}
    assert set.intersection(*allowed.values()) == {"read"}
    assert not ADMIN & ANALYST - {"read"}  # duties apart: who manages users never works the evidence
    assert [role for role in p.ROLES if p.can(role, "copies")] == ["admin"]  # never the auditor, never an analyst


def test_an_unknown_role_may_do_nothing():
    assert not any(p.can(role, a) for role in ("root", "", "Admin") for a in p.ACTIONS)


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown action 'delete'; one of read, users"):
        p.can("admin", "delete")


@pytest.mark.parametrize("role, action", [(r, a) for r in p.ROLES for a in p.ACTIONS])
def test_require_agrees_with_can(role, action):
    if p.can(role, action):
        assert p.require(role, action) is None
    else:
        with pytest.raises(Forbidden) as caught:
            p.require(role, action, who="ana")
        assert caught.value.http_status == 403 and caught.value.exit_code == 2
        assert str(caught.value) == f"ana ({role}) may not change {action}."


def test_require_read_and_the_default_who():
    with pytest.raises(Forbidden) as caught:
        p.require("nobody", "read")
    assert str(caught.value) == "this user (nobody) may not read."
