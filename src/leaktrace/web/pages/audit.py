"""``/audit``: the audit trail, newest first, page by page, as readable rows; filtered by actor, action
(``copy``: every ``copy.*``), subject (``finding`` or ``finding 12``) and text in the details; and
the result of verifying its hash chain."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response

from leaktrace.services import listing
from leaktrace.services.audit import ACTIONS
from leaktrace.web.deps import WorkspaceDep, can, require
from leaktrace.web.pages import _audit_words as words
from leaktrace.web.pages._lists import Number, Text, numbers, pager
from leaktrace.web.pages._render import render

router = APIRouter()


def _choices() -> list[tuple[str, str]]:
    """(value, label) of the action filter: each family (``copy``: every ``copy.*``) before its actions."""
    out: list[tuple[str, str]] = []
    for action in ACTIONS:
        family = action.split(".")[0]
        if "." in action and not any(v == family for v, _ in out) and sum(a.startswith(family + ".") for a in ACTIONS) > 1:
            out.append((family, f"any {family.replace('_', ' ')} action"))
        out.append((action, words.phrase(action)))
    return out


@router.get("/audit")
def audit(
    request: Request,
    ws: WorkspaceDep,
    user: require("read"),
    verify: bool = False,
    q: Text = "",
    actor: Text = "",
    action: Text = "",
    subject: Text = "",
    page: Number = "",
    per_page: Number = "",
) -> Response:
    check = ws.verify_audit() if verify else None
    p = listing.audit(ws.context, q=q, actor=actor, action=action, subject=subject, **numbers(page, per_page))
    names = p.extra["recipients"]
    users = can(user, "users")
    rows = [
        {
            "e": e,
            "phrase": words.phrase(e.action),
            "summary": words.summary(e.action, e.details, names),
            "link": words.link(e.subject_type, e.subject_id, users=users),
            "raw": json.dumps(e.details, indent=2, ensure_ascii=False) if isinstance(e.details, dict) else str(e.details),
        }
        for e in p.items
    ]
    filters = {"q": q, "actor": actor, "action": action, "subject": subject}
    searching = any(v.strip() for v in filters.values())
    return render(
        request,
        "audit.html",
        user,
        p=p,
        nav=pager(request, p),
        rows=rows,
        check=check,
        filters=filters,
        searching=searching,
        actors=p.extra["actors"],
        actions=_choices(),
        subjects=listing.SUBJECTS,
    )
