"""Collusion: several recipients combine their copies, optionally attack the result, and leak it.

A false accusation is any accused recipient who is not a colluder. Like
:func:`~leaktrace.evaluation.evaluate`, :func:`collude` drives any :class:`~leaktrace.evaluation.Method`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .attacks import Attack
from .methods import LeaktraceMethod, Method

__all__ = ["COLLUSIONS", "CollusionResult", "collude"]


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
        return {"n": self.n, "any_colluder": self.any_colluder, "all_colluders": self.all_colluders, "false_accusations": self.false_accusations}


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
