"""Bad input: one line on stderr, exit code 2, no traceback, and the store unchanged."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import DATA, photo, save

HOSTILE = ["truncated.png", "truncated.jpg", "empty.png", "text.png", "bomb.png"]


def _one_line_error(result):
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.fixture
def ready(cli, tmp_path):
    cli("init")
    cli("recipient", "add", "Apex")
    _, (asset,) = cli("asset", "add", save(tmp_path / "a.png", photo(4)), "--json")
    return asset


@pytest.mark.parametrize("name", HOSTILE + ["missing.png"])
def test_hostile_asset_files_are_refused(cli, ready, tmp_path, name):
    path = DATA / name if name != "missing.png" else tmp_path / "missing.png"
    result, _ = cli("asset", "add", path, expect=None)
    _one_line_error(result)
    assert str(path.name) in result.stderr
    _, assets = cli("asset", "list", "--json")
    assert len(assets) == 1


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_leaks_are_refused(cli, ready, name):
    result, _ = cli("trace", DATA / name, expect=None)
    _one_line_error(result)


def test_a_folder_is_not_an_image(cli, ready, tmp_path):
    result, _ = cli("trace", tmp_path, expect=None)
    _one_line_error(result)


def test_unknown_recipient_or_asset_shares_nothing(cli, ready, tmp_path):
    out = tmp_path / "out"
    result, _ = cli("share", ready["id"], "--to", "Apex", "--to", "Nobody Ltd", "--out", out, expect=None)
    _one_line_error(result)
    assert "Nobody Ltd" in result.stderr
    result, _ = cli("share", "99", "--to", "Apex", "--out", out, expect=None)
    _one_line_error(result)
    result, _ = cli("share", "x1", "--to", "Apex", "--out", out, expect=None)
    _one_line_error(result)
    assert not out.exists() or not any(out.iterdir())
    _, shares = cli("shares", "--json")
    assert shares == []


def test_no_workspace(runner, tmp_path):
    from leaktrace.cli.app import app

    result = runner.invoke(app, ["recipient", "list", "--home", str(tmp_path / "nowhere")])
    _one_line_error(result)
    assert "no leaktrace workspace" in result.stderr


def test_wrong_or_unsafe_key(cli, ready):
    key = cli.home / "master.key"
    key.chmod(0o644)
    result, _ = cli("recipient", "list", expect=None)
    _one_line_error(result)
    assert "readable by others" in result.stderr
    key.chmod(0o600)
    shutil.copy(key, key.with_suffix(".bak"))
    key.write_bytes(bytes(32))
    result, _ = cli("recipient", "list", expect=None)
    _one_line_error(result)
    assert "does not belong" in result.stderr


def test_unsafe_setting_is_refused(cli, ready, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_EPSILON", "0.5")
    result, _ = cli("recipient", "list", expect=None)
    _one_line_error(result)
    assert "epsilon" in result.stderr


@pytest.mark.parametrize(
    ("url", "code", "says"),
    [
        ("not a url", 2, "error: setting database_url is not a database URL"),
        ("mysql://x@db.example/leaks", 2, "error: setting database_url needs the mysql driver, which is not installed."),
        ("postgresql+nodriver://db.example/leaks", 2, "error: setting database_url needs the postgresql+nodriver driver"),
        (
            "postgresql+psycopg://ana:s3cret@127.0.0.1:1/leaks",
            3,
            "error: the store postgresql+psycopg://ana:***@127.0.0.1:1/leaks cannot be opened: ",
        ),
    ],
)
def test_a_bad_or_unreachable_database_url_is_one_line(cli, monkeypatch, url, code, says):
    cli("init")
    monkeypatch.setenv("LEAKTRACE_DATABASE_URL", url)
    result, _ = cli("recipient", "list", expect=code)
    assert result.stderr.startswith(says) and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr and "s3cret" not in result.stderr


def test_a_store_file_that_is_no_database_is_one_line(cli, tmp_path, monkeypatch):
    cli("init")
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database, " * 256)
    monkeypatch.setenv("LEAKTRACE_DATABASE_URL", f"sqlite:///{garbage}")
    result, _ = cli("recipient", "list", expect=3)
    assert result.stderr == f"error: the store sqlite:///{garbage} cannot be opened: file is not a database\n"
    assert garbage.read_bytes() == b"not a database, " * 256  # nothing written
