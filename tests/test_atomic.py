"""atomic: a write replaces the whole file or nothing, is fsynced with its folder, never leaves a partial
file, and the file is never more readable than its final mode."""

from __future__ import annotations

import os
import stat

import pytest

from leaktrace import atomic
from leaktrace.atomic import atomic_writer, staged, write_atomic


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_atomic_replaces_whole_file_and_leaves_no_partial(tmp_path):
    path = tmp_path / "copy.png"
    write_atomic(path, b"first")
    write_atomic(path, b"second")
    assert path.read_bytes() == b"second"
    assert os.listdir(tmp_path) == ["copy.png"]


def test_write_atomic_cleans_up_on_failure(tmp_path):
    target = tmp_path / "folder"
    target.mkdir()
    with pytest.raises(OSError):
        write_atomic(target, b"data")  # cannot replace a directory with a file
    assert os.listdir(tmp_path) == ["folder"]


def test_an_error_inside_the_block_keeps_the_old_file(tmp_path):
    path = tmp_path / "index.ann"
    write_atomic(path, b"old")
    with pytest.raises(RuntimeError), atomic_writer(path) as f:
        f.write(b"half of the new")
        raise RuntimeError("died mid-write")
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["index.ann"]


def test_the_file_and_its_folder_are_fsynced(tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (synced.append(stat.S_ISDIR(os.fstat(fd).st_mode)), real(fd)))
    write_atomic(tmp_path / "a", b"x")
    assert synced == ([False, True] if os.name == "posix" else [False])


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_mode_from_creation_and_the_umask_applies(tmp_path, monkeypatch):
    seen = []
    real = os.replace
    monkeypatch.setattr(atomic.os, "replace", lambda a, b: (seen.append(_mode(a)), real(a, b)))
    write_atomic(tmp_path / "secret", b"k", mode=0o600)
    write_atomic(tmp_path / "blob", b"b", mode=0o444)
    assert seen == [0o600, 0o444 & ~_umask()]  # the partial file already had the final mode
    assert _mode(tmp_path / "secret") == 0o600 and _mode(tmp_path / "blob") & 0o222 == 0
    old = os.umask(0o077)
    try:
        write_atomic(tmp_path / "copy", b"c")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "copy") == 0o600  # 0o644 restricted by the umask, never loosened


def test_staged_publishes_where_it_is_told_or_leaves_nothing(tmp_path):
    (tmp_path / "ab").mkdir()
    with staged(tmp_path, "blob") as stage:
        stage.file.write(b"content")
        stage.publish(tmp_path / "ab" / "cdef")
    assert (tmp_path / "ab" / "cdef").read_bytes() == b"content"
    with staged(tmp_path, "blob") as stage:
        stage.file.write(b"already stored")  # not published: discarded
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["ab", "cdef"]


def _umask() -> int:
    old = os.umask(0)
    os.umask(old)
    return old


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_files_are_private_by_default_whatever_the_umask(tmp_path):
    old = os.umask(0o002)
    try:
        write_atomic(tmp_path / "cache.bin", b"x")
        with staged(tmp_path, "blob") as stage:
            stage.publish(tmp_path / "blob")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "cache.bin") == _mode(tmp_path / "blob") == atomic.FILE_MODE == 0o600


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_private_dir_makes_every_missing_folder_0700_and_leaves_existing_ones(tmp_path):
    (tmp_path / "shared").mkdir(mode=0o755)
    old = os.umask(0o002)
    try:
        made = atomic.private_dir(tmp_path / "shared" / "a" / "b")
        assert atomic.private_dir(made) == made  # already there: fine
    finally:
        os.umask(old)
    assert _mode(tmp_path / "shared" / "a") == _mode(made) == 0o700
    assert _mode(tmp_path / "shared") == 0o755
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(NotADirectoryError, match="is not a folder"):
        atomic.private_dir(tmp_path / "file")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_restrict_dir_takes_away_the_group_and_others_only(tmp_path):
    folder = tmp_path / "ws"
    folder.mkdir()
    folder.chmod(0o2775)
    assert atomic.restrict_dir(folder) and _mode(folder) == 0o2700  # the setgid bit stays
    assert not atomic.restrict_dir(folder) and _mode(folder) == 0o2700  # already private: nothing to do
