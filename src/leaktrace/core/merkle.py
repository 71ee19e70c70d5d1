"""The audit log as a Merkle tree, as in Certificate Transparency: roots, proofs and what a head signs.

A log of n entries is the Merkle Tree Hash of RFC 9162 §2.1.1 over its entries' data
d(0) … d(n−1) (for leaktrace, the 32 bytes of each audit entry's hash, in id order):

    MTH({})    = SHA-256()                                     the empty tree
    MTH({d})   = SHA-256(0x00 || d)                            a leaf
    MTH(D[n])  = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))   k the largest power of 2 below n

The distinct prefixes of leaves and nodes keep a leaf from passing for a node. An
*inclusion proof* (§2.1.3) shows that entry i is in the tree of a given root with log2(n)
hashes; a *consistency proof* (§2.1.4) shows that the tree of m entries is a prefix of the tree
of n entries — that the log only grew — from the two roots alone. Whoever kept an old signed
root can check it against today's log: a log rewritten before entry m has another root for its
first m entries, and no proof bridges the two, whoever signs the new one.

Hashes are ``bytes`` (32). Generators raise ``ValueError`` on an impossible request;
verifiers never raise on a bad proof: they answer False. Standard library only.

Examples
--------
>>> log = [bytes([i]) * 32 for i in range(5)]                        # five entries' hashes
>>> r5 = root(log)
>>> verify_inclusion(log[3], 3, 5, r5, inclusion_proof(log, 3))
True
>>> verify_consistency(3, 5, root(log[:3]), r5, consistency_proof(log, 3))
True
>>> forged = log[:1] + [b"x" * 32] + log[2:]                         # entry 1 rewritten
>>> verify_consistency(3, 5, root(log[:3]), root(forged), consistency_proof(forged, 3))
False

References
----------
B. Laurie, E. Messeri, R. Stradling, "Certificate Transparency Version 2.0", RFC 9162 (2021), §2.1.
B. Laurie, A. Langley, E. Kasper, "Certificate Transparency", RFC 6962 (2013), §2.1.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_BYTES",
    "SIGNED_HEADER",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "signed_bytes",
    "verify_consistency",
    "verify_inclusion",
]

HASH_BYTES = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({})
SIGNED_HEADER = "leaktrace audit checkpoint v1"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf: SHA-256(0x00 || data).

    Examples
    --------
    >>> leaf_hash(b"").hex()[:16]                                       # RFC 6962's first test leaf
    '6e340b9cffb37a98'
    """
    return hashlib.sha256(b"\x00" + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of 2 smaller than ``n`` (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _mth(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) without copying slices (hi > lo)."""
    if hi - lo == 1:
        return leaf_hash(leaves[lo])
    k = _split(hi - lo)
    return node_hash(_mth(leaves, lo, lo + k), _mth(leaves, lo + k, hi))


def root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of ``leaves`` (RFC 9162 §2.1.1).

    Parameters
    ----------
    leaves : sequence of bytes
        The entries' data, in log order (leaktrace: each audit entry's 32-byte hash).

    Returns
    -------
    root : bytes, 32
        SHA-256 of the empty string for no leaves.

    Examples
    --------
    >>> root([]).hex()[:16], root([b""]) == leaf_hash(b"")
    ('e3b0c44298fc1c14', True)
    >>> root([b"a", b"b", b"c"]) == node_hash(node_hash(leaf_hash(b"a"), leaf_hash(b"b")), leaf_hash(b"c"))
    True
    """
    return EMPTY_ROOT if len(leaves) == 0 else _mth(leaves, 0, len(leaves))


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path PATH(index, D[n]) of leaf ``index`` in the tree of all ``leaves`` (RFC 9162 §2.1.3.1).

    Parameters
    ----------
    leaves : sequence of bytes
        The tree's entries' data, n of them.
    index : int
        The leaf, 0 ≤ index < n.

    Returns
    -------
    path : list of bytes
        The sibling hashes from the leaf up to the root (about log2 n of them; none for n = 1).

    Examples
    --------
    >>> leaves = [b"a", b"b", b"c"]
    >>> inclusion_proof(leaves, 2) == [node_hash(leaf_hash(b"a"), leaf_hash(b"b"))]
    True
    """
    n = len(leaves)
    if not 0 <= index < n:
        raise ValueError(f"leaf {index} is not in a tree of {n} leaves")
    path: list[bytes] = []
    lo, hi = 0, n
    while hi - lo > 1:  # walk down from the root; the siblings come out root-first
        k = _split(hi - lo)
        if index < lo + k:
            path.append(_mth(leaves, lo + k, hi))
            hi = lo + k
        else:
            path.append(_mth(leaves, lo, lo + k))
            lo = lo + k
    return path[::-1]


def verify_inclusion(leaf: bytes, index: int, tree_size: int, root_hash: bytes, path: Sequence[bytes]) -> bool:
    """Whether ``path`` proves that ``leaf`` is leaf ``index`` of the tree of ``tree_size`` leaves and root ``root_hash``.

    The verification algorithm of RFC 9162 §2.1.3.2, from the leaf's data (hashed here as a leaf).

    Examples
    --------
    >>> leaves = [b"a", b"b", b"c"]
    >>> verify_inclusion(b"c", 2, 3, root(leaves), inclusion_proof(leaves, 2))
    True
    >>> verify_inclusion(b"c", 1, 3, root(leaves), inclusion_proof(leaves, 2))
    False
    """
    if not (_is_hash(root_hash) and all(_is_hash(p) for p in path)) or not 0 <= index < tree_size:
        return False
    fn, sn = index, tree_size - 1
    r = leaf_hash(leaf)
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root_hash


def consistency_proof(leaves: Sequence[bytes], m: int) -> list[bytes]:
    """PROOF(m, D[n]): that the tree of the first ``m`` leaves is a prefix of the tree of all n (RFC 9162 §2.1.4.1).

    Parameters
    ----------
    leaves : sequence of bytes
        The newer tree's entries' data, n of them.
    m : int
        The older tree's size, 0 ≤ m ≤ n.

    Returns
    -------
    proof : list of bytes
        Empty when m is 0 or n (nothing to prove beyond the roots themselves).

    Examples
    --------
    >>> leaves = [b"a", b"b", b"c"]
    >>> consistency_proof(leaves, 2) == [leaf_hash(b"c")]
    True
    """
    n = len(leaves)
    if not 0 <= m <= n:
        raise ValueError(f"a tree of {n} leaves has no prefix of {m} leaves")
    if m in (0, n):
        return []
    proof: list[bytes] = []
    lo, hi, whole = 0, n, True  # SUBPROOF(m, D[lo:hi], whole), unrolled; hashes come out root-first
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            proof.append(_mth(leaves, lo + k, hi))
            hi = lo + k
        else:
            proof.append(_mth(leaves, lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        proof.append(_mth(leaves, lo, hi))
    return proof[::-1]


def verify_consistency(m: int, n: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """Whether ``proof`` shows that the tree of ``m`` leaves and root ``old_root`` is a prefix of the
    tree of ``n`` leaves and root ``new_root``.

    The verification algorithm of RFC 9162 §2.1.4.2 for 0 < m < n. For m = n the proof must be
    empty and the roots equal; every tree extends the empty one (m = 0, whose root is
    :data:`EMPTY_ROOT`) with an empty proof.

    Examples
    --------
    >>> leaves = [b"a", b"b", b"c", b"d", b"e"]
    >>> verify_consistency(2, 5, root(leaves[:2]), root(leaves), consistency_proof(leaves, 2))
    True
    >>> verify_consistency(2, 5, root([b"a", b"B"]), root(leaves), consistency_proof(leaves, 2))
    False
    """
    if not (_is_hash(old_root) and _is_hash(new_root) and all(_is_hash(p) for p in proof)) or not 0 <= m <= n:
        return False
    if m == 0:
        return old_root == EMPTY_ROOT and not proof
    if m == n:
        return old_root == new_root and not proof
    if not proof:
        return False
    path = list(proof)
    if m & (m - 1) == 0:  # an exact power of 2: the old root is a node of the new tree
        path.insert(0, old_root)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0


def signed_bytes(log_id: str, tree_size: int, root_hash: str, timestamp: str) -> bytes:
    """The exact bytes a signed tree head's signature covers: five lines of UTF-8 text.

    ::

        leaktrace audit checkpoint v1
        log <log_id>
        size <tree_size, decimal>
        root <root_hash, 64 lowercase hex>
        time <timestamp, ISO 8601>

    each ending in a newline. The first line keeps a signature over it from passing for any
    other message signed by the same key; a field with a line break (or a malformed size or
    root) is refused, so one text has one reading.

    Examples
    --------
    >>> signed_bytes("6f1c2a9e0b7d4c35", 2, root([]).hex(), "2027-01-05T09:00:00+00:00").decode().splitlines()[1:3]
    ['log 6f1c2a9e0b7d4c35', 'size 2']
    """
    if not log_id or not timestamp or any(c in "\r\n" for c in log_id + timestamp):
        raise ValueError("a checkpoint's log id and time must be non-empty single lines")
    if isinstance(tree_size, bool) or not isinstance(tree_size, int) or tree_size < 0:
        raise ValueError(f"a checkpoint's tree size must be a whole number ≥ 0, not {tree_size!r}")
    if not isinstance(root_hash, str) or not _HEX64.fullmatch(root_hash):
        raise ValueError("a checkpoint's root hash must be 64 lowercase hex digits")
    return f"{SIGNED_HEADER}\nlog {log_id}\nsize {tree_size}\nroot {root_hash}\ntime {timestamp}\n".encode()


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_BYTES
