"""Seeds and signs: deterministic, domain-separated, balanced, independent across recipients."""

import numpy as np
import pytest

from leaktrace.core import keys

KEY = bytes(range(32))


def test_seed_is_deterministic_and_separates_fields():
    a = keys.derive_seed(KEY, "asset-1", "acme")
    assert a == keys.derive_seed(KEY, "asset-1", "acme")
    assert len(a) == 32
    others = {
        keys.derive_seed(KEY, "asset-1", "acme2"),
        keys.derive_seed(KEY, "asset-2", "acme"),
        keys.derive_seed(KEY, "asset-1a", "cme"),  # no concatenation ambiguity
        keys.derive_seed(b"\x01" * 32, "asset-1", "acme"),
    }
    assert a not in others and len(others) == 4


def test_signs_are_fair_and_deterministic():
    seed = keys.derive_seed(KEY, "a", "r")
    s = keys.signs_from_seed(seed, 4096)
    assert s.dtype == np.int8 and s.shape == (4096,)
    assert set(np.unique(s).tolist()) == {-1, 1}
    assert abs(int(s.sum())) < 4 * 64  # 4 σ of a fair sum
    assert np.array_equal(s, keys.signs_from_seed(seed, 4096))
    # a prefix of a longer expansion is the shorter expansion
    assert np.array_equal(keys.signs_from_seed(seed, 1000), s[:1000])
    assert keys.signs_from_seed(seed, 0).shape == (0,)


def test_signs_matrix_rows_are_independent():
    k, n = 4096, 64
    m = keys.signs_matrix(KEY, "asset", [f"r{i}" for i in range(n)], k)
    assert m.shape == (n, k) and m.dtype == np.int8
    assert np.array_equal(m[3], keys.signs_from_seed(keys.derive_seed(KEY, "asset", "r3"), k))
    corr = (m.astype(np.float64) @ m.T.astype(np.float64)) / np.sqrt(k)  # ~N(0, 1) off-diagonal
    off = corr[~np.eye(n, dtype=bool)]
    assert abs(off.mean()) < 0.2 and 0.8 < off.std() < 1.2 and np.abs(off).max() < 5.0


def test_fingerprint_is_short_stable_and_not_the_key():
    fp = keys.key_fingerprint(KEY)
    assert len(fp) == 16 and int(fp, 16) >= 0
    assert fp == keys.key_fingerprint(KEY) != keys.key_fingerprint(b"\x02" * 32)
    assert KEY.hex()[:8] not in fp


def test_short_key_is_refused():
    with pytest.raises(ValueError):
        keys.derive_seed(b"short", "a", "r")
