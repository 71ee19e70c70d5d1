"""``/api/v1/copies``: the routes that hand out a copy's bytes, each an audited act.

- ``POST /copies/{sha256}``: the sender of a share takes one of its copies, once (``copy.deliver``);
  then the workspace discards it unless it retains copies. Analysts who share; only the sender.
- ``POST /copies/download``: an admin downloads a retained copy, with a reason (``copy.download``).
- ``POST /copies/regenerate``: an admin makes a copy again from the key and the original, with a
  reason (``copy.regenerate``); ``X-Leaktrace-Copy-Matches`` says whether it is byte for byte
  the recorded file.

An auditor can use none of them.
"""

from __future__ import annotations

from fastapi import APIRouter, Path
from fastapi.responses import Response

from leaktrace.records import StoredFile
from leaktrace.web.deps import WorkspaceDep, require
from leaktrace.web.schemas import CopyRequest

router = APIRouter(prefix="/copies", tags=["shares"])

#: What a copy's bytes are: an image's copy, or a document's (a PDF).
_IMAGES = {200: {"content": {"image/png": {}, "image/jpeg": {}, "application/pdf": {}}}}


def _attachment(f: StoredFile, headers: dict[str, str] | None = None) -> Response:
    return Response(
        f.data,
        media_type=f.media_type,
        headers={"Content-Disposition": f'attachment; filename="{f.filename}"', "Cache-Control": "no-store", **(headers or {})},
    )


@router.post("/download", response_class=Response, responses=_IMAGES)
def download_copy(body: CopyRequest, ws: WorkspaceDep, user: require("copies")) -> Response:
    """A retained copy, for an admin who gives a reason (recorded in the audit log)."""
    return _attachment(ws.download_copy(body.share_id, body.recipient, reason=body.reason, actor=user.name))


@router.post("/regenerate", response_class=Response, responses=_IMAGES)
def regenerate_copy(body: CopyRequest, ws: WorkspaceDep, user: require("copies")) -> Response:
    """A copy made again from the master key and the original, for an admin who gives a reason."""
    made, f = ws.regenerate_copy(body.share_id, body.recipient, reason=body.reason, actor=user.name)
    headers = {"X-Leaktrace-Copy-Matches": str(made.matches).lower(), "X-Leaktrace-Copy-SHA256": made.sha256}
    return _attachment(f, headers)


@router.post("/{sha256}", response_class=Response, responses=_IMAGES)
def deliver_copy(ws: WorkspaceDep, user: require("shares"), sha256: str = Path(pattern="^[0-9a-fA-F]{64}$")) -> Response:
    """The share's sender takes this copy, once; it is then discarded unless copies are retained.

    A POST (a delivery is recorded in the audit log), declared last so ``/download`` and
    ``/regenerate`` are not read as digests."""
    return _attachment(ws.deliver_copy(sha256, actor=user.name))
