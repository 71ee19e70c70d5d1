"""The bound, checked empirically: innocents scored against real leaks of real images are never accused.

Each leak's projection y is scored against many fresh keys that never received the
asset. Their scores must look like a standard normal (a shift or a wider spread
would mean the detector leaks information about the signs), and none may reach
the accusation threshold.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from skimage import data

from leaktrace.core import bound
from leaktrace.evaluation import evaluate
from tests.conftest import drawing

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
