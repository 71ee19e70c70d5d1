"""``/findings``: the list, one finding (leak, score chart with the threshold, accused), its leak image and reports.

The list shows each leak's thumbnail (``GET /findings/{id}/thumbnail``, made by the thumbnail code
of the assets), its file name and who it accuses; it is searched (``q``: file name, asset, tracer,
accused, number) and filtered by ``accused`` (a recipient's name or number, or "nobody"),
``asset`` (a number) and the day it was traced (``since``, ``until``: YYYY-MM-DD), page by page.

A leak that is byte for byte a recorded copy (an untouched copy was traced) is that supplier's
copy: the page does not show it (nor the list its thumbnail), ``GET /findings/{id}/leak`` refuses it (403; 400 for an admin,
who uses the form), and an admin downloads it with ``POST /findings/{id}/leak`` and a reason,
recorded as ``copy.download``.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from leaktrace.records import Finding, RecipientScore
from leaktrace.services import files, listing
from leaktrace.web import reports
from leaktrace.web.deps import Csrf, FindingId, WorkspaceDep, require
from leaktrace.web.pages._lists import Number, Text, numbers, pager
from leaktrace.web.pages._render import render

router = APIRouter()

CHART_WIDTH, LABEL_WIDTH, ROW, PAD = 760, 210, 22, 28


def score_chart(candidates: tuple[RecipientScore, ...], threshold: float | None) -> dict:
    """Geometry of a horizontal bar chart of every recipient's score, with the threshold line (SVG units)."""
    scores = [c.score for c in candidates]
    limit = threshold if threshold is not None and math.isfinite(threshold) else None
    lo = min([0.0, *scores])
    hi = max([1.0, *scores, *([limit * 1.15] if limit else [])]) * 1.04
    plot = CHART_WIDTH - LABEL_WIDTH - 16

    def x(v: float) -> float:
        return LABEL_WIDTH + (v - lo) / (hi - lo) * plot

    zero = x(0.0)
    bars = []
    for i, c in enumerate(candidates):
        end = x(c.score)
        bars.append(
            {"y": PAD + i * ROW, "x": min(zero, end), "w": max(abs(end - zero), 1.0), "name": c.recipient, "score": c.score, "accused": c.accused}
        )
    step = 5 if hi - lo > 25 else 2 if hi - lo > 8 else 1
    ticks = [{"x": x(t), "label": t} for t in range(math.ceil(lo), math.floor(hi) + 1) if t % step == 0]
    height = PAD + len(candidates) * ROW + 30
    return {
        "width": CHART_WIDTH,
        "height": height,
        "bars": bars,
        "ticks": ticks,
        "zero": zero,
        "row": ROW,
        "threshold": None if limit is None else {"x": x(limit), "value": limit},
        "axis_y": PAD + len(candidates) * ROW + 4,
        "label_width": LABEL_WIDTH,
    }


def leak_name(f: Finding) -> str:
    """The leak's file name, as the analyst gave it (without a web upload's ``upload:`` prefix)."""
    return f.leak.path.replace("\\", "/").rsplit("/", 1)[-1].removeprefix("upload:") or "leak"


@router.get("/findings")
def findings(
    request: Request,
    ws: WorkspaceDep,
    user: require("read"),
    q: Text = "",
    accused: Text = "",
    asset: Text = "",
    since: Text = "",
    until: Text = "",
    page: Number = "",
    per_page: Number = "",
) -> Response:
    p = listing.findings(ws.context, q=q, accused=accused, asset=asset, since=since, until=until, **numbers(page, per_page))
    names = {f.id: leak_name(f) for f in p.items}
    searching = any(v.strip() for v in (q, accused, asset, since, until))
    return render(
        request,
        "findings.html",
        user,
        p=p,
        nav=pager(request, p),
        names=names,
        copied=p.extra["copied"],
        assets=ws.list_assets(archived=None),
        filters={"q": q, "accused": accused, "asset": asset, "since": since, "until": until},
        searching=searching,
    )


@router.get("/findings/{finding_id}/thumbnail")
def leak_thumbnail(finding_id: FindingId, ws: WorkspaceDep, user: require("read")) -> Response:
    """A small PNG of the leak image, for the list (404 for a PDF leak and for a recorded copy, which is never shown)."""
    f = files.leak_thumbnail(ws.context, finding_id)
    return Response(f.data, media_type=f.media_type, headers={"Cache-Control": "no-store"})


@router.get("/findings/{finding_id}")
def finding(finding_id: FindingId, request: Request, ws: WorkspaceDep, user: require("read")) -> Response:
    f = ws.show_finding(finding_id)
    cases = [c for c in ws.list_cases() if c.finding_id == f.id]
    chart = score_chart(f.candidates, f.threshold) if f.candidates else None
    statistics = ws.tested_statistics(f.id)
    return render(request, "finding.html", user, f=f, chart=chart, cases=cases, leak_copies=ws.leak_copies(f.id), statistics=statistics)


@router.get("/findings/{finding_id}/leak")
def leak_image(finding_id: FindingId, ws: WorkspaceDep, user: require("read")) -> Response:
    """The leak as found; refused when it is a recorded copy (no reason can come with a GET)."""
    f = ws.leak_file(finding_id, role=user.role, actor=user.name)
    headers = {"Cache-Control": "no-store"}
    if f.media_type == "application/pdf":  # a PDF from outside is never shown from this origin: it is downloaded
        headers["Content-Disposition"] = f'attachment; filename="{f.filename}"'
    return Response(f.data, media_type=f.media_type, headers=headers)


@router.post("/findings/{finding_id}/leak")
def download_leak(
    finding_id: FindingId, ws: WorkspaceDep, user: require("copies"), _: Csrf, reason: Annotated[str, Form(max_length=2000)] = ""
) -> Response:
    """An admin downloads the leak file with a reason: recorded as ``copy.download`` when it is a copy."""
    f = ws.leak_file(finding_id, role=user.role, reason=reason, actor=user.name)
    return Response(
        f.data, media_type=f.media_type, headers={"Content-Disposition": f'attachment; filename="{f.filename}"', "Cache-Control": "no-store"}
    )


@router.post("/findings/{finding_id}/report.pdf")
def report_pdf(finding_id: FindingId, ws: WorkspaceDep, user: require("reports"), _: Csrf) -> Response:
    return reports.response(ws, finding_id, "pdf", user.name)


@router.post("/findings/{finding_id}/report.html")
def report_html(finding_id: FindingId, ws: WorkspaceDep, user: require("reports"), _: Csrf) -> Response:
    return reports.response(ws, finding_id, "html", user.name)
