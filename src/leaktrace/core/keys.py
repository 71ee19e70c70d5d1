"""Per-(asset, recipient) seeds and sign vectors from the master key.

Each copy of an asset carries K signs s ∈ {−1, +1}^K. The signs come from a seed that is
HMAC-SHA256 of the master key over a domain-separated message naming the asset and the
recipient, expanded by SHAKE-256. Without the master key the signs are computationally
indistinguishable from fair coin flips, and the signs of two different recipients are
independent: this independence is what the false-accusation bound in
:mod:`leaktrace.core.bound` rests on.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

import numpy as np

__all__ = ["derive_seed", "signs_from_seed", "signs_matrix", "key_fingerprint"]

_SEED_DOMAIN = b"leaktrace/v1/seed\x00"
_SIGNS_DOMAIN = b"leaktrace/v1/signs\x00"
#: One label per carrier: the luminance and geometric signs of a copy are independent.
_CARRIER_DOMAINS = {
    "luminance": _SIGNS_DOMAIN,
    "geometric": b"leaktrace/v1/geometric-signs\x00",
    "words": b"leaktrace/v1/word-signs\x00",  # a document page's word shifts (core.words)
}
_FINGERPRINT_DOMAIN = b"leaktrace/v1/key-fingerprint\x00"


def _field(text: str) -> bytes:
    """Length-prefixed UTF-8 so that ("ab", "c") and ("a", "bc") never collide."""
    raw = text.encode("utf-8")
    return len(raw).to_bytes(8, "big") + raw


def _check_key(master_key: bytes) -> None:
    if not isinstance(master_key, (bytes, bytearray)) or len(master_key) < 16:
        raise ValueError("master_key must be at least 16 bytes")


def derive_seed(master_key: bytes, asset_ref: str, recipient_ref: str) -> bytes:
    """Seed of one (asset, recipient) pair.

    Parameters
    ----------
    master_key : bytes
        The workspace's secret (at least 16 bytes; leaktrace makes 32).
    asset_ref, recipient_ref : str
        Stable identifiers of the asset and the recipient (never reused for another one).

    Returns
    -------
    seed : bytes, 32 bytes
        HMAC-SHA256(master_key, domain ‖ len ‖ asset_ref ‖ len ‖ recipient_ref).

    Examples
    --------
    >>> key = bytes(range(32))
    >>> len(derive_seed(key, "asset-1", "acme"))
    32
    >>> derive_seed(key, "asset-1", "acme") == derive_seed(key, "asset-1", "acme")
    True
    >>> derive_seed(key, "asset-1", "acme") == derive_seed(key, "asset-1a", "cme")
    False
    """
    _check_key(master_key)
    message = _SEED_DOMAIN + _field(asset_ref) + _field(recipient_ref)
    return hmac.new(bytes(master_key), message, hashlib.sha256).digest()


def signs_from_seed(seed: bytes, k: int, *, carrier: str = "luminance") -> np.ndarray:
    """Expand a seed into k fair signs of one carrier.

    Parameters
    ----------
    seed : bytes
        From :func:`derive_seed`.
    k : int
        Number of signs (the carrier's K).
    carrier : "luminance", "geometric" or "words"
        Which carrier the signs are for: each has its own domain label, so the two sign
        vectors of one copy are independent.

    Returns
    -------
    signs : (k,) int8 ndarray
        Values in {−1, +1}, from the bits of SHAKE-256(domain ‖ seed).

    Examples
    --------
    >>> s = signs_from_seed(b"\\x00" * 32, 8)
    >>> s.dtype, s.shape, set(s.tolist()) <= {-1, 1}
    (dtype('int8'), (8,), True)
    >>> g = signs_from_seed(b"\\x00" * 32, 64, carrier="geometric")
    >>> bool((g[:8] != s).any())
    True
    """
    if k < 0:
        raise ValueError(f"k must be non-negative, got {k}")
    try:
        domain = _CARRIER_DOMAINS[carrier]
    except KeyError:
        raise ValueError(f"unknown carrier {carrier!r}") from None
    raw = hashlib.shake_256(domain + bytes(seed)).digest((k + 7) // 8)
    bits = np.unpackbits(np.frombuffer(raw, dtype=np.uint8))[:k]  # k
    return (1 - 2 * bits.astype(np.int8)).astype(np.int8)


def signs_matrix(master_key: bytes, asset_ref: str, recipient_refs: Sequence[str], k: int, *, carrier: str = "luminance") -> np.ndarray:
    """Sign vectors of many recipients of one asset, one row each.

    Parameters
    ----------
    master_key : bytes
    asset_ref : str
    recipient_refs : sequence of str, length N
    k : int
    carrier : "luminance", "geometric" or "words"

    Returns
    -------
    signs : (N, k) int8 ndarray

    Examples
    --------
    >>> signs_matrix(bytes(32), "a", ["r1", "r2", "r3"], 16).shape
    (3, 16)
    """
    out = np.empty((len(recipient_refs), k), dtype=np.int8)  # n k
    for row, ref in enumerate(recipient_refs):
        out[row] = signs_from_seed(derive_seed(master_key, asset_ref, ref), k, carrier=carrier)
    return out


def key_fingerprint(master_key: bytes) -> str:
    """A short public id of the master key, safe to print and log.

    It is an HMAC of a constant under the key, so it reveals nothing about the key but
    tells two keys apart (e.g. to check that a restored backup is the right one).

    Returns
    -------
    fingerprint : str, 16 hex characters

    Examples
    --------
    >>> fp = key_fingerprint(bytes(32))
    >>> len(fp), fp == key_fingerprint(bytes(32)), fp == key_fingerprint(b"\\x01" * 32)
    (16, True, False)
    """
    _check_key(master_key)
    return hmac.new(bytes(master_key), _FINGERPRINT_DOMAIN, hashlib.sha256).hexdigest()[:16]
