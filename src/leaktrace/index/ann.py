"""The FAISS asset-search backend: a shortlist by descriptor votes, then verification.

:class:`AnnIndex` answers like :class:`~leaktrace.index.brute.BruteForceIndex` (same
fast path, same acceptance rules), but verifies a shortlist instead of every asset:

1. **Fast path.** The query's global hash, plain and mirrored, in a FAISS binary index
   (exact Hamming range search). Same rules as brute force.
2. **Votes.** Up to ``per_asset`` SIFT descriptors of every asset, spread over the
   image, sit in one FAISS IVF-PQ index (4-bit fast scan) whose ids are asset slots.
   Each query descriptor (and its mirror) looks up ``neighbours`` approximate nearest
   descriptors and shares one vote among the assets of those closer than ``vote_distance``.
3. **Verification.** Also after a fast-path hit, the ``shortlist`` assets with most votes (at least
   ``min_votes``) are verified with their *full* features, which come from
   ``features_loader`` when one is given, so RAM holds only the compact codes.

FAISS is imported only when an index is built, searched, saved or loaded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

import numpy as np

from leaktrace.atomic import atomic_writer
from leaktrace.core.views import LeakView
from leaktrace.errors import BadInput, MissingDependency
from leaktrace.index import descriptors
from leaktrace.index.descriptors import Features, mirror
from leaktrace.index.hashes import HASH_BYTES, global_hash
from leaktrace.index.verify import Match, checked_entry, hash_match, verify

__all__ = ["AnnIndex"]

_FORMAT = 2  # version of the save() file (2: each entry carries its asset's SHA-256)
_DIGEST_BYTES = 32
_GRID = 8  # descriptors kept for the ANN are spread over a GRID x GRID lattice
_FLUSH = 1 << 20  # pending descriptors that trigger a batch insert into FAISS


def _faiss(threads: int):
    try:
        import faiss
    except ImportError:  # pragma: no cover - a broken install: faiss-cpu is a dependency
        raise MissingDependency("the 'ann' index backend needs FAISS, which is missing from this installation: pip install faiss-cpu") from None
    faiss.omp_set_num_threads(threads)
    return faiss


def spread(features: Features, n: int) -> np.ndarray:
    """Indices of at most ``n`` keypoints taken evenly over an 8x8 grid of the image.

    Round-robin over the grid cells, in extraction order within a cell, so a crop of a
    quarter of the image keeps about a quarter of the kept descriptors.

    Examples
    --------
    >>> xy = np.array([[1, 1], [2, 2], [3, 3], [90, 90]], np.float32)
    >>> spread(Features(xy, np.zeros((4, 128), np.uint8), (100, 100)), 2).tolist()
    [0, 3]
    """
    if len(features) <= n:
        return np.arange(len(features))
    h, w = features.shape
    cells = np.clip((features.keypoints * [_GRID / w, _GRID / h]).astype(int), 0, _GRID - 1)
    cell = cells[:, 1] * _GRID + cells[:, 0]  # n
    order = np.argsort(cell, kind="stable")
    starts = np.searchsorted(cell[order], cell[order])
    rank = np.empty(len(cell), np.int64)
    rank[order] = np.arange(len(cell)) - starts  # position within its cell
    return np.sort(np.lexsort((cell, rank))[:n])


class AnnIndex:
    """Asset search with a FAISS shortlist; answers like :class:`BruteForceIndex`.

    Parameters
    ----------
    features_loader : callable (int) -> Features, optional
        Full features of an asset by id, for verification. When given, the index keeps
        no full features in RAM; otherwise it keeps those passed to :meth:`add`.
    hash_radius, min_inliers, min_coverage, rich, max_features, max_side
        As :class:`~leaktrace.index.brute.BruteForceIndex` (same acceptance rules).
    per_asset : int, optional
        Descriptors per asset in the ANN index (spread over the image).
    query_descriptors : int, optional
        Query descriptors (spread over the query) that vote.
    shortlist : int, optional
        Most assets verified per search after the vote.
    min_votes : float, optional
        Fewest (weighted) votes for an asset to be verified at all.
    neighbours : int, optional
        Approximate nearest descriptors looked up per query descriptor.
    vote_distance : float, optional
        Largest L2 distance (SIFT units, descriptor norm about 512) of a voting neighbour.
    nlist, pq_m : int, optional
        IVF lists (0: about the square root of the descriptor count when first
        trained, 64 to 4096) and bytes per PQ code (must divide 128).
    nprobe : int, optional
        IVF lists searched per query descriptor.
    threads : int, optional
        FAISS OpenMP threads, set explicitly for repeatable timing.
    seed : int, optional
        Seed of FAISS training, for repeatable results.

    Notes
    -----
    Memory per asset: ``per_asset * (pq_m / 2 + 8)`` bytes (4-bit fast-scan PQ codes and
    int64 ids) plus about 30 bytes of hash and bookkeeping: about 6 KB at the defaults,
    0.6 GB per 10^5 assets. IVF-PQ is trained once, on the first 2^20 descriptors added
    (or all of them, at the first search); rebuild when the corpus has outgrown
    :attr:`trained_on` many times, and pass ``nlist`` of about ``sqrt(per_asset * n)``.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("faiss")
    >>> y, x = np.mgrid[:200, :200]
    >>> smooth = (128 + 90 * np.sin(x / 23.0) * np.cos(y / 31.0)).astype(np.uint8)
    >>> index = AnnIndex()
    >>> from leaktrace.index import extract, global_hash
    >>> index.add(7, global_hash(smooth), extract(smooth))
    >>> [(asset, round(score)) for asset, score in index.search(smooth[:, ::-1])]
    [(7, 22)]
    """

    def __init__(
        self,
        *,
        features_loader: Callable[[int], Features] | None = None,
        hash_radius: int = 10,
        min_inliers: int = 12,
        min_coverage: float = 0.05,
        rich: int = 50,
        max_features: int = 2000,
        max_side: int = 1024,
        per_asset: int = 256,
        query_descriptors: int = 1000,
        shortlist: int = 8,
        min_votes: float = 2.0,
        neighbours: int = 8,
        vote_distance: float = 200.0,
        nlist: int = 0,
        pq_m: int = 32,
        nprobe: int = 16,
        threads: int = 1,
        seed: int = 1234,
    ) -> None:
        if 128 % pq_m or per_asset < 1 or shortlist < 1:
            raise BadInput(f"pq_m must divide 128 and per_asset, shortlist be ≥ 1, got {pq_m}, {per_asset}, {shortlist}")
        self.features_loader = features_loader
        self.hash_radius, self.min_inliers, self.min_coverage = hash_radius, min_inliers, min_coverage
        self.rich, self.max_features, self.max_side = rich, max_features, max_side
        self.per_asset, self.query_descriptors = per_asset, query_descriptors
        self.shortlist, self.min_votes = shortlist, min_votes
        self.neighbours, self.vote_distance = neighbours, vote_distance
        self.nlist, self.pq_m, self.nprobe, self.threads, self.seed = nlist, pq_m, nprobe, threads, seed
        # Per slot (append-only; a removed or replaced asset leaves a dead slot, id -1).
        self._ids = np.zeros(0, np.int64)  # s
        self._hashes = np.zeros((0, HASH_BYTES), np.uint8)  # s 8
        self._shapes = np.zeros((0, 2), np.int32)  # s 2, (H, W)
        self._counts = np.zeros(0, np.int32)  # s, full feature count
        self._digests = np.zeros((0, _DIGEST_BYTES), np.uint8)  # s 32, the asset file's SHA-256 (zeros: not given)
        self._n = 0  # slots in use; the arrays above have spare capacity
        self._slot: dict[int, int] = {}
        self._features: dict[int, Features] = {}  # slot -> full features, without a loader
        self._pending: list[tuple[int, np.ndarray]] = []  # (slot, (m, 128) uint8)
        self._n_pending = 0
        self._local = None  # faiss IndexIVFPQFastScan, ids are slots
        self._binary = None  # faiss IndexBinaryFlat, row = slot
        self.trained_on = 0  # descriptors IVF-PQ was trained on

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, asset_id: object) -> bool:
        return asset_id in self._slot

    def asset_ids(self) -> list[int]:
        """Registered asset ids, in registration order."""
        return list(self._slot)

    def digest_of(self, asset_id: int) -> str | None:
        """The SHA-256 (hex) the entry of ``asset_id`` was added with, or None (not held, or added without one).

        What the index claims to hold is checked against the store by it: a database restored
        from a backup may give an id to another file than the one indexed under it."""
        slot = self._slot.get(int(asset_id))
        if slot is None or not self._digests[slot].any():
            return None
        return self._digests[slot].tobytes().hex()

    def add(self, asset_id: int, image_hash: np.ndarray, features: Features, sha256: str | None = None) -> None:
        """Register an asset (with the SHA-256 of its file, hex, when known); an asset id already present is replaced."""
        image_hash = checked_entry(asset_id, image_hash, features)
        try:
            digest = np.frombuffer(bytes.fromhex(sha256), np.uint8) if sha256 else np.zeros(_DIGEST_BYTES, np.uint8)
        except (TypeError, ValueError):
            digest = np.zeros(0, np.uint8)
        if digest.shape != (_DIGEST_BYTES,):
            raise BadInput(f"asset {asset_id}: sha256 must be 64 hex digits, got {sha256!r}")
        self.remove(asset_id)
        slot = self._n
        if slot == len(self._ids):  # grow the per-slot arrays geometrically
            size = max(16, 2 * slot)
            self._ids = np.resize(self._ids, size)
            self._hashes = np.resize(self._hashes, (size, HASH_BYTES))
            self._shapes = np.resize(self._shapes, (size, 2))
            self._counts = np.resize(self._counts, size)
            self._digests = np.resize(self._digests, (size, _DIGEST_BYTES))
        self._n += 1
        self._slot[int(asset_id)] = slot
        self._ids[slot] = int(asset_id)
        self._hashes[slot] = image_hash
        self._shapes[slot] = features.shape
        self._counts[slot] = len(features)
        self._digests[slot] = digest
        if self.features_loader is None:
            self._features[slot] = features
        kept = features.descriptors[spread(features, self.per_asset)]
        if len(kept):
            self._pending.append((slot, np.clip(kept, 0, 255).astype(np.uint8)))
            self._n_pending += len(kept)
            if self._n_pending >= _FLUSH:
                self._flush()

    def remove(self, asset_id: int) -> None:
        """Forget an asset (no-op if it is not registered)."""
        slot = self._slot.pop(int(asset_id), None) if isinstance(asset_id, (int, np.integer)) else None
        if slot is None:
            return
        self._ids[slot] = -1
        self._features.pop(slot, None)
        before = self._n_pending
        self._pending = [(s, d) for s, d in self._pending if s != slot]
        self._n_pending = sum(len(d) for _, d in self._pending)
        if self._local is not None and before == self._n_pending:
            faiss = _faiss(self.threads)
            self._local.remove_ids(faiss.IDSelectorBatch(np.array([slot], np.int64)))

    def search(self, query: np.ndarray | LeakView, k: int = 5) -> list[tuple[int, float]]:
        """Up to ``k`` verified ``(asset_id, score)`` for a query image, best first.

        As :meth:`~leaktrace.index.brute.BruteForceIndex.search`: ``query`` is an
        (H, W) or (H, W, 3) uint8 ndarray; the list is empty when nothing verifies.
        """
        return [(asset_id, score) for asset_id, score, _ in self.search_details(query, k)]

    def search_details(self, query: np.ndarray | LeakView, k: int = 5) -> list[tuple[int, float, Match]]:
        """As :meth:`search`, with the :class:`~leaktrace.index.verify.Match` of each hit."""
        if k < 1 or not self._slot:
            return []
        image, features = descriptors.query(query, max_features=self.max_features, max_side=self.max_side)
        tried = self.hash_candidates(image)
        hits = [hit for hit in (self._hash_hit(*t, features) for t in tried) if hit is not None]
        done = {t[0] for t in tried}  # the shortlist is verified even after a hash hit (see BruteForceIndex)
        for slot in (s for s in self.candidates(features, k) if s not in done):
            match = verify(features, self.full_features(slot))
            if self._accepted(match):
                hits.append((int(self._ids[slot]), float(match.inliers), match))
        hits.sort(key=lambda hit: -hit[1])
        return hits[:k]

    def candidates(self, features: Features, k: int = 1) -> list[int]:
        """Slots of the shortlist for a query's features, most votes first.

        ``max(shortlist, k)`` slots; every live one (as brute force) when there are no more.
        """
        size = max(self.shortlist, k)
        if len(self._slot) <= size:
            return sorted(self._slot.values())
        votes = self.votes(features)  # s
        order = np.argsort(-votes, kind="stable")[:size]
        return [int(s) for s in order if votes[s] >= self.min_votes]

    def votes(self, features: Features) -> np.ndarray:
        """Vote of a query's features for each slot, the better of plain and mirrored.

        Each of up to ``query_descriptors`` query descriptors gives one vote, shared
        equally among the distinct assets of its close neighbours (so a descriptor
        common to many assets says little).
        """
        self._flush()
        votes = np.zeros((2, self._n))  # plain/mirrored, s
        if self._local is None or self._local.ntotal == 0 or len(features) == 0:
            return votes[0]
        kept = spread(features, self.query_descriptors)
        descriptors = np.vstack([features.descriptors[kept], mirror(features).descriptors[kept]])  # 2q 128
        distances, slots = self._local.search(descriptors.astype(np.float32), self.neighbours)  # 2q n
        close = (slots >= 0) & (distances <= self.vote_distance**2)
        rows, cols = np.nonzero(close)
        pairs = np.unique(rows * self._n + slots[rows, cols])  # distinct (descriptor, slot)
        row, slot = pairs // self._n, pairs % self._n
        weight = 1.0 / np.bincount(row, minlength=len(descriptors))[row]
        side = (row >= len(kept)).astype(np.int64)
        np.add.at(votes, (side, slot), weight)
        votes = votes.max(axis=0)  # s
        votes[self._ids[: self._n] < 0] = 0.0
        return votes

    def hash_candidates(self, query: np.ndarray) -> list[tuple[int, int, bool]]:
        """(slot, distance, mirrored) of live assets within ``hash_radius`` of the query image's hash."""
        faiss = _faiss(self.threads)
        if self._binary is None:
            self._binary = faiss.IndexBinaryFlat(8 * HASH_BYTES)
        if self._binary.ntotal < self._n:  # rows are slots: append the new ones
            self._binary.add(self._hashes[self._binary.ntotal : self._n])
        both = np.stack([global_hash(query), global_hash(query, mirrored=True)])
        limits, distances, slots = self._binary.range_search(both, self.hash_radius + 1)
        best: dict[int, tuple[int, bool]] = {}
        for side in (0, 1):
            for slot, d in zip(slots[limits[side] : limits[side + 1]], distances[limits[side] : limits[side + 1]]):
                slot, d = int(slot), int(d)
                if self._ids[slot] >= 0 and (slot not in best or d < best[slot][0]):
                    best[slot] = (d, bool(side))
        return [(slot, d, m) for slot, (d, m) in sorted(best.items())]

    def asset_of(self, slot: int) -> int:
        """The asset id held in ``slot`` (-1: a removed one)."""
        return int(self._ids[slot])

    def full_features(self, slot: int) -> Features:
        """The full features of the asset in ``slot`` (kept, or from ``features_loader``)."""
        loader = self.features_loader
        return self._features[slot] if loader is None else loader(int(self._ids[slot]))

    def _accepted(self, match: Match) -> bool:
        return match.inliers >= self.min_inliers and match.coverage >= self.min_coverage

    def _hash_hit(self, slot: int, distance: int, mirrored: bool, features: Features):
        """A fast-path candidate: it must verify by features if both sides have them."""
        asset_id = int(self._ids[slot])
        if len(features) >= self.rich and self._counts[slot] >= self.rich:
            match = verify(features, self.full_features(slot))
            if not self._accepted(match):
                return None  # a hash collision between two feature-rich images
            match = Match(match.inliers, match.coverage, match.mirrored, match.homography, "features", distance)
            return asset_id, float(match.inliers), match
        match = hash_match(tuple(self._shapes[slot]), features.shape, mirrored, distance)
        return asset_id, float(self.min_inliers + self.hash_radius - distance), match

    def _flush(self) -> None:
        """Train IVF-PQ on the pending descriptors if needed, then insert them."""
        if not self._pending:
            return
        faiss = _faiss(self.threads)
        descriptors = np.vstack([d for _, d in self._pending])  # m 128 uint8
        slots = np.concatenate([np.full(len(d), s, np.int64) for s, d in self._pending])  # m
        if self._local is None:
            self._local = self._train(faiss, descriptors)
        for start in range(0, len(descriptors), 1 << 18):
            chunk = slice(start, start + (1 << 18))
            self._local.add_with_ids(descriptors[chunk].astype(np.float32), slots[chunk])
        self._pending, self._n_pending = [], 0

    def _train(self, faiss, descriptors: np.ndarray):
        """An empty IVF-PQ fast-scan index trained on (a sample of) ``descriptors``."""
        n = len(descriptors)
        nlist = self.nlist or int(np.clip(2 ** round(np.log2(n**0.5)), 16, 4096))
        nlist = max(1, min(nlist, n // 32))
        quantizer = faiss.IndexFlatL2(128)  # exact and faster than HNSW up to a few 1000 lists
        index = faiss.IndexIVFPQFastScan(quantizer, 128, nlist, self.pq_m, 4)
        index.cp.seed = index.pq.cp.seed = self.seed
        index.cp.niter = 10
        index.cp.max_points_per_centroid = 32
        index.cp.min_points_per_centroid = 1  # the sample is 32 a list by design: no FAISS warning on stderr (a scan's progress bar)
        rng = np.random.default_rng(self.seed)
        sample = descriptors[np.sort(rng.choice(n, min(n, 32 * nlist, 1 << 16), replace=False))]
        if len(sample) < 1024:  # PQ needs a few points per code: repeat a tiny corpus
            sample = np.tile(sample, (-(-1024 // len(sample)), 1))
        index.train(sample.astype(np.float32))
        index.nprobe = min(self.nprobe, nlist)
        self.trained_on = n
        return index

    def save(self, path: str | os.PathLike) -> None:
        """Write the hashes and the ANN structures (not full features) to one file, atomically."""
        self._flush()
        faiss = _faiss(self.threads)
        local = faiss.serialize_index(self._local) if self._local is not None else np.zeros(0, np.uint8)
        params = {key: getattr(self, key) for key in _PARAMS}
        params.update(format=_FORMAT, trained_on=self.trained_on)
        with atomic_writer(path) as handle:  # a partial file of its own: concurrent saves never mix
            np.savez(
                handle,
                params=np.array(json.dumps(params)),
                ids=self._ids[: self._n],
                hashes=self._hashes[: self._n],
                shapes=self._shapes[: self._n],
                counts=self._counts[: self._n],
                digests=self._digests[: self._n],
                local=local,
            )

    @classmethod
    def load(cls, path: str | os.PathLike, *, features_loader: Callable[[int], Features]) -> AnnIndex:
        """An index from :meth:`save`; full features then come from ``features_loader``."""
        try:
            with np.load(path, allow_pickle=False) as npz:
                params = json.loads(str(npz["params"]))
                arrays = {key: npz[key] for key in _ARRAYS}
        except (ValueError, KeyError, OSError, EOFError) as error:
            raise BadInput(f"{path}: not a saved ANN index: {error}") from error
        if params.pop("format", None) != _FORMAT:
            raise BadInput(f"{path}: unknown ANN index format")
        trained_on = params.pop("trained_on")
        index = cls(features_loader=features_loader, **params)
        index._ids, index._hashes, index._shapes, index._counts, index._digests = (arrays[key] for key in _ARRAYS[:5])
        index._n, index.trained_on = len(index._ids), trained_on
        index._slot = {int(a): s for s, a in enumerate(index._ids.tolist()) if a >= 0}
        if len(arrays["local"]):
            faiss = _faiss(index.threads)
            index._local = faiss.deserialize_index(arrays["local"])
            index._local.nprobe = min(index.nprobe, index._local.nlist)
        return index


_ARRAYS = ("ids", "hashes", "shapes", "counts", "digests", "local")
_PARAMS = (
    "hash_radius",
    "min_inliers",
    "min_coverage",
    "rich",
    "max_features",
    "max_side",
    "per_asset",
    "query_descriptors",
    "shortlist",
    "min_votes",
    "neighbours",
    "vote_distance",
    "nlist",
    "pq_m",
    "nprobe",
    "threads",
    "seed",
)
