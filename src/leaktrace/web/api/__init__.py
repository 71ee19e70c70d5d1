"""The REST API under ``/api/v1``: one router per resource, bearer-token authentication."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.web.api import assets, audit, cases, copies, findings, groups, invitations, recipients, scans, shares, tokens, traces, users

router = APIRouter(prefix="/api/v1")
for module in (recipients, groups, invitations, assets, shares, copies, traces, findings, cases, scans, audit, users, tokens):
    router.include_router(module.router)
