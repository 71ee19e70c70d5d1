"""Trace a leak: which asset, aligned how, and whose copy it was.

Order matters for the bound: the asset and the alignment are chosen on image
evidence only (feature matches, image agreement); the recipients' signs are read
only after, for the one test per recipient. Nothing is ever re-chosen by score.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np

from leaktrace import imagefiles
from leaktrace.core import align, bound, detect, keys
from leaktrace.errors import BadInput
from leaktrace.index.brute import BruteForceIndex
from leaktrace.records import AssetMatch, Finding, LeakInfo, RecipientScore
from leaktrace.services import assets as assets_service
from leaktrace.services.workspace import Context, Progress
from leaktrace.store import queries

# Without a feature match, try feature-free registration against at most this many assets.
FALLBACK_ASSETS = 24
MIN_AGREEMENT = 0.5


def trace(ctx: Context, leak_path: Path, *, asset_id: int | str | None = None, progress: Progress | None = None) -> Finding:
    """Trace the leak at ``leak_path`` and return the finding."""
    start = time.perf_counter()
    step = _stepper(progress, 4)
    leak = imagefiles.read_image(leak_path, **assets_service.read_limits(ctx))
    info = LeakInfo(str(leak_path), _sha256(leak_path), int(leak.shape[1]), int(leak.shape[0]))
    step("identify the asset")
    asset, alignment = _identify(ctx, leak, asset_id)
    if asset is None:
        return Finding(info, None, (), (), ctx.settings.epsilon, float("nan"), time.perf_counter() - start, {"reason": "no registered asset matches this image"})
    step("align the leak")
    prepared = assets_service.prepare(ctx, asset)
    if alignment is None:
        alignment = align.register(leak, prepared.original)
    if alignment is None:
        match = AssetMatch(asset.id, asset.title, 0, 0.0, False)
        return Finding(info, match, (), (), ctx.settings.epsilon, float("nan"), time.perf_counter() - start, {"reason": "the leak could not be aligned to the asset"})
    match = AssetMatch(asset.id, asset.title, alignment.inliers, alignment.coverage, alignment.mirrored)
    step("test every recipient")
    warped, _ = align.warp_leak(leak, alignment.homography, prepared.original.shape[:2])
    y = detect.recover(warped, prepared.original, alignment.valid_mask, grid=prepared.grid, mask=prepared.mask)
    with ctx.sessions() as session:
        recipients = [(r.id, r.name, r.key_ref) for r in queries.recipients_of_asset(session, asset.id)]
    n = len(recipients)
    threshold = bound.threshold(max(n, 1), ctx.settings.epsilon)
    if n == 0:
        return Finding(info, match, (), (), ctx.settings.epsilon, threshold, time.perf_counter() - start, {"reason": "the asset was never shared", "alignment": alignment.method})
    signs = keys.signs_matrix(ctx.master_key, asset.key_ref, [ref for _, _, ref in recipients], prepared.grid[0] * prepared.grid[1])
    scores = detect.scores(signs, y)  # n
    p_values = bound.p_bound(scores)
    accused_mask = bound.accuse(scores, n, ctx.settings.epsilon)
    order = np.argsort(-scores, kind="stable")
    candidates = tuple(RecipientScore(recipients[i][1], recipients[i][0], float(scores[i]), float(p_values[i])) for i in order)
    accused = tuple(recipients[i][1] for i in order if accused_mask[i])
    step("done")
    extra = {"alignment": alignment.method, "agreement": alignment.agreement, "n_tested": n}
    return Finding(info, match, candidates, accused, ctx.settings.epsilon, threshold, time.perf_counter() - start, extra)


def _identify(ctx: Context, leak: np.ndarray, asset_id):
    """The asset the leak comes from (and an alignment when the fallback already made one)."""
    if asset_id is not None:
        return assets_service.get(ctx, asset_id), None
    entries = list(assets_service.search_entries(ctx))
    if not entries:
        raise BadInput("the workspace has no assets yet; add one with 'leaktrace asset add'.")
    index = BruteForceIndex()
    by_id = {}
    for asset, image_hash, features in entries:
        index.add(asset.id, image_hash, features)
        by_id[asset.id] = asset
    hits = index.search(leak, k=1)
    if hits:
        return by_id[hits[0][0]], None
    best = (None, None)
    for asset, _, _ in entries[:FALLBACK_ASSETS]:
        alignment = align.register(leak, assets_service.prepare(ctx, asset).original)
        if alignment is not None and alignment.agreement >= MIN_AGREEMENT and (best[1] is None or alignment.agreement > best[1].agreement):
            best = (asset, alignment)
    return best


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stepper(progress: Progress | None, total: int):
    count = [0]

    def step(label: str) -> None:
        count[0] += 1
        if progress:
            progress(min(count[0], total), total, label)

    return step
