"""config: the upload limit and cookie flag come from the settings (or the call), the session secret is a 0600 file."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from leaktrace.errors import KeyProblem, SettingRejected
from leaktrace.settings import load
from leaktrace.web import config


def _settings(tmp_path, **env):
    return load(tmp_path, environ={f"LEAKTRACE_{k.upper()}": str(v) for k, v in env.items()})


def test_defaults_come_from_the_settings(tmp_path):
    web = config.load(_settings(tmp_path))
    assert web.max_upload_bytes == 50 * 2**20 and web.max_upload_mb == 50.0 == config.DEFAULT_MAX_UPLOAD_MB
    assert web.secure_cookies is False
    assert len(web.session_secret) == 64 and int(web.session_secret, 16) >= 0
    assert config.SESSION_MAX_AGE_S == 8 * 3600


def test_settings_then_explicit_values(tmp_path):
    web = config.load(_settings(tmp_path, web_max_upload_mb=7.5, web_secure_cookies="true"))
    assert (web.max_upload_bytes, web.max_upload_mb, web.secure_cookies) == (int(7.5 * 2**20), 7.5, True)
    web = config.load(_settings(tmp_path, web_secure_cookies="true"), max_upload_mb=0.25, secure_cookies=False)
    assert (web.max_upload_bytes, web.max_upload_mb, web.secure_cookies) == (2**18, 0.25, False)


@pytest.mark.parametrize("mb", [0, -1, 201, float("nan")])
def test_an_upload_limit_outside_the_file_limit_is_refused(tmp_path, mb):
    with pytest.raises(SettingRejected) as caught:
        config.load(_settings(tmp_path), max_upload_mb=mb)
    assert str(caught.value) == f"the web upload limit must be in (0, 200] MB, not {mb!r}."


@dataclass(frozen=True)
class _OldSettings:
    """Settings without the web rows: the environment decides."""

    home: Path
    max_file_mb: float = 200


def test_without_web_rows_the_environment_decides(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WEB_MAX_UPLOAD_MB", "3")
    monkeypatch.setenv("LEAKTRACE_WEB_SECURE_COOKIES", "yes")
    web = config.load(_OldSettings(tmp_path))
    assert (web.max_upload_mb, web.secure_cookies) == (3.0, True)
    monkeypatch.setenv("LEAKTRACE_WEB_SECURE_COOKIES", "sometimes")
    with pytest.raises(SettingRejected, match="LEAKTRACE_WEB_SECURE_COOKIES must be true or false, not 'sometimes'"):
        config.load(_OldSettings(tmp_path))


def test_the_session_secret_is_made_once_and_kept_private(tmp_path):
    old = os.umask(0)
    try:
        first = config.session_secret(tmp_path)
    finally:
        os.umask(old)
    path = tmp_path / config.SESSION_SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text() == first
    assert config.session_secret(tmp_path) == first  # every worker reads the same secret
    assert config.load(_settings(tmp_path)).session_secret == first


def test_an_unsafe_or_short_session_secret_is_refused(tmp_path):
    path = tmp_path / config.SESSION_SECRET_FILE
    config.session_secret(tmp_path)
    path.chmod(0o644)
    with pytest.raises(KeyProblem) as caught:
        config.session_secret(tmp_path)
    assert str(caught.value) == (f"{path}: the web session secret is readable by others (mode 0644); run 'chmod 600 {path}'.")
    path.chmod(0o600)
    path.write_text("short\n")
    with pytest.raises(KeyProblem, match="the web session secret is too short; delete it to make a new one."):
        config.session_secret(tmp_path)


def test_image_types_and_suffixes_agree():
    assert set(config.IMAGE_TYPES.values()) <= config.IMAGE_SUFFIXES
    assert all(kind.startswith("image/") for kind in config.IMAGE_TYPES)
    assert {".jpeg", ".tiff"} <= config.IMAGE_SUFFIXES
