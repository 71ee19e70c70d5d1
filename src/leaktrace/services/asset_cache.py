"""What a trace needs of each asset, computed once when the asset is registered and kept
under ``HOME/cache``, so that no trace decodes a full-size original.

Per asset (by the original's SHA-256):

- ``<sha>.features`` and ``<sha>.hash``: the asset search's local features and global hash;
- ``<sha>.<tag>.registration``: the original's registration features (one SIFT run saved
  per trace);
- ``<sha>.<tag>.view/``: the :class:`~leaktrace.core.views.OriginalView`: luminance at the
  working scale, and the pyramid of luminance and perceptual mask as ``.npy`` files that a
  trace memory-maps, reading only the window of the one level it tests.

``<tag>`` names the version of what computed the file, so a change of detector settings
or of the view's layout is never mixed with an old file. Everything is rebuilt from the
original when missing or unreadable; files are written whole, then renamed into place,
so concurrent processes never see half a cache. The disk cost is about 5.3 bytes per
original pixel for the view (160 MB for a 30 MP original, 810 MB for 150 MP).

Memory: the pyramid is written level by level and strip by strip as it is made
(:func:`~leaktrace.core.views.original_pyramid`), with plain writes (no memory map, whose
dirty pages would count in the process's resident memory), so building the view costs
the luminance and a strip besides the original and its mask: about 4 bytes per pixel
instead of the whole pyramid in memory plus its conversion temporaries (about 22).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
from pathlib import Path

import cv2
import numpy as np

from leaktrace import imagefiles
from leaktrace.atomic import DIR_MODE, FILE_MODE, private_dir, write_atomic
from leaktrace.core import align, mask, views
from leaktrace.index import descriptors, hashes
from leaktrace.services.context import Context
from leaktrace.store.models import Asset

__all__ = ["build", "search_entry", "image_hash", "registration_features", "original_view", "thumbnail", "blob_thumbnail", "VIEW_VERSION"]

#: What the view files hold; part of their directory name.
VIEW_VERSION = f"view-1-{views.WORK_SIDE}-{views.LUMA_SCALE:g}-{views.TOP_SIDE}-mask-{mask.FLOOR}"


def build(ctx: Context, sha: str, original: np.ndarray, perceptual_mask: np.ndarray | None = None) -> None:
    """Compute and store every cache file of the asset whose original (decoded) is ``original``.

    The registration features are extracted from the view's working luminance (the same
    pixels :func:`leaktrace.core.align.registration_features` computes from the original),
    so the original's luminance is computed once.
    """
    _cache_search(ctx, sha, original)
    view = _cache_view(ctx, sha, original, perceptual_mask)
    _store_registration(ctx, sha, align.registration_features(view))


def _dir(ctx: Context) -> Path:
    return private_dir(ctx.home / "cache")


def _original(ctx: Context, asset: Asset, reduce_to_side: int | None = None) -> np.ndarray:
    """The stored original, decoded (a JPEG at a reduced size when no more than ``reduce_to_side``
    is needed); it passed the limits when it was added, so a lower ``max_pixels`` since then does
    not lock its cache out."""
    limit = max(ctx.settings.max_pixels, int(asset.width) * int(asset.height))
    return imagefiles.read_image(ctx.blobs.path(asset.sha256), max_pixels=limit, max_bytes=2**40, reduce_to_side=reduce_to_side)


# ---------------------------------------------------------------- asset search


def _search_path(ctx: Context, sha: str) -> Path:
    return _dir(ctx) / f"{sha}.features"


def _cache_search(ctx: Context, sha: str, image: np.ndarray) -> None:
    path = _search_path(ctx, sha)
    imagefiles.write_atomic(path, descriptors.to_bytes(descriptors.extract(image)))
    imagefiles.write_atomic(path.with_suffix(".hash"), hashes.global_hash(image).tobytes())


def search_entry(ctx: Context, asset: Asset) -> tuple[np.ndarray, descriptors.Features]:
    """(hash, features) of one asset for the search index, from the cache (rebuilt where missing)."""
    path = _search_path(ctx, asset.sha256)
    if not path.exists() or not path.with_suffix(".hash").exists():
        _cache_search(ctx, asset.sha256, _original(ctx, asset))
    return image_hash(ctx, asset), descriptors.from_bytes(path.read_bytes())


def image_hash(ctx: Context, asset: Asset) -> np.ndarray:
    """The asset's global hash (:func:`leaktrace.index.hashes.global_hash`), from the cache
    (rebuilt with the features where missing)."""
    path = _search_path(ctx, asset.sha256).with_suffix(".hash")
    if not path.exists():
        _cache_search(ctx, asset.sha256, _original(ctx, asset))
    return np.frombuffer(path.read_bytes(), np.uint8)


# ---------------------------------------------------------------- registration features


def _tag(version: str) -> str:
    return hashlib.sha256(version.encode()).hexdigest()[:12]


def _registration_path(ctx: Context, sha: str) -> Path:
    return _dir(ctx) / f"{sha}.{_tag(align.features_version())}.registration"


def registration_features(ctx: Context, asset: Asset) -> align.RegistrationFeatures:
    """The original's registration features, from the cache (rebuilt where missing or stale).

    An unreadable file, or one of another version or shape, is recomputed.
    """
    path = _registration_path(ctx, asset.sha256)
    if path.exists():
        features = _registration_from_bytes(path.read_bytes())
        if features is not None and features.version == align.features_version() and features.shape == (asset.height, asset.width):
            return features
    view = original_view(ctx, asset, features=False)
    return _store_registration(ctx, asset.sha256, align.registration_features(view))


def _store_registration(ctx: Context, sha: str, features: align.RegistrationFeatures) -> align.RegistrationFeatures:
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        points=features.points,
        descriptors=features.descriptors,
        matrix=features.matrix,
        shape=np.array(features.shape, np.int64),
        version=np.array(features.version),
    )
    imagefiles.write_atomic(_registration_path(ctx, sha), buffer.getvalue())
    return features


def _registration_from_bytes(data: bytes) -> align.RegistrationFeatures | None:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return align.RegistrationFeatures(npz["points"], npz["descriptors"], npz["matrix"], tuple(npz["shape"].tolist()), str(npz["version"]))
    except (ValueError, KeyError, OSError, EOFError):
        return None


# ---------------------------------------------------------------- the original's view


def _view_path(ctx: Context, sha: str) -> Path:
    return _dir(ctx) / f"{sha}.{_tag(VIEW_VERSION)}.view"


def original_view(ctx: Context, asset: Asset, *, features: bool = True) -> views.OriginalView:
    """The asset's :class:`~leaktrace.core.views.OriginalView`, its pyramid memory-mapped from
    the cache (built from the original, once, where missing or unreadable), with its
    registration features unless ``features`` is False."""
    path = _view_path(ctx, asset.sha256)
    view = _load_view(str(path), (asset.height, asset.width))
    if view is None:
        original = _original(ctx, asset)
        _discard(path)  # missing, or unreadable: built again
        _cache_view(ctx, asset.sha256, original, None)
        view = _load_view(str(path), (asset.height, asset.width))
        if view is None:  # the cache folder is not writable: work from memory
            view = views.describe_original(original)
    if features:
        view = views.OriginalView(view.shape, view.work, view.work_matrix, view.levels, registration_features(ctx, asset))
    return view


def _discard(folder: Path) -> None:
    """Move an unreadable view out of the way (renamed first: a concurrent reader's maps stay valid)."""
    if folder.exists():
        trash = folder.with_name(f".{folder.name}.stale-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            os.rename(folder, trash)
        except OSError:
            return
        shutil.rmtree(trash, ignore_errors=True)


def _cache_view(ctx: Context, sha: str, original: np.ndarray, perceptual_mask: np.ndarray | None) -> views.OriginalView:
    """Write the view's files (unless there already), level by level as the pyramid is made.

    Returns the view without its levels (shape, working luminance and matrix), from what was
    written or found.
    """
    final = _view_path(ctx, sha)
    shape = (int(original.shape[0]), int(original.shape[1]))
    found = _read_view(final, shape)
    if found is not None:
        return views.OriginalView(found.shape, found.work, found.work_matrix, ())
    view, strips = views.original_pyramid(original, mask=perceptual_mask)
    tmp = final.with_name(f".{final.name}.{os.getpid()}-{secrets.token_hex(4)}")
    tmp.mkdir(mode=DIR_MODE)  # private from the start; the files in it are made 0600 before it is published
    try:
        np.save(tmp / "work.npy", view.work)
        count = _write_levels(tmp, strips)
        meta = {"version": VIEW_VERSION, "shape": list(view.shape), "work_matrix": view.work_matrix.tolist(), "levels": count}
        (tmp / "meta.json").write_text(json.dumps(meta))
        for file in tmp.iterdir():
            os.chmod(file, FILE_MODE)
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())
        try:
            os.rename(tmp, final)
        except OSError:  # another process got there first: its view is the same
            pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return view


def _write_levels(folder: Path, strips) -> int:
    """Write each strip of the pyramid to its level's ``luma<k>.npy`` and ``mask<k>.npy`` as it comes."""
    files: list[tuple] = []
    try:
        for strip in strips:
            if strip.level == len(files):
                for handle in files[-1] if files else ():
                    handle.close()
                files.append(
                    tuple(
                        _open_npy(folder / f"{name}{strip.level}.npy", strip.shape, dtype)
                        for name, dtype in (("luma", np.uint16), ("mask", np.float16))
                    )
                )
            for handle, rows in zip(files[-1], (strip.luma, strip.mask)):
                handle.write(memoryview(np.ascontiguousarray(rows)).cast("B"))
    finally:
        for handle in files[-1] if files else ():
            handle.close()
    return len(files)


def _open_npy(path: Path, shape: tuple[int, int], dtype) -> io.BufferedWriter:
    """A ``.npy`` file opened for its C-order data, its header written (what ``np.save`` writes)."""
    handle = open(path, "wb")
    np.lib.format.write_array_header_1_0(
        handle, {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False, "shape": tuple(shape)}
    )
    return handle


#: Views opened in this process (their arrays are memory maps: cheap to keep).
_OPEN: dict[tuple[str, tuple[int, int]], views.OriginalView] = {}
_OPEN_MAX = 64


def _load_view(path: str, shape: tuple[int, int]) -> views.OriginalView | None:
    key = (path, tuple(shape))
    if key not in _OPEN:
        view = _read_view(Path(path), shape)
        if view is None:
            return None
        if len(_OPEN) >= _OPEN_MAX:
            _OPEN.pop(next(iter(_OPEN)))
        _OPEN[key] = view
    return _OPEN[key]


def _read_view(folder: Path, shape: tuple[int, int]) -> views.OriginalView | None:
    try:
        meta = json.loads((folder / "meta.json").read_text())
        if meta.get("version") != VIEW_VERSION or tuple(meta["shape"]) != tuple(shape):
            return None
        levels = tuple(
            (np.load(folder / f"luma{k}.npy", mmap_mode="r"), np.load(folder / f"mask{k}.npy", mmap_mode="r")) for k in range(int(meta["levels"]))
        )
        work = np.load(folder / "work.npy")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not levels or levels[0][0].shape != tuple(shape):
        return None
    return views.OriginalView(tuple(shape), work, np.array(meta["work_matrix"], float), levels)


def thumbnail(ctx: Context, asset: Asset, side: int) -> bytes:
    """A PNG of the asset's original, its longer side at most ``side`` pixels, made once and kept
    (``<sha>.thumb-<side>.png``): what a page of thumbnails shows instead of the full original."""
    return blob_thumbnail(ctx, asset.sha256, side, pixels=int(asset.width) * int(asset.height))


def blob_thumbnail(ctx: Context, sha256: str, side: int, *, pixels: int, budget_s: float | None = None) -> bytes:
    """A PNG of the stored image ``sha256`` (of ``pixels`` pixels when it was accepted), its longer
    side at most ``side`` pixels, made once and kept (``<sha>.thumb-<side>.png``). ``budget_s``: a
    stranger's file (a leak) is decoded in a worker stopped after that long (``decode_budget_s``)."""
    path = _dir(ctx) / f"{sha256}.thumb-{int(side)}.png"
    try:
        return path.read_bytes()
    except OSError:
        pass
    limit = max(ctx.settings.max_pixels, int(pixels))  # it passed the limits when it came in
    image = imagefiles.read_image(ctx.blobs.path(sha256), max_pixels=limit, max_bytes=2**40, budget_s=budget_s, reduce_to_side=side)
    h, w = image.shape[:2]
    scale = min(1.0, side / max(h, w))
    if scale < 1.0:
        image = cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    data = imagefiles.encode_image(image, "PNG")
    write_atomic(path, data, mode=FILE_MODE)
    return data
