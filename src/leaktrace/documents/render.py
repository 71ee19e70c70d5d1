"""Render a document's pages to pixels, and say where a page point lands in them.

A page is searched, registered and tested as its rendering at a reference resolution (the
setting ``document_dpi``), drawn by PDFium (pypdfium2, Apache-2.0/BSD) on white, as a viewer
shows it (page rotation applied, annotations drawn). :func:`pixel_frame` is the affine map from
the page's default user space (points, y up) to that rendering's pixel coordinates (pixel
centres at integers, y down): the one place that ties the geometric field, drawn in pixels of
the rendering, to the page coordinates a copy's paths are moved in.

PDFium is not thread-safe: every call here holds one module lock.
"""

from __future__ import annotations

import math
import threading
from contextlib import contextmanager

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from leaktrace.errors import DocumentRejected

from .reading import PageBox

__all__ = [
    "along_rows",
    "to_pixels",
    "text_chars",
    "text_rects",
    "page_texts",
    "dpi_within",
    "pixel_frame",
    "render_page",
    "render_pages",
    "rendered_shape",
]

_LOCK = threading.Lock()


def rendered_shape(box: PageBox, dpi: float) -> tuple[int, int]:
    """(H, W) pixels of the page ``box`` rendered at ``dpi`` (PDFium, through pypdfium2, rounds each side up)."""
    w, h = box.size_pt
    return max(1, math.ceil(h * dpi / 72.0 - 1e-9)), max(1, math.ceil(w * dpi / 72.0 - 1e-9))


def dpi_within(box: PageBox, dpi: float, max_pixels: int) -> float:
    """``dpi``, lowered where the page would render to more than ``max_pixels`` (a plotter sheet)."""
    w, h = box.size_pt
    most = float(min(dpi, np.floor(72.0 * np.sqrt(max_pixels / max(w * h, 1.0)) * 100) / 100))
    while most > 1 and np.prod(rendered_shape(box, most)) > max_pixels:  # each side is rounded
        most = round(most - 0.01, 2)
    return most


def pixel_frame(box: PageBox, dpi: float) -> np.ndarray:
    """The (2, 3) affine map from default user space (points) to pixel coordinates of the rendering.

    ``[col, row] = A @ [x, y, 1]``, with pixel centres at integer coordinates: the page's
    displayed top-left corner is at (−0.5, −0.5).

    Examples
    --------
    >>> from leaktrace.documents.reading import PageBox
    >>> pixel_frame(PageBox(0, 0, 72, 144, 0), 72).tolist()
    [[1.0, 0.0, -0.5], [0.0, -1.0, 143.5]]
    """
    s = dpi / 72.0
    x0, y0, x1, y1 = box.x0, box.y0, box.x1, box.y1
    linear, origin = {
        0: ([[s, 0], [0, -s]], (x0, y1)),
        90: ([[0, s], [s, 0]], (x0, y0)),
        180: ([[-s, 0], [0, s]], (x1, y0)),
        270: ([[0, -s], [-s, 0]], (x1, y1)),
    }[box.rotate]
    a = np.array(linear, float)
    t = -a @ np.array(origin, float) - 0.5
    return np.hstack([a, t[:, None]])


def to_pixels(frame: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Page points (n, 2) → pixel coordinates (n, 2) (col, row) of the rendering ``frame`` (:func:`pixel_frame`) is of."""
    return np.asarray(points, np.float64).reshape(-1, 2) @ frame[:, :2].T + frame[:, 2]


def along_rows(frame: np.ndarray, axes: np.ndarray) -> np.ndarray:
    """Which page-space directions (n, 2) run along the rendering's rows, left to right, as ``frame`` shows
    them: (n,) bool (a word whose baseline does is what a copy shifts and a trace measures).

    >>> along_rows(pixel_frame(PageBox(0, 0, 72, 144, 0), 72), np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])).tolist()
    [True, False, False]
    """
    v = np.asarray(axes, np.float64).reshape(-1, 2) @ np.asarray(frame, np.float64)[:, :2].T
    return (v[:, 0] > 0) & (np.abs(v[:, 1]) <= 1e-6 * np.hypot(v[:, 0], v[:, 1]))


def render_page(data: bytes, index: int, dpi: float, *, label: str = "document", max_pixels: float = 4e8) -> np.ndarray:
    """Page ``index`` (from 0) of the PDF ``data`` rendered at ``dpi``: (H, W, 3) uint8 RGB on white."""
    return next(render_pages(data, [index], [dpi], label=label, max_pixels=max_pixels))


def render_pages(data: bytes, indices, dpis, *, label: str = "document", max_pixels: float = 4e8):
    """Each page of ``indices`` rendered at its ``dpis`` entry, one at a time (a generator: one page in memory);
    :class:`DocumentRejected` for a page PDFium would draw larger than ``max_pixels``."""
    with _LOCK:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as e:
            raise DocumentRejected(label, f"cannot be rendered ({e})") from None
    try:
        for index, dpi in zip(indices, dpis, strict=True):
            with _LOCK:
                page = bitmap = None
                try:
                    page = doc[index]
                    w, h = page.get_size()
                    if w * h * (dpi / 72.0) ** 2 > max_pixels:  # PDFium may read a damaged file's page box unlike qpdf
                        raise DocumentRejected(f"{label}, page {index + 1}", f"would render at over {max_pixels / 1e6:.0f} MP at {dpi:g} dpi")
                    bitmap = page.render(scale=dpi / 72.0, fill_color=(255, 255, 255, 255), rev_byteorder=True, draw_annots=True)
                    image = np.array(bitmap.to_numpy()[:, :, :3])  # h w 3, a copy: the bitmap's buffer is freed below
                except pdfium.PdfiumError as e:
                    raise DocumentRejected(f"{label}, page {index + 1}", f"cannot be rendered ({e})") from None
                finally:
                    if bitmap is not None:
                        bitmap.close()
                    if page is not None:
                        page.close()
            yield image
    finally:
        with _LOCK:
            doc.close()


def page_texts(data: bytes) -> list[str]:
    """The text of every page of the PDF ``data`` as PDFium extracts it (a copy must keep it exactly)."""
    with _LOCK:
        doc = pdfium.PdfDocument(data)
        try:
            out = []
            for i in range(len(doc)):
                page = doc[i]
                textpage = page.get_textpage()
                try:
                    out.append(textpage.get_text_range())
                finally:
                    textpage.close()
                    page.close()
            return out
        finally:
            doc.close()


@contextmanager
def _text_page(data: bytes, index: int):
    """PDFium's text of page ``index`` of the PDF ``data``, under the module lock, closed after."""
    with _LOCK:
        doc = pdfium.PdfDocument(data)
        try:
            page = doc[index]
            textpage = page.get_textpage()
            try:
                yield textpage
            finally:
                textpage.close()
                page.close()
        finally:
            doc.close()


def text_rects(data: bytes, index: int) -> np.ndarray:
    """Where page ``index`` of the PDF ``data`` draws text, as PDFium finds it: (R, 4) float64
    (left, bottom, right, top) in default user space, points (one rectangle per run of a line)."""
    with _text_page(data, index) as textpage:
        rects = [textpage.get_rect(i) for i in range(textpage.count_rects())]
    return np.asarray(rects, np.float64).reshape(-1, 4)


def text_chars(data: bytes, index: int) -> tuple[str, np.ndarray]:
    """The characters of page ``index`` of the PDF ``data`` as PDFium reads them, in its order (white
    space it generates between words and lines included), and each one's box: (C, 4) float64
    (left, bottom, right, top) in default user space, points."""
    with _text_page(data, index) as textpage:
        n = textpage.count_chars()
        chars = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i)) for i in range(n))
        boxes = [textpage.get_charbox(i) for i in range(n)]
    return chars, np.asarray(boxes, np.float64).reshape(-1, 4)
