"""Frozen records that cross layers: what the core returns and what interfaces print.

They hold numbers and ids, never open files or sessions. ``to_dict`` gives the
JSON-ready form the CLI's ``--json`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Alignment:
    """Where a leak sits on its original.

    Attributes
    ----------
    homography : (3, 3) float64 ndarray
        Maps pixel coordinates (x, y) of the original to pixel coordinates of the leak.
        A mirrored leak has the flip folded in (negative determinant).
    valid_mask : (H, W) bool ndarray
        In the original's frame: pixels the leak covers and where the warped leak agrees
        with the original (padding, UI bars, stickers and captions excluded).
    mirrored : bool
        True when the leak is a mirror image of the original.
    inliers : int
        Feature correspondences consistent with the homography (0 for feature-free methods).
    coverage : float
        Fraction of the original's area covered by ``valid_mask``, in [0, 1].
    agreement : float
        How well the warped original agrees with the leak (median per-tile correlation
        of lightly blurred images), in [-1, 1]. Chosen on this, never on recipients' scores.
    method : str
        Which hypothesis won: ``"features"``, ``"full-frame"``, ``"search"``.
    """

    homography: np.ndarray
    valid_mask: np.ndarray
    mirrored: bool
    inliers: int
    coverage: float
    agreement: float
    method: str


@dataclass(frozen=True)
class RecipientScore:
    """One recipient's test statistic in a trace."""

    recipient: str
    recipient_id: int
    score: float
    p_value: float

    def to_dict(self) -> dict:
        return {
            "recipient": self.recipient,
            "recipient_id": self.recipient_id,
            "score": round(float(self.score), 4),
            "p_value": float(self.p_value),
        }


@dataclass(frozen=True)
class LeakInfo:
    path: str
    sha256: str
    width: int
    height: int

    def to_dict(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "width": self.width, "height": self.height}


@dataclass(frozen=True)
class AssetMatch:
    id: int
    title: str
    inliers: int
    coverage: float
    mirrored: bool

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "match": {"inliers": int(self.inliers), "coverage": round(float(self.coverage), 4), "mirrored": bool(self.mirrored)},
        }


@dataclass(frozen=True)
class Finding:
    """A trace's result: the asset, every recipient's score and p-bound, who is accused."""

    leak: LeakInfo
    asset: AssetMatch | None
    candidates: tuple[RecipientScore, ...]
    accused: tuple[str, ...]
    false_accusation_bound: float
    threshold: float
    elapsed_s: float
    extra: dict = field(default_factory=dict)
    #: The stored finding's id (None until the trace is recorded).
    id: int | None = None
    #: The alignment the verdict used (None when no asset matched or none aligned).
    alignment: Alignment | None = None

    def to_dict(self) -> dict:
        return {
            "leak": self.leak.to_dict(),
            "asset": None if self.asset is None else self.asset.to_dict(),
            "candidates": [c.to_dict() for c in self.candidates],
            "accused": list(self.accused),
            "false_accusation_bound": self.false_accusation_bound,
            "elapsed_s": round(float(self.elapsed_s), 3),
            "finding_id": self.id,
        }


@dataclass(frozen=True)
class UserView:
    """A user as interfaces see it: never the password hash."""

    id: int
    name: str
    role: str
    disabled: bool
    created_at: str

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "role": self.role, "disabled": self.disabled, "created_at": self.created_at}
