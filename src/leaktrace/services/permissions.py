"""Roles and what each may do: the one permission table of leaktrace.

Every role may ``read``. An admin manages users, tokens and settings; an analyst works
the evidence (recipients, assets, shares, traces, cases, reports); an auditor reads
everything and changes nothing.

Nobody reads a copy's bytes by reading. ``copies`` (download a retained copy, or regenerate
one from the key and the original, each with a reason that goes into the audit log) is an
admin's privilege only; an analyst who shares takes each copy of their own share once, as its
sender (``shares``, checked against the share's sender by :mod:`leaktrace.services.files`).
An auditor can do neither.

A ``recipient`` is a supplier's user, made by an analyst's invitation and linked to one recipient:
they may only use the portal (``portal``: the shares addressed to their recipient, their terms, a
copy made for them at each download). They do not ``read``: every other page and route answers
them 404, as if it did not exist. The role is not in :data:`ROLES` (the roles a user can be given
or changed to): only an invitation makes one, and a recipient's user stays one.

>>> can("analyst", "traces"), can("auditor", "cases"), can("admin", "read")
(True, False, True)
>>> [role for role in ROLES if can(role, "copies")]
['admin']
>>> can(RECIPIENT, "portal"), can(RECIPIENT, "read"), [role for role in ROLES if can(role, "portal")]
(True, False, [])
"""

from __future__ import annotations

from leaktrace.errors import Forbidden

ROLES: tuple[str, ...] = ("admin", "analyst", "auditor")
#: The role of a recipient's user (invited, never given).
RECIPIENT = "recipient"

#: Every action a permission can be asked for.
ACTIONS: tuple[str, ...] = (
    "read",
    "users",
    "tokens",
    "settings",
    "recipients",
    "assets",
    "shares",
    "traces",
    "cases",
    "reports",
    "copies",
    "portal",
)

PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"read", "users", "tokens", "settings", "copies"}),
    "analyst": frozenset({"read", "recipients", "assets", "shares", "traces", "cases", "reports"}),
    "auditor": frozenset({"read"}),
    RECIPIENT: frozenset({"portal"}),
}


def can(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action`` (an unknown role may do nothing)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    return action in PERMISSIONS.get(role, frozenset())


def roles_that_can(action: str) -> tuple[str, ...]:
    """The roles of :data:`ROLES` that may do ``action`` (what a refusal tells the user to ask for).

    >>> roles_that_can("traces"), roles_that_can("read")
    (('analyst',), ('admin', 'analyst', 'auditor'))
    """
    return tuple(role for role in ROLES if can(role, action))


def needs_words(action: str) -> str:
    """``the analyst role`` (or ``the admin or analyst role``): who may do ``action``, in a sentence's words."""
    roles = roles_that_can(action)
    return f"the {' or '.join(roles)} role" if roles else "a role no user has"


def require(role: str, action: str, *, who: str = "this user") -> None:
    """Raise :class:`Forbidden` unless ``role`` may do ``action``."""
    if not can(role, action):
        raise Forbidden(f"{who} ({role}) may not change {action}." if action != "read" else f"{who} ({role}) may not read.")
