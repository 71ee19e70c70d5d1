"""The method seam: leaktrace as a Method prepares, embeds and identifies the leaker of a plain copy."""

from __future__ import annotations

import numpy as np
import pytest

from leaktrace.evaluation import DEFAULT_TARGET_PSNR, METHODS, Identification, LeaktraceMethod, prepare_asset
from leaktrace.settings import SETTINGS
from tests.conftest import photo


@pytest.fixture(scope="module")
def prepared():
    method = LeaktraceMethod(extra_innocents=8)
    original = photo(1, (192, 256))
    return method, original, method.prepare(original, "asset-1", 4, seed=0)


def test_default_target_is_the_setting():
    assert DEFAULT_TARGET_PSNR == float(next(s.default for s in SETTINGS if s.name == "target_psnr"))
    assert METHODS == {"leaktrace": LeaktraceMethod}


def test_prepare_asset_meets_the_target_and_leaves_the_original_untouched():
    original = photo(2, (160, 224))
    before = original.copy()
    grid, mask, strength = prepare_asset(original, target_psnr=48.0)
    assert mask.shape == original.shape[:2] and strength > 0 and grid[0] * grid[1] > 0
    np.testing.assert_array_equal(original, before)


def test_the_leaker_of_a_plain_copy_is_the_only_one_accused(prepared):
    method, original, asset = prepared
    copy = method.embed(asset, 2)
    assert copy.shape == original.shape and copy.dtype == np.uint8 and not np.array_equal(copy, original)
    ident = method.identify(asset, copy, epsilon=1e-6)
    assert isinstance(ident, Identification)
    assert ident.accused.tolist() == [False, False, True, False]
    assert ident.scores.shape == (4,) and ident.scores[2] > 10
    # every alignment tried × (4 recipients + 8 never-shared keys)
    assert ident.null_scores.ndim == 2 and ident.null_scores.shape[1] == 12


def test_an_unrelated_leak_cannot_be_identified(prepared):
    method, _, asset = prepared
    ident = method.identify(asset, np.full((120, 160, 3), 128, np.uint8), epsilon=1e-6)
    assert ident is None or not ident.accused.any()
