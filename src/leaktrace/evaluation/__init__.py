"""The product measures itself: named leak simulations, the method seam, evaluate and collude.

Pure library code over :mod:`leaktrace.core` (and the settings table, for the default PSNR
target): images in memory in, counts and scores out, no workspace, files or database. The
tests pin its figures, ``make bench`` runs leaktrace and the peers through it, and the demo
leaks its copy through one of its attacks.

- ``attacks``: :data:`ATTACKS`, named leak simulations ``(image, rng) -> image``, :data:`LINE_ART_ATTACKS`
  (the leaks that cut the link to the pixels) and :func:`apply`.
- ``methods``: the :class:`Method` seam, :class:`Identification`, :class:`LeaktraceMethod`
  (the product's own pipeline, through :func:`leaktrace.core.verdict.examine`), :data:`METHODS`.
- ``evaluate``: :func:`evaluate` → :class:`Evaluation` (one :class:`AttackResult` per attack).
- ``collusion``: :func:`collude` over :data:`COLLUSIONS` → one :class:`CollusionResult` each.
"""

from .attacks import ATTACKS, LINE_ART_ATTACKS, Attack, apply
from .collusion import COLLUSIONS, CollusionResult, collude
from .evaluate import AttackResult, Evaluation, evaluate
from .methods import DEFAULT_TARGET_PSNR, METHODS, Identification, LeaktraceMethod, Method, prepare_asset

__all__ = [
    "ATTACKS",
    "LINE_ART_ATTACKS",
    "Attack",
    "apply",
    "DEFAULT_TARGET_PSNR",
    "Identification",
    "Method",
    "LeaktraceMethod",
    "METHODS",
    "prepare_asset",
    "AttackResult",
    "Evaluation",
    "evaluate",
    "COLLUSIONS",
    "CollusionResult",
    "collude",
]
