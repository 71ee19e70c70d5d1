"""Which registered asset is this image?

Infrastructure: arrays in, results out; no files and no database (the services layer
persists hashes and features). The public surface:

- :func:`global_hash`, :func:`hamming` — 64-bit perceptual hash, the fast path.
- :class:`Features`, :func:`extract`, :func:`mirror`, :func:`to_bytes`,
  :func:`from_bytes` — local SIFT features and their cache form.
- :class:`Match`, :func:`verify` — geometric verification of a query on an asset.
- :class:`AssetIndex` (the search seam), :class:`BruteForceIndex`, :class:`AnnIndex`
  (FAISS, imported only when used), :data:`BACKENDS`.
"""

from leaktrace.index.ann import AnnIndex
from leaktrace.index.brute import BACKENDS, AssetIndex, BruteForceIndex
from leaktrace.index.descriptors import Features, extract, from_bytes, mirror, to_bytes
from leaktrace.index.hashes import global_hash, hamming
from leaktrace.index.verify import Match, verify

__all__ = [
    "BACKENDS",
    "AnnIndex",
    "AssetIndex",
    "BruteForceIndex",
    "Features",
    "Match",
    "extract",
    "from_bytes",
    "global_hash",
    "hamming",
    "mirror",
    "to_bytes",
    "verify",
]
