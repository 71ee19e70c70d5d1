"""Uploaded files: checked for size and type, written to a temporary file for the services.

The services read and validate the image itself (format allow-list, pixel limit,
truncation); this module only refuses what is plainly not an image or too large, with a
clear sentence, before any work is done.
"""

from __future__ import annotations

import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import Request, UploadFile

from leaktrace.errors import BadInput, LeaktraceError, UnsupportedUpload, UploadTooLarge
from leaktrace.web.config import IMAGE_SUFFIXES, IMAGE_TYPES

CHUNK = 1 << 20
FORM_OVERHEAD = 64 * 1024  # multipart headers and small fields around the file


def check_content_length(request: Request) -> None:
    """Refuse a request body larger than the upload limit before reading it."""
    limit = request.app.state.web.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
        raise UploadTooLarge(f"the upload is {int(declared) / 2**20:.1f} MB; the limit is {limit / 2**20:.3g} MB.")


def _safe_name(filename: str | None) -> str:
    """The upload's own file name, as a plain name: no folders, no control, format or reordering
    characters (a NUL, an escape sequence, U+202E), at most 200 characters."""
    text = "".join(ch for ch in (filename or "") if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"})
    name = Path(text.replace("\\", "/")).name.strip() or "upload"
    return name[-200:]


#: The first bytes of each image format an upload may be, and the suffix it is saved under.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, ".png"),
    (b"\xff\xd8\xff", 0, ".jpg"),
    (b"GIF87a", 0, ".gif"),
    (b"GIF89a", 0, ".gif"),
    (b"II*\x00", 0, ".tif"),
    (b"MM\x00*", 0, ".tif"),
    (b"BM", 0, ".bmp"),
    (b"WEBP", 8, ".webp"),
    (b"ftypavif", 4, ".avif"),
    (b"ftypavis", 4, ".avif"),
    (b"ftypheic", 4, ".heic"),
    (b"ftypmif1", 4, ".heic"),
)


def sniff(head: bytes) -> str | None:
    """The suffix of the image format ``head`` (a file's first bytes) starts like, or None.

    >>> sniff(b"\\x89PNG\\r\\n\\x1a\\n..."), sniff(b"hello")
    ('.png', None)
    """
    for magic, at, suffix in _SIGNATURES:
        if head[at : at + len(magic)] == magic and (magic != b"WEBP" or head[:4] == b"RIFF"):
            return suffix
    return None


def _check_type(upload: UploadFile) -> str:
    """The name to save the upload under. The content decides first: bytes that start like an
    image are accepted whatever the name or declared type (the services then read them); only
    bytes that do not are judged by their name and type, so that a plain text file is a 415."""
    name = _safe_name(upload.filename)
    suffix = Path(name).suffix.lower()
    upload.file.seek(0)
    sniffed = sniff(upload.file.read(16))
    upload.file.seek(0)
    if sniffed is not None:
        return name if suffix in IMAGE_SUFFIXES else name + sniffed
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if suffix not in IMAGE_SUFFIXES and declared not in IMAGE_TYPES:
        raise UnsupportedUpload(f"{name}: not an image file (type {declared or 'unknown'}); upload PNG, JPEG, WebP, TIFF, BMP, GIF, AVIF or HEIC.")
    if declared and declared not in IMAGE_TYPES and declared != "application/octet-stream":
        raise UnsupportedUpload(f"{name}: declared as {declared}, which is not an image type leaktrace reads.")
    if suffix not in IMAGE_SUFFIXES:
        name += IMAGE_TYPES[declared]
    return name


@contextmanager
def saved(upload: UploadFile | None, limit: int, *, what: str = "image") -> Iterator[Path]:
    """The upload written to a temporary folder under its own (sanitised) name; removed afterwards."""
    if upload is None or not upload.filename:
        raise BadInput(f"no {what} file was uploaded.")
    name = _check_type(upload)
    folder = Path(tempfile.mkdtemp(prefix="leaktrace-upload-"))
    try:
        path = folder / name
        written = 0
        upload.file.seek(0)
        with open(path, "xb") as out:
            while chunk := upload.file.read(CHUNK):
                written += len(chunk)
                if written > limit:
                    raise UploadTooLarge(f"{name}: larger than the upload limit of {limit / 2**20:.3g} MB.")
                out.write(chunk)
        if written == 0:
            raise BadInput(f"{name}: the uploaded file is empty.")
        try:
            yield path
        except LeaktraceError as exc:  # the services name the file by its path: name it by the upload's own name
            _rename(exc, folder, name)
            raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _rename(exc: LeaktraceError, folder: Path, name: str) -> None:
    """Put the upload's ``name`` where ``exc``'s sentence shows its temporary path (never a server path in an answer)."""
    text = str(exc)
    if str(folder) in text:
        exc.args = (text.replace(str(folder / name), name).replace(str(folder), "upload"),)
        if isinstance(getattr(exc, "path", None), str):
            exc.path = name


def temp_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="leaktrace-web-")


__all__ = ["check_content_length", "saved", "temp_folder"]
