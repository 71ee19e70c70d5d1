"""Uploaded files: checked for size and type, written to a temporary file for the services.

The services read and validate the image or PDF itself (format allow-list, pixel and page
limits, truncation); this module only refuses what is plainly not an image (or, for an asset,
a PDF document) or too large, with a clear sentence, before any work is done.
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
from leaktrace.services import documents as documents_service
from leaktrace.web.config import DOCUMENT_SUFFIXES, DOCUMENT_TYPES, IMAGE_SUFFIXES, IMAGE_TYPES

CHUNK = 1 << 20
FORM_OVERHEAD = 64 * 1024  # multipart headers and small fields around the file


def check_content_length(request: Request) -> None:
    """Refuse a request body larger than the upload limit before reading it."""
    limit = request.app.state.web.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
        raise UploadTooLarge(f"the upload is {int(declared) / 2**20:.1f} MB; the limit is {limit / 2**20:.3g} MB.")


#: Longest upload name kept, in UTF-8 bytes: with the suffix a sniffed format may add, within the 255 bytes of a file name.
MAX_NAME_BYTES = 200


def _safe_name(filename: str | None) -> str:
    """The upload's own file name, as a plain name: no folders, no control, format or reordering
    characters (a NUL, an escape sequence, U+202E), not ``.`` or ``..``, and at most
    :data:`MAX_NAME_BYTES` bytes of UTF-8 (its end kept: the suffix says the format).

    >>> _safe_name("../../etc/passwd.png"), _safe_name("\u202egnp.exe"), _safe_name(".."), len(_safe_name("é" * 300 + ".png").encode())
    ('passwd.png', 'gnp.exe', 'upload', 200)
    """
    text = "".join(ch for ch in (filename or "") if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"})
    name = Path(text.replace("\\", "/")).name.strip()
    name = name.encode("utf-8")[-MAX_NAME_BYTES:].decode("utf-8", "ignore").strip()  # a character cut in two is dropped
    return "upload" if name in ("", ".", "..") else name


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


#: How far into a file a PDF header may start (as viewers accept; ``leaktrace.services.documents.is_pdf``).
PDF_HEADER_WITHIN = 1024


def _check_type(upload: UploadFile, *, documents: bool = False) -> str:
    """The name to save the upload under. The content decides first: bytes that start like an
    image (or, with ``documents``, like a PDF) are accepted whatever the name or declared type
    (the services then read them); only bytes that do not are judged by their name and type, so
    that a plain text file is a 415. A PDF is only ever accepted by its bytes."""
    name = _safe_name(upload.filename)
    suffix = Path(name).suffix.lower()
    upload.file.seek(0)
    head = upload.file.read(PDF_HEADER_WITHIN)
    upload.file.seek(0)
    sniffed = sniff(head[:16])
    if sniffed is not None:
        return name if suffix in IMAGE_SUFFIXES else name + sniffed
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if documents_service.is_pdf(head):
        if not documents:
            raise UnsupportedUpload(f"{name}: a PDF document, not an image; trace a screenshot or a scan of the page (PNG, JPEG…).")
        return name if suffix in DOCUMENT_SUFFIXES else name + DOCUMENT_TYPES["application/pdf"]
    if documents and (declared in DOCUMENT_TYPES or suffix in DOCUMENT_SUFFIXES):
        raise UnsupportedUpload(f"{name}: named or declared a PDF, but it does not start like one (no %PDF- header).")
    if suffix not in IMAGE_SUFFIXES and declared not in IMAGE_TYPES:
        kinds = "PNG, JPEG, WebP, TIFF, BMP, GIF, AVIF, HEIC or a PDF document" if documents else "PNG, JPEG, WebP, TIFF, BMP, GIF, AVIF or HEIC"
        raise UnsupportedUpload(f"{name}: not an image file (type {declared or 'unknown'}); upload {kinds}.")
    if declared and declared not in IMAGE_TYPES and declared != "application/octet-stream":
        raise UnsupportedUpload(f"{name}: declared as {declared}, which is not an image type leaktrace reads.")
    if suffix not in IMAGE_SUFFIXES:
        name += IMAGE_TYPES[declared]
    return name


@contextmanager
def saved(upload: UploadFile | None, limit: int, *, what: str = "image", documents: bool = False) -> Iterator[Path]:
    """The upload written to a temporary folder under its own (sanitised) name; removed afterwards.

    ``documents``: a PDF is accepted too (an asset, or a leaked PDF file, traced page by page)."""
    if upload is None or not upload.filename:
        raise BadInput(f"no {what} file was uploaded.")
    name = _check_type(upload, documents=documents)
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
