"""The passphrase-encrypted backup of the master key: a small versioned text file.

Bytes in, bytes out (no files, no store): :mod:`leaktrace.services.keys` reads and writes
the files and records the audit entries. The format, version 1, is three ASCII lines::

    leaktrace-key-backup 1
    {"aead":"AES-256-GCM","created_at":"…","kdf":{"n":131072,"name":"scrypt","p":1,"r":8,"salt":"<32 hex>"},"key_fingerprint":"<16 hex>","nonce":"<24 hex>"}
    <96 hex: the 32-byte key sealed by AES-256-GCM, its 16-byte tag included>

The key that seals it is scrypt (RFC 7914; N = 2^17, r = 8, p = 1: 128 MiB and about a
quarter of a second per try, OWASP's recommended setting) of the passphrase (Unicode NFC,
UTF-8) and a random 16-byte salt; the nonce is random too. The first two lines, byte for
byte as written, are the AEAD's associated data, so the format version, the KDF and its
parameters, the salt and the key's fingerprint cannot be changed without the file failing
to decrypt. scrypt rather than Argon2id: every ``cryptography`` leaktrace supports
(>= 42) and Python's own ``hashlib`` have it, so a backup stays readable for years.

>>> key = bytes(range(32))
>>> blob = seal(key, "correct horse battery", fingerprint="00112233aabbccdd", created_at="2027-01-05T09:00:00+00:00", n=2**10)
>>> blob.splitlines()[0]
b'leaktrace-key-backup 1'
>>> unseal(blob, "correct horse battery", name="key.backup") == key
True
>>> unseal(blob, "wrong horse battery", name="key.backup")
Traceback (most recent call last):
...
leaktrace.errors.KeyProblem: key.backup: wrong passphrase, or the backup was altered (it does not decrypt).
"""

from __future__ import annotations

import json
import re
import secrets
import unicodedata
from dataclasses import dataclass

from leaktrace.errors import BadInput, KeyProblem

__all__ = ["MAGIC", "MIN_PASSPHRASE", "SCRYPT", "Header", "check_passphrase", "is_sealed", "read_header", "seal", "unseal"]

MAGIC = b"leaktrace-key-backup"
VERSION = 1
AEAD = "AES-256-GCM"
#: scrypt's parameters for new backups (cost N, block size r, parallelism p).
SCRYPT = {"n": 2**17, "r": 8, "p": 1}
#: The fewest characters a passphrase may have.
MIN_PASSPHRASE = 12
_SALT_BYTES, _NONCE_BYTES, _KEY_BYTES, _TAG_BYTES = 16, 12, 32, 16
_MAX_SCRYPT_MEMORY = 2**30  # bytes (128·r·N): a crafted header cannot make an import take more
_HEADER_KEYS = {"aead", "created_at", "kdf", "key_fingerprint", "nonce"}
_KDF_KEYS = {"name", "n", "r", "p", "salt"}


@dataclass(frozen=True)
class Header:
    """What a sealed backup says about itself (authenticated once it decrypts)."""

    version: int
    key_fingerprint: str
    created_at: str
    n: int
    r: int
    p: int
    salt: bytes
    nonce: bytes
    sealed_key: bytes  # ciphertext and tag
    associated_data: bytes  # the first two lines, as written


def check_passphrase(passphrase: str) -> bytes:
    """The passphrase as the KDF takes it (NFC, UTF-8); refused (:class:`BadInput`) when shorter than
    :data:`MIN_PASSPHRASE` characters."""
    text = unicodedata.normalize("NFC", passphrase)
    if len(text) < MIN_PASSPHRASE:
        raise BadInput(f"the passphrase has {len(text)} characters; a key backup needs at least {MIN_PASSPHRASE}.")
    return text.encode("utf-8")


def is_sealed(content: bytes) -> bool:
    """Whether ``content`` claims to be a passphrase-encrypted backup (as opposed to a plain-hex one)."""
    return content.startswith(MAGIC)


def _derive(passphrase: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=_KEY_BYTES, n=n, r=r, p=p).derive(passphrase)


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def seal(key: bytes, passphrase: str, *, fingerprint: str, created_at: str, n: int | None = None) -> bytes:
    """The backup file's bytes for ``key`` (32 bytes) under ``passphrase``.

    ``n`` overrides scrypt's cost (tests use a small one; the file records what was used).
    """
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    secret = check_passphrase(passphrase)
    params = dict(SCRYPT, n=n or SCRYPT["n"])
    salt, nonce = secrets.token_bytes(_SALT_BYTES), secrets.token_bytes(_NONCE_BYTES)
    header = {
        "aead": AEAD,
        "created_at": created_at,
        "kdf": {"name": "scrypt", **params, "salt": salt.hex()},
        "key_fingerprint": fingerprint,
        "nonce": nonce.hex(),
    }
    associated = MAGIC + b" %d\n" % VERSION + _canonical(header)
    sealed = AESGCM(_derive(secret, salt, **params)).encrypt(nonce, key, associated)
    return associated + b"\n" + sealed.hex().encode("ascii") + b"\n"


def _hex(text: object, size: int, name: str, what: str) -> bytes:
    if not isinstance(text, str) or not re.fullmatch(f"[0-9a-f]{{{2 * size}}}", text):
        raise KeyProblem(f"{name}: not a leaktrace key backup (its {what} is malformed).")
    return bytes.fromhex(text)


def read_header(content: bytes, *, name: str) -> Header:
    """Parse a sealed backup strictly (every byte counts); :class:`KeyProblem` naming ``name`` if it is
    not one, or was made by a newer leaktrace. Nothing is authenticated until :func:`unseal`."""
    lines = content.split(b"\n")
    if len(lines) != 4 or lines[3] != b"" or not lines[0].startswith(MAGIC + b" "):
        raise KeyProblem(f"{name}: not a leaktrace key backup (expected three lines, the first '{MAGIC.decode()} {VERSION}').")
    version = lines[0][len(MAGIC) + 1 :]
    if not re.fullmatch(rb"[1-9][0-9]{0,3}", version):
        raise KeyProblem(f"{name}: not a leaktrace key backup (its format version is malformed).")
    if int(version) != VERSION:
        raise KeyProblem(f"{name}: a key backup of format version {int(version)}; this leaktrace reads version {VERSION}: upgrade leaktrace.")
    try:
        header = json.loads(lines[1].decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        header = None
    if not isinstance(header, dict) or set(header) != _HEADER_KEYS or not isinstance(header["kdf"], dict) or set(header["kdf"]) != _KDF_KEYS:
        raise KeyProblem(f"{name}: not a leaktrace key backup (its header is malformed).")
    kdf = header["kdf"]
    if header["aead"] != AEAD or kdf["name"] != "scrypt":
        raise KeyProblem(f"{name}: a key backup sealed with another KDF or cipher; this leaktrace reads scrypt and {AEAD}.")
    n, r, p = kdf["n"], kdf["r"], kdf["p"]
    if not all(type(v) is int and v > 0 for v in (n, r, p)) or n < 2**10 or n & (n - 1) or p > 16 or 128 * n * r * p > _MAX_SCRYPT_MEMORY:
        raise KeyProblem(f"{name}: not a leaktrace key backup (its scrypt parameters n={n}, r={r}, p={p} are out of range).")
    fingerprint, created_at = header["key_fingerprint"], header["created_at"]
    if not isinstance(fingerprint, str) or not re.fullmatch("[0-9a-f]{16}", fingerprint) or not isinstance(created_at, str):
        raise KeyProblem(f"{name}: not a leaktrace key backup (its header is malformed).")
    return Header(
        version=VERSION,
        key_fingerprint=fingerprint,
        created_at=created_at,
        n=n,
        r=r,
        p=p,
        salt=_hex(kdf["salt"], _SALT_BYTES, name, "salt"),
        nonce=_hex(header["nonce"], _NONCE_BYTES, name, "nonce"),
        sealed_key=_hex(lines[2].decode("ascii", "replace"), _KEY_BYTES + _TAG_BYTES, name, "sealed key"),
        associated_data=lines[0] + b"\n" + lines[1],
    )


def unseal(content: bytes, passphrase: str, *, name: str) -> bytes:
    """The 32-byte key in a sealed backup; :class:`KeyProblem` naming ``name`` when the passphrase is
    wrong or any byte of the file was changed (AES-GCM cannot tell the two apart)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header = read_header(content, name=name)
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    try:
        return AESGCM(_derive(secret, header.salt, header.n, header.r, header.p)).decrypt(header.nonce, header.sealed_key, header.associated_data)
    except InvalidTag:
        raise KeyProblem(f"{name}: wrong passphrase, or the backup was altered (it does not decrypt).") from None
