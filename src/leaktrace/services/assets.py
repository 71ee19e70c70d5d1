"""Assets: the confidential originals, kept in the blob store and never sent out.

Adding an asset reads and validates the image, stores the file by SHA-256 (a
second add of the same bytes returns the existing asset), and fixes what the
fingerprint needs per asset: the carrier grid and the strength that meets the
quality target. What a trace needs of it (search features and hash, registration
features, the original's view and pyramid) is built once, here, into the asset cache
(:mod:`leaktrace.services.asset_cache`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from leaktrace import imagefiles, records
from leaktrace.core import carrier, embed, geometry, mask, quality
from leaktrace.documents import reading
from leaktrace.errors import BadInput
from leaktrace.services import asset_cache, audit, ids
from leaktrace.services.context import Context, Progress
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import Asset


def record(a: Asset, *, page_assets: tuple = ()) -> records.Asset:
    """The interface record of a stored asset (never its key reference); ``page_assets``: a document's pages' records."""
    g = geometry_of(a)
    return records.Asset(
        a.id,
        a.title,
        a.filename,
        a.sha256,
        a.format,
        a.width,
        a.height,
        (a.grid_y, a.grid_x),
        a.strength,
        a.created_at.isoformat(),
        None if g is None else g.grid,
        None if g is None else g.amplitude,
        None if g is None else g.max_px,
        kind=a.asset_kind,
        pages=a.pages,
        document_id=a.document_id,
        page=a.page,
        dpi=a.dpi,
        page_assets=page_assets,
        archived_at=None if a.archived_at is None else a.archived_at.isoformat(),
    )


def geometry_of(a: Asset) -> geometry.Geometry | None:
    """The asset's geometric carrier, None when it has none (no edges, or registered before it existed)."""
    if a.geometric_grid_y is None or a.geometric_grid_x is None or not a.geometric_amplitude:
        return None
    return geometry.Geometry((int(a.geometric_grid_y), int(a.geometric_grid_x)), float(a.geometric_amplitude), float(a.geometric_max_px or 0.0))


def geometry_columns(geo: geometry.Geometry | None) -> dict:
    """The asset row's columns of a geometric carrier (all None without one)."""
    if geo is None:
        return {"geometric_grid_y": None, "geometric_grid_x": None, "geometric_amplitude": None, "geometric_max_px": None}
    return {
        "geometric_grid_y": int(geo.grid[0]),
        "geometric_grid_x": int(geo.grid[1]),
        "geometric_amplitude": float(geo.amplitude),
        "geometric_max_px": float(geo.max_px),
    }


def choose_geometry(ctx: Context, image: np.ndarray) -> geometry.Geometry | None:
    """The geometric carrier a new asset gets, from the image alone (:func:`leaktrace.core.geometry.choose`)."""
    s = ctx.settings
    if s.geometric_amplitude_px <= 0:
        return None
    large = image.shape[0] * image.shape[1] >= 2_000_000
    measure = quality.sampled_ssim if large else quality.ssim
    return geometry.choose(image, amplitude=s.geometric_amplitude_px, max_px=s.geometric_max_px, ssim=measure)


def _added(a: Asset, path: Path, duplicate: bool) -> records.AssetAdded:
    return records.AssetAdded(**vars(record(a)), path=str(path), duplicate=duplicate)


def read_limits(ctx: Context) -> dict:
    """The limits a stranger's image is read with (an asset being added, a leak): the settings'."""
    return {
        "max_pixels": ctx.settings.max_pixels,
        "max_bytes": int(ctx.settings.max_file_mb * 2**20),
        "max_side": ctx.settings.max_side_px,
        "budget_s": ctx.settings.decode_budget_s or None,
    }


def add(
    ctx: Context, paths: list[Path], *, title: str | None = None, actor: str | None = None, progress: Progress | None = None
) -> list[records.AssetAdded]:
    """Register each file as an asset; every file is validated before anything is stored.

    Each new asset is stored with its ``asset.add`` audit entry (by ``actor``; the OS account for
    the CLI) in one transaction; a file already registered changes nothing and leaves no entry."""
    if not paths:
        raise BadInput("no asset file given.")
    from leaktrace.services import copies, documents

    pdfs = [p for p in paths if reading.is_pdf_file(p)]
    if pdfs:
        if len(pdfs) < len(paths):
            raise BadInput("give documents (PDF) and images to separate 'asset add' calls.")
        return [documents.add(ctx, p, title=title, actor=actor) for p in pdfs]
    images = [(p, imagefiles.read_image(p, **read_limits(ctx)), imagefiles.image_format(p)) for p in paths]
    plans = []  # every file's fingerprint, checked against the share's quality gate before anything is stored
    planned: set[str] = set()
    for path, image, fmt in images:
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        if sha in planned:  # the same bytes twice in one call: the second is the first's duplicate
            plans.append((path, image, fmt, data, sha, None, None))
            continue
        planned.add(sha)
        with ctx.sessions() as session:
            existing = queries.find_asset_by_sha256(session, sha)
            if existing is not None:
                session.expunge(existing)
                plans.append((path, image, fmt, data, sha, existing, None))
                continue
        grid = carrier.grid_for(image.shape[:2], cells=ctx.settings.carrier_cells, min_cell_px=ctx.settings.min_cell_px)
        m = mask.perceptual_mask(image)
        geo = choose_geometry(ctx, image)
        strength = embed.strength_for_psnr(geometry.reference(image, geo), grid, m, target_psnr=ctx.settings.target_psnr)
        copies.check_new_asset(ctx, path.name, Prepared(image, m, grid, geo), strength, fmt)
        plans.append((path, image, fmt, data, sha, None, (grid, m, geo, strength)))
    out = []
    for i, (path, image, fmt, data, sha, existing, plan) in enumerate(plans):
        if existing is None and plan is None:
            with ctx.sessions() as session:
                existing = queries.find_asset_by_sha256(session, sha)
                session.expunge(existing)
        if existing is not None:
            out.append(_added(existing, path, duplicate=True))
            continue
        grid, m, geo, strength = plan
        ctx.blobs.put(data)
        asset_cache.build(ctx, sha, image, m)
        with store_db.transaction(ctx.sessions) as session:
            asset = Asset(
                key_ref=secrets.token_hex(16),
                sha256=sha,
                title=title or path.stem,
                filename=path.name,
                format=fmt,
                width=int(image.shape[1]),
                height=int(image.shape[0]),
                grid_y=int(grid[0]),
                grid_x=int(grid[1]),
                strength=float(strength),
                **geometry_columns(geo),
            )
            session.add(asset)
            session.flush()
            details = {"sha256": sha, "title": asset.title, "filename": asset.filename, "format": fmt, "width": asset.width, "height": asset.height}
            if geo is not None:
                details["geometric"] = {"grid": list(geo.grid), "amplitude_px": geo.amplitude, "max_px": geo.max_px}
            audit.append(session, actor, "asset.add", "asset", asset.id, details)
            out.append(_added(asset, path, duplicate=False))
        if progress:
            progress(i + 1, len(images), path.name)
    return out


def list_all(ctx: Context, *, archived: bool | None = False) -> list[records.Asset]:
    """Every image and document in use (what the forms offer), oldest first (a document's pages are
    in ``show``); with ``archived``, the archived ones instead (:mod:`leaktrace.services.asset_edits`);
    with ``archived=None``, both (what names the assets of older shares and findings)."""
    with ctx.sessions() as session:
        return [
            record(a)
            for a in queries.list_assets(session)
            if a.asset_kind != "page" and (archived is None or (a.archived_at is not None) == archived)
        ]


def show(ctx: Context, asset_id: int | str) -> records.Asset:
    """The record of one asset (``asset show``): its file, both carriers and the displacement bound;
    a document's with its pages."""
    a = get(ctx, asset_id)
    if a.asset_kind != "document":
        return record(a)
    from leaktrace.services import documents

    return record(a, page_assets=tuple(record(p) for p in documents.pages_of(ctx, a.id)))


def get(ctx: Context, asset_id: int | str) -> Asset:
    number = ids.number(asset_id, "asset")
    with ctx.sessions() as session:
        asset = queries.asset_by_id(session, number)
        session.expunge(asset)
        return asset


@dataclass(frozen=True)
class Prepared:
    """What the fingerprint needs of one asset, computed once per process."""

    original: np.ndarray  # h w 3 uint8
    mask: np.ndarray  # h w float32
    grid: tuple[int, int]
    geometry: geometry.Geometry | None = None


def prepare(ctx: Context, asset: Asset):
    """What copies of ``asset`` need (:class:`Prepared`; a document's :class:`leaktrace.services.documents.Prepared`)."""
    if asset.asset_kind == "page":
        raise BadInput(f"asset {asset.id} is page {asset.page} of document {asset.document_id}: share the document.")
    if asset.asset_kind == "document":
        from leaktrace.services import documents

        return documents.prepare(ctx, asset)
    return _prepare(str(ctx.blobs.path(asset.sha256)), asset.sha256, (asset.grid_y, asset.grid_x), ctx.settings.max_pixels, geometry_of(asset))


@lru_cache(maxsize=8)
def _prepare(path: str, sha: str, grid: tuple[int, int], max_pixels: int, geo: geometry.Geometry | None = None) -> Prepared:
    original = imagefiles.read_image(Path(path), max_pixels=max_pixels, max_bytes=2**40)
    return Prepared(original, mask.perceptual_mask(original), grid, geo)


def all_assets(ctx: Context) -> list[Asset]:
    """Every asset a leak can be of (images and documents' pages, never a document's own row; the
    archived ones too: a leak of an old drawing is still traced), detached from its session, oldest first."""
    with ctx.sessions() as session:
        rows = [a for a in queries.list_assets(session) if a.asset_kind != "document"]
        for a in rows:
            session.expunge(a)
    return rows
