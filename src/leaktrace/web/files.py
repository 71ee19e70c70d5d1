"""Adapters the web layer needs that the Workspace facade does not offer (yet).

Each is a few lines over public Workspace methods (and, for stored bytes, the
workspace's blob store through ``ws.context``). The lead may move them into
``services`` as ``Workspace.copy_file`` / ``asset_file`` / ``leak_file`` / ``get_user``.
"""

from __future__ import annotations

from leaktrace.errors import NotFound
from leaktrace.records import UserView
from leaktrace.services.shares import copy_filename
from leaktrace.services.workspace import Workspace

_MAGIC = ((b"\x89PNG", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"RIFF", "image/webp"), (b"GIF8", "image/gif"),
          (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"), (b"BM", "image/bmp"))


def media_type(data: bytes) -> str:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return "application/octet-stream"


def user_by_name(ws: Workspace, name: str) -> UserView | None:
    for u in ws.list_users():
        if u["name"] == name:
            return UserView(u["id"], u["name"], u["role"], bool(u["disabled"]), u["created_at"])
    return None


def _blob(ws: Workspace, sha256: str) -> bytes:
    return ws.context.blobs.get(sha256)


def copy_file(ws: Workspace, sha256: str) -> tuple[bytes, str]:
    """The bytes and file name of the copy whose SHA-256 is ``sha256`` (only recorded copies)."""
    sha256 = sha256.lower()
    for share in ws.list_shares():
        for c in share["copies"]:
            if c["sha256"] == sha256:
                asset = asset_row(ws, share["asset_id"])
                fmt = "JPEG" if asset["format"] == "JPEG" else "PNG"
                return _blob(ws, sha256), copy_filename(asset["filename"], c["recipient"], fmt)
    raise NotFound(f"no copy with SHA-256 {sha256}.")


def asset_row(ws: Workspace, asset_id: int | str) -> dict:
    for a in ws.list_assets():
        if str(a["id"]) == str(asset_id):
            return a
    raise NotFound(f"no asset numbered {asset_id!r}.")


def asset_file(ws: Workspace, asset_id: int | str) -> tuple[bytes, str]:
    asset = asset_row(ws, asset_id)
    return _blob(ws, asset["sha256"]), asset["filename"]


def leak_file(ws: Workspace, finding_id: int | str) -> bytes:
    finding = ws.show_finding(finding_id)
    return _blob(ws, finding["leak"]["sha256"])
