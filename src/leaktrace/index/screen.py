"""The cheap first stage of a scan: is this image worth the full search at all?

A crawler's firehose is almost all images that show no asset, and the full search of ``trace``
(a full decode, SIFT on a 1024 px working image, verification) costs about 0.2 s each. The
screen answers "maybe" or "no" from a small view of the image (a JPEG decoded at 1/2–1/8 of
its size by DCT scaling, :data:`SIDE` px on its longer side) and a compact local-feature query:

1. **Hash.** The global hash (plain and mirrored) within ``hash_radius`` of an asset's: maybe
   (a whole repost, even of a smooth render with no features).
2. **Votes.** :data:`FEATURES` SIFT descriptors of the small view vote in the FAISS index of
   :class:`~leaktrace.index.AnnIndex` (every asset when it holds no more than its shortlist).
3. **Verification.** The :data:`VERIFIED` assets with most votes are verified with the small
   view's features against the asset's full ones, by a lower bar than the search's
   (:data:`MIN_INLIERS`): the small view has a few times fewer features.

"Maybe" sends the image to the full search (and, if that matches, to the trace); "no" ends
it. The screen only decides which files get that far: image evidence only, no recipient.

What it does not cover: a crop of a smooth render with neither a hash match nor features (the
feature-free fallback of ``trace``) is "no", as it is for the full search of a scan.
"""

from __future__ import annotations

import numpy as np

from leaktrace.core.features import SEARCH, Settings, extract, grey
from leaktrace.index.ann import AnnIndex
from leaktrace.index.descriptors import Features
from leaktrace.index.verify import verify

__all__ = ["FEATURES", "MIN_COVERAGE", "MIN_INLIERS", "SIDE", "VERIFIED", "Screen", "describe"]

#: Longer side of the screen's view, pixels (the decode's ``reduce_to_side`` and SIFT's working size).
SIDE = 400
#: Most SIFT keypoints of the view, strongest first.
FEATURES = 400
#: Assets verified per image, most votes first.
VERIFIED = 5
#: Fewest homography inliers, and smallest covered fraction of the asset, for "maybe".
MIN_INLIERS = 8
MIN_COVERAGE = 0.02
_SETTINGS = Settings(max_side=SIDE, min_side=SEARCH.min_side, max_features=FEATURES, contrast=SEARCH.contrast, edge=SEARCH.edge)


def describe(image: np.ndarray) -> tuple[np.ndarray, Features]:
    """The grey view of a (small) decoded image and its screening features, in the view's own pixels.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) uint8 ndarray
        The image as decoded for the screen (any size: it is shrunk to :data:`SIDE`).

    Returns
    -------
    grey : (H, W) uint8 ndarray
    features : Features
    """
    g = grey(image)
    return g, extract(g, _SETTINGS)


class Screen:
    """The screen over the assets of an :class:`~leaktrace.index.AnnIndex` (module docstring).

    Parameters
    ----------
    index : AnnIndex
        Its hashes, its FAISS votes and (through its loader) every asset's full features.
    verified, min_inliers, min_coverage
        As :data:`VERIFIED`, :data:`MIN_INLIERS`, :data:`MIN_COVERAGE`.

    Examples
    --------
    >>> import cv2
    >>> from leaktrace.index import extract, global_hash
    >>> noise = np.random.default_rng(1).normal(0, 1, (300, 400)).astype(np.float32)
    >>> asset = cv2.normalize(cv2.GaussianBlur(noise, (0, 0), 3), None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    >>> index = AnnIndex()
    >>> index.add(3, global_hash(asset), extract(asset))
    >>> screen = Screen(index)
    >>> screen.candidates(*describe(asset[50:250, 100:350]))
    [3]
    >>> screen.candidates(*describe(np.random.default_rng(0).integers(0, 256, (300, 400), dtype=np.uint8)))
    []
    """

    def __init__(self, index: AnnIndex, *, verified: int = VERIFIED, min_inliers: int = MIN_INLIERS, min_coverage: float = MIN_COVERAGE) -> None:
        self.index = index
        self.verified, self.min_inliers, self.min_coverage = verified, min_inliers, min_coverage

    def __len__(self) -> int:
        return len(self.index)

    def candidates(self, grey: np.ndarray, features: Features) -> list[int]:
        """Asset ids this view may show (worth the full search), the likeliest first; ``[]`` for "no"."""
        index = self.index
        if not len(index):
            return []
        near = index.hash_candidates(grey)
        if near:
            return [index.asset_of(slot) for slot, _, _ in sorted(near, key=lambda t: t[1])]
        out = []
        slots = index.candidates(features)
        for slot in slots if len(index) <= index.shortlist else slots[: self.verified]:
            match = verify(features, index.full_features(slot))
            if match.inliers >= self.min_inliers and match.coverage >= self.min_coverage:
                out.append((match.inliers, index.asset_of(slot)))
        return [asset_id for _, asset_id in sorted(out, key=lambda t: -t[0])]
