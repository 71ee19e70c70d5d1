"""The Merkle tree of the audit log: RFC 6962/9162 roots and proofs, and every tampering refused."""

from __future__ import annotations

import hashlib

import pytest

from leaktrace.core.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    signed_bytes,
    verify_consistency,
    verify_inclusion,
)

N = 40
LEAVES = [hashlib.sha256(f"entry {i}".encode()).digest() for i in range(N)]  # like audit entries' hashes

# The reference tree of RFC 6962's test data (the certificate-transparency project's test vectors).
CT_DATA = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def by_definition(leaves: list[bytes]) -> bytes:
    """MTH written straight from RFC 9162 §2.1.1, with slices (the reference for the module's own)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + by_definition(leaves[:k]) + by_definition(leaves[k:])).digest()


ROOTS = [root(LEAVES[:n]) for n in range(N + 1)]


def flipped(value: bytes, at: int = 0) -> bytes:
    return value[:at] + bytes([value[at] ^ 1]) + value[at + 1 :]


def test_reference_roots_and_proofs():
    assert [root(CT_DATA[:n]).hex() for n in range(9)] == CT_ROOTS
    assert [p.hex()[:8] for p in inclusion_proof(CT_DATA, 0)] == ["96a296d2", "5f083f0a", "6b47aaf2"]
    assert [p.hex()[:8] for p in inclusion_proof(CT_DATA, 5)] == ["bc1a0643", "ca854ea1", "d37ee418"]
    assert [p.hex()[:8] for p in consistency_proof(CT_DATA, 2)] == ["5f083f0a", "6b47aaf2"]
    assert [p.hex()[:8] for p in consistency_proof(CT_DATA, 6)] == ["0ebc5d34", "ca854ea1", "d37ee418"]


def test_roots_follow_the_definition():
    assert EMPTY_ROOT.hex() == CT_ROOTS[0] and root([]) == EMPTY_ROOT
    assert root(LEAVES[:1]) == hashlib.sha256(b"\x00" + LEAVES[0]).digest()
    a, b, c = (leaf_hash(x) for x in LEAVES[:3])
    assert root(LEAVES[:3]) == hashlib.sha256(b"\x01" + hashlib.sha256(b"\x01" + a + b).digest() + c).digest()
    assert all(ROOTS[n] == by_definition(LEAVES[:n]) for n in range(N + 1))
    assert len(set(ROOTS)) == N + 1  # every size has its own root
    two = leaf_hash(LEAVES[0]) + leaf_hash(LEAVES[1])
    assert root(LEAVES[:2]) == node_hash(leaf_hash(LEAVES[0]), leaf_hash(LEAVES[1])) != root([two])  # a node never passes for a leaf


def test_every_inclusion_proof_verifies_and_no_tampered_one_does():
    checked = 0
    for n in range(1, N + 1):
        for i in range(n):
            path = inclusion_proof(LEAVES[:n], i)
            assert len(path) <= (n - 1).bit_length()  # at most ceil(log2 n) hashes
            assert verify_inclusion(LEAVES[i], i, n, ROOTS[n], path)
            assert not verify_inclusion(flipped(LEAVES[i]), i, n, ROOTS[n], path)  # another entry
            assert not verify_inclusion(LEAVES[i], i, n, flipped(ROOTS[n], 31), path)  # another root
            assert n == N or not verify_inclusion(LEAVES[i], i, n + 1, ROOTS[n + 1], path)  # the grown tree's head
            if n > 1:
                assert not verify_inclusion(LEAVES[i], (i + 1) % n, n, ROOTS[n], path)  # another position
                assert not verify_inclusion(LEAVES[i], i, n, ROOTS[n], path[:-1])  # truncated
                assert not verify_inclusion(LEAVES[i], i, n, ROOTS[n], [*path, path[0]])  # extended
                for j in range(len(path)):
                    assert not verify_inclusion(LEAVES[i], i, n, ROOTS[n], path[:j] + [flipped(path[j], 5)] + path[j + 1 :])
            checked += 1
    assert checked == N * (N + 1) // 2  # 820 proofs


def test_every_consistency_proof_verifies_and_no_tampered_one_does():
    checked = 0
    for n in range(N + 1):
        for m in range(n + 1):
            proof = consistency_proof(LEAVES[:n], m)
            assert verify_consistency(m, n, ROOTS[m], ROOTS[n], proof), (m, n)
            checked += 1
            if 0 < m < n:
                assert not verify_consistency(m, n, flipped(ROOTS[m]), ROOTS[n], proof)
                assert not verify_consistency(m, n, ROOTS[m], flipped(ROOTS[n]), proof)
                assert not verify_consistency(m, n, ROOTS[m], ROOTS[n], proof[:-1])
                assert not verify_consistency(m, n, ROOTS[m], ROOTS[n], [*proof, proof[0]])
                assert not verify_consistency(m + 1, n, ROOTS[m + 1], ROOTS[n], proof)  # another old size
                for j in range(len(proof)):
                    assert not verify_consistency(m, n, ROOTS[m], ROOTS[n], proof[:j] + [flipped(proof[j], 9)] + proof[j + 1 :])
    assert checked == (N + 1) * (N + 2) // 2  # 861 pairs m ≤ n


def test_a_rewritten_history_has_no_consistency_proof():
    """Rewrite entry j < m and recompute everything: the new log's proof never reaches the old root."""
    for n in (5, 8, 13, 40):
        for m in range(1, n + 1):
            for j in range(m):
                forged = LEAVES[:j] + [flipped(LEAVES[j])] + LEAVES[j + 1 : n]
                assert not verify_consistency(m, n, ROOTS[m], root(forged), consistency_proof(forged, m)), (m, n, j)
    # entries changed only after the old tree's end are an extension, as they must be
    grown = LEAVES[:7] + [flipped(x) for x in LEAVES[7:20]]
    assert verify_consistency(7, 20, ROOTS[7], root(grown), consistency_proof(grown, 7))


def test_the_empty_tree_and_impossible_requests():
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 9, EMPTY_ROOT, ROOTS[9], [])
    assert not verify_consistency(0, 9, ROOTS[1], ROOTS[9], [])  # the empty tree has one root
    assert not verify_consistency(0, 9, EMPTY_ROOT, ROOTS[9], [ROOTS[1]])
    assert not verify_consistency(4, 4, ROOTS[4], ROOTS[5], [])
    assert not verify_consistency(4, 4, ROOTS[4], ROOTS[4], [ROOTS[1]])
    assert not verify_consistency(9, 4, ROOTS[9], ROOTS[4], consistency_proof(LEAVES[:9], 4))  # shrinking
    assert not verify_consistency(-1, 4, EMPTY_ROOT, ROOTS[4], [])
    assert not verify_consistency(3, 8, ROOTS[3], ROOTS[8], [])
    assert not verify_consistency(3, 8, ROOTS[3][:31], ROOTS[8], consistency_proof(LEAVES[:8], 3))  # not a hash
    assert not verify_inclusion(LEAVES[0], 0, 0, EMPTY_ROOT, [])
    assert not verify_inclusion(LEAVES[0], -1, 3, ROOTS[3], inclusion_proof(LEAVES[:3], 0))
    assert not verify_inclusion(LEAVES[0], 0, 3, ROOTS[3], ["not bytes"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="leaf 0 is not in a tree of 0 leaves"):
        inclusion_proof([], 0)
    with pytest.raises(ValueError, match="leaf 3 is not in a tree of 3"):
        inclusion_proof(LEAVES[:3], 3)
    with pytest.raises(ValueError, match="no prefix of 4 leaves"):
        consistency_proof(LEAVES[:3], 4)


def test_inputs_are_not_changed():
    leaves = list(LEAVES[:11])
    inclusion_proof(leaves, 4)
    proof = consistency_proof(leaves, 6)
    kept = list(proof)
    verify_consistency(6, 11, ROOTS[6], ROOTS[11], proof)  # a power-of-2 size prepends to a copy, not to this list
    verify_consistency(4, 11, ROOTS[4], ROOTS[11], consistency_proof(leaves, 4))
    assert leaves == LEAVES[:11] and proof == kept


def test_signed_bytes_are_one_text_with_one_reading():
    head = signed_bytes("6f1c2a9e0b7d4c35", 12, ROOTS[12].hex(), "2027-01-05T09:00:00+00:00")
    assert head == (
        b"leaktrace audit checkpoint v1\nlog 6f1c2a9e0b7d4c35\nsize 12\nroot " + ROOTS[12].hex().encode() + b"\ntime 2027-01-05T09:00:00+00:00\n"
    )
    assert head != signed_bytes("6f1c2a9e0b7d4c35", 13, ROOTS[12].hex(), "2027-01-05T09:00:00+00:00")
    for bad in (
        dict(log_id="a\nsize 3"),
        dict(timestamp=""),
        dict(tree_size=-1),
        dict(tree_size=True),
        dict(root_hash=ROOTS[1].hex().upper()),
        dict(root_hash="00"),
    ):
        fields = dict(log_id="log", tree_size=1, root_hash=ROOTS[1].hex(), timestamp="2027-01-05T09:00:00+00:00") | bad
        with pytest.raises(ValueError):
            signed_bytes(**fields)
