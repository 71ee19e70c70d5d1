"""key_backup: scrypt + AES-256-GCM under a passphrase; the header is authenticated, so any changed byte is refused."""

from __future__ import annotations

import pytest

from leaktrace.errors import BadInput, KeyProblem
from leaktrace.services import key_backup

KEY = bytes(range(32))
PASS = "correct horse battery staple"


def _seal(**kw):
    return key_backup.seal(KEY, PASS, fingerprint="00112233aabbccdd", created_at="2027-01-05T09:00:00+00:00", **kw)


def test_the_file_is_three_ascii_lines_naming_its_kdf_and_parameters():
    content = _seal()
    magic, header, body, end = content.split(b"\n")
    assert magic == b"leaktrace-key-backup 1" and end == b"" and content.decode("ascii")
    parsed = key_backup.read_header(content, name="b")
    assert (parsed.n, parsed.r, parsed.p, parsed.key_fingerprint) == (2**17, 8, 1, "00112233aabbccdd")
    assert parsed.associated_data == magic + b"\n" + header and len(parsed.sealed_key) == 32 + 16
    assert KEY.hex().encode() not in content and key_backup.unseal(content, PASS, name="b") == KEY


@pytest.mark.parametrize("mask", [0x01, 0x80])
def test_every_flipped_byte_is_refused(mask):
    content = _seal(n=2**10)  # a cheap KDF for a few hundred tries (the file records it)
    assert key_backup.unseal(content, PASS, name="b.key") == KEY
    for i in range(len(content)):
        altered = content[:i] + bytes([content[i] ^ mask]) + content[i + 1 :]
        with pytest.raises(KeyProblem, match="^b.key: "):
            key_backup.unseal(altered, PASS, name="b.key")
    for changed in (content[:-1], content + b"\n", content.replace(b"\n", b"\r\n"), content.upper()):
        with pytest.raises(KeyProblem):
            key_backup.unseal(changed, PASS, name="b.key")


def test_a_wrong_passphrase_and_a_changed_header_read_alike():
    content = _seal(n=2**10)
    with pytest.raises(KeyProblem) as wrong:
        key_backup.unseal(content, PASS + "!", name="b.key")
    with pytest.raises(KeyProblem) as edited:
        key_backup.unseal(content.replace(b"2027-01-05", b"2027-01-06"), PASS, name="b.key")
    assert str(wrong.value) == str(edited.value) == "b.key: wrong passphrase, or the backup was altered (it does not decrypt)."


@pytest.mark.parametrize("passphrase, length", [("", 0), ("short", 5), ("eleven char", 11), ("e\u0301" * 6, 6)])
def test_passphrases_under_12_characters_are_refused(passphrase, length):
    with pytest.raises(BadInput) as caught:
        key_backup.seal(KEY, passphrase, fingerprint="00112233aabbccdd", created_at="x")
    assert str(caught.value) == f"the passphrase has {length} characters; a key backup needs at least 12."


def test_passphrases_are_compared_after_unicode_normalisation():
    content = key_backup.seal(KEY, "caf\u00e9 au lait noir", fingerprint="00112233aabbccdd", created_at="x", n=2**10)
    assert key_backup.unseal(content, "cafe\u0301 au lait noir", name="b") == KEY


def test_hostile_headers_are_refused_before_any_work():
    content = _seal(n=2**10)
    for old, new, words in (
        (b'"n":1024', b'"n":1073741824', "scrypt parameters n=1073741824, r=8, p=1 are out of range"),
        (b'"n":1024', b'"n":1000', "scrypt parameters n=1000"),
        (b'"p":1', b'"p":17', "p=17 are out of range"),
        (b'"n":1024', b'"n":"1024"', "are out of range"),
        (b'"name":"scrypt"', b'"name":"pbkdf2"', "sealed with another KDF or cipher"),
        (b"leaktrace-key-backup 1", b"leaktrace-key-backup 2", "format version 2; this leaktrace reads version 1: upgrade leaktrace"),
        (b'"aead"', b'"extra":1,"aead"', "its header is malformed"),
    ):
        with pytest.raises(KeyProblem, match=words):
            key_backup.read_header(content.replace(old, new), name="b")
