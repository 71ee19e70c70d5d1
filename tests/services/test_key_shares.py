"""key_shares: a k-of-n Shamir split (PyCryptodome, GF(2^128)) of a key-encryption key that seals the master
key. Any k shares restore the key; one share is consistent with every key, so alone it reveals nothing."""

from __future__ import annotations

import itertools
import secrets

import pytest
from Crypto.Protocol import SecretSharing
from Crypto.Protocol.SecretSharing import Shamir, _Element
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from leaktrace.core.keys import key_fingerprint
from leaktrace.errors import KeyProblem
from leaktrace.services import key_shares

AT = "2027-01-05T09:00:00+00:00"


def _split(key, shares=3, threshold=2):
    return key_shares.split(key, shares=shares, threshold=threshold, fingerprint=key_fingerprint(key), created_at=AT)


def _named(shares):
    return [(f"share-{s.index}", s) for s in shares]


def test_any_2_of_3_shares_restore_the_key():
    key = secrets.token_bytes(32)
    made = _split(key)
    for pair in itertools.permutations(made, 2):
        restored, used = key_shares.combine(_named(pair))
        assert restored == key and used == tuple(sorted(s.index for s in pair))
    assert key_shares.combine(_named(made)) == (key, (1, 2, 3))


def test_shares_survive_their_file_form():
    made = _split(secrets.token_bytes(32), shares=4, threshold=3)
    assert [key_shares.parse(s.to_bytes(), name="f") for s in made] == made


class _Randomness:
    """``secrets`` for key_shares with a chosen key-encryption key (the nonce and split id stay random)."""

    def __init__(self, kek: bytes) -> None:
        self.kek = kek

    def token_bytes(self, n: int) -> bytes:
        return self.kek if n == 16 else secrets.token_bytes(n)

    def token_hex(self, n: int) -> str:
        return secrets.token_hex(n)


@pytest.mark.parametrize("index", [1, 2, 3])
def test_one_share_is_consistent_with_every_key(monkeypatch, index):
    """Share ``index`` of a split of key A is byte-identical to share ``index`` of a valid split of
    any other key B: for B's (random) key-encryption key c0 there is exactly one degree-1 polynomial
    c0 + c1·x over GF(2^128) through (index, share), with c1 = (share − c0) / index. Made here by
    handing PyCryptodome's Shamir that c1 as its randomness. So one share is equally likely under
    every key and says nothing about the one it came from."""
    key_a = secrets.token_bytes(32)
    seen = _split(key_a)[index - 1].share
    for _ in range(3):
        key_b = secrets.token_bytes(32)
        kek_b = secrets.token_bytes(16)
        c1 = (_Element(seen) + _Element(kek_b)) * _Element(index).inverse()  # in GF(2^128), minus is plus
        monkeypatch.setattr(SecretSharing, "rng", lambda n, c1=c1: c1.encode())
        monkeypatch.setattr(key_shares, "secrets", _Randomness(kek_b))
        split_b = _split(key_b)
        monkeypatch.undo()
        assert split_b[index - 1].share == seen  # the very share seen, in a genuine split of another key
        other = split_b[index % 3]
        assert key_shares.combine(_named([split_b[index - 1], other]))[0] == key_b


def test_one_share_is_uniform_over_many_splits_of_one_key():
    """The same key split 4,096 times: share 1's bytes look like coin flips (each bit set about half
    the time, no repeats), as they must when the polynomial's other coefficient is random."""
    key = bytes(32)
    values = [_split(key)[0].share for _ in range(4096)]
    assert len(set(values)) == 4096
    bits = [sum((int.from_bytes(v, "big") >> b) & 1 for v in values) for b in range(128)]
    assert all(abs(ones - 2048) < 6 * 32 for ones in bits)  # 6 sigma, sigma = sqrt(4096 / 4) = 32


def test_k_minus_1_shares_and_the_wrapped_key_open_nothing():
    key = secrets.token_bytes(32)
    made = _split(key, shares=5, threshold=3)
    aad = made[0].associated_data()
    for fewer in itertools.combinations(made, 2):
        kek_guess = Shamir.combine([(s.index, s.share) for s in fewer])  # what two shares interpolate
        with pytest.raises(InvalidTag):
            AESGCM(kek_guess).decrypt(made[0].nonce, made[0].wrapped_key, aad)
        with pytest.raises(KeyProblem, match="2 shares given; this split of key .* needs 3 of its 5"):
            key_shares.combine(_named(fewer))
    for one in made:
        with pytest.raises(InvalidTag):
            AESGCM(one.share).decrypt(one.nonce, one.wrapped_key, aad)
    assert key not in made[0].to_bytes() and key.hex().encode() not in made[0].to_bytes()


def test_split_randomness_differs_every_time():
    key = secrets.token_bytes(32)
    a, b = _split(key), _split(key)
    assert a[0].split_id != b[0].split_id and a[0].wrapped_key != b[0].wrapped_key and a[0].share != b[0].share
    with pytest.raises(KeyProblem, match="come from different splits"):
        key_shares.combine([("a1", a[0]), ("b2", b[1])])


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "not a leaktrace key share."),
        (b"[]", "not a leaktrace key share."),
        (b'{"format": "leaktrace-key-share", "version": 2}', "a key share of format version 2; this leaktrace reads version 1: upgrade leaktrace."),
    ],
)
def test_what_is_not_a_share_is_named(content, words):
    with pytest.raises(KeyProblem) as caught:
        key_shares.parse(content, name="f.json")
    assert str(caught.value).startswith(f"f.json: {words}")


def test_each_field_of_a_share_is_checked():
    doc = _split(secrets.token_bytes(32))[0].to_bytes().decode()
    for old, new in (
        ('"index": 1', '"index": 4'),
        ('"threshold": 2', '"threshold": 1'),
        ('"share": "', '"share": "0'),
        ('"split_id": "', '"split_id": "x'),
    ):
        with pytest.raises(KeyProblem, match="^f.json: not a leaktrace key share"):
            key_shares.parse(doc.replace(old, new, 1).encode(), name="f.json")
