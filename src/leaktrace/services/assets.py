"""Assets: the confidential originals, kept in the blob store and never sent out.

Adding an asset reads and validates the image, stores the file by SHA-256 (a
second add of the same bytes returns the existing asset), and fixes what the
fingerprint needs per asset: the carrier grid and the strength that meets the
quality target. The search features used to identify leaks, and the original's
registration features (one SIFT run saved per trace), are cached beside.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from leaktrace import imagefiles, records
from leaktrace.core import align, carrier, embed, mask
from leaktrace.errors import BadInput, NotFound
from leaktrace.index import descriptors, hashes
from leaktrace.services.context import Context, Progress
from leaktrace.store import db as store_db
from leaktrace.store import queries
from leaktrace.store.models import Asset


def _record(a: Asset) -> records.Asset:
    """The interface record of a stored asset (never its key reference)."""
    return records.Asset(a.id, a.title, a.filename, a.sha256, a.format, a.width, a.height, (a.grid_y, a.grid_x), a.strength,
                         a.created_at.isoformat())


def _added(a: Asset, path: Path, duplicate: bool) -> records.AssetAdded:
    return records.AssetAdded(**vars(_record(a)), path=str(path), duplicate=duplicate)


def read_limits(ctx: Context) -> dict:
    return {"max_pixels": ctx.settings.max_pixels, "max_bytes": int(ctx.settings.max_file_mb * 2**20)}


def add(ctx: Context, paths: list[Path], *, title: str | None = None, progress: Progress | None = None) -> list[records.AssetAdded]:
    """Register each file as an asset; every file is validated before anything is stored."""
    if not paths:
        raise BadInput("no asset file given.")
    images = [(p, imagefiles.read_image(p, **read_limits(ctx)), imagefiles.image_format(p)) for p in paths]
    out = []
    for i, (path, image, fmt) in enumerate(images):
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        with ctx.sessions() as session:
            existing = queries.find_asset_by_sha256(session, sha)
            if existing is not None:
                out.append(_added(existing, path, duplicate=True))
                continue
        grid = carrier.grid_for(image.shape[:2], cells=ctx.settings.carrier_cells, min_cell_px=ctx.settings.min_cell_px)
        m = mask.perceptual_mask(image)
        strength = embed.strength_for_psnr(image, grid, m, target_psnr=ctx.settings.target_psnr)
        ctx.blobs.put(data)
        _cache_features(ctx, sha, image)
        _cache_registration_features(ctx, sha, image)
        with store_db.transaction(ctx.sessions) as session:
            asset = Asset(
                key_ref=secrets.token_hex(16), sha256=sha, title=title or path.stem, filename=path.name, format=fmt,
                width=int(image.shape[1]), height=int(image.shape[0]), grid_y=int(grid[0]), grid_x=int(grid[1]), strength=float(strength),
            )
            session.add(asset)
            session.flush()
            out.append(_added(asset, path, duplicate=False))
        if progress:
            progress(i + 1, len(images), path.name)
    return out


def list_all(ctx: Context) -> list[records.Asset]:
    """Every asset, oldest first."""
    with ctx.sessions() as session:
        return [_record(a) for a in queries.list_assets(session)]


def get(ctx: Context, asset_id: int | str) -> Asset:
    try:
        number = int(asset_id)
    except (TypeError, ValueError):
        raise NotFound(f"no asset numbered {asset_id!r}.") from None
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


def prepare(ctx: Context, asset: Asset) -> Prepared:
    return _prepare(str(ctx.blobs.path(asset.sha256)), asset.sha256, (asset.grid_y, asset.grid_x), ctx.settings.max_pixels)


@lru_cache(maxsize=8)
def _prepare(path: str, sha: str, grid: tuple[int, int], max_pixels: int) -> Prepared:
    original = imagefiles.read_image(Path(path), max_pixels=max_pixels, max_bytes=2**40)
    return Prepared(original, mask.perceptual_mask(original), grid)


def _features_path(ctx: Context, sha: str) -> Path:
    return ctx.home / "cache" / f"{sha}.features"


def _cache_features(ctx: Context, sha: str, image: np.ndarray) -> None:
    path = _features_path(ctx, sha)
    path.parent.mkdir(exist_ok=True)
    payload = descriptors.to_bytes(descriptors.extract(image))
    imagefiles.write_atomic(path, payload)
    imagefiles.write_atomic(path.with_suffix(".hash"), hashes.global_hash(image).tobytes())


def all_assets(ctx: Context) -> list[Asset]:
    """Every asset row, detached from its session, oldest first."""
    with ctx.sessions() as session:
        rows = queries.list_assets(session)
        for a in rows:
            session.expunge(a)
    return rows


def search_entry(ctx: Context, asset: Asset) -> tuple[np.ndarray, descriptors.Features]:
    """(hash, features) of one asset for the search index, from the cache (rebuilt where missing)."""
    path = _features_path(ctx, asset.sha256)
    if not path.exists() or not path.with_suffix(".hash").exists():
        _cache_features(ctx, asset.sha256, prepare(ctx, asset).original)
    return image_hash(ctx, asset), descriptors.from_bytes(path.read_bytes())


def image_hash(ctx: Context, asset: Asset) -> np.ndarray:
    """The asset's global hash (:func:`leaktrace.index.hashes.global_hash`), from the cache
    (rebuilt with the features where missing)."""
    path = _features_path(ctx, asset.sha256).with_suffix(".hash")
    if not path.exists():
        _cache_features(ctx, asset.sha256, prepare(ctx, asset).original)
    return np.frombuffer(path.read_bytes(), np.uint8)


def registration_features(ctx: Context, asset: Asset) -> align.RegistrationFeatures:
    """The original's registration features, from the cache (rebuilt where missing or stale).

    The cache file is named by the features' version, so a change of detector settings
    never mixes old features with new ones; an unreadable file is recomputed.
    """
    path = _registration_path(ctx, asset.sha256)
    if path.exists():
        features = _registration_from_bytes(path.read_bytes())
        if features is not None and features.version == align.features_version() and features.shape == (asset.height, asset.width):
            return features
    return _cache_registration_features(ctx, asset.sha256, prepare(ctx, asset).original)


def _registration_path(ctx: Context, sha: str) -> Path:
    tag = hashlib.sha256(align.features_version().encode()).hexdigest()[:12]
    return ctx.home / "cache" / f"{sha}.{tag}.registration"


def _cache_registration_features(ctx: Context, sha: str, image: np.ndarray) -> align.RegistrationFeatures:
    features = align.registration_features(image)
    path = _registration_path(ctx, sha)
    path.parent.mkdir(exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer, points=features.points, descriptors=features.descriptors, matrix=features.matrix,
        shape=np.array(features.shape, np.int64), version=np.array(features.version),
    )
    imagefiles.write_atomic(path, buffer.getvalue())
    return features


def _registration_from_bytes(data: bytes) -> align.RegistrationFeatures | None:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return align.RegistrationFeatures(
                npz["points"], npz["descriptors"], npz["matrix"], tuple(npz["shape"].tolist()), str(npz["version"])
            )
    except (ValueError, KeyError, OSError, EOFError):
        return None
