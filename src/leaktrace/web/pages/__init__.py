"""The server-rendered pages: one router per page, templates in ``web/templates``."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.web.pages import (
    assets,
    audit,
    auth,
    cases,
    dashboard,
    docs,
    findings,
    groups,
    invitations,
    monitoring,
    portal,
    portal_shares,
    recipients,
    shares,
    traces,
    users,
)

router = APIRouter(include_in_schema=False)
for module in (
    auth,
    dashboard,
    recipients,
    groups,
    invitations,
    assets,
    portal_shares,
    shares,
    traces,
    findings,
    cases,
    monitoring,
    audit,
    users,
    docs,
    portal,
):
    router.include_router(module.router)
