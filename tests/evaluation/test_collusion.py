"""Collusion: combined copies, counted per collusion; colluders are accused, innocents are not."""

from __future__ import annotations

import numpy as np

from leaktrace.evaluation import COLLUSIONS, CollusionResult, collude
from leaktrace.evaluation.collusion import _average, _splice
from tests.conftest import photo


def test_combiners():
    a, b = np.zeros((4, 10, 3), np.uint8), np.full((4, 10, 3), 101, np.uint8)
    np.testing.assert_array_equal(_average([a, b], np.random.default_rng(0)), np.full((4, 10, 3), 50, np.uint8))
    spliced = _splice([a, b], np.random.default_rng(0))
    x = int(np.argmax(spliced[0, :, 0] > 0))
    assert 4 <= x <= 6 and (spliced[:, :x] == 0).all() and (spliced[:, x:] == 101).all()
    assert {name: c for name, (c, _) in COLLUSIONS.items()} == {"average2": 2, "average3": 3, "splice2": 2}


def test_two_averaged_copies_accuse_a_colluder_and_no_innocent():
    out = collude({"photo": photo(4, (192, 256))}, ["average2", "splice2"], n_recipients=6, trials=2, seed=1)
    assert set(out) == {"average2", "splice2"}
    for result in out.values():
        assert isinstance(result, CollusionResult) and result.n == 2
        assert result.false_accusations == 0
        assert result.any_colluder == 2
    assert out["average2"].to_dict() == {"n": 2, "any_colluder": 2, "all_colluders": out["average2"].all_colluders, "false_accusations": 0}
