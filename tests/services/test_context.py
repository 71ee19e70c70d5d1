"""context: the master key is read only when private and whole; secrets are written 0600 from the start."""

from __future__ import annotations

import os
import stat

import pytest

from leaktrace.errors import KeyProblem
from leaktrace.services import context
from leaktrace.services.context import KEY_BYTES, Context, key_path, read_master_key, write_secret
from leaktrace.settings import load


def _key(home, data: bytes = bytes(range(32)), mode: int = 0o600):
    path = key_path(home)
    path.write_bytes(data)
    path.chmod(mode)
    return path


def test_key_path_and_size(tmp_path):
    assert key_path(tmp_path) == tmp_path / "master.key" and context.KEY_FILE == "master.key"
    assert KEY_BYTES == 32


def test_a_private_key_of_32_bytes_is_read_back(tmp_path):
    _key(tmp_path, bytes(range(32)))
    assert read_master_key(tmp_path) == bytes(range(32))
    _key(tmp_path, b"\xff" * 32, 0o400)  # read-only for its owner is private too
    assert read_master_key(tmp_path) == b"\xff" * 32


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o606, 0o610, 0o601, 0o700 | 0o004])
def test_a_key_others_can_read_is_refused(tmp_path, mode):
    path = _key(tmp_path, mode=mode)
    with pytest.raises(KeyProblem) as caught:
        read_master_key(tmp_path)
    message = str(caught.value)
    assert message == (f"{path}: the master key is readable by others (mode {stat.S_IMODE(mode):04o}); run 'chmod 600 {path}'.")


def test_a_missing_key_is_refused_with_the_way_back(tmp_path):
    with pytest.raises(KeyProblem) as caught:
        read_master_key(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'master.key'}: the master key is missing")
    assert "leaktrace key import" in message and "\n" not in message


@pytest.mark.parametrize("size", [0, 31, 33, 64])
def test_a_key_of_the_wrong_size_is_refused(tmp_path, size):
    _key(tmp_path, b"k" * size)
    with pytest.raises(KeyProblem, match=f"the master key must be 32 bytes, found {size}\\."):
        read_master_key(tmp_path)


def test_write_secret_is_never_readable_by_others(tmp_path):
    old = os.umask(0)  # even with a permissive umask
    try:
        write_secret(tmp_path / "s.key", b"secret bytes")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "s.key").stat().st_mode) == 0o600
    assert (tmp_path / "s.key").read_bytes() == b"secret bytes"


def test_write_secret_never_overwrites(tmp_path):
    write_secret(tmp_path / "s.key", b"first")
    with pytest.raises(FileExistsError):
        write_secret(tmp_path / "s.key", b"second")
    assert (tmp_path / "s.key").read_bytes() == b"first"


def test_context_home_is_the_settings_home(tmp_path):
    settings = load(tmp_path, environ={})
    ctx = Context(settings, engine=None, sessions=None, blobs=None, master_key=b"k" * 32)
    assert ctx.home == tmp_path
