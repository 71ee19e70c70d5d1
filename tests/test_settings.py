"""settings: one table of rows, resolved default < file < environment < override, unsafe values refused."""

from __future__ import annotations

import dataclasses
import tomllib

import pytest

from leaktrace import settings as s
from leaktrace.errors import SettingRejected


def _load(tmp_path, environ=None, overrides=None, file_text=None):
    if file_text is not None:
        (tmp_path / s.SETTINGS_FILE).write_text(file_text, encoding="utf-8")
    return s.load(tmp_path, overrides, environ={} if environ is None else environ)


def _refusal(tmp_path, **kwargs) -> str:
    with pytest.raises(SettingRejected) as caught:
        _load(tmp_path, **kwargs)
    message = str(caught.value)
    assert message and "\n" not in message and message.endswith("."), message
    return message


# ------------------------------------------------------------------ the table


def test_every_row_has_a_name_help_and_env_name():
    names = [row.name for row in s.SETTINGS]
    assert len(names) == len(set(names)) >= 14
    for row in s.SETTINGS:
        assert row.name.isidentifier() and row.name == row.name.lower()
        assert row.env == "LEAKTRACE_" + row.name.upper()
        assert len(row.help) > 20 and row.help.endswith((".", ")")) and "\n" not in row.help, row.name
        if row.choices:
            assert row.default in row.choices
    assert {f.name for f in dataclasses.fields(s.Settings)} == {"home", *names}


def test_the_defaults_load_and_are_what_the_table_says(tmp_path):
    resolved = _load(tmp_path)
    for row in s.SETTINGS:
        assert getattr(resolved, row.name) == row.default, row.name
    assert resolved.home == tmp_path.absolute()
    assert resolved.resolved_database_url == f"sqlite:///{tmp_path / 'leaktrace.db'}"
    d = resolved.to_dict()
    assert d["home"] == str(tmp_path) and d["epsilon"] == 1e-6 and len(d) == 1 + len(s.SETTINGS)


def test_settings_are_frozen(tmp_path):
    with pytest.raises(dataclasses.FrozenInstanceError):
        _load(tmp_path).epsilon = 0.5


def test_markdown_table_has_one_row_per_setting():
    lines = s.markdown_table().splitlines()
    assert lines[0] == "| setting | environment | default | meaning |"
    assert len(lines) == 2 + len(s.SETTINGS)
    assert lines[3] == f"| `epsilon` | `LEAKTRACE_EPSILON` | `1e-06` | {s.SETTINGS[1].help} |"


# ------------------------------------------------------------------ where values come from


def test_home_argument_then_environment_then_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert s.resolve_home(tmp_path / "a", {"LEAKTRACE_HOME": str(tmp_path / "b")}) == tmp_path / "a"
    assert s.resolve_home(None, {"LEAKTRACE_HOME": str(tmp_path / "b")}) == tmp_path / "b"
    assert s.resolve_home("", {"LEAKTRACE_HOME": str(tmp_path / "b")}) == tmp_path / "b"
    assert s.resolve_home(None, {}) == tmp_path / ".leaktrace"
    assert s.resolve_home("rel", {}) == tmp_path / "rel"  # always absolute


def test_precedence_default_file_environment_override(tmp_path):
    text = "epsilon = 1e-8\ncarrier_cells = 1024\njpeg_quality = 90\n"
    env = {"LEAKTRACE_CARRIER_CELLS": "2048", "LEAKTRACE_JPEG_QUALITY": "80"}
    resolved = _load(tmp_path, env, {"jpeg_quality": 70, "min_psnr": None}, text)
    assert resolved.epsilon == 1e-8  # file over default
    assert resolved.carrier_cells == 2048  # environment over file
    assert resolved.jpeg_quality == 70  # override over environment
    assert resolved.min_psnr == 45.0  # a None override leaves the value alone
    assert _load(tmp_path, {"LEAKTRACE_EPSILON": ""}).epsilon == 1e-8  # an empty variable is unset


@pytest.mark.parametrize(
    "text, value", [("1", True), ("yes", True), ("On", True), ("TRUE", True), ("0", False), ("no", False), ("off", False), ("False", False)]
)
def test_environment_booleans(tmp_path, text, value):
    assert _load(tmp_path, {"LEAKTRACE_WEB_SECURE_COOKIES": text}).web_secure_cookies is value


def test_environment_strings_are_coerced_to_the_default_type(tmp_path):
    resolved = _load(
        tmp_path,
        {
            "LEAKTRACE_CARRIER_CELLS": "1024.0",
            "LEAKTRACE_EPSILON": "1e-9",
            "LEAKTRACE_INDEX_BACKEND": "ann",
            "LEAKTRACE_LOCK_TIMEOUT_S": "2.5",
            "LEAKTRACE_DATABASE_URL": "sqlite:///elsewhere.db",
        },
    )
    assert (resolved.carrier_cells, resolved.epsilon, resolved.index_backend, resolved.lock_timeout_s) == (1024, 1e-9, "ann", 2.5)
    assert type(resolved.carrier_cells) is int and type(resolved.lock_timeout_s) is float
    assert resolved.resolved_database_url == "sqlite:///elsewhere.db"


def test_render_file_round_trips_through_load(tmp_path):
    values = {
        "epsilon": 1e-9,
        "carrier_cells": 1024,
        "web_secure_cookies": True,
        "index_backend": "brute",
        "database_url": "sqlite:////var/lib/leaktrace/lt.db",
    }
    text = s.render_file(values)
    assert text.startswith("# leaktrace workspace settings")
    assert f"# {s.SETTINGS[1].help}\nepsilon = 1e-09\n" in text
    assert tomllib.loads(text) == values
    resolved = _load(tmp_path, file_text=text)
    assert {k: getattr(resolved, k) for k in values} == values
    assert s.render_file({}).count("\n") == 1


@pytest.mark.xfail(
    strict=True,
    reason="bug: render_file writes strings between quotes without TOML escaping, "
    'so a value holding \\ or " makes a settings file that load() refuses',
)
@pytest.mark.parametrize("url", [r"sqlite:///C:\leaktrace\lt.db", 'postgresql://lt:pa"ss@db/leaktrace'])
def test_render_file_escapes_strings(tmp_path, url):
    resolved = _load(tmp_path, file_text=s.render_file({"database_url": url}))
    assert resolved.database_url == url


@pytest.mark.xfail(
    strict=True,
    reason="bug: Settings declares max_file_mb a float, but its row's default is the int 200, "
    "so the loader refuses a fractional limit such as 2.5 MB",
)
def test_max_file_mb_takes_fractions_like_its_field_type(tmp_path):
    resolved = _load(tmp_path, {"LEAKTRACE_MAX_FILE_MB": "2.5", "LEAKTRACE_WEB_MAX_UPLOAD_MB": "2"})
    assert resolved.max_file_mb == 2.5


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    "env, words",
    [
        ({"LEAKTRACE_EPSILON": "0.01"}, "setting epsilon must be in (0, 1e-3], not 0.01"),
        ({"LEAKTRACE_EPSILON": "0"}, "setting epsilon must be in (0, 1e-3]"),
        ({"LEAKTRACE_EPSILON": "-1e-6"}, "setting epsilon must be in (0, 1e-3]"),
        ({"LEAKTRACE_EPSILON": "nan"}, "setting epsilon must be in (0, 1e-3], not nan"),
        ({"LEAKTRACE_EPSILON": "one in a million"}, "setting epsilon must be a float, not 'one in a million'"),
        ({"LEAKTRACE_CARRIER_CELLS": "255"}, "setting carrier_cells must be between 256 and 65536"),
        ({"LEAKTRACE_CARRIER_CELLS": "65537"}, "setting carrier_cells must be between 256 and 65536"),
        ({"LEAKTRACE_CARRIER_CELLS": "1024.5"}, "carrier_cells must be a"),
        ({"LEAKTRACE_CARRIER_CELLS": "1024.5"}, "not '1024.5'"),
        ({"LEAKTRACE_MIN_CELL_PX": "3"}, "setting min_cell_px must be at least 4 pixels"),
        ({"LEAKTRACE_TARGET_PSNR": "29.9"}, "setting target_psnr must be between 30 and 70 dB"),
        ({"LEAKTRACE_TARGET_PSNR": "70.1"}, "setting target_psnr must be between 30 and 70 dB"),
        ({"LEAKTRACE_JPEG_QUALITY": "49"}, "setting jpeg_quality must be between 50 and 100"),
        ({"LEAKTRACE_JPEG_QUALITY": "101"}, "setting jpeg_quality must be between 50 and 100"),
        ({"LEAKTRACE_PNG_COMPRESSION": "10"}, "setting png_compression must be between 0 and 9"),
        ({"LEAKTRACE_PNG_COMPRESSION": "-1"}, "setting png_compression must be between 0 and 9"),
        ({"LEAKTRACE_MAX_PIXELS": "999999"}, "setting max_pixels must be at least 1,000,000"),
        ({"LEAKTRACE_LOCK_TIMEOUT_S": "0"}, "setting lock_timeout_s must be positive"),
        ({"LEAKTRACE_WEB_MAX_UPLOAD_MB": "0"}, "setting web_max_upload_mb must be positive and at most max_file_mb"),
        ({"LEAKTRACE_WEB_MAX_UPLOAD_MB": "300"}, "setting web_max_upload_mb must be positive and at most max_file_mb"),
        ({"LEAKTRACE_MAX_FILE_MB": "20"}, "setting web_max_upload_mb must be positive and at most max_file_mb"),
        ({"LEAKTRACE_INDEX_BACKEND": "faiss"}, "setting index_backend must be one of auto, brute, ann, not 'faiss'"),
        ({"LEAKTRACE_WEB_SECURE_COOKIES": "maybe"}, "setting web_secure_cookies must be a bool, not 'maybe'"),
    ],
)
def test_unsafe_or_malformed_environment_values_are_refused(tmp_path, env, words):
    assert words in _refusal(tmp_path, environ=env)


def test_the_limits_themselves_are_accepted(tmp_path):
    edge = {
        "LEAKTRACE_EPSILON": "1e-3",
        "LEAKTRACE_CARRIER_CELLS": "256",
        "LEAKTRACE_MIN_CELL_PX": "4",
        "LEAKTRACE_TARGET_PSNR": "70",
        "LEAKTRACE_JPEG_QUALITY": "50",
        "LEAKTRACE_MAX_PIXELS": "1000000",
        "LEAKTRACE_WEB_MAX_UPLOAD_MB": "200",
    }
    resolved = _load(tmp_path, edge)
    assert (resolved.epsilon, resolved.carrier_cells, resolved.web_max_upload_mb) == (1e-3, 256, 200.0)


def test_the_file_is_checked_like_the_environment(tmp_path):
    assert "setting epsilon must be in (0, 1e-3], not 0.5" in _refusal(tmp_path, file_text="epsilon = 0.5\n")
    message = _refusal(tmp_path, file_text="epsilon = 1e-6\nepsylon = 1e-9\n")
    assert message == f"{tmp_path / s.SETTINGS_FILE}: unknown setting 'epsylon'."
    message = _refusal(tmp_path, file_text="epsilon = \n")
    assert message.startswith(f"{tmp_path / s.SETTINGS_FILE}: cannot read the settings file (")
    (tmp_path / s.SETTINGS_FILE).write_bytes(b"epsilon = 1e-6 # \xff\n")
    assert "cannot read the settings file" in _refusal(tmp_path)


def test_an_unknown_override_is_refused(tmp_path):
    assert _refusal(tmp_path, overrides={"epsylon": 1e-9}) == "unknown setting 'epsylon'."


def test_an_unsafe_override_is_refused_even_when_the_file_is_safe(tmp_path):
    assert "epsilon" in _refusal(tmp_path, overrides={"epsilon": 0.1}, file_text="epsilon = 1e-9\n")


def test_no_file_means_no_values(tmp_path):
    assert s.read_file_values(tmp_path) == {}
    (tmp_path / s.SETTINGS_FILE).write_text("min_ssim = 0.995\n", encoding="utf-8")
    assert s.read_file_values(tmp_path) == {"min_ssim": 0.995}
