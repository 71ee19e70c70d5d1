"""Open a PDF document within limits: the one door every document file comes through.

A tender package comes from outside (a supplier's upload, a crawler, a colleague), so it is read
as hostile: the file must start like a PDF, stay under the byte limit, open in qpdf (pikepdf)
without a password, have between one and ``max_pages`` pages, and every page must be of a
size a viewer shows (at most 200 inches a side). Anything else is a one-line
:class:`~leaktrace.errors.DocumentRejected`, never a traceback.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from leaktrace.errors import DocumentRejected

__all__ = ["MAX_SIDE_PT", "Document", "PageBox", "is_pdf", "open_document", "read_document"]

#: Largest page side accepted, points (200 inches: larger than any plotter sheet).
MAX_SIDE_PT = 200 * 72.0


@dataclass(frozen=True)
class PageBox:
    """Where a page is drawn: its crop box in default user space (points) and its rotation."""

    x0: float
    y0: float
    x1: float
    y1: float
    rotate: int  # degrees clockwise, one of 0, 90, 180, 270

    @property
    def size_pt(self) -> tuple[float, float]:
        """(width, height) as shown, points."""
        w, h = self.x1 - self.x0, self.y1 - self.y0
        return (h, w) if self.rotate in (90, 270) else (w, h)


@dataclass(frozen=True)
class Document:
    """A PDF read within limits: its bytes, its pages' boxes."""

    data: bytes
    boxes: tuple[PageBox, ...]

    @property
    def pages(self) -> int:
        return len(self.boxes)


def is_pdf(head: bytes) -> bool:
    """Whether a file's first bytes are a PDF header (``%PDF-`` within its first 1024 bytes, as viewers accept)."""
    return b"%PDF-" in head[:1024]


def read_document(path: Path, *, max_bytes: int, max_pages: int) -> Document:
    """Read and check the PDF at ``path``; :class:`DocumentRejected` naming the file when it is not one leaktrace takes."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentRejected(path, f"file is {size / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB limit")
        data = path.read_bytes()
    except OSError as e:
        raise DocumentRejected(path, f"cannot be read ({e.strerror or e})") from None
    return Document(data, _boxes(open_document(data, str(path), max_pages=max_pages), str(path)))


def open_document(data: bytes, label: str, *, max_pages: int) -> pikepdf.Pdf:
    """The pikepdf document of ``data`` (``label`` names it in errors), checked: readable, no password, 1..max_pages pages."""
    if not is_pdf(data[:1024]):
        raise DocumentRejected(label, "is not a PDF file (no %PDF- header)")
    try:
        pdf = pikepdf.Pdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise DocumentRejected(label, "is protected by a password; share the unprotected document") from None
    except (pikepdf.PdfError, ValueError, RecursionError) as e:
        raise DocumentRejected(label, f"is not a readable PDF ({_first_line(e)})") from None
    if pdf.is_encrypted:
        raise DocumentRejected(label, "is encrypted; share the unencrypted document (a copy could not keep its permissions)")
    try:
        count = len(pdf.pages)
    except (pikepdf.PdfError, RecursionError) as e:
        raise DocumentRejected(label, f"has an unreadable page tree ({_first_line(e)})") from None
    if count == 0:
        raise DocumentRejected(label, "has no pages")
    if count > max_pages:
        raise DocumentRejected(label, f"has {count} pages, over the limit of {max_pages} (setting max_pages)")
    return pdf


def page_box(page: pikepdf.Page, label: str = "page") -> PageBox:
    """The crop box (clipped to the media box, as viewers draw it) and rotation of ``page``."""
    try:
        media = [float(v) for v in page.mediabox]
        crop = [float(v) for v in page.cropbox]
        rotate = int(page.obj.get("/Rotate", 0)) % 360
    except (pikepdf.PdfError, TypeError, ValueError) as e:
        raise DocumentRejected(label, f"has a malformed page box ({_first_line(e)})") from None
    x0, x1 = sorted((crop[0], crop[2]))
    y0, y1 = sorted((crop[1], crop[3]))
    mx0, mx1 = sorted((media[0], media[2]))
    my0, my1 = sorted((media[1], media[3]))
    x0, y0, x1, y1 = max(x0, mx0), max(y0, my0), min(x1, mx1), min(y1, my1)
    if rotate not in (0, 90, 180, 270):
        raise DocumentRejected(label, f"has a page rotation of {rotate}°, not a multiple of 90°")
    if not (1.0 <= x1 - x0 <= MAX_SIDE_PT and 1.0 <= y1 - y0 <= MAX_SIDE_PT):
        raise DocumentRejected(label, f"has a page of {x1 - x0:.0f}×{y1 - y0:.0f} pt, outside 1 pt to {MAX_SIDE_PT:.0f} pt a side")
    return PageBox(x0, y0, x1, y1, rotate)


def _boxes(pdf: pikepdf.Pdf, label: str) -> tuple[PageBox, ...]:
    return tuple(page_box(p, f"{label}, page {i + 1}") for i, p in enumerate(pdf.pages))


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0][:200] if text else type(e).__name__
