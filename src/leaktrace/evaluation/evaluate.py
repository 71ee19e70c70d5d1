"""The product measures itself: identification rate, false accusations and quality.

:func:`evaluate` runs a fingerprinting method — by default leaktrace's real pipeline:
fingerprint, attack, register, recover, score N recipients, apply the bound (through
:func:`leaktrace.core.verdict.examine`, the path the product's trace takes) — on images
in memory, with no workspace. The tests pin its figures and ``make bench`` drives the
peer libraries through the same function (one :class:`~leaktrace.evaluation.Method` each,
``bench/peers.py``). The method seam is :mod:`leaktrace.evaluation.methods`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from leaktrace.core import geometry, quality

from .attacks import ATTACKS, Attack
from .methods import DEFAULT_TARGET_PSNR, LeaktraceMethod, Method

__all__ = ["AttackResult", "Evaluation", "evaluate"]


@dataclass
class AttackResult:
    """Counts for one attack: trials, leaker accused, innocents accused, registration failures."""

    n: int = 0
    identified: int = 0
    false_accusations: int = 0
    unaligned: int = 0
    leaker_scores: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"n": self.n, "identified": self.identified, "false_accusations": self.false_accusations}

    @property
    def rate(self) -> float:
        return self.identified / self.n if self.n else float("nan")


@dataclass
class Evaluation:
    """What :func:`evaluate` measured.

    ``embed_s_per_mp`` is per recipient copy; ``trace_s_per_mp`` per megapixel of leak
    (medians). ``embed_times`` / ``trace_times`` keep every sample (s/MP), and
    ``trace_seconds`` the raw seconds of each trace with the leak's megapixels.

    ``psnr`` and ``ssim`` compare each image's first copy with the original (dB, and SSIM
    on luminance); ``psnr_luminance`` and ``ssim_luminance`` compare it with the original
    moved by that recipient's geometric field (the method's ``displaced``), so they measure
    the luminance mark alone: equal to ``psnr`` / ``ssim`` for a method or an asset without a
    geometric carrier. ``max_displacement_px`` is the longest displacement of that copy's
    field, pixels of the original (0.0 without one). A geometric mark costs PSNR, not SSIM
    (a 0.2 px shift of a black line changes its edge pixels by tens of levels, invisibly):
    its gate is SSIM and the displacement bound.
    """

    n_recipients: int
    epsilon: float
    attacks: dict[str, AttackResult]
    innocent_scores: np.ndarray  # m
    psnr: dict[str, float]
    ssim: dict[str, float]
    embed_s_per_mp: float
    trace_s_per_mp: float
    method: str = "leaktrace"
    embed_times: list = field(default_factory=list)
    trace_times: list = field(default_factory=list)
    trace_seconds: list = field(default_factory=list)  # (seconds, leak megapixels)
    psnr_luminance: dict[str, float] = field(default_factory=dict)
    ssim_luminance: dict[str, float] = field(default_factory=dict)
    max_displacement_px: dict[str, float] = field(default_factory=dict)

    @property
    def false_accusations(self) -> int:
        return sum(a.false_accusations for a in self.attacks.values())


#: Copies kept per asset so a recipient who leaks again is not re-embedded (bytes).
_COPY_CACHE_BYTES = 200_000_000


def _max_displacement(asset, recipient: int) -> float:
    """Longest displacement of ``recipient``'s geometric field, pixels of the original; 0.0 without a geometric carrier."""
    geo = getattr(asset, "geometry", None)
    if geo is None:
        return 0.0
    dx, dy = geometry.field(asset.geometric_signs[recipient], asset.original.shape[:2], geo)
    return float(np.sqrt(dx * dx + dy * dy).max())


def evaluate(
    images: Mapping[str, np.ndarray],
    attacks: Sequence[str] | Mapping[str, Attack],
    *,
    n_recipients: int = 16,
    epsilon: float = 1e-6,
    trials: int = 1,
    extra_innocents: int = 0,
    seed: int = 0,
    target_psnr: float = DEFAULT_TARGET_PSNR,
    method: Method | None = None,
) -> Evaluation:
    """Fingerprint each image for ``n_recipients``, leak one copy per trial through each attack, trace it.

    Parameters
    ----------
    images : mapping name → (H, W, 3) uint8 ndarray
    attacks : attack names of ``ATTACKS``, or a mapping name → ``(image, rng) -> image``
    n_recipients : int
        Recipients of each asset; all are tested, one of them leaked.
    extra_innocents : int
        Fresh keys that never received the asset, scored against every leak too (they
        grow the empirical check of the bound at almost no cost). leaktrace only.
    method : Method, optional
        What is evaluated; default ``LeaktraceMethod(target_psnr=..., extra_innocents=...)``.
        For a given seed every method sees the same leakers and the same attack draws.

    Returns
    -------
    Evaluation
    """
    if method is None:
        method = LeaktraceMethod(target_psnr=target_psnr, extra_innocents=extra_innocents)
    table = {name: ATTACKS[name] for name in attacks} if not isinstance(attacks, Mapping) else dict(attacks)
    rng = np.random.default_rng(seed)
    results = {name: AttackResult() for name in table}
    innocents: list[np.ndarray] = []
    psnrs, ssims, embed_t, trace_t, trace_s = {}, {}, [], [], []
    psnrs_lum, ssims_lum, moved_px = {}, {}, {}
    displaced = getattr(method, "displaced", None)
    for image_name, original in images.items():
        asset = method.prepare(original, image_name, n_recipients, seed=seed)
        mp = original.shape[0] * original.shape[1] / 1e6
        copies: dict[int, np.ndarray] = {}
        for attack_name, attack in table.items():
            for _ in range(trials):
                leaker = int(rng.integers(n_recipients))
                if leaker in copies:
                    copy = copies[leaker]
                else:
                    t0 = time.perf_counter()
                    copy = method.embed(asset, leaker)
                    embed_t.append((time.perf_counter() - t0) / mp)
                    if (len(copies) + 1) * copy.nbytes <= _COPY_CACHE_BYTES:
                        copies[leaker] = copy
                if image_name not in psnrs:
                    psnrs[image_name], ssims[image_name] = quality.psnr(original, copy), quality.ssim(original, copy)
                    moved = displaced(asset, leaker) if displaced is not None else original
                    if moved is original:
                        psnrs_lum[image_name], ssims_lum[image_name] = psnrs[image_name], ssims[image_name]
                    else:
                        psnrs_lum[image_name], ssims_lum[image_name] = quality.psnr(moved, copy), quality.ssim(moved, copy)
                    moved_px[image_name] = _max_displacement(asset, leaker)
                leak = attack(copy, rng)
                result = results[attack_name]
                result.n += 1
                t0 = time.perf_counter()
                ident = method.identify(asset, leak, epsilon=epsilon)
                if ident is None:
                    result.unaligned += 1
                    continue
                seconds, leak_mp = time.perf_counter() - t0, leak.shape[0] * leak.shape[1] / 1e6
                trace_t.append(seconds / leak_mp)
                trace_s.append((seconds, leak_mp))
                result.identified += int(ident.accused[leaker])
                result.false_accusations += int(ident.accused.sum() - ident.accused[leaker])
                result.leaker_scores.append(float(ident.scores[leaker]))
                if ident.null_scores is not None:
                    innocents.extend(np.delete(row, leaker) for row in ident.null_scores)
    return Evaluation(
        n_recipients,
        epsilon,
        results,
        np.concatenate(innocents) if innocents else np.zeros(0),
        psnrs,
        ssims,
        float(np.median(embed_t)) if embed_t else float("nan"),
        float(np.median(trace_t)) if trace_t else float("nan"),
        method=method.name,
        embed_times=embed_t,
        trace_times=trace_t,
        trace_seconds=trace_s,
        psnr_luminance=psnrs_lum,
        ssim_luminance=ssims_lum,
        max_displacement_px=moved_px,
    )
