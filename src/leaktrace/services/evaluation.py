"""The product measures itself: identification rate, false accusations and quality.

:func:`evaluate` runs a fingerprinting method — by default leaktrace's real pipeline:
fingerprint, attack, register, recover, score N recipients, apply the bound — on images
in memory, with no workspace. The tests pin its figures and ``make bench`` drives the
peer libraries through the same function (one :class:`Method` each, ``bench/peers.py``).

The method seam
---------------
A :class:`Method` prepares an asset for N recipients, embeds one recipient's copy and
identifies the recipient of a leak; :func:`evaluate` owns the loop, the random draws (which
recipient leaks, the attack's parameters), the timing and the counting, so every method
sees the same leaks. :data:`METHODS` maps names to built-in methods (leaktrace only; the
peers live in the bench, which is the only place that imports them).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol, Sequence

import numpy as np

from leaktrace.core import align, carrier, detect, embed, keys, mask, quality, verdict, views
from leaktrace.core.attacks import ATTACKS
from leaktrace.settings import SETTINGS

#: The product's quality target: the figures measure what users get.
DEFAULT_TARGET_PSNR = float(next(s.default for s in SETTINGS if s.name == "target_psnr"))

Attack = Callable[[np.ndarray, np.random.Generator], np.ndarray]

__all__ = [
    "AttackResult", "Evaluation", "Identification", "Method", "LeaktraceMethod", "METHODS",
    "prepare_asset", "evaluate", "collude", "COLLUSIONS",
]


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

    @property
    def false_accusations(self) -> int:
        return sum(a.false_accusations for a in self.attacks.values())


@dataclass(frozen=True)
class Identification:
    """A method's answer for one leak.

    Attributes
    ----------
    accused : (N,) bool ndarray
        Recipients the method accuses at the family-wise bound ε.
    scores : (N,) float64 ndarray
        Each recipient's evidence (leaktrace: T; peers: bits agreeing with its id).
    null_scores : (h, M) float64 ndarray or None
        Scores that are standard normal for innocents (leaktrace: every recipient under
        every alignment, then any never-shared keys); the leaker's column is dropped by
        :func:`evaluate`. Columns ``0..N-1`` are the recipients.
    """

    accused: np.ndarray
    scores: np.ndarray
    null_scores: np.ndarray | None = None


class Method(Protocol):
    """One fingerprinting method under evaluation (STYLE rule 6: built-ins use the seam too).

    ``prepare`` runs once per asset and returns whatever the method keeps for it (keys,
    grid, ids); ``embed`` makes recipient ``recipient``'s copy; ``identify`` answers for a
    leak, or returns ``None`` when it cannot even try (no registration, too small to decode).
    """

    name: str
    #: Shown in the bench's table: does the method get leaktrace's registration?
    registration: str

    def prepare(self, original: np.ndarray, asset_ref: str, n_recipients: int, *, seed: int) -> Any: ...

    def embed(self, asset: Any, recipient: int) -> np.ndarray: ...

    def identify(self, asset: Any, leak: np.ndarray, *, epsilon: float) -> Identification | None: ...


def prepare_asset(original: np.ndarray, *, cells: int = 4096, min_cell_px: int = 16, target_psnr: float = DEFAULT_TARGET_PSNR):
    """Grid, mask and strength of an asset, as the assets service fixes them."""
    grid = carrier.grid_for(original.shape[:2], cells=cells, min_cell_px=min_cell_px)
    m = mask.perceptual_mask(original)
    strength = embed.strength_for_psnr(original, grid, m, target_psnr=target_psnr)
    return grid, m, strength


@dataclass
class _LeaktraceAsset:
    original: np.ndarray
    grid: tuple[int, int]
    mask: np.ndarray
    strength: float
    signs: np.ndarray  # n k
    fresh: np.ndarray | None  # m k
    view: views.OriginalView | None = None  # described once per asset, as the product does


class LeaktraceMethod:
    """leaktrace itself: informed spread spectrum, registration onto the original, the bound."""

    name = "leaktrace"
    registration = "own (informed)"

    def __init__(self, *, target_psnr: float = DEFAULT_TARGET_PSNR, extra_innocents: int = 0):
        self.target_psnr = target_psnr
        self.extra_innocents = extra_innocents

    def prepare(self, original, asset_ref, n_recipients, *, seed):
        master = np.random.default_rng(seed + 1).bytes(32)
        grid, m, strength = prepare_asset(original, target_psnr=self.target_psnr)
        k = grid[0] * grid[1]
        signs = keys.signs_matrix(master, asset_ref, [f"recipient-{i}" for i in range(n_recipients)], k)  # n k
        fresh = None
        if self.extra_innocents:
            refs = [f"x{i}" for i in range(self.extra_innocents)]
            fresh = keys.signs_matrix(master, asset_ref + "/never-shared", refs, k)  # m k
        view = views.describe_original(original, mask=m)
        view = views.OriginalView(view.shape, view.work, view.work_matrix, view.levels, align.registration_features(view))
        return _LeaktraceAsset(original, grid, m, strength, signs, fresh, view)

    def embed(self, asset, recipient):
        return embed.embed(asset.original, asset.signs[recipient], strength=asset.strength, grid=asset.grid, mask=asset.mask)

    def identify(self, asset, leak, *, epsilon):
        v = verdict.examine(views.describe_leak(leak), asset.view, asset.signs, grid=asset.grid, epsilon=epsilon)
        if v is None:
            return None
        null = np.stack([detect.scores(asset.signs, y) for y in v.projections])  # h n
        if asset.fresh is not None:
            null = np.concatenate([null, np.stack([detect.scores(asset.fresh, y) for y in v.projections])], axis=1)
        return Identification(accused=v.accused, scores=v.scores, null_scores=null)


#: Built-in methods by name (the bench adds the peers to its own copy).
METHODS: dict[str, Callable[..., Method]] = {"leaktrace": LeaktraceMethod}

#: Copies kept per asset so a recipient who leaks again is not re-embedded (bytes).
_COPY_CACHE_BYTES = 200_000_000


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
        n_recipients, epsilon, results, np.concatenate(innocents) if innocents else np.zeros(0), psnrs, ssims,
        float(np.median(embed_t)) if embed_t else float("nan"), float(np.median(trace_t)) if trace_t else float("nan"),
        method=method.name, embed_times=embed_t, trace_times=trace_t, trace_seconds=trace_s,
    )


# ---------------------------------------------------------------- collusion


def _average(copies: Sequence[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    return np.clip(np.rint(np.mean([c.astype(np.float32) for c in copies], axis=0)), 0, 255).astype(np.uint8)


def _splice(copies: Sequence[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Left part from the first copy, right part from the second, at a random column (40–60 %)."""
    out = copies[0].copy()
    x = int(copies[0].shape[1] * rng.uniform(0.4, 0.6))
    out[:, x:] = copies[1][:, x:]
    return out


#: Collusion name → (number of colluders, how their copies are combined).
COLLUSIONS: dict[str, tuple[int, Callable[[Sequence[np.ndarray], np.random.Generator], np.ndarray]]] = {
    "average2": (2, _average),
    "average3": (3, _average),
    "splice2": (2, _splice),
}


@dataclass
class CollusionResult:
    """Counts for one collusion: trials, ≥1 colluder accused, every colluder accused, innocents accused."""

    n: int = 0
    any_colluder: int = 0
    all_colluders: int = 0
    false_accusations: int = 0

    def to_dict(self) -> dict:
        return {"n": self.n, "any_colluder": self.any_colluder, "all_colluders": self.all_colluders,
                "false_accusations": self.false_accusations}


def collude(
    images: Mapping[str, np.ndarray],
    collusions: Sequence[str] = tuple(COLLUSIONS),
    *,
    after: Attack | None = None,
    n_recipients: int = 16,
    epsilon: float = 1e-6,
    trials: int = 1,
    seed: int = 0,
    method: Method | None = None,
) -> dict[str, CollusionResult]:
    """Several recipients combine their copies (``COLLUSIONS``), optionally then ``after`` (an attack); trace.

    A false accusation is any accused recipient who is not a colluder.
    """
    method = method or LeaktraceMethod()
    rng = np.random.default_rng(seed)
    out = {name: CollusionResult() for name in collusions}
    for image_name, original in images.items():
        asset = method.prepare(original, image_name, n_recipients, seed=seed)
        for name in collusions:
            c, combine = COLLUSIONS[name]
            for _ in range(trials):
                colluders = rng.choice(n_recipients, c, replace=False)
                leak = combine([method.embed(asset, int(r)) for r in colluders], rng)
                if after is not None:
                    leak = after(leak, rng)
                res = out[name]
                res.n += 1
                ident = method.identify(asset, leak, epsilon=epsilon)
                if ident is None:
                    continue
                hit = ident.accused[colluders]
                res.any_colluder += int(hit.any())
                res.all_colluders += int(hit.all())
                res.false_accusations += int(ident.accused.sum() - hit.sum())
    return out
