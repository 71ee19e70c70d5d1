"""The product measures itself: identification rate, false accusations and quality.

:func:`evaluate` runs the real pipeline — fingerprint, attack, register, recover,
score N recipients, apply the bound — on images in memory, with no workspace. The
tests pin its figures and ``make bench`` reports them beside the peer libraries.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from leaktrace.core import align, carrier, detect, embed, keys, mask, quality, verdict
from leaktrace.core.attacks import ATTACKS

Attack = Callable[[np.ndarray, np.random.Generator], np.ndarray]


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
    """What :func:`evaluate` measured."""

    n_recipients: int
    epsilon: float
    attacks: dict[str, AttackResult]
    innocent_scores: np.ndarray  # m
    psnr: dict[str, float]
    ssim: dict[str, float]
    embed_s_per_mp: float
    trace_s_per_mp: float

    @property
    def false_accusations(self) -> int:
        return sum(a.false_accusations for a in self.attacks.values())


def prepare_asset(original: np.ndarray, *, cells: int = 4096, min_cell_px: int = 16, target_psnr: float = 46.0):
    """Grid, mask and strength of an asset, as the assets service fixes them."""
    grid = carrier.grid_for(original.shape[:2], cells=cells, min_cell_px=min_cell_px)
    m = mask.perceptual_mask(original)
    strength = embed.strength_for_psnr(original, grid, m, target_psnr=target_psnr)
    return grid, m, strength


def evaluate(
    images: Mapping[str, np.ndarray],
    attacks: Sequence[str] | Mapping[str, Attack],
    *,
    n_recipients: int = 16,
    epsilon: float = 1e-6,
    trials: int = 1,
    extra_innocents: int = 0,
    seed: int = 0,
    target_psnr: float = 46.0,
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
        grow the empirical check of the bound at almost no cost).

    Returns
    -------
    Evaluation
    """
    table = {name: ATTACKS[name] for name in attacks} if not isinstance(attacks, Mapping) else dict(attacks)
    rng = np.random.default_rng(seed)
    master = np.random.default_rng(seed + 1).bytes(32)
    results = {name: AttackResult() for name in table}
    innocents: list[np.ndarray] = []
    psnrs, ssims, embed_t, trace_t = {}, {}, [], []
    for image_name, original in images.items():
        grid, m, strength = prepare_asset(original, target_psnr=target_psnr)
        k = grid[0] * grid[1]
        refs = [f"recipient-{i}" for i in range(n_recipients)]
        signs = keys.signs_matrix(master, image_name, refs, k)  # n k
        fresh = keys.signs_matrix(master, image_name + "/never-shared", [f"x{i}" for i in range(extra_innocents)], k) if extra_innocents else None
        mp = original.shape[0] * original.shape[1] / 1e6
        for attack_name, attack in table.items():
            for _ in range(trials):
                leaker = int(rng.integers(n_recipients))
                t0 = time.perf_counter()
                copy = embed.embed(original, signs[leaker], strength=strength, grid=grid, mask=m)
                embed_t.append((time.perf_counter() - t0) / mp)
                if image_name not in psnrs:
                    psnrs[image_name], ssims[image_name] = quality.psnr(original, copy), quality.ssim(original, copy)
                leak = attack(copy, rng)
                t0 = time.perf_counter()
                alignments = align.register_all(leak, original)
                result = results[attack_name]
                result.n += 1
                if not alignments:
                    result.unaligned += 1
                    continue
                v = verdict.judge(leak, original, alignments, signs, grid=grid, mask=m, epsilon=epsilon)
                trace_t.append((time.perf_counter() - t0) / (leak.shape[0] * leak.shape[1] / 1e6))
                result.identified += int(v.accused[leaker])
                result.false_accusations += int(v.accused.sum() - v.accused[leaker])
                result.leaker_scores.append(float(v.scores[leaker]))
                for y in v.projections:
                    innocents.append(np.delete(detect.scores(signs, y), leaker))
                    if fresh is not None:
                        innocents.append(detect.scores(fresh, y))
    return Evaluation(
        n_recipients, epsilon, results, np.concatenate(innocents) if innocents else np.zeros(0), psnrs, ssims,
        float(np.median(embed_t)) if embed_t else float("nan"), float(np.median(trace_t)) if trace_t else float("nan"),
    )

