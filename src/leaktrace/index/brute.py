"""The asset-search seam and its brute-force backend.

:class:`AssetIndex` is the one protocol every search backend implements;
:data:`BACKENDS` maps a backend's name to its class. :class:`BruteForceIndex` keeps
every asset in memory and answers in two steps:

1. **Fast path.** The query's global hash, plain and mirrored, against every asset's
   hash (one vectorised XOR). Assets within ``hash_radius`` bits must verify with
   features when both sides have enough of them (so a hash collision between two
   photos is no hit), and are accepted on the hash alone when either side is
   feature-poor (smooth renders, thumbnails).
2. **Local features.** The query's SIFT features against each other asset's, each pair
   geometrically verified (:func:`~leaktrace.index.verify.verify`). After a fast-path hit,
   only against the assets within ``2 * hash_radius`` of the query (the hit's near-duplicates):
   a screenshot of a drawing's second revision can fall within ``hash_radius`` of the first
   revision and outside it of its own, and the features then put the revision it shows among
   the hits (the trace tells near-duplicates apart) without a pass over every asset.

The per-asset loop of step 2 is what an ANN backend replaces with a shortlist.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from leaktrace.core.views import LeakView
from leaktrace.index import descriptors
from leaktrace.index.ann import AnnIndex
from leaktrace.index.descriptors import Features
from leaktrace.index.hashes import HASH_BYTES, distances
from leaktrace.index.verify import Match, checked_entry, hash_match, verify

__all__ = ["BACKENDS", "AssetIndex", "BruteForceIndex"]


@runtime_checkable
class AssetIndex(Protocol):
    """Which registered asset is this image? Every search backend has this shape."""

    def add(self, asset_id: int, image_hash: np.ndarray, features: Features) -> None:
        """Register (or replace) an asset by its global hash and its local features."""

    def search(self, query: np.ndarray | LeakView, k: int = 5) -> list[tuple[int, float]]:
        """Up to ``k`` verified ``(asset_id, score)``, best first; ``[]`` when none."""

    def search_details(self, query: np.ndarray | LeakView, k: int = 5) -> list[tuple[int, float, Match]]:
        """As :meth:`search`, with each hit's :class:`~leaktrace.index.verify.Match`."""


class BruteForceIndex:
    """Asset search by comparing the query with every registered asset.

    Parameters
    ----------
    hash_radius : int, optional
        Largest Hamming distance (of 64 bits) for a fast-path hit.
    min_inliers : int, optional
        Fewest homography inliers for a feature hit.
    min_coverage : float, optional
        Smallest fraction of the asset the query must cover for a feature hit.
    rich : int, optional
        An image with fewer keypoints than this is "feature-poor": a hash hit on it is
        accepted without feature verification.
    max_features, max_side : int, optional
        Passed to :func:`~leaktrace.index.descriptors.extract` for the query; register
        assets with the same values.

    Notes
    -----
    Scores: a feature hit scores its inlier count. A hash-only hit scores
    ``min_inliers + hash_radius - distance``, i.e. like a just-verified feature hit.
    Time per search is one query extraction plus, when the fast path misses, one
    brute-force descriptor match and one MAGSAC fit per asset: linear in the number
    of assets: 15–150 ms per asset, by keypoint count (exact brute-force matching of
    2000 x 2000 descriptors is about 70 ms per hypothesis, plain and mirrored).

    Examples
    --------
    >>> y, x = np.mgrid[:200, :200]
    >>> smooth = (128 + 90 * np.sin(x / 23.0) * np.cos(y / 31.0)).astype(np.uint8)
    >>> index = BruteForceIndex()
    >>> from leaktrace.index import extract, global_hash
    >>> index.add(7, global_hash(smooth), extract(smooth))
    >>> [(asset, round(score)) for asset, score in index.search(smooth[:, ::-1])]
    [(7, 22)]
    >>> index.search(np.random.default_rng(0).integers(0, 256, (200, 200), dtype=np.uint8))
    []
    """

    def __init__(
        self,
        *,
        hash_radius: int = 10,
        min_inliers: int = 12,
        min_coverage: float = 0.05,
        rich: int = 50,
        max_features: int = 2000,
        max_side: int = 1024,
    ) -> None:
        self.hash_radius = hash_radius
        self.min_inliers = min_inliers
        self.min_coverage = min_coverage
        self.rich = rich
        self.max_features = max_features
        self.max_side = max_side
        self._ids: list[int] = []
        self._hashes = np.zeros((0, HASH_BYTES), np.uint8)  # n 8
        self._features: list[Features] = []

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, asset_id: object) -> bool:
        return asset_id in self._ids

    def add(self, asset_id: int, image_hash: np.ndarray, features: Features) -> None:
        """Register an asset; an asset id already present is replaced."""
        image_hash = checked_entry(asset_id, image_hash, features)
        self.remove(asset_id)
        self._ids.append(int(asset_id))
        self._hashes = np.vstack([self._hashes, image_hash[None]])
        self._features.append(features)

    def remove(self, asset_id: int) -> None:
        """Forget an asset (no-op if it is not registered)."""
        if asset_id in self._ids:
            i = self._ids.index(asset_id)
            del self._ids[i]
            del self._features[i]
            self._hashes = np.delete(self._hashes, i, axis=0)

    def search(self, query: np.ndarray | LeakView, k: int = 5) -> list[tuple[int, float]]:
        """Up to ``k`` verified ``(asset_id, score)`` for a query image, best first.

        Parameters
        ----------
        query : (H, W) or (H, W, 3) uint8 ndarray, or LeakView
            The leak (a view's own features are used, not extracted again).
        k : int, optional
            Most results to return.

        Returns
        -------
        hits : list of (int, float)
            Asset id and score (see Notes of the class); empty when nothing verifies.
        """
        return [(asset_id, score) for asset_id, score, _ in self.search_details(query, k)]

    def search_details(self, query: np.ndarray | LeakView, k: int = 5) -> list[tuple[int, float, Match]]:
        """As :meth:`search`, with the :class:`~leaktrace.index.verify.Match` of each hit."""
        if k < 1 or not self._ids:
            return []
        image, features = descriptors.query(query, max_features=self.max_features, max_side=self.max_side)
        plain, flipped = distances(image, self._hashes)  # n, n
        distance = np.minimum(plain, flipped)  # n
        hits, tried = [], set()
        for i in np.flatnonzero(distance <= self.hash_radius):
            hit = self._hash_hit(int(i), features, int(distance[i]), bool(flipped[i] < plain[i]))
            tried.add(int(i))
            if hit is not None:
                hits.append(hit)
        others = np.flatnonzero(distance <= 2 * self.hash_radius) if hits else range(len(self._ids))
        for i in (int(i) for i in others if int(i) not in tried):
            match = verify(features, self._features[i])
            if self._accepted(match):
                hits.append((self._ids[i], float(match.inliers), match))
        hits.sort(key=lambda hit: -hit[1])
        return hits[:k]

    def _accepted(self, match: Match) -> bool:
        return match.inliers >= self.min_inliers and match.coverage >= self.min_coverage

    def _hash_hit(self, i: int, features: Features, distance: int, mirrored: bool):
        """A fast-path candidate: it must verify by features if both sides have them."""
        candidate = self._features[i]
        if len(features) >= self.rich and len(candidate) >= self.rich:
            match = verify(features, candidate)
            if not self._accepted(match):
                return None  # a hash collision between two feature-rich images
            match = Match(match.inliers, match.coverage, match.mirrored, match.homography, "features", distance)
            return self._ids[i], float(match.inliers), match
        # Feature-poor (a smooth render, a tiny thumbnail): the hash alone decides.
        match = hash_match(candidate.shape, features.shape, mirrored, distance)
        return self._ids[i], float(self.min_inliers + self.hash_radius - distance), match


BACKENDS: dict[str, type] = {"brute": BruteForceIndex, "ann": AnnIndex}
