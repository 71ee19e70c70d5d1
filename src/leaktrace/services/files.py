"""Stored files handed to an interface: an asset's original, a recorded copy, a finding's leak.

Each comes from the blob store with a file name and a media type, and only for what is
recorded: a copy by the SHA-256 of a copy that a share made, never an arbitrary blob.

>>> media_type(b"\\x89PNG\\r\\n\\x1a\\n..."), media_type(b"%PDF-1.7")
('image/png', 'application/octet-stream')
"""

from __future__ import annotations

from leaktrace.errors import NotFound
from leaktrace.records import StoredFile
from leaktrace.services import assets as assets_service
from leaktrace.services import findings
from leaktrace.services.context import Context
from leaktrace.store import queries

_MAGIC = (
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"RIFF", "image/webp"),
    (b"GIF8", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
)


def media_type(data: bytes) -> str:
    """The image media type of ``data`` by its first bytes (``application/octet-stream`` if none)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return "application/octet-stream"


def _file(ctx: Context, sha256: str, filename: str) -> StoredFile:
    data = ctx.blobs.get(sha256)
    return StoredFile(data, filename, media_type(data))


def asset_file(ctx: Context, asset_id: int | str) -> StoredFile:
    """The original of asset ``asset_id``, under the file name it was registered with."""
    asset = assets_service.get(ctx, asset_id)
    return _file(ctx, asset.sha256, asset.filename)


def copy_file(ctx: Context, sha256: str) -> StoredFile:
    """The recorded copy whose file has SHA-256 ``sha256``, under the name the share gave it."""
    with ctx.sessions() as session:
        copy = queries.find_copy_by_sha256(session, sha256)
        if copy is None:
            raise NotFound(f"no copy with SHA-256 {sha256.lower()}.")
        filename = copy.filename
    return _file(ctx, sha256.lower(), filename)


def leak_file(ctx: Context, finding_id: int | str) -> StoredFile:
    """The leak file finding ``finding_id`` was traced from, as it was found."""
    f = findings.get(ctx, finding_id)
    return _file(ctx, f.leak.sha256, f.leak.path.rsplit("/", 1)[-1] or "leak")
