"""One luminance for every stage: BT.601, float32, a new array."""

from __future__ import annotations

import numpy as np
import pytest

from leaktrace.core.pixels import luminance


def test_bt601_weights_and_dtype():
    rgb = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]]], np.uint8)
    y = luminance(rgb)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y[0], [0.299 * 255, 0.587 * 255, 0.114 * 255, 0.299 * 10 + 0.587 * 20 + 0.114 * 30], rtol=1e-5)


def test_grey_and_alpha_and_inputs_untouched():
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4)
    out = luminance(grey)
    assert out.dtype == np.float32 and np.array_equal(out, grey) and not np.shares_memory(out, grey)
    rgba = np.dstack([np.full((2, 2, 3), 100, np.uint8), np.zeros((2, 2), np.uint8)])
    assert np.allclose(luminance(rgba), 100)


def test_other_shapes_are_refused():
    with pytest.raises(ValueError, match="expected"):
        luminance(np.zeros((4, 4, 2), np.uint8))
