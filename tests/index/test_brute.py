"""Asset search end to end: register eight assets, attack one, find it first.

Assets are skimage.data pictures (fitted into 512 px), a generated line drawing of a
bumper (thin black lines, hatching, text, a title block, mirror-symmetric parts) and a
generated smooth render (gradients and soft blobs, nearly no SIFT features). Every
query is made with a known transform, and the recovered homography is checked
against it.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import skimage.data as data

from leaktrace.core.codec import jpeg_roundtrip
from leaktrace.index import BACKENDS, AssetIndex, BruteForceIndex, Match, extract, global_hash
from leaktrace.samples.synthetic import bumper_views, soft_blobs

# ---------------------------------------------------------------- test images


def fit512(image):
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    h, w = image.shape[:2]
    s = 512 / max(h, w)
    if s < 1:
        image = cv2.resize(image, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(image)


ASTRONAUT, COFFEE, CHELSEA, CAMERA, ROCKET, IHC, DRAWING, SMOOTH = range(1, 9)


def make_assets():
    return {
        ASTRONAUT: fit512(data.astronaut()),
        COFFEE: fit512(data.coffee()),
        CHELSEA: fit512(data.chelsea()),
        CAMERA: fit512(data.camera()),
        ROCKET: fit512(data.rocket()),
        IHC: fit512(data.immunohistochemistry()),
        DRAWING: bumper_views(),
        SMOOTH: soft_blobs(),
    }


# ---------------------------------------------------------------- attacks: (image) -> (leak, H asset->leak)


def _resize_h(sx, sy, dx=0.0, dy=0.0):
    """Homography of cv2.resize by (sx, sy) (pixel centres), then a shift."""
    return np.array([[sx, 0, 0.5 * sx - 0.5 + dx], [0, sy, 0.5 * sy - 0.5 + dy], [0, 0, 1.0]])


def jpeg(im, quality=50):
    return jpeg_roundtrip(im, quality), np.eye(3)


def downscale(im, f=0.25):
    h, w = im.shape[:2]
    size = (round(w * f), round(h * f))
    return cv2.resize(im, size, interpolation=cv2.INTER_AREA), _resize_h(size[0] / w, size[1] / h)


def crop(im, area=0.25, at=(0.3, 0.4)):
    h, w = im.shape[:2]
    ch, cw = round(h * area**0.5), round(w * area**0.5)
    y0, x0 = round((h - ch) * at[0]), round((w - cw) * at[1])
    return im[y0 : y0 + ch, x0 : x0 + cw].copy(), np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1.0]])


def mirror(im):
    w = im.shape[1]
    return im[:, ::-1].copy(), np.array([[-1, 0, w - 1], [0, 1, 0], [0, 0, 1.0]])


def rotate(im, degrees=2.0):
    h, w = im.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(im, m, (w, h), flags=cv2.INTER_LINEAR), np.vstack([m, [0, 0, 1]])


def screenshot(im, scale=1.4, at=(300, 100)):
    """The image scaled into a 1280x900 window with grey UI bars, a sidebar and text."""
    canvas = np.full((900, 1280, 3), 236, np.uint8)
    canvas[:60] = 60
    canvas[-40:] = 90
    canvas[60:-40, :200] = 200
    cv2.putText(canvas, "leaked_drafts - Photos", (20, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255,) * 3, 2)
    cv2.putText(canvas, "100%   1 of 12", (20, 885), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (230,) * 3, 1)
    h, w = im.shape[:2]
    size = (round(w * scale), round(h * scale))
    shown = cv2.resize(im, size, interpolation=cv2.INTER_LINEAR)
    canvas[at[1] : at[1] + size[1], at[0] : at[0] + size[0]] = shown
    return canvas, _resize_h(size[0] / w, size[1] / h, *at)


def brighter(im, delta=40):
    return np.clip(im.astype(np.int16) + delta, 0, 255).astype(np.uint8), np.eye(3)


def phone_photo(im, seed=0):
    """A screen photographed at an angle: perspective, dimmer, blur, sensor noise, JPEG 80."""
    rng = np.random.default_rng(seed)
    h, w = im.shape[:2]
    big_w, big_h = round(w * 1.5), round(h * 1.5)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]]) - 0.5
    dst = np.float32([[0.15, 0.15], [0.85, 0.12], [0.88, 0.86], [0.12, 0.82]]) * [big_w, big_h]
    dst = (dst + rng.uniform(-0.02, 0.02, (4, 2)) * [big_w, big_h]).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    screen = np.clip(im * 0.8 + 30, 0, 255).astype(np.uint8)
    photo = cv2.warpPerspective(screen, m, (big_w, big_h), borderValue=(25, 25, 30))
    photo = cv2.GaussianBlur(photo, (0, 0), 1.0)
    photo = np.clip(photo + rng.normal(0, 4, photo.shape), 0, 255).astype(np.uint8)
    return jpeg(photo, 80)[0], m


ATTACKS = {
    "jpeg50": jpeg,
    "downscale25": downscale,
    "crop25": crop,
    "mirror": mirror,
    "rotate2": rotate,
    "screenshot": screenshot,
    "brightness": brighter,
    "phone_photo": phone_photo,
}

# attack -> (fewest inliers on any feature-rich asset, expected coverage)
EXPECTED = {
    "jpeg50": (100, 1.0),
    "downscale25": (30, 1.0),
    "crop25": (20, 0.25),
    "mirror": (150, 1.0),
    "rotate2": (100, 0.98),
    "screenshot": (80, 1.0),
    "brightness": (100, 1.0),
    "phone_photo": (50, 1.0),
}


def homography_error(found, true, shape):
    """Largest distance in leak pixels between two asset->leak homographies on a grid."""
    h, w = shape[:2]
    ys, xs = np.mgrid[0 : h : h / 16, 0 : w : w / 16]
    points = np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)])
    a, b = found @ points, true @ points
    return float(np.abs(a[:2] / a[2] - b[:2] / b[2]).max())


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def assets():
    return make_assets()


@pytest.fixture(scope="module")
def index(assets):
    index = BruteForceIndex()
    for asset_id, image in assets.items():
        index.add(asset_id, global_hash(image), extract(image))
    return index


# ---------------------------------------------------------------- the seam


def test_brute_force_index_is_the_brute_backend_of_the_seam(index):
    assert BACKENDS["brute"] is BruteForceIndex
    assert isinstance(index, AssetIndex)
    assert len(index) == 8 and DRAWING in index


# ---------------------------------------------------------------- the attack matrix

RICH = [ASTRONAUT, CAMERA, ROCKET, DRAWING]  # coffee, chelsea, IHC behave alike (see report)


@pytest.mark.slow
@pytest.mark.parametrize("attack", list(ATTACKS))
@pytest.mark.parametrize("asset_id", RICH)
def test_attacked_asset_is_ranked_first_with_its_homography(index, assets, asset_id, attack):
    image = assets[asset_id]
    leak, true_h = ATTACKS[attack](image)
    hits = index.search_details(leak, k=5)
    assert hits and hits[0][0] == asset_id
    assert [a for a, _ in index.search(leak, k=5)] == [a for a, _, _ in hits]
    _, score, match = hits[0]
    fewest, coverage = EXPECTED[attack]
    assert match.method == "features" and score == match.inliers >= fewest
    assert match.coverage == pytest.approx(coverage, abs=0.03)
    assert match.mirrored == (attack == "mirror")
    # The recovered homography is the attack's own, to a few leak pixels.
    tolerance = 4.0 if attack == "phone_photo" else 2.0
    if attack == "crop25":  # compare only where the leak is: leak -> asset on the leak's grid
        error = homography_error(np.linalg.inv(match.homography), np.linalg.inv(true_h), leak.shape)
    else:
        error = homography_error(match.homography, true_h, image.shape)
    assert error < tolerance


def test_line_drawing_is_found_from_a_half_crop_and_a_downscale(index, assets):
    drawing = assets[DRAWING]
    leak, _ = crop(drawing, area=0.5, at=(0.5, 0.5))
    (asset_id, score, match), *_ = index.search_details(leak)
    assert asset_id == DRAWING and score >= 40
    assert match.coverage == pytest.approx(0.5, abs=0.03)
    for factor in (0.5, 0.25):
        leak, true_h = downscale(drawing, factor)
        (asset_id, score, match), *_ = index.search_details(leak)
        assert asset_id == DRAWING and score >= 30
        assert homography_error(match.homography, true_h, drawing.shape) < 2.0


# ---------------------------------------------------------------- smooth renders: the hash path


@pytest.mark.parametrize("attack", ["jpeg50", "downscale25", "mirror", "brightness"])
def test_whole_smooth_render_is_found_by_its_hash(index, assets, attack):
    leak, true_h = ATTACKS[attack](assets[SMOOTH])
    hits = index.search_details(leak)
    assert [asset_id for asset_id, _, _ in hits] == [SMOOTH]
    _, score, match = hits[0]
    assert match.method == "hash" and match.inliers == 0 and match.coverage == 1.0
    assert match.hash_distance <= 2 and score == 12 + 10 - match.hash_distance
    assert match.mirrored == (attack == "mirror")
    assert homography_error(match.homography, true_h, assets[SMOOTH].shape) < 0.01


@pytest.mark.xfail(
    strict=True,
    reason="known limit: a smooth render gives no features and a crop or screenshot "
    "breaks its global hash; the trace's feature-free fallback finds these, the index does not",
)
@pytest.mark.parametrize("attack", ["crop25", "screenshot"])
def test_crops_and_screenshots_of_smooth_renders_are_found(index, assets, attack):
    leak, _ = ATTACKS[attack](assets[SMOOTH])
    assert SMOOTH in [asset_id for asset_id, _ in index.search(leak)]


# ---------------------------------------------------------------- nothing to find


@pytest.mark.parametrize(
    "unrelated",
    [
        lambda: fit512(data.coins()),
        lambda: fit512(data.text()),
        lambda: fit512(data.moon()),
        lambda: np.random.default_rng(1).integers(0, 256, (400, 500, 3), dtype=np.uint8),
        lambda: np.full((300, 300), 128, np.uint8),
    ],
    ids=["coins", "text", "moon", "noise", "flat"],
)
def test_unrelated_image_finds_nothing(index, unrelated):
    assert index.search(unrelated()) == []


def _flip_bits(image_hash: np.ndarray, n: int) -> np.ndarray:
    """``image_hash`` with its first ``n`` bits inverted (Hamming distance ``n`` from it)."""
    bits = np.unpackbits(image_hash.copy())
    bits[:n] ^= 1
    return np.packbits(bits)


@pytest.mark.parametrize("backend", ["brute", "ann"])
def test_a_hash_hit_does_not_hide_a_near_duplicate_found_by_features(assets, backend):
    """A leak within the hash radius of one revision only must still list the other revisions that
    its features verify (the trace tells them apart); brute force looks only among the assets within
    twice the radius after a hash hit, so a far hash is not verified (the fast path stays fast)."""
    camera = assets[CAMERA]
    image_hash, features = global_hash(camera), extract(camera)
    index = BACKENDS[backend]()
    index.add(1, image_hash, features)
    index.add(2, _flip_bits(image_hash, index.hash_radius + 5), features)  # a revision, hash outside the radius
    index.add(3, _flip_bits(image_hash, 2 * index.hash_radius + 10), features)
    found = {asset_id: match.method for asset_id, _, match in index.search_details(camera, k=5)}
    assert found[1] == "features" and found[2] == "features"
    assert (3 in found) == (backend == "ann")  # the ANN backend verifies its vote shortlist, which holds 3


# ---------------------------------------------------------------- bookkeeping


def test_add_replaces_remove_forgets_and_k_limits(assets):
    index = BruteForceIndex()
    assert index.search(assets[CAMERA]) == []
    camera = assets[CAMERA]
    index.add(1, global_hash(camera), extract(camera))
    index.add(2, global_hash(camera), extract(camera))  # a duplicate asset
    assert sorted(a for a, _ in index.search(camera, k=5)) == [1, 2]
    assert len(index.search(camera, k=1)) == 1
    chelsea = assets[CHELSEA]
    index.add(2, global_hash(chelsea), extract(chelsea))  # replaced
    assert len(index) == 2 and [a for a, _ in index.search(camera)] == [1]
    index.remove(1)
    assert index.search(camera) == [] and [a for a, _ in index.search(chelsea)] == [2]


def test_a_hash_collision_between_feature_rich_images_is_no_hit(assets):
    index = BruteForceIndex()
    camera, chelsea = assets[CAMERA], assets[CHELSEA]
    index.add(5, global_hash(camera), extract(chelsea))  # camera's hash, chelsea's features
    assert index.search(camera) == []


def test_search_details_gives_match_records(index, assets):
    leak, _ = crop(assets[CAMERA])
    (_, _, match), *_ = index.search_details(leak)
    assert isinstance(match, Match) and match.homography.shape == (3, 3)
