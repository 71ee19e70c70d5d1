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
``document_max_pt``), the same for every page, from the settings alone.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pikepdf
from scipy import ndimage

from leaktrace import imagefiles, records
from leaktrace.core import carrier, embed, geometry, keys, mask, quality
from leaktrace.documents import _content, reading, render
from leaktrace.errors import BadInput
from leaktrace.services import asset_cache, audit
from leaktrace.services.context import Context
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import Asset

#: From this many pixels a page's SSIM is estimated on sampled tiles (as for images).
SAMPLED_SSIM_FROM = 2_000_000

__all__ = ["Page", "Prepared", "add", "field_in_points", "make", "page_geometry", "pages_of", "prepare", "write_copy"]


def _limits(ctx: Context) -> dict:
    return {"max_bytes": int(ctx.settings.max_file_mb * 2**20), "max_pages": ctx.settings.max_pages}


#: Fractions of ``document_amplitude_pt`` tried per page, largest first (as :data:`leaktrace.core.geometry.AMPLITUDES` for images).
LADDER = (1.0, 0.7, 0.5, 0.35, 0.25)
#: SSIM a page's reference copy must keep for its amplitude (the gate is ``min_ssim``: room for each recipient's own signs).
TARGET_SSIM = 0.993


def page_geometry(ctx: Context, data: bytes, index: int, image: np.ndarray, dpi: float, box: reading.PageBox) -> geometry.Geometry | None:
    """A page's geometric carrier, from the page alone: the largest amplitude of :data:`LADDER` (points,
    in pixels at ``dpi``) whose reference copy (the public reference signs) renders with an SSIM of
    :data:`TARGET_SSIM` or more against ``image``, the page's reference rendering; None on a blank page."""
    s = ctx.settings
    if s.document_amplitude_pt <= 0:
        return None
    grid = geometry.grid_for(image.shape[:2])
    if geometry.edge_cover(image, grid) == 0.0:
        return None
    px = dpi / 72.0
    frame = render.pixel_frame(box, dpi)
    for fraction in LADDER:
        geo = geometry.Geometry(grid, s.document_amplitude_pt * fraction * px, s.document_max_pt * px)
        page = Page(None, geo, image, frame, index)
        copy = write_copy(data, (page,), lambda p: embed.reference_signs(p.geometry.k))[0]
        if _ssim(image, render.render_page(copy, index, dpi)) >= TARGET_SSIM:
            return geo
    return None


def add(ctx: Context, path: Path, *, title: str | None = None, actor: str | None = None) -> records.AssetAdded:
    """Register the PDF at ``path``: the document's row, then one row per page, with their ``asset.add``
    entries, in one transaction; the same bytes again return the existing document."""
    from leaktrace.services import assets as assets_service

    document = reading.read_document(path, **_limits(ctx))
    sha = hashlib.sha256(document.data).hexdigest()
    with ctx.sessions() as session:
        existing = queries.find_asset_by_sha256(session, sha)
        if existing is not None:
            session.expunge(existing)
            return records.AssetAdded(**vars(assets_service.record(existing)), path=str(path), duplicate=True)
    s = ctx.settings
    dpis = [render.dpi_within(box, s.document_dpi, s.max_pixels) for box in document.boxes]
    planned = []  # per page: png digest, shape, grid, geometry
    for number, (image, dpi) in enumerate(
        zip(render.render_pages(document.data, range(document.pages), dpis, label=str(path)), dpis, strict=True), 1
    ):
        png = imagefiles.encode_image(
            image, "PNG", png_compression=s.png_compression, png_text={"leaktrace-document": sha, "leaktrace-page": str(number)}
        )
        digest = ctx.blobs.put(png)
        asset_cache.build(ctx, digest, image, mask.perceptual_mask(image))
        grid = carrier.grid_for(image.shape[:2], cells=s.carrier_cells, min_cell_px=s.min_cell_px)
        geo = page_geometry(ctx, document.data, number - 1, image, dpi, document.boxes[number - 1])
        planned.append((digest, image.shape[:2], grid, geo, dpi))
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
        for number, (digest, (ph, pw), grid, geo, dpi) in enumerate(planned, 1):
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
                strength=0.0,
                geometric_grid_y=None if geo is None else int(geo.grid[0]),
                geometric_grid_x=None if geo is None else int(geo.grid[1]),
                geometric_amplitude=None if geo is None else float(geo.amplitude),
                geometric_max_px=None if geo is None else float(geo.max_px),
                kind="page",
                document_id=doc.id,
                page=number,
                dpi=float(dpi),
            )
            session.add(page)
            session.flush()
            details = {"sha256": digest, "title": page.title, "document_id": doc.id, "page": number, "dpi": dpi, "width": int(pw), "height": int(ph)}
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
    pdf = reading.open_document(data, asset.filename, max_pages=max(ctx.settings.max_pages, int(asset.pages or 0)))
    from leaktrace.services import assets as assets_service

    pages = []
    for i, (row, page) in enumerate(zip(pages_of(ctx, asset.id), pdf.pages, strict=True)):
        original = imagefiles.read_image(ctx.blobs.path(row.sha256), max_pixels=ctx.settings.max_pixels, max_bytes=2**40)
        pages.append(Page(row, assets_service.geometry_of(row), original, render.pixel_frame(reading.page_box(page), float(row.dpi)), i))
    return Prepared(data, tuple(pages))


def field_in_points(signs: np.ndarray, page: Page) -> Callable[[np.ndarray], np.ndarray]:
    """The page's displacement field of ``signs`` as a function of page points: (n, 2) pt → (n, 2) pt.

    The field is drawn in pixels of the reference rendering (:func:`leaktrace.core.geometry.field`,
    clipped to its bound there), sampled bilinearly at each point's pixel position and taken back
    to points through the frame's linear part."""
    dx, dy = geometry.field(signs, page.original.shape[:2], page.geometry)  # h w each, pixels
    a = page.frame
    back = np.linalg.inv(a[:, :2])

    def shift(points: np.ndarray) -> np.ndarray:
        p = np.asarray(points, float).reshape(-1, 2)
        pix = p @ a[:, :2].T + a[:, 2]  # n 2: col, row
        where = [pix[:, 1], pix[:, 0]]
        d = np.stack(
            [ndimage.map_coordinates(dx, where, order=1, mode="nearest"), ndimage.map_coordinates(dy, where, order=1, mode="nearest")], axis=1
        )
        return d @ back.T  # n 2, points

    return shift


def write_copy(data: bytes, pages: Sequence[Page], signs_of: Callable[[Page], np.ndarray]) -> tuple[bytes, float]:
    """The PDF ``data`` with each of ``pages`` that has a geometric carrier moved by its field
    (``signs_of(page)``), the others as they are, and the largest displacement applied, points."""
    pdf = pikepdf.Pdf.open(io.BytesIO(data))
    largest = 0.0
    for page in pages:
        if page.geometry is None:
            continue
        moved = _content.displace_page(pdf, pdf.pages[page.index], field_in_points(signs_of(page), page), label=f"page {page.index + 1}")
        largest = max(largest, float(moved.max_shift_pt))
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue(), largest


def _ssim(original: np.ndarray, image: np.ndarray) -> float:
    large = image.shape[0] * image.shape[1] >= SAMPLED_SSIM_FROM
    return quality.sampled_ssim(original, image) if large else quality.ssim(original, image)


def _measure(prepared: Prepared, data: bytes) -> tuple[float, float]:
    """The copy's worst page: (PSNR, SSIM) of each page's rendering against the reference rendering."""
    psnr, ssim = float("inf"), 1.0
    pages = prepared.pages
    for page, image in zip(pages, render.render_pages(data, [p.index for p in pages], [p.dpi for p in pages]), strict=True):
        if image.shape != page.original.shape:
            raise BadInput(
                f"the copy's page {page.index + 1} renders at {image.shape[1]}×{image.shape[0]}, not as the original's; nothing was shared."
            )
        psnr = min(psnr, quality.psnr(page.original, image))
        ssim = min(ssim, _ssim(page.original, image))
    return psnr, ssim


def make(ctx: Context, asset: Any, prepared: Prepared, recipients: Sequence[Any], *, keep: Callable[[bytes], str]) -> Iterator[Any]:
    """Write, check and store one PDF copy per recipient, yielding each (:class:`leaktrace.services.copies.Made`) once stored.

    The reference copy (public reference signs) is checked first: every page's rendering within
    ``min_ssim`` of the original's. Every copy's pages are rendered and measured the same way."""
    from leaktrace.services.copies import Made  # the record every share stores, whatever made it

    s = ctx.settings

    def gate(psnr: float, ssim: float, whose: str) -> None:
        if ssim < s.min_ssim:
            raise BadInput(
                f"the copy of document {asset.id} for {whose} misses the quality gate (a page's SSIM {ssim:.4f}, PSNR {psnr:.1f} dB); nothing was shared."
            )

    reference, _ = write_copy(prepared.data, prepared.pages, lambda page: embed.reference_signs(page.geometry.k))
    gate(*_measure(prepared, reference), "the reference signs")
    method = "sampled" if any(p.original.shape[0] * p.original.shape[1] >= SAMPLED_SSIM_FROM for p in prepared.pages) else "exact"
    for r in recipients:

        def signs_of(page: Page, r=r) -> np.ndarray:
            seed = keys.derive_seed(ctx.master_key, page.asset.key_ref, r.key_ref)
            return keys.signs_from_seed(seed, page.geometry.k, carrier="geometric")

        data, _ = write_copy(prepared.data, prepared.pages, signs_of)
        psnr, ssim = _measure(prepared, data)
        gate(psnr, ssim, r.name)
        yield Made(r, keep(data), len(data), psnr, ssim, method, None)
