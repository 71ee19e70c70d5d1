"""Identification on a matrix of images × attacks at N = 16 and ε = 1e-6, with pinned minimum rates."""

from __future__ import annotations

import pytest
from skimage import data

from leaktrace.evaluation import evaluate
from leaktrace.samples.synthetic import soft_bump
from tests.conftest import drawing, photo

# attack → minimum identification rate measured on this matrix (9 images), pinned with margin.
MINIMUM = {
    "jpeg90": 1.0,
    "jpeg75": 1.0,
    "jpeg50": 1.0,
    "downscale50": 1.0,
    "downscale25": 0.75,
    "crop50": 1.0,
    "crop25": 0.75,
    "rotate2": 1.0,
    "brightness": 1.0,
    "contrast": 1.0,
    "gamma": 1.0,
    "blur": 1.0,
    "screenshot": 0.75,
    "mirror": 1.0,
    "social": 1.0,
}


@pytest.fixture(scope="module")
def evaluation():
    images = {
        "astronaut": data.astronaut()[::2, ::2].copy(),
        "coffee": data.coffee()[::2, ::2].copy(),
        "chelsea": data.chelsea(),
        "rocket": data.rocket()[::2, ::2].copy(),
        "photo": photo(9, (400, 600)),
        "drawing": drawing(),
        "drawing_large": drawing((540, 810)),
        "camera": __import__("numpy").dstack([data.camera()[::2, ::2]] * 3),
        "smooth": soft_bump(),
    }
    return evaluate(images, list(MINIMUM), n_recipients=16, seed=3)


@pytest.mark.parametrize("attack", list(MINIMUM))
def test_identification_rate(evaluation, attack):
    result = evaluation.attacks[attack]
    assert result.false_accusations == 0
    assert result.rate >= MINIMUM[attack], (attack, result.identified, result.n, result.leaker_scores)


def test_copies_meet_the_quality_gate(evaluation):
    # the geometric carrier's sub-pixel shifts of the drawings' edges cost PSNR, not SSIM: the gate
    # of a geometric mark is SSIM and the displacement bound; the luminance mark's own PSNR is
    # measured against the displaced original
    assert min(evaluation.psnr_luminance.values()) >= 45.0, evaluation.psnr_luminance
    assert min(evaluation.ssim.values()) >= 0.99, evaluation.ssim
    assert max(evaluation.max_displacement_px.values()) <= 0.5 + 1e-6, evaluation.max_displacement_px
    assert evaluation.max_displacement_px["drawing"] > 0, evaluation.max_displacement_px
    assert set(evaluation.psnr_luminance) == set(evaluation.ssim_luminance) == set(evaluation.max_displacement_px) == set(evaluation.psnr)
