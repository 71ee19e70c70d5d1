"""The bound, checked empirically: innocents scored against real leaks of real images are never accused.

Each leak's projection y is scored against many fresh keys that never received the
asset. Their scores must look like a standard normal (a shift or a wider spread
would mean the detector leaks information about the signs), and none may reach
the accusation threshold.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from skimage import data

from leaktrace.core import bound
from leaktrace.evaluation import evaluate
from tests.conftest import CI_ONLY, drawing

ATTACKS = ["jpeg75", "downscale50", "crop50", "rotate2", "screenshot", "social", "gamma", "mirror"]


@pytest.fixture(scope="module")
def evaluation():
    images = {"astronaut": data.astronaut()[::2, ::2].copy(), "coffee": data.coffee()[::2, ::2].copy(), "drawing": drawing()}
    return evaluate(images, ATTACKS, n_recipients=16, extra_innocents=500, seed=11)


def test_ten_thousand_innocents_accuse_nobody(evaluation):
    scores = evaluation.innocent_scores
    assert scores.size >= 10_000
    assert evaluation.false_accusations == 0
    n_tested = 16
    assert not bound.accuse(scores, n_tested, 1e-6).any()
    assert scores.max() < bound.threshold(n_tested, 1e-6)


def test_innocent_scores_are_standard_normal(evaluation):
    scores = evaluation.innocent_scores
    assert abs(scores.mean()) < 0.05
    assert 0.93 < scores.std() < 1.07
    # the Hoeffding tail bound holds empirically at every level we can resolve
    for tau in (1.0, 2.0, 3.0):
        assert (scores >= tau).mean() <= np.exp(-(tau**2) / 2)
    assert stats.kstest(scores, "norm").statistic < 0.03


GEOMETRIC_ATTACKS = ["none", "threshold_otsu", "downscale50", "jpeg75", "rotate2"]


@pytest.fixture(scope="module")
def geometric_null():
    """Innocent scores of the geometric (grey levels and outlines) and combined statistics: fresh keys against the projections of real leaks.

    The drawing's copies carry both carriers (recipient 3 of 16, as the evaluation makes them);
    each leak's luminance and geometric projections are scored against 2,000 fresh recipients of its
    own, whose two sign vectors never went into any copy.
    """
    from leaktrace.core import detect, keys, verdict
    from leaktrace.evaluation import attacks
    from leaktrace.evaluation.methods import LeaktraceMethod

    original = drawing()
    method = LeaktraceMethod()
    asset = method.prepare(original, "drawing", 16, seed=5)
    assert asset.geometry is not None
    copy = method.embed(asset, 3)
    master = bytes(range(32))
    rng = np.random.default_rng(2)
    geometric, outlined, both, leakers = [], [], [], []
    for name in GEOMETRIC_ATTACKS:
        refs = [f"fresh-{name}-{i}" for i in range(2000)]  # 10,000 distinct innocents over the five leaks
        fresh_l = keys.signs_matrix(master, "drawing", refs, asset.signs.shape[1])
        fresh_g = keys.signs_matrix(master, "drawing", refs, asset.geometry.k, carrier="geometric")
        leak = copy if name == "none" else attacks.apply(name, copy, rng)
        v = verdict.examine(
            leak, asset.view, asset.signs, grid=asset.grid, epsilon=1e-6, geometric_grid=asset.geometry.grid, geometric_signs=asset.geometric_signs
        )
        y_l, y_g = v.projections[0], v.geometric_projections[0]
        t_g = detect.scores(fresh_g, y_g)
        geometric.append(t_g)
        outlined.append(detect.scores(fresh_g, v.outline_projections[0]))
        both.append(verdict.combined(detect.scores(fresh_l, y_l), t_g))
        leakers.append(v.accused.nonzero()[0].tolist())
    return np.concatenate(geometric), np.concatenate(both), leakers, np.concatenate(outlined)


def test_geometric_and_combined_innocents_accuse_nobody(geometric_null):
    geometric, both, leakers, outlined = geometric_null
    assert all(accused in ([3], []) for accused in leakers)
    # the leaks are real: the leaker is named in each but the 1-bit one (T_g 4.6 on this 360×540 drawing at 0.1 px)
    assert [a for name, a in zip(GEOMETRIC_ATTACKS, leakers) if name != "threshold_otsu"] == [[3]] * (len(GEOMETRIC_ATTACKS) - 1)
    n_tested = 16 * 4
    for scores in (geometric, both, outlined):
        assert scores.size >= 10_000
        assert not bound.accuse(scores, n_tested, 1e-6).any()
        assert scores.max() < bound.threshold(n_tested, 1e-6)


@pytest.mark.parametrize("statistic", ["geometric", "combined", "outline"])
def test_geometric_and_combined_innocent_scores_are_standard_normal(geometric_null, statistic):
    scores = {"geometric": geometric_null[0], "combined": geometric_null[1], "outline": geometric_null[3]}[statistic]
    assert abs(scores.mean()) < 0.05
    assert 0.93 < scores.std() < 1.07
    for tau in (1.0, 2.0, 3.0):
        assert (scores >= tau).mean() <= np.exp(-(tau**2) / 2)
    assert stats.kstest(scores, "norm").statistic < 0.03


DOCUMENT_ATTACKS = ["none", "jpeg50", "phone", "print_scan", "crop"]


@pytest.fixture(scope="module")
def word_null(tmp_path_factory):
    """Innocent scores of a document page's word statistics: fresh keys against the word projections of
    real traces of the bundled tender package's pages 2 (text) and 4 (a drawing with labels), leaked
    from recipient 1's copy (96 dpi renders, then each attack), 1,000 fresh recipients per leak."""
    from leaktrace import Workspace, imagefiles
    from leaktrace.core import detect, keys, verdict
    from leaktrace.documents.render import render_page
    from leaktrace.evaluation import attacks
    from leaktrace.samples import document_path

    home = tmp_path_factory.mktemp("word-null")
    ws = Workspace.init(home / "ws")
    for name in ("Apex", "Borealis"):
        ws.add_recipient(name)
    doc = ws.add_assets([document_path("tender_package")])[0]
    copy = {c["recipient"]: c["path"] for c in ws.share(doc["id"], ["Apex", "Borealis"], home / "out")}["Borealis"]
    seen = []
    judge = verdict.judge

    def keep(*args, **kwargs):
        seen.append((judge(*args, **kwargs), kwargs))
        return seen[-1][0]

    words, both, accused = [], [], []
    rng = np.random.default_rng(4)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(verdict, "judge", keep)
        for page in (2, 4):
            image = render_page(Path(copy).read_bytes(), page - 1, 96)
            for name in DOCUMENT_ATTACKS:
                leak = image if name == "none" else image[: image.shape[0] // 2] if name == "crop" else attacks.apply(name, image, rng)
                path = home / f"p{page}-{name}.png"
                path.write_bytes(imagefiles.encode_image(leak, "PNG"))
                f = ws.trace(path)
                accused.append([c.recipient for c in f.candidates if c.accused])
                v, kwargs = seen[-1]
                assert v.word_projections is not None, (page, name)
                refs = [f"fresh-{page}-{name}-{i}" for i in range(1000)]
                fresh_w = keys.signs_matrix(bytes(range(32)), "page", refs, kwargs["words"].n, carrier="words")
                fresh_g = keys.signs_matrix(bytes(range(32)), "page", refs, v.geometric_projections.shape[1], carrier="geometric")
                t_w = detect.scores(fresh_w, v.word_projections[0])
                words.append(t_w)
                both.append(verdict.combined(detect.scores(fresh_g, v.geometric_projections[0]), t_w))
    ws.close()
    return np.concatenate(words), np.concatenate(both), accused


@CI_ONLY
def test_word_statistics_innocents_accuse_nobody(word_null):
    words, both, accused = word_null
    assert all(a in (["Borealis"], []) for a in accused)
    assert sum(a == ["Borealis"] for a in accused) >= 8  # the leaks are real: traced from their words and lines
    n_tested = 2 * 4
    for scores in (words, both):
        assert scores.size >= 10_000
        assert not bound.accuse(scores, n_tested, 1e-6).any()
        assert scores.max() < bound.threshold(n_tested, 1e-6)


@CI_ONLY
@pytest.mark.parametrize("statistic", ["words", "geometric+words"])
def test_word_statistics_innocent_scores_are_standard_normal(word_null, statistic):
    scores = word_null[0] if statistic == "words" else word_null[1]
    assert abs(scores.mean()) < 0.05
    assert 0.93 < scores.std() < 1.07
    for tau in (1.0, 2.0, 3.0):
        assert (scores >= tau).mean() <= np.exp(-(tau**2) / 2)
    assert stats.kstest(scores, "norm").statistic < 0.03
