"""Document assets: register a PDF tender package page by page, and make each recipient's PDF copy.

A document is two kinds of asset row. The document's row holds the PDF (its file in the blob
store, its page count). Each page is its own row of kind ``page``: its original is the page
rendered at ``document_dpi`` (a PNG in the blob store that names its document and page), so
the asset search finds a page like an image, and a leak is registered onto it and tested with
that page's own key and carriers. A vector page carries the geometric carrier only: a
recipient's copy moves every path point and text line of the page by that recipient's field
(:mod:`leaktrace.documents._content`), drawn in pixels of the reference rendering and applied in
page coordinates through :func:`leaktrace.documents.render.pixel_frame`, so the field the detector
sees on a rendered page is the one the copy was written with.

The field's amplitude is set in points (``document_amplitude_pt``, RMS per axis; bound
``document_max_pt``), the same for every page, from the settings alone. On top of it, a copy
moves each word along its line by ``document_word_pt`` times the recipient's word sign
(:mod:`leaktrace.documents._words`, traced by :mod:`leaktrace.core.words`): a text page's lines are
a few dozen moves, its words hundreds.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pikepdf
from scipy import ndimage

from leaktrace import imagefiles, records
from leaktrace.core import carrier, embed, geometry, keys, mask, quality, strokes
from leaktrace.core import words as word_carrier
from leaktrace.core.pixels import luminance
from leaktrace.documents import _content, reading, render
from leaktrace.documents import images as document_images
from leaktrace.documents import strokes as document_strokes
from leaktrace.errors import BadInput
from leaktrace.services import asset_cache, audit
from leaktrace.services import assets as assets_service
from leaktrace.services.context import Context
from leaktrace.services.copies import SAMPLED_SSIM_FROM, Made  # a page's SSIM as an image copy's; the record every share stores
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import Asset

__all__ = [
    "Page",
    "Prepared",
    "add",
    "page_dpis",
    "read_limits",
    "stroke_map",
    "word_map",
    "words_tested",
    "word_moves",
    "field_in_points",
    "make",
    "page_geometry",
    "pages_of",
    "prepare",
    "write_copy",
]


def is_pdf(head: bytes) -> bool:
    """Whether a file's first bytes are a PDF's (:func:`leaktrace.documents.reading.is_pdf`: an image signature wins)."""
    return reading.is_pdf(head)


def read_limits(ctx: Context) -> dict:
    """The limits a PDF from outside is read within (:func:`leaktrace.documents.reading.read_document`)."""
    return {"max_bytes": int(ctx.settings.max_file_mb * 2**20), "max_pages": ctx.settings.max_pages, "max_pixels": ctx.settings.max_pixels}


def page_dpis(ctx: Context, document: reading.Document) -> list[float]:
    """Each page's reference resolution: ``document_dpi``, lower where a page would exceed ``max_pixels``."""
    return [render.dpi_within(box, ctx.settings.document_dpi, ctx.settings.max_pixels) for box in document.boxes]


#: A stored document was checked when it was registered: reopening it is not refused by limits set since.
STORED = {"max_pixels": 2**62, "max_content_bytes": 2**62}


#: Luminance levels a copy's rendered pixel may lie outside the original's 3×3 neighbourhood range.
NEIGHBOURHOOD_LEVELS = 24.0
#: Largest fraction of a page's pixels allowed outside that range. A faithful copy of the tender
#: package measures 0.06–0.18 %: a thin line moved by a fraction of a pixel can render as one dark
#: pixel where it was two grey ones. A rewrite gone wrong (content lost, or moved by pixels) is
#: several per cent; one missing stroke is not seen here (the content rewrite's tests cover that).
MAX_UNEXPLAINED = 0.01


def page_geometry(ctx: Context, image: np.ndarray, dpi: float) -> geometry.Geometry | None:
    """A page's geometric carrier: ``document_amplitude_pt`` (RMS per axis) and ``document_max_pt``,
    in pixels of the rendering at ``dpi``; None on a blank page (settings and the page alone).

    Not chosen by SSIM, unlike an image's: a copy's paths and text lines move rigidly between
    their end points, so a straight line stays straight and a glyph keeps its shape, and what SSIM
    sees of a page moved by a fifth of a pixel is the move, not a visible change (a text page moved
    by 0.025 pt already scores under 0.993)."""
    s = ctx.settings
    if s.document_amplitude_pt <= 0:
        return None
    grid = geometry.grid_for(image.shape[:2])
    if geometry.edge_cover(image, grid) == 0.0:
        return None
    px = dpi / 72.0
    return geometry.Geometry(grid, s.document_amplitude_pt * px, s.document_max_pt * px)


def image_mask(walk: document_strokes.PageWalk, frame: np.ndarray, image: np.ndarray) -> np.ndarray:
    """The page's luminance carrier's mask: the perceptual mask of its rendering inside the raster
    images it draws (the only pixels a copy can change), zero elsewhere. (H, W) float32."""
    inside = np.zeros(image.shape[:2], np.uint8)
    for name, ctm in walk.images:
        if name == "<inline>":
            continue
        a, b, c, d, e, f = (float(v) for v in ctm)
        corners = np.array([[e, f], [a + e, b + f], [a + c + e, b + d + f], [c + e, d + f]])  # the unit square on the page
        pix = render.to_pixels(frame, corners)
        if np.all(np.isfinite(pix)):
            cv2.fillConvexPoly(inside, np.round(pix * 16).astype(np.int32), 1, lineType=cv2.LINE_8, shift=4)
    inside = cv2.erode(inside, np.ones((3, 3), np.uint8))  # the images' borders are the page's edges, not their pixels
    return (mask.perceptual_mask(image) * inside).astype(np.float32)


def image_strength(ctx: Context, image: np.ndarray, grid: tuple[int, int], marks: np.ndarray) -> float:
    """The luminance strength of a page's images: the images' own PSNR at ``target_psnr`` (the page's
    is higher by the share of the page they cover); 0.0 on a page without images."""
    share = float(np.mean(marks > 0))
    if share < 1e-4:
        return 0.0
    return float(embed.strength_for_psnr(image, grid, marks, target_psnr=ctx.settings.target_psnr - 10 * np.log10(share)))


def unexplained(original: np.ndarray, image: np.ndarray) -> float:
    """Fraction of ``image``'s pixels whose luminance lies more than :data:`NEIGHBOURHOOD_LEVELS` outside
    the range of ``original``'s 3×3 neighbourhood: what a move of under a pixel cannot explain (a
    stroke lost, added or moved too far). 0.0 for a faithful copy.

    Examples
    --------
    >>> page = np.full((40, 40, 3), 255, np.uint8); page[10:16, 5:35] = 0  # a bar 6 px thick
    >>> moved = np.roll(page, 1, axis=0); lost = page.copy(); lost[10:16] = 255
    >>> unexplained(page, moved), round(unexplained(page, lost), 4)  # moved by a pixel: explained; gone: not
    (0.0, 0.07)
    """
    y, c = luminance(original), luminance(image)
    kernel = np.ones((3, 3), np.uint8)
    lo, hi = cv2.erode(y, kernel), cv2.dilate(y, kernel)
    return float(np.mean((c < lo - NEIGHBOURHOOD_LEVELS) | (c > hi + NEIGHBOURHOOD_LEVELS)))


def add(ctx: Context, path: Path, *, title: str | None = None, actor: str | None = None) -> records.AssetAdded:
    """Register the PDF at ``path``: the document's row, then one row per page, with their ``asset.add``
    entries, in one transaction; the same bytes again return the existing document."""
    document = reading.read_document(path, **read_limits(ctx))
    sha = hashlib.sha256(document.data).hexdigest()
    with ctx.sessions() as session:
        existing = queries.find_asset_by_sha256(session, sha)
        if existing is not None:
            session.expunge(existing)
            return records.AssetAdded(**vars(assets_service.record(existing)), path=str(path), duplicate=True)
    s = ctx.settings
    dpis = page_dpis(ctx, document)
    pdf = document.pdf
    planned = []  # per page: png digest, shape, grid, geometry
    for number, (image, dpi) in enumerate(
        zip(render.render_pages(document.data, range(document.pages), dpis, label=str(path), max_pixels=s.max_pixels), dpis, strict=True), 1
    ):
        png = imagefiles.encode_image(
            image, "PNG", png_compression=s.png_compression, png_text={"leaktrace-document": sha, "leaktrace-page": str(number)}
        )
        digest = ctx.blobs.put(png)
        target = pdf.pages[number - 1]
        marks = image_mask(document_strokes.walk_page(pdf, target), render.pixel_frame(reading.page_box(target), dpi), image)
        asset_cache.build(ctx, digest, image, marks)  # the detector weighs the page where its copies can carry the mark
        grid = carrier.grid_for(image.shape[:2], cells=s.carrier_cells, min_cell_px=s.min_cell_px)
        geo = page_geometry(ctx, image, dpi)
        planned.append((digest, image.shape[:2], grid, geo, dpi, image_strength(ctx, image, grid, marks)))
    ctx.blobs.put(document.data)
    name = title or path.stem
    with store_db.transaction(ctx.sessions) as session:
        h, w = planned[0][1]
        doc = Asset(
            key_ref=secrets.token_hex(16),
            sha256=sha,
            title=name,
            filename=path.name,
            format="PDF",
            width=int(w),
            height=int(h),
            grid_y=0,
            grid_x=0,
            strength=0.0,
            kind="document",
            pages=document.pages,
            dpi=float(s.document_dpi),
        )
        session.add(doc)
        session.flush()
        audit.append(
            session,
            actor,
            "asset.add",
            "asset",
            doc.id,
            {"sha256": sha, "title": name, "filename": path.name, "format": "PDF", "pages": document.pages},
        )
        for number, (digest, (ph, pw), grid, geo, dpi, strength) in enumerate(planned, 1):
            page = Asset(
                key_ref=secrets.token_hex(16),
                sha256=digest,
                title=f"{name}, page {number}",
                filename=f"{path.name}#page={number}",
                format="PNG",
                width=int(pw),
                height=int(ph),
                grid_y=int(grid[0]),
                grid_x=int(grid[1]),
                strength=float(strength),
                **assets_service.geometry_columns(geo),
                kind="page",
                document_id=doc.id,
                page=number,
                dpi=float(dpi),
            )
            session.add(page)
            session.flush()
            details = {
                "sha256": digest,
                "title": page.title,
                "document_id": doc.id,
                "page": number,
                "dpi": dpi,
                "width": int(pw),
                "height": int(ph),
                "strength": strength,
            }
            if geo is not None:
                details["geometric"] = {"grid": list(geo.grid), "amplitude_px": geo.amplitude, "max_px": geo.max_px}
            audit.append(session, actor, "asset.add", "asset", page.id, details)
        record = assets_service.record(doc)
    return records.AssetAdded(**vars(record), path=str(path), duplicate=False)


def pages_of(ctx: Context, document_id: int) -> list[Asset]:
    """The page rows of document ``document_id``, in page order, detached."""
    with ctx.sessions() as s:
        rows = queries.pages_of_document(s, document_id)
        for r in rows:
            s.expunge(r)
    return rows


@dataclass(frozen=True)
class Page:
    """What a copy needs of one page: its row, its carrier, its reference rendering and frame."""

    asset: Any  # the page row, detached (None while the document is being registered)
    geometry: geometry.Geometry | None
    original: np.ndarray  # h w 3 uint8, the reference rendering
    frame: np.ndarray  # 2 3, page points → pixels of the rendering
    index: int  # from 0, in the document
    groups: tuple[np.ndarray, np.ndarray] | None = None  # the page's points a copy moves together (core.strokes.axis_groups)
    marks: np.ndarray | None = None  # h w float32: the luminance carrier's mask (:func:`image_mask`), None without images
    grid: tuple[int, int] = (0, 0)  # the luminance carrier's grid
    strength: float = 0.0  # levels; 0: the page has no image to carry it
    words: int = 0  # words of the page's shown strings, in content order (documents.strokes.PageWalk.words)

    @property
    def dpi(self) -> float:
        return float(np.hypot(*self.frame[:, 0]) * 72.0)


@dataclass(frozen=True)
class Prepared:
    """A document ready to be copied: its bytes and pages."""

    data: bytes
    pages: tuple[Page, ...]


def prepare(ctx: Context, asset: Any) -> Prepared:
    data = ctx.blobs.get(asset.sha256)
    pdf = reading.open_document(data, asset.filename, max_pages=max(ctx.settings.max_pages, int(asset.pages or 0)), **STORED)
    pages = []
    for i, (row, page) in enumerate(zip(pages_of(ctx, asset.id), pdf.pages, strict=True)):
        original = imagefiles.read_image(ctx.blobs.path(row.sha256), max_pixels=ctx.settings.max_pixels, max_bytes=2**40)
        frame = render.pixel_frame(reading.page_box(page), float(row.dpi))
        walk = document_strokes.walk_page(pdf, page)
        marks = image_mask(walk, frame, original) if row.strength > 0 else None
        geo = assets_service.geometry_of(row)
        groups = strokes.axis_groups(render.to_pixels(frame, walk.points), walk.segments)  # the points a copy moves together
        grid = (int(row.grid_y), int(row.grid_x))
        pages.append(Page(row, geo, original, frame, i, groups, marks, grid, float(row.strength), int(walk.words.size)))
    return Prepared(data, tuple(pages))


def field_in_points(signs: np.ndarray, page: Page) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    """The page's displacement field of ``signs`` as functions of page points, (n, 2) pt → (n, 2) pt:
    one for path points, one for text line origins.

    The field is drawn in pixels of the reference rendering (:func:`leaktrace.core.geometry.field`,
    clipped to its bound there), sampled bilinearly at each point's pixel position, averaged over
    the points that must move together (a horizontal line's ends vertically, a vertical line's
    horizontally: :func:`leaktrace.core.strokes.axis_groups`), and taken back to points through the
    frame's linear part. A text line moves as one, horizontally only (as shown), by the field's
    horizontal move at its origin: its baseline stays where it is, so the words keep their lines and
    their order (``pdftotext`` reads the copy as the original), and a viewer that draws each glyph at
    a whole pixel still shows the line's move on average over its glyphs (their phases differ)."""
    dx, dy = geometry.field(signs, page.original.shape[:2], page.geometry)  # h w each, pixels
    a = page.frame
    back = np.linalg.inv(a[:, :2])
    bound = float(page.geometry.max_px)

    def at(points: np.ndarray, text: bool) -> np.ndarray:
        pix = render.to_pixels(a, points)  # n 2: col, row
        rows, cols = pix[:, 1], pix[:, 0]
        across = ndimage.map_coordinates(dx, [rows, cols], order=1, mode="nearest")
        down = np.zeros_like(across) if text else ndimage.map_coordinates(dy, [rows, cols], order=1, mode="nearest")
        d = np.stack([across, down], axis=1)
        if not text and page.groups is not None:
            if len(d) != len(page.groups[0]):
                raise ValueError(f"page {page.index + 1}: {len(d)} points to move, {len(page.groups[0])} in its strokes")
            d = np.stack([strokes.group_mean(d[:, i], page.groups[i]) for i in (0, 1)], axis=1)  # level lines stay level
            length = np.hypot(d[:, 0], d[:, 1])  # each axis's mean is over its own group: back within the bound
            d *= np.minimum(1.0, bound / np.maximum(length, 1e-12))[:, None]
        return d @ back.T  # n 2, points

    return (lambda p: at(p, False)), (lambda p: at(p, True))


def stroke_map(ctx: Context, page: Any) -> strokes.StrokeMap:
    """The strokes of page asset ``page`` on its reference rendering (:mod:`leaktrace.core.strokes`),
    from the document's original PDF: what a trace of the page projects through."""
    return _carriers(*_page_key(ctx, page))[0]


def word_map(ctx: Context, page: Any) -> word_carrier.WordMap:
    """The words of page asset ``page`` on its reference rendering (:mod:`leaktrace.core.words`), from
    the document's original PDF: where a trace of the page measures its word shifts."""
    return _carriers(*_page_key(ctx, page))[1]


def words_tested(ctx: Context, page: Any) -> word_carrier.WordMap | None:
    """The words a trace of page asset ``page`` tests (:data:`leaktrace.core.verdict.WORD_STATISTICS`), or None
    where its original shows too few to reach a threshold (:data:`leaktrace.core.words.MIN_LOCATED`): fixed
    by the page, before any score."""
    words = word_map(ctx, page)
    return words if words.located >= word_carrier.MIN_LOCATED else None


def _page_key(ctx: Context, page: Any) -> tuple:
    with ctx.sessions() as session:
        document = queries.asset_by_id(session, page.document_id)
        sha, filename, pages = document.sha256, document.filename, document.pages
    return str(ctx.blobs.path(sha)), sha, filename, int(pages or 0), int(page.page), float(page.dpi), (int(page.height), int(page.width))


@lru_cache(maxsize=4)  # up to 8 bytes a pixel of a page's rendering each
def _carriers(
    path: str, sha: str, filename: str, pages: int, number: int, dpi: float, shape: tuple[int, int]
) -> tuple[strokes.StrokeMap, word_carrier.WordMap]:
    data = Path(path).read_bytes()
    pdf = reading.open_document(data, filename, max_pages=max(pages, 1), **STORED)
    target = pdf.pages[number - 1]
    walk = document_strokes.walk_page(pdf, target)
    frame = render.pixel_frame(reading.page_box(target), dpi)
    rects, owners = document_strokes.text_boxes(walk.points, walk.text, render.text_rects(data, number - 1))
    points = render.to_pixels(frame, walk.points)
    lines = strokes.rasterize(strokes.Strokes(points, walk.segments, _pixel_boxes(frame, rects), owners), shape)
    few = walk.words.size <= word_carrier.MAX_WORDS  # a page of more is tested on its lines only
    chars, char_boxes = render.text_chars(data, number - 1) if few else ("", np.zeros((0, 4)))
    movable = render.along_rows(frame, walk.word_axes)
    return lines, word_carrier.locate(points, walk.words, movable, chars, _pixel_boxes(frame, char_boxes), shape)


def _pixel_boxes(frame: np.ndarray, rects: np.ndarray) -> np.ndarray:
    """Page rectangles (n, 4) (left, bottom, right, top), pt → boxes on the rendering (n, 4) (x0, y0, x1, y1), pixels."""
    rects = np.asarray(rects, np.float64).reshape(-1, 4)
    corners = [render.to_pixels(frame, rects[:, [0, 1]]), render.to_pixels(frame, rects[:, [2, 3]])]  # n 2 each
    return np.hstack([np.minimum(*corners), np.maximum(*corners)])


def word_moves(signs: np.ndarray, page: Page, amplitude_pt: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Each word's move along its line, pt: ``amplitude_pt`` times its sign in ``signs`` (one per word of
    the page, content order) where its line runs along the rendering's rows, 0 elsewhere (a rotated
    label: a trace measures horizontal shifts only)."""
    signs = np.asarray(signs, np.float64)

    def moves(origins: np.ndarray, axes: np.ndarray) -> np.ndarray:
        if len(axes) != len(signs):
            raise ValueError(f"page {page.index + 1}: {len(axes)} words to move, {len(signs)} word signs")
        return amplitude_pt * signs * render.along_rows(page.frame, axes)

    return moves


def write_copy(data: bytes, pages: Sequence[Page], signs_of: Callable[[Page], tuple], *, word_pt: float = 0.0) -> tuple[bytes, float]:
    """The PDF ``data`` with each of ``pages`` marked by ``signs_of(page)`` = (geometric signs, luminance
    signs, word signs): its paths and lines moved by the field and its words by ``word_pt`` times their
    signs, its images given the luminance mark (where the page has a carrier for each), the others as
    they are; and the largest displacement of a path point or line applied, points."""
    pdf = pikepdf.Pdf.open(io.BytesIO(data))
    largest = 0.0
    for page in pages:
        moving, brightening, shifting = signs_of(page)
        target = pdf.pages[page.index]
        if page.geometry is not None and moving is not None:
            paths, lines = field_in_points(moving, page)
            words = word_moves(shifting, page, word_pt) if shifting is not None and word_pt > 0 else None
            moved = _content.displace_page(pdf, target, paths, text_shift=lines, word_shift=words, label=f"page {page.index + 1}")
            largest = max(largest, float(moved.max_shift_pt))
        if page.strength > 0 and page.marks is not None and brightening is not None:
            delta = carrier.pattern(brightening, page.original.shape[:2], page.grid) * np.float32(page.strength) * page.marks  # h w, levels
            document_images.mark_images(pdf, target, delta, page.frame)
    # the pages' own copies of forms and images replaced the originals: drop those (an unmoved form left
    # in a copy would let its recipient strip the mark, and its difference to the moved one shows the field)
    pdf.remove_unreferenced_resources()
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue(), largest


def _reference_signs(page: Page) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """The public reference signs of a page's carriers (never a recipient's)."""
    moving = None if page.geometry is None else embed.reference_signs(page.geometry.k)
    brightening = embed.reference_signs(page.grid[0] * page.grid[1]) if page.strength > 0 else None
    return moving, brightening, (embed.reference_signs(page.words) if page.words else None)


def _ssim(original: np.ndarray, image: np.ndarray) -> float:
    large = image.shape[0] * image.shape[1] >= SAMPLED_SSIM_FROM
    return quality.sampled_ssim(original, image) if large else quality.ssim(original, image)


def _measure(prepared: Prepared, data: bytes) -> tuple[float, float, float]:
    """The copy's worst page: PSNR, SSIM and :func:`unexplained` of each page's rendering against the original's."""
    psnr, ssim, worst = float("inf"), 1.0, 0.0
    pages = prepared.pages
    for page, image in zip(pages, render.render_pages(data, [p.index for p in pages], [p.dpi for p in pages]), strict=True):
        if image.shape != page.original.shape:
            raise BadInput(
                f"the copy's page {page.index + 1} renders at {image.shape[1]}×{image.shape[0]}, not as the original's; nothing was shared."
            )
        psnr = min(psnr, quality.psnr(page.original, image))
        ssim = min(ssim, _ssim(page.original, image))
        worst = max(worst, unexplained(page.original, image))
    return psnr, ssim, worst


def make(ctx: Context, asset: Any, prepared: Prepared, recipients: Sequence[Any], *, keep: Callable[[bytes], str]) -> Iterator[Any]:
    """Write, check and store one PDF copy per recipient, yielding each (:class:`leaktrace.services.copies.Made`) once stored.

    The gate of a document copy, checked on the reference copy (the public reference signs) first
    and then on every copy: no point moved by more than ``document_max_pt``, every page's text
    identical to the original's, and every page's rendering the original's moved by under a pixel
    (:func:`unexplained` ≤ :data:`MAX_UNEXPLAINED`). PSNR and SSIM (worst page) are measured and
    recorded; they are not the gate (see :func:`page_geometry`)."""
    bound = ctx.settings.document_max_pt + 1e-6
    text = render.page_texts(prepared.data)

    def check(data: bytes, largest: float, whose: str) -> tuple[float, float]:
        subject = f"the copy of document {asset.id} for {whose}"
        if largest > bound:
            raise BadInput(f"{subject} moves a point by {largest:.3f} pt, over document_max_pt; nothing was shared.")
        if render.page_texts(data) != text:
            raise BadInput(f"{subject} does not keep the document's text; nothing was shared.")
        psnr, ssim, worst = _measure(prepared, data)
        if worst > MAX_UNEXPLAINED:
            raise BadInput(f"{subject} changes {worst:.2%} of a page's pixels by more than a sub-pixel move; nothing was shared.")
        return psnr, ssim

    word_pt = ctx.settings.document_word_pt
    check(*write_copy(prepared.data, prepared.pages, _reference_signs, word_pt=word_pt), "the reference signs")
    method = "sampled" if any(p.original.shape[0] * p.original.shape[1] >= SAMPLED_SSIM_FROM for p in prepared.pages) else "exact"
    for r in recipients:

        def signs_of(page: Page, r=r) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
            seed = keys.derive_seed(ctx.master_key, page.asset.key_ref, r.key_ref)
            moving = None if page.geometry is None else keys.signs_from_seed(seed, page.geometry.k, carrier="geometric")
            brightening = keys.signs_from_seed(seed, page.grid[0] * page.grid[1]) if page.strength > 0 else None
            return moving, brightening, (keys.signs_from_seed(seed, page.words, carrier="words") if page.words else None)

        data, largest = write_copy(prepared.data, prepared.pages, signs_of, word_pt=word_pt)
        psnr, ssim = check(data, largest, r.name)
        yield Made(r, keep(data), len(data), psnr, ssim, method, None)
