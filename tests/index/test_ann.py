"""The FAISS backend answers like brute force, among 1,000 distractor assets too.

The eight assets and the attacks are those of ``test_brute``. Distractors are
synthetic feature sets: SIFT descriptors of generated pictures, blended and jittered,
on random keypoints, so each looks like an asset to the vote but never verifies.
Their full features come from a ``features_loader`` that regenerates them by id, as
the services will read them from the feature cache.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import skimage.data as data

from leaktrace.errors import BadInput
from leaktrace.index import BACKENDS, AnnIndex, AssetIndex, BruteForceIndex, Features, extract, global_hash
from leaktrace.samples.synthetic import photo
from tests.index.test_brute import ATTACKS, CAMERA, CHELSEA, DRAWING, RICH, SMOOTH, crop, fit512, make_assets

DISTRACTORS = 1000
FIRST_DISTRACTOR = 1000  # asset ids of distractors start here


@pytest.fixture(scope="module")
def pool():
    """Descriptors of 8 generated pictures: what distractor descriptors are made of."""
    pictures = [photo(seed, shapes=25, smallest=(4, 5), grain=0, labels=5, noise_interpolation=cv2.INTER_LINEAR) for seed in range(8)]
    return np.vstack([extract(picture).descriptors for picture in pictures])  # p 128


def distractor(pool, asset_id, n=1000):
    """Features of a fake asset: blended, jittered pool descriptors at random places."""
    rng = np.random.default_rng(asset_id)
    blend = 0.7 * pool[rng.integers(0, len(pool), n)] + 0.3 * pool[rng.integers(0, len(pool), n)]
    descriptors = np.clip(blend + rng.normal(0, 10, (n, 128)), 0, 255).astype(np.uint8)
    return Features(rng.uniform(0, 400, (n, 2)), descriptors, (400, 400))


@pytest.fixture(scope="module")
def assets():
    return make_assets()


@pytest.fixture(scope="module")
def features(assets):
    return {asset_id: extract(image) for asset_id, image in assets.items()}


@pytest.fixture(scope="module")
def brute(assets, features):
    index = BruteForceIndex()
    for asset_id, image in assets.items():
        index.add(asset_id, global_hash(image), features[asset_id])
    return index


@pytest.fixture(scope="module")
def loads():
    return []  # asset ids the loader was asked for, in order


@pytest.fixture(scope="module")
def ann(assets, features, pool, loads):
    def loader(asset_id):
        loads.append(asset_id)
        return features[asset_id] if asset_id < FIRST_DISTRACTOR else distractor(pool, asset_id)

    index = AnnIndex(features_loader=loader, nlist=256)
    for asset_id, image in assets.items():
        index.add(asset_id, global_hash(image), features[asset_id])
    hashes = np.random.default_rng(7).integers(0, 256, (DISTRACTORS, 8), dtype=np.uint8)
    for i in range(DISTRACTORS):
        index.add(FIRST_DISTRACTOR + i, hashes[i], distractor(pool, FIRST_DISTRACTOR + i))
    return index


# ---------------------------------------------------------------- the seam


def test_ann_index_is_the_ann_backend_of_the_seam(ann):
    assert BACKENDS["ann"] is AnnIndex
    assert isinstance(ann, AssetIndex)
    assert len(ann) == 8 + DISTRACTORS and DRAWING in ann and FIRST_DISTRACTOR + 999 in ann


# ---------------------------------------------------------------- same answers as brute force

MATRIX = ["jpeg50", "downscale25", "crop25", "mirror", "rotate2", "screenshot"]


@pytest.mark.slow
@pytest.mark.parametrize("attack", MATRIX)
@pytest.mark.parametrize("asset_id", RICH)
def test_attacked_asset_is_first_as_with_brute_force(ann, brute, assets, loads, asset_id, attack):
    leak, _ = ATTACKS[attack](assets[asset_id])
    expected = brute.search_details(leak, k=1)
    del loads[:]
    hits = ann.search_details(leak, k=1)
    assert [a for a, _, _ in hits] == [a for a, _, _ in expected] == [asset_id]
    (_, score, match), (_, brute_score, brute_match) = hits[0], expected[0]
    assert match.method == brute_match.method == "features" and match.mirrored == (attack == "mirror")
    assert score == pytest.approx(brute_score, rel=0.1)  # same features, same check; MAGSAC may differ
    assert match.coverage == pytest.approx(brute_match.coverage, abs=0.02)
    # Only the shortlist is verified: full features are loaded for at most 8 of 1,008 assets.
    assert 1 <= len(loads) <= ann.shortlist


@pytest.mark.parametrize("attack", ["jpeg50", "mirror"])
def test_whole_smooth_render_is_found_by_its_hash_among_distractors(ann, assets, attack):
    leak, _ = ATTACKS[attack](assets[SMOOTH])
    ((asset_id, score, match),) = ann.search_details(leak)
    assert asset_id == SMOOTH and match.method == "hash" and match.mirrored == (attack == "mirror")
    assert score == 12 + 10 - match.hash_distance


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
def test_unrelated_image_finds_nothing_among_distractors(ann, unrelated):
    assert ann.search(unrelated()) == []


def test_distractors_do_not_change_the_vote_winner(ann, assets, features):
    small = AnnIndex(shortlist=2, nlist=16)  # 8 assets > shortlist: the vote decides
    for asset_id, image in assets.items():
        small.add(asset_id, global_hash(image), features[asset_id])
    for asset_id in (CAMERA, DRAWING):
        leak, _ = crop(assets[asset_id])
        query = extract(leak)
        assert small._ids[small.candidates(query)[0]] == ann._ids[ann.candidates(query)[0]] == asset_id
        assert small.search(leak, k=1)[0][0] == ann.search(leak, k=1)[0][0] == asset_id


# ---------------------------------------------------------------- persistence and bookkeeping


def test_saved_index_loads_and_answers_the_same(ann, assets, features, pool, tmp_path):
    path = tmp_path / "assets.ann"
    ann.save(path)
    loaded = AnnIndex.load(path, features_loader=ann.features_loader)
    assert len(loaded) == len(ann) and loaded.asset_ids() == ann.asset_ids()
    leak, _ = crop(assets[CAMERA])
    query = extract(leak)
    np.testing.assert_array_equal(loaded.votes(query), ann.votes(query))
    assert loaded.search(leak, k=1)[0][0] == CAMERA
    # A loaded index keeps taking changes: replace the camera with chelsea's picture.
    loaded.add(CAMERA, global_hash(assets[CHELSEA]), features[CHELSEA])
    assert CAMERA not in [a for a, _ in loaded.search(leak)]
    assert path.stat().st_size < len(ann) * ann.per_asset * (ann.pq_m / 2 + 8) * 1.2 + 2**20


def test_a_broken_file_is_refused(tmp_path):
    path = tmp_path / "broken.ann"
    path.write_bytes(b"not an index")
    with pytest.raises(BadInput, match="not a saved ANN index"):
        AnnIndex.load(path, features_loader=lambda asset_id: None)


def test_votes_are_repeatable(assets, features):
    def build():
        index = AnnIndex(nlist=16, shortlist=1)
        for asset_id, image in assets.items():
            index.add(asset_id, global_hash(image), features[asset_id])
        return index

    leak, _ = crop(assets[DRAWING])
    query = extract(leak)
    np.testing.assert_array_equal(build().votes(query), build().votes(query))


def test_add_replaces_remove_forgets_and_k_limits(assets):
    index = AnnIndex(shortlist=1, nlist=4)
    assert index.search(assets[CAMERA]) == []
    camera, chelsea = assets[CAMERA], assets[CHELSEA]
    index.add(1, global_hash(camera), extract(camera))
    index.add(2, global_hash(camera), extract(camera))  # a duplicate asset
    assert sorted(a for a, _ in index.search(camera, k=5)) == [1, 2]
    assert len(index.search(camera, k=1)) == 1
    index.add(3, global_hash(chelsea), extract(chelsea))
    index.add(2, global_hash(chelsea), extract(chelsea))  # replaced
    assert len(index) == 3 and [a for a, _ in index.search(camera)] == [1]
    index.remove(1)
    index.remove(99)  # not registered: no-op
    assert index.search(camera) == [] and sorted(a for a, _ in index.search(chelsea)) == [2, 3]


def test_a_hash_collision_between_feature_rich_images_is_no_hit(assets):
    index = AnnIndex()
    index.add(5, global_hash(assets[CAMERA]), extract(assets[CHELSEA]))  # camera's hash, chelsea's features
    assert index.search(assets[CAMERA]) == []


def test_spread_keeps_a_quarter_in_a_quarter(features):
    from leaktrace.index.ann import spread

    f = features[CAMERA]
    kept = f.keypoints[spread(f, 256)]
    h, w = f.shape
    quarter = (kept[:, 0] < w / 2) & (kept[:, 1] < h / 2)
    assert len(kept) == 256 and 0.15 < quarter.mean() < 0.35
