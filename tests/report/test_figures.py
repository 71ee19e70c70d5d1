"""Figures are valid images of bounded size, and the leak's footprint is where it should be."""

from __future__ import annotations

import cv2
import numpy as np

from leaktrace.report import Candidate, figures

PNG = b"\x89PNG\r\n\x1a\n"


def _decode(data: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def test_score_plot_is_a_png_no_wider_than_the_limit(evidence):
    png = figures.score_plot(evidence.candidates, evidence.threshold)
    assert png[:8] == PNG
    h, w = _decode(png).shape[:2]
    assert w <= figures.MAX_PX and 200 < h < 1200


def test_score_plot_draws_many_recipients_and_none():
    many = [Candidate(f"R{i}", i, float(np.sin(i)), 1.0, False) for i in range(120)]
    tall = _decode(figures.score_plot(many, 6.2))
    assert tall.shape[0] <= 0.24 * (figures.MAX_ROWS + 6) * 170  # rows beyond MAX_ROWS are summarised
    assert figures.score_plot([], float("nan"))[:8] == PNG


def test_score_plot_marks_the_accused_in_red(evidence):
    image = _decode(figures.score_plot(evidence.candidates, evidence.threshold))[..., ::-1].astype(int)
    red = np.array([0xB4, 0x23, 0x18])
    assert (np.abs(image - red).sum(-1) < 30).sum() > 200


def test_footprint_is_the_crop_the_leak_came_from(evidence):
    poly = figures._footprint(evidence.alignment.homography, evidence.leak.image.shape[:2])
    # the leak is the crop x ∈ [40, 216), y ∈ [30, 162) of the original
    np.testing.assert_allclose(poly, [[40, 30], [216, 30], [216, 162], [40, 162]], atol=0.01)


def test_leak_beside_original_formats(evidence):
    al = evidence.alignment
    png = figures.leak_beside_original(evidence.leak.image, evidence.asset.image, al.homography, al.valid_mask)
    assert png[:8] == PNG and _decode(png).shape[1] <= figures.MAX_PX
    jpeg = figures.leak_beside_original(evidence.leak.image, evidence.asset.image, al.homography, None, fmt="jpeg")
    assert jpeg[:3] == b"\xff\xd8\xff"
    unaligned = figures.leak_beside_original(evidence.leak.image, evidence.asset.image, None, None)
    assert _decode(unaligned).shape[1] <= figures.MAX_PX


def test_large_images_are_shrunk():
    rng = np.random.default_rng(0)
    original = rng.integers(0, 256, (900, 2400, 3), dtype=np.uint8)
    h = np.diag([0.5, 0.5, 1.0])
    leak = cv2.resize(original, (1200, 450), interpolation=cv2.INTER_AREA)
    out = _decode(figures.leak_beside_original(leak, original, h, None, fmt="auto"))
    assert out.shape[1] <= figures.MAX_PX


def test_a_large_original_is_shrunk_before_it_is_warped(monkeypatch):
    """Large originals: the aligned panel is warped from a copy shrunk to the panel's scale and
    straight to twice the panel's size, never to the leak's full size; it still shows the crop."""
    rng = np.random.default_rng(1)
    original = cv2.resize(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8), (4000, 3000), interpolation=cv2.INTER_NEAREST)
    leak = np.ascontiguousarray(original[1000:2800, 500:3500])  # a 3000 x 1800 crop at full resolution
    h = np.float64([[1, 0, -500], [0, 1, -1000], [0, 0, 1]])
    warps = []
    real = cv2.warpPerspective

    def spy(src, m, size, **kwargs):
        out = real(src, m, size, **kwargs)
        warps.append((src.shape, size, out))
        return out

    monkeypatch.setattr(figures.cv2, "warpPerspective", spy)
    assert _decode(figures.leak_beside_original(leak, original, h, None)).shape[1] <= figures.MAX_PX
    [(source, size, aligned)] = warps
    assert source[1] <= 0.5 * original.shape[1] and size == (1200, 720)  # 0.4 of the original's width; 2 x the 600 px panel
    expected = cv2.resize(leak, size, interpolation=cv2.INTER_AREA)  # the crop, shrunk in one go
    assert np.abs(aligned.astype(int) - expected)[4:-4, 4:-4].mean() < 3
