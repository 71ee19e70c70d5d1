"""A k-of-n split of the master key among custodians (Shamir's secret sharing, PyCryptodome).

Bytes in, bytes out (no files, no store): :mod:`leaktrace.services.keys` writes one share file
per custodian and records the split in the audit log.

PyCryptodome's :class:`~Crypto.Protocol.SecretSharing.Shamir` shares 16-byte secrets over
GF(2^128), and the master key is 32 bytes, so a fresh random 16-byte key-encryption key (KEK)
seals the master key with AES-128-GCM and the KEK is what is split: a polynomial of degree
k − 1 over GF(2^128) whose constant term is the KEK and whose other k − 1 coefficients are
random; share i is its value at x = i. Any k shares interpolate the KEK; k − 1 or fewer are
consistent with every KEK alike (for each candidate KEK exactly one polynomial passes
through them), so they say nothing about it, and the sealed key beside them is then AES-GCM
under a key nobody holds.

Each share is a JSON document: the split's id, the share's index, k and n, the master key's
fingerprint, the custodian's name, the share (16 bytes, hex) and the sealed master key
(nonce, ciphertext and tag, hex). The split's id, k, n and the fingerprint are the AEAD's
associated data, so a share whose k or fingerprint was edited does not open the key.

>>> key = bytes(range(32))
>>> made = split(key, shares=3, threshold=2, fingerprint="00112233aabbccdd", created_at="2027-01-05T09:00:00+00:00")
>>> [s.index for s in made], len(made[0].share)
([1, 2, 3], 16)
>>> again = [parse(s.to_bytes(), name=f"share-{s.index}") for s in made]
>>> combine([("b", again[2]), ("a", again[0])])[0] == key
True
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from leaktrace.errors import BadInput, KeyProblem

__all__ = ["FORMAT", "MAX_SHARES", "Share", "combine", "parse", "split"]

FORMAT = "leaktrace-key-share"
VERSION = 1
AEAD = "AES-128-GCM"
MAX_SHARES = 32
_KEK_BYTES, _NONCE_BYTES, _KEY_BYTES, _TAG_BYTES = 16, 12, 32, 16
_SUBSETS_TRIED = 5000  # when more than k shares are given and they disagree, k-subsets searched for a good one
_NOTE = "One share of a leaktrace master key. Any {k} of the {n} shares together restore it (leaktrace key combine); fewer reveal nothing. Keep it private."


@dataclass(frozen=True)
class Share:
    """One custodian's share of a split of the master key."""

    split_id: str  # 32 hex, random: shares of different splits never combine
    index: int  # 1..shares
    shares: int  # n
    threshold: int  # k
    key_fingerprint: str
    custodian: str | None
    created_at: str
    share: bytes  # 16 bytes: the KEK polynomial's value at x = index
    nonce: bytes  # 12 bytes
    wrapped_key: bytes  # 48 bytes: the master key sealed under the KEK, tag included

    def associated_data(self) -> bytes:
        """What the sealed key is bound to (the same for every share of the split)."""
        return _associated(self.split_id, self.shares, self.threshold, self.key_fingerprint)

    def to_bytes(self) -> bytes:
        """The share file's content (UTF-8 JSON)."""
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "note": _NOTE.format(k=self.threshold, n=self.shares),
            "split_id": self.split_id,
            "index": self.index,
            "shares": self.shares,
            "threshold": self.threshold,
            "key_fingerprint": self.key_fingerprint,
            "custodian": self.custodian,
            "created_at": self.created_at,
            "share": self.share.hex(),
            "aead": AEAD,
            "nonce": self.nonce.hex(),
            "wrapped_key": self.wrapped_key.hex(),
        }
        return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _associated(split_id: str, shares: int, threshold: int, fingerprint: str) -> bytes:
    split = {"format": FORMAT, "version": VERSION, "split_id": split_id, "shares": shares, "threshold": threshold, "key_fingerprint": fingerprint}
    return json.dumps(split, sort_keys=True, separators=(",", ":")).encode("ascii")


def split(
    key: bytes, *, shares: int, threshold: int, fingerprint: str, created_at: str, custodians: Sequence[str | None] | None = None
) -> list[Share]:
    """Split ``key`` (32 bytes) into ``shares`` shares, any ``threshold`` of which restore it."""
    from Crypto.Protocol.SecretSharing import Shamir
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not 2 <= threshold <= shares <= MAX_SHARES:
        raise BadInput(
            f"--threshold {threshold} of --shares {shares}: need 2 <= threshold <= shares <= {MAX_SHARES} "
            "(one share alone would be the key: use 'leaktrace key export' for a single backup)."
        )
    names = list(custodians) if custodians else [None] * shares
    if len(names) != shares:
        raise BadInput(f"{len(names)} custodians named for {shares} shares; name one per share, or none.")
    kek, nonce, split_id = secrets.token_bytes(_KEK_BYTES), secrets.token_bytes(_NONCE_BYTES), secrets.token_hex(16)
    wrapped = AESGCM(kek).encrypt(nonce, key, _associated(split_id, shares, threshold, fingerprint))
    common = dict(split_id=split_id, shares=shares, threshold=threshold, key_fingerprint=fingerprint, created_at=created_at, nonce=nonce)
    return [
        Share(index=i, custodian=name, share=value, wrapped_key=wrapped, **common)
        for (i, value), name in zip(Shamir.split(threshold, shares, kek), names)
    ]


def _hex(value: object, size: int, name: str, what: str) -> bytes:
    if not isinstance(value, str) or not re.fullmatch(f"[0-9a-f]{{{2 * size}}}", value):
        raise KeyProblem(f"{name}: not a leaktrace key share (its {what} is malformed).")
    return bytes.fromhex(value)


def parse(content: bytes, *, name: str) -> Share:
    """A share file's content, checked field by field; :class:`KeyProblem` naming ``name`` if it is not one."""
    try:
        doc = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        doc = None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise KeyProblem(f"{name}: not a leaktrace key share.")
    if doc.get("version") != VERSION:
        raise KeyProblem(f"{name}: a key share of format version {doc.get('version')!r}; this leaktrace reads version {VERSION}: upgrade leaktrace.")
    ints = [doc.get(k) for k in ("index", "shares", "threshold")]
    if not all(type(v) is int for v in ints) or not (1 <= ints[0] <= ints[1] <= MAX_SHARES and 2 <= ints[2] <= ints[1]):
        raise KeyProblem(f"{name}: not a leaktrace key share (its index, shares or threshold are out of range).")
    texts = [doc.get(k) for k in ("split_id", "key_fingerprint", "created_at")]
    custodian = doc.get("custodian")
    if (
        not all(isinstance(v, str) for v in texts)
        or not re.fullmatch("[0-9a-f]{32}", texts[0])
        or not re.fullmatch("[0-9a-f]{16}", texts[1])
        or doc.get("aead") != AEAD
        or not (custodian is None or isinstance(custodian, str))
    ):
        raise KeyProblem(f"{name}: not a leaktrace key share (its header is malformed).")
    return Share(
        split_id=texts[0],
        index=ints[0],
        shares=ints[1],
        threshold=ints[2],
        key_fingerprint=texts[1],
        custodian=custodian,
        created_at=texts[2],
        share=_hex(doc.get("share"), _KEK_BYTES, name, "share"),
        nonce=_hex(doc.get("nonce"), _NONCE_BYTES, name, "nonce"),
        wrapped_key=_hex(doc.get("wrapped_key"), _KEY_BYTES + _TAG_BYTES, name, "wrapped key"),
    )


def _check_one_split(given: Sequence[tuple[str, Share]]) -> None:
    (first_name, first), *rest = given
    seen = {first.index: first_name}
    for name, share in rest:
        if share.split_id != first.split_id:
            raise KeyProblem(
                f"{first_name} and {name} come from different splits ({first.split_id[:8]} and {share.split_id[:8]}); combine shares of one split."
            )
        for field in ("shares", "threshold", "key_fingerprint", "nonce", "wrapped_key"):
            if getattr(share, field) != getattr(first, field):
                raise KeyProblem(f"{first_name} and {name} are of one split but disagree on its {field.replace('_', ' ')}: one of them was altered.")
        if share.index in seen:
            raise KeyProblem(f"{seen[share.index]} and {name} are the same share ({share.index} of {share.shares}); each share counts once.")
        seen[share.index] = name


def _unwrap(chosen: Sequence[Share]) -> bytes | None:
    from Crypto.Protocol.SecretSharing import Shamir
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    kek = Shamir.combine([(s.index, s.share) for s in chosen])
    try:
        return AESGCM(kek).decrypt(chosen[0].nonce, chosen[0].wrapped_key, chosen[0].associated_data())
    except InvalidTag:
        return None


def combine(given: Sequence[tuple[str, Share]]) -> tuple[bytes, tuple[int, ...]]:
    """The master key from shares of one split (``(file name, share)`` pairs), and the indexes used.

    :class:`KeyProblem`, naming the files, when the shares are fewer than the split's threshold,
    come from different splits, repeat one another, or do not open the sealed key (one is damaged
    or altered). With more than the threshold, a damaged share is outvoted by any good k of them.
    """
    if not given:
        raise KeyProblem("no key share given.")
    _check_one_split(given)
    first = given[0][1]
    if len(given) < first.threshold:
        raise KeyProblem(
            f"{len(given)} share{'s' if len(given) != 1 else ''} given; this split of key {first.key_fingerprint} needs {first.threshold} of its {first.shares}."
        )
    shares = sorted((s for _, s in given), key=lambda s: s.index)
    candidates = itertools.chain([shares], itertools.islice(itertools.combinations(shares, first.threshold), _SUBSETS_TRIED))
    for chosen in candidates if len(shares) > first.threshold else [shares]:
        key = _unwrap(chosen)
        if key is not None:
            return key, tuple(s.index for s in chosen)
    names = ", ".join(name for name, _ in given)
    raise KeyProblem(f"the shares do not open the key ({names}): one of them is damaged or was altered.")
