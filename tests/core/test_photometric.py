"""Photometric fit: tone curves and blur recovered from the leak and the original only."""

import cv2
import numpy as np
from skimage import data

from leaktrace.core import photometric
from leaktrace.core.pixels import luminance

ORIG = luminance(data.astronaut()[::2, ::2])  # 256 x 256
VALID = np.ones(ORIG.shape, bool)


def _rms(a):
    return float(np.sqrt(np.mean(a**2)))


def test_gain_offset_gamma_and_monotone_lut():
    leak = 255.0 * np.clip(1.1 * (ORIG / 255.0) ** 0.8 - 0.03, 0, 1)
    ph = photometric.fit_photometric(leak, ORIG, VALID)
    assert ph.lut.shape == (256,) and np.all(np.diff(ph.lut) >= -1e-4)
    assert _rms(ph.apply(ORIG) - leak) < 0.6


def test_blur_is_modelled():
    leak = cv2.GaussianBlur(ORIG, (0, 0), 1.5)
    ph = photometric.fit_photometric(leak, ORIG, VALID)
    assert ph.kernel is not None and abs(float(ph.kernel.sum()) - 1.0) < 1e-4
    assert _rms(ph.apply(ORIG) - leak) < 0.25 * _rms(ORIG - leak)


def test_only_valid_pixels_count_and_inputs_untouched():
    leak = ORIG * 0.5 + 40.0
    leak_bad = leak.copy()
    leak_bad[:, :128] = 0.0  # padding outside the valid region
    valid = np.zeros(ORIG.shape, bool)
    valid[:, 128:] = True
    before = leak_bad.copy()
    ph = photometric.fit_photometric(leak_bad, ORIG, valid)
    assert np.array_equal(leak_bad, before)
    assert _rms((ph.apply(ORIG) - leak)[:, 132:-4]) < 0.6


def test_empty_valid_region_gives_identity():
    ph = photometric.fit_photometric(ORIG, ORIG, np.zeros(ORIG.shape, bool))
    assert np.array_equal(ph.lut, np.arange(256, dtype=np.float32)) and ph.kernel is None
