"""Which asset is this leak? The search index behind ``trace``, by the ``index_backend`` setting.

Each backend is a factory ``(ctx, assets) -> AssetIndex`` in :data:`BACKENDS`:

- ``brute`` builds a :class:`~leaktrace.index.BruteForceIndex` of every asset from the
  feature cache, per trace (linear in the number of assets, nothing kept).
- ``ann`` keeps an :class:`~leaktrace.index.AnnIndex` in ``HOME/cache/assets.ann``: on
  each trace it is loaded, brought in step with the store (new assets added, gone ones
  removed, saved atomically if anything changed) and verifies only a shortlist, reading
  the full features of those assets from the cache. A missing or unreadable file is
  rebuilt; so is one trained on a corpus :data:`RETRAIN_GROWTH` times smaller.
- ``auto`` is brute below :data:`AUTO_ANN_FROM` assets, and ann from there (FAISS is a
  dependency of leaktrace).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from leaktrace.atomic import private_dir
from leaktrace.errors import BadInput
from leaktrace.index import AnnIndex, AssetIndex, BruteForceIndex, Features
from leaktrace.services import asset_cache
from leaktrace.services.context import Context
from leaktrace.store.models import Asset

__all__ = ["AUTO_ANN_FROM", "BACKENDS", "RETRAIN_GROWTH", "ann_path", "index_for"]

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


def ann_path(ctx: Context) -> Path:
    """Where the ``ann`` backend keeps its index."""
    return ctx.home / "cache" / "assets.ann"


def brute(ctx: Context, assets: list[Asset]) -> BruteForceIndex:
    """Every asset's cached hash and features in a fresh brute-force index."""
    index = BruteForceIndex()
    for asset in assets:
        index.add(asset.id, *asset_cache.search_entry(ctx, asset))
    return index


def ann(ctx: Context, assets: list[Asset]) -> AnnIndex:
    """The persistent FAISS index, in step with ``assets``."""
    by_id = {asset.id: asset for asset in assets}

    def load_features(asset_id: int) -> Features:
        return asset_cache.search_entry(ctx, by_id[asset_id])[1]

    path = ann_path(ctx)
    index = None
    if path.exists():
        try:
            index = AnnIndex.load(path, features_loader=load_features)
        except BadInput:  # a damaged or outdated cache file: rebuild it
            index = None
    if index is not None and index.trained_on and RETRAIN_GROWTH * index.trained_on < index.per_asset * len(assets):
        index = None
    changed = index is None
    if index is None:
        index = AnnIndex(features_loader=load_features, nlist=_nlist(len(assets)))
    for gone in set(index.asset_ids()) - by_id.keys():
        index.remove(gone)
        changed = True
    for asset in assets:
        if asset.id not in index:
            index.add(asset.id, *asset_cache.search_entry(ctx, asset))
            changed = True
    if changed:
        _save(index, path)
    return index


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
