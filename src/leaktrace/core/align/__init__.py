"""Registration: where a leak sits on its original (homography, mirror) and which region agrees.

The fingerprint's wavelength is about 1/32 of the image width, so the registration
must be accurate well below that: sub-pixel on the original's grid.

Pipeline of :func:`register`:

1. Luminance of both images at a working scale (longest side ≤ ``max_side``).
2. Hypotheses: SIFT (sensitive settings for thin lines; the original's side at twice the
   leak's working size, cached per asset) + ratio test + USAC/MAGSAC, several
   homographies per side (repeated parts), on the leak and on its mirror; plus the
   full-frame hypotheses (leak = the resized original, or its mirror).
3. Each hypothesis is refined coarse-to-fine by ECC and scored by IMAGE AGREEMENT only
   (median per-tile correlation of lightly blurred images, see ``_images``).
4. Unless some feature hypothesis is strong (≥ 25 inliers and agreement ≥ 0.75),
   feature-free hypotheses are added and refined the same way: a multi-scale template
   search (original inside the leak, leak inside the original, both mirrors), the
   picture's frame in the leak (screenshots, pages), and rotated crops (±5°…45°).
5. The best hypothesis wins; a mirrored one only when clearly better than the best
   unmirrored one. Agreements within ``TIE`` are decided by the LEVEL RESIDUAL (per-tile
   correlation cannot see where a ramp sits; levels can), and an ECC refinement is kept
   only when it fits better by the same rule. Below ``MIN_AGREEMENT`` there is no
   evidence: ``None``.

No recipient score is ever looked at: choosing a hypothesis by the scores would test
many times and void the false-accusation bound.

The package's one public surface is below; its modules are private:
``_register`` (hypotheses and the choice among them), ``_features`` (feature
hypotheses), ``_search`` (feature-free hypotheses), ``_refine`` (ECC), ``_images``
(agreement, resampling matrices) and ``_warp`` (resampling the leak, the valid region).
"""

from ._images import local_scale
from ._register import (
    MIN_AGREEMENT,
    MIRROR_MARGIN,
    RegistrationFeatures,
    features_version,
    register,
    register_all,
    registration_features,
)
from ._warp import valid_grid, valid_in_frame, valid_mask, warp_leak

__all__ = [
    "register",
    "register_all",
    "registration_features",
    "RegistrationFeatures",
    "features_version",
    "warp_leak",
    "valid_mask",
    "valid_grid",
    "valid_in_frame",
    "local_scale",
    "MIN_AGREEMENT",
    "MIRROR_MARGIN",
]
