"""Which asset is this leak? The search index behind ``trace``, by the ``index_backend`` setting.

Each backend is a factory ``(ctx, assets) -> AssetIndex`` in :data:`BACKENDS`:

- ``brute`` builds a :class:`~leaktrace.index.BruteForceIndex` of every asset from the
  feature cache, per trace (linear in the number of assets, nothing kept).
- ``ann`` keeps an :class:`~leaktrace.index.AnnIndex` in ``HOME/cache/assets.ann``: on
  each trace it is loaded, brought in step with the store (new assets added, gone ones
  removed, an entry whose SHA-256 is not its asset's file replaced, saved atomically if
  anything changed) and verifies only a shortlist, reading the full features of those
  assets from the cache. A missing or unreadable file is rebuilt; so is one trained on a
  corpus :data:`RETRAIN_GROWTH` times smaller. ``leaktrace index check`` compares it with
  the store without changing it; ``leaktrace index rebuild`` makes it anew.

Each entry carries its asset file's SHA-256: a database restored from a backup, or moved
beside another workspace's cache, may give an id to another file than the one indexed under
it, and the index must then say so (and be brought in step), never answer with the wrong asset.
- ``auto`` is brute below :data:`AUTO_ANN_FROM` assets, and ann from there (FAISS is a
  dependency of leaktrace).

A scan screens each image first (:func:`screen_for`, :mod:`leaktrace.index.screen`): on the
kept FAISS index when the backend uses it, else on one made in memory beside the brute-force
index, sharing its features (FAISS's compact codes: about 6 KB an asset).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from leaktrace.atomic import private_dir
from leaktrace.errors import BadInput
from leaktrace.index import AnnIndex, AssetIndex, BruteForceIndex, Features
from leaktrace.index.screen import Screen
from leaktrace.records import IndexCheck
from leaktrace.services import asset_cache
from leaktrace.services import assets as assets_service
from leaktrace.services.context import Context, Progress
from leaktrace.store.models import Asset

__all__ = ["AUTO_ANN_FROM", "BACKENDS", "RETRAIN_GROWTH", "ann_path", "check", "index_for", "rebuild", "screen_for"]

#: ``auto`` switches from brute force to the FAISS index at this many assets.
AUTO_ANN_FROM = 500
#: The ANN index is rebuilt (retrained) when the corpus outgrows its training this many times.
RETRAIN_GROWTH = 16
_PER_ASSET: int = AnnIndex.__init__.__kwdefaults__["per_asset"]  # descriptors per asset in the ANN index


class IndexFactory(Protocol):
    """A search backend: the index of ``assets`` for one trace."""

    def __call__(self, ctx: Context, assets: list[Asset]) -> AssetIndex: ...


def index_for(ctx: Context, assets: list[Asset]) -> AssetIndex:
    """The search index of ``assets`` (every asset of the workspace), by ``index_backend``."""
    return BACKENDS[ctx.settings.index_backend](ctx, assets)


def screen_for(ctx: Context, assets: list[Asset]) -> tuple[AssetIndex, Screen]:
    """The search index of ``assets`` (as :func:`index_for`) and the scan's screen over the same assets."""
    backend = ctx.settings.index_backend
    if backend == "ann" or (backend == "auto" and len(assets) >= AUTO_ANN_FROM):
        index = ann(ctx, assets)
        return index, Screen(index)
    entries = {asset.id: asset_cache.search_entry(ctx, asset) for asset in assets}
    full, votes = BruteForceIndex(), AnnIndex(features_loader=lambda asset_id: entries[asset_id][1], nlist=_nlist(len(assets)))
    for asset_id, (image_hash, features) in entries.items():
        full.add(asset_id, image_hash, features)
        votes.add(asset_id, image_hash, features)
    return full, Screen(votes)


def ann_path(ctx: Context) -> Path:
    """Where the ``ann`` backend keeps its index."""
    return ctx.home / "cache" / "assets.ann"


def brute(ctx: Context, assets: list[Asset]) -> BruteForceIndex:
    """Every asset's cached hash and features in a fresh brute-force index."""
    index = BruteForceIndex()
    for asset in assets:
        index.add(asset.id, *asset_cache.search_entry(ctx, asset))
    return index


def ann(ctx: Context, assets: list[Asset], *, fresh: bool = False, progress: Progress | None = None) -> AnnIndex:
    """The persistent FAISS index, in step with ``assets`` (made anew with ``fresh``; ``progress``
    is told ``(label, done, total)`` as assets are added)."""
    by_id = {asset.id: asset for asset in assets}
    path = ann_path(ctx)
    index = None if fresh else _load(ctx, by_id)
    if index is not None and index.trained_on and RETRAIN_GROWTH * index.trained_on < index.per_asset * len(assets):
        index = None
    changed = index is None
    if index is None:
        index = AnnIndex(features_loader=_loader(ctx, by_id), nlist=_nlist(len(assets)))
    for gone in set(index.asset_ids()) - by_id.keys():
        index.remove(gone)
        changed = True
    for done, asset in enumerate(assets, 1):
        if index.digest_of(asset.id) != asset.sha256:  # new, or indexed under this id from another file
            index.add(asset.id, *asset_cache.search_entry(ctx, asset), sha256=asset.sha256)
            changed = True
        if progress is not None:
            progress(done, len(assets), "index the assets")
    if changed:
        _save(index, path)
    return index


def check(ctx: Context) -> IndexCheck:
    """Compare the kept FAISS index with the store, changing nothing: what it would answer for."""
    assets = assets_service.all_assets(ctx)
    by_id = {asset.id: asset for asset in assets}
    path = ann_path(ctx)
    index = _load(ctx, by_id) if path.exists() else None
    held = set(index.asset_ids()) if index is not None else set()
    stale = tuple(sorted(i for i in held & by_id.keys() if index.digest_of(i) != by_id[i].sha256))
    return IndexCheck(
        backend=ctx.settings.index_backend,
        in_use=ctx.settings.index_backend == "ann" or (ctx.settings.index_backend == "auto" and len(assets) >= AUTO_ANN_FROM),
        kept=index is not None,
        readable=index is not None or not path.exists(),
        assets=len(assets),
        entries=len(held),
        missing=tuple(sorted(by_id.keys() - held)),
        extra=tuple(sorted(held - by_id.keys())),
        stale=stale,
    )


def rebuild(ctx: Context, progress: Progress | None = None) -> IndexCheck:
    """Make the FAISS index anew from every asset (``leaktrace index rebuild``), whatever the backend setting."""
    ann(ctx, assets_service.all_assets(ctx), fresh=True, progress=progress)
    return check(ctx)


def _loader(ctx: Context, by_id: dict[int, Asset]):
    def load_features(asset_id: int) -> Features:
        return asset_cache.search_entry(ctx, by_id[asset_id])[1]

    return load_features


def _load(ctx: Context, by_id: dict[int, Asset]) -> AnnIndex | None:
    """The kept index, or None when there is none or it is damaged or of an older format (then rebuilt)."""
    try:
        return AnnIndex.load(ann_path(ctx), features_loader=_loader(ctx, by_id))
    except BadInput:
        return None
    except FileNotFoundError:  # pragma: no cover - removed in between
        return None


def auto(ctx: Context, assets: list[Asset]) -> AssetIndex:
    """Brute force for a small workspace; the FAISS index from :data:`AUTO_ANN_FROM` assets."""
    return ann(ctx, assets) if len(assets) >= AUTO_ANN_FROM else brute(ctx, assets)


BACKENDS: dict[str, IndexFactory] = {"auto": auto, "brute": brute, "ann": ann}


def _nlist(n_assets: int) -> int:
    """IVF lists for ``n_assets``: a power of two near sqrt(descriptors), 16 to 4096."""
    return int(np.clip(2 ** round(np.log2(max(1, _PER_ASSET * n_assets) ** 0.5)), 16, 4096))


def _save(index: AnnIndex, path: Path) -> None:
    """Save atomically (``AnnIndex.save`` writes a partial file of its own): concurrent traces never mix files."""
    private_dir(path.parent)
    index.save(path)
