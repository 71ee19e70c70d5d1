"""register(): build a leak with a known homography, recover it, assert the corner error.

Corner error = the largest distance, on the ORIGINAL's grid (pixels), between where the
recovered and the true homography send the leak's four corners back onto the original.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from leaktrace.core.align import MIN_AGREEMENT, register, register_all, valid_mask, warp_leak
from leaktrace.core.codec import jpeg_roundtrip
from leaktrace.samples.synthetic import cad_bumper, soft_ellipses

# ---------------------------------------------------------------- test images


def photo() -> np.ndarray:
    return data.astronaut()  # (512, 512, 3)


def similarity(shape, *, angle: float, scale: float, shift=(0.0, 0.0), inset: float = 0.0):
    """ORIGINAL → LEAK: rotate by ``angle`` degrees and scale about the centre, shift, and
    the leak's size so that it shows the transformed image cropped by ``inset`` per side."""
    h, w = shape[:2]
    c = np.array([(w - 1) / 2, (h - 1) / 2])
    m = np.r_[cv2.getRotationMatrix2D(tuple(c), angle, scale), [[0, 0, 1]]]
    lw, lh = int(w * scale * (1 - 2 * inset)), int(h * scale * (1 - 2 * inset))
    # rotation about the centre keeps the centre; move it to the leak's centre, then shift
    m = np.array([[1, 0, (lw - 1) / 2 - c[0] + shift[0]], [0, 1, (lh - 1) / 2 - c[1] + shift[1]], [0, 0, 1]]) @ m
    return m, (lh, lw)


def make_leak(original, h, size, *, flags=cv2.INTER_AREA):
    """Render the leak: the original seen through ``h`` (original → leak), size (h, w)."""
    lh, lw = size
    scale = np.sqrt(abs(np.linalg.det(h[:2, :2])))
    src, m = original, np.eye(3)
    if scale < 0.8:  # anti-alias like a real resize
        src = cv2.resize(original, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        sx, sy = src.shape[1] / original.shape[1], src.shape[0] / original.shape[0]
        m = np.array([[sx, 0, 0.5 * sx - 0.5], [0, sy, 0.5 * sy - 0.5], [0, 0, 1]])
    return cv2.warpPerspective(src, h @ np.linalg.inv(m), (lw, lh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def corner_error(found: np.ndarray, true: np.ndarray, original_shape, leak_shape) -> float:
    """Registration error in ORIGINAL pixels, over the part of the original the leak shows.

    Points of a 9×9 grid spanning the original (corners included) whose true image falls
    inside the leak are sent to the leak by ``found`` and back by ``true``; the largest
    distance to where they started is returned.
    """
    hh, ww = original_shape[:2]
    lh, lw = leak_shape[:2]
    gx, gy = np.meshgrid(np.linspace(0, ww - 1, 9), np.linspace(0, hh - 1, 9))
    pts = np.c_[gx.ravel(), gy.ravel()].reshape(-1, 1, 2)
    on_leak = cv2.perspectiveTransform(pts, true).reshape(-1, 2)
    inside = (on_leak[:, 0] >= 0) & (on_leak[:, 0] <= lw - 1) & (on_leak[:, 1] >= 0) & (on_leak[:, 1] <= lh - 1)
    pts = pts[inside]
    back = cv2.perspectiveTransform(cv2.perspectiveTransform(pts, found), np.linalg.inv(true))
    return float(np.max(np.linalg.norm((back - pts).reshape(-1, 2), axis=1)))


IMAGES = {"photo": photo, "drawing": cad_bumper, "render": soft_ellipses}


def translate(x: float, y: float) -> np.ndarray:
    return np.array([[1.0, 0, x], [0, 1.0, y], [0, 0, 1.0]])


def resize_h(factor: float) -> np.ndarray:
    """Homography of a cv2.resize by ``factor`` (pixel-centre convention)."""
    return np.array([[factor, 0, 0.5 * factor - 0.5], [0, factor, 0.5 * factor - 0.5], [0, 0, 1.0]])


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    return jpeg_roundtrip(image, quality)


# Each scenario: (original) -> (leak, true homography ORIGINAL → LEAK, extra info).


def sc_similarity(o):
    h, size = similarity(o.shape, angle=3.0, scale=0.83, shift=(6.3, -4.7), inset=0.06)
    return make_leak(o, h, size), h, {}


def sc_rotate2(o):
    h, size = similarity(o.shape, angle=-2.0, scale=1.0, inset=0.04)
    return make_leak(o, h, size), h, {}


def sc_mirror(o):
    f = 0.8
    leak = cv2.resize(o, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)[:, ::-1].copy()
    lw = leak.shape[1]
    return leak, np.array([[-1.0, 0, lw - 1], [0, 1, 0], [0, 0, 1]]) @ resize_h(f), {"mirrored": True}


def sc_crop25(o):
    hh, ww = o.shape[:2]
    x, y = int(0.37 * ww), int(0.21 * hh)
    return o[y : y + hh // 2, x : x + ww // 2].copy(), translate(-x, -y), {}


def sc_downscale25_jpeg50(o):
    f = 0.25
    small = cv2.resize(o, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    return jpeg(small, 50), resize_h(f), {}


def sc_screenshot(o):
    """The original at 0.9× in a 1.4× canvas with bars around it, plus a player bar laid
    over the top 12 % of the picture: the overlay must leave the valid mask."""
    f = 0.9
    shown = cv2.resize(o, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    sh, sw = shown.shape[:2]
    canvas = np.full((int(sh * 1.4), int(sw * 1.4), 3), 235, np.uint8)
    canvas[:40] = (40, 44, 52)
    cv2.putText(canvas, "Inbox - Drafts - bumper_final.png", (10, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (240, 240, 240), 1, cv2.LINE_AA)
    for i in range(8):
        cv2.putText(canvas, f"message {i} from supplier", (8, 80 + 24 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (30, 30, 30), 1, cv2.LINE_AA)
    x, y = int(0.3 * sw), 60
    canvas[y : y + sh, x : x + sw] = shown
    bar = int(0.12 * sh)
    canvas[y : y + bar, x : x + sw] = (20, 20, 20)
    cv2.putText(canvas, "00:42 / 03:10   HD   [ ]", (x + 10, y + bar - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    overlay = np.zeros(o.shape[:2], bool)
    overlay[: int(np.ceil(bar / f)) + 1] = True
    return canvas, translate(x, y) @ resize_h(f), {"excluded": overlay}


def sc_sticker(o):
    hh, ww = o.shape[:2]
    leak = o.copy()
    x0, y0, x1, y1 = int(0.55 * ww), int(0.1 * hh), int(0.9 * ww), int(0.5 * hh)  # ~14 % of the area
    cv2.rectangle(leak, (x0, y0), (x1, y1), (250, 40, 160), -1)
    cv2.putText(leak, "@carleaks", (x0 + 5, y1 - 10), cv2.FONT_HERSHEY_DUPLEX, 0.8, (255, 255, 255), 2, cv2.LINE_AA)
    sticker = np.zeros((hh, ww), bool)
    sticker[y0 : y1 + 1, x0 : x1 + 1] = True
    return jpeg(leak, 85), np.eye(3), {"excluded": sticker}


SCENARIOS = {
    "similarity": sc_similarity,
    "rotate2": sc_rotate2,
    "mirror": sc_mirror,
    "crop25": sc_crop25,
    "downscale25_jpeg50": sc_downscale25_jpeg50,
    "screenshot": sc_screenshot,
    "sticker": sc_sticker,
}


# ---------------------------------------------------------------- tests

TOLERANCE = 0.5  # original pixels; the fingerprint's wavelength is ~W/32 = 20 px at 640

_cache: dict[tuple[str, str], tuple] = {}


def run(scenario: str, image: str):
    """(original, leak, true homography, info, Alignment), each pair registered once."""
    if (scenario, image) not in _cache:
        original = IMAGES[image]()
        leak, h, info = SCENARIOS[scenario](original)
        _cache[scenario, image] = (original, leak, h, info, register(leak, original))
    return _cache[scenario, image]


@pytest.mark.parametrize("image", ["photo", "drawing", "render"])
@pytest.mark.parametrize("scenario", ["similarity", "rotate2", "crop25", "mirror"])
def test_geometry_recovered_sub_pixel(scenario, image):
    original, leak, h, info, a = run(scenario, image)
    assert a is not None
    assert a.mirrored == info.get("mirrored", False)
    assert corner_error(a.homography, h, original.shape, leak.shape) < TOLERANCE
    assert a.agreement > 0.95


def test_crop25_located_and_covered():
    original, leak, h, _, a = run("crop25", "photo")
    assert a.coverage == pytest.approx(0.25, abs=0.03)
    assert a.method == "features" and a.inliers > 100


def test_smooth_render_needs_no_features():
    """SIFT finds nothing useful on the render: the full-frame or search hypotheses do it."""
    for scenario in ("similarity", "crop25"):
        assert run(scenario, "render")[4].method in ("full-frame", "search")


@pytest.mark.parametrize("image", ["photo", "drawing"])
def test_downscale25_jpeg50(image):
    original, leak, h, _, a = run("downscale25_jpeg50", image)
    assert corner_error(a.homography, h, original.shape, leak.shape) < TOLERANCE


def test_downscale25_jpeg50_smooth_render_is_coarser():
    """A 160×112 JPEG-50 leak of a smooth render: measured 2.1 px with an RGB-correct JPEG.
    It was a strict xfail while the test JPEG read RGB as BGR (a fit 19 px off then agreed
    0.002 better); the hypotheses are still close in agreement, so this one is fragile."""
    original, leak, h, _, a = run("downscale25_jpeg50", "render")
    assert corner_error(a.homography, h, original.shape, leak.shape) < 6.0


@pytest.mark.parametrize("image", ["photo", "drawing", "render"])
@pytest.mark.parametrize("scenario", ["screenshot", "sticker"])
def test_overlays_left_out_of_valid_mask(scenario, image):
    original, leak, h, info, a = run(scenario, image)
    assert corner_error(a.homography, h, original.shape, leak.shape) < TOLERANCE
    excluded = info["excluded"]
    assert a.valid_mask.shape == original.shape[:2] and a.valid_mask.dtype == bool
    # measured 0.00 (overlay bar), 0.09 (sticker on the photo); the sticker on the smooth
    # render (measured 0.36) is held to 0.45 here against regressions, to 0.10 in the xfail below
    assert a.valid_mask[excluded].mean() < (0.45 if (scenario, image) == ("sticker", "render") else 0.10)
    assert a.valid_mask[~excluded].mean() > 0.85


@pytest.mark.xfail(
    strict=True,
    reason="known limit: a flat sticker on a smooth render passes the flat-tile test where "
    "the ramp under it has the sticker's luminance (measured 0.36 of it left in the valid mask): the mask "
    "compares luminance only, so those tiles add noise, no signal",
)
def test_sticker_on_a_smooth_render_left_out_of_valid_mask():
    _, _, _, info, a = run("sticker", "render")
    assert a.valid_mask[info["excluded"]].mean() < 0.10


def test_smooth_render_screenshot_found_by_its_frame():
    """No features, an overlay over the top of the picture: the picture's edges in the
    screenshot give the hypothesis (template search alone landed 50 px off)."""
    original, leak, h, _, a = run("screenshot", "render")
    assert a.method == "frame"


def test_slats_under_gamma_stay_on_the_full_frame():
    """Vertical slats constrain nothing vertically: ECC slid 9 % along them for a gain of
    0.0006 in agreement on a darkened slatted wallpaper; the level residual holds it."""
    y, x = np.mgrid[0:400, 0:600].astype(np.float32)
    slats = 0.5 + 0.5 * np.cos(2 * np.pi * x / 14.0) ** 8
    spot = np.exp(-(((x - 330) / 220) ** 2 + ((y - 90) / 160) ** 2))
    grey = 12 + 120 * slats * (0.25 + 0.75 * spot)
    original = np.repeat(np.clip(grey, 0, 255).astype(np.uint8)[..., None], 3, axis=2)
    leak = (255.0 * (original / 255.0) ** 1.5).astype(np.uint8)
    a = register(leak, original)
    assert corner_error(a.homography, np.eye(3), original.shape, leak.shape) < TOLERANCE


def test_screenshot_bars_outside_the_original():
    """The UI around the picture is simply not on the original's grid; the picture is."""
    original, leak, h, _, a = run("screenshot", "photo")
    assert a.coverage > 0.8


@pytest.mark.parametrize("original_name", ["photo", "drawing"])
def test_unrelated_leak_gives_no_evidence(original_name):
    original = IMAGES[original_name]()
    for leak in (data.coffee(), np.repeat(data.camera()[..., None], 3, axis=2)):
        a = register(leak, original)
        assert a is None or a.agreement < MIN_AGREEMENT


def test_inputs_untouched_and_grey_accepted():
    original = photo()[::2, ::2].copy()
    leak = cv2.resize(original, (200, 200), interpolation=cv2.INTER_AREA)
    before = (original.copy(), leak.copy())
    a = register(leak[..., 0], original[..., 0])
    assert a is not None and a.homography[0, 0] == pytest.approx(200 / 256, abs=1e-3)
    np.testing.assert_array_equal(before[0], original)
    np.testing.assert_array_equal(before[1], leak)


def test_warp_leak_inverts_a_known_shift():
    original = soft_ellipses((192, 256))
    h = translate(-10.5, -7.25)  # leak pixel (u, v) shows original (u + 10.5, v + 7.25)
    leak = cv2.warpPerspective(original, h, (256, 192), flags=cv2.INTER_LINEAR)
    warped, covered = warp_leak(leak, h, (192, 256))
    assert warped.dtype == np.float32 and warped.shape == original.shape
    assert not covered[:, :11].any() and not covered[:8].any() and covered[10:-3, 13:-3].all()
    err = np.abs(warped - original)[covered].mean()
    assert err < 1.0


def test_valid_mask_of_identical_images_is_nearly_full():
    img = photo()[::2, ::2].copy()
    assert valid_mask(img, img, np.eye(3)).mean() > 0.95


def test_a_hint_from_the_asset_search_is_one_more_hypothesis():
    """The index's verified homography enters like any feature hypothesis: with the leak's own
    features taken away, the hint alone still registers it, and it is chosen on agreement."""
    import dataclasses

    from leaktrace.core import features, views

    original, leak, h, _, _ = run("crop25", "photo")
    view = views.describe_leak(leak)
    blind = dataclasses.replace(view, features=features.Features(np.zeros((0, 2)), np.zeros((0, 128), np.uint8), view.shape))
    without = register_all(blind, original)
    with_hint = register_all(blind, original, hints=[(h, False, 40)])
    assert with_hint and with_hint[0].method == "features" and with_hint[0].inliers == 40
    assert corner_error(with_hint[0].homography, h, original.shape, leak.shape) < TOLERANCE
    assert not without or without[0].method != "features"
